//! `cargo xtask run | test | bench | dist | setup`: the project's two README commands, the
//! benchmarks, and their parts. On a fresh machine they install what is missing (each tool only when absent or
//! at the wrong version), then build, run or test everything.

mod bindings;
mod fuzz;
mod guide;
mod package;
mod payload;
mod postgres;
mod prune;
mod running;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run     install what is missing, build the console, serve it through the proxy on the embedded sandbox
  test    install what is missing, then fmt --check, clippy -D warnings, the console build, every test,
          and the deploy guide followed from the release tarball
  bench   install what is missing (oha, nginx, Chromium), build for release, run every benchmark,
          print the table and write bench/RESULTS.md [--quick] [--only payload,chains,lists,audit,live,browser,filter]
  chaos   the reliability and security suite at full size (1,000-trial storms, 1,000 creates on a
          faulty upstream, repeated kill -9, 1,000 wrong passwords, schemathesis at 500 examples per
          operation, 500 slowloris connections): print the table and write bench/RELIABILITY.md
  dist    build the console into dist/ (release, offline)
  package build the console and the proxy (release-native) into the release tarball,
          target/package/openmoney-console-<version>-<target>.tar.gz
  guide   package, then follow the README's deploy guide from the tarball (part of test)
  setup   only install what is missing";

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("chaos") => chaos(),
        Some("dist") => tools::setup(false).and_then(|env| dist(&env)),
        Some("package") => tools::setup(false).and_then(|env| dist(&env).and_then(|()| package::build(&env)).map(drop)),
        Some("guide") => tools::setup(false).and_then(|env| {
            dist(&env)?;
            guide::follow(&env, &package::build(&env)?)
        }),
        Some("setup") => tools::setup(true).map(drop),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root. `cargo xtask` names xtask's directory at run time; that comes first,
/// since a target dir shared by several checkouts may run an xtask built in another.
pub fn root() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
    xtask.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Runs a command in the workspace root, failing with its name if it fails.
pub fn step(what: &str, command: &mut Command) -> Result {
    eprintln!("xtask: {what}");
    let status = command.current_dir(root()).status().map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn cargo(env: &tools::Env) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("PATH", &env.path);
    command
}

/// Builds the console with trunk, offline, with the pinned tools.
fn dist(env: &tools::Env) -> Result {
    step(
        "trunk build --release (the console)",
        Command::new(&env.trunk).args(["build", "--release", "--offline=true"]).env("PATH", &env.path),
    )?;
    bindings::shorten(&root().join("dist"), &env.terser)?;
    payload::compress(&root().join("dist"))
}

fn run(extra: &[String]) -> Result {
    let env = tools::setup(false)?;
    dist(&env)?;
    step("build the proxy", cargo(&env).args(["build", "--package", "openmoney-proxy"]))?;
    let mut command = cargo(&env);
    command
        .args([
            "run",
            "--quiet",
            "--package",
            "openmoney-proxy",
            "--",
            "--data-dir",
            ".data",
            "serve",
            "--static-dir",
            "dist",
        ])
        .args(extra);
    step("openmoney-proxy serve on the embedded sandbox (Ctrl-C stops it)", &mut command)
}

fn test(extra: &[String]) -> Result {
    let env = tools::setup(true)?;
    prune::prune(&tools::target_dir());
    step("cargo fmt --check", cargo(&env).args(["fmt", "--all", "--check"]))?;
    step("leptosfmt --check (the console's view! macros)", Command::new(&env.leptosfmt).args(["--check", "src"]))?;
    step(
        "clippy (native, every crate)",
        cargo(&env).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    )?;
    step(
        "clippy (the proxy without the embedded sandbox)",
        cargo(&env).args(["clippy", "--package", "openmoney-proxy", "--no-default-features", "--", "-D", "warnings"]),
    )?;
    step(
        "clippy (the console, wasm32)",
        cargo(&env).args([
            "clippy",
            "--package",
            "openmoney-console",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    dist(&env)?;
    fuzz::scan_for_key(&root().join("dist"))?;
    let mut command = cargo(&env);
    command.args(["test", "--workspace"]).args(extra);
    if let Some(axe) = &env.axe {
        command.env("AXE_CORE_JS", axe);
    }
    step("cargo test --workspace", &mut command)?;
    let fuzzed = fuzz::run(FUZZ_EXAMPLES_CI, Some(1))?;
    if let Some(failed) = fuzzed.iter().find(|o| o.failed) {
        return Err(format!("schemathesis found failures in the {} (target/chaos/fuzz-*/)", failed.api));
    }
    let server = postgres::start()?;
    step(
        "the proxy's suite again, on PostgreSQL",
        cargo(&env)
            .args(["test", "--package", "openmoney-proxy", "--test", "proxy"])
            .env("OPENMONEY_TEST_POSTGRES", &server.url),
    )?;
    drop(server);
    let tarball = package::build(&env)?;
    guide::follow(&env, &tarball)
}

/// Schemathesis examples per operation: a quick pass in `test`, the full run in `chaos`.
const FUZZ_EXAMPLES_CI: u32 = 20;
const FUZZ_EXAMPLES_FULL: u32 = 500;
/// How long `chaos` runs each cargo-fuzz target.
const FUZZ_SECONDS: u32 = 60;

/// The reliability and security suite at full size; the figures go to bench/RELIABILITY.md.
fn chaos() -> Result {
    let env = tools::setup(false)?;
    let oha = tools::ensure_oha()?;
    dist(&env)?;
    let chaos_dir = tools::target_dir().join("chaos");
    std::fs::create_dir_all(&chaos_dir).map_err(|e| e.to_string())?;
    // The tests append their rows to this file; the steps after them add theirs.
    let figures_file = chaos_dir.join("figures.txt");
    let _ = std::fs::remove_file(&figures_file);

    step(
        "the proxy's reliability tests at full size",
        cargo(&env)
            .args(["test", "--package", "openmoney-proxy", "--test", "proxy", "--"])
            .args(["reliability::", "crash::", "a_thousand_wrong_passwords"])
            .env("OPENMONEY_CHAOS", &figures_file)
            .current_dir(root()),
    )?;
    let mut figures: Vec<String> = std::fs::read_to_string(&figures_file)
        .map_err(|e| format!("{}: {e}", figures_file.display()))?
        .lines()
        .map(str::to_owned)
        .collect();

    for outcome in fuzz::run(FUZZ_EXAMPLES_FULL, None)? {
        let met = if outcome.failed { "no" } else { "yes" };
        let what = format!("schemathesis: {}, every check, {FUZZ_EXAMPLES_FULL} examples per operation", outcome.api);
        let value = format!("{} operations; {} (seed {})", outcome.operations, outcome.cases, outcome.seed);
        figures.push(format!("{what}|{value}|0 failures|{met}"));
    }
    figures.extend(fuzz::cargo_fuzz(FUZZ_SECONDS)?);
    fuzz::scan_for_key(&root().join("dist"))?;
    figures.push("key leak scan: dist/, the fuzzed proxy's store and log|no `osk_`|none|yes".into());
    std::fs::write(&figures_file, figures.join("\n")).map_err(|e| e.to_string())?;

    let mut command = bench_command(&env, &oha)?;
    command
        .arg("--figures")
        .arg(&figures_file)
        .arg("--out")
        .arg(root().join("bench").join("RELIABILITY.md"))
        .args(["--only", "slowloris"]);
    step("openmoney-bench (slow clients) and the reliability report", &mut command)
}

/// Builds the sandbox, the proxy and the benchmarks for release-native; gives the
/// benchmark command with the binaries, oha and dist/ filled in.
fn bench_command(env: &tools::Env, oha: &Path) -> Result<Command> {
    step(
        "build the sandbox, the proxy and the benchmarks (release-native)",
        cargo(env).args([
            "build",
            "--profile",
            "release-native",
            "--package",
            "openmoney-sandbox",
            "--package",
            "openmoney-proxy",
            "--package",
            "openmoney-bench",
        ]),
    )?;
    let bin = tools::target_dir().join("release-native");
    let mut command = Command::new(bin.join("openmoney-bench"));
    command
        .arg("--sandbox")
        .arg(bin.join("openmoney-sandbox"))
        .arg("--proxy")
        .arg(bin.join("openmoney-proxy"))
        .arg("--proxy-counting")
        .arg(bin.join("openmoney-proxy-counting"))
        .arg("--oha")
        .arg(oha)
        .arg("--dist")
        .arg(root().join("dist"))
        .env("PATH", &env.path);
    Ok(command)
}

/// Every benchmark, on release builds; the figures go to bench/RESULTS.md.
fn bench(extra: &[String]) -> Result {
    let env = tools::setup(true)?;
    let oha = tools::ensure_oha()?;
    let nginx = tools::ensure_nginx()?;
    dist(&env)?;
    let mut command = bench_command(&env, &oha)?;
    command.arg("--nginx").arg(nginx).arg("--out").arg(root().join("bench").join("RESULTS.md")).args(extra);
    step("openmoney-bench", &mut command)
}
