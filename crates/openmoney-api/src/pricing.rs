//! Pricing: the TON/USD rate, fees and limits, and price estimates.

use serde::{Deserialize, Serialize};

use crate::{Decimal, Timestamp, Ton};

/// `GET /pricing/ton-rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TonRate {
    /// USD for one TON.
    pub ton_usd: Decimal,
    pub updated_at: Timestamp,
}

/// `GET /pricing/fee`: the service fee and the limits of what can be ordered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeInfo {
    /// Service fee, in percent of the USD price, included in `price_ton`.
    pub fee_percent: Decimal,
    pub stars: StarsLimits,
    pub premium: PremiumLimits,
    /// How long a `ton_memo` order waits for payment.
    pub order_ttl_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StarsLimits {
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PremiumLimits {
    pub months: Vec<u8>,
}

/// `GET /pricing/estimate/stars` and `/premium`: what an order created now would cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Estimate {
    /// The price in TON, fee included; equal to `price_ton` of an order created now.
    pub price_ton: Ton,
    /// The price in USD, fee included.
    pub price_usd: Decimal,
    pub ton_usd_rate: Decimal,
    /// The part of `price_ton` that is the service fee.
    pub fee_ton: Ton,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StarsEstimateQuery {
    /// Number of Stars, 50 to 10000.
    #[cfg_attr(feature = "openapi", param(minimum = 50, maximum = 10000))]
    pub quantity: i64,
}

/// Its OpenAPI parameters are written by hand (`openapi.rs`): a required enum of integers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PremiumEstimateQuery {
    /// 3, 6 or 12.
    pub months: i64,
}
