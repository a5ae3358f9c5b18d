//! Pricing, recipients and health: what can be bought, by whom, and at what price.

use axum::extract::State;
use openmoney_api::{
    validate, Estimate, FeeInfo, Health, HealthStatus, PremiumEstimateQuery, PremiumLimits, RecipientCheck,
    RecipientQuery, StarsEstimateQuery, StarsLimits, Success, Timestamp, TonRate,
};

use super::extract::{ApiQuery, Partner};
use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::pricing::{self, Product};
use crate::recipients;
use crate::state::AppState;

/// Current TON/USD rate.
#[utoipa::path(get, path = "/pricing/ton-rate", tag = "Pricing",
    responses((status = 200, description = "The rate", body = Success<TonRate>)))]
pub async fn ton_rate(State(app): State<AppState>, _: Partner) -> ApiResult<TonRate> {
    let config = &app.store().pricing;
    Ok(ok(pricing::ton_rate(config, app.now())))
}

/// Service fee, limits and the order TTL.
#[utoipa::path(get, path = "/pricing/fee", tag = "Pricing",
    responses((status = 200, description = "Fees and limits", body = Success<FeeInfo>)))]
pub async fn fee(State(app): State<AppState>, _: Partner) -> ApiResult<FeeInfo> {
    let store = app.store();
    Ok(ok(FeeInfo {
        fee_percent: store.pricing.fee_percent,
        stars: StarsLimits { min: validate::STARS_MIN as u32, max: validate::STARS_MAX as u32 },
        premium: PremiumLimits { months: store.pricing.premium_usd.keys().copied().collect() },
        order_ttl_seconds: (store.lifecycle.order_ttl_millis / 1000) as u64,
    }))
}

fn estimate(app: &AppState, product: Product) -> ApiResult<Estimate> {
    let store = app.store();
    let estimate = pricing::estimate(&store.pricing, product, app.now())
        .ok_or_else(|| ApiError::validation("no price for this product"))?;
    Ok(ok(estimate))
}

/// Price of a Stars order created now.
#[utoipa::path(get, path = "/pricing/estimate/stars", tag = "Pricing", params(StarsEstimateQuery),
    responses((status = 200, description = "The estimate", body = Success<Estimate>)))]
pub async fn estimate_stars(
    State(app): State<AppState>,
    _: Partner,
    ApiQuery(query): ApiQuery<StarsEstimateQuery>,
) -> ApiResult<Estimate> {
    let quantity = validate::quantity(query.quantity).map_err(ApiError::validation)?;
    estimate(&app, Product::Stars(quantity))
}

/// Price of a Premium order created now.
#[utoipa::path(get, path = "/pricing/estimate/premium", tag = "Pricing", params(PremiumEstimateQuery),
    responses((status = 200, description = "The estimate", body = Success<Estimate>)))]
pub async fn estimate_premium(
    State(app): State<AppState>,
    _: Partner,
    ApiQuery(query): ApiQuery<PremiumEstimateQuery>,
) -> ApiResult<Estimate> {
    let months = validate::months(query.months).map_err(ApiError::validation)?;
    estimate(&app, Product::Premium(months))
}

fn recipient(app: &AppState, username: &str, premium: bool) -> ApiResult<RecipientCheck> {
    let name = validate::username(username).map_err(ApiError::validation)?;
    Ok(ok(recipients::check(&app.store().recipients, &name, premium)))
}

/// Can this username receive Stars.
#[utoipa::path(get, path = "/recipients/stars", tag = "Recipients", params(RecipientQuery),
    responses((status = 200, description = "The check", body = Success<RecipientCheck>)))]
pub async fn recipient_stars(
    State(app): State<AppState>,
    _: Partner,
    ApiQuery(query): ApiQuery<RecipientQuery>,
) -> ApiResult<RecipientCheck> {
    recipient(&app, &query.username, false)
}

/// Can this username receive Premium.
#[utoipa::path(get, path = "/recipients/premium", tag = "Recipients", params(RecipientQuery),
    responses((status = 200, description = "The check", body = Success<RecipientCheck>)))]
pub async fn recipient_premium(
    State(app): State<AppState>,
    _: Partner,
    ApiQuery(query): ApiQuery<RecipientQuery>,
) -> ApiResult<RecipientCheck> {
    recipient(&app, &query.username, true)
}

/// Service health probe; needs no key.
#[utoipa::path(get, path = "/health", tag = "Health", security(()),
    responses((status = 200, description = "The service is up", body = Success<Health>)))]
pub async fn health(State(app): State<AppState>) -> ApiResult<Health> {
    Ok(ok(Health { status: HealthStatus::Ok, time: Timestamp::from_unix_millis(app.now()) }))
}
