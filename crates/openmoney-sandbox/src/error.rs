//! The one error type of the sandbox, written as the upstream's error envelope.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use openmoney_api::{Envelope, ErrorBody, ErrorCode};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
    /// For 401: the `error` of `WWW-Authenticate`.
    pub bearer_error: Option<&'static str>,
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), retry_after: None, bearer_error: None }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::ValidationError, message)
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidState, message)
    }

    pub fn unauthorized(message: &str, bearer_error: Option<&'static str>) -> Self {
        ApiError { bearer_error, ..ApiError::new(ErrorCode::Unauthorized, message) }
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError { retry_after: Some(retry_after), ..ApiError::new(ErrorCode::RateLimited, "rate limit exceeded") }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Envelope::<()>::Err(ErrorBody::new(self.code, self.message));
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            let challenge = match self.bearer_error {
                Some(error) => format!("Bearer realm=\"openmoney\", error=\"{error}\""),
                None => "Bearer realm=\"openmoney\"".to_owned(),
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}
