//! Fault injection over a real socket: 5xx, stalls, resets and lost responses.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::*;

async fn set_faults(app: &TestSandbox, rules: serde_json::Value) {
    let reply = app
        .send(app.client.put(app.url("/sandbox/v1/faults")).bearer_auth(app.key).json(&json!({"rules": rules})))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn an_error_fault_answers_5xx_and_does_nothing() {
    let app = spawn_sandbox().await;
    set_faults(&app, json!([{"kind": "error", "percent": 100, "count": 1, "status": 503}])).await;
    let reply = app.post_with_key("/api/v1/orders/stars", "k1", &stars("pandus", 100)).await;
    reply.assert_error(503, "SERVICE_UNAVAILABLE");
    assert_eq!(app.sandbox.order_count(), 0);
    let retry = app.post_with_key("/api/v1/orders/stars", "k1", &stars("pandus", 100)).await;
    assert_eq!(retry.status, 200, "the count ran out, and the key was never used");
}

#[tokio::test]
async fn a_reset_fault_cuts_the_connection_before_anything_happens() {
    let app = spawn_sandbox().await;
    set_faults(&app, json!([{"kind": "reset", "percent": 100, "count": 1}])).await;
    let err =
        app.client.post(app.url("/api/v1/orders/stars")).bearer_auth(app.key).json(&stars("pandus", 100)).send().await;
    assert!(err.is_err(), "the client sees a transport error");
    assert_eq!(app.sandbox.order_count(), 0);
}

#[tokio::test]
async fn a_lost_response_still_makes_the_order_and_a_retry_with_the_key_replays_it() {
    let app = spawn_sandbox().await;
    set_faults(
        &app,
        json!([{"kind": "lose_response", "percent": 100, "count": 1, "method": "POST", "path_prefix": "/orders"}]),
    )
    .await;
    let lost = app
        .client
        .post(app.url("/api/v1/orders/stars"))
        .bearer_auth(app.key)
        .header("Idempotency-Key", "lost-1")
        .json(&stars("pandus", 100))
        .send()
        .await;
    assert!(lost.is_err(), "no response reached the client");
    assert_eq!(app.sandbox.order_count(), 1, "but the order was made");
    let retry = app.post_with_key("/api/v1/orders/stars", "lost-1", &stars("pandus", 100)).await;
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.sandbox.order_count(), 1);
    let listed = app.get("/api/v1/orders").await;
    assert_eq!(listed.data()["items"][0]["id"], retry.data()["id"]);
}

#[tokio::test]
async fn a_stall_fault_delays_the_answer() {
    let app = spawn_sandbox().await;
    set_faults(
        &app,
        json!([{"kind": "stall", "percent": 100, "count": 1, "stall_seconds": 1, "path_prefix": "/balance"}]),
    )
    .await;
    let started = Instant::now();
    assert_eq!(app.get("/api/v1/balance").await.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(1));
    let timed_out =
        app.client.get(app.url("/api/v1/balance")).bearer_auth(app.key).timeout(Duration::from_secs(5)).send().await;
    assert!(timed_out.is_ok(), "the rule fired its one time");
}

#[tokio::test]
async fn faults_can_be_read_changed_and_cleared_and_bad_rules_are_refused() {
    let app = spawn_sandbox().await;
    set_faults(&app, json!([{"kind": "error", "percent": 30}])).await;
    assert_eq!(app.get("/sandbox/v1/faults").await.data()["rules"][0]["percent"], 30);
    let bad = app
        .send(
            app.client
                .put(app.url("/sandbox/v1/faults"))
                .bearer_auth(app.key)
                .json(&json!({"rules": [{"kind": "error", "percent": 120}]})),
        )
        .await;
    bad.assert_error(422, "VALIDATION_ERROR");
    let unknown = app
        .send(
            app.client
                .put(app.url("/sandbox/v1/faults"))
                .bearer_auth(app.key)
                .json(&json!({"rules": [{"kind": "meteor", "percent": 1}]})),
        )
        .await;
    unknown.assert_error(422, "VALIDATION_ERROR");
    let cleared = app.send(app.client.delete(app.url("/sandbox/v1/faults")).bearer_auth(app.key)).await;
    assert_eq!(cleared.data()["rules"], json!([]));
    // Faults are per partner: the other partner never had any.
    assert_eq!(app.as_partner(KEY_B).get("/sandbox/v1/faults").await.data()["rules"], json!([]));
}

#[tokio::test]
async fn faults_configured_at_start_apply_to_every_partner() {
    let mut config = config();
    config.faults = vec![serde_json::from_value(json!({"kind": "error", "percent": 100, "status": 502})).unwrap()];
    let app = spawn_with(config).await;
    app.get("/api/v1/balance").await.assert_error(502, "INTERNAL_ERROR");
    app.as_partner(KEY_B).get("/api/v1/balance").await.assert_error(502, "INTERNAL_ERROR");
    assert_eq!(app.get("/api/v1/health").await.status, 200, "health is not behind faults");
}
