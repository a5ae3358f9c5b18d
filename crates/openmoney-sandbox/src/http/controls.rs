//! `/sandbox/v1`: the world outside the API, simulated. Same bearer as the API; a partner
//! only ever touches its own orders and balance.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use openmoney_api::sandbox::{AdvanceClock, ClockState, FailOrder, FaultSet, PaymentResult, SimulatePayment, TopUp};
use openmoney_api::{Order, Timestamp, Transaction};

use super::extract::{ApiJson, OptionalJson, OrderIdPath, Partner};
use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::faults;
use crate::state::{AppState, RequestRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/pay", post(pay))
        .route("/orders/{id}/fail", post(fail))
        .route("/balance/topup", post(topup))
        .route("/faults", get(get_faults).put(put_faults).delete(clear_faults))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/requests", get(requests))
}

async fn pay(
    State(app): State<AppState>,
    Partner(partner): Partner,
    OrderIdPath(id): OrderIdPath,
    OptionalJson(payment): OptionalJson<SimulatePayment>,
) -> ApiResult<PaymentResult> {
    Ok(ok(app.store().simulate_payment(partner, id, &payment, app.now())?))
}

async fn fail(
    State(app): State<AppState>,
    Partner(partner): Partner,
    OrderIdPath(id): OrderIdPath,
    OptionalJson(_reason): OptionalJson<FailOrder>,
) -> ApiResult<Order> {
    Ok(ok(app.store().fail_order(partner, id, app.now())?))
}

async fn topup(
    State(app): State<AppState>,
    Partner(partner): Partner,
    ApiJson(body): ApiJson<TopUp>,
) -> ApiResult<Transaction> {
    Ok(ok(app.store().topup(partner, body.amount_ton, app.now())?))
}

async fn get_faults(State(app): State<AppState>, Partner(partner): Partner) -> ApiResult<FaultSet> {
    Ok(ok(FaultSet { rules: app.store().partner(partner).faults.rules() }))
}

async fn put_faults(
    State(app): State<AppState>,
    Partner(partner): Partner,
    ApiJson(body): ApiJson<FaultSet>,
) -> ApiResult<FaultSet> {
    faults::validate(&body.rules).map_err(ApiError::validation)?;
    let mut store = app.store();
    let state = &mut store.partner_mut(partner).faults;
    state.set(body.rules);
    Ok(ok(FaultSet { rules: state.rules() }))
}

async fn clear_faults(State(app): State<AppState>, Partner(partner): Partner) -> ApiResult<FaultSet> {
    app.store().partner_mut(partner).faults.set(Vec::new());
    Ok(ok(FaultSet::default()))
}

fn clock_state(app: &AppState) -> ClockState {
    ClockState { now: Timestamp::from_unix_millis(app.now()), offset_seconds: app.clock.offset_millis() / 1000 }
}

async fn clock(State(app): State<AppState>, _: Partner) -> ApiResult<ClockState> {
    Ok(ok(clock_state(&app)))
}

/// Moves the sandbox clock ahead, for every partner: TTLs run out, orders complete.
async fn advance_clock(
    State(app): State<AppState>,
    _: Partner,
    ApiJson(body): ApiJson<AdvanceClock>,
) -> ApiResult<ClockState> {
    if !(1..=30 * 24 * 3600).contains(&body.seconds) {
        return Err(ApiError::validation("seconds must be between 1 and 2592000"));
    }
    app.clock.advance_millis(body.seconds * 1000);
    Ok(ok(clock_state(&app)))
}

/// The last requests this partner sent to the API.
async fn requests(State(app): State<AppState>, Partner(partner): Partner) -> ApiResult<Vec<RequestRecord>> {
    let mine = app.log.recent().into_iter().filter(|r| r.partner == Some(partner)).collect();
    Ok(ok(mine))
}
