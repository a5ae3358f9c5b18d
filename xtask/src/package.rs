//! `cargo xtask package`: the release tarball a partner deploys from,
//! `openmoney-console-<version>-<target>.tar.gz` under `target/package/`, holding:
//! - `bin/openmoney-proxy`, release-native and stripped, without the embedded sandbox (a
//!   production build: it needs a real upstream URL and its key);
//! - `dist/`, the console with its precompressed files;
//! - `openmoney.toml`, every setting, commented;
//! - `openmoney-console.service`, the hardened systemd unit;
//! - `README.md`, whose "Deploy" section is the guide.
//!
//! Beside it, `openmoney-console_<version>_<arch>.deb` for Debian, made by `dpkg-deb` from
//! the same files: `/opt/openmoney-console/{bin,dist,README.md}`, the unit in
//! `/lib/systemd/system/`, the example as the conffile `/etc/openmoney-console/openmoney.toml`,
//! and scripts that add the `openmoney-console` user and its store's directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, step, tools, Result};

/// Builds the tarball and the .deb from a built `dist/`; gives the tarball's path.
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
    let deb = deb(&staging, &out, &version()?)?;
    eprintln!("xtask: packaged {} and {}", tarball.display(), deb.display());
    Ok(tarball)
}

/// The Debian package of the files in `staging`; gives its path.
fn deb(staging: &Path, out: &Path, version: &str) -> Result<PathBuf> {
    let arch = String::from_utf8_lossy(
        &Command::new("dpkg").arg("--print-architecture").output().map_err(|e| format!("dpkg: {e}"))?.stdout,
    )
    .trim()
    .to_owned();
    let tree = out.join("deb");
    let _ = std::fs::remove_dir_all(&tree);
    let opt = tree.join("opt/openmoney-console");
    for dir in ["opt/openmoney-console/bin", "etc/openmoney-console", "lib/systemd/system", "DEBIAN"] {
        std::fs::create_dir_all(tree.join(dir)).map_err(|e| format!("{dir}: {e}"))?;
    }
    copy(&staging.join("bin/openmoney-proxy"), &opt.join("bin/openmoney-proxy"))?;
    copy_dir(&staging.join("dist"), &opt.join("dist"))?;
    copy(&staging.join("README.md"), &opt.join("README.md"))?;
    copy(&staging.join("openmoney.toml"), &tree.join("etc/openmoney-console/openmoney.toml"))?;
    copy(&staging.join("openmoney-console.service"), &tree.join("lib/systemd/system/openmoney-console.service"))?;
    let debian = tree.join("DEBIAN");
    for script in ["postinst", "prerm", "postrm"] {
        let to = debian.join(script);
        copy(&root().join("packaging/debian").join(script), &to)?;
        executable(&to)?;
    }
    write(&debian.join("conffiles"), "/etc/openmoney-console/openmoney.toml\n")?;
    let size_kb = tree_bytes(&tree).div_ceil(1024);
    write(
        &debian.join("control"),
        &format!(
            "Package: openmoney-console\nVersion: {version}\nArchitecture: {arch}\nSection: web\nPriority: optional\n\
             Depends: adduser, libc6\nInstalled-Size: {size_kb}\n\
             Maintainer: Openmoney Console maintainers <root@localhost>\n\
             Description: the partner console of TheOpenMoney (Telegram Stars and Premium paid in TON)\n \
             A proxy that holds the partner API key, signs staff in, audits every change and\n \
             serves the console over HTTPS. See /opt/openmoney-console/README.md, section Deploy.\n"
        ),
    )?;
    let deb = out.join(format!("openmoney-console_{version}_{arch}.deb"));
    step(
        &format!("dpkg-deb --build {}", deb.display()),
        Command::new("dpkg-deb").args(["--root-owner-group", "--build"]).arg(&tree).arg(&deb),
    )?;
    Ok(deb)
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn executable(path: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn tree_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                tree_bytes(&path)
            } else {
                entry.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
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
