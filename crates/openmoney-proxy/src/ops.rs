//! Liveness, readiness and metrics, and request metrics collection.

use std::borrow::Cow;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use openmoney_api::ErrorBody;
use serde_json::json;

use crate::auth::{client_addr, StaffUser};
use crate::db::Role;
use crate::error::{Error, Result};
use crate::metrics::method_label;
use crate::state::AppState;
use crate::upstream::UpstreamRequest;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "Operations", security(()),
    responses((status = 200, description = "Alive", body = Object)))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the store and the upstream's `/health` both answer.
#[utoipa::path(get, path = "/readyz", tag = "Operations", security(()),
    responses((status = 200, description = "Ready", body = Object),
        (status = 502, description = "The upstream does not answer", body = ErrorBody)))]
pub async fn readyz(State(app): State<AppState>) -> Result<Json<serde_json::Value>> {
    if !app.db.ping().await {
        return Err(Error::Internal("the store does not answer".into()));
    }
    let answer = app.upstream.send(UpstreamRequest::get("health".into())).await?;
    if !answer.status.is_success() {
        return Err(Error::UpstreamUnavailable);
    }
    Ok(Json(json!({"status": "ready"})))
}

/// Prometheus text; from loopback, or for admins.
#[utoipa::path(get, path = "/metrics", tag = "Operations", security((), ("session" = [])),
    responses((status = 200, description = "Metrics", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8")))]
pub async fn metrics(State(app): State<AppState>, request: Request) -> Result<Response> {
    let loopback = client_addr(&request).is_some_and(|a| a.ip().is_loopback());
    let admin = request.extensions().get::<StaffUser>().is_some_and(|u| u.role == Role::Admin);
    if !loopback && !admin {
        return Err(Error::Forbidden("metrics are for loopback or admins".into()));
    }
    let text = app.metrics.render();
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}

pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => Cow::Owned(path.as_str().to_owned()),
        None => Cow::Borrowed("static"),
    };
    let response = next.run(request).await;
    app.metrics.answered(method, route, response.status().as_u16(), started.elapsed());
    response
}
