//! Strict checks of everything the proxy forwards: path parameters, query strings and
//! bodies are parsed into known shapes and rebuilt, never passed through.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use openmoney_api::{validate, OrderId, IDEMPOTENCY_KEY_HEADER};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Everything but RFC 3986 unreserved characters is encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `{id}`: a positive integer, or the order does not exist (404, nothing forwarded).
pub struct OrderIdParam(pub OrderId);

impl<S: Send + Sync> FromRequestParts<S> for OrderIdParam {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| Error::NotFound("order"))?;
        order_id(&raw).map(OrderIdParam)
    }
}

/// An order id from a path: digits only, positive, or no such order.
pub fn order_id(raw: &str) -> Result<OrderId, Error> {
    let valid = !raw.is_empty() && raw.len() <= 18 && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<OrderId>() {
        Ok(id) if valid && id > 0 => Ok(id),
        _ => Err(Error::NotFound("order")),
    }
}

/// A payment memo: a short token.
pub fn memo(raw: &str) -> Result<String, Error> {
    validate::memo(raw).map_err(|_| Error::NotFound("order"))?;
    Ok(raw.to_owned())
}

/// A client_reference that can be looked up ([`validate::reference_lookup`]), re-encoded
/// for the upstream path.
pub fn reference(raw: &str) -> Result<String, Error> {
    validate::reference_lookup(raw).map_err(Error::Validation)?;
    Ok(utf8_percent_encode(raw, SEGMENT).to_string())
}

/// A query parsed into its known shape; anything unreadable is a 422.
pub struct KnownQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for KnownQuery<T> {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| KnownQuery(q))
            .map_err(|e| Error::Validation(format!("invalid query: {}", e.body_text())))
    }
}

/// The Idempotency-Key every create must carry.
pub fn idempotency_key(headers: &HeaderMap) -> Result<String, Error> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Err(Error::BadRequest("an order create must carry an Idempotency-Key header".into()));
    };
    let key = value.to_str().map_err(|_| Error::BadRequest("Idempotency-Key must be visible ASCII".into()))?;
    validate::idempotency_key(key).map_err(Error::BadRequest)?;
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_reencoded_and_separators_refused() {
        assert_eq!(reference("invoice-42").unwrap(), "invoice-42");
        assert_eq!(reference("inv 42?x=1#y").unwrap(), "inv%2042%3Fx%3D1%23y");
        assert_eq!(reference("счёт-1").unwrap(), "%D1%81%D1%87%D1%91%D1%82-1");
        assert!(reference("../balance").is_err());
        assert!(reference("a\\b").is_err());
        assert!(reference("..").is_err());
        assert!(reference(&"r".repeat(129)).is_err());
        assert!(reference("line\nbreak").is_err());
    }

    #[test]
    fn memos_are_short_tokens() {
        assert!(memo("STARS-a1b2c3").is_ok());
        assert!(memo("STARS%2F..").is_err());
        assert!(memo("").is_err());
    }
}
