//! Idempotency-Key: replays, reuse with another body, in-flight conflicts and storms.

use std::collections::HashSet;

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_replay_returns_the_identical_response_and_makes_nothing_new() {
    let app = spawn_sandbox().await;
    let body = stars("pandus", 100);
    let first = app.post_with_key("/api/v1/orders/stars", "key-1", &body).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("idempotent-replayed"), None);
    app.advance_secs(30);
    let second = app.post_with_key("/api/v1/orders/stars", "key-1", &body).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.sandbox.order_count(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_and_creates_nothing() {
    let app = spawn_sandbox().await;
    app.post_with_key("/api/v1/orders/stars", "key-2", &stars("pandus", 100)).await.data();
    let other = app.post_with_key("/api/v1/orders/stars", "key-2", &stars("pandus", 200)).await;
    other.assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    let other_route = app
        .post_with_key("/api/v1/orders/premium", "key-2", &json!({"recipient_username": "pandus", "months": 3}))
        .await;
    other_route.assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(app.sandbox.order_count(), 1);
}

#[tokio::test]
async fn keys_belong_to_one_partner() {
    let app = spawn_sandbox().await;
    let mine = app.post_with_key("/api/v1/orders/stars", "shared-key", &stars("pandus", 100)).await;
    let theirs = app.as_partner(KEY_B).post_with_key("/api/v1/orders/stars", "shared-key", &stars("pandus", 100)).await;
    assert_ne!(mine.data()["id"], theirs.data()["id"]);
}

#[tokio::test]
async fn a_request_while_the_first_is_in_flight_is_a_409() {
    let mut config = config();
    config.lifecycle.create_latency_millis = 400;
    let app = spawn_with(config).await;
    let body = stars("pandus", 100);
    let (first, second) = tokio::join!(app.post_with_key("/api/v1/orders/stars", "slow", &body), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        app.post_with_key("/api/v1/orders/stars", "slow", &body).await
    });
    assert_eq!(first.status, 200);
    second.assert_error(409, "IDEMPOTENCY_KEY_IN_USE");
    let replay = app.post_with_key("/api/v1/orders/stars", "slow", &body).await;
    assert_eq!(replay.body, first.body);
}

#[tokio::test]
async fn a_failed_create_frees_its_key_for_a_retry() {
    let app = spawn_sandbox().await.as_partner(KEY_B);
    let body = json!({"recipient_username": "pandus", "quantity": 100, "payment_method": "balance"});
    app.post_with_key("/api/v1/orders/stars", "retry-me", &body).await.assert_error(409, "INSUFFICIENT_BALANCE");
    app.control("/balance/topup", &json!({"amount_ton": 10})).await.data();
    let retried = app.post_with_key("/api/v1/orders/stars", "retry-me", &body).await;
    assert_eq!(retried.data()["status"], "paid");
}

#[tokio::test]
async fn one_hundred_concurrent_creates_with_one_key_make_exactly_one_order() {
    let app = spawn_sandbox().await;
    let body = stars("pandus", 100);
    let replies =
        futures::future::join_all((0..100).map(|_| app.post_with_key("/api/v1/orders/stars", "storm", &body))).await;
    let mut ids = HashSet::new();
    for reply in &replies {
        match reply.status {
            200 => {
                ids.insert(reply.data()["id"].as_i64().unwrap());
            }
            409 => {
                reply.assert_error(409, "IDEMPOTENCY_KEY_IN_USE");
            }
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    assert_eq!(ids.len(), 1, "every success carries the same order");
    assert_eq!(app.sandbox.order_count(), 1);
}

#[tokio::test]
async fn a_create_without_a_key_still_works_and_each_makes_an_order() {
    let app = spawn_sandbox().await;
    let a = app.post("/api/v1/orders/stars", &stars("pandus", 100)).await;
    let b = app.post("/api/v1/orders/stars", &stars("pandus", 100)).await;
    assert_ne!(a.data()["id"], b.data()["id"]);
    let bad = app.post_with_key("/api/v1/orders/stars", &"k".repeat(256), &stars("pandus", 100)).await;
    bad.assert_error(422, "VALIDATION_ERROR");
}
