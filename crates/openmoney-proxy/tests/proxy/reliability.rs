//! Money safety under concurrency: one key makes one order however many times it is sent
//! at once, two cancels of one order have one winner, and concurrent debits never take
//! the balance below zero.

use std::collections::BTreeSet;

use openmoney_sandbox::config::RateLimitConfig;
use serde_json::{json, Value};

use crate::helpers::*;

/// Creates sent at once with one key, in each trial.
const STORM: usize = 100;
/// Trials here; `cargo xtask chaos` runs many more.
const TRIALS: usize = 20;

/// A sandbox without a rate limit whose creates take 20 ms, as real ones take time: long
/// enough for a storm's requests to overlap.
fn unlimited() -> openmoney_sandbox::SandboxConfig {
    let mut config = openmoney_sandbox::SandboxConfig {
        rate_limit: RateLimitConfig { per_second: 0, burst: 0 },
        ..sandbox_config()
    };
    config.lifecycle.create_latency_millis = 20;
    config
}

fn order_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["data"]["id"].as_i64().expect("an order id")
}

#[tokio::test]
async fn an_idempotency_storm_through_the_proxy_makes_one_order() {
    let proxy = spawn_proxy_with(unlimited(), |_| {}).await;
    let otto = proxy.login("otto").await;
    for trial in 0..TRIALS {
        let key = format!("storm-proxy-{trial}");
        let before = proxy.sandbox.order_count();
        let order = stars("pandus", 100);
        let replies = futures::future::join_all((0..STORM).map(|_| proxy.create(&otto, &key, &order))).await;
        let ids: BTreeSet<i64> = replies.iter().map(order_id).collect();
        assert_eq!(ids.len(), 1, "trial {trial}: {STORM} creates with one key answered with orders {ids:?}");
        assert_eq!(proxy.sandbox.order_count(), before + 1, "trial {trial} made more than one order");
    }
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
    for trial in 0..TRIALS {
        let key = format!("storm-direct-{trial}");
        let before = proxy.sandbox.order_count();
        let ids: BTreeSet<i64> =
            futures::future::join_all((0..STORM).map(|_| create(key.clone()))).await.into_iter().collect();
        assert_eq!(ids.len(), 1, "trial {trial}: orders {ids:?}");
        assert_eq!(proxy.sandbox.order_count(), before + 1, "trial {trial} made more than one order");
    }
}

#[tokio::test]
async fn two_operators_cancelling_one_order_at_once_get_one_success_and_one_clear_409() {
    let proxy = spawn_proxy().await;
    let (otto, ada) = (proxy.login("otto").await, proxy.login("ada").await);
    for trial in 0..TRIALS {
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

    let balance = proxy.get("/api/v1/balance", Some(&otto)).await.json();
    let balance: openmoney_api::Ton = serde_json::from_value(balance["data"]["balance_ton"].clone()).unwrap();
    assert!(!balance.is_negative(), "the balance went to {balance}");
    let history = proxy.get("/api/v1/balance/transactions?limit=100", Some(&otto)).await.json();
    let sum: openmoney_api::Ton = history["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| serde_json::from_value::<openmoney_api::Ton>(t["amount_ton"].clone()).unwrap())
        .sum();
    assert_eq!(sum, balance, "the transactions do not add up to the balance");
}
