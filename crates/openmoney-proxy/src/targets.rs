//! Request targets that try to trick a path-based allow-list are refused before routing:
//! absolute-URI targets, encoded separators and dots, doubled or back slashes, dot
//! segments and encoded control characters.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// Encoded dots, slashes, backslashes and percent signs (against double decoding).
const ENCODED: [&str; 4] = ["%2e", "%2f", "%5c", "%25"];

pub fn is_tricky(request: &Request) -> bool {
    let uri = request.uri();
    if uri.scheme().is_some() || uri.authority().is_some() {
        return true;
    }
    let path = uri.path();
    let lower = path.to_ascii_lowercase();
    path.contains("//")
        || path.contains('\\')
        || ENCODED.iter().any(|e| lower.contains(e))
        || path.split('/').any(|segment| segment == "." || segment == "..")
        // Raw or percent-encoded: any ASCII control character (U+0000–U+001F, U+007F).
        || percent_encoding::percent_decode_str(path).any(|b| b.is_ascii_control())
}

/// The request headers the proxy reads, all together; the console sends under 2 KiB.
pub const HEADER_BYTES_MAX: usize = 32 * 1024;

/// Whether the request's headers are over [`HEADER_BYTES_MAX`] all together.
pub fn headers_too_big(headers: &axum::http::HeaderMap) -> bool {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum::<usize>() > HEADER_BYTES_MAX
}

pub async fn refuse_tricky_targets(request: Request, next: Next) -> Response {
    if is_tricky(&request) {
        return Error::BadRequest("this request target is not allowed".into()).into_response();
    }
    if headers_too_big(request.headers()) {
        return Error::BadRequest(format!("request headers are over {} KiB", HEADER_BYTES_MAX / 1024)).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tricky(target: &str) -> bool {
        is_tricky(&Request::builder().uri(target).body(axum::body::Body::empty()).unwrap())
    }

    #[test]
    fn traversal_and_relay_targets_are_refused() {
        for target in [
            "/api/v1/orders/%2e%2e/balance",
            "/api/v1/orders/by-reference/a%2Fb",
            "/api/v1/orders/by-reference/%252e%252e",
            "//evil.example/api/v1/balance",
            "/api/v1/../v1/balance",
            "/api/v1/./balance",
            "http://evil.example/api/v1/balance",
            "/api/v1/orders/by-memo/x%0d%0aHost:evil",
            "/api/v1/orders/by-reference/a%05b",
            "/api/v1/orders/by-reference/a%7Fb",
            "/api\\v1/balance",
        ] {
            assert!(tricky(target), "{target}");
        }
        for target in [
            "/api/v1/orders/10421",
            "/orders/10421",
            "/",
            "/main-4acf78d32cc43609.css",
            "/api/v1/orders?status=paid",
            "/lookup/inv%20%3F1",
        ] {
            assert!(!tricky(target), "{target}");
        }
    }
}
