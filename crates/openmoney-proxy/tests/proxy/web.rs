//! Serving the console and the headers on every response.

use reqwest::Method;

use crate::helpers::*;

pub fn assert_security_headers(reply: &Reply, what: &str) {
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

/// The statuses the plain cases above do not reach: a body too large, the proxy's own
/// rate limit, an upstream 500 passed on, an upstream timeout. And every cookie the proxy
/// sets, on sign-in and sign-out, is `__Host-`, HttpOnly, Secure and SameSite=Strict.
#[tokio::test]
async fn errors_from_every_layer_carry_the_headers_and_cookies_are_host_only() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| {
        c.budgets.upstream_rps = 1;
        c.budgets.max_queue = std::time::Duration::ZERO;
        c.timeouts.request = std::time::Duration::from_millis(300);
        c.timeouts.total = std::time::Duration::from_millis(500);
    })
    .await;
    let signed_in = proxy.login_raw("otto", PASSWORD).await;
    let otto = proxy.login("otto").await;
    let big =
        serde_json::json!({"recipient_username": "pandus", "quantity": 100, "client_reference": "x".repeat(20_000)});
    let too_large = proxy.create(&otto, "too-large", &big).await;
    too_large.assert_error(413, "PAYLOAD_TOO_LARGE");
    set_faults(
        &proxy,
        serde_json::json!([{"kind": "error", "percent": 100, "count": 1, "status": 500, "path_prefix": "/balance"}]),
    )
    .await;
    let upstream_500 = proxy.get("/api/v1/balance", Some(&otto)).await;
    assert_eq!(upstream_500.status, 500, "{}", upstream_500.text);
    let over_budget = proxy.get("/api/v1/balance", Some(&otto)).await;
    over_budget.assert_error(429, "RATE_LIMITED");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    set_faults(
        &proxy,
        serde_json::json!([{"kind": "stall", "percent": 100, "stall_seconds": 2, "path_prefix": "/balance"}]),
    )
    .await;
    let timed_out = proxy.get("/api/v1/balance", Some(&otto)).await;
    timed_out.assert_error(504, "UPSTREAM_TIMEOUT");
    let signed_out = proxy.post("/auth/logout", Some(&otto), &serde_json::json!({})).await;
    for (what, reply) in [("413", &too_large), ("500", &upstream_500), ("429", &over_budget), ("504", &timed_out)] {
        assert_security_headers(reply, what);
    }
    for (what, reply) in [("sign-in", &signed_in), ("sign-out", &signed_out)] {
        let cookies: Vec<&str> = reply.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(!cookies.is_empty(), "{what} set no cookie");
        for cookie in cookies {
            let attributes: Vec<String> = cookie.split(';').map(|a| a.trim().to_ascii_lowercase()).collect();
            assert!(cookie.starts_with("__Host-"), "{what}: {cookie}");
            for needed in ["httponly", "secure", "samesite=strict", "path=/"] {
                assert!(attributes.iter().any(|a| a == needed), "{what}: {cookie} lacks {needed}");
            }
            assert!(!attributes.iter().any(|a| a.starts_with("domain")), "{what}: {cookie}");
        }
    }
}

#[tokio::test]
async fn a_dead_upstream_is_a_502_with_the_headers_and_readyz_says_so_yet_stays_ready() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| {
        c.upstream = openmoney_proxy::UpstreamConfig::Url("http://127.0.0.1:9/api/v1".parse().unwrap());
    })
    .await;
    let vera = proxy.login("vera").await;
    let reply =
        proxy.send(proxy.console(Method::GET, "/api/v1/balance", Some(&vera)).header("X-Request-Id", "dead-1")).await;
    reply.assert_error(502, "UPSTREAM_UNAVAILABLE");
    assert_security_headers(&reply, "502");
    assert_eq!(reply.header("x-request-id"), Some("dead-1"));
    // The log says what failed, with the request's id.
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    for said in ["upstream call failed", "response failed"] {
        let line = logs.lines().find(|l| l.contains(said) && l.contains("dead-1"));
        assert!(line.is_some(), "no {said:?} line with the request id");
    }
    // Readiness is the proxy's own: a load balancer keeps it, and staff see the message.
    let ready = proxy.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let body = ready.json();
    assert_eq!((body["status"].as_str(), body["store"].as_str()), (Some("ready"), Some("ok")));
    assert_eq!(body["upstream"], "UPSTREAM_UNAVAILABLE");
    let metrics = proxy.get("/metrics", None).await.text;
    assert!(metrics.lines().any(|l| l == "openmoney_proxy_upstream_up 0"), "{metrics}");
    assert_eq!(proxy.get("/healthz", None).await.status, 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_is_the_one_x_forwarded_for_names() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let metrics = |forwarded: Option<&'static str>| {
        let mut request = proxy.client.get(proxy.url("/metrics"));
        if let Some(forwarded) = forwarded {
            request = request.header("X-Forwarded-For", forwarded);
        }
        proxy.send(request)
    };
    assert_eq!(metrics(None).await.status, 200, "the trusted proxy itself is on loopback");
    // A request from the internet, relayed by the proxy in front, is not loopback.
    assert_eq!(metrics(Some("203.0.113.9")).await.status, 403);
    assert_eq!(metrics(Some("127.0.0.1, 203.0.113.9")).await.status, 403, "a client's own entry is not believed");

    let failed = proxy
        .send(
            proxy
                .console(Method::POST, "/auth/login", None)
                .header("X-Forwarded-For", "198.51.100.7")
                .json(&serde_json::json!({"username": "vera", "password": "wrong"})),
        )
        .await;
    assert_eq!(failed.status, 401);
    let ada = proxy.login("ada").await;
    let audit = proxy.get("/console/v1/audit?action=auth.login_failed", Some(&ada)).await.json();
    assert_eq!(audit["data"]["items"][0]["client_addr"], "198.51.100.7", "{audit}");

    // Without trusted proxies, the header is nobody's word.
    let open = spawn_proxy().await;
    let untrusted = open.send(open.client.get(open.url("/metrics")).header("X-Forwarded-For", "203.0.113.9")).await;
    assert_eq!(untrusted.status, 200);
}

/// Header names of a reply, less those that differ between any two answers.
fn header_names(reply: &Reply) -> Vec<String> {
    let mut names: Vec<String> = reply
        .headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| !["date", "content-length"].contains(&name.as_str()))
        .collect();
    names.sort();
    names
}

/// The reads staff make all day skip the router; a query string sends the same read
/// through it. Both must answer alike: status, body, headers, request ids and metrics.
#[tokio::test]
async fn the_reads_on_the_hot_path_answer_as_the_router_does() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let created = proxy.create(&otto, "hot-path-1", &stars("pandus", 100)).await.json();
    let id = created["data"]["id"].as_i64().unwrap();
    let vera = proxy.login("vera").await;
    let order = format!("/api/v1/orders/{id}");
    let reads = [order.as_str(), "/api/v1/balance", "/api/v1/pricing/fee", "/api/v1/orders/stats/summary"];
    for path in reads {
        for staff in [Some(&vera), None] {
            let hot = proxy.get(path, staff).await;
            let routed = proxy.get(&format!("{path}?via=router"), staff).await;
            let who = if staff.is_some() { "a viewer" } else { "no session" };
            assert_eq!((hot.status, &hot.text), (routed.status, &routed.text), "{path} for {who}");
            assert_eq!(header_names(&hot), header_names(&routed), "{path} for {who}");
            assert_security_headers(&hot, path);
            assert_eq!(hot.header("cache-control"), Some("no-store"), "{path}");
            assert_ne!(hot.header("x-request-id"), routed.header("x-request-id"), "{path}: ids repeat");
        }
        let asked = proxy.send(proxy.console(Method::GET, path, Some(&vera)).header("X-Request-Id", "mine-7")).await;
        assert_eq!(asked.header("x-request-id"), Some("mine-7"), "{path}");
    }
    let unauthorized = proxy.get("/api/v1/balance", None).await;
    unauthorized.assert_error(401, "UNAUTHORIZED");
    // A viewer's 3 reads of the balance: one hot, one routed, one with an id of its own.
    let metrics = proxy.get("/metrics", None).await.text;
    let counted = metrics
        .lines()
        .find(|l| {
            l.starts_with("openmoney_proxy_requests_total{")
                && l.contains("route=\"/api/v1/balance\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no count of the balance reads: {metrics}"));
    assert!(counted.ends_with(" 3"), "{counted}");
}

#[tokio::test]
async fn the_proxy_serves_an_openapi_document_of_every_route_it_answers() {
    let proxy = spawn_proxy().await;
    let doc = proxy.get("/openapi.json", None).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut operations: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    operations.sort();
    let forwarded = operations.iter().filter(|o| o.contains(" /api/v1/")).count();
    assert_eq!(forwarded, 17, "{operations:?}");
    for expected in [
        "POST /auth/login",
        "POST /auth/logout",
        "GET /auth/session",
        "GET /console/v1/config",
        "GET /console/v1/events",
        "GET /console/v1/audit",
        "GET /console/v1/audit.csv",
        "GET /console/v1/orders/{id}/audit",
        "GET /console/v1/qr.svg",
        "GET /console/v1/users",
        "POST /console/v1/users",
        "PATCH /console/v1/users/{username}",
        "DELETE /console/v1/users/{username}",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "POST /console/v1/orders/{id}/payment-link",
        "DELETE /console/v1/orders/{id}/payment-link",
        "GET /pay/v1/{token}",
    ] {
        assert!(operations.contains(&expected.to_owned()), "{expected} is not documented");
    }
    assert_eq!(operations.len(), 17 + 19, "only what the proxy answers (no sandbox controls here): {operations:?}");

    let create = &doc["paths"]["/api/v1/orders/stars"]["post"];
    let key = create["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "Idempotency-Key").unwrap();
    assert_eq!(key["required"], true);
    assert_eq!(create["security"], serde_json::json!([{"session": [], "csrf": []}]));
    assert_eq!(doc["paths"]["/api/v1/health"]["get"]["security"], serde_json::json!([{"session": []}]));
    assert_eq!(doc["paths"]["/auth/login"]["post"]["security"], serde_json::json!([{}]));
    assert_eq!(doc["components"]["securitySchemes"]["session"]["name"], "__Host-om_session");
    assert_eq!(doc["components"]["schemas"]["StaffChange"]["minProperties"], 1);
    assert!(doc["components"]["schemas"]["StaffChange"].get("maxProperties").is_none());
}
