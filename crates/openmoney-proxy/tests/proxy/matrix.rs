//! Every route × every role × every session state, each with the outcome it must have and
//! the full set of security headers; the matrix is printed (`--nocapture`). Sign-in and
//! sign-out have their own tests.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// Every route the proxy answers (but sign-in and sign-out), with a body where it takes one.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    let get = |p| (Method::GET, p, None);
    let post = |p, body| (Method::POST, p, Some(body));
    vec![
        get("/api/v1/orders?limit=5"),
        get("/api/v1/orders/10401"),
        get("/api/v1/orders/by-memo/STARS-000000"),
        get("/api/v1/orders/by-reference/inv-1"),
        get("/api/v1/orders/stats/summary"),
        get("/api/v1/pricing/ton-rate"),
        get("/api/v1/pricing/fee"),
        get("/api/v1/pricing/estimate/stars?quantity=100"),
        get("/api/v1/pricing/estimate/premium?months=3"),
        get("/api/v1/recipients/stars?username=pandus"),
        get("/api/v1/recipients/premium?username=pandus"),
        get("/api/v1/balance"),
        get("/api/v1/balance/transactions"),
        get("/api/v1/health"),
        post("/api/v1/orders/stars", stars("pandus", 100)),
        post("/api/v1/orders/premium", json!({"recipient_username": "pandus", "months": 3})),
        (Method::POST, "/api/v1/orders/10401/cancel", None),
        get("/auth/session"),
        get("/console/v1/config"),
        get("/console/v1/orders/10401/audit"),
        get("/console/v1/audit"),
        get("/console/v1/audit.csv"),
        get("/console/v1/qr.svg?text=ton%3A%2F%2Ftransfer%2Fmatrix"),
        get("/console/v1/users"),
        post("/console/v1/users", json!({"username": "matrix-new", "role": "viewer", "password": "a long password"})),
        (Method::PATCH, "/console/v1/users/vera", Some(json!({"role": "viewer"}))),
        (Method::DELETE, "/console/v1/users/nobody-here", None),
        (Method::POST, "/console/v1/orders/10401/payment-link", None),
        (Method::DELETE, "/console/v1/orders/10401/payment-link", None),
        get("/pay/v1/an-unknown-token"),
        get("/pay/an-unknown-token"),
        get("/healthz"),
        get("/readyz"),
        get("/openapi.json"),
        get("/metrics"),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    None,
    Expired,
    LoggedOut,
    WrongCsrf,
    CrossOrigin,
    Valid,
}

/// The status a request must get, or `None` where it is let through (any other status).
fn expected(state: State, role: &str, method: &Method, path: &str) -> Option<u16> {
    let public = ["/healthz", "/readyz", "/openapi.json", "/metrics"].contains(&path) || path.starts_with("/pay/");
    let change = method != Method::GET;
    if change && matches!(state, State::CrossOrigin | State::WrongCsrf) {
        return Some(403);
    }
    if public {
        return None;
    }
    if matches!(state, State::None | State::Expired | State::LoggedOut) {
        return Some(401);
    }
    let admin_only = path.starts_with("/console/v1/audit") || path.starts_with("/console/v1/users");
    let allowed = match role {
        "viewer" => !change && !admin_only,
        "operator" => !admin_only,
        _ => true,
    };
    (!allowed).then_some(403)
}

/// A signed-in staff member, put in `state`.
async fn staff_in(proxy: &TestProxy, name: &str, state: State) -> Option<Staff> {
    if state == State::None {
        return None;
    }
    let staff = proxy.login(name).await;
    match state {
        State::Expired => {
            let token = staff.cookie.split_once('=').unwrap().1;
            proxy.state.db.touch_session(&openmoney_proxy::auth::hash_token(token), 0).await.unwrap();
        }
        State::LoggedOut => {
            assert_eq!(proxy.post("/auth/logout", Some(&staff), &json!({})).await.status, 200);
        }
        _ => {}
    }
    Some(staff)
}

#[tokio::test]
async fn every_route_by_role_by_session_state() {
    let proxy = spawn_proxy().await;
    let states = [State::None, State::Expired, State::LoggedOut, State::WrongCsrf, State::CrossOrigin, State::Valid];
    let mut matrix = vec![format!("{:9} {:12} {:6} {:40} status", "role", "session", "method", "route")];
    let mut n = 0;
    for (role, name) in [("viewer", "vera"), ("operator", "otto"), ("admin", "ada")] {
        for state in states {
            if state == State::None && role != "viewer" {
                continue;
            }
            let staff = staff_in(&proxy, name, state).await;
            for (method, path, body) in routes() {
                n += 1;
                let origin =
                    if state == State::CrossOrigin { "https://evil.example".to_owned() } else { proxy.base.clone() };
                let mut request = proxy
                    .client
                    .request(method.clone(), proxy.url(path))
                    .header("X-Requested-With", "openmoney-console")
                    .header("Origin", origin)
                    .header("Idempotency-Key", format!("matrix-{n}"));
                if let Some(staff) = &staff {
                    let token = if state == State::WrongCsrf { "forged" } else { staff.csrf.as_str() };
                    request = request.header("Cookie", &staff.cookie).header("X-CSRF-Token", token);
                }
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let reply = proxy.send(request).await;
                let who = if state == State::None { "anyone" } else { role };
                let line = format!("{who:9} {:12} {method:6} {path:40} {}", format!("{state:?}"), reply.status);
                crate::web::assert_security_headers(&reply, &line);
                match expected(state, role, &method, path) {
                    Some(status) => {
                        let code = if status == 401 { "UNAUTHORIZED" } else { "FORBIDDEN" };
                        assert_eq!(reply.status, status, "{line}: {}", reply.text);
                        reply.assert_error(status, code);
                    }
                    None => assert!(![401, 403].contains(&reply.status), "{line}: {}", reply.text),
                }
                matrix.push(line);
            }
        }
    }
    assert_eq!(matrix.len() - 1, routes().len() * 16, "every cell was tried");
    println!("{}", matrix.join("\n"));
}
