//! The allow-list, strict parameters, retries, rate limits and the key.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn crafted_targets_are_refused_and_never_reach_the_upstream() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let before = proxy.sandbox.request_count();
    let targets = [
        "/api/v1/orders/%2e%2e/balance",
        "/api/v1/orders/%2E%2E/%2E%2E/sandbox/v1/faults",
        "/api/v1/orders/by-reference/..%2f..%2fbalance",
        "/api/v1/orders/by-reference/%252e%252e",
        "/api/v1/orders/by-memo/..",
        "/api/v1/../v1/balance",
        "/api/v1/./balance",
        "//evil.example/api/v1/balance",
        "/api/v1//balance",
        "http://evil.example/api/v1/balance",
        "/api/v1/orders/by-reference/a%0d%0aX-Injected:1",
        "/api/v1/orders/by-reference/a\\b",
        "/api/v1/orders/-1",
        "/api/v1/orders/1e3",
        "/api/v1/orders/99999999999999999999",
        "/api/v1/orders/by-memo/STARS%20x",
        "/api/v1/admin",
        "/api/v2/balance",
        "/api/v1/sandbox/v1/faults",
        "/sandbox/v1/faults",
        "/api/v1/orders/10401/pay",
    ];
    for target in targets {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            proxy.addr, vera.cookie
        );
        let status = proxy.raw(&request).await;
        assert!((400..500).contains(&status), "{target} gave {status}");
    }
    let host_trick = format!("GET /api/v1/balance HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\nCookie: {}\r\nConnection: close\r\n\r\n", vera.cookie);
    assert_eq!(proxy.raw(&host_trick).await, 200, "Host is not used to build the upstream URL");
    assert_eq!(proxy.sandbox.request_count(), before + 1, "only the honest request reached the upstream");
}

#[tokio::test]
async fn bad_parameters_are_refused_at_the_proxy() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let before = proxy.sandbox.request_count();
    for path in [
        "/api/v1/orders?limit=500",
        "/api/v1/orders?status=lost",
        "/api/v1/pricing/estimate/stars?quantity=10",
        "/api/v1/recipients/stars?username=x",
        "/api/v1/balance/transactions?type=gift",
    ] {
        proxy.get(path, Some(&otto)).await.assert_error(422, "VALIDATION_ERROR");
    }
    proxy.create(&otto, "q10", &stars("pandus", 10)).await.assert_error(422, "VALIDATION_ERROR");
    let long_ref = format!("/api/v1/orders/by-reference/{}", "r".repeat(129));
    proxy.get(&long_ref, Some(&otto)).await.assert_error(422, "VALIDATION_ERROR");
    let no_key = proxy
        .send(proxy.console(reqwest::Method::POST, "/api/v1/orders/stars", Some(&otto)).json(&stars("pandus", 100)))
        .await;
    no_key.assert_error(400, "BAD_REQUEST");
    let long_key = proxy.create(&otto, &"k".repeat(256), &stars("pandus", 100)).await;
    long_key.assert_error(400, "BAD_REQUEST");
    let huge = proxy
        .send(
            proxy
                .console(reqwest::Method::POST, "/api/v1/orders/stars", Some(&otto))
                .header("Idempotency-Key", "huge")
                .header("content-type", "application/json")
                .body(format!(
                    "{{\"recipient_username\":\"pandus\",\"quantity\":100,\"client_reference\":\"{}\"}}",
                    "x".repeat(20_000)
                )),
        )
        .await;
    huge.assert_error(413, "PAYLOAD_TOO_LARGE");
    let text = proxy
        .send(
            proxy
                .console(reqwest::Method::POST, "/api/v1/orders/stars", Some(&otto))
                .header("Idempotency-Key", "t")
                .body("quantity=100"),
        )
        .await;
    text.assert_error(422, "VALIDATION_ERROR");
    let wrong_method = proxy.send(proxy.console(reqwest::Method::DELETE, "/api/v1/balance", Some(&otto))).await;
    wrong_method.assert_error(405, "METHOD_NOT_ALLOWED");
    assert!(wrong_method.header("allow").is_some());
    assert_eq!(proxy.sandbox.request_count(), before, "none of them reached the upstream");
}

#[tokio::test]
async fn references_are_reencoded_on_the_way_up() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let created = proxy
        .create(
            &otto,
            "ref-1",
            &json!({"recipient_username": "pandus", "quantity": 100, "client_reference": "inv 42?x=1"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let found = proxy.get("/api/v1/orders/by-reference/inv%2042%3Fx=1", Some(&otto)).await;
    assert_eq!(found.json()["data"][0]["id"], created.json()["data"]["id"]);
}

#[tokio::test]
async fn a_lost_response_is_retried_with_the_same_key_and_makes_one_order() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    set_faults(
        &proxy,
        json!([{"kind": "lose_response", "percent": 100, "count": 1, "method": "POST", "path_prefix": "/orders"}]),
    )
    .await;
    let reply = proxy.create(&otto, "lost-once", &stars("pandus", 100)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("idempotent-replayed"), Some("true"), "the retry got the stored answer");
    assert_eq!(proxy.sandbox.order_count(), 1);
}

#[tokio::test]
async fn upstream_5xx_on_reads_is_retried_within_three_attempts() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    set_faults(
        &proxy,
        json!([{"kind": "error", "percent": 100, "count": 2, "status": 503, "path_prefix": "/balance"}]),
    )
    .await;
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200);
    set_faults(
        &proxy,
        json!([{"kind": "error", "percent": 100, "count": 3, "status": 502, "path_prefix": "/balance"}]),
    )
    .await;
    let gave_up = proxy.get("/api/v1/balance", Some(&vera)).await;
    assert_eq!(gave_up.status, 502, "after 3 attempts the upstream's answer is passed on: {}", gave_up.text);
    let attempts = proxy.sandbox.recent_requests().iter().filter(|r| r.path == "/api/v1/balance").count();
    assert_eq!(attempts, 6);
}

#[tokio::test]
async fn a_post_without_a_key_is_never_retried() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let order = proxy.create(&otto, "to-cancel", &stars("pandus", 100)).await.json()["data"]["id"].as_i64().unwrap();
    set_faults(&proxy, json!([{"kind": "error", "percent": 100, "count": 1, "status": 503, "method": "POST"}])).await;
    let reply = proxy.post(&format!("/api/v1/orders/{order}/cancel"), Some(&otto), &json!({})).await;
    reply.assert_error(503, "SERVICE_UNAVAILABLE");
    let cancels = proxy.sandbox.recent_requests().iter().filter(|r| r.path.ends_with("/cancel")).count();
    assert_eq!(cancels, 1);
}

#[tokio::test]
async fn a_stalled_upstream_is_an_upstream_timeout() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| {
        c.timeouts.request = std::time::Duration::from_millis(300);
        c.timeouts.total = std::time::Duration::from_millis(500);
    })
    .await;
    let vera = proxy.login("vera").await;
    set_faults(&proxy, json!([{"kind": "stall", "percent": 100, "stall_seconds": 2, "path_prefix": "/balance"}])).await;
    proxy.get("/api/v1/balance", Some(&vera)).await.assert_error(504, "UPSTREAM_TIMEOUT");
}

#[tokio::test]
async fn an_upstream_429_is_passed_on_with_retry_after() {
    let mut sandbox = sandbox_config();
    sandbox.rate_limit = openmoney_sandbox::config::RateLimitConfig { per_second: 1, burst: 1 };
    let proxy = spawn_proxy_with(sandbox, |_| {}).await;
    let vera = proxy.login("vera").await;
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200);
    let limited = proxy.get("/api/v1/balance", Some(&vera)).await;
    limited.assert_error(429, "RATE_LIMITED");
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn the_governor_queues_briefly_then_refuses_beyond_the_budget() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| {
        c.budgets.upstream_rps = 2;
        c.budgets.max_queue = std::time::Duration::from_millis(700);
    })
    .await;
    let vera = proxy.login("vera").await;
    let replies = futures::future::join_all((0..6).map(|_| proxy.get("/api/v1/pricing/fee", Some(&vera)))).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let refused = replies.iter().filter(|r| r.status == 429).count();
    assert!(ok >= 2, "some queued and went through: {ok}");
    assert!(refused >= 1, "the rest were refused, not sent: {refused}");
    assert_eq!(proxy.sandbox.recent_requests().iter().filter(|r| r.path == "/api/v1/pricing/fee").count(), ok);
    let metrics = proxy.send(proxy.client.get(proxy.url("/metrics"))).await.text;
    assert!(metrics.contains("openmoney_proxy_governor_waits_total"), "{metrics}");
}

#[tokio::test]
async fn the_key_is_in_no_response_and_no_log_line() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let ada = proxy.login("ada").await;
    let mut seen = String::new();
    for path in [
        "/api/v1/balance",
        "/api/v1/orders",
        "/api/v1/health",
        "/console/v1/config",
        "/auth/session",
        "/metrics",
        "/readyz",
        "/nope.js",
        "/api/v1/x",
    ] {
        let reply = proxy.get(path, Some(&ada)).await;
        seen.push_str(&format!("{:?}{}", reply.headers, reply.text));
    }
    let created = proxy.create(&otto, "leak-check", &stars("pandus", 100)).await;
    seen.push_str(&format!("{:?}{}", created.headers, created.text));
    assert!(!seen.contains("osk_"), "a response carried the key");
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!logs.contains(KEY) && !logs.contains("osk_"), "a log line carried the key");
    assert!(!logs.contains(&otto.csrf) && !logs.contains(PASSWORD), "a log line carried a secret");
}
