//! Liveness, readiness and metrics, and request metrics collection.

use std::borrow::Cow;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
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

/// How long readiness waits for the upstream's `/health`.
const UPSTREAM_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Ready when the proxy's own store answers. The upstream's state and the files read
/// while running are in the body (and the upstream's in `/metrics`), but do not fail
/// readiness: an upstream outage hits every replica at once, and a load balancer that
/// dropped them all would hide the console's own "TheOpenMoney is unavailable" message.
#[utoipa::path(get, path = "/readyz", tag = "Operations", security(()),
    responses((status = 200, description = "Ready: the store answers", body = Object),
        (status = 503, description = "Not ready: the store does not answer", body = Object)))]
pub async fn readyz(State(app): State<AppState>) -> Response {
    let store = app.db.ping().await;
    let upstream =
        match tokio::time::timeout(UPSTREAM_CHECK, app.upstream.send(UpstreamRequest::get("health".into()))).await {
            Ok(Ok(answer)) if answer.status.is_success() => "ok".to_owned(),
            Ok(Ok(answer)) => format!("answered {}", answer.status.as_u16()),
            Ok(Err(err)) => err.code().to_string(),
            Err(_) => "no answer in time".to_owned(),
        };
    app.metrics.upstream_up.set(i64::from(upstream == "ok"));
    let body = json!({
        "status": if store { "ready" } else { "not_ready" },
        "store": if store { "ok" } else { "no answer" },
        "upstream": upstream,
        "files": app.reloads.status(),
    });
    let status = if store { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
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
