//! Every endpoint answers with its documented shape and consistent figures.

use openmoney_api::{
    Balance, Envelope, Estimate, FeeInfo, Health, HealthStatus, Order, OrderStatus, OrderType, Page, RecipientCheck,
    StatsSummary, Ton, TonRate, Transaction, TransactionType,
};
use openmoney_sandbox::SandboxConfig;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::helpers::*;

async fn typed<T: DeserializeOwned>(app: &TestSandbox, path: &str) -> T {
    let reply = app.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    match serde_json::from_value::<Envelope<T>>(reply.body).expect("decodes as the shared type") {
        Envelope::Ok(data) => data,
        Envelope::Err(err) => panic!("{path}: {err}"),
    }
}

#[tokio::test]
async fn all_seventeen_endpoints_answer_for_a_valid_key() {
    let app = spawn_sandbox().await;
    let health: Health = typed(&app, "/api/v1/health").await;
    assert_eq!(health.status, HealthStatus::Ok);

    let created =
        app.create_stars(json!({"recipient_username": "@pandus", "quantity": 250, "client_reference": "inv-7"})).await;
    let order: Order = serde_json::from_value(created).unwrap();
    assert_eq!(order.recipient_username, "pandus", "the @ is dropped");
    let premium = app
        .post(
            "/api/v1/orders/premium",
            &json!({"recipient_username": "alice_tg", "months": 6,
        "payment_method": "balance", "payment_currency": "TON", "client_reference": "inv-7"}),
        )
        .await;
    let premium: Order = serde_json::from_value(premium.data().clone()).unwrap();
    assert_eq!((premium.premium_months, premium.status.clone()), (Some(6), OrderStatus::Paid));

    let by_id: Order = typed(&app, &format!("/api/v1/orders/{}", order.id)).await;
    assert_eq!(by_id, order);
    let memo = order.payment_memo.clone().unwrap();
    let by_memo: Order = typed(&app, &format!("/api/v1/orders/by-memo/{memo}")).await;
    assert_eq!(by_memo.id, order.id);
    let by_ref: Vec<Order> = typed(&app, "/api/v1/orders/by-reference/inv-7").await;
    assert_eq!(by_ref.iter().map(|o| o.id).collect::<Vec<_>>(), [premium.id, order.id], "newest first");
    let list: Page<Order> = typed(&app, "/api/v1/orders?limit=1").await;
    assert_eq!((list.total, list.items.len(), list.items[0].id), (2, 1, premium.id));
    let stats: StatsSummary = typed(&app, "/api/v1/orders/stats/summary").await;
    assert_eq!(stats.total_orders, 2);
    assert_eq!(stats.by_status[&OrderStatus::PendingPayment], 1);
    assert_eq!(stats.pending_ton, order.price_ton);

    let rate: TonRate = typed(&app, "/api/v1/pricing/ton-rate").await;
    assert!(rate.ton_usd > openmoney_api::Decimal::ZERO);
    let fee: FeeInfo = typed(&app, "/api/v1/pricing/fee").await;
    assert_eq!(
        (fee.stars.min, fee.stars.max, fee.premium.months.clone(), fee.order_ttl_seconds),
        (50, 10000, vec![3, 6, 12], 900)
    );
    let stars_estimate: Estimate = typed(&app, "/api/v1/pricing/estimate/stars?quantity=250").await;
    assert_eq!(
        stars_estimate.price_ton, order.price_ton,
        "an estimate equals the price of an order made at that moment"
    );
    let premium_estimate: Estimate = typed(&app, "/api/v1/pricing/estimate/premium?months=6").await;
    assert_eq!(premium_estimate.price_ton, premium.price_ton);
    let can: RecipientCheck = typed(&app, "/api/v1/recipients/stars?username=pandus").await;
    assert!(can.can_receive);
    let cannot: RecipientCheck = typed(&app, "/api/v1/recipients/premium?username=durov").await;
    assert_eq!((cannot.can_receive, cannot.reason.as_deref()), (false, Some("already_premium")));

    let balance: Balance = typed(&app, "/api/v1/balance").await;
    assert_eq!(balance.balance_ton, Ton::from_units(100).checked_sub(premium.price_ton).unwrap());
    assert_eq!(balance.pending_ton, order.price_ton);
    let history: Page<Transaction> = typed(&app, "/api/v1/balance/transactions").await;
    assert_eq!(
        history.items.iter().map(|t| t.kind.clone()).collect::<Vec<_>>(),
        [TransactionType::OrderDebit, TransactionType::Topup]
    );
    assert_eq!(history.items[0].amount_ton, -premium.price_ton);
    assert_eq!(history.items[0].balance_after_ton, balance.balance_ton);
    assert_eq!(history.items[0].order_id, Some(premium.id));

    let cancelled: Order = serde_json::from_value(
        app.post(&format!("/api/v1/orders/{}/cancel", order.id), &json!({})).await.data().clone(),
    )
    .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
}

#[tokio::test]
async fn lists_filter_and_page_newest_first() {
    let app = spawn_sandbox().await;
    let mut ids = Vec::new();
    for (i, name) in ["pandus", "alice_tg", "pandus", "crypto_kate", "pandus"].iter().enumerate() {
        ids.push(app.create_stars(stars(name, 50 + i as i64)).await["id"].as_i64().unwrap());
        app.advance_secs(60);
    }
    app.post(&format!("/api/v1/orders/{}/cancel", ids[0]), &json!({})).await.data();
    let page: Page<Order> = typed(&app, "/api/v1/orders?recipient_username=pandus&limit=2&offset=1").await;
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|o| o.id).collect::<Vec<_>>(), [ids[2], ids[0]]);
    let cancelled: Page<Order> = typed(&app, "/api/v1/orders?status=cancelled").await;
    assert_eq!(cancelled.items.iter().map(|o| o.id).collect::<Vec<_>>(), [ids[0]]);
    let window: Page<Order> =
        typed(&app, "/api/v1/orders?created_from=2026-04-16T12:01:00Z&created_to=2026-04-16T12:03:00Z").await;
    assert_eq!(window.items.iter().map(|o| o.id).collect::<Vec<_>>(), [ids[2], ids[1]]);
    let premium: Page<Order> = typed(&app, "/api/v1/orders?order_type=premium").await;
    assert_eq!(premium.total, 0);
}

#[tokio::test]
async fn partners_never_see_each_others_orders() {
    let app = spawn_sandbox().await;
    let other = app.as_partner(KEY_B);
    let order = app
        .create_stars(json!({"recipient_username": "pandus", "quantity": 100, "client_reference": "shared-ref"}))
        .await;
    let id = order["id"].as_i64().unwrap();
    let memo = order["payment_memo"].as_str().unwrap();
    other.get(&format!("/api/v1/orders/{id}")).await.assert_error(404, "NOT_FOUND");
    other.get(&format!("/api/v1/orders/by-memo/{memo}")).await.assert_error(404, "NOT_FOUND");
    other.post(&format!("/api/v1/orders/{id}/cancel"), &json!({})).await.assert_error(404, "NOT_FOUND");
    other.control(&format!("/orders/{id}/pay"), &json!({})).await.assert_error(404, "NOT_FOUND");
    assert_eq!(other.get("/api/v1/orders/by-reference/shared-ref").await.data(), &json!([]));
    assert_eq!(other.get("/api/v1/orders").await.data()["total"], 0);
    assert_eq!(other.get("/api/v1/balance").await.data()["balance_ton"], 0);
    assert_ne!(
        other.get("/api/v1/balance").await.data()["topup_address"],
        app.get("/api/v1/balance").await.data()["topup_address"]
    );
    // The owner still sees it, untouched.
    assert_eq!(app.get(&format!("/api/v1/orders/{id}")).await.data()["status"], "pending_payment");
}

#[tokio::test]
async fn openapi_document_describes_every_endpoint_and_its_errors() {
    let app = spawn_sandbox().await;
    let doc = app.send(app.client.get(app.url("/api/v1/openapi.json"))).await.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let operations: Vec<String> = paths
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    assert_eq!(operations.len(), 17, "{operations:?}");
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("200") && responses.contains_key("default"), "{method} {path}");
            assert_eq!(responses.contains_key("401"), path != "/health", "{method} {path}");
        }
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // Every place that documents a client_reference says what the validator accepts.
    let schemas = &doc["components"]["schemas"];
    let documented = [
        &schemas["CreateStarsOrder"]["properties"]["client_reference"]["pattern"],
        &schemas["CreatePremiumOrder"]["properties"]["client_reference"]["pattern"],
        &doc["paths"]["/orders/by-reference/{ref}"]["get"]["parameters"][0]["schema"]["pattern"],
    ];
    for pattern in documented {
        assert_eq!(pattern, openmoney_api::validate::CLIENT_REFERENCE_PATTERN);
    }
}

#[tokio::test]
async fn demo_mode_seeds_history_for_the_console() {
    let app = spawn_with(openmoney_sandbox::SandboxConfig { demo: true, ..config() }).await;
    let stats: StatsSummary = typed(&app, "/api/v1/orders/stats/summary").await;
    assert!(stats.total_orders >= 50, "{stats:?}");
    assert!(stats.by_status[&OrderStatus::PendingPayment] >= 1);
    let shared: Vec<Order> = typed(&app, "/api/v1/orders/by-reference/invoice-1001").await;
    assert!(shared.len() >= 3);
    let history: Page<Transaction> = typed(&app, "/api/v1/balance/transactions?limit=100").await;
    assert!(history.total > 10);
}

/// Every page the list gives for `query`, newest first, and its total.
async fn walk(app: &TestSandbox, query: &str) -> (Vec<i64>, u64) {
    let mut ids = Vec::new();
    let mut total = 0;
    for offset in (0..).step_by(7) {
        let page: Page<Order> = typed(app, &format!("/api/v1/orders?limit=7&offset={offset}{query}")).await;
        total = page.total;
        if page.items.is_empty() {
            break;
        }
        ids.extend(page.items.iter().map(|o| o.id));
    }
    (ids, total)
}

#[tokio::test]
async fn the_list_indexes_agree_with_a_full_walk_as_orders_change() {
    let app = spawn_with(SandboxConfig { demo: true, ..config() }).await;
    // More changes on top of the demo's history: cancels, payments, expiries, failures.
    for (i, name) in ["pandus", "Alice_TG", "crypto_kate", "pandus"].iter().enumerate() {
        let id = app.create_stars(stars(name, 60 + i as i64)).await["id"].as_i64().unwrap();
        match i {
            0 => drop(app.post(&format!("/api/v1/orders/{id}/cancel"), &json!({})).await),
            1 => drop(app.control(&format!("/orders/{id}/pay"), &json!({})).await),
            _ => {}
        }
    }
    app.advance_secs(3600);
    let (all, total) = walk(&app, "").await;
    assert_eq!(all.len() as u64, total);
    let every: Vec<Order> = {
        let mut orders = Vec::new();
        for id in &all {
            orders.push(typed::<Order>(&app, &format!("/api/v1/orders/{id}")).await);
        }
        orders
    };
    let statuses = OrderStatus::KNOWN.iter().map(|s| Some(s.clone())).chain([None]);
    for status in statuses {
        for kind in [Some(OrderType::Stars), Some(OrderType::Premium), None] {
            for recipient in [Some("pandus"), Some("alice_tg"), None] {
                let mut query = String::new();
                if let Some(s) = &status {
                    query += &format!("&status={s}");
                }
                if let Some(k) = &kind {
                    query += &format!("&order_type={k}");
                }
                if let Some(r) = recipient {
                    query += &format!("&recipient_username={r}");
                }
                let expected: Vec<i64> = every
                    .iter()
                    .filter(|o| status.as_ref().is_none_or(|s| &o.status == s))
                    .filter(|o| kind.as_ref().is_none_or(|k| &o.order_type == k))
                    .filter(|o| recipient.is_none_or(|r| o.recipient_username.eq_ignore_ascii_case(r)))
                    .map(|o| o.id)
                    .collect();
                let (ids, total) = walk(&app, &query).await;
                assert_eq!(ids, expected, "{query}");
                assert_eq!(total, expected.len() as u64, "{query}");
            }
        }
    }
}
