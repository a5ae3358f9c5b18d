//! Serving the console and the headers on every response.

use crate::helpers::*;

fn assert_security_headers(reply: &Reply, what: &str) {
    let csp = reply.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    for part in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
        assert!(csp.contains(part), "{what}: {part}");
    }
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(reply.header("cross-origin-opener-policy"), Some("same-origin"), "{what}");
}

#[tokio::test]
async fn deep_links_load_the_console_and_missing_files_are_404() {
    let proxy = spawn_proxy().await;
    for page in ["/", "/orders/10421", "/orders?status=paid", "/lookup?ref=inv-1", "/balance"] {
        let reply = proxy.get(page, None).await;
        assert_eq!(reply.status, 200, "{page}");
        assert!(reply.text.contains(INLINE_SCRIPT), "{page} is the console");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{page}");
    }
    assert_eq!(proxy.get("/missing-0123456789abcdef.js", None).await.status, 404);
    assert_eq!(proxy.get("/favicon.ico", None).await.status, 404);
    proxy.get("/api/v1/unknown", None).await.assert_error(404, "NOT_FOUND");
    proxy.get("/console/v1/unknown", None).await.assert_error(404, "NOT_FOUND");
    proxy.get("/auth/unknown", None).await.assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_served_precompressed() {
    let proxy = spawn_proxy().await;
    let plain = proxy.get("/app-0123456789abcdef.js", None).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("cache-control"), Some("public, max-age=31536000, immutable"));
    let br = proxy.send(proxy.client.get(proxy.url("/app-0123456789abcdef.js")).header("Accept-Encoding", "br")).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
}

#[tokio::test]
async fn the_csp_carries_the_hash_of_the_inline_script() {
    use base64::Engine;
    use sha2::Digest;
    let proxy = spawn_proxy().await;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(INLINE_SCRIPT));
    let csp = proxy.get("/", None).await.header("content-security-policy").unwrap().to_owned();
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let cases = [
        ("200 page", proxy.get("/orders/1", None).await),
        ("200 api", proxy.get("/api/v1/balance", Some(&vera)).await),
        ("401", proxy.get("/api/v1/balance", None).await),
        ("403", proxy.send(proxy.client.post(proxy.url("/auth/logout"))).await),
        ("404", proxy.get("/api/v1/none", None).await),
        ("405", proxy.send(proxy.client.delete(proxy.url("/api/v1/balance"))).await),
        ("400", proxy.get("/api/v1/orders/%2e%2e", None).await),
    ];
    for (what, reply) in &cases {
        assert_security_headers(reply, what);
    }
    assert_eq!(cases[1].1.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_dead_upstream_is_a_502_with_the_headers_and_readyz_says_so() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| {
        c.upstream = openmoney_proxy::UpstreamConfig::Url("http://127.0.0.1:9/api/v1".parse().unwrap());
    })
    .await;
    let vera = proxy.login("vera").await;
    let reply = proxy.get("/api/v1/balance", Some(&vera)).await;
    reply.assert_error(502, "UPSTREAM_UNAVAILABLE");
    assert_security_headers(&reply, "502");
    assert_eq!(proxy.get("/readyz", None).await.status, 502);
    assert_eq!(proxy.get("/healthz", None).await.status, 200);
}
