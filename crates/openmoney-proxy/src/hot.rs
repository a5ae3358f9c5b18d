//! The hot path: the reads staff make all day (one order, the balance and the other reads
//! without parameters), answered without the router's generic layers. For these requests
//! it does in line what those layers do: it refuses what they would refuse (by leaving it
//! to the router), checks the session, forwards through the same upstream client with its
//! timeouts, retries and governor, relays errors in the envelope, and sets the security
//! headers, the request id, the metrics and the request's log span. Everything else goes
//! through the router.

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, Method, Request};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use openmoney_api::OrderId;

use crate::error::Error;
use crate::forward::{self, API, FIXED};
use crate::headers::REQUEST_ID;
use crate::state::AppState;
use crate::targets;
use crate::upstream::UpstreamRequest;

const ORDER_ROUTE: &str = "/api/v1/orders/{id}";

/// A read the hot path answers.
pub struct Read {
    /// The route, as the router would name it in metrics.
    route: &'static str,
    order: Option<OrderId>,
}

/// The read a request asks for, when it is one the hot path answers the way the router
/// would. An order id the router would refuse, a query string, an SSO header, a target
/// or headers the router refuses: all are left to the router.
pub fn route<B>(app: &AppState, request: &Request<B>) -> Option<Read> {
    let uri = request.uri();
    if request.method() != Method::GET || uri.scheme().is_some() || uri.query().is_some() {
        return None;
    }
    let headers = request.headers();
    if app.config.sso.as_ref().is_some_and(|sso| headers.contains_key(sso.header.as_str()))
        || targets::headers_too_big(headers)
    {
        return None;
    }
    let path = uri.path();
    if let Some(route) = FIXED.iter().find(|route| **route == path) {
        return Some(Read { route, order: None });
    }
    let id = path.strip_prefix(API)?.strip_prefix("/orders/")?;
    let order = forward::order_id(id).ok()?;
    Some(Read { route: ORDER_ROUTE, order: Some(order) })
}

/// Answers a read that [`route`] picked. The request's log span is made only when there
/// is something to log (a failure), since making one costs more than the rest of the
/// proxy's work; the upstream call carries the request id for its own log lines.
pub async fn answer<B>(app: AppState, read: Read, request: Request<B>) -> Response {
    let started = Instant::now();
    let id = app.request_ids.of(request.headers());
    let path = request.uri().path();
    let outcome = AssertUnwindSafe(respond(&app, &read, request.headers(), &id)).catch_unwind().await;
    let span = || tracing::info_span!("request", method = "GET", %path, request_id = %id.to_str().unwrap_or("-"));
    let mut response = match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => span().in_scope(|| err.into_response()),
        Err(_) => span().in_scope(|| Error::internal("a handler panicked").into_response()),
    };
    let status = response.status();
    if status.is_server_error() {
        let latency = started.elapsed();
        span().in_scope(|| tracing::error!(classification = %status, ?latency, "response failed"));
    }
    let headers = response.headers_mut();
    app.security.apply(true, headers);
    headers.insert(REQUEST_ID, id);
    app.metrics.answered(Cow::Borrowed("GET"), Cow::Borrowed(read.route), status.as_u16(), started.elapsed());
    response
}

async fn respond(app: &AppState, read: &Read, headers: &HeaderMap, id: &HeaderValue) -> Result<Response, Error> {
    if app.session_of(headers).await?.is_none() {
        return Err(Error::Unauthenticated);
    }
    let path = match read.order {
        Some(id) => format!("orders/{id}"),
        None => read.route[API.len() + 1..].to_owned(),
    };
    let call = UpstreamRequest { request_id: Some(id.clone()), ..UpstreamRequest::get(path) };
    forward::read(app, call).await
}
