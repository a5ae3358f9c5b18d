//! Schemathesis against the sandbox binary and the proxy binary (on its embedded sandbox,
//! signed in as an admin, with the console header, origin and CSRF token): every check, a
//! bounded number of examples per operation. The proxy's data directory, its log included,
//! is then scanned for the key.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::running::{free_port, spawn};
use crate::{root, tools, Result};

/// One schemathesis run's outcome, for the report.
pub struct Outcome {
    pub api: &'static str,
    pub operations: String,
    pub cases: String,
    pub failed: bool,
    pub seed: String,
}

/// Runs schemathesis; its whole output goes to `report`, the summary to the terminal.
/// Runs in `report`'s directory, so schemathesis's own cache stays out of the repository.
fn schemathesis(
    bin: &Path,
    api: &'static str,
    args: &[&str],
    env: &[(&str, String)],
    report: &Path,
) -> Result<Outcome> {
    eprintln!("xtask: schemathesis against the {api} ({})", args.join(" "));
    let config = root().join("xtask").join("schemathesis").join(format!("{api}.toml"));
    let out = Command::new(bin.join("schemathesis"))
        .arg("--config-file")
        .arg(config)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v.as_str())))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", root().join("xtask").join("schemathesis"))
        .env("NO_COLOR", "1")
        .current_dir(report.parent().unwrap_or(Path::new(".")))
        .output()
        .map_err(|e| format!("schemathesis: cannot start: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    std::fs::write(report, &text).map_err(|e| format!("{}: {e}", report.display()))?;
    let summary = text.find("SUMMARY").map_or(text.as_str(), |at| &text[at..]);
    eprintln!("{summary}");
    let after = |label: &str| {
        text.lines().find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned())).unwrap_or_default()
    };
    Ok(Outcome {
        api,
        operations: after("Tested:"),
        cases: text.lines().map(str::trim).find(|l| l.contains(" generated")).unwrap_or_default().to_owned(),
        failed: !out.status.success(),
        seed: after("Seed:"),
    })
}

/// Both runs, `examples` per operation; `seed` fixes the cases (CI) or leaves them random.
pub fn run(examples: u32, seed: Option<u64>) -> Result<Vec<Outcome>> {
    let bin = tools::ensure_schemathesis()?;
    crate::step(
        "build the sandbox and the proxy",
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "build",
            "--package",
            "openmoney-sandbox",
            "--package",
            "openmoney-proxy",
        ]),
    )?;
    let built = tools::target_dir().join("debug");
    // One directory per run: two runs on one machine (a CI run beside a chaos run) share
    // the target directory but not their servers' data.
    let work = tools::target_dir().join("chaos").join(format!("fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("dist")).map_err(|e| e.to_string())?;
    std::fs::write(work.join("dist").join("index.html"), "<!DOCTYPE html><title>console</title>")
        .map_err(|e| e.to_string())?;
    let examples = examples.to_string();
    let mut common = vec!["--checks", "all", "--max-examples", &examples, "--workers", "2"];
    let seed = seed.map(|s| s.to_string());
    if let Some(seed) = &seed {
        common.extend(["--seed", seed]);
    }

    let key = "osk_fuzz_partner_key_0001".to_owned();
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let sandbox = spawn(
        "the sandbox",
        Command::new(built.join("openmoney-sandbox")).args([
            "--listen",
            &listen,
            "--key",
            &key,
            "--demo",
            "--rate-per-second",
            "0",
        ]),
        port,
        &work.join("sandbox.log"),
    )?;
    let url = format!("http://{listen}/api/v1/openapi.json");
    let mut args = vec!["run", &url];
    args.extend(&common);
    let on_sandbox = schemathesis(&bin, "sandbox", &args, &[("SANDBOX_KEY", key)], &work.join("sandbox.txt"))?;
    drop(sandbox);

    let proxy_bin = built.join("openmoney-proxy");
    let data = work.join("proxy");
    let password = "fuzz admin password 0001";
    let mut add = Command::new(&proxy_bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["user", "add", "fuzz-admin", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("openmoney-proxy user add: {e}"))?;
    add.stdin.take().map(|mut s| writeln!(s, "{password}")).transpose().map_err(|e| e.to_string())?;
    if !add.wait().map_err(|e| e.to_string())?.success() {
        return Err("openmoney-proxy user add failed".into());
    }
    let port = free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let proxy = spawn(
        "the proxy",
        Command::new(&proxy_bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--upstream-rps", "1000", "--static-dir"])
            .arg(work.join("dist")),
        port,
        &data.join("proxy.log"),
    )?;
    let login = Command::new(bin.join("python"))
        .arg(root().join("xtask").join("schemathesis").join("login.py"))
        .args([&origin, "fuzz-admin", password])
        .output()
        .map_err(|e| format!("login.py: {e}"))?;
    let lines = String::from_utf8_lossy(&login.stdout).into_owned();
    let mut lines = lines.lines();
    let (Some(session), Some(csrf)) = (lines.next(), lines.next()) else {
        return Err(format!("signing in to the proxy failed: {}", String::from_utf8_lossy(&login.stderr)));
    };
    let url = format!("{origin}/openapi.json");
    // Signing out would end the fuzzer's session; the live feed is an endless stream, which
    // the proxy's own tests read event by event.
    let mut args = vec!["run", &url, "--exclude-path", "/auth/logout", "--exclude-path", "/console/v1/events"];
    args.extend(&common);
    let env = [("PROXY_ORIGIN", origin.clone()), ("PROXY_SESSION", session.into()), ("PROXY_CSRF", csrf.into())];
    let on_proxy = schemathesis(&bin, "proxy", &args, &env, &work.join("proxy.txt"))?;
    drop(proxy);
    scan_for_key(&data)?;
    Ok(vec![on_sandbox, on_proxy])
}

/// No file under `dir` holds a partner key.
pub fn scan_for_key(dir: &Path) -> Result {
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).map_err(|e| e.to_string())?.flatten() {
                stack.push(entry.path());
            }
        } else if std::fs::read(&path).unwrap_or_default().windows(4).any(|w| w == b"osk_") {
            return Err(format!("{} holds a partner key", path.display()));
        }
    }
    Ok(())
}

/// The cargo-fuzz targets under `fuzz/` (parsers and validators: money, references, request
/// targets, memos, keys and usernames, order bodies).
const FUZZ_TARGETS: [&str; 5] = ["money", "reference", "target_path", "tokens", "order_body"];

/// Each target for `seconds`, with cargo-fuzz on the nightly toolchain; the corpora grow in
/// `fuzz/corpus/`, which is kept in the repository. Gives one report line per target.
pub fn cargo_fuzz(seconds: u32) -> Result<Vec<String>> {
    tools::ensure_cargo_fuzz()?;
    let mut lines = Vec::new();
    for target in FUZZ_TARGETS {
        let corpus = root().join("fuzz").join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        let before = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        eprintln!("xtask: cargo fuzz run {target} for {seconds} s");
        let fuzz = |args: &[&str]| {
            Command::new("cargo")
                .args(["+nightly", "fuzz"])
                .args(args)
                .current_dir(root())
                .env("CARGO_TARGET_DIR", tools::target_dir().join("fuzz"))
                .output()
                .map_err(|e| format!("cargo fuzz: {e}"))
        };
        let out = fuzz(&["run", target, "--", &format!("-max_total_time={seconds}"), "-max_len=4096"])?;
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        std::fs::write(tools::target_dir().join("chaos").join(format!("fuzz-{target}.txt")), &log)
            .map_err(|e| e.to_string())?;
        let runs = log
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("Done ").and_then(|r| r.split_whitespace().next()).map(str::to_owned))
            .unwrap_or_else(|| "?".into());
        let grown = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        // Keep the committed corpus to the inputs that add coverage.
        if out.status.success() {
            let cmin = fuzz(&["cmin", target])?;
            if !cmin.status.success() {
                return Err(format!("cargo fuzz cmin {target}: {}", String::from_utf8_lossy(&cmin.stderr)));
            }
        }
        let after = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        let met = if out.status.success() { "yes" } else { "no" };
        lines.push(format!(
            "cargo fuzz: {target}|{runs} runs in {seconds} s, corpus {before} → {grown} inputs, {after} after cmin|0 crashes|{met}"
        ));
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(lines)
}
