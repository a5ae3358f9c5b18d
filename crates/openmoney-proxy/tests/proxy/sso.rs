//! Single sign-on behind an authenticating proxy, and the sandbox controls in sandbox mode.

use serde_json::json;

use crate::helpers::*;

fn sso(trusted: &str) -> impl FnOnce(&mut openmoney_proxy::Config) {
    let trusted = trusted.parse().unwrap();
    move |c: &mut openmoney_proxy::Config| {
        c.sso = Some(openmoney_proxy::config::Sso { header: "x-forwarded-email".into(), trusted: vec![trusted] })
    }
}

#[tokio::test]
async fn a_trusted_identity_header_signs_the_staff_member_in() {
    let proxy = spawn_proxy_with(sandbox_config(), sso("127.0.0.1")).await;
    let reply = proxy.send(proxy.client.get(proxy.url("/auth/session")).header("X-Forwarded-Email", "otto")).await;
    assert_eq!(reply.json()["data"]["username"], "otto", "{}", reply.text);
    let csrf = reply.json()["data"]["csrf_token"].as_str().unwrap().to_owned();
    let created = proxy
        .send(
            proxy
                .console(reqwest::Method::POST, "/api/v1/orders/stars", None)
                .header("X-Forwarded-Email", "otto")
                .header("X-CSRF-Token", csrf)
                .header("Idempotency-Key", "sso-1")
                .json(&stars("pandus", 100)),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let unknown =
        proxy.send(proxy.client.get(proxy.url("/auth/session")).header("X-Forwarded-Email", "mallory@evil")).await;
    unknown.assert_error(403, "FORBIDDEN");
}

#[tokio::test]
async fn the_identity_header_from_an_untrusted_address_is_ignored() {
    let proxy = spawn_proxy_with(sandbox_config(), sso("10.9.9.9")).await;
    let reply = proxy.send(proxy.client.get(proxy.url("/auth/session")).header("X-Forwarded-Email", "ada")).await;
    reply.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn sandbox_controls_are_forwarded_for_operators_in_sandbox_mode_only() {
    let real = spawn_proxy().await;
    let otto = real.login("otto").await;
    real.post("/sandbox/v1/balance/topup", Some(&otto), &json!({"amount_ton": 5})).await.assert_error(404, "NOT_FOUND");

    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut config = openmoney_proxy::Config::local(dir.path().to_path_buf());
    config.static_dir = dir.path().to_path_buf();
    let running_sandbox = openmoney_sandbox::Sandbox::new(openmoney_sandbox::SandboxConfig::default());
    let proxy = start(config, running_sandbox, dir, true).await;
    let otto = proxy.login("otto").await;
    let vera = proxy.login("vera").await;
    let topup = proxy.post("/sandbox/v1/balance/topup", Some(&otto), &json!({"amount_ton": 5})).await;
    assert_eq!(topup.json()["data"]["type"], "topup", "{}", topup.text);
    proxy
        .post("/sandbox/v1/balance/topup", Some(&vera), &json!({"amount_ton": 5}))
        .await
        .assert_error(403, "FORBIDDEN");
    let order = proxy.create(&otto, "pay-me", &stars("pandus", 100)).await.json()["data"]["id"].as_i64().unwrap();
    let paid = proxy.post(&format!("/sandbox/v1/orders/{order}/pay"), Some(&otto), &json!({"mode": "exact"})).await;
    assert_eq!(paid.json()["data"]["order"]["status"], "paid", "{}", paid.text);
    let ada = proxy.login("ada").await;
    let audit = proxy.get("/console/v1/audit?action=sandbox.pay", Some(&ada)).await.json();
    assert_eq!(audit["data"]["items"][0]["order_id"], order);
}
