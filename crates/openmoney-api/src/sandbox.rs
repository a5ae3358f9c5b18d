//! Controls of the sandbox (`/sandbox/v1`), which simulates the world outside the API:
//! TON payments, failures, top-ups, faults and the clock. The real API has none of these.

use serde::{Deserialize, Serialize};

use crate::{Order, Timestamp, Ton};

/// Path prefix of the sandbox controls.
pub const SANDBOX_PREFIX: &str = "/sandbox/v1";

/// How much a simulated payment sends, relative to the order price.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// Exactly `price_ton`.
    #[default]
    Exact,
    /// 90% of `price_ton`: the order stays unpaid.
    Under,
    /// 110% of `price_ton`: the order is paid and the excess is credited to the balance.
    Over,
}

/// Body of `POST /sandbox/v1/orders/{id}/pay`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatePayment {
    #[serde(default)]
    pub mode: PaymentMode,
    /// Send this amount instead of the one `mode` picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::simulated_amount))]
    pub amount_ton: Option<Ton>,
}

/// What a simulated payment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentOutcome {
    Paid,
    Underpaid,
    Overpaid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentResult {
    pub order: Order,
    pub outcome: PaymentOutcome,
    /// Everything received for the order so far.
    pub received_ton: Ton,
    /// An overpayment's excess, credited to the balance as an `adjustment`.
    pub credited_ton: Ton,
}

/// Body of `POST /sandbox/v1/orders/{id}/fail`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailOrder {
    #[serde(default)]
    pub reason: Option<String>,
}

/// The most TON one simulated payment or top-up may move.
pub const MAX_SIMULATED_TON: i64 = 1_000_000;

/// Body of `POST /sandbox/v1/balance/topup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopUp {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::simulated_amount))]
    pub amount_ton: Ton,
}

/// The kind of trouble a fault rule makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with an upstream 5xx (`status`, default 503) without doing anything.
    Error,
    /// Wait `stall_seconds` before handling the request.
    Stall,
    /// Reset the connection without doing anything.
    Reset,
    /// Handle the request fully, then reset the connection instead of answering.
    LoseResponse,
}

/// One fault rule: on a matching API request, fire with probability `percent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaultRule {
    pub kind: FaultKind,
    /// 0 to 100.
    pub percent: u8,
    /// Fire at most this many times, then stop.
    #[serde(default)]
    pub count: Option<u32>,
    /// Only requests with this method (`POST`).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path below `/api/v1` starts with this (`/orders`).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// For `stall`; default 5.
    #[serde(default)]
    pub stall_seconds: Option<u32>,
    /// For `error`: 500, 502, 503 or 504; default 503.
    #[serde(default)]
    pub status: Option<u16>,
}

/// Body and answer of `/sandbox/v1/faults`: the partner's fault rules, first match wins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaultSet {
    pub rules: Vec<FaultRule>,
}

/// Body of `POST /sandbox/v1/clock/advance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvanceClock {
    pub seconds: i64,
}

/// The sandbox clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockState {
    pub now: Timestamp,
    /// How far the clock has been moved ahead of real time.
    pub offset_seconds: i64,
}
