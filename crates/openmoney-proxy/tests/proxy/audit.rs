//! The audit records who did what, and shows it to the right people.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn creates_cancels_logins_and_user_changes_are_audited() {
    let proxy = spawn_proxy().await;
    proxy.login_raw("otto", "a wrong password").await;
    let otto = proxy.login("otto").await;
    let created = proxy
        .create(
            &otto,
            "audit-key-1",
            &json!({"recipient_username": "pandus", "quantity": 250, "client_reference": "inv-9"}),
        )
        .await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    proxy.post(&format!("/api/v1/orders/{id}/cancel"), Some(&otto), &json!({})).await;
    proxy.post(&format!("/api/v1/orders/{id}/cancel"), Some(&otto), &json!({})).await;
    let ada = proxy.login("ada").await;
    let added = proxy
        .send(
            proxy
                .console(Method::POST, "/console/v1/users", Some(&ada))
                .json(&json!({"username": "nina", "role": "viewer", "password": "a long enough password"})),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);

    let page = proxy.get("/console/v1/audit?limit=100", Some(&ada)).await.json();
    let rows: Vec<(String, String, String)> = page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
                e["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("otto", "auth.login_failed", "refused"),
        ("otto", "auth.login", "ok"),
        ("otto", "order.create", "ok"),
        ("otto", "order.cancel", "ok"),
        ("otto", "order.cancel", "INVALID_STATE"),
        ("ada", "auth.login", "ok"),
        ("ada", "user.add", "ok"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(rows, expected);

    let order_audit = proxy.get(&format!("/console/v1/orders/{id}/audit"), Some(&otto)).await.json();
    let first = &order_audit["data"][0];
    assert_eq!((first["actor"].as_str(), first["action"].as_str()), (Some("otto"), Some("order.create")));
    assert_eq!(first["idempotency_key"], "audit-key-1");
    assert!(first["summary"].as_str().unwrap().contains("250 Stars for @pandus"));
    assert_eq!(order_audit["data"].as_array().unwrap().len(), 3);

    let filtered = proxy.get("/console/v1/audit?actor=otto&action=order.cancel", Some(&ada)).await.json();
    assert_eq!(filtered["data"]["total"], 2);
    let any = proxy.get("/console/v1/audit?actor=otto&action=", Some(&ada)).await.json();
    assert!(any["data"]["total"].as_u64().unwrap() > 2, "an empty action is no filter: {any}");
    for path in ["/console/v1/audit?action=order.delete", "/console/v1/audit.csv?action=order.delete"] {
        let refused = proxy.get(path, Some(&ada)).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains("payment_link.create"), "the known actions are listed: {}", refused.text);
    }
    let csv = proxy.get("/console/v1/audit.csv?action=order.create", Some(&ada)).await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "id,at,actor,action,outcome,order_id,idempotency_key,summary,client_addr");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(&id.to_string()) && lines[1].contains("audit-key-1"));
}

/// Names typed into the sign-in form by someone with no account: each would be a live
/// formula in a spreadsheet if the export wrote it as it came.
const FORMULA_NAMES: [(&str, &str); 5] = [
    ("=HYPERLINK(\"http://evil.example/x\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example/x\"\",\"\"x\"\")\""),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    // The form trims the name, so what lands in the audit starts with `=`.
    ("\t=1+1", "'=1+1"),
];

#[tokio::test]
async fn failed_sign_ins_with_formula_names_export_as_inert_text() {
    let proxy = spawn_proxy().await;
    for (name, _) in FORMULA_NAMES {
        proxy.login_raw(name, "a wrong password").await.assert_error(401, "UNAUTHORIZED");
    }
    let ada = proxy.login("ada").await;
    let page = proxy.get("/console/v1/audit?action=auth.login_failed", Some(&ada)).await.json();
    let items = page["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), FORMULA_NAMES.len(), "{page}");

    let csv = proxy.get("/console/v1/audit.csv?action=auth.login_failed", Some(&ada)).await;
    assert_eq!(csv.status, 200);
    let mut expected = String::from("id,at,actor,action,outcome,order_id,idempotency_key,summary,client_addr\n");
    // Newest first, as the page lists them.
    for (item, (_, cell)) in items.iter().zip(FORMULA_NAMES.iter().rev()) {
        let at = openmoney_api::Timestamp::from_unix_millis(item["at"].as_i64().unwrap());
        let id = &item["id"];
        expected.push_str(&format!("{id},{at},{cell},auth.login_failed,refused,,,from 127.0.0.1,127.0.0.1\n"));
    }
    assert_eq!(csv.text, expected);
}

#[tokio::test]
async fn a_replayed_create_is_audited_as_replayed() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    proxy.create(&otto, "twice", &stars("pandus", 100)).await;
    let again = proxy.create(&otto, "twice", &stars("pandus", 100)).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let ada = proxy.login("ada").await;
    let page = proxy.get("/console/v1/audit?action=order.create", Some(&ada)).await.json();
    let outcomes: Vec<&str> =
        page["data"]["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["replayed", "ok"]);
}

#[tokio::test]
async fn the_quote_staff_saw_is_kept_with_the_create_and_a_bad_one_is_refused() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let quoted = |key: &'static str, quote: &'static str| {
        proxy
            .console(Method::POST, "/api/v1/orders/stars", Some(&otto))
            .header("Idempotency-Key", key)
            .header("X-Console-Quote", quote)
            .json(&stars("pandus", 100))
    };
    let created = proxy.send(quoted("quoted-1", "price_ton=0.418; ton_usd_rate=3.6012")).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let audit = proxy.get(&format!("/console/v1/orders/{id}/audit"), Some(&otto)).await.json();
    assert_eq!(audit["data"][0]["quote"], json!({"price_ton": 0.418, "ton_usd_rate": 3.6012}));

    let before = proxy.sandbox.order_count();
    let refused = proxy.send(quoted("quoted-2", "price_ton=lots")).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.json()["error_code"], "BAD_REQUEST");
    assert!(refused.json()["error_message"].as_str().unwrap().contains("X-Console-Quote"));
    assert_eq!(proxy.sandbox.order_count(), before, "a refused create makes no order");
}

#[tokio::test]
async fn a_create_whose_client_hangs_up_is_still_made_once_and_audited() {
    let mut slow = unlimited();
    slow.lifecycle.create_latency_millis = 400;
    let proxy = spawn_proxy_with(slow, |_| {}).await;
    let otto = proxy.login("otto").await;
    let before = proxy.sandbox.order_count();
    let hung_up = proxy
        .console(Method::POST, "/api/v1/orders/stars", Some(&otto))
        .header("Idempotency-Key", "hang-up-1")
        .json(&stars("pandus", 100))
        .timeout(std::time::Duration::from_millis(100))
        .send()
        .await;
    assert!(hung_up.is_err(), "the client was meant to give up first");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;

    assert_eq!(proxy.sandbox.order_count(), before + 1);
    let filter = openmoney_proxy::db::AuditFilter {
        action: Some(openmoney_api::AuditAction::OrderCreate),
        ..Default::default()
    };
    let (rows, _) = proxy.state.db.audit_page(&filter, 10, 0).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].outcome.as_str(), rows[0].order_id.is_some()), ("ok", true), "{rows:?}");
}

#[tokio::test]
async fn a_change_cut_off_by_a_crash_is_audited_as_interrupted_at_the_next_start() {
    use openmoney_proxy::db::{AuditFilter, Db, NewAudit};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("console.db").display());
    let db = Db::connect(&url).await.unwrap();
    let change = NewAudit {
        idempotency_key: Some("k-cut-off".into()),
        summary: "100 Stars for @pandus, ton_memo".into(),
        ..NewAudit::new("otto", openmoney_api::AuditAction::OrderCreate)
    };
    let settled = db.journal_change(change.clone()).await.unwrap();
    db.audit_change(settled, NewAudit { outcome: "ok".into(), order_id: Some(7), ..change.clone() }).await.unwrap();
    db.journal_change(change).await.unwrap();
    drop(db);

    let db = Db::connect(&url).await.unwrap();
    assert_eq!(db.recover_at_start().await.unwrap(), 1, "only the unsettled change is recovered");
    assert_eq!(db.recover_at_start().await.unwrap(), 0, "and only once");
    let (rows, _) = db.audit_page(&AuditFilter::default(), 10, 0).await.unwrap();
    let outcomes: Vec<(&str, Option<&str>)> =
        rows.iter().map(|r| (r.outcome.as_str(), r.idempotency_key.as_deref())).collect();
    assert_eq!(outcomes, [("interrupted", Some("k-cut-off")), ("ok", Some("k-cut-off"))]);
    assert_eq!(rows[0].summary, "100 Stars for @pandus, ton_memo");
}
