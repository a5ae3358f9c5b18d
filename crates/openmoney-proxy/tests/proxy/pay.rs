//! The buyer's payment page: links operators make and revoke, a public page and status
//! route that show one order and nothing else, and a token that only its hash stands for.

use std::collections::BTreeSet;

use openmoney_proxy::auth::hash_token;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const DAY_MILLIS: i64 = 24 * 3600 * 1000;

async fn order(proxy: &TestProxy, staff: &Staff, key: &str, body: &Value) -> Value {
    let created = proxy.create(staff, key, body).await;
    assert_eq!(created.status, 200, "{}", created.text);
    created.json()["data"].clone()
}

async fn link(proxy: &TestProxy, staff: &Staff, id: i64) -> Reply {
    proxy.post(&format!("/console/v1/orders/{id}/payment-link"), Some(staff), &json!({})).await
}

async fn revoke(proxy: &TestProxy, staff: &Staff, id: i64) -> Reply {
    proxy.send(proxy.console(Method::DELETE, &format!("/console/v1/orders/{id}/payment-link"), Some(staff))).await
}

/// A buyer: no session, no console headers.
async fn buyer(proxy: &TestProxy, path: &str, language: &str) -> Reply {
    proxy.send(proxy.client.get(proxy.url(path)).header("Accept-Language", language)).await
}

#[tokio::test]
async fn a_link_is_made_once_shown_again_revoked_and_then_opens_nothing() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let made = order(&proxy, &otto, "pay-life-1", &stars("pandus", 500)).await;
    let id = made["id"].as_i64().unwrap();

    let first = link(&proxy, &otto, id).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let data = first.json()["data"].clone();
    let token = data["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 43, "256 bits, base64url: {token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    assert_eq!(data["url"], format!("{}/pay/{token}", proxy.base));
    let deadline = openmoney_api::Timestamp::parse(made["expires_at"].as_str().unwrap()).unwrap().unix_millis();
    let until = openmoney_api::Timestamp::parse(data["expires_at"].as_str().unwrap()).unwrap().unix_millis();
    assert_eq!(until, deadline + DAY_MILLIS, "a day after the order's deadline");

    let again = link(&proxy, &otto, id).await;
    assert_eq!(again.json()["data"]["token"], token.as_str(), "an order has one live link");

    let shown = buyer(&proxy, &format!("/pay/v1/{token}"), "en").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let fields: BTreeSet<String> = shown.json()["data"].as_object().unwrap().keys().cloned().collect();
    let expected = [
        "address",
        "amount_ton",
        "expires_at",
        "memo",
        "product",
        "quantity_or_months",
        "recipient_username",
        "status",
    ];
    assert_eq!(fields, expected.iter().map(|f| f.to_string()).collect(), "exactly the buyer's fields");
    let seen = shown.json()["data"].clone();
    assert_eq!(
        (&seen["status"], &seen["memo"], &seen["address"], &seen["quantity_or_months"], &seen["product"]),
        (&json!("pending_payment"), &made["payment_memo"], &made["payment_address"], &json!(500), &json!("stars"))
    );
    assert_eq!(seen["amount_ton"], made["price_ton"]);

    // The store ends a link a day after the order's deadline.
    let db = &proxy.state.db;
    assert!(db.link(&hash_token(&token), until - 1).await.unwrap().is_some());
    assert!(db.link(&hash_token(&token), until).await.unwrap().is_none(), "expired");

    let revoked = revoke(&proxy, &otto, id).await;
    assert_eq!((revoked.status, revoked.json()["data"]["revoked"].clone()), (200, json!(1)), "{}", revoked.text);
    buyer(&proxy, &format!("/pay/v1/{token}"), "en").await.assert_error(404, "NOT_FOUND");
    revoke(&proxy, &otto, id).await.assert_error(404, "NOT_FOUND");
    let fresh = link(&proxy, &otto, id).await.json()["data"]["token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, token, "a revoked link is never shown again");

    // Both changes are in the audit, and the order's history shows who shared it.
    let history = proxy.get(&format!("/console/v1/orders/{id}/audit"), Some(&otto)).await.text;
    let rows: Vec<(String, String)> = serde_json::from_str::<Value>(&history).unwrap()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap().to_owned(), r["actor"].as_str().unwrap().to_owned()))
        .collect();
    for action in ["payment_link.create", "payment_link.revoke"] {
        assert!(rows.contains(&(action.to_owned(), "otto".to_owned())), "{action} by otto: {rows:?}");
    }
    assert!(!history.contains(&token) && !history.contains(&fresh), "the audit never holds a token");
}

#[tokio::test]
async fn viewers_cannot_share_or_revoke_and_only_ton_memo_orders_waiting_for_payment_get_links() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let vera = proxy.login("vera").await;
    let id = order(&proxy, &otto, "pay-roles-1", &stars("pandus", 100)).await["id"].as_i64().unwrap();
    link(&proxy, &vera, id).await.assert_error(403, "FORBIDDEN");
    link(&proxy, &otto, id).await;
    revoke(&proxy, &vera, id).await.assert_error(403, "FORBIDDEN");
    link(&proxy, &otto, 99_999_999).await.assert_error(404, "NOT_FOUND");

    let by_balance = json!({"recipient_username": "pandus", "quantity": 100, "payment_method": "balance"});
    let paid_from_balance = order(&proxy, &otto, "pay-roles-2", &by_balance).await["id"].as_i64().unwrap();
    link(&proxy, &otto, paid_from_balance).await.assert_error(409, "INVALID_STATE");
    let cancelled = order(&proxy, &otto, "pay-roles-3", &stars("pandus", 100)).await["id"].as_i64().unwrap();
    proxy.post(&format!("/api/v1/orders/{cancelled}/cancel"), Some(&otto), &json!({})).await;
    link(&proxy, &otto, cancelled).await.assert_error(409, "INVALID_STATE");
}

#[tokio::test]
async fn a_page_shows_its_own_order_and_nothing_else_in_the_buyers_language() {
    let proxy = spawn_proxy_with(sandbox_config(), |config| config.brand = Some("Pandus & Co".into())).await;
    let otto = proxy.login("otto").await;
    let mut body = stars("pandus", 500);
    body["client_reference"] = json!("invoice-secret-77");
    let mine = order(&proxy, &otto, "pay-page-1", &body).await;
    let other = order(&proxy, &otto, "pay-page-2", &stars("crypto_kate", 250)).await;
    let token =
        link(&proxy, &otto, mine["id"].as_i64().unwrap()).await.json()["data"]["token"].as_str().unwrap().to_owned();
    link(&proxy, &otto, other["id"].as_i64().unwrap()).await;

    let page = buyer(&proxy, &format!("/pay/{token}"), "en-US,en;q=0.9").await;
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = &page.text;
    for needed in [
        "500 Telegram Stars for @pandus",
        mine["payment_memo"].as_str().unwrap(),
        mine["payment_address"].as_str().unwrap(),
        &format!("{} TON", mine["price_ton"]),
        "ton://transfer/",
        "<svg",
        "Pandus &amp; Co",
    ] {
        assert!(html.contains(needed), "the page lacks {needed}");
    }
    for secret in ["invoice-secret-77", "otto", other["payment_memo"].as_str().unwrap(), "crypto_kate", "osk_"] {
        assert!(!html.contains(secret), "the page shows {secret}");
    }
    // Everything the page loads, even uncompressed, is within the 50 KB compressed budget.
    let script = buyer(&proxy, "/pay/assets/pay.js", "en").await.text;
    let style = buyer(&proxy, "/pay/assets/pay.css", "en").await.text;
    let total = html.len() + script.len() + style.len();
    println!("the buyer's page: {} + {} + {} = {total} bytes uncompressed", html.len(), script.len(), style.len());
    assert!(total <= 50 * 1024, "the page and its assets weigh {total} bytes");
    let spanish = buyer(&proxy, &format!("/pay/{token}"), "es-ES,es;q=0.9").await.text;
    assert!(spanish.contains("lang=\"es\"") && spanish.contains("500 Telegram Stars para @pandus"), "{spanish}");
    let hindi = buyer(&proxy, &format!("/pay/{token}?lang=hi"), "en").await.text;
    assert!(hindi.contains("lang=\"hi\"") && hindi.contains("@pandus के लिए 500 Telegram Stars"));
}

#[tokio::test]
async fn unknown_and_revoked_links_answer_the_same_404() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let id = order(&proxy, &otto, "pay-404-1", &stars("pandus", 100)).await["id"].as_i64().unwrap();
    let token = link(&proxy, &otto, id).await.json()["data"]["token"].as_str().unwrap().to_owned();
    revoke(&proxy, &otto, id).await;
    let unknown = "A".repeat(43);
    let (gone, never) =
        (buyer(&proxy, &format!("/pay/{token}"), "en").await, buyer(&proxy, &format!("/pay/{unknown}"), "en").await);
    assert_eq!((gone.status, never.status), (404, 404));
    assert_eq!(gone.text, never.text, "a revoked link and an unknown one look the same");
    assert!(gone.text.contains("Payment link not found"));
    let (gone, never) = (
        buyer(&proxy, &format!("/pay/v1/{token}"), "en").await,
        buyer(&proxy, &format!("/pay/v1/{unknown}"), "en").await,
    );
    gone.assert_error(404, "NOT_FOUND");
    assert_eq!(gone.text, never.text);
}

#[tokio::test]
async fn public_routes_send_their_headers_and_are_rate_limited_per_address() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let id = order(&proxy, &otto, "pay-limit-1", &stars("pandus", 100)).await["id"].as_i64().unwrap();
    let token = link(&proxy, &otto, id).await.json()["data"]["token"].as_str().unwrap().to_owned();
    for path in [format!("/pay/{token}"), format!("/pay/v1/{token}"), "/pay/assets/pay.js".into()] {
        let reply = buyer(&proxy, &path, "en").await;
        assert_eq!(reply.status, 200, "{path}");
        for (name, value) in
            [("cache-control", "no-store"), ("x-robots-tag", "noindex"), ("referrer-policy", "no-referrer")]
        {
            if path.contains("assets") && name == "x-robots-tag" {
                continue;
            }
            assert_eq!(reply.headers.get(name).map(|v| v.to_str().unwrap()), Some(value), "{name} on {path}");
        }
        assert!(reply.headers.contains_key("content-security-policy"), "{path}");
    }
    let before = proxy.sandbox.request_count();
    let mut statuses = Vec::new();
    for _ in 0..openmoney_proxy::pay::PUBLIC_PER_MINUTE {
        statuses.push(buyer(&proxy, &format!("/pay/v1/{token}"), "en").await.status);
    }
    let upstream = proxy.sandbox.request_count() - before;
    assert!(upstream <= 2, "{upstream} upstream calls for one order watched by many within seconds");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "the budget is per minute: {statuses:?}");
    buyer(&proxy, &format!("/pay/v1/{token}"), "en").await.assert_error(429, "RATE_LIMITED");
    let page = buyer(&proxy, &format!("/pay/{token}"), "en").await;
    assert_eq!(page.status, 429);
}

#[tokio::test]
async fn only_the_tokens_hash_is_kept_and_logs_see_a_prefix() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let id = order(&proxy, &otto, "pay-hash-1", &stars("pandus", 100)).await["id"].as_i64().unwrap();
    let token = link(&proxy, &otto, id).await.json()["data"]["token"].as_str().unwrap().to_owned();
    buyer(&proxy, &format!("/pay/{token}"), "en").await;
    buyer(&proxy, &format!("/pay/v1/{token}"), "en").await;
    scan_for(proxy.data_dir.path(), &token);
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(!logs.contains(&token), "a log line holds the token");
    assert!(logs.contains(&format!("/pay/{}…", &token[..6])), "the logs name the page by its prefix");
}

fn scan_for(dir: &std::path::Path, token: &str) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan_for(&path, token);
        } else {
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "{} holds the token", path.display());
        }
    }
}

#[tokio::test]
async fn an_order_that_expired_shows_how_it_ended_and_no_way_to_pay() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let made = order(&proxy, &otto, "pay-expired-1", &stars("pandus", 100)).await;
    let token =
        link(&proxy, &otto, made["id"].as_i64().unwrap()).await.json()["data"]["token"].as_str().unwrap().to_owned();
    // Past the order's 15-minute deadline; the link itself opens for a day more.
    proxy.sandbox.clock().advance_millis(16 * 60 * 1000);
    let page = buyer(&proxy, &format!("/pay/{token}"), "en").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("This payment request has expired"), "{}", page.text);
    for gone in ["<svg", "ton://", made["payment_address"].as_str().unwrap(), made["payment_memo"].as_str().unwrap()] {
        assert!(!page.text.contains(gone), "an expired order's page still shows {gone}");
    }
    assert_eq!(buyer(&proxy, &format!("/pay/v1/{token}"), "en").await.json()["data"]["status"], "expired");
}

#[tokio::test]
async fn the_console_gets_its_qr_codes_from_the_renderer_of_the_buyers_page() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let link = "ton://transfer/UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_?amount=418000000&text=STARS-a1b2c3";
    let path = format!(
        "/console/v1/qr.svg?text={}",
        link.replace(':', "%3A").replace('/', "%2F").replace('?', "%3F").replace('&', "%26").replace('=', "%3D")
    );
    let drawn = proxy.get(&path, Some(&vera)).await;
    assert_eq!(drawn.status, 200, "{}", drawn.text);
    assert_eq!(drawn.header("content-type"), Some("image/svg+xml"));
    assert!(
        drawn.text.starts_with("<?xml") && drawn.text.contains("<svg") && drawn.text.contains("<path"),
        "{}",
        drawn.text
    );
    let other = proxy.get("/console/v1/qr.svg?text=ton%3A%2F%2Ftransfer%2Fsomething-else", Some(&vera)).await;
    assert_ne!(other.text, drawn.text, "the code depends on its text");

    assert_eq!(proxy.get(&path, None).await.status, 401, "staff only");
    for refused in
        ["/console/v1/qr.svg", "/console/v1/qr.svg?text=", &format!("/console/v1/qr.svg?text={}", "x".repeat(1001))]
    {
        let reply = proxy.get(refused, Some(&vera)).await;
        assert_eq!(reply.status, 422, "{refused}: {}", reply.text);
        assert_eq!(reply.json()["error_code"], "VALIDATION_ERROR", "{}", reply.text);
    }
}
