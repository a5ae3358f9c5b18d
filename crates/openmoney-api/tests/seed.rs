//! The partner docs' example JSON decodes into the shared types and re-encodes to the
//! same JSON (compared as values).

use openmoney_api::{CreateStarsOrder, Envelope, ErrorCode, Order, OrderStatus, OrderType, PaymentMethod, Ton};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// The partner docs' example JSON, kept verbatim under `tests/seed/`.
fn seed(text: &str) -> Value {
    serde_json::from_str(text).expect("the docs' example is JSON")
}

fn round_trip<T: Serialize + DeserializeOwned>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), value, "re-encodes to the same JSON");
    decoded
}

#[test]
fn seed_create_request_round_trips() {
    let request: CreateStarsOrder = round_trip(seed(include_str!("seed/create_stars_request.json")));
    assert_eq!(request.payment_method, PaymentMethod::TonMemo);
    assert_eq!(request.validate().unwrap(), ("pandus".to_owned(), 100));
}

#[test]
fn seed_order_response_round_trips_with_exact_money() {
    let envelope: Envelope<Order> = round_trip(seed(include_str!("seed/create_stars_response.json")));
    let order = envelope.into_result().unwrap();
    assert_eq!(order.id, 10421);
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(order.order_type, OrderType::Stars);
    assert_eq!(order.price_ton, Ton::from_nanos(418_000_000));
    assert_eq!(order.expires_at.unwrap().unix_millis() - order.created_at.unix_millis(), 15 * 60 * 1000);
}

#[test]
fn seed_error_response_round_trips() {
    let envelope: Envelope<Order> = round_trip(seed(include_str!("seed/error_response.json")));
    let error = envelope.into_result().unwrap_err();
    assert_eq!(error.error_code, ErrorCode::ValidationError);
}

#[test]
fn an_order_from_a_newer_api_still_decodes() {
    let order: Order = serde_json::from_value(json!({
        "id": 1, "status": "on_hold", "order_type": "gift", "recipient_username": "pandus",
        "price_ton": 1, "payment_address": null, "payment_memo": null, "expires_at": null,
        "created_at": "2026-04-16T12:00:00Z", "payment_method": "card", "brand_new_field": {"x": 1}
    }))
    .expect("unknown values and fields never fail a response");
    assert_eq!(order.status.to_string(), "on_hold");
    assert_eq!(order.order_type, OrderType::Unknown("gift".into()));
    assert_eq!(order.payment_method, Some(PaymentMethod::Unknown("card".into())));
}
