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

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use openmoney_api::OrderId;

use crate::auth::{cookie_in, SESSION_COOKIE};
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

/// What the hot path reads of a request's headers.
pub struct Head<'h> {
    session: Option<&'h str>,
    request_id: Option<&'h [u8]>,
}

/// The read a request asks for, when it is one the hot path answers the way the router
/// would, with what it needs of the headers (named as they came, in any case). A target
/// that is not a bare path, an order id the router would refuse, a query string, an SSO
/// header, or headers the router refuses: all are left to the router.
pub fn route<'h>(
    app: &AppState,
    method: &str,
    target: &str,
    headers: impl Iterator<Item = (&'h str, &'h [u8])>,
) -> Option<(Read, Head<'h>)> {
    if method != "GET" || target.contains('?') {
        return None;
    }
    let read = match FIXED.iter().find(|route| **route == target) {
        Some(route) => Read { route, order: None },
        None => {
            let id = target.strip_prefix(API)?.strip_prefix("/orders/")?;
            Read { route: ORDER_ROUTE, order: Some(forward::order_id(id).ok()?) }
        }
    };
    let sso = app.config.sso.as_ref().map(|sso| sso.header.as_str());
    let (mut head, mut size) = (Head { session: None, request_id: None }, 0);
    for (name, value) in headers {
        size += name.len() + value.len();
        if name.eq_ignore_ascii_case("cookie") {
            head.session = head.session.or_else(|| cookie_in(value, SESSION_COOKIE));
        } else if name.eq_ignore_ascii_case(REQUEST_ID.as_str()) {
            head.request_id = head.request_id.or(Some(value));
        } else if sso.is_some_and(|sso| name.eq_ignore_ascii_case(sso)) {
            return None;
        }
    }
    (size <= targets::HEADER_BYTES_MAX).then_some((read, head))
}

/// Answers a read that [`route`] picked, with the security headers.
pub async fn answer(app: &AppState, read: Read, head: Head<'_>) -> Response {
    let mut response = answer_bare(app, read, head).await;
    app.security.apply(true, response.headers_mut());
    response
}

/// Answers a read that [`route`] picked, without the security headers: the caller writes
/// them ([`crate::headers::Security::written`]). The request's log span is made only when
/// there is something to log (a failure), since making one costs more than the rest of
/// the proxy's work; the upstream call carries the request id for its own log lines.
pub async fn answer_bare(app: &AppState, read: Read, head: Head<'_>) -> Response {
    let started = Instant::now();
    let id = head.request_id.and_then(|id| HeaderValue::from_bytes(id).ok()).unwrap_or_else(|| app.request_ids.next());
    let path = || match read.order {
        Some(order) => format!("{API}/orders/{order}"),
        None => read.route.to_owned(),
    };
    let outcome = AssertUnwindSafe(respond(app, &read, head.session, &id)).catch_unwind().await;
    let span =
        || tracing::info_span!("request", method = "GET", path = %path(), request_id = %id.to_str().unwrap_or("-"));
    let mut response = match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => span().in_scope(|| err.into_response()),
        Err(_) => span().in_scope(|| Error::internal("a handler panicked").into_response()),
    };
    let (status, latency) = (response.status(), started.elapsed());
    if status.is_server_error() {
        span().in_scope(|| tracing::error!(classification = %status, ?latency, "response failed"));
    }
    response.headers_mut().insert(REQUEST_ID, id);
    app.metrics.answered(Cow::Borrowed("GET"), Cow::Borrowed(read.route), status.as_u16(), latency);
    response
}

async fn respond(app: &AppState, read: &Read, session: Option<&str>, id: &HeaderValue) -> Result<Response, Error> {
    if app.session_named(session).await?.is_none() {
        return Err(Error::Unauthenticated);
    }
    let path = match read.order {
        Some(id) => format!("orders/{id}"),
        None => read.route[API.len() + 1..].to_owned(),
    };
    let call = UpstreamRequest { request_id: Some(id.clone()), ..UpstreamRequest::get(path) };
    forward::read(app, call).await
}
