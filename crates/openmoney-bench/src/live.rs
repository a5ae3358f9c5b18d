//! The live feed: what the proxy's one watcher costs the upstream as consoles open (the
//! target is flat), how long a change takes to reach an open console, and the proxy's
//! memory with 1,000 streams open.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use openmoney_console_e2e::harness::launch_with;
use openmoney_proxy::db::{Db, Role};
use serde_json::{json, Value};

use crate::chains::{proxy_on_sandbox, Tools};
use crate::load;
use crate::report::{duration, percentiles, Report, Target};

const SECTION: &str = "live console";
/// Streams the proxy allows one staff member.
const PER_USER: usize = 8;
/// The streams the memory figure holds open.
const STREAMS: usize = 1_000;

/// The cookies of `count` sessions minted straight into the proxy's store, of as many
/// staff members with `role` as the per-user cap on streams needs.
async fn mint_sessions(data_dir: &Path, count: usize, role: Role, prefix: &str) -> Vec<String> {
    let db = Db::connect(&openmoney_proxy::config::sqlite_url(data_dir)).await.expect("the proxy's store");
    let mut minted = Vec::new();
    for n in 0..count.div_ceil(PER_USER) {
        // Nobody signs in as them: the sessions are made here, so no password is needed.
        let user = db.add_user(&format!("{prefix}{n}"), "unusable", role).await.expect("a user");
        for _ in 0..PER_USER.min(count - minted.len()) {
            let token = openmoney_proxy::auth::random_token();
            let csrf = openmoney_proxy::auth::random_token();
            let now = openmoney_proxy::db::now_millis();
            db.add_session(&openmoney_proxy::auth::hash_token(&token), user.id, &csrf, now).await.expect("a session");
            minted.push(format!("{}={token}", openmoney_proxy::auth::SESSION_COOKIE));
        }
    }
    minted
}

/// An open stream, read in the background; dropping it closes the connection.
struct Stream(tokio::task::JoinHandle<()>);

impl Drop for Stream {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Opens a stream; `events`, when given, hears each `order` event's data as it arrives.
async fn open_stream(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    events: Option<tokio::sync::mpsc::UnboundedSender<(Instant, Value)>>,
) -> Stream {
    let mut response = client
        .get(format!("{base}/console/v1/events"))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("the proxy answers");
    assert_eq!(response.status(), 200, "a stream was refused");
    Stream(tokio::spawn(async move {
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            let Some(events) = &events else { continue };
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                if frame.lines().any(|l| l == "event: order") {
                    let data = frame.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("null");
                    let _ = events.send((Instant::now(), serde_json::from_str(data).unwrap_or(Value::Null)));
                }
            }
        }
    }))
}

/// The upstream's `/api/v1` requests the sandbox logged (the proxy's watcher and nothing else).
async fn upstream_calls(client: &reqwest::Client, sandbox: &str, key: &str) -> usize {
    let log: Value = client
        .get(format!("{sandbox}/sandbox/v1/requests"))
        .bearer_auth(key)
        .send()
        .await
        .expect("the sandbox answers")
        .json()
        .await
        .expect("its request log");
    log["data"]
        .as_array()
        .map_or(0, |r| r.iter().filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/v1"))).count())
}

async fn at_the_sandbox(client: &reqwest::Client, sandbox: &str, key: &str, path: &str, body: Value) -> Value {
    let answer = client.post(format!("{sandbox}{path}")).bearer_auth(key).json(&body).send().await.expect("sent");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json::<Value>().await.expect("an envelope")["data"].clone()
}

/// Waits for the first `order` event of `id` whose status is in `statuses`.
async fn heard(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<(Instant, Value)>,
    id: i64,
    statuses: &[&str],
) -> Instant {
    let deadline = Duration::from_secs(30);
    loop {
        let (at, event) = tokio::time::timeout(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("order {id} never reached {statuses:?} on the stream"))
            .expect("the stream stays open");
        if event["id"] == id && event["status"].as_str().is_some_and(|s| statuses.contains(&s)) {
            return at;
        }
    }
}

/// Upstream calls per minute with 0, 1, 10 and 100 consoles open; a payment at the upstream
/// to a console's stream; the proxy's memory with 1,000 streams.
async fn watcher(tools: &Tools, window: Duration, payments: usize, report: &mut Report) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stack = proxy_on_sandbox(tools, dir.path()).await;
    let client = reqwest::Client::new();
    let sessions = mint_sessions(&dir.path().join("proxy"), STREAMS, Role::Viewer, "viewer-").await;
    // One order waiting for payment keeps the watcher at its busy pace (3 s).
    let order = json!({"recipient_username": "pandus", "quantity": 100});
    at_the_sandbox(&client, &stack.direct, &stack.key, "/api/v1/orders/stars", order.clone()).await;
    let idle_rss = load::rss(stack.proxy.pid());

    let mut streams = Vec::new();
    let mut per_minute = Vec::new();
    for consoles in [0, 1, 10, 100] {
        while streams.len() < consoles {
            streams.push(open_stream(&client, &stack.proxy_base, &sessions[streams.len()], None).await);
        }
        // The watcher's first look after the first stream opens.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = upstream_calls(&client, &stack.direct, &stack.key).await;
        tokio::time::sleep(window).await;
        let calls = upstream_calls(&client, &stack.direct, &stack.key).await - before;
        let rate = calls as f64 * 60.0 / window.as_secs_f64();
        per_minute.push((consoles, rate));
    }
    let open = &per_minute[1..];
    let (low, high) = open.iter().fold((f64::MAX, 0.0f64), |(lo, hi), (_, r)| (lo.min(*r), hi.max(*r)));
    let text = per_minute.iter().map(|(n, r)| format!("{n}: {r:.0}")).collect::<Vec<_>>().join("; ");
    report.add(
        SECTION,
        "upstream calls per minute by consoles open (0, 1, 10, 100)",
        text,
        Target::at_most(high - low, 5.0, "flat (within 5 a minute)"),
    );

    // A buyer's payment at the upstream, to a console's stream: the watcher's pace decides.
    let (tell, mut events) = tokio::sync::mpsc::unbounded_channel();
    let listener = open_stream(&client, &stack.proxy_base, &sessions[streams.len()], Some(tell)).await;
    let mut waits = Vec::new();
    for n in 0..payments {
        let made = at_the_sandbox(&client, &stack.direct, &stack.key, "/api/v1/orders/stars", order.clone()).await;
        let id = made["id"].as_i64().expect("an id");
        heard(&mut events, id, &["pending_payment"]).await;
        // The new order was told right after a look: pay at points spread over the interval
        // that follows, as buyers do, rather than always just after a look.
        tokio::time::sleep(Duration::from_millis(n as u64 * 3_000 / payments as u64)).await;
        let paid_at = Instant::now();
        at_the_sandbox(
            &client,
            &stack.direct,
            &stack.key,
            &format!("/sandbox/v1/orders/{id}/pay"),
            json!({"mode": "exact"}),
        )
        .await;
        // A look may find it already past paid: the first status after pending is the news.
        waits.push(heard(&mut events, id, &["paid", "processing", "completed"]).await - paid_at);
    }
    let (p50, p99) = percentiles(&mut waits);
    report.add(
        SECTION,
        format!(
            "a payment at the upstream to a console's stream (p50, p99 of {payments}; the watcher looks every 3 s)"
        ),
        format!("{}, {}", duration(p50), duration(p99)),
        Target::at_most(p99.as_secs_f64(), 6.0, "≤ two intervals (6 s)"),
    );
    drop(listener);

    while streams.len() < STREAMS {
        streams.push(open_stream(&client, &stack.proxy_base, &sessions[streams.len()], None).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let full = load::rss(stack.proxy.pid());
    report.add(
        SECTION,
        format!("proxy RSS with {STREAMS} streams open (idle: {})", mb(idle_rss)),
        mb(full),
        Target::at_most(full as f64 / 1_048_576.0, 60.0, "≤ 60 MB"),
    );
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// Now, in Unix milliseconds, on the clock the browser's `Date.now()` reads.
fn wall_millis() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Marks, in the page, when each order's row first shows each status (`id:status`).
const ROW_WATCH: &str = r#"
window.__rows = {};
new MutationObserver(() => {
  for (const row of document.querySelectorAll('tr')) {
    const id = (row.textContent.match(/#(\d+)/) || [])[1];
    const status = row.querySelector('[data-testid=status]');
    if (!id || !status) continue;
    const key = id + ':' + status.textContent.trim();
    if (!(key in window.__rows)) window.__rows[key] = Date.now();
  }
}).observe(document.body, { subtree: true, childList: true, characterData: true });
"#;

/// A colleague's change through the proxy, to another console's orders list on screen.
async fn repaint(report: &mut Report, changes: usize) {
    let console = launch_with(|_| {}).await;
    console.login("vera").await;
    console.goto("/orders").await;
    console.settle().await;
    console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
    console.browser.execute(ROW_WATCH, vec![]).await.expect("the observer");
    let otto = console.colleague("otto").await;
    let mut waits = Vec::new();
    for n in 0..changes {
        let order = json!({"recipient_username": "pandus", "quantity": 100 + n});
        let created = otto.post("/api/v1/orders/stars", order, Some(&format!("bench-live-{n}"))).await;
        let id = created["id"].as_i64().expect("an id");
        let sent = wall_millis();
        otto.post(&format!("/sandbox/v1/orders/{id}/pay"), json!({"mode": "exact"}), None).await;
        let key = format!("{id}:paid");
        let started = Instant::now();
        let shown = loop {
            let seen = console.browser.execute("return window.__rows[arguments[0]] || null", vec![json!(key)]).await;
            if let Some(at) = seen.ok().and_then(|v| v.as_f64()) {
                break at;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "order {id} never showed paid");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        waits.push(Duration::from_secs_f64(((shown - sent).max(0.0)) / 1000.0));
    }
    let (p50, p99) = percentiles(&mut waits);
    report.add(
        SECTION,
        format!("a colleague's change to another console's screen (p50, p99 of {changes})"),
        format!("{}, {}", duration(p50), duration(p99)),
        Target::at_most(p99.as_secs_f64() * 1000.0, 500.0, "≤ 500 ms"),
    );
}

pub async fn run(tools: &Tools, quick: bool, report: &mut Report) {
    let (window, samples) = if quick { (Duration::from_secs(9), 5) } else { (Duration::from_secs(30), 20) };
    watcher(tools, window, samples, report).await;
    repaint(report, samples).await;
    report.note(
        "The live console: the proxy and sandbox binaries (release-native) with the default pace (a look every 3 s \
        while an order can change); upstream calls are the sandbox's own request log over each window, scaled to a \
        minute, with the consoles open as Server-Sent Events streams of as many viewers' sessions as the 8-per-user \
        cap needs. A payment at the upstream is timed from the sandbox's answer to the event on a stream. A \
        colleague's change is a payment made through the proxy by a second session, timed from the answer to the \
        moment the first browser's orders list shows it (a MutationObserver reading Date.now()).",
    );
}
