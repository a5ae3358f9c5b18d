//! Orders: creation requests, the order itself, list pages and the stats summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Currency, OrderStatus, OrderType, PaymentMethod, Timestamp, Ton};

/// Orders are numbered by the upstream (`10421`).
pub type OrderId = i64;

fn default_payment_method() -> PaymentMethod {
    PaymentMethod::TonMemo
}

fn default_currency() -> Currency {
    Currency::Ton
}

/// Body of `POST /orders/stars`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStarsOrder {
    /// Telegram username of the recipient; a leading `@` is ignored.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$"))]
    pub recipient_username: String,
    /// Number of Stars, 50 to 10000.
    #[cfg_attr(feature = "openapi", schema(minimum = 50, maximum = 10000))]
    #[serde(deserialize_with = "crate::json::whole_number")]
    pub quantity: i64,
    #[serde(default = "default_payment_method")]
    pub payment_method: PaymentMethod,
    #[serde(default = "default_currency")]
    pub payment_currency: Currency,
    /// The partner's own id for this order (invoice number, payment id), up to 128 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 128,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]+$"
        )
    )]
    pub client_reference: Option<String>,
}

/// Body of `POST /orders/premium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePremiumOrder {
    /// Telegram username of the recipient; a leading `@` is ignored.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$"))]
    pub recipient_username: String,
    /// Length of the subscription: 3, 6 or 12 months.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::months))]
    #[serde(deserialize_with = "crate::json::whole_number")]
    pub months: i64,
    #[serde(default = "default_payment_method")]
    pub payment_method: PaymentMethod,
    #[serde(default = "default_currency")]
    pub payment_currency: Currency,
    /// The partner's own id for this order (invoice number, payment id), up to 128 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 128,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]+$"
        )
    )]
    pub client_reference: Option<String>,
}

/// An order, as every order endpoint returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: OrderId,
    pub status: OrderStatus,
    pub order_type: OrderType,
    /// Stars orders only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars_amount: Option<u32>,
    /// Premium orders only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_months: Option<u8>,
    pub recipient_username: String,
    /// What the order costs, fee included.
    pub price_ton: Ton,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_currency: Option<Currency>,
    /// Where to send `price_ton` for a `ton_memo` order; `null` for a balance order.
    pub payment_address: Option<String>,
    /// The transfer comment that ties a payment to this order.
    pub payment_memo: Option<String>,
    /// The deadline for payment; `null` for a balance order.
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// Query of `GET /orders`. Every filter is optional; results are newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct OrderListQuery {
    pub status: Option<OrderStatus>,
    pub order_type: Option<OrderType>,
    #[cfg_attr(feature = "openapi", param(pattern = r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$"))]
    pub recipient_username: Option<String>,
    /// Orders created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Orders created before this instant.
    pub created_to: Option<Timestamp>,
    /// 1 to 100, default 20.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    /// Default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl OrderListQuery {
    /// The set parameters as query pairs, for building a URL.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        push(&mut pairs, "status", self.status.as_ref());
        push(&mut pairs, "order_type", self.order_type.as_ref());
        push(&mut pairs, "recipient_username", self.recipient_username.as_ref());
        push(&mut pairs, "created_from", self.created_from.as_ref());
        push(&mut pairs, "created_to", self.created_to.as_ref());
        push(&mut pairs, "limit", self.limit.as_ref());
        push(&mut pairs, "offset", self.offset.as_ref());
        pairs
    }
}

pub(crate) fn push(
    pairs: &mut Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&impl std::fmt::Display>,
) {
    if let Some(value) = value {
        pairs.push((name, value.to_string()));
    }
}

/// One page of a list: `{"items": […], "total", "limit", "offset"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// `GET /orders/stats/summary`: the partner's orders counted and totalled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsSummary {
    pub total_orders: u64,
    /// Count of orders per status; every known status is present.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u64>))]
    pub by_status: BTreeMap<OrderStatus, u64>,
    /// Count of orders per type; every known type is present.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u64>))]
    pub by_type: BTreeMap<OrderType, u64>,
    /// Stars in completed orders.
    pub completed_stars: u64,
    /// TON of completed orders.
    pub completed_ton: Ton,
    /// TON of orders awaiting payment.
    pub pending_ton: Ton,
    /// TON of refunded orders.
    pub refunded_ton: Ton,
}
