//! The partner docs' example JSON decodes into the shared types and re-encodes to the
//! same JSON (compared as values).

use openmoney_api::{CreateStarsOrder, Envelope, ErrorCode, Order, OrderStatus, OrderType, PaymentMethod, Ton};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn round_trip<T: Serialize + DeserializeOwned>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), value, "re-encodes to the same JSON");
    decoded
}

#[test]
fn seed_create_request_round_trips() {
    let request: CreateStarsOrder = round_trip(json!({
        "recipient_username": "pandus",
        "quantity": 100,
        "payment_method": "ton_memo",
        "payment_currency": "TON",
        "client_reference": "invoice-42"
    }));
    assert_eq!(request.payment_method, PaymentMethod::TonMemo);
    assert_eq!(request.validate().unwrap(), ("pandus".to_owned(), 100));
}

#[test]
fn seed_order_response_round_trips_with_exact_money() {
    let envelope: Envelope<Order> = round_trip(json!({
        "ok": true,
        "data": {
            "id": 10421,
            "status": "pending_payment",
            "order_type": "stars",
            "stars_amount": 100,
            "recipient_username": "pandus",
            "price_ton": 0.418,
            "payment_address": "UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_",
            "payment_memo": "STARS-a1b2c3",
            "expires_at": "2026-04-16T12:15:00Z",
            "created_at": "2026-04-16T12:00:00Z"
        }
    }));
    let order = envelope.into_result().unwrap();
    assert_eq!(order.id, 10421);
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(order.order_type, OrderType::Stars);
    assert_eq!(order.price_ton, Ton::from_nanos(418_000_000));
    assert_eq!(order.expires_at.unwrap().unix_millis() - order.created_at.unix_millis(), 15 * 60 * 1000);
}

#[test]
fn seed_error_response_round_trips() {
    let envelope: Envelope<Order> = round_trip(json!({
        "ok": false,
        "error_code": "VALIDATION_ERROR",
        "error_message": "quantity must be between 50 and 10000",
        "data": null
    }));
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
