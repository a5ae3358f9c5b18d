//! Extractors that turn every malformed input into the API's own error envelope.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use openmoney_api::{validate, ErrorCode, OrderId, IDEMPOTENCY_KEY_HEADER};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::store::PartnerId;

/// The partner whose key authenticated the request (set by the gate).
#[derive(Debug, Clone, Copy)]
pub struct Partner(pub PartnerId);

impl<S: Send + Sync> FromRequestParts<S> for Partner {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Partner>().copied().ok_or_else(|| ApiError::unauthorized("missing bearer token", None))
    }
}

/// A JSON body; a wrong content type or malformed JSON is a 422, a huge body a 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::validation("Content-Type must be application/json"),
        JsonRejection::JsonSyntaxError(err) => ApiError::validation(format!("malformed JSON: {}", inner_message(&err))),
        JsonRejection::JsonDataError(err) => ApiError::validation(format!("invalid body: {}", inner_message(&err))),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large")
        }
        other => ApiError::validation(format!("unreadable body: {}", other.body_text())),
    }
}

/// The serde message, without axum's "Failed to deserialize…" preamble.
fn inner_message(err: &dyn std::error::Error) -> String {
    let mut source: &dyn std::error::Error = err;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// Query parameters; anything unreadable is a 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(err)) => {
                Err(ApiError::validation(format!("invalid query: {}", inner_message(&err))))
            }
            Err(other) => Err(ApiError::validation(format!("invalid query: {}", other.body_text()))),
        }
    }
}

/// `{id}` of an order path. An id that is not a positive integer names no order: 404.
pub struct OrderIdPath(pub OrderId);

impl<S: Send + Sync> FromRequestParts<S> for OrderIdPath {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::not_found("order"))?;
        match raw.parse::<OrderId>() {
            Ok(id) if id > 0 => Ok(OrderIdPath(id)),
            _ => Err(ApiError::not_found("order")),
        }
    }
}

/// The `Idempotency-Key` header, if sent; a malformed one is a 422.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY_HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let key = value.to_str().map_err(|_| ApiError::validation("Idempotency-Key must be visible ASCII"))?;
        validate::idempotency_key(key).map_err(ApiError::validation)?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}

/// A JSON body that may be left out entirely, which means `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req.headers().get(axum::http::header::CONTENT_LENGTH).is_some_and(|v| v == "0")
            || (req.headers().get(axum::http::header::CONTENT_TYPE).is_none()
                && !req.headers().contains_key(axum::http::header::TRANSFER_ENCODING)
                && !req.headers().contains_key(axum::http::header::CONTENT_LENGTH));
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::<T>::from_request(req, state).await.map(|ApiJson(value)| OptionalJson(value))
    }
}
