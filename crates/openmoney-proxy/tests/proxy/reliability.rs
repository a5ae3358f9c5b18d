//! Money safety under concurrency: one key makes one order however many times it is sent
//! at once, two cancels of one order have one winner, and concurrent debits never take
//! the balance below zero, nor do creates racing cancels and a refund.

use std::collections::BTreeSet;

use openmoney_api::Ton;
use serde_json::{json, Value};

use crate::helpers::*;

/// Creates sent at once with one key, in each trial.
const STORM: usize = 100;
/// Trials: 20 in the suite, 1,000 under `cargo xtask chaos`.
fn trials() -> usize {
    scale(20, 1_000)
}

fn order_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["data"]["id"].as_i64().expect("an order id")
}

#[tokio::test]
async fn an_idempotency_storm_through_the_proxy_makes_one_order() {
    let proxy = spawn_proxy_with(unlimited(), |_| {}).await;
    let otto = proxy.login("otto").await;
    for trial in 0..trials() {
        let key = format!("storm-proxy-{trial}");
        let before = proxy.sandbox.order_count();
        let order = stars("pandus", 100);
        let replies = futures::future::join_all((0..STORM).map(|_| proxy.create(&otto, &key, &order))).await;
        let ids: BTreeSet<i64> = replies.iter().map(order_id).collect();
        assert_eq!(ids.len(), 1, "trial {trial}: {STORM} creates with one key answered with orders {ids:?}");
        assert_eq!(proxy.sandbox.order_count(), before + 1, "trial {trial} made more than one order");
    }
    let trials = trials();
    figure(
        "idempotency storm: through the proxy",
        format!("{trials} trials × {STORM} creates: {trials} orders, one id per trial"),
        "1 order a trial",
        Some(true),
    );
}

/// Straight at the sandbox, a request that finds its key in flight gets 409
/// `IDEMPOTENCY_KEY_IN_USE` (as the upstream does) and retries until it gets the order.
#[tokio::test]
async fn an_idempotency_storm_at_the_sandbox_makes_one_order() {
    let proxy = spawn_proxy_with(unlimited(), |_| {}).await;
    let url = proxy.sandbox_url("/api/v1/orders/stars");
    let create = |key: String| {
        let (client, url) = (proxy.client.clone(), url.clone());
        async move {
            for _ in 0..200 {
                let reply = client
                    .post(&url)
                    .bearer_auth(KEY)
                    .header("Idempotency-Key", &key)
                    .json(&stars("pandus", 100))
                    .send()
                    .await
                    .unwrap();
                let status = reply.status().as_u16();
                let body: Value = reply.json().await.unwrap();
                match status {
                    200 => return body["data"]["id"].as_i64().expect("an order id"),
                    409 => assert_eq!(body["error_code"], "IDEMPOTENCY_KEY_IN_USE", "{body}"),
                    other => panic!("{other}: {body}"),
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            panic!("the key stayed in use");
        }
    };
    for trial in 0..trials() {
        let key = format!("storm-direct-{trial}");
        let before = proxy.sandbox.order_count();
        let ids: BTreeSet<i64> =
            futures::future::join_all((0..STORM).map(|_| create(key.clone()))).await.into_iter().collect();
        assert_eq!(ids.len(), 1, "trial {trial}: orders {ids:?}");
        assert_eq!(proxy.sandbox.order_count(), before + 1, "trial {trial} made more than one order");
    }
    let trials = trials();
    figure(
        "idempotency storm: straight at the sandbox",
        format!("{trials} trials × {STORM} creates: {trials} orders, one id per trial"),
        "1 order a trial",
        Some(true),
    );
}

#[tokio::test]
async fn two_operators_cancelling_one_order_at_once_get_one_success_and_one_clear_409() {
    let proxy = spawn_proxy().await;
    let (otto, ada) = (proxy.login("otto").await, proxy.login("ada").await);
    for trial in 0..trials() {
        let id = order_id(&proxy.create(&otto, &format!("cancel-race-{trial}"), &stars("pandus", 100)).await);
        let (path, empty) = (format!("/api/v1/orders/{id}/cancel"), json!({}));
        let (first, second) =
            tokio::join!(proxy.post(&path, Some(&otto), &empty), proxy.post(&path, Some(&ada), &empty));
        let mut statuses = [first.status, second.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "trial {trial}: {} / {}", first.text, second.text);
        let refused = if first.status == 409 { &first } else { &second };
        refused.assert_error(409, "INVALID_STATE");
    }
    figure(
        "concurrency: two cancels of one order at once",
        format!("{} trials: one 200 and one 409 INVALID_STATE each", trials()),
        "one winner",
        Some(true),
    );
}

#[tokio::test]
async fn concurrent_debits_never_take_the_balance_below_zero_and_the_ledger_adds_up() {
    let mut partner = openmoney_sandbox::PartnerConfig::new(KEY);
    partner.opening_balance = openmoney_api::Ton::from_units(3);
    let sandbox = openmoney_sandbox::SandboxConfig { partners: vec![partner], ..unlimited() };
    let proxy = spawn_proxy_with(sandbox, |c| c.budgets.upstream_rps = 1_000).await;
    let otto = proxy.login("otto").await;
    let mut order = stars("pandus", 500);
    order["payment_method"] = json!("balance");
    let keys: Vec<String> = (0..20).map(|n| format!("debit-{n}")).collect();
    let replies = futures::future::join_all(keys.iter().map(|key| proxy.create(&otto, key, &order))).await;
    let made = replies.iter().filter(|r| r.status == 200).count();
    for refused in replies.iter().filter(|r| r.status != 200) {
        refused.assert_error(409, "INSUFFICIENT_BALANCE");
    }
    assert!((1..20).contains(&made), "{made} of 20 debits went through on a balance of 3 TON");
    let balance = whole_balance(&proxy, &otto).await;
    figure(
        "concurrency: 20 debits at once on 3 TON",
        format!("{made} made, the rest 409; balance {balance} TON = the sum of its transactions"),
        "never below 0",
        Some(true),
    );
}

fn ton(value: &Value) -> Ton {
    serde_json::from_value(value.clone()).unwrap()
}

/// The balance, checked: never below zero, and equal to the sum of its transactions.
async fn whole_balance(proxy: &TestProxy, staff: &Staff) -> Ton {
    let balance = ton(&proxy.get("/api/v1/balance", Some(staff)).await.json()["data"]["balance_ton"]);
    assert!(!balance.is_negative(), "the balance went to {balance}");
    let history = proxy.get("/api/v1/balance/transactions?limit=100", Some(staff)).await.json();
    let sum: Ton = history["data"]["items"].as_array().unwrap().iter().map(|t| ton(&t["amount_ton"])).sum();
    assert_eq!(sum, balance, "the transactions do not add up to the balance");
    balance
}

/// Creates paid from the balance race a cancel of the paid order (refused: it is paid), a
/// cancel of a pending one, and the paid order failing, whose refund lands mid-race.
#[tokio::test]
async fn creates_and_cancels_at_once_keep_the_balance_whole() {
    let trials = scale(10, 200);
    let mut made_after_refund = 0;
    for trial in 0..trials {
        let mut partner = openmoney_sandbox::PartnerConfig::new(KEY);
        partner.opening_balance = Ton::from_units(3);
        let mut sandbox = openmoney_sandbox::SandboxConfig { partners: vec![partner], ..unlimited() };
        sandbox.lifecycle.failed_to_refunded_millis = 15;
        let proxy = spawn_proxy_with(sandbox, |c| c.budgets.upstream_rps = 1_000).await;
        let otto = proxy.login("otto").await;
        let mut from_balance = stars("pandus", 500);
        from_balance["payment_method"] = json!("balance");
        let paid = proxy.create(&otto, "paid", &from_balance).await;
        let (paid_id, price) = (order_id(&paid), ton(&paid.json()["data"]["price_ton"]));
        let pending_id = order_id(&proxy.create(&otto, "pending", &stars("pandus", 100)).await);

        let (cancel_paid, cancel_pending, empty) =
            (format!("/api/v1/orders/{paid_id}/cancel"), format!("/api/v1/orders/{pending_id}/cancel"), json!({}));
        let fail =
            proxy.client.post(proxy.sandbox_url(&format!("/sandbox/v1/orders/{paid_id}/fail"))).bearer_auth(KEY).send();
        let creates = futures::future::join_all((0..8).map(|n| {
            let (proxy, otto, order) = (&proxy, &otto, &from_balance);
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(5 * n)).await;
                proxy.create(otto, &format!("race-{n}"), order).await
            }
        }));
        let (cancel_paid, cancel_pending, failed, creates) = tokio::join!(
            proxy.post(&cancel_paid, Some(&otto), &empty),
            proxy.post(&cancel_pending, Some(&otto), &empty),
            fail,
            creates
        );
        cancel_paid.assert_error(409, "INVALID_STATE");
        assert_eq!(cancel_pending.status, 200, "trial {trial}: {}", cancel_pending.text);
        assert!(failed.unwrap().status().is_success(), "trial {trial}: the paid order did not fail");
        for refused in creates.iter().filter(|r| r.status != 200) {
            refused.assert_error(409, "INSUFFICIENT_BALANCE");
        }
        let made = creates.iter().filter(|r| r.status == 200).count();
        assert!(made <= 1, "trial {trial}: {made} creates went through on one refund");
        made_after_refund += made;

        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let balance = whole_balance(&proxy, &otto).await;
        let spent = Ton::from_nanos(price.nanos() * made as i64);
        assert_eq!(
            balance,
            Ton::from_units(3).checked_sub(spent).unwrap(),
            "trial {trial}: paid, refunded, {made} more"
        );
    }
    figure(
        "concurrency: creates from the balance beside two cancels and a refund",
        format!(
            "{trials} trials × 8 creates: the paid order's cancel 409, the pending one's 200; \
             {made_after_refund} creates landed on a refund; the balance whole each time"
        ),
        "never below 0, adds up",
        Some(true),
    );
}

/// Faults on about 30% of the upstream's creates, split over the four kinds, each with a
/// firing count so the fired ones can be read back.
fn create_faults() -> Value {
    let rule = |kind: &str, percent: u8| {
        json!({"kind": kind, "percent": percent, "count": FAULT_BUDGET, "method": "POST",
               "path_prefix": "/orders/stars", "stall_seconds": 1, "status": if kind == "error" { json!(500) } else { Value::Null }})
    };
    let mut rules =
        vec![rule("error", 5), rule("error", 4), rule("stall", 8), rule("reset", 8), rule("lose_response", 8)];
    rules[1]["status"] = json!(503);
    json!(rules)
}
const FAULT_BUDGET: u32 = 1_000_000;

/// One intended order as the console makes it: one key, sent again (same key, same body)
/// after any failure that leaves the outcome unknown, until an order comes back.
async fn create_until_made(proxy: &TestProxy, staff: &Staff, n: usize) -> (String, i64, u32, u32) {
    let reference = format!("chaos-{n}");
    let key = format!("chaos-key-{n}");
    let mut order = stars("pandus", 100);
    order["client_reference"] = json!(reference);
    for tries in 1..=10 {
        let reply = proxy.create(staff, &key, &order).await;
        let in_use = reply.status == 409 && reply.json()["error_code"] == "IDEMPOTENCY_KEY_IN_USE";
        match reply.status {
            200 => {
                let attempts = reply.header(openmoney_proxy::UPSTREAM_ATTEMPTS_HEADER).unwrap().parse().unwrap();
                return (reference, order_id(&reply), tries, attempts);
            }
            429 | 500..=504 => {}
            409 if in_use => {}
            other => panic!("order {n}: {other} {}", reply.text),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("order {n} was not made after 10 tries");
}

#[tokio::test]
async fn a_faulty_upstream_neither_loses_nor_duplicates_an_order() {
    use futures::StreamExt;
    let intended = scale(200, 1_000);
    let proxy = spawn_proxy_with(unlimited(), |c| {
        c.budgets.upstream_rps = 1_000;
        // A stall (1 s) outlasts one attempt; three attempts fit in the total.
        c.timeouts.request = std::time::Duration::from_millis(400);
        c.timeouts.total = std::time::Duration::from_secs(3);
    })
    .await;
    let otto = proxy.login("otto").await;
    set_faults(&proxy, create_faults()).await;
    let before = proxy.sandbox.order_count();

    let made: Vec<(String, i64, u32, u32)> = futures::stream::iter(0..intended)
        .map(|n| create_until_made(&proxy, &otto, n))
        .buffer_unordered(25)
        .collect()
        .await;
    // Let stalled calls finish at the upstream before counting.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let fired: u64 = {
        let rules = proxy.client.get(proxy.sandbox_url("/sandbox/v1/faults")).bearer_auth(KEY).send().await.unwrap();
        let rules: Value = rules.json().await.unwrap();
        rules["data"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| u64::from(FAULT_BUDGET) - r["count"].as_u64().unwrap())
            .sum()
    };
    set_faults(&proxy, json!([])).await;

    // Every intended order exists exactly once, under its own reference.
    let ids: BTreeSet<i64> = made.iter().map(|m| m.1).collect();
    assert_eq!(ids.len(), intended, "two intended orders were answered with one order");
    assert_eq!(proxy.sandbox.order_count(), before + intended, "orders were lost or duplicated");
    for (reference, id, ..) in &made {
        let found = proxy.get(&format!("/api/v1/orders/by-reference/{reference}"), Some(&otto)).await.json();
        let ids: Vec<i64> = found["data"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [*id], "the orders of {reference}");
    }
    // …and in the audit.
    let filter = openmoney_proxy::db::AuditFilter {
        action: Some(openmoney_api::AuditAction::OrderCreate),
        ..Default::default()
    };
    let (rows, _) = proxy.state.db.audit_page(&filter, 100_000, 0).await.unwrap();
    let audited: BTreeSet<i64> =
        rows.iter().filter(|r| r.outcome == "ok" || r.outcome == "replayed").filter_map(|r| r.order_id).collect();
    assert_eq!(audited, ids, "the audit and the orders differ");

    let calls =
        proxy.sandbox.recent_requests().into_iter().filter(|r| r.method == "POST" && r.path == "/api/v1/orders/stars");
    let mut per_key = std::collections::HashMap::<String, u32>::new();
    for call in calls {
        *per_key.entry(call.idempotency_key.unwrap_or_default()).or_default() += 1;
    }
    let upstream_calls: u64 = per_key.values().map(|&c| u64::from(c)).sum();
    let extra = upstream_calls - intended as u64 - fired;
    let max_tries = made.iter().map(|m| m.2).max().unwrap();
    let max_attempts = made.iter().map(|m| m.3).max().unwrap();
    assert!(max_attempts <= 3, "one proxy request made {max_attempts} upstream calls");
    let share = |n: u64| format!("{n} ({:.1}%)", n as f64 * 100.0 / intended as f64);
    figure(
        "faulty upstream: intended orders / orders made / duplicates / lost",
        format!("{intended} / {} / 0 / 0", ids.len()),
        "exact",
        Some(true),
    );
    let rate = format!("{fired} of {upstream_calls} calls ({:.1}%)", fired as f64 * 100.0 / upstream_calls as f64);
    figure("faulty upstream: faults injected", rate, "≈ 30%", None);
    figure("faulty upstream: upstream calls beyond one per order", share(upstream_calls - intended as u64), "", None);
    figure(
        "faulty upstream: calls beyond one per order and one per fault",
        share(extra),
        "≤ 10%",
        Some(extra * 10 <= intended as u64),
    );
    figure("faulty upstream: most upstream calls in one proxy request", max_attempts, "≤ 3", Some(true));
    figure(
        "faulty upstream: most console tries for one order / upstream calls for one key",
        format!("{max_tries} / {}", per_key.values().max().unwrap()),
        "",
        None,
    );
}
