//! CSRF defence for every request that changes something: a custom header no cross-site
//! form can send, a same-origin `Origin` (or `Sec-Fetch-Site`), and, once signed in, the
//! session's token in `X-CSRF-Token`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::StaffUser;
use crate::error::Error;
use crate::state::AppState;

pub const REQUESTED_WITH: &str = "x-requested-with";
pub const REQUESTED_WITH_VALUE: &str = "openmoney-console";
pub const CSRF_HEADER: &str = "x-csrf-token";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn same_origin(app: &AppState, headers: &HeaderMap) -> bool {
    if let Some(origin) = header(headers, header::ORIGIN.as_str()) {
        return match &app.config.public_origin {
            Some(expected) => origin == expected,
            None => header(headers, header::HOST.as_str())
                .is_some_and(|host| origin == format!("http://{host}") || origin == format!("https://{host}")),
        };
    }
    header(headers, "sec-fetch-site") == Some("same-origin")
}

pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    if header(headers, REQUESTED_WITH) != Some(REQUESTED_WITH_VALUE) {
        return Error::Forbidden("the request must come from the console (X-Requested-With)".into()).into_response();
    }
    if !same_origin(&app, headers) {
        return Error::Forbidden("cross-origin requests are refused".into()).into_response();
    }
    let signing_in = request.uri().path() == "/auth/login";
    if let Some(user) = request.extensions().get::<StaffUser>().filter(|_| !signing_in) {
        let sent = header(headers, CSRF_HEADER).unwrap_or_default();
        if !bool::from(sent.as_bytes().ct_eq(user.csrf_token.as_bytes())) {
            return Error::Forbidden("missing or wrong CSRF token".into()).into_response();
        }
    }
    next.run(request).await
}
