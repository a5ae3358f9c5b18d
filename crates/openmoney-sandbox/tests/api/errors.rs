//! Every error case: the one envelope, the right status and a precise message.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn missing_and_invalid_bearers_get_401_with_a_challenge() {
    let app = spawn_sandbox().await;
    let missing = app.send(app.client.get(app.url("/api/v1/balance"))).await;
    missing.assert_error(401, "UNAUTHORIZED");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer realm=\"openmoney\""));
    let wrong = app.send(app.client.get(app.url("/api/v1/balance")).bearer_auth("osk_not_a_real_key")).await;
    assert_eq!(wrong.assert_error(401, "UNAUTHORIZED"), "invalid API key");
    assert!(wrong.header("www-authenticate").unwrap().contains("invalid_token"));
    let basic = app.send(app.client.get(app.url("/api/v1/balance")).basic_auth("u", Some("p"))).await;
    basic.assert_error(401, "UNAUTHORIZED");
    let controls =
        app.send(app.client.post(app.url("/sandbox/v1/balance/topup")).json(&json!({"amount_ton": 5}))).await;
    controls.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404() {
    let app = spawn_sandbox().await;
    app.get("/api/v1/orders/999999").await.assert_error(404, "NOT_FOUND");
    app.get("/api/v1/orders/not-a-number").await.assert_error(404, "NOT_FOUND");
    app.get("/api/v1/orders/by-memo/STARS-000000").await.assert_error(404, "NOT_FOUND");
    app.get("/api/v1/nothing-here").await.assert_error(404, "NOT_FOUND");
    app.get("/elsewhere").await.assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn_sandbox().await;
    let reply = app.send(app.client.delete(app.url("/api/v1/balance")).bearer_auth(app.key)).await;
    reply.assert_error(405, "METHOD_NOT_ALLOWED");
    assert!(reply.header("allow").unwrap().contains("GET"));
    let reply = app.send(app.client.get(app.url("/api/v1/orders/stars")).bearer_auth(app.key)).await;
    reply.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(reply.header("allow"), Some("POST"));
    let reply = app.send(app.client.put(app.url("/api/v1/orders/1/cancel")).bearer_auth(app.key)).await;
    reply.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(reply.header("allow"), Some("POST"));
}

#[tokio::test]
async fn state_conflicts_are_409() {
    let app = spawn_sandbox().await;
    let order = app.create_stars(stars("pandus", 100)).await;
    let id = order["id"].as_i64().unwrap();
    app.control(&format!("/orders/{id}/pay"), &json!({})).await.data();
    let message = app
        .post(&format!("/api/v1/orders/{id}/cancel"), &json!({}))
        .await
        .assert_error(409, "INVALID_STATE")
        .to_owned();
    assert!(message.contains("paid"), "{message}");

    let poor = app.as_partner(KEY_B);
    let body = json!({"recipient_username": "pandus", "quantity": 100, "payment_method": "balance", "payment_currency": "TON"});
    let message = poor.post("/api/v1/orders/stars", &body).await.assert_error(409, "INSUFFICIENT_BALANCE").to_owned();
    assert!(message.contains("less than the order price"), "{message}");
    assert_eq!(poor.get("/api/v1/orders").await.data()["total"], 0, "nothing was created");
}

#[tokio::test]
async fn every_invalid_field_is_a_precise_422() {
    let app = spawn_sandbox().await;
    let cases = [
        (stars("pandus", 10), "quantity must be between 50 and 10000"),
        (stars("pandus", 10_001), "quantity must be between 50 and 10000"),
        (stars("pan", 100), "username must be 5 to 32 characters long"),
        (stars("1pandus", 100), "username must start with a letter"),
        (stars("pan dus", 100), "username may contain only letters, digits and underscores"),
        (
            json!({"recipient_username": "pandus", "quantity": 100, "payment_method": "card"}),
            "payment_method must be one of: ton_memo, balance",
        ),
        (
            json!({"recipient_username": "pandus", "quantity": 100, "payment_currency": "USD"}),
            "payment_currency must be one of: TON",
        ),
        (
            json!({"recipient_username": "pandus", "quantity": 100, "client_reference": "x".repeat(129)}),
            "client_reference must be at most 128 characters",
        ),
        (json!({"recipient_username": "pandus"}), "invalid body: missing field `quantity`"),
        (
            json!({"recipient_username": "pandus", "quantity": "many"}),
            "invalid body: quantity: invalid type: string \"many\", expected a whole number",
        ),
    ];
    for (body, message) in cases {
        let reply = app.post("/api/v1/orders/stars", &body).await;
        let got = reply.assert_error(422, "VALIDATION_ERROR");
        assert!(got.starts_with(message), "{body}: {got:?} should start with {message:?}");
    }
    let premium = app.post("/api/v1/orders/premium", &json!({"recipient_username": "pandus", "months": 5})).await;
    assert_eq!(premium.assert_error(422, "VALIDATION_ERROR"), "months must be 3, 6 or 12");

    let malformed = app
        .send(
            app.client
                .post(app.url("/api/v1/orders/stars"))
                .bearer_auth(app.key)
                .header("content-type", "application/json")
                .body("{\"quantity\": 100,"),
        )
        .await;
    assert!(malformed.assert_error(422, "VALIDATION_ERROR").starts_with("malformed JSON"));
    let form = app
        .send(
            app.client
                .post(app.url("/api/v1/orders/stars"))
                .bearer_auth(app.key)
                .header("content-type", "text/plain")
                .body(stars("pandus", 100).to_string()),
        )
        .await;
    assert_eq!(form.assert_error(422, "VALIDATION_ERROR"), "Content-Type must be application/json");

    let queries = [
        ("/api/v1/pricing/estimate/stars?quantity=5", "quantity must be between 50 and 10000"),
        ("/api/v1/pricing/estimate/premium?months=2", "months must be 3, 6 or 12"),
        ("/api/v1/recipients/stars?username=no", "username must be 5 to 32 characters long"),
        ("/api/v1/orders?limit=101", "limit must be between 1 and 100"),
        ("/api/v1/orders?offset=-1", "offset must not be negative"),
        ("/api/v1/orders?status=lost", "status must be one of"),
        ("/api/v1/balance/transactions?type=gift", "type must be one of"),
        ("/api/v1/orders?created_from=yesterday", "invalid query"),
        ("/api/v1/pricing/estimate/stars", "invalid query"),
    ];
    for (path, message) in queries {
        let got = app.get(path).await;
        let got = got.assert_error(422, "VALIDATION_ERROR");
        assert!(got.starts_with(message), "{path}: {got:?}");
    }
    let huge = json!({"recipient_username": "pandus", "quantity": 100, "client_reference": "x".repeat(70_000)});
    let too_large = app.post("/api/v1/orders/stars", &huge).await;
    too_large.assert_error(413, "PAYLOAD_TOO_LARGE");
    let bad_ref = app.get(&format!("/api/v1/orders/by-reference/{}", "r".repeat(129))).await;
    bad_ref.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(app.sandbox.order_count(), 0, "no invalid request created anything");
}

#[tokio::test]
async fn ineligible_recipients_are_refused_with_the_reason() {
    let app = spawn_sandbox().await;
    let reply = app.post("/api/v1/orders/stars", &stars("ghost_user", 100)).await;
    assert!(reply.assert_error(422, "RECIPIENT_NOT_ELIGIBLE").contains("user_not_found"));
    let reply = app.post("/api/v1/orders/premium", &json!({"recipient_username": "durov", "months": 3})).await;
    assert!(reply.assert_error(422, "RECIPIENT_NOT_ELIGIBLE").contains("already_premium"));
    let check = app.get("/api/v1/recipients/stars?username=@WeatherBot").await;
    assert_eq!(check.data(), &json!({"username": "WeatherBot", "can_receive": false, "reason": "bot_account"}));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_per_key() {
    let mut config = config();
    config.rate_limit = openmoney_sandbox::config::RateLimitConfig { per_second: 1, burst: 3 };
    let app = spawn_with(config).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/balance").await.status, 200);
    }
    let limited = app.get("/api/v1/balance").await;
    limited.assert_error(429, "RATE_LIMITED");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    // The other partner's bucket is its own.
    assert_eq!(app.as_partner(KEY_B).get("/api/v1/balance").await.status, 200);
}
