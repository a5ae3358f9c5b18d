//! `--demo`: a few days of believable history for one partner, made by running the real
//! operations at past times, so every figure is consistent with the rest.

use openmoney_api::sandbox::{PaymentMode, SimulatePayment};
use openmoney_api::{PaymentMethod, Ton};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::pricing::Product;
use crate::store::{OrderSpec, PartnerId, Store};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const NAMES: [&str; 10] = [
    "pandus",
    "alice_tg",
    "crypto_kate",
    "ivan_petrov",
    "maria_gifts",
    "sunny_day",
    "tonfan_42",
    "gift_shop_ua",
    "ravi_kumar",
    "lucia_mx",
];
const STARS: [u32; 7] = [50, 100, 250, 500, 1000, 2500, 5000];
const MONTHS: [u8; 3] = [3, 6, 12];
/// Orders that share one reference, as a partner's invoice paid in parts would.
const SHARED_REFERENCE: &str = "invoice-1001";

fn topup(store: &mut Store, partner: PartnerId, units: i64, at: i64) {
    let _ = store.topup(partner, Ton::from_units(units), at);
}

fn spec(rng: &mut StdRng, index: usize, method: PaymentMethod) -> OrderSpec {
    let product = if rng.gen_bool(0.7) {
        Product::Stars(STARS[rng.gen_range(0..STARS.len())])
    } else {
        Product::Premium(MONTHS[rng.gen_range(0..MONTHS.len())])
    };
    let client_reference = match index {
        3 | 17 | 40 => Some(SHARED_REFERENCE.to_owned()),
        i if i % 2 == 0 => Some(format!("inv-{}", 2000 + i)),
        _ => None,
    };
    OrderSpec { product, recipient: NAMES[rng.gen_range(0..NAMES.len())].to_owned(), method, client_reference }
}

/// Seeds `partner` with three days of history ending at `now`.
pub fn seed(store: &mut Store, partner: PartnerId, now: i64) {
    history(store, partner, now, 60);
}

/// `count` orders over the three days before `now`, with the top-ups that pay for them,
/// then a few orders still awaiting payment.
pub fn history(store: &mut Store, partner: PartnerId, now: i64, count: usize) {
    let mut rng = StdRng::seed_from_u64(2026);
    let start = now - 3 * DAY;
    let step = (3 * DAY - 30 * MINUTE) / count.max(1) as i64;
    topup(store, partner, 500, start);
    for index in 0..count {
        let at = start + MINUTE + index as i64 * step + rng.gen_range(0..20) * MINUTE;
        if index % 20 == 19 {
            topup(store, partner, 300, at - MINUTE);
        }
        let method = if rng.gen_bool(0.35) { PaymentMethod::Balance } else { PaymentMethod::TonMemo };
        let Ok(order) = store.create_order(partner, spec(&mut rng, index, method.clone()), at) else {
            continue;
        };
        let later = at + rng.gen_range(1..10) * MINUTE;
        let roll = rng.gen_range(0..100);
        let _ = match method {
            PaymentMethod::Balance if roll < 12 => store.fail_order(partner, order.id, at + 5_000).map(drop),
            PaymentMethod::Balance => Ok(()),
            _ if roll < 55 => pay(store, partner, order.id, PaymentMode::Exact, later),
            _ if roll < 63 => pay(store, partner, order.id, PaymentMode::Under, later),
            _ if roll < 70 => pay(store, partner, order.id, PaymentMode::Over, later),
            _ if roll < 80 => store.cancel_order(partner, order.id, later).map(drop),
            _ if roll < 88 => pay(store, partner, order.id, PaymentMode::Exact, later)
                .and_then(|()| store.fail_order(partner, order.id, later + 20_000).map(drop)),
            _ => Ok(()),
        };
    }
    // A few orders still awaiting payment, with time left on their clocks.
    for (index, minutes_ago) in [(100, 11), (101, 6), (102, 2)] {
        let _ = store.create_order(partner, spec(&mut rng, index, PaymentMethod::TonMemo), now - minutes_ago * MINUTE);
    }
    store.advance(now);
}

fn pay(store: &mut Store, partner: PartnerId, id: i64, mode: PaymentMode, at: i64) -> crate::error::Result<()> {
    store.simulate_payment(partner, id, &SimulatePayment { mode, amount_ton: None }, at).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;
    use openmoney_api::{OrderStatus, TransactionType};

    #[test]
    fn demo_history_has_every_status_and_a_consistent_ledger() {
        let config = SandboxConfig::default();
        let mut store = Store::new(&config, vec!["UQdemo".into()]);
        let now = 1_800_000_000_000;
        seed(&mut store, 0, now);
        let stats = store.stats(0, now);
        for status in OrderStatus::KNOWN
            .iter()
            .filter(|s| **s != OrderStatus::Paid && **s != OrderStatus::Processing && **s != OrderStatus::Failed)
        {
            assert!(stats.by_status[status] > 0, "no {status} orders: {:?}", stats.by_status);
        }
        assert!(stats.total_orders >= 50);
        assert!(store.orders_by_reference(0, SHARED_REFERENCE, now).len() >= 3);
        let history = store.transactions(0, None, 100, 0, now);
        let sum: Ton = history.items.iter().map(|t| t.amount_ton).sum();
        assert_eq!(sum, store.balance(0, now).balance_ton);
        for kind in [TransactionType::Topup, TransactionType::OrderDebit, TransactionType::Refund] {
            assert!(history.items.iter().any(|t| t.kind == kind), "no {kind}");
        }
        assert!(!store.balance(0, now).balance_ton.is_negative());
    }
}
