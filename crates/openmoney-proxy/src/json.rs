//! JSON in and out, in the upstream's envelope.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use openmoney_api::Envelope;
use serde::de::DeserializeOwned;

use crate::error::Error;

pub fn ok<T>(data: T) -> Json<Envelope<T>> {
    Json(Envelope::Ok(data))
}

/// A JSON body; a wrong content type or malformed JSON is a 422, too large a body a 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> ApiJson<T> {
    pub async fn from_request(request: Request) -> Result<Self, Error> {
        match Json::<T>::from_request(request, &()).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejected(rejection)),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;
    async fn from_request(request: Request, _: &S) -> Result<Self, Error> {
        ApiJson::from_request(request).await
    }
}

fn innermost(err: &dyn std::error::Error) -> String {
    let mut source = err;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// The body stopped arriving (see `BODY_READ_TIMEOUT`).
fn timed_out(rejection: &JsonRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn rejected(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Error::Validation("Content-Type must be application/json".into()),
        JsonRejection::JsonSyntaxError(e) => Error::Validation(format!("malformed JSON: {}", innermost(&e))),
        JsonRejection::JsonDataError(e) => Error::Validation(format!("invalid body: {}", innermost(&e))),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        other if timed_out(&other) => Error::RequestTimeout,
        other => Error::Validation(format!("unreadable body: {}", other.body_text())),
    }
}
