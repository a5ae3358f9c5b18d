//! `cargo xtask package`: the release tarball a partner deploys from,
//! `openmoney-console-<version>-<target>.tar.gz` under `target/package/`, holding:
//! - `bin/openmoney-proxy`, release-native and stripped, without the embedded sandbox (a
//!   production build: it needs a real upstream URL and its key);
//! - `dist/`, the console with its precompressed files;
//! - `openmoney.toml`, every setting, commented;
//! - `openmoney-console.service`, the hardened systemd unit;
//! - `README.md`, whose "Deploy" section is the guide.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, step, tools, Result};

/// Builds the tarball from a built `dist/`; gives its path.
pub fn build(env: &tools::Env) -> Result<PathBuf> {
    step(
        "build the proxy (release-native)",
        crate::cargo(env).args([
            "build",
            "--profile",
            "release-native",
            "--package",
            "openmoney-proxy",
            "--no-default-features",
        ]),
    )?;
    let name = format!("openmoney-console-{}-{}", version()?, host_target()?);
    let out = tools::target_dir().join("package");
    let staging = out.join(&name);
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(staging.join("bin")).map_err(|e| format!("{}: {e}", staging.display()))?;
    let binary = staging.join("bin").join("openmoney-proxy");
    copy(&tools::target_dir().join("release-native").join("openmoney-proxy"), &binary)?;
    step("strip the proxy", Command::new("strip").arg(&binary))?;
    copy_dir(&root().join("dist"), &staging.join("dist"))?;
    for (from, to) in [
        ("packaging/openmoney.toml", "openmoney.toml"),
        ("packaging/openmoney-console.service", "openmoney-console.service"),
        ("README.md", "README.md"),
    ] {
        copy(&root().join(from), &staging.join(to))?;
    }
    let tarball = out.join(format!("{name}.tar.gz"));
    step(
        &format!("tar {}", tarball.display()),
        Command::new("tar").arg("-czf").arg(&tarball).arg("-C").arg(&out).arg(&name),
    )?;
    for shipped in ["dist", "openmoney.toml", "openmoney-console.service"] {
        crate::fuzz::scan_for_key(&staging.join(shipped))?;
    }
    eprintln!("xtask: packaged {}", tarball.display());
    Ok(tarball)
}

/// The workspace's version.
fn version() -> Result<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let package = manifest.split("[workspace.package]").nth(1).ok_or("Cargo.toml has no [workspace.package]")?;
    let line = package.lines().find_map(|l| l.trim().strip_prefix("version = \"")).ok_or("no workspace version")?;
    Ok(line.trim_end_matches('"').to_owned())
}

/// The target triple binaries are built for here.
fn host_target() -> Result<String> {
    let out = Command::new("rustc").arg("-vV").output().map_err(|e| format!("rustc -vV: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let host = text.lines().find_map(|l| l.strip_prefix("host: ")).ok_or("rustc -vV names no host")?;
    Ok(host.trim().to_owned())
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}
