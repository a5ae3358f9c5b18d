//! Serving the built console: files from `--static-dir` (precompressed br and gzip when
//! present), `index.html` for every other page path so bookmarked routes load, hashed
//! assets cached for a year, and the Content-Security-Policy that fits `index.html`.

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::Error;
use crate::state::AppState;

/// Paths that belong to the proxy itself: never answered with the console's page.
pub const OWN_PREFIXES: [&str; 4] = ["/api", "/auth", "/console", "/sandbox"];

fn is_own(path: &str) -> bool {
    OWN_PREFIXES.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

/// The last segment has an extension: a file, not a page.
fn looks_like_asset(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|segment| segment.contains('.'))
}

/// trunk names built assets `name-<hex hash>.ext` (and `name-<hash>_bg.wasm`); the hash
/// is a u64 in hex, so 8 to 16 digits.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The CSP: scripts only from this origin plus the exact inline scripts of `index.html`
/// (by SHA-256), wasm allowed, no plugins, no framing, no `<base>`.
pub fn content_security_policy(static_dir: &Path) -> String {
    let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&index)
        .map(|script| format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// The fallback of every route: the console's files, or its page.
pub async fn serve(State(app): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if is_own(&path) {
        return Error::NotFound("route").into_response();
    }
    let dir = &app.config.static_dir;
    let index = ServeFile::new(dir.join("index.html"));
    let pages = tower::service_fn(move |request: Request| {
        let index = index.clone();
        async move {
            if looks_like_asset(request.uri().path()) {
                return Ok(Error::NotFound("file").into_response());
            }
            index.oneshot(request).await.map(IntoResponse::into_response)
        }
    });
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(pages);
    let mut response = match files.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED {
        let html = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        let policy = if !html && is_hashed(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_prefixes_are_not_pages() {
        assert!(is_own("/api/v2/x") && is_own("/auth") && is_own("/console/v1/x") && is_own("/sandbox/v1"));
        assert!(!is_own("/orders/10421") && !is_own("/apiary") && !is_own("/"));
    }

    #[test]
    fn assets_and_hashes_are_recognised() {
        assert!(looks_like_asset("/main-4acf78d32cc43609.css") && !looks_like_asset("/orders/10421"));
        assert!(is_hashed("/openmoney-console-2ae3ec53a2c413c1_bg.wasm"));
        assert!(is_hashed("/openmoney-console-a3f105097eb58a2.js"), "a hash with its leading zero dropped");
        assert!(is_hashed("/main-32912b326f2a02b.css"));
        assert!(!is_hashed("/index.html") && !is_hashed("/openmoney-console.js") && !is_hashed("/x-abc.css"));
    }

    #[test]
    fn csp_hashes_each_inline_script_and_nothing_else() {
        let html = "<script type=\"module\">boot()</script><script src=\"/x.js\"></script>";
        let scripts: Vec<_> = inline_scripts(html).collect();
        assert_eq!(scripts, ["boot()"]);
    }
}
