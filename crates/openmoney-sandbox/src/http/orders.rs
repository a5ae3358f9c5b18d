//! `/orders`: create (idempotent), read, list, look up, count and cancel.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use openmoney_api::{
    validate, CreatePremiumOrder, CreateStarsOrder, Envelope, ErrorCode, Order, OrderListQuery, OrderStatus, OrderType,
    Page, StatsSummary, Success, IDEMPOTENT_REPLAYED_HEADER,
};
use sha2::{Digest, Sha256};

use super::extract::{ApiJson, ApiQuery, IdempotencyKey, OrderIdPath, Partner};
use super::{ok, ApiResult};
use crate::error::{ApiError, Result};
use crate::pricing::Product;
use crate::state::AppState;
use crate::store::{Claim, OrderFilter, OrderSpec, PartnerId, StoredResponse};

/// Create a Stars order.
#[utoipa::path(post, path = "/orders/stars", tag = "Orders", request_body = CreateStarsOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any UUID; a retry with the same key returns the same order", pattern = r"^[!-~]{1,255}$")),
    responses((status = 200, description = "The new order", body = Success<Order>,
        headers(("Idempotent-Replayed" = String, description = "`true` when this replays an earlier response")))))]
pub async fn create_stars(
    State(app): State<AppState>,
    Partner(partner): Partner,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<CreateStarsOrder>,
) -> Result<Response> {
    let (recipient, quantity) = body.validate().map_err(ApiError::validation)?;
    let spec = OrderSpec {
        product: Product::Stars(quantity),
        recipient,
        method: body.payment_method.clone(),
        client_reference: body.client_reference.clone(),
    };
    create(&app, partner, key, fingerprint("stars", &body), spec).await
}

/// Create a Premium order (3, 6 or 12 months).
#[utoipa::path(post, path = "/orders/premium", tag = "Orders", request_body = CreatePremiumOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any UUID; a retry with the same key returns the same order", pattern = r"^[!-~]{1,255}$")),
    responses((status = 200, description = "The new order", body = Success<Order>,
        headers(("Idempotent-Replayed" = String, description = "`true` when this replays an earlier response")))))]
pub async fn create_premium(
    State(app): State<AppState>,
    Partner(partner): Partner,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<CreatePremiumOrder>,
) -> Result<Response> {
    let (recipient, months) = body.validate().map_err(ApiError::validation)?;
    let spec = OrderSpec {
        product: Product::Premium(months),
        recipient,
        method: body.payment_method.clone(),
        client_reference: body.client_reference.clone(),
    };
    create(&app, partner, key, fingerprint("premium", &body), spec).await
}

/// The request as parsed, so that a retry with other whitespace or field order is the same.
fn fingerprint(route: &str, body: &impl serde::Serialize) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(route.as_bytes());
    hash.update(serde_json::to_vec(body).unwrap_or_default());
    hash.finalize().into()
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Frees a claimed key if the create stops before it stored a response (an error, or the
/// client went away and the handler was dropped).
struct ClaimGuard<'a> {
    app: &'a AppState,
    partner: PartnerId,
    key: &'a str,
    settled: bool,
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.app.store().partner_mut(self.partner).idempotency.release(self.key);
        }
    }
}

async fn create(
    app: &AppState,
    partner: PartnerId,
    key: Option<String>,
    fingerprint: [u8; 32],
    spec: OrderSpec,
) -> Result<Response> {
    let Some(key) = key else {
        let order = app.store().create_order(partner, spec, app.now())?;
        return Ok(ok(order).into_response());
    };
    let claim = app.store().partner_mut(partner).idempotency.claim(&key, fingerprint, app.now());
    match claim {
        Claim::Fresh => {}
        Claim::Replay(stored) => {
            let mut response = json_response(stored.status, stored.body);
            response.headers_mut().insert(IDEMPOTENT_REPLAYED_HEADER, HeaderValue::from_static("true"));
            return Ok(response);
        }
        Claim::InUse => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInUse,
                "a request with this Idempotency-Key is still being processed; retry shortly",
            ))
        }
        Claim::Reused => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different request",
            ))
        }
    }
    let mut guard = ClaimGuard { app, partner, key: &key, settled: false };
    if !app.create_latency.is_zero() {
        tokio::time::sleep(app.create_latency).await;
    }
    let mut store = app.store();
    let now = app.now();
    let order = store.create_order(partner, spec, now)?;
    let body = serde_json::to_vec(&Envelope::Ok(&order))
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "internal error"))?;
    store.partner_mut(partner).idempotency.complete(&key, StoredResponse { status: 200, body: body.clone() }, now);
    drop(store);
    guard.settled = true;
    Ok(json_response(200, body))
}

/// Get an order by id.
#[utoipa::path(get, path = "/orders/{id}", tag = "Orders",
    params(("id" = i64, Path, description = "Order id", minimum = 1)),
    responses((status = 200, description = "The order", body = Success<Order>),
        (status = 404, description = "No such order for this key", body = openmoney_api::ErrorBody)))]
pub async fn get_order(
    State(app): State<AppState>,
    Partner(partner): Partner,
    OrderIdPath(id): OrderIdPath,
) -> ApiResult<Order> {
    let order = app.store().order(partner, id, app.now())?;
    Ok(ok(order))
}

/// List orders, newest first.
#[utoipa::path(get, path = "/orders", tag = "Orders", params(OrderListQuery),
    responses((status = 200, description = "One page of orders", body = Success<Page<Order>>)))]
pub async fn list_orders(
    State(app): State<AppState>,
    Partner(partner): Partner,
    ApiQuery(query): ApiQuery<OrderListQuery>,
) -> ApiResult<Page<Order>> {
    let limit = validate::limit(query.limit).map_err(ApiError::validation)?;
    let offset = validate::offset(query.offset).map_err(ApiError::validation)?;
    let recipient = match query.recipient_username.as_deref() {
        Some(name) => Some(validate::username(name).map_err(ApiError::validation)?),
        None => None,
    };
    require_known("status", query.status.as_ref().is_none_or(|s| s.is_known()), OrderStatus::known_list())?;
    require_known("order_type", query.order_type.as_ref().is_none_or(|t| t.is_known()), OrderType::known_list())?;
    let filter = OrderFilter {
        status: query.status,
        order_type: query.order_type,
        recipient,
        created_from: query.created_from.map(|t| t.unix_millis()),
        created_to: query.created_to.map(|t| t.unix_millis()),
    };
    Ok(ok(app.store().list_orders(partner, &filter, limit, offset, app.now())))
}

/// Find an order by its payment memo.
#[utoipa::path(get, path = "/orders/by-memo/{memo}", tag = "Orders",
    params(("memo" = String, Path, description = "payment_memo of the order", pattern = r"^[A-Za-z0-9_-]{1,64}$")),
    responses((status = 200, description = "The order", body = Success<Order>),
        (status = 404, description = "No such order for this key", body = openmoney_api::ErrorBody)))]
pub async fn by_memo(
    State(app): State<AppState>,
    Partner(partner): Partner,
    Path(memo): Path<String>,
) -> ApiResult<Order> {
    validate::memo(&memo).map_err(|_| ApiError::not_found("order"))?;
    Ok(ok(app.store().order_by_memo(partner, &memo, app.now())?))
}

/// Every order linked to a client_reference, newest first (empty when none).
#[utoipa::path(get, path = "/orders/by-reference/{ref}", tag = "Orders",
    params(("ref" = String, Path, description = "client_reference given at creation", min_length = 1, max_length = 128, pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]+$")),
    responses((status = 200, description = "The orders", body = Success<Vec<Order>>)))]
pub async fn by_reference(
    State(app): State<AppState>,
    Partner(partner): Partner,
    Path(reference): Path<String>,
) -> ApiResult<Vec<Order>> {
    validate::client_reference(&reference).map_err(ApiError::validation)?;
    Ok(ok(app.store().orders_by_reference(partner, &reference, app.now())))
}

/// Counts by status and type, and totals in TON.
#[utoipa::path(get, path = "/orders/stats/summary", tag = "Orders",
    responses((status = 200, description = "The summary", body = Success<StatsSummary>)))]
pub async fn stats(State(app): State<AppState>, Partner(partner): Partner) -> ApiResult<StatsSummary> {
    Ok(ok(app.store().stats(partner, app.now())))
}

/// Cancel an order in pending_payment.
#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "Orders",
    params(("id" = i64, Path, description = "Order id", minimum = 1)),
    responses((status = 200, description = "The cancelled order", body = Success<Order>),
        (status = 404, description = "No such order for this key", body = openmoney_api::ErrorBody),
        (status = 409, description = "The order is not pending_payment", body = openmoney_api::ErrorBody)))]
pub async fn cancel_order(
    State(app): State<AppState>,
    Partner(partner): Partner,
    OrderIdPath(id): OrderIdPath,
) -> ApiResult<Order> {
    Ok(ok(app.store().cancel_order(partner, id, app.now())?))
}

/// A filter value this API does not know would match nothing: say so instead.
pub(super) fn require_known(name: &str, known: bool, list: String) -> Result<()> {
    if known {
        Ok(())
    } else {
        Err(ApiError::validation(format!("{name} must be one of: {list}")))
    }
}
