//! The load tool (oha), the processes under load, and what they cost.
//!
//! With two cores, every server (the upstream sandbox, then our proxy or nginx) runs on
//! CPU 0 and the load generator on CPU 1, so the generator never takes the servers' core
//! and every chain is measured on the same single core.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

pub const SERVER_CPU: &str = "0";
pub const LOAD_CPU: &str = "1";

/// A command run pinned to `cpu` (when taskset is there).
pub fn pinned(cpu: &str, program: impl AsRef<Path>) -> Command {
    if Path::new("/usr/bin/taskset").exists() {
        let mut command = Command::new("/usr/bin/taskset");
        command.arg("-c").arg(cpu).arg(program.as_ref());
        command
    } else {
        Command::new(program.as_ref())
    }
}

/// Pins the calling thread to `cpu`.
pub fn pin_thread(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET and sched_setaffinity are
    // given that set and its size, and 0 names the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// A server process, killed when dropped.
pub struct Server {
    pub port: u16,
    child: Child,
}

impl Server {
    /// Starts `command` and waits until `port` accepts connections.
    pub async fn start(name: &'static str, mut command: Command, port: u16, log: &Path) -> Server {
        let log_file = std::fs::File::create(log).expect("a log file");
        let child = command
            .stdout(log_file.try_clone().expect("a log file"))
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut server = Server { port, child };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{name} exited ({status}); see {}", log.display());
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{name} did not listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The process id whose memory is measured (the server itself, under taskset).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time the server has had: every thread of the process and of its children
    /// (nginx's workers), from `/proc/<pid>/task/*/schedstat`.
    pub fn cpu(&self) -> Duration {
        cpu_time(self.pid())
    }
}

fn cpu_time(pid: u32) -> Duration {
    let mut nanos = 0u64;
    let mut children = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
        let path = task.path();
        let schedstat = std::fs::read_to_string(path.join("schedstat")).unwrap_or_default();
        nanos += schedstat.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        let listed = std::fs::read_to_string(path.join("children")).unwrap_or_default();
        children.extend(listed.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
    }
    Duration::from_nanos(nanos) + children.into_iter().map(cpu_time).sum::<Duration>()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, in bytes.
pub fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Samples a process's RSS every 20 ms until `stop` is set; gives the largest.
pub fn peak_rss(pid: u32, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            peak = peak.max(rss(pid));
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}

/// One load run.
#[derive(Debug, Clone)]
pub struct Load<'a> {
    pub url: &'a str,
    pub headers: &'a [String],
    pub connections: u32,
    pub seconds: u32,
    /// A fixed request rate; `None` is as fast as it goes.
    pub rate: Option<u32>,
}

/// What a load run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Answers that were not 200, and transport errors.
    pub failures: u64,
    pub requests: u64,
}

#[derive(Deserialize)]
struct OhaJson {
    summary: OhaSummary,
    #[serde(rename = "latencyPercentiles")]
    latency: OhaPercentiles,
    #[serde(rename = "statusCodeDistribution", default)]
    statuses: std::collections::BTreeMap<String, u64>,
    #[serde(rename = "errorDistribution", default)]
    errors: std::collections::BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct OhaSummary {
    #[serde(rename = "requestsPerSec")]
    rps: f64,
}

#[derive(Deserialize)]
struct OhaPercentiles {
    p50: Option<f64>,
    p99: Option<f64>,
}

/// Reads oha's JSON summary. Errors at the deadline (requests cut off when the time is up)
/// are not failures.
pub fn parse_oha(json: &str) -> Result<Figures, String> {
    let parsed: OhaJson = serde_json::from_str(json).map_err(|e| format!("oha's JSON: {e}"))?;
    let seconds = |s: Option<f64>| Duration::from_secs_f64(s.unwrap_or(0.0).max(0.0));
    let ok = parsed.statuses.get("200").copied().unwrap_or(0);
    let other: u64 = parsed.statuses.iter().filter(|(code, _)| *code != "200").map(|(_, n)| n).sum();
    let errors: u64 = parsed.errors.iter().filter(|(what, _)| !what.contains("deadline")).map(|(_, n)| n).sum();
    Ok(Figures {
        rps: parsed.summary.rps,
        p50: seconds(parsed.latency.p50),
        p99: seconds(parsed.latency.p99),
        failures: other + errors,
        requests: ok + other,
    })
}

pub struct Oha(pub PathBuf);

impl Oha {
    /// Runs oha on the load CPU and reads its figures.
    pub fn run(&self, load: &Load) -> Figures {
        let mut command = pinned(LOAD_CPU, &self.0);
        command.args(["--no-tui", "--output-format", "json", "--latency-correction"]);
        command.arg("-c").arg(load.connections.to_string()).arg("-z").arg(format!("{}s", load.seconds));
        if let Some(rate) = load.rate {
            command.arg("-q").arg(rate.to_string());
        }
        for header in load.headers {
            command.arg("-H").arg(header);
        }
        command.arg(load.url);
        let out = command.output().unwrap_or_else(|e| panic!("oha: {e}"));
        assert!(out.status.success(), "oha failed: {}", String::from_utf8_lossy(&out.stderr));
        parse_oha(&String::from_utf8_lossy(&out.stdout)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends exactly `requests` requests over `connections`; gives the figures.
    pub fn run_count(&self, url: &str, headers: &[String], connections: u32, requests: u64) -> Figures {
        let mut command = pinned(LOAD_CPU, &self.0);
        command.args(["--no-tui", "--output-format", "json"]);
        command.arg("-c").arg(connections.to_string()).arg("-n").arg(requests.to_string());
        for header in headers {
            command.arg("-H").arg(header);
        }
        command.arg(url);
        let out = command.output().unwrap_or_else(|e| panic!("oha: {e}"));
        assert!(out.status.success(), "oha failed: {}", String::from_utf8_lossy(&out.stderr));
        parse_oha(&String::from_utf8_lossy(&out.stdout)).unwrap_or_else(|e| panic!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oha_figures_are_read_and_non_200_answers_count_as_failures() {
        let json = r#"{"summary":{"successRate":1.0,"requestsPerSec":12345.6},
            "latencyPercentiles":{"p50":0.000250,"p99":0.0021},
            "statusCodeDistribution":{"200":1000,"429":3},
            "errorDistribution":{"aborted due to deadline":12,"connection reset":2}}"#;
        let figures = parse_oha(json).unwrap();
        assert_eq!(figures.rps, 12345.6);
        assert_eq!(figures.p50, Duration::from_micros(250));
        assert_eq!(figures.p99, Duration::from_micros(2100));
        assert_eq!(figures.failures, 5);
        assert_eq!(figures.requests, 1003);
    }

    #[test]
    fn resident_memory_of_this_process_is_read() {
        assert!(rss(std::process::id()) > 1024 * 1024);
    }

    #[test]
    fn cpu_time_of_this_process_grows_as_it_works() {
        let before = cpu_time(std::process::id());
        let started = Instant::now();
        let mut spin = 0u64;
        while started.elapsed() < Duration::from_millis(30) {
            spin = std::hint::black_box(spin.wrapping_add(1));
        }
        assert!(cpu_time(std::process::id()) >= before + Duration::from_millis(20));
    }
}
