//! `openmoney-bench`, run by `cargo xtask bench` once the tools are installed and the
//! binaries built: every benchmark, one table, printed and written to `bench/RESULTS.md`.
//! Benchmarks print figures; a figure that misses its target is marked, never a failure.

mod browser;
mod chains;
mod live;
mod load;
mod payload;
mod report;
mod scale;
mod slowloris;

use std::path::PathBuf;

use report::{Heading, Report};

const USAGE: &str = "usage: openmoney-bench --sandbox BIN --proxy BIN [--proxy-counting BIN] --oha BIN [--nginx BIN] [--dist DIR] --out FILE
       [--quick] [--only payload,chains,lists,audit,live,browser,filter,slowloris] [--figures FILE]
--dist is the built console: the payload section reads it, and every proxy the bench starts serves it.
With --figures (the reliability figures of `cargo xtask chaos`), the report is the reliability report.";

struct Options {
    tools: chains::Tools,
    out: PathBuf,
    quick: bool,
    only: Option<Vec<String>>,
    figures: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut sandbox, mut proxy, mut oha, mut nginx, mut dist, mut out) = (None, None, None, None, None, None);
    let mut proxy_counting = None;
    let (mut quick, mut only, mut figures) = (false, None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().map(PathBuf::from).ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--sandbox" => sandbox = Some(value()?),
            "--proxy" => proxy = Some(value()?),
            "--proxy-counting" => proxy_counting = Some(value()?),
            "--oha" => oha = Some(value()?),
            "--nginx" => nginx = Some(value()?),
            "--dist" => dist = Some(value()?),
            "--out" => out = Some(value()?),
            "--quick" => quick = true,
            "--figures" => figures = Some(value()?),
            "--only" => {
                let list = value()?.display().to_string();
                only = Some(list.split(',').map(str::to_owned).collect());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let need = |v: Option<PathBuf>, name: &str| v.ok_or(format!("missing {name}"));
    Ok(Options {
        tools: chains::Tools {
            sandbox: need(sandbox, "--sandbox")?,
            proxy: need(proxy, "--proxy")?,
            proxy_counting: proxy_counting.unwrap_or_default(),
            oha: need(oha, "--oha")?,
            nginx: nginx.unwrap_or_default(),
            dist: dist.unwrap_or_default(),
        },
        out: need(out, "--out")?,
        quick,
        only,
        figures,
    })
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn heading(reliability: bool) -> Heading {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok()))
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let dirty =
        if command_output("git", &["status", "--porcelain"]).is_empty() { "" } else { " (with uncommitted changes)" };
    let (title, command) = if reliability {
        ("Reliability and security results", "cargo xtask chaos")
    } else {
        ("Benchmark results", "cargo xtask bench")
    };
    Heading {
        title,
        command,
        date: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        commit: format!("{}{dirty}", command_output("git", &["rev-parse", "--short", "HEAD"])),
        machine: format!(
            "{cores} cores ({cpu}), {:.0} GiB, Linux {}, loopback only",
            memory as f64 / 1_048_576.0,
            command_output("uname", &["-r"])
        ),
    }
}

#[tokio::main]
async fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("openmoney-bench: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let wants = |name: &str| options.only.as_ref().is_none_or(|only| only.iter().any(|o| o == name));
    let (seconds, loads, audit_rows, repeats) =
        if options.quick { (2, 5, 100_000, 20) } else { (5, 10, 1_000_000, 50) };
    let mut report = Report::default();
    if wants("payload") {
        payload::run(&options.tools.dist, &mut report);
    }
    if wants("chains") {
        chains::run(&options.tools, seconds, &mut report).await;
    }
    if wants("lists") {
        scale::lists(&mut report, repeats * 4).await;
    }
    if wants("audit") {
        scale::audit(&mut report, audit_rows, repeats).await;
    }
    if let Some(file) = &options.figures {
        let lines = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        report::add_figures(&mut report, &lines);
        report.note(
            "Rows above the slow clients come from the proxy's reliability tests run at full size \
            (`OPENMONEY_CHAOS`), schemathesis against the sandbox and proxy binaries, the cargo-fuzz targets \
            and a scan for the key.",
        );
    }
    // Slow clients run only when asked for (`cargo xtask chaos` does).
    if options.only.as_ref().is_some_and(|only| only.iter().any(|o| o == "slowloris")) {
        slowloris::run(&options.tools, seconds * 2, &mut report).await;
    }
    if wants("live") {
        live::run(&options.tools, options.quick, &mut report).await;
    }
    if wants("browser") {
        browser::run(&mut report, &options.tools.dist, loads).await;
    } else if wants("filter") {
        browser::filter_repaint(&mut report, &options.tools.dist, loads).await;
    }
    let heading = heading(options.figures.is_some());
    println!("\n{}", report.table());
    let markdown = report.markdown(&heading);
    if let Some(dir) = options.out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&options.out, markdown).unwrap_or_else(|e| panic!("{}: {e}", options.out.display()));
    eprintln!("bench: written to {}", options.out.display());
}
