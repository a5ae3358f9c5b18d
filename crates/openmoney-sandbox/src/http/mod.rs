//! HTTP: the API under `/api/v1`, the controls under `/sandbox/v1`, and what every
//! request goes through — authentication, the rate limit, faults and the request log.

mod balance;
mod catalog;
mod controls;
pub(crate) mod extract;
mod orders;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use openmoney_api::{Envelope, ErrorCode};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::faults::FaultAction;
use crate::server::ConnectionKill;
use crate::state::{AppState, RequestRecord};
use extract::Partner;

pub type ApiResult<T> = Result<Json<Envelope<T>>, ApiError>;

pub fn ok<T>(data: T) -> Json<Envelope<T>> {
    Json(Envelope::Ok(data))
}

/// The API's routes behind the key, the rate limit and the faults.
fn guarded() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orders::create_stars))
        .routes(routes!(orders::create_premium))
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::cancel_order))
        .routes(routes!(orders::by_memo))
        .routes(routes!(orders::by_reference))
        .routes(routes!(orders::stats))
        .routes(routes!(catalog::ton_rate))
        .routes(routes!(catalog::fee))
        .routes(routes!(catalog::estimate_stars))
        .routes(routes!(catalog::estimate_premium))
        .routes(routes!(catalog::recipient_stars))
        .routes(routes!(catalog::recipient_premium))
        .routes(routes!(balance::balance))
        .routes(routes!(balance::transactions))
}

/// The API's routes (below `/api/v1`), `guard` applied to those behind the key, and their
/// OpenAPI document.
fn api(
    guard: impl FnOnce(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, document) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(guard(guarded()))
        .routes(routes!(catalog::health))
        .split_for_parts();
    (api, crate::openapi::finish(document))
}

/// The OpenAPI document of `/api/v1`, as the sandbox serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    api(|routes| routes).1
}

/// The whole sandbox: API, OpenAPI document, controls and fallbacks.
pub fn router(app: AppState) -> Router {
    let (api, document) = api(|routes| routes.route_layer(middleware::from_fn_with_state(app.clone(), api_gate)));
    let api = api.route("/openapi.json", get(move || async move { Json(document) }));
    let controls = controls::router().route_layer(middleware::from_fn_with_state(app.clone(), control_gate));
    Router::new()
        .nest(openmoney_api::API_PREFIX, api)
        .nest(openmoney_api::sandbox::SANDBOX_PREFIX, controls)
        .fallback(not_found)
        .layer(middleware::map_response(envelope_for_bare_errors))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn_with_state(app.clone(), log_request))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::not_found("route")
}

/// axum answers a wrong method with a bare 405 (and its `Allow` header); give it the
/// envelope like every other error.
async fn envelope_for_bare_errors(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED || response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let body = ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed on this path").into_response();
    let (body_parts, body) = body.into_parts();
    parts.headers.extend(body_parts.headers);
    Response::from_parts(parts, body)
}

/// Authentication and the per-key rate limit, shared by the API and the controls.
fn admit(app: &AppState, request: &mut Request) -> Result<usize, ApiError> {
    let partner = app.authenticate(request.headers())?;
    request.extensions_mut().insert(Partner(partner));
    app.check_rate(partner)?;
    Ok(partner)
}

fn tagged(mut response: Response, partner: usize) -> Response {
    response.extensions_mut().insert(Partner(partner));
    response
}

async fn api_gate(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let partner = match admit(&app, &mut request) {
        Ok(p) => p,
        Err(err) => return err.into_response(),
    };
    if let Some(slot) = request.extensions().get::<PartnerSlot>() {
        slot.0.store(partner, Ordering::Relaxed);
    }
    let method = request.method().as_str().to_owned();
    let fault = app.store().partner_mut(partner).faults.pick(&method, request.uri().path());
    let kill = request.extensions().get::<ConnectionKill>().cloned();
    let response = match fault {
        None => next.run(request).await,
        Some(FaultAction::Error(status)) => {
            let code = if status == 503 { ErrorCode::ServiceUnavailable } else { ErrorCode::InternalError };
            let mut response = ApiError::new(code, "the service is temporarily unavailable").into_response();
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            response
        }
        Some(FaultAction::Stall(seconds)) => {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(seconds))).await;
            next.run(request).await
        }
        Some(FaultAction::Reset) => return reset(kill).await,
        Some(FaultAction::LoseResponse) => {
            let _done = next.run(request).await;
            return reset(kill).await;
        }
    };
    tagged(response, partner)
}

/// Resets the connection; never answers. Outside the sandbox's own server (no connection
/// to kill) it answers 502 instead.
async fn reset(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(kill) => {
            kill.kill();
            std::future::pending::<Response>().await
        }
        None => ApiError::new(ErrorCode::UpstreamUnavailable, "connection reset").into_response(),
    }
}

async fn control_gate(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    match admit(&app, &mut request) {
        Ok(partner) => tagged(next.run(request).await, partner),
        Err(err) => err.into_response(),
    }
}

fn record_of(request: &Request) -> RequestRecord {
    RequestRecord {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        status: 0,
        idempotency_key: request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned),
        partner: None,
    }
}

/// The partner of a request, once known, for a log entry written without a response.
#[derive(Clone)]
struct PartnerSlot(Arc<AtomicUsize>);

/// A request's log entry. One that ends without an answer (a reset, or a client that gave
/// up on a stall) is logged when dropped, with status 0.
struct Entry {
    app: AppState,
    record: Option<RequestRecord>,
    partner: PartnerSlot,
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            let partner = Some(self.partner.0.load(Ordering::Relaxed)).filter(|&p| p != usize::MAX);
            self.app.log.record(RequestRecord { partner, ..record });
        }
    }
}

async fn log_request(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    app.log.arrive();
    let partner = PartnerSlot(Arc::new(AtomicUsize::new(usize::MAX)));
    request.extensions_mut().insert(partner.clone());
    let mut entry = Entry { record: Some(record_of(&request)), app, partner };
    let response = next.run(request).await;
    if let Some(record) = entry.record.take() {
        let partner = response.extensions().get::<Partner>().map(|p| p.0);
        entry.app.log.record(RequestRecord { status: response.status().as_u16(), partner, ..record });
    }
    response
}
