//! The sandbox's state: every partner's orders, balance and history, in memory behind one
//! lock. Every operation takes the time it happens at, and first runs every lifecycle step
//! that fell due before it, so history is the same however often it is looked at.

mod idempotency;
mod ledger;
mod orders;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use openmoney_api::{Order, OrderId, OrderStatus, OrderType, PaymentMethod, Timestamp, Ton, Transaction};
use rand::rngs::StdRng;
use rand::SeedableRng;

pub use idempotency::{Claim, Idempotency, StoredResponse};
pub use orders::{OrderFilter, OrderSpec};

use crate::config::{LifecycleConfig, PricingConfig, RecipientFacts, SandboxConfig};
use crate::error::{ApiError, Result};
use crate::faults::FaultState;

/// Index of a partner in the store; partners are fixed at start.
pub type PartnerId = usize;

/// A step of an order's life that is due at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Expire,
    StartProcessing,
    Complete,
    Refund,
}

#[derive(Debug)]
pub(crate) struct OrderRecord {
    pub order: Order,
    /// TON received so far by simulated payments.
    pub received: Ton,
}

#[derive(Debug)]
pub struct Partner {
    pub(crate) orders: BTreeMap<OrderId, OrderRecord>,
    pub(crate) by_reference: HashMap<String, Vec<OrderId>>,
    pub(crate) by_memo: HashMap<String, OrderId>,
    /// The list's indexes: order ids by status, by type and by recipient (lower case).
    pub(crate) by_status: HashMap<OrderStatus, BTreeSet<OrderId>>,
    pub(crate) by_type: HashMap<OrderType, BTreeSet<OrderId>>,
    pub(crate) by_recipient: HashMap<String, BTreeSet<OrderId>>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) balance: Ton,
    pub(crate) topup_address: String,
    pub idempotency: Idempotency,
    pub faults: FaultState,
}

pub struct Store {
    pub(crate) pricing: PricingConfig,
    pub(crate) lifecycle: LifecycleConfig,
    pub(crate) recipients: RecipientFacts,
    pub(crate) payment_address: String,
    pub(crate) partners: Vec<Partner>,
    next_order_id: OrderId,
    next_transaction_id: i64,
    timers: BTreeSet<(i64, OrderId, Step)>,
    owners: HashMap<OrderId, PartnerId>,
    pub(crate) rng: StdRng,
}

impl Store {
    pub fn new(config: &SandboxConfig, topup_addresses: Vec<String>) -> Self {
        let partners = config
            .partners
            .iter()
            .zip(topup_addresses)
            .enumerate()
            .map(|(index, (_, topup_address))| Partner {
                orders: BTreeMap::new(),
                by_reference: HashMap::new(),
                by_memo: HashMap::new(),
                by_status: HashMap::new(),
                by_type: HashMap::new(),
                by_recipient: HashMap::new(),
                transactions: Vec::new(),
                balance: Ton::ZERO,
                topup_address,
                idempotency: Idempotency::default(),
                faults: FaultState::new(config.faults.clone(), config.seed.wrapping_add(index as u64)),
            })
            .collect();
        let mut store = Store {
            pricing: config.pricing.clone(),
            lifecycle: config.lifecycle.clone(),
            recipients: config.recipients.clone(),
            payment_address: config.payment_address.clone(),
            partners,
            next_order_id: 10_401,
            next_transaction_id: 1,
            timers: BTreeSet::new(),
            owners: HashMap::new(),
            rng: StdRng::seed_from_u64(config.seed),
        };
        let now = config.clock.now_millis();
        for (id, partner) in config.partners.iter().enumerate() {
            if !partner.opening_balance.is_zero() {
                let _ = store.topup(id, partner.opening_balance, now);
            }
        }
        store
    }

    pub fn partner(&self, id: PartnerId) -> &Partner {
        &self.partners[id]
    }

    pub fn partner_mut(&mut self, id: PartnerId) -> &mut Partner {
        &mut self.partners[id]
    }

    /// Runs every lifecycle step due at or before `now`, each at its own due time.
    pub fn advance(&mut self, now: i64) {
        while let Some(&(due, id, step)) = self.timers.first() {
            if due > now {
                break;
            }
            self.timers.pop_first();
            self.run_step(id, step, due);
        }
    }

    fn schedule(&mut self, at: i64, id: OrderId, step: Step) {
        self.timers.insert((at, id, step));
    }

    fn run_step(&mut self, id: OrderId, step: Step, at: i64) {
        let Some(&partner) = self.owners.get(&id) else {
            return;
        };
        let Some(record) = self.partners[partner].orders.get(&id) else {
            return;
        };
        let status = record.order.status.clone();
        let next = match (step, status) {
            (Step::Expire, OrderStatus::PendingPayment) => OrderStatus::Expired,
            (Step::StartProcessing, OrderStatus::Paid) => {
                self.schedule(at + self.lifecycle.processing_to_completed_millis, id, Step::Complete);
                OrderStatus::Processing
            }
            (Step::Complete, OrderStatus::Processing) => OrderStatus::Completed,
            (Step::Refund, OrderStatus::Failed) => {
                let (price, method) = (record.order.price_ton, record.order.payment_method.clone());
                if method == Some(PaymentMethod::Balance) {
                    self.post_transaction(partner, openmoney_api::TransactionType::Refund, price, Some(id), None, at);
                }
                OrderStatus::Refunded
            }
            // The order moved on some other way; this step is stale.
            _ => return,
        };
        self.set_status(partner, id, next, at);
    }

    pub(crate) fn set_status(&mut self, partner: PartnerId, id: OrderId, status: OrderStatus, at: i64) {
        let p = &mut self.partners[partner];
        if let Some(record) = p.orders.get_mut(&id) {
            if let Some(ids) = p.by_status.get_mut(&record.order.status) {
                ids.remove(&id);
            }
            p.by_status.entry(status.clone()).or_default().insert(id);
            record.order.status = status;
            record.order.updated_at = Some(Timestamp::from_unix_millis(at));
        }
    }

    /// The partner's order, or 404 (also for another partner's order).
    pub(crate) fn record(&self, partner: PartnerId, id: OrderId) -> Result<&OrderRecord> {
        self.partners[partner].orders.get(&id).ok_or_else(|| ApiError::not_found("order"))
    }

    fn allocate_order_id(&mut self, partner: PartnerId) -> OrderId {
        let id = self.next_order_id;
        self.next_order_id += 1;
        self.owners.insert(id, partner);
        id
    }

    fn allocate_transaction_id(&mut self) -> i64 {
        let id = self.next_transaction_id;
        self.next_transaction_id += 1;
        id
    }

    /// How many orders all partners hold.
    pub fn order_count(&self) -> usize {
        self.owners.len()
    }
}
