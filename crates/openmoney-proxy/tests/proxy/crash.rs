//! The proxy binary killed with SIGKILL in the middle of a run of creates and started
//! again: sessions survive, every intended order is made once, and the audit has them all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};

use crate::helpers::*;

/// The proxy binary, serving one data directory on one port.
pub struct Binary {
    args: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
    pub base: String,
}

impl Binary {
    fn new(dir: &Path, upstream: &str) -> Binary {
        Binary::on(dir, upstream, &database_url(dir), &[])
    }

    /// The binary on the store at `database`, with more `serve` flags.
    pub fn on(dir: &Path, upstream: &str, database: &str, flags: &[&str]) -> Binary {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let key_file = dir.join("key");
        std::fs::write(&key_file, KEY).unwrap();
        let dist = static_dir(dir);
        let args = [
            "--database-url",
            database,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--upstream",
            upstream,
            "--api-key-file",
            key_file.to_str().unwrap(),
            "--static-dir",
            dist.to_str().unwrap(),
        ];
        let args = args.iter().chain(flags).map(|a| a.to_string()).collect();
        Binary { args, log: dir.join("proxy.log"), child: None, base: format!("http://127.0.0.1:{port}") }
    }

    /// Starts the binary and waits until it answers.
    pub async fn start(&mut self) -> Duration {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let started = Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_openmoney-proxy"))
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the proxy binary starts");
        self.child = Some(child);
        let client = reqwest::Client::new();
        while client.get(format!("{}/healthz", self.base)).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the proxy did not come up");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        started.elapsed()
    }

    /// SIGKILL: no shutdown, no flushing, nothing.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("console.db").display())
}

/// One intended order, sent again with its key (as the console does) through refused
/// connections and resets until the order comes back.
async fn create(client: &reqwest::Client, base: &str, staff: &Staff, n: usize) -> i64 {
    let mut order = stars("pandus", 100);
    order["client_reference"] = json!(format!("crash-{n}"));
    for _ in 0..600 {
        let sent = client
            .post(format!("{base}/api/v1/orders/stars"))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", base)
            .header("Cookie", &staff.cookie)
            .header("X-CSRF-Token", &staff.csrf)
            .header("Idempotency-Key", format!("crash-key-{n}"))
            .json(&order)
            .send()
            .await;
        if let Ok(reply) = sent {
            let status = reply.status().as_u16();
            let body: Value = reply.json().await.unwrap_or_default();
            match status {
                200 => return body["data"]["id"].as_i64().unwrap(),
                409 if body["error_code"] == "IDEMPOTENCY_KEY_IN_USE" => {}
                429 | 500..=504 => {}
                other => panic!("order {n}: {other} {body}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("order {n} was not made");
}

#[tokio::test]
async fn a_proxy_killed_mid_run_loses_no_session_no_order_and_no_audit() {
    let intended = scale(120, 600);
    let kills = scale(1, 5);
    let (sandbox, sandbox_addr) = spawn_sandbox(unlimited()).await;
    let before = sandbox.order_count();
    let dir = tempfile::tempdir().unwrap();
    {
        let db = openmoney_proxy::db::Db::connect(&database_url(dir.path())).await.unwrap();
        let hash = openmoney_proxy::auth::password::hash(PASSWORD.into()).await.unwrap();
        db.add_user("otto", &hash, openmoney_proxy::db::Role::Operator).await.unwrap();
    }
    let mut proxy = Binary::new(dir.path(), &format!("http://{sandbox_addr}/api/v1"));
    proxy.start().await;
    let client = reqwest::Client::new();
    let base = proxy.base.clone();
    let otto = sign_in_at(&client, &base, "otto").await;

    let run = futures::stream::iter(0..intended)
        .map(|n| create(&client, &base, &otto, n))
        .buffer_unordered(10)
        .collect::<Vec<i64>>();
    let crashes = async {
        let mut restarts = Vec::new();
        for k in 1..=kills {
            while sandbox.order_count() < before + k * intended / (kills + 1) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            proxy.kill();
            restarts.push(proxy.start().await);
        }
        restarts
    };
    let (ids, restarts) = tokio::join!(run, crashes);

    // The session from before the crashes still works.
    let session = client.get(format!("{base}/auth/session")).header("Cookie", &otto.cookie).send().await.unwrap();
    assert_eq!(session.status(), 200, "the session did not survive the restarts");

    let ids: BTreeSet<i64> = ids.into_iter().collect();
    assert_eq!(ids.len(), intended, "two intended orders were answered with one order");
    assert_eq!(sandbox.order_count(), before + intended, "orders were lost or duplicated");

    // One more restart settles anything the last kill cut off; then the audit has every order.
    proxy.kill();
    proxy.start().await;
    let db = openmoney_proxy::db::Db::connect(&database_url(dir.path())).await.unwrap();
    let filter = openmoney_proxy::db::AuditFilter {
        action: Some(openmoney_api::AuditAction::OrderCreate),
        ..Default::default()
    };
    let (rows, _) = db.audit_page(&filter, 100_000, 0).await.unwrap();
    let audited: BTreeSet<i64> =
        rows.iter().filter(|r| r.outcome == "ok" || r.outcome == "replayed").filter_map(|r| r.order_id).collect();
    assert_eq!(audited, ids, "the audit and the orders differ");
    // A create cut off by a kill is there as interrupted, and its retry with the same key
    // is there with the order.
    let settled: BTreeSet<&str> =
        rows.iter().filter(|r| r.order_id.is_some()).filter_map(|r| r.idempotency_key.as_deref()).collect();
    let interrupted: Vec<_> = rows.iter().filter(|r| r.outcome == "interrupted").collect();
    for row in &interrupted {
        let key = row.idempotency_key.as_deref().expect("an interrupted create keeps its key");
        assert!(settled.contains(key), "{key} was cut off and never settled");
    }
    let interrupted = interrupted.len();

    drop(proxy);
    assert_no_key_in(dir.path());
    let log = std::fs::read_to_string(dir.path().join("proxy.log")).unwrap();
    assert!(log.contains("interrupted") || interrupted == 0, "the restart did not say what it recovered");

    let slowest = restarts.iter().max().unwrap();
    figure(
        "kill -9 mid-run: orders intended / made / duplicated / lost",
        format!("{intended} / {} / 0 / 0 over {kills} kill(s)", ids.len()),
        "exact",
        Some(true),
    );
    figure("kill -9 mid-run: sessions surviving the restarts", "1 of 1", "all", Some(true));
    figure("kill -9 mid-run: creates cut off, audited as interrupted", interrupted, "", None);
    figure("kill -9 mid-run: slowest restart to first answer", format!("{} ms", slowest.as_millis()), "", None);
}
