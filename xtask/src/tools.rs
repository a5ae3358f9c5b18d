//! The toolchain the console needs, installed from package registries only: the wasm32
//! target (rustup), trunk and wasm-bindgen-cli (crates.io), binaryen's wasm-opt and terser
//! (npm), and Chromium with its driver for the browser tests (Debian). Nothing is fetched otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, step, Result};

const TRUNK_VERSION: &str = "0.21.14";
const LEPTOSFMT_VERSION: &str = "0.1.33";
const BINARYEN_VERSION: &str = "132";
/// Minifies the console's JavaScript glue after its names are made short (`bindings.rs`).
const TERSER_VERSION: &str = "5.51.4";
/// axe-core, injected into pages by the browser suite's accessibility scans.
const AXE_VERSION: &str = "4.14.1";
/// The API fuzzer of `cargo xtask test` and `cargo xtask chaos`, from PyPI.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The fuzzing driver of `cargo xtask chaos`.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The load generator of `cargo xtask bench`.
const OHA_VERSION: &str = "1.16.0";

/// Where the tools are and the PATH that puts them first.
pub struct Env {
    pub path: String,
    pub trunk: PathBuf,
    /// Formats the console's `view!` macros.
    pub leptosfmt: PathBuf,
    /// terser's command, for the console's JavaScript glue.
    pub terser: PathBuf,
    /// `axe.min.js`, when the browser tests will run.
    pub axe: Option<PathBuf>,
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin")
}

pub fn target_dir() -> PathBuf {
    std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root().join("target"))
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must be the same.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn check_trunk_pin(version: &str) -> Result {
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    let pin = format!("wasm_bindgen = \"{version}\"");
    if trunk_toml.contains(&pin) {
        Ok(())
    } else {
        Err(format!("Trunk.toml must pin `{pin}` to match Cargo.lock"))
    }
}

fn ensure_wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    step(
        "rustup target add wasm32-unknown-unknown",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

fn ensure_cargo_tool(binary: &str, version: &str, install: &[&str]) -> Result<PathBuf> {
    let path = cargo_bin().join(binary);
    let current = output(path.to_str().unwrap_or(binary), &["--version"]).unwrap_or_default();
    if current.split_whitespace().any(|word| word.trim_start_matches('v') == version) {
        return Ok(path);
    }
    step(&format!("cargo install {binary} {version} (one time)"), Command::new("cargo").args(install))?;
    Ok(path)
}

/// `npm install PACKAGE` into its own prefix under target/tools (installing nodejs and npm
/// first when they are missing).
fn npm_install(prefix: &Path, package: &str, what: &str) -> Result {
    if output("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    step(
        &format!("npm install {package} ({what})"),
        Command::new("npm").arg("install").arg("--prefix").arg(prefix).args([
            "--no-audit",
            "--no-fund",
            "--no-save",
            package,
        ]),
    )
}

/// What the deploy guide's test uses as a partner would: curl for HTTPS requests, openssl
/// for a certificate.
pub fn ensure_guide_tools() -> Result {
    let missing: Vec<&str> = [("curl", "--version"), ("openssl", "version")]
        .into_iter()
        .filter(|(tool, arg)| output(tool, &[arg]).is_none())
        .map(|(tool, _)| tool)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)
}

/// axe-core from the npm registry; returns the path of `axe.min.js`.
fn ensure_axe() -> Result<PathBuf> {
    let prefix = target_dir().join("tools").join("axe");
    let package = prefix.join("node_modules").join("axe-core");
    let script = package.join("axe.min.js");
    if !(script.exists() && npm_version(&prefix, "axe-core").contains(&format!("\"version\": \"{AXE_VERSION}\""))) {
        npm_install(&prefix, &format!("axe-core@{AXE_VERSION}"), "accessibility scans")?;
    }
    Ok(script)
}

/// The version an npm package installed under `prefix` says it is.
fn npm_version(prefix: &Path, package: &str) -> String {
    let manifest = prefix.join("node_modules").join(package).join("package.json");
    std::fs::read_to_string(manifest).unwrap_or_default()
}

/// terser from the npm registry, in a prefix of its own (an install there would prune the
/// others); returns its command.
fn ensure_terser() -> Result<PathBuf> {
    let prefix = target_dir().join("tools").join("terser");
    if !npm_version(&prefix, "terser").contains(&format!("\"version\": \"{TERSER_VERSION}\"")) {
        npm_install(&prefix, &format!("terser@{TERSER_VERSION}"), "the glue's minifier")?;
    }
    Ok(prefix.join("node_modules").join(".bin").join("terser"))
}

/// binaryen from the npm registry; returns the directory holding `wasm-opt`.
fn ensure_binaryen() -> Result<PathBuf> {
    let prefix = target_dir().join("tools");
    let bin = prefix.join("node_modules").join(".bin");
    let wasm_opt = bin.join("wasm-opt");
    let current = output(wasm_opt.to_str().unwrap_or("wasm-opt"), &["--version"]).unwrap_or_default();
    if !current.contains(&format!("version {BINARYEN_VERSION}")) {
        npm_install(&prefix, &format!("binaryen@{BINARYEN_VERSION}"), "wasm-opt")?;
    }
    Ok(bin)
}

pub fn apt_install(packages: &[&str]) -> Result {
    step("apt-get update", Command::new("apt-get").args(["update", "-qq"]))?;
    step(
        &format!("apt-get install {}", packages.join(" ")),
        Command::new("apt-get").args(["install", "-y", "-qq", "--no-install-recommends"]).args(packages),
    )
}

/// Chromium, ChromeDriver and a Devanagari font (the console speaks Hindi) for the browser
/// tests.
fn ensure_browser() -> Result {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have("/usr/bin/chromium")
        && have("/usr/bin/chromedriver")
        && have("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf")
    {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver", "fonts-lohit-deva"])
}

/// oha, the benchmarks' load generator, from crates.io.
pub fn ensure_oha() -> Result<PathBuf> {
    ensure_cargo_tool("oha", OHA_VERSION, &["install", "--locked", "oha", "--version", OHA_VERSION])
}

/// nginx, the peer the proxy is benchmarked beside, from Debian.
pub fn ensure_nginx() -> Result<PathBuf> {
    let nginx = PathBuf::from("/usr/sbin/nginx");
    if !nginx.exists() {
        apt_install(&["nginx-light"])?;
    }
    Ok(nginx)
}

/// Schemathesis in its own virtualenv under target/tools (python3-venv from Debian when the
/// machine's Python lacks venv); returns the virtualenv's `bin`.
pub fn ensure_schemathesis() -> Result<PathBuf> {
    let venv = target_dir().join("tools").join("schemathesis");
    let bin = venv.join("bin");
    let current = output(bin.join("schemathesis").to_str().unwrap_or_default(), &["--version"]).unwrap_or_default();
    if current.contains(SCHEMATHESIS_VERSION) {
        return Ok(bin);
    }
    if output("python3", &["-m", "venv", "--help"]).is_none() {
        apt_install(&["python3", "python3-venv"])?;
    }
    step("python3 -m venv (schemathesis)", Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    step(
        &format!("pip install schemathesis {SCHEMATHESIS_VERSION} (one time)"),
        Command::new(bin.join("pip")).args(["install", "-q", &format!("schemathesis=={SCHEMATHESIS_VERSION}")]),
    )?;
    Ok(bin)
}

/// cargo-fuzz (crates.io) and a nightly toolchain (rustup), for `cargo xtask chaos`.
pub fn ensure_cargo_fuzz() -> Result {
    if output("rustup", &["run", "nightly", "rustc", "--version"]).is_none() {
        step(
            "rustup toolchain install nightly (cargo fuzz)",
            Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]),
        )?;
    }
    ensure_cargo_tool(
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        &["install", "--locked", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION],
    )?;
    Ok(())
}

/// Installs whatever is missing; `browser` adds what the browser tests need.
pub fn setup(browser: bool) -> Result<Env> {
    let bindgen = locked_wasm_bindgen()?;
    check_trunk_pin(&bindgen)?;
    ensure_wasm_target()?;
    let trunk =
        ensure_cargo_tool("trunk", TRUNK_VERSION, &["install", "--locked", "trunk", "--version", TRUNK_VERSION])?;
    let leptosfmt = ensure_cargo_tool(
        "leptosfmt",
        LEPTOSFMT_VERSION,
        &["install", "--locked", "leptosfmt", "--version", LEPTOSFMT_VERSION],
    )?;
    // Without --locked: the CLI's own lockfile names a crate version the registry lacks.
    ensure_cargo_tool("wasm-bindgen", &bindgen, &["install", "wasm-bindgen-cli", "--version", &bindgen])?;
    let binaryen = ensure_binaryen()?;
    let terser = ensure_terser()?;
    let axe = if browser {
        ensure_browser()?;
        Some(ensure_axe()?)
    } else {
        None
    };
    let path =
        format!("{}:{}:{}", binaryen.display(), cargo_bin().display(), std::env::var("PATH").unwrap_or_default());
    Ok(Env { path, trunk, leptosfmt, terser, axe })
}
