//! The same allow-listed GETs three ways: through our proxy (a signed-in session, the role
//! check and everything else it does on every request), through nginx as the peer
//! (`proxy_pass` with keep-alive, no auth), and straight at the sandbox (the floor). Then
//! the proxy at 1, 64 and 256 connections, its memory, and the sandbox's own rates.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use openmoney_console_e2e::harness::free_port;

use crate::load::{self, pinned, Figures, Load, Oha, Server, SERVER_CPU};
use crate::report::{count, duration, Report, Target};

const SECTION: &str = "proxy vs nginx";
const PASSWORD: &str = "a long benchmark password";
/// The fixed rate for latency: well under every chain's saturation.
const FIXED_RATE: u32 = 1_000;
/// Rounds of the max-throughput and one-connection runs, the chains taking turns.
const ROUNDS: usize = 3;

pub struct Tools {
    pub sandbox: PathBuf,
    pub proxy: PathBuf,
    /// The proxy with an allocator that counts (`openmoney-proxy-counting`).
    pub proxy_counting: PathBuf,
    pub oha: PathBuf,
    pub nginx: PathBuf,
    pub dist: PathBuf,
}

/// A chain under load: where to send requests, the headers it needs, and the server in
/// front whose CPU time is counted.
struct Chain<'a> {
    name: &'static str,
    base: String,
    headers: Vec<String>,
    server: &'a Server,
}

/// What one chain measured on one path.
#[derive(Default, Clone, Copy)]
struct Measured {
    max: Figures,
    fixed: Figures,
    single: Figures,
    /// CPU time of the server in front, per request of the max-throughput run.
    cpu: Duration,
}

fn nginx_conf(dir: &Path, port: u16, upstream: u16, key: &str) -> String {
    let d = dir.display();
    format!(
        "worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    upstream sandbox {{
        server 127.0.0.1:{upstream};
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /api/v1/ {{
            proxy_pass http://sandbox;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Authorization \"Bearer {key}\";
        }}
    }}
}}
"
    )
}

async fn create_order(client: &reqwest::Client, base: &str, key: &str, idempotency: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/orders/stars"))
        .bearer_auth(key)
        .header("Idempotency-Key", idempotency)
        .json(&serde_json::json!({"recipient_username": "pandus", "quantity": 100}))
        .send()
        .await
        .expect("the sandbox answers")
}

/// Signs in and gives the session cookie.
async fn sign_in(base: &str) -> String {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/auth/login"))
        .header("Origin", base)
        .header("X-Requested-With", "openmoney-console")
        .json(&serde_json::json!({"username": "bench", "password": PASSWORD}))
        .send()
        .await
        .expect("the proxy answers");
    assert!(response.status().is_success(), "sign-in failed: {}", response.status());
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-om_session="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// The sandbox and our proxy in front of it (release builds, pinned), and a signed-in
/// viewer's session cookie.
pub struct Stack {
    pub sandbox: Server,
    pub proxy: Server,
    pub key: String,
    pub direct: String,
    pub proxy_base: String,
    pub cookie: String,
}

pub async fn proxy_on_sandbox(tools: &Tools, dir: &Path) -> Stack {
    let key = format!("osk_bench_{}", uuid_like());
    let sandbox_port = free_port();
    let mut command = pinned(SERVER_CPU, &tools.sandbox);
    command
        .args(["--listen", &format!("127.0.0.1:{sandbox_port}"), "--rate-per-second", "0"])
        .env("SANDBOX_KEYS", &key);
    let sandbox = Server::start("sandbox", command, sandbox_port, &dir.join("sandbox.log")).await;
    let direct = format!("http://127.0.0.1:{sandbox_port}");
    let (proxy, proxy_base, cookie) = start_proxy(&tools.proxy, tools, &dir.join("proxy"), &direct, &key).await;
    Stack { sandbox, proxy, key, direct, proxy_base, cookie }
}

/// Starts `binary` (the proxy, or its counting build) on the sandbox at `direct`, with a
/// store of its own in `data` and a viewer in it; gives it, its base URL and a signed-in
/// viewer's session cookie.
async fn start_proxy(binary: &Path, tools: &Tools, data: &Path, direct: &str, key: &str) -> (Server, String, String) {
    let key_file = data.with_extension("key");
    std::fs::write(&key_file, key).expect("the key file");
    let mut add = std::process::Command::new(binary);
    add.arg("--data-dir").arg(data).args(["user", "add", "bench", "--role", "viewer", "--password-stdin"]);
    let mut child = add.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null()).spawn().expect("proxy");
    {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(PASSWORD.as_bytes()).expect("the password");
    }
    assert!(child.wait().expect("user add").success(), "user add failed");
    let proxy_port = free_port();
    let mut command = pinned(SERVER_CPU, binary);
    command
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{proxy_port}")])
        .args(["--upstream", &format!("{direct}/api/v1"), "--upstream-rps", "1000000"])
        .arg("--api-key-file")
        .arg(&key_file)
        .arg("--static-dir")
        .arg(&tools.dist);
    let proxy = Server::start("proxy", command, proxy_port, &data.with_extension("log")).await;
    let proxy_base = format!("http://127.0.0.1:{proxy_port}");
    let cookie = sign_in(&proxy_base).await;
    (proxy, proxy_base, cookie)
}

pub async fn run(tools: &Tools, seconds: u32, report: &mut Report) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let oha = Oha(tools.oha.clone());
    let Stack { sandbox, proxy, key, direct, proxy_base, cookie } = proxy_on_sandbox(tools, dir.path()).await;
    let sandbox_port = sandbox.port;
    let client = reqwest::Client::new();
    let created: serde_json::Value =
        create_order(&client, &direct, &key, "bench-first-order").await.json().await.expect("an order");
    let order_id = created["data"]["id"].as_i64().expect("the order's id");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = load::rss(proxy.pid());

    let nginx_port = free_port();
    std::fs::write(dir.path().join("nginx.conf"), nginx_conf(dir.path(), nginx_port, sandbox_port, &key))
        .expect("nginx.conf");
    let mut command = pinned(SERVER_CPU, &tools.nginx);
    command.arg("-p").arg(dir.path()).arg("-c").arg(dir.path().join("nginx.conf")).args(["-g", "daemon off;"]);
    let nginx = Server::start("nginx", command, nginx_port, &dir.path().join("nginx.log")).await;

    let chains = [
        Chain {
            name: "direct",
            base: direct.clone(),
            headers: vec![format!("Authorization: Bearer {key}")],
            server: &sandbox,
        },
        Chain { name: "nginx", base: format!("http://127.0.0.1:{}", nginx.port), headers: Vec::new(), server: &nginx },
        Chain { name: "proxy", base: proxy_base.clone(), headers: vec![format!("Cookie: {cookie}")], server: &proxy },
    ];
    let paths = [format!("/api/v1/orders/{order_id}"), "/api/v1/balance".to_owned()];
    for path in &paths {
        let url = |chain: &Chain| format!("{}{path}", chain.base);
        // The load a host shares with others drifts from minute to minute: the chains take
        // turns, round after round, and each keeps its median round, so the ratios compare
        // runs taken moments apart.
        let mut rounds: Vec<Vec<Measured>> = vec![Vec::new(); chains.len()];
        for _ in 0..ROUNDS {
            for (chain, taken) in chains.iter().zip(&mut rounds) {
                let url = url(chain);
                let before = chain.server.cpu();
                let max = oha.run(&Load { url: &url, headers: &chain.headers, connections: 64, seconds, rate: None });
                let cpu = (chain.server.cpu() - before) / u32::try_from(max.requests.max(1)).unwrap_or(u32::MAX);
                let single = oha.run(&Load { url: &url, headers: &chain.headers, connections: 1, seconds, rate: None });
                assert_eq!(max.failures + single.failures, 0, "{} answered {path} with failures", chain.name);
                assert!(max.requests > 0, "{} answered nothing on {path}", chain.name);
                taken.push(Measured { max, single, cpu, ..Measured::default() });
            }
        }
        let mut measured = Vec::new();
        for (chain, taken) in chains.iter().zip(&rounds) {
            let url = url(chain);
            let fixed =
                oha.run(&Load { url: &url, headers: &chain.headers, connections: 16, seconds, rate: Some(FIXED_RATE) });
            assert_eq!(fixed.failures, 0, "{} answered {path} with failures", chain.name);
            assert!(fixed.requests > 0, "{} answered nothing on {path}", chain.name);
            measured.push(Measured {
                max: median_by(taken.iter().map(|m| m.max), |a, b| a.rps.total_cmp(&b.rps)),
                fixed,
                single: median_by(taken.iter().map(|m| m.single), |a, b| a.p50.cmp(&b.p50)),
                cpu: median_by(taken.iter().map(|m| m.cpu), Ord::cmp),
            });
        }
        chain_rows(report, path, &chains, &measured);
    }

    // The proxy as connections grow, and its memory under 256 of them.
    let url = format!("{proxy_base}/api/v1/orders/{order_id}");
    let headers = vec![format!("Cookie: {cookie}")];
    for connections in [1, 64, 256] {
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = load::peak_rss(proxy.pid(), stop.clone());
        let figures = oha.run(&Load { url: &url, headers: &headers, connections, seconds, rate: None });
        stop.store(true, Ordering::Relaxed);
        let peak = sampler.join().unwrap_or(0);
        report.add(
            "proxy scaling",
            format!("{connections} connection(s): rps, p50, p99"),
            format!("{} rps, {}, {}", count(figures.rps), duration(figures.p50), duration(figures.p99)),
            None,
        );
        if connections == 256 {
            report.add(
                SECTION,
                "proxy RSS idle",
                mb(idle),
                Target::at_most(idle as f64, 30.0 * 1_048_576.0, "≤ 30 MB"),
            );
            report.add(
                SECTION,
                "proxy RSS under 256 connections",
                mb(peak),
                Target::at_most(peak as f64, 60.0 * 1_048_576.0, "≤ 60 MB"),
            );
        }
    }
    drop((proxy, nginx));

    let data = dir.path().join("counting");
    let (counting, counting_base, cookie) = start_proxy(&tools.proxy_counting, tools, &data, &direct, &key).await;
    for path in &paths {
        let allocations = allocations_per_request(&oha, &counting_base, path, &cookie).await;
        report.add(SECTION, format!("{path}: allocations per request via proxy"), format!("{allocations:.1}"), None);
    }
    drop(counting);

    let creates = create_rate(&direct, &key, seconds).await;
    report.add(
        "sandbox",
        "order creates with an Idempotency-Key each (64 at a time)",
        format!("{} rps", count(creates)),
        None,
    );
    drop(sandbox);
    report.note(format!(
        "Load: oha ({} s per run, latency correction on); max throughput at 64 connections, latency at a fixed {FIXED_RATE} rps over 16 connections. Max throughput, its CPU per request and the one-connection latency: {ROUNDS} rounds in which direct, nginx and the proxy take turns; each figure is a chain's median round.",
        seconds
    ));
    report.note(
        "Pinning: every server (the upstream sandbox, then our proxy or nginx with one worker) on CPU 0 with taskset; the load generator on CPU 1. Each chain gets the same single core.",
    );
    report.note(
        "The proxy runs as shipped (release-native profile): a signed-in viewer's session cookie, the session and role checks, request ids, metrics and security headers on every request; nginx only adds the key.",
    );
    report.note(
        "CPU per request: the CPU time of the server in front (every thread of the proxy, or nginx's master and worker), from /proc/<pid>/task/*/schedstat, over the max-throughput run, divided by the requests it answered; the sandbox behind is not counted. One connection: oha with a single connection, each request sent when the last is answered; the time added is the chain's median minus the sandbox's own. Allocations: the same proxy built with a counting allocator (`openmoney-proxy-counting`: every alloc, alloc_zeroed and realloc), read from its /metrics around 10,000 requests after 2,000 to warm up, less what one /metrics read costs.",
    );
}

/// The allocations the counting proxy makes per request on `path`.
async fn allocations_per_request(oha: &Oha, base: &str, path: &str, cookie: &str) -> f64 {
    const REQUESTS: u64 = 10_000;
    let client = reqwest::Client::new();
    let read = || async {
        let text = client.get(format!("{base}/metrics")).send().await.expect("metrics").text().await.expect("metrics");
        text.lines()
            .find_map(|line| line.strip_prefix("openmoney_proxy_allocations "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .expect("the counting proxy shows its allocations")
    };
    let url = format!("{base}{path}");
    let headers = [format!("Cookie: {cookie}")];
    oha.run_count(&url, &headers, 16, 2_000);
    let (first, second) = (read().await, read().await);
    let run = oha.run_count(&url, &headers, 16, REQUESTS);
    assert_eq!(run.failures, 0, "the counting proxy answered {path} with failures");
    let after = read().await;
    after.saturating_sub(second).saturating_sub(second - first) as f64 / REQUESTS as f64
}

/// The middle one of the rounds' figures, in the order `cmp` gives.
fn median_by<T>(figures: impl Iterator<Item = T>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> T {
    let mut figures: Vec<T> = figures.collect();
    figures.sort_by(cmp);
    let middle = figures.len() / 2;
    figures.swap_remove(middle)
}

fn chain_rows(report: &mut Report, path: &str, chains: &[Chain], measured: &[Measured]) {
    let (direct, nginx, proxy) = (0, 1, 2);
    for (i, chain) in chains.iter().enumerate() {
        let name = format!("{path} via {}: max throughput", chain.name);
        let value = format!("{} rps", count(measured[i].max.rps));
        let target = match chain.name {
            "proxy" => {
                let ratio = measured[proxy].max.rps / measured[nginx].max.rps.max(1.0);
                report.add(
                    SECTION,
                    &name,
                    format!("{value} ({ratio:.2}× nginx)"),
                    Target::at_least(ratio, 1.0, "≥ 1.0× nginx"),
                );
                continue;
            }
            "direct" if path.contains("orders") => {
                Target::at_least(measured[i].max.rps, 50_000.0, "≥ 50k rps (sandbox GET)")
            }
            _ => None,
        };
        report.add(SECTION, name, value, target);
    }
    let (proxy_cpu, nginx_cpu) = (measured[proxy].cpu, measured[nginx].cpu);
    let ratio = proxy_cpu.as_secs_f64() / nginx_cpu.as_secs_f64().max(1e-9);
    report.add(
        SECTION,
        format!("{path}: CPU per request, proxy and nginx"),
        format!("{}, {} ({ratio:.2}× nginx)", duration(proxy_cpu), duration(nginx_cpu)),
        Target::at_most(ratio, 1.3, "≤ 1.3× nginx"),
    );
    for (i, chain) in chains.iter().enumerate() {
        report.add(
            SECTION,
            format!("{path} via {} at {FIXED_RATE} rps: p50, p99", chain.name),
            format!("{}, {}", duration(measured[i].fixed.p50), duration(measured[i].fixed.p99)),
            None,
        );
    }
    // What a chain adds to the sandbox's own time.
    let added = |i: usize, of: fn(&Measured) -> Duration| of(&measured[i]).saturating_sub(of(&measured[direct]));
    report.add(
        SECTION,
        format!("{path}: nginx adds (p50, p99)"),
        format!("{}, {}", duration(added(nginx, |m| m.fixed.p50)), duration(added(nginx, |m| m.fixed.p99))),
        None,
    );
    let (a50, a99) = (added(proxy, |m| m.fixed.p50), added(proxy, |m| m.fixed.p99));
    report.add(
        SECTION,
        format!("{path}: proxy adds at p50"),
        duration(a50),
        Target::at_most(a50.as_secs_f64(), 100e-6, "≤ 100 µs"),
    );
    report.add(
        SECTION,
        format!("{path}: proxy adds at p99"),
        duration(a99),
        Target::at_most(a99.as_secs_f64(), 500e-6, "≤ 500 µs"),
    );
    let (nginx_one, proxy_one) = (added(nginx, |m| m.single.p50), added(proxy, |m| m.single.p50));
    report.add(
        SECTION,
        format!("{path}: one connection: nginx adds, proxy adds (p50)"),
        format!("{}, {}", duration(nginx_one), duration(proxy_one)),
        Target::at_most(proxy_one.as_secs_f64(), 60e-6, "proxy ≤ 60 µs"),
    );
}

/// Creates with a fresh Idempotency-Key each, 64 at a time, from a thread on the load CPU;
/// gives the rate of orders made.
async fn create_rate(base: &str, key: &str, seconds: u32) -> f64 {
    let (base, key) = (base.to_owned(), key.to_owned());
    let made = Arc::new(AtomicU64::new(0));
    let counter = made.clone();
    let worker = std::thread::spawn(move || {
        load::pin_thread(1);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(seconds.into());
            let started = Instant::now();
            let tasks: Vec<_> = (0..64)
                .map(|task| {
                    let (client, base, key, counter) = (client.clone(), base.clone(), key.clone(), counter.clone());
                    tokio::spawn(async move {
                        let mut n = 0u64;
                        while Instant::now() < deadline {
                            n += 1;
                            let response = create_order(&client, &base, &key, &format!("bench-{task}-{n}")).await;
                            assert!(response.status().is_success(), "a create failed: {}", response.status());
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("a create task");
            }
            started.elapsed()
        })
    });
    let elapsed = worker.join().expect("the create worker");
    made.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64()
}

/// A random hex string, for keys that must not repeat between runs.
pub fn uuid_like() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    format!("{:016x}{:08x}", hasher.finish(), std::process::id())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_round_is_the_middle_one_in_the_given_order() {
        let rounds = [3.5_f64, 1.0, 9.0, 2.0, 7.0];
        assert_eq!(super::median_by(rounds.into_iter(), |a, b| a.total_cmp(b)), 3.5);
        assert_eq!(super::median_by([4u32, 1, 2].into_iter(), |a, b| b.cmp(a)), 2);
    }
}
