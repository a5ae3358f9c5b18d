//! The proxy's one error type, written as the upstream's error envelope so the console
//! reads every failure the same way.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use openmoney_api::{Envelope, ErrorBody, ErrorCode};

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body is too large")]
    PayloadTooLarge,
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("{message}")]
    RateLimited { retry_after: u64, message: String },
    #[error("the upstream API did not answer in time")]
    UpstreamTimeout,
    #[error("the upstream API is unavailable")]
    UpstreamUnavailable,
    #[error("internal error")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unauthenticated | Error::InvalidCredentials => ErrorCode::Unauthorized,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::Validation(_) => ErrorCode::ValidationError,
            Error::Conflict(_) => ErrorCode::InvalidState,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::RequestTimeout => ErrorCode::RequestTimeout,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::UpstreamTimeout => ErrorCode::UpstreamTimeout,
            Error::UpstreamUnavailable => ErrorCode::UpstreamUnavailable,
            Error::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }

    /// The whole story, for the operator's log or terminal: an internal error's cause, which
    /// its `Display` keeps from clients, or the message itself.
    pub fn detail(&self) -> String {
        match self {
            Error::Internal(cause) => cause.clone(),
            other => other.to_string(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::internal(format!("database: {err}"))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let code = self.code();
        let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(Envelope::<()>::Err(ErrorBody::new(code, self.to_string())))).into_response();
        if let Error::RateLimited { retry_after, .. } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}
