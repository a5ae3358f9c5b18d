//! The live feed: one watcher for every open console, events that reach a viewer within
//! two intervals, reconnects that catch up, and streams that end with their session.

use std::time::{Duration, Instant};

use openmoney_proxy::live::Pace;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const INTERVAL: Duration = Duration::from_millis(300);

/// A proxy whose watcher looks every [`INTERVAL`] and stops soon after the last stream.
async fn live_proxy() -> TestProxy {
    spawn_proxy_with(sandbox_config(), |config| {
        config.live.pace = Pace { interval: INTERVAL, idle_interval: INTERVAL, grace: Duration::from_millis(500) };
    })
    .await
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
struct Sse {
    name: String,
    id: Option<String>,
    data: String,
}

impl Sse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|_| panic!("not JSON: {self:?}"))
    }
}

/// An open stream, read as a browser's EventSource reads it.
struct Stream {
    response: reqwest::Response,
    buffer: String,
    /// Everything received, to check that no secret ever travels in it.
    seen: String,
}

impl Stream {
    async fn open(proxy: &TestProxy, staff: &Staff, last_id: Option<&str>) -> Stream {
        let mut request = proxy.console(Method::GET, "/console/v1/events", Some(staff));
        if let Some(id) = last_id {
            request = request.header("Last-Event-ID", id);
        }
        Stream::read(request).await
    }

    /// The stream of the proxy at `base`, seen from another client.
    async fn open_at(base: &str, staff: &Staff) -> Stream {
        let request = reqwest::Client::new()
            .get(format!("{base}/console/v1/events"))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", base)
            .header("Cookie", &staff.cookie);
        Stream::read(request).await
    }

    async fn read(request: reqwest::RequestBuilder) -> Stream {
        let response = request.send().await.expect("the stream opens");
        assert_eq!(response.status(), 200);
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Stream { response, buffer: String::new(), seen: String::new() }
    }

    /// The next event, or `None` when the proxy ended the stream; panics after `within`.
    async fn next(&mut self, within: Duration) -> Option<Sse> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut event = Sse { name: "message".into(), id: None, data: String::new() };
                for line in frame.lines() {
                    match line.split_once(": ").or_else(|| line.split_once(':')) {
                        Some(("event", name)) => event.name = name.into(),
                        Some(("id", id)) => event.id = Some(id.into()),
                        Some(("data", data)) => event.data.push_str(data),
                        _ => {}
                    }
                }
                if !event.data.is_empty() || event.name != "message" {
                    return Some(event);
                }
                continue; // a heartbeat comment
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.response.chunk()).await.expect("an event in time");
            match chunk.expect("the stream reads") {
                Some(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    self.seen.push_str(&text);
                    self.buffer.push_str(&text);
                }
                None => return None,
            }
        }
    }

    /// Whether the proxy ends the stream within `within`, whatever events come first.
    async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.next(within)).await {
                Ok(None) => return true,
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
    }

    /// Skips events until one matches.
    async fn until(&mut self, within: Duration, wanted: impl Fn(&Sse) -> bool) -> Sse {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next(left).await.expect("the stream stays open");
            if wanted(&event) {
                return event;
            }
        }
    }
}

fn is_order(id: i64, status: &'static str) -> impl Fn(&Sse) -> bool {
    move |e| e.name == "order" && e.json()["id"] == id && e.json()["status"] == status
}

async fn create_order(proxy: &TestProxy, staff: &Staff, key: &str) -> i64 {
    let created = proxy.create(staff, key, &stars("pandus", 100)).await;
    assert_eq!(created.status, 200, "{}", created.text);
    created.json()["data"]["id"].as_i64().unwrap()
}

/// A buyer's payment, straight at the sandbox: nothing the console did.
async fn pay_at_the_sandbox(proxy: &TestProxy, id: i64) {
    let url = proxy.sandbox_url(&format!("/sandbox/v1/orders/{id}/pay"));
    let paid = proxy.client.post(url).bearer_auth(KEY).json(&json!({"mode": "exact"})).send().await.unwrap();
    assert!(paid.status().is_success());
}

/// A call straight at the sandbox at `sandbox` (host and port), as the partner key; its `data`.
async fn at_the_sandbox(sandbox: std::net::SocketAddr, path: &str, body: Value) -> Value {
    let url = format!("http://{sandbox}{path}");
    let answer = reqwest::Client::new().post(url).bearer_auth(KEY).json(&body).send().await.unwrap();
    assert!(answer.status().is_success());
    answer.json::<Value>().await.unwrap()["data"].clone()
}

#[tokio::test]
async fn without_a_session_the_stream_is_a_401() {
    let proxy = live_proxy().await;
    proxy.get("/console/v1/events", None).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_payment_made_outside_the_console_reaches_a_viewer_within_two_intervals() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let otto = proxy.login("otto").await;
    let mut stream = Stream::open(&proxy, &vera, None).await;

    let id = create_order(&proxy, &otto, "live-pay-1").await;
    let created = stream.until(Duration::from_secs(2), is_order(id, "pending_payment")).await.json();
    assert_eq!((created["previous_status"].clone(), created["actor"].clone()), (Value::Null, json!("otto")));
    assert_eq!(created["order"]["recipient_username"], "pandus", "the order as GET gives it: {created}");
    let audit = stream.until(Duration::from_secs(2), |e| e.name == "audit").await.json();
    assert_eq!((audit["actor"].as_str(), audit["action"].as_str()), (Some("otto"), Some("order.create")));

    // Let the watcher have its first look, so the payment is news to it.
    tokio::time::sleep(INTERVAL * 2).await;
    let paid_at = Instant::now();
    pay_at_the_sandbox(&proxy, id).await;
    let paid = stream.until(INTERVAL * 2 + Duration::from_millis(700), is_order(id, "paid")).await;
    let took = paid_at.elapsed();
    assert_eq!(paid.json()["previous_status"], "pending_payment");
    assert_eq!(paid.json()["actor"], Value::Null, "nobody in the console paid it");
    assert!(paid.id.is_some(), "every event has an id");
    println!("a payment reached the stream in {} ms", took.as_millis());

    for secret in ["osk_", &vera.csrf, &otto.csrf, vera.cookie.split('=').nth(1).unwrap()] {
        assert!(!stream.seen.contains(secret), "the stream carried a secret: {}", stream.seen);
    }
}

#[tokio::test]
async fn signing_out_or_being_disabled_ends_the_stream() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let otto = proxy.login("otto").await;
    let ada = proxy.login("ada").await;
    let mut vera_stream = Stream::open(&proxy, &vera, None).await;
    let mut otto_stream = Stream::open(&proxy, &otto, None).await;

    assert_eq!(proxy.post("/auth/logout", Some(&vera), &json!({})).await.status, 200);
    assert!(vera_stream.ends_within(Duration::from_secs(2)).await, "the stream outlived its session");

    let disabled = proxy
        .send(proxy.console(Method::PATCH, "/console/v1/users/otto", Some(&ada)).json(&json!({"disabled": true})))
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert!(otto_stream.ends_within(Duration::from_secs(2)).await, "a disabled user's stream went on");
    proxy.get("/console/v1/events", Some(&otto)).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_reconnect_gets_what_it_missed_or_a_reset() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let otto = proxy.login("otto").await;
    let mut stream = Stream::open(&proxy, &vera, None).await;
    let first = create_order(&proxy, &otto, "live-replay-1").await;
    let seen = stream.until(Duration::from_secs(2), is_order(first, "pending_payment")).await;
    let last_id = seen.id.expect("an id");
    drop(stream);

    let second = create_order(&proxy, &otto, "live-replay-2").await;
    let cancelled = proxy.post(&format!("/api/v1/orders/{first}/cancel"), Some(&otto), &json!({})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);

    let mut again = Stream::open(&proxy, &vera, Some(&last_id)).await;
    again.until(Duration::from_secs(2), is_order(second, "pending_payment")).await;
    let cancel = again.until(Duration::from_secs(2), is_order(first, "cancelled")).await.json();
    assert_eq!((cancel["previous_status"].as_str(), cancel["actor"].as_str()), (Some("pending_payment"), Some("otto")));

    let mut lost = Stream::open(&proxy, &vera, Some("another-process-7")).await;
    lost.until(Duration::from_secs(2), |e| e.name == "reset").await;
}

#[tokio::test]
async fn every_role_sees_who_changed_an_order() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let ada = proxy.login("ada").await;
    let otto = proxy.login("otto").await;
    let mut viewer = Stream::open(&proxy, &vera, None).await;
    let mut admin = Stream::open(&proxy, &ada, None).await;
    let id = create_order(&proxy, &otto, "live-audience-1").await;
    let cancel = proxy.post(&format!("/api/v1/orders/{id}/cancel"), Some(&otto), &json!({})).await;
    assert_eq!(cancel.status, 200);
    for stream in [&mut viewer, &mut admin] {
        let audit =
            stream.until(Duration::from_secs(2), |e| e.name == "audit" && e.data.contains("order.cancel")).await;
        assert_eq!(audit.json()["order_id"], id);
    }
}

/// Upstream calls per interval, measured over `looks` intervals.
async fn calls_per_interval(proxy: &TestProxy, looks: u32) -> f64 {
    let before = proxy.sandbox.request_count();
    tokio::time::sleep(INTERVAL * looks).await;
    (proxy.sandbox.request_count() - before) as f64 / f64::from(looks)
}

#[tokio::test]
async fn one_console_or_twenty_five_cost_the_upstream_the_same() {
    let proxy = spawn_proxy_with(sandbox_config(), |config| {
        config.live.pace = Pace { interval: INTERVAL, idle_interval: INTERVAL, grace: Duration::from_millis(500) };
        config.live.per_user = 25;
    })
    .await;
    let vera = proxy.login("vera").await;
    let otto = proxy.login("otto").await;
    create_order(&proxy, &otto, "live-cost-1").await;
    let mut streams = vec![Stream::open(&proxy, &vera, None).await];
    tokio::time::sleep(INTERVAL).await;
    let one = calls_per_interval(&proxy, 15).await;
    while streams.len() < 25 {
        streams.push(Stream::open(&proxy, &vera, None).await);
    }
    let twenty_five = calls_per_interval(&proxy, 15).await;
    println!("upstream calls per interval: {one:.1} with 1 console, {twenty_five:.1} with 25");
    assert!(one >= 4.0, "the watcher looks every interval: {one}");
    assert!((twenty_five - one).abs() <= 1.0, "{one} calls per interval with 1 console, {twenty_five} with 25");
}

#[tokio::test]
async fn the_watcher_stops_after_the_last_stream_closes() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let before = proxy.sandbox.request_count();
    let stream = Stream::open(&proxy, &vera, None).await;
    tokio::time::sleep(INTERVAL * 3).await;
    assert!(proxy.sandbox.request_count() > before, "the watcher looked while a console was open");
    drop(stream);
    // The grace period, and a look that may have been under way.
    tokio::time::sleep(Duration::from_millis(500) + INTERVAL * 2).await;
    let stopped = proxy.sandbox.request_count();
    tokio::time::sleep(INTERVAL * 5).await;
    assert_eq!(proxy.sandbox.request_count(), stopped, "the watcher went on with no console open");
}

#[tokio::test]
async fn a_staff_member_may_hold_eight_streams() {
    let proxy = live_proxy().await;
    let vera = proxy.login("vera").await;
    let mut streams = Vec::new();
    for _ in 0..8 {
        streams.push(Stream::open(&proxy, &vera, None).await);
    }
    proxy.get("/console/v1/events", Some(&vera)).await.assert_error(429, "RATE_LIMITED");
    streams.pop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    streams.push(Stream::open(&proxy, &vera, None).await);
}

/// The upstream calls a proxy's watcher made, from its `/metrics`.
async fn watcher_calls(base: &str) -> u64 {
    let text = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("openmoney_proxy_watcher_calls_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no watcher count in {text}"))
}

#[tokio::test]
async fn replicas_on_one_postgres_watch_once_and_the_survivor_takes_over() {
    let Some(database) = postgres_database().await else {
        eprintln!("replicas share PostgreSQL: this runs in the suite's PostgreSQL pass");
        return;
    };
    let (_sandbox, sandbox_addr) = spawn_sandbox(sandbox_config()).await;
    {
        let db = openmoney_proxy::db::Db::connect(&database).await.unwrap();
        let hash = openmoney_proxy::auth::password::hash(PASSWORD.into()).await.unwrap();
        db.add_user("vera", &hash, openmoney_proxy::db::Role::Viewer).await.unwrap();
    }
    let upstream = format!("http://{sandbox_addr}/api/v1");
    let pace = ["--live-interval-ms", "300", "--live-idle-interval-ms", "300"];
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut replicas = dirs.each_ref().map(|dir| crate::crash::Binary::on(dir.path(), &upstream, &database, &pace));
    for replica in &mut replicas {
        replica.start().await;
    }
    let client = reqwest::Client::new();
    let mut streams = Vec::new();
    for replica in &replicas {
        let vera = sign_in_at(&client, &replica.base, "vera").await;
        streams.push(Stream::open_at(&replica.base, &vera).await);
    }
    // Both consoles hear a payment made outside the console, and only one replica watched.
    let order =
        at_the_sandbox(sandbox_addr, "/api/v1/orders/stars", stars("pandus", 100)).await["id"].as_i64().unwrap();
    tokio::time::sleep(INTERVAL * 4).await;
    at_the_sandbox(sandbox_addr, &format!("/sandbox/v1/orders/{order}/pay"), json!({"mode": "exact"})).await;
    for stream in &mut streams {
        stream.until(Duration::from_secs(5), is_order(order, "paid")).await;
    }
    let calls = [watcher_calls(&replicas[0].base).await, watcher_calls(&replicas[1].base).await];
    let watching = calls.iter().position(|&n| n > 0).expect("one replica watches");
    assert_eq!(calls[1 - watching], 0, "both replicas watched: {calls:?}");

    // The watching replica dies; the other takes over within 10 s, and its console re-reads.
    replicas[watching].kill();
    let killed = Instant::now();
    let survivor = &mut streams[1 - watching];
    survivor.until(Duration::from_secs(10), |e| e.name == "reset").await;
    let second =
        at_the_sandbox(sandbox_addr, "/api/v1/orders/stars", stars("pandus", 150)).await["id"].as_i64().unwrap();
    tokio::time::sleep(INTERVAL * 4).await;
    at_the_sandbox(sandbox_addr, &format!("/sandbox/v1/orders/{second}/pay"), json!({"mode": "exact"})).await;
    survivor.until(Duration::from_secs(10), is_order(second, "paid")).await;
    let takeover = killed.elapsed();
    println!("the survivor took over and told a payment {takeover:?} after the kill");
    assert!(watcher_calls(&replicas[1 - watching].base).await > 0);
}
