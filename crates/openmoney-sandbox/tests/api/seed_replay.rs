//! The partner docs' curl requests, replayed verbatim: each answer has every field of the
//! docs' example, with the same JSON types.

use serde_json::Value;

use crate::helpers::*;

const SEED_CREATE_BODY: &str = include_str!("../../../openmoney-api/tests/seed/create_stars_request.json");

const SEED_CREATE_RESPONSE: &str = include_str!("../../../openmoney-api/tests/seed/create_stars_response.json");

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every field of `example` is in `actual` with the same type (a decimal may be whole).
fn assert_same_shape(example: &Value, actual: &Value, at: &str) {
    match (example, actual) {
        (Value::Object(expected), Value::Object(got)) => {
            for (field, value) in expected {
                let other = got.get(field).unwrap_or_else(|| panic!("{at}.{field} is missing from {actual}"));
                assert_same_shape(value, other, &format!("{at}.{field}"));
            }
        }
        (Value::Number(_), Value::Number(_)) if json_type(example) == "number" => {}
        _ => assert_eq!(json_type(example), json_type(actual), "{at}: {example} vs {actual}"),
    }
}

#[tokio::test]
async fn seed_create_request_replayed_verbatim_answers_in_the_documented_shape() {
    let app = spawn_sandbox().await;
    let response = app
        .client
        .post(app.url("/api/v1/orders/stars"))
        .header("Authorization", format!("Bearer {}", app.key))
        .header("Idempotency-Key", "550e8400-e29b-41d4-a716-446655440000")
        .header("Content-Type", "application/json")
        .body(SEED_CREATE_BODY)
        .send()
        .await
        .unwrap();
    let reply = read(response).await;
    assert_eq!(reply.status, 200);
    let example: Value = serde_json::from_str(SEED_CREATE_RESPONSE).unwrap();
    assert_same_shape(&example, &reply.body, "");
    let order = reply.data();
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["stars_amount"], 100);
    assert_eq!(order["created_at"], "2026-04-16T12:00:00Z");
    assert_eq!(order["expires_at"], "2026-04-16T12:15:00Z", "a 15-minute TTL, as in the docs");
    assert!(order["payment_memo"].as_str().unwrap().starts_with("STARS-"));

    // "Consultar estado": GET /orders/{id} with only the bearer.
    let id = order["id"].as_i64().unwrap();
    let status = app.get(&format!("/api/v1/orders/{id}")).await;
    assert_same_shape(&example, &status.body, "");
    assert_eq!(status.data(), order);
}

#[tokio::test]
async fn seed_recipient_estimate_and_balance_requests_answer() {
    let app = spawn_sandbox().await;
    let check = app.get("/api/v1/recipients/stars?username=pandus").await;
    assert_eq!(check.data(), &serde_json::json!({"username": "pandus", "can_receive": true, "reason": null}));

    let estimate = app.get("/api/v1/pricing/estimate/stars?quantity=100").await;
    for field in ["price_ton", "price_usd", "ton_usd_rate", "fee_ton"] {
        assert!(estimate.data()[field].is_number(), "{field}: {}", estimate.body);
    }

    // The docs' raw HTTP example for the balance.
    let balance = app
        .send(
            app.client
                .get(app.url("/api/v1/balance"))
                .header("Authorization", format!("Bearer {}", app.key))
                .header("Accept", "application/json"),
        )
        .await;
    assert_eq!(balance.data()["balance_ton"], 100);
    assert!(balance.data()["topup_address"].as_str().unwrap().starts_with("UQ"));
}

#[tokio::test]
async fn seed_error_example_is_what_a_bad_quantity_gets() {
    let app = spawn_sandbox().await;
    let reply = app.post("/api/v1/orders/stars", &stars("pandus", 10)).await;
    let example: Value =
        serde_json::from_str(include_str!("../../../openmoney-api/tests/seed/error_response.json")).unwrap();
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body, example);
}
