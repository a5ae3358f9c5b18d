//! The README's "Deploy" guide, followed as a new partner would, from the release tarball:
//! unpack it into an empty directory, add a staff admin with the packaged binary, start it
//! with TLS against an upstream at a URL (a sandbox run as its own process) with the key
//! in a file, sign in and read the balance over HTTPS with curl, rotate the key with a
//! SIGHUP, and read again. Then the proxy's output is searched for the key, and the
//! systemd unit is checked by `systemd-analyze verify` where that exists.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::running::{free_port, spawn};
use crate::{step, tools, Result};

const OLD_KEY: &str = "osk_guide_partner_key_first";
const NEW_KEY: &str = "osk_guide_partner_key_second";
const PASSWORD: &str = "a long staff password for the guide";

pub fn follow(env: &tools::Env, tarball: &Path) -> Result {
    tools::ensure_guide_tools()?;
    step(
        "build the sandbox (the guide's upstream)",
        crate::cargo(env).args(["build", "--package", "openmoney-sandbox"]),
    )?;
    let work = tools::target_dir().join("guide");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    step(
        "unpack the release into an empty directory",
        Command::new("tar").arg("-xzf").arg(tarball).arg("-C").arg(&work),
    )?;
    let name =
        tarball.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".tar.gz")).ok_or("tarball name")?;
    let home = work.join(name);
    let proxy = home.join("bin").join("openmoney-proxy");

    // Staff first: the proxy refuses to start on a real upstream with nobody to sign in.
    let mut add = Command::new(&proxy)
        .args(["--data-dir", "state", "user", "add", "ada", "--role", "admin", "--password-stdin"])
        .current_dir(&home)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("user add: {e}"))?;
    add.stdin.take().ok_or("stdin")?.write_all(format!("{PASSWORD}\n").as_bytes()).map_err(|e| e.to_string())?;
    if !add.wait().map_err(|e| e.to_string())?.success() {
        return Err("openmoney-proxy user add failed".into());
    }

    // A certificate for localhost, as certbot would leave one for a real name.
    std::fs::create_dir_all(home.join("tls")).map_err(|e| e.to_string())?;
    step(
        "openssl: a certificate for localhost",
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
            .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
            .arg("-keyout")
            .arg(home.join("tls/key.pem"))
            .arg("-out")
            .arg(home.join("tls/cert.pem"))
            .stderr(Stdio::null()),
    )?;

    // The upstream knows both keys, as during a rotation at TheOpenMoney.
    let upstream_port = free_port()?;
    let sandbox = tools::target_dir().join("debug").join("openmoney-sandbox");
    let _upstream = spawn(
        "the sandbox",
        Command::new(&sandbox).args([
            "--listen",
            &format!("127.0.0.1:{upstream_port}"),
            "--key",
            OLD_KEY,
            "--key",
            NEW_KEY,
        ]),
        upstream_port,
        &work.join("sandbox.log"),
    )?;
    write_key(&home, OLD_KEY)?;

    let port = free_port()?;
    let log = work.join("proxy.log");
    let served = spawn(
        "openmoney-proxy serve",
        Command::new(&proxy)
            .args(["--data-dir", "state", "serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--upstream", &format!("http://127.0.0.1:{upstream_port}/api/v1"), "--api-key-file", "api-key"])
            .args(["--tls-cert", "tls/cert.pem", "--tls-key", "tls/key.pem"])
            .current_dir(&home),
        port,
        &log,
    )?;
    let curl = Curl { home: home.clone(), base: format!("https://localhost:{port}") };
    wait_until("the console answers over HTTPS", || curl.get("/healthz").is_ok_and(|b| b.contains("ok")))?;

    let login = format!(r#"{{"username":"ada","password":"{PASSWORD}"}}"#);
    let signed_in = curl.post("/auth/login", &login)?;
    if !signed_in.contains(r#""ok":true"#) {
        return Err(format!("sign-in over HTTPS failed: {signed_in}"));
    }
    let before = topup_address(&curl.get("/api/v1/balance")?)?;

    // Rotation: the new key into the file, then SIGHUP (systemctl reload does the same).
    write_key(&home, NEW_KEY)?;
    step("SIGHUP: read the key again", Command::new("kill").args(["-HUP", &served.0.id().to_string()]))?;
    wait_until("the new key is in use", || {
        curl.get("/api/v1/balance").ok().and_then(|b| topup_address(&b).ok()).is_some_and(|a| a != before)
    })?;
    let ready = curl.get("/readyz")?;
    if !ready.contains(r#""status":"ready""#) || !ready.contains(r#""error":null"#) {
        return Err(format!("/readyz after the rotation: {ready}"));
    }

    drop(served);
    let said = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
    if said.contains("osk_") {
        return Err(format!("the proxy's output holds a key ({})", log.display()));
    }
    if !said.contains("read again") {
        return Err(format!("the proxy did not log the key's new read ({})", log.display()));
    }
    verify_unit(&home)?;
    check_deb(tarball, &home, &work)?;
    eprintln!("xtask: the deploy guide works from the tarball: HTTPS, sign-in, a key rotation");
    Ok(())
}

/// The .deb beside the tarball holds the same files where the unit expects them, and its
/// maintainer scripts are sound shell.
fn check_deb(tarball: &Path, home: &Path, work: &Path) -> Result {
    let out = tarball.parent().ok_or("tarball dir")?;
    let deb = std::fs::read_dir(out)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or("no .deb beside the tarball")?;
    let tree = work.join("deb");
    step("dpkg-deb --extract", Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tree))?;
    step("dpkg-deb --control", Command::new("dpkg-deb").arg("-e").arg(&deb).arg(tree.join("DEBIAN")))?;
    for (packed, unpacked) in [
        ("opt/openmoney-console/bin/openmoney-proxy", "bin/openmoney-proxy"),
        ("opt/openmoney-console/dist/index.html", "dist/index.html"),
        ("etc/openmoney-console/openmoney.toml", "openmoney.toml"),
        ("lib/systemd/system/openmoney-console.service", "openmoney-console.service"),
    ] {
        let (a, b) = (std::fs::read(tree.join(packed)), std::fs::read(home.join(unpacked)));
        if a.map_err(|e| format!("{packed}: {e}"))? != b.map_err(|e| format!("{unpacked}: {e}"))? {
            return Err(format!("the .deb's {packed} is not the tarball's {unpacked}"));
        }
    }
    for script in ["postinst", "prerm", "postrm"] {
        step(&format!("sh -n {script}"), Command::new("sh").arg("-n").arg(tree.join("DEBIAN").join(script)))?;
    }
    let control = std::fs::read_to_string(tree.join("DEBIAN/control")).map_err(|e| e.to_string())?;
    if !control.contains("Package: openmoney-console\n") {
        return Err(format!("the .deb's control: {control}"));
    }
    Ok(())
}

/// curl, as the guide's reader would run it, trusting the guide's certificate and keeping
/// the session's cookies.
struct Curl {
    home: PathBuf,
    base: String,
}

impl Curl {
    fn run(&self, path: &str, body: Option<&str>) -> Result<String> {
        let mut command = Command::new("curl");
        command
            .args(["--silent", "--show-error", "--fail-with-body", "--max-time", "10"])
            .args(["--cacert", "tls/cert.pem", "--cookie", "cookies", "--cookie-jar", "cookies"])
            .current_dir(&self.home);
        if let Some(body) = body {
            command
                .args(["--header", "Content-Type: application/json", "--header", "X-Requested-With: openmoney-console"])
                .args(["--header", &format!("Origin: {}", self.base), "--data", body]);
        }
        let out = command.arg(format!("{}{path}", self.base)).output().map_err(|e| format!("curl: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("curl {path}: {text}{}", String::from_utf8_lossy(&out.stderr)))
        }
    }

    fn get(&self, path: &str) -> Result<String> {
        self.run(path, None)
    }

    fn post(&self, path: &str, body: &str) -> Result<String> {
        self.run(path, Some(body))
    }
}

/// The top-up address in a balance answer: each partner key has its own.
fn topup_address(balance: &str) -> Result<String> {
    let start = balance.find(r#""topup_address":""#).ok_or_else(|| format!("not a balance: {balance}"))? + 17;
    let end = balance[start..].find('"').ok_or("unterminated address")?;
    Ok(balance[start..start + end].to_owned())
}

/// Writes the key file beside and renames it into place, readable by its owner only.
fn write_key(home: &Path, key: &str) -> Result {
    use std::os::unix::fs::PermissionsExt;
    let beside = home.join("api-key.new");
    std::fs::write(&beside, format!("{key}\n")).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&beside, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    std::fs::rename(&beside, home.join("api-key")).map_err(|e| e.to_string())
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Result {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if done() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the deploy guide: {what}: not within 20 s"))
}

/// `systemd-analyze verify` on the packaged unit, with its paths pointed into the
/// unpacked directory (the guide installs it under /opt). Skipped where systemd is absent.
fn verify_unit(home: &Path) -> Result {
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        eprintln!("xtask: systemd-analyze is not here; the unit is not verified");
        return Ok(());
    }
    let unit = std::fs::read_to_string(home.join("openmoney-console.service")).map_err(|e| e.to_string())?;
    let unit = unit.replace("/opt/openmoney-console", &home.display().to_string());
    let check = home.join("check").join("openmoney-console.service");
    std::fs::create_dir_all(check.parent().ok_or("dir")?).map_err(|e| e.to_string())?;
    std::fs::write(&check, unit).map_err(|e| e.to_string())?;
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&check)
        .output()
        .map_err(|e| format!("systemd-analyze: {e}"))?;
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() || said.contains("openmoney-console.service:") {
        return Err(format!("systemd-analyze verify openmoney-console.service:\n{said}"));
    }
    Ok(())
}
