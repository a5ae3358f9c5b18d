//! Sign-in, cookies, sessions, roles and CSRF.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_session_and_device_cookies_are_host_prefixed_secure_httponly_strict() {
    let proxy = spawn_proxy().await;
    let reply = proxy.login_raw("vera", PASSWORD).await;
    let cookies: Vec<&str> = reply.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    let mut names: Vec<&str> = cookies.iter().map(|c| c.split('=').next().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["__Host-om_device", "__Host-om_session"]);
    for cookie in cookies {
        for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(flag), "{flag} missing: {cookie}");
        }
        assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    }
    assert_eq!(reply.json()["data"]["role"], "viewer");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let proxy = spawn_proxy().await;
    let wrong = proxy.login_raw("vera", "not the password").await;
    let unknown = proxy.login_raw("nobody", "not the password").await;
    wrong.assert_error(401, "UNAUTHORIZED");
    assert_eq!(wrong.text, unknown.text);
    assert!(wrong.header("set-cookie").is_none());
}

#[tokio::test]
async fn repeated_failures_are_throttled_for_that_address() {
    let proxy = spawn_proxy().await;
    for _ in 0..3 {
        proxy.login_raw("otto", "guess guess guess").await.assert_error(401, "UNAUTHORIZED");
    }
    let throttled = proxy.login_raw("otto", PASSWORD).await;
    throttled.assert_error(429, "RATE_LIMITED");
    assert!(throttled.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

/// A client whose connections come from `address` (any of 127.0.0.0/8 reaches the proxy).
fn client_at(address: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(address.parse::<std::net::IpAddr>().unwrap()).build().unwrap()
}

async fn sign_in_at(proxy: &TestProxy, client: &reqwest::Client, password: &str, device: Option<&str>) -> Reply {
    let mut request = client
        .post(proxy.url("/auth/login"))
        .header("X-Requested-With", "openmoney-console")
        .header("Origin", &proxy.base)
        .json(&json!({"username": "otto", "password": password}));
    if let Some(device) = device {
        request = request.header("Cookie", device);
    }
    proxy.send(request).await
}

#[tokio::test]
async fn a_thousand_wrong_passwords_are_slowed_and_audited_and_the_user_still_gets_in() {
    let proxy = spawn_proxy().await;
    // Otto has signed in from this browser before.
    let device = proxy.login_raw("otto", PASSWORD).await.cookie("__Host-om_device").expect("a device cookie");

    // 1,000 wrong passwords for otto, 100 from each of 10 addresses at once.
    let attackers = (2..12).map(|i| {
        let proxy = &proxy;
        async move {
            let client = client_at(&format!("127.0.0.{i}"));
            let mut statuses = Vec::new();
            for n in 0..100 {
                let reply = sign_in_at(proxy, &client, &format!("guess-{i}-{n}"), None).await;
                if reply.status == 429 {
                    assert!(reply.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
                }
                statuses.push(reply.status);
            }
            statuses
        }
    });
    let statuses: Vec<u16> = futures::future::join_all(attackers).await.into_iter().flatten().collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let slowed = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + slowed, 1000, "only 401s and 429s: {statuses:?}");
    assert!(checked <= 60, "{checked} of 1,000 wrong passwords were checked; the rest must wait");

    let filter = |action: openmoney_api::AuditAction| openmoney_proxy::db::AuditFilter {
        actor: Some("otto".into()),
        action: Some(action),
        ..Default::default()
    };
    let (failed, failed_total) =
        proxy.state.db.audit_page(&filter(openmoney_api::AuditAction::LoginFailed), 1000, 0).await.unwrap();
    let (_, throttled_total) =
        proxy.state.db.audit_page(&filter(openmoney_api::AuditAction::LoginThrottled), 1000, 0).await.unwrap();
    assert_eq!((failed_total as usize, throttled_total as usize), (checked, slowed));
    assert!(failed.iter().all(|e| e.client_addr.as_deref().is_some_and(|a| a.starts_with("127.0.0."))));

    // A new browser is held back while the attack goes on, wherever it is…
    let stranger = sign_in_at(&proxy, &client_at("127.0.0.40"), PASSWORD, None).await;
    stranger.assert_error(429, "RATE_LIMITED");
    // …but otto's own browser gets in at once, from another address too.
    let otto = sign_in_at(&proxy, &client_at("127.0.0.41"), PASSWORD, Some(&device)).await;
    assert_eq!(otto.status, 200, "{}", otto.text);
    assert!(otto.cookie(openmoney_proxy::auth::SESSION_COOKIE).is_some());
    assert!(otto.cookie("__Host-om_device").is_none(), "a known device keeps its cookie");
    // A device cookie speaks only for the user who earned it.
    let borrowed = proxy
        .send(
            client_at("127.0.0.42")
                .post(proxy.url("/auth/login"))
                .header("X-Requested-With", "openmoney-console")
                .header("Origin", &proxy.base)
                .header("Cookie", &device)
                .json(&json!({"username": "ada", "password": "a guess"})),
        )
        .await;
    borrowed.assert_error(401, "UNAUTHORIZED");
    let (rows, _) = proxy.state.db.audit_page(&filter(openmoney_api::AuditAction::Login), 10, 0).await.unwrap();
    assert!(rows[0].summary.ends_with("from 127.0.0.41 on a known device"), "{}", rows[0].summary);
    figure(
        "login brute force: 1,000 wrong passwords from 10 addresses",
        format!("{checked} checked (401), {slowed} made to wait (429); all 1,000 audited"),
        "slowed and audited",
        Some(true),
    );
    figure(
        "login brute force: the user's own browser, from another address",
        "signed in at once",
        "not locked out",
        Some(true),
    );
}

#[tokio::test]
async fn changes_without_the_console_header_origin_or_token_are_403() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let path = "/api/v1/orders/stars";
    let base = || proxy.client.post(proxy.url(path)).header("Idempotency-Key", "k").json(&stars("pandus", 100));
    let cases = [
        (
            "no X-Requested-With",
            base().header("Origin", &proxy.base).header("Cookie", &otto.cookie).header("X-CSRF-Token", &otto.csrf),
        ),
        (
            "cross-origin",
            base()
                .header("X-Requested-With", "openmoney-console")
                .header("Origin", "https://evil.example")
                .header("Cookie", &otto.cookie)
                .header("X-CSRF-Token", &otto.csrf),
        ),
        (
            "no origin",
            base()
                .header("X-Requested-With", "openmoney-console")
                .header("Cookie", &otto.cookie)
                .header("X-CSRF-Token", &otto.csrf),
        ),
        (
            "wrong token",
            base()
                .header("X-Requested-With", "openmoney-console")
                .header("Origin", &proxy.base)
                .header("Cookie", &otto.cookie)
                .header("X-CSRF-Token", "forged"),
        ),
        (
            "no token",
            base()
                .header("X-Requested-With", "openmoney-console")
                .header("Origin", &proxy.base)
                .header("Cookie", &otto.cookie),
        ),
    ];
    let before = proxy.sandbox.request_count();
    for (what, request) in cases {
        proxy.send(request).await.assert_error(403, "FORBIDDEN");
        let _ = what;
    }
    assert_eq!(proxy.sandbox.request_count(), before, "nothing reached the upstream");
    let same_site = proxy
        .send(
            base()
                .header("X-Requested-With", "openmoney-console")
                .header("Sec-Fetch-Site", "same-origin")
                .header("Cookie", &otto.cookie)
                .header("X-CSRF-Token", &otto.csrf),
        )
        .await;
    assert_eq!(same_site.status, 200, "Sec-Fetch-Site: same-origin stands in for Origin: {}", same_site.text);
    let login_cross_site = proxy
        .send(proxy.client.post(proxy.url("/auth/login")).json(&json!({"username": "otto", "password": PASSWORD})))
        .await;
    login_cross_site.assert_error(403, "FORBIDDEN");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    assert_eq!(proxy.get("/auth/session", Some(&vera)).await.json()["data"]["username"], "vera");
    let out = proxy.post("/auth/logout", Some(&vera), &json!({})).await;
    assert_eq!(out.status, 200);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    proxy.get("/api/v1/balance", Some(&vera)).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn an_idle_session_expires() {
    let proxy = spawn_proxy_with(sandbox_config(), |c| c.sessions.idle = std::time::Duration::from_millis(300)).await;
    let vera = proxy.login("vera").await;
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    proxy.get("/api/v1/balance", Some(&vera)).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_expires() {
    let proxy =
        spawn_proxy_with(sandbox_config(), |c| c.sessions.absolute = std::time::Duration::from_millis(300)).await;
    let vera = proxy.login("vera").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    proxy.get("/api/v1/balance", Some(&vera)).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let mut proxy = spawn_proxy().await;
    let ada = proxy.login("ada").await;
    proxy.stop();
    let mut config = openmoney_proxy::Config::local(proxy.data_dir.path().to_path_buf());
    config.database_url = proxy.state.config.database_url.clone();
    config.static_dir = proxy.data_dir.path().join("dist");
    let (sandbox, addr) = spawn_sandbox(sandbox_config()).await;
    config.upstream = openmoney_proxy::UpstreamConfig::Url(format!("http://{addr}/api/v1").parse().unwrap());
    config.api_key = Some(KEY.to_owned().into());
    let again = start(config, sandbox, proxy.data_dir.clone(), false).await;
    let session = again.get("/auth/session", Some(&ada)).await;
    assert_eq!(session.json()["data"]["username"], "ada", "{}", session.text);
    assert_eq!(again.get("/api/v1/balance", Some(&ada)).await.status, 200);
}

#[tokio::test]
async fn a_disabled_user_loses_their_session() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let ada = proxy.login("ada").await;
    let changed = proxy
        .send(proxy.console(Method::PATCH, "/console/v1/users/vera", Some(&ada)).json(&json!({"disabled": true})))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    proxy.get("/api/v1/balance", Some(&vera)).await.assert_error(401, "UNAUTHORIZED");
    proxy.login_raw("vera", PASSWORD).await.assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_removed() {
    let proxy = spawn_proxy().await;
    let ada = proxy.login("ada").await;
    let demote = proxy
        .send(proxy.console(Method::PATCH, "/console/v1/users/ada", Some(&ada)).json(&json!({"role": "viewer"})))
        .await;
    demote.assert_error(409, "INVALID_STATE");
    let remove = proxy.send(proxy.console(Method::DELETE, "/console/v1/users/ada", Some(&ada))).await;
    remove.assert_error(409, "INVALID_STATE");
}

/// Replicas cache sessions for a second; an end told on one must not wait for that second
/// on the others.
#[tokio::test]
async fn a_session_ended_on_one_replica_is_refused_by_the_others_at_once() {
    let a = spawn_proxy().await;
    if !a.state.config.database_url.starts_with("postgres") {
        eprintln!("replicas share PostgreSQL: this runs in the suite's PostgreSQL pass");
        return;
    }
    let b = start(a.state.config.clone(), a.sandbox.clone(), a.data_dir.clone(), false).await;
    let (vera, otto, ada) = (a.login("vera").await, a.login("otto").await, a.login("ada").await);
    for staff in [&vera, &otto] {
        assert_eq!(b.get("/api/v1/balance", Some(staff)).await.status, 200, "the other replica reads the session");
    }
    assert_eq!(a.post("/auth/logout", Some(&vera), &json!({})).await.status, 200);
    let disabled =
        a.send(a.console(Method::PATCH, "/console/v1/users/otto", Some(&ada)).json(&json!({"disabled": true}))).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    let told = std::time::Instant::now();
    for (who, staff) in [("signed out", &vera), ("disabled", &otto)] {
        loop {
            let status = b.get("/api/v1/balance", Some(staff)).await.status;
            if status == 401 {
                break;
            }
            assert!(
                told.elapsed() < std::time::Duration::from_millis(300),
                "the other replica still lets the {who} in"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}
