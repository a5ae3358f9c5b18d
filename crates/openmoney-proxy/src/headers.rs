//! What every response carries, errors included: the security headers, and a request id
//! (the client's `X-Request-Id`, or one made here) that the logs carry too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

const NO_STORE_PREFIXES: [&str; 7] = ["/api", "/auth", "/console", "/sandbox", "/metrics", "/healthz", "/readyz"];

/// The security headers, built once at start.
pub struct Security {
    csp: HeaderValue,
    hsts: bool,
    /// The headers of an answer not to be stored, as they go on the wire.
    written: Vec<u8>,
}

impl Security {
    pub fn new(csp: &str, hsts: bool) -> Self {
        let csp = HeaderValue::from_str(csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        let mut security = Security { csp, hsts, written: Vec::new() };
        let mut headers = HeaderMap::new();
        security.apply(true, &mut headers);
        for (name, value) in &headers {
            security.written.extend_from_slice(name.as_str().as_bytes());
            security.written.extend_from_slice(b": ");
            security.written.extend_from_slice(value.as_bytes());
            security.written.extend_from_slice(b"\r\n");
        }
        security
    }

    /// What [`Security::apply`] sets on an answer not to be stored, as header lines.
    pub fn written(&self) -> &[u8] {
        &self.written
    }

    /// Sets the headers on a response; `no_store` from [`no_store`].
    pub fn apply(&self, no_store: bool, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            );
        }
        if no_store {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}

/// Whether a comma-separated header value (`Connection: keep-alive, Close`) has `token`,
/// in any case.
pub fn has_token(value: &[u8], token: &str) -> bool {
    value.split(|b| *b == b',').any(|part| part.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether answers on this path must not be stored by the browser.
pub fn no_store(path: &str) -> bool {
    NO_STORE_PREFIXES.iter().any(|p| path.starts_with(p))
}

pub async fn security(State(security): State<Arc<Security>>, request: Request, next: Next) -> Response {
    let no_store = no_store(request.uri().path());
    let mut response = next.run(request).await;
    security.apply(no_store, response.headers_mut());
    response
}

/// Request ids: this run's prefix and a counter, so that making one costs no system call.
#[derive(Clone)]
pub struct RequestIds(Arc<(String, AtomicU64)>);

impl RequestIds {
    pub fn new(prefix: &str) -> Self {
        RequestIds(Arc::new((prefix.to_owned(), AtomicU64::new(1))))
    }

    pub fn next(&self) -> HeaderValue {
        use std::io::Write;
        let (prefix, counter) = &*self.0;
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let mut text = [0u8; 64];
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        let _ = write!(cursor, "{prefix}-{n}");
        let end = cursor.position() as usize;
        HeaderValue::from_bytes(&text[..end]).unwrap_or_else(|_| HeaderValue::from_static("-"))
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        Some(RequestId::new(self.next()))
    }
}
