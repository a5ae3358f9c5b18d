//! Order lifecycles on a clock the test drives.

use openmoney_api::Ton;
use serde_json::json;

use crate::helpers::*;

async fn status(app: &TestSandbox, id: i64) -> String {
    app.get(&format!("/api/v1/orders/{id}")).await.data()["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_unpaid_order_expires_when_its_ttl_passes() {
    let app = spawn_sandbox().await;
    let id = app.create_stars(stars("pandus", 100)).await["id"].as_i64().unwrap();
    app.advance_secs(899);
    assert_eq!(status(&app, id).await, "pending_payment");
    app.advance_secs(1);
    assert_eq!(status(&app, id).await, "expired");
    app.control(&format!("/orders/{id}/pay"), &json!({})).await.assert_error(409, "INVALID_STATE");
}

#[tokio::test]
async fn a_paid_order_moves_to_processing_then_completed() {
    let app = spawn_sandbox().await;
    let id = app.create_stars(stars("pandus", 100)).await["id"].as_i64().unwrap();
    let paid = app.control(&format!("/orders/{id}/pay"), &json!({"mode": "exact"})).await;
    assert_eq!(paid.data()["outcome"], "paid");
    assert_eq!(status(&app, id).await, "paid");
    app.advance_secs(3);
    assert_eq!(status(&app, id).await, "processing");
    app.advance_secs(10);
    let order = app.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(order.data()["status"], "completed");
    assert_eq!(order.data()["updated_at"], "2026-04-16T12:00:13Z", "each step happens at its own time");
    app.advance_secs(3600);
    assert_eq!(status(&app, id).await, "completed", "completed is final; the TTL no longer applies");
}

#[tokio::test]
async fn underpaying_leaves_the_order_unpaid_and_topping_up_the_rest_pays_it() {
    let app = spawn_sandbox().await;
    let order = app.create_stars(stars("pandus", 100)).await;
    let (id, price) = (order["id"].as_i64().unwrap(), order["price_ton"].as_f64().unwrap());
    let under = app.control(&format!("/orders/{id}/pay"), &json!({"mode": "under"})).await;
    assert_eq!(under.data()["outcome"], "underpaid");
    assert_eq!(status(&app, id).await, "pending_payment");
    let price: Ton = serde_json::from_value(json!(price)).unwrap();
    let received: Ton = serde_json::from_value(under.data()["received_ton"].clone()).unwrap();
    let rest = price.checked_sub(received).unwrap();
    let done = app.control(&format!("/orders/{id}/pay"), &json!({"amount_ton": rest})).await;
    assert_eq!(done.data()["outcome"], "paid");
}

#[tokio::test]
async fn overpaying_credits_the_excess_to_the_balance() {
    let app = spawn_sandbox().await.as_partner(KEY_B);
    let id = app.create_stars(stars("pandus", 1000)).await["id"].as_i64().unwrap();
    let over = app.control(&format!("/orders/{id}/pay"), &json!({"mode": "over"})).await;
    assert_eq!(over.data()["outcome"], "overpaid");
    let credited = over.data()["credited_ton"].clone();
    assert_eq!(app.get("/api/v1/balance").await.data()["balance_ton"], credited);
    let history = app.get("/api/v1/balance/transactions?type=adjustment").await;
    assert_eq!(history.data()["items"][0]["order_id"], id);
}

#[tokio::test]
async fn a_balance_order_is_debited_at_once_and_a_failure_refunds_it() {
    let app = spawn_sandbox().await;
    let body = json!({"recipient_username": "pandus", "quantity": 500, "payment_method": "balance"});
    let order = app.post("/api/v1/orders/stars", &body).await.data().clone();
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["status"], "paid");
    assert!(order["payment_address"].is_null() && order["expires_at"].is_null());
    let price: Ton = serde_json::from_value(order["price_ton"].clone()).unwrap();
    let after_debit: Ton =
        serde_json::from_value(app.get("/api/v1/balance").await.data()["balance_ton"].clone()).unwrap();
    assert_eq!(after_debit, Ton::from_units(100).checked_sub(price).unwrap());

    let failed = app.control(&format!("/orders/{id}/fail"), &json!({"reason": "delivery failed"})).await;
    assert_eq!(failed.data()["status"], "failed");
    app.advance_secs(5);
    assert_eq!(status(&app, id).await, "refunded");
    let balance: Ton = serde_json::from_value(app.get("/api/v1/balance").await.data()["balance_ton"].clone()).unwrap();
    assert_eq!(balance, Ton::from_units(100));
    let refund = app.get("/api/v1/balance/transactions?type=refund").await;
    assert_eq!(refund.data()["items"][0]["order_id"], id);
    assert_eq!(refund.data()["items"][0]["balance_after_ton"], 100);
    app.control(&format!("/orders/{id}/fail"), &json!({})).await.assert_error(409, "INVALID_STATE");
}

#[tokio::test]
async fn stats_and_history_add_up_after_a_mixed_day() {
    let app = spawn_sandbox().await;
    let completed = app.create_stars(stars("pandus", 100)).await["id"].as_i64().unwrap();
    app.control(&format!("/orders/{completed}/pay"), &json!({})).await.data();
    let cancelled = app.create_stars(stars("alice_tg", 200)).await["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/orders/{cancelled}/cancel"), &json!({})).await.data();
    app.create_stars(stars("crypto_kate", 300)).await;
    app.control("/balance/topup", &json!({"amount_ton": 12.5})).await.data();
    app.advance_secs(60);
    let stats = app.get("/api/v1/orders/stats/summary").await.data().clone();
    assert_eq!(stats["by_status"]["completed"], 1);
    assert_eq!(stats["by_status"]["cancelled"], 1);
    assert_eq!(stats["by_status"]["expired"], 0);
    assert_eq!(stats["completed_stars"], 100);
    let history = app.get("/api/v1/balance/transactions").await.data().clone();
    let sum: Ton = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| serde_json::from_value::<Ton>(t["amount_ton"].clone()).unwrap())
        .sum();
    assert_eq!(sum, "112.5".parse().unwrap());
    assert_eq!(app.get("/api/v1/balance").await.data()["balance_ton"], 112.5);
    app.control("/balance/topup", &json!({"amount_ton": -1})).await.assert_error(422, "VALIDATION_ERROR");
}

#[tokio::test]
async fn the_clock_can_be_advanced_over_http() {
    let app = spawn_sandbox().await;
    let id = app.create_stars(stars("pandus", 100)).await["id"].as_i64().unwrap();
    let clock = app.control("/clock/advance", &json!({"seconds": 900})).await;
    assert_eq!(clock.data()["now"], "2026-04-16T12:15:00Z");
    assert_eq!(status(&app, id).await, "expired");
}
