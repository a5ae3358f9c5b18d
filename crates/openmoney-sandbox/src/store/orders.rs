//! Creating, finding, listing, counting and cancelling orders.

use std::collections::{BTreeMap, BTreeSet};

use openmoney_api::{
    ErrorCode, Order, OrderId, OrderStatus, OrderType, Page, PaymentMethod, StatsSummary, Timestamp, Ton,
    TransactionType,
};
use rand::Rng;

use super::{OrderRecord, PartnerId, Step, Store};
use crate::error::{ApiError, Result};
use crate::pricing::{self, Product};
use crate::recipients;

/// A validated create request.
#[derive(Debug, Clone)]
pub struct OrderSpec {
    pub product: Product,
    pub recipient: String,
    pub method: PaymentMethod,
    pub client_reference: Option<String>,
}

/// Filters of the order list, already validated.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub order_type: Option<OrderType>,
    pub recipient: Option<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
}

impl OrderFilter {
    fn matches(&self, order: &Order) -> bool {
        let created = order.created_at.unix_millis();
        self.status.as_ref().is_none_or(|s| &order.status == s)
            && self.order_type.as_ref().is_none_or(|t| &order.order_type == t)
            && self.recipient.as_ref().is_none_or(|r| order.recipient_username.eq_ignore_ascii_case(r))
            && self.created_from.is_none_or(|from| created >= from)
            && self.created_to.is_none_or(|to| created < to)
    }
}

impl Store {
    pub fn create_order(&mut self, partner: PartnerId, spec: OrderSpec, now: i64) -> Result<Order> {
        self.advance(now);
        let check = recipients::check_for(&self.recipients, &spec.recipient, spec.product);
        if let Some(reason) = check.reason {
            return Err(ApiError::new(
                ErrorCode::RecipientNotEligible,
                format!("recipient @{} cannot receive this order: {reason}", spec.recipient),
            ));
        }
        let estimate = pricing::estimate(&self.pricing, spec.product, now)
            .ok_or_else(|| ApiError::validation("no price for this product"))?;
        let price = estimate.price_ton;
        let pay_from_balance = spec.method == PaymentMethod::Balance;
        if pay_from_balance && self.partners[partner].balance < price {
            return Err(ApiError::new(
                ErrorCode::InsufficientBalance,
                format!("balance {} TON is less than the order price {price} TON", self.partners[partner].balance),
            ));
        }
        let id = self.allocate_order_id(partner);
        let memo = self.new_memo(spec.product);
        let created = Timestamp::from_unix_millis(now);
        let (order_type, stars_amount, premium_months) = match spec.product {
            Product::Stars(q) => (OrderType::Stars, Some(q), None),
            Product::Premium(m) => (OrderType::Premium, None, Some(m)),
        };
        let expires = now + self.lifecycle.order_ttl_millis;
        let order = Order {
            id,
            status: if pay_from_balance { OrderStatus::Paid } else { OrderStatus::PendingPayment },
            order_type,
            stars_amount,
            premium_months,
            recipient_username: spec.recipient,
            price_ton: price,
            payment_method: Some(spec.method),
            payment_currency: Some(openmoney_api::Currency::Ton),
            payment_address: (!pay_from_balance).then(|| self.payment_address.clone()),
            payment_memo: Some(memo.clone()),
            expires_at: (!pay_from_balance).then(|| Timestamp::from_unix_millis(expires)),
            created_at: created,
            client_reference: spec.client_reference.clone(),
            updated_at: Some(created),
        };
        let p = &mut self.partners[partner];
        p.orders.insert(id, OrderRecord { order: order.clone(), received: Ton::ZERO });
        p.by_memo.insert(memo, id);
        p.by_status.entry(order.status.clone()).or_default().insert(id);
        p.by_type.entry(order.order_type.clone()).or_default().insert(id);
        p.by_recipient.entry(order.recipient_username.to_ascii_lowercase()).or_default().insert(id);
        if let Some(reference) = spec.client_reference {
            p.by_reference.entry(reference).or_default().push(id);
        }
        if pay_from_balance {
            self.post_transaction(partner, TransactionType::OrderDebit, -price, Some(id), None, now);
            self.schedule(now + self.lifecycle.paid_to_processing_millis, id, Step::StartProcessing);
        } else {
            self.schedule(expires, id, Step::Expire);
        }
        Ok(order)
    }

    fn new_memo(&mut self, product: Product) -> String {
        let prefix = match product {
            Product::Stars(_) => "STARS",
            Product::Premium(_) => "PREMIUM",
        };
        loop {
            let memo = format!("{prefix}-{:06x}", self.rng.gen_range(0..0x100_0000u32));
            if !self.partners.iter().any(|p| p.by_memo.contains_key(&memo)) {
                return memo;
            }
        }
    }

    pub fn order(&mut self, partner: PartnerId, id: OrderId, now: i64) -> Result<Order> {
        self.advance(now);
        Ok(self.record(partner, id)?.order.clone())
    }

    pub fn order_by_memo(&mut self, partner: PartnerId, memo: &str, now: i64) -> Result<Order> {
        self.advance(now);
        let id = *self.partners[partner].by_memo.get(memo).ok_or_else(|| ApiError::not_found("order"))?;
        self.order(partner, id, now)
    }

    /// Every order with this reference, newest first.
    pub fn orders_by_reference(&mut self, partner: PartnerId, reference: &str, now: i64) -> Vec<Order> {
        self.advance(now);
        let p = &self.partners[partner];
        let ids = p.by_reference.get(reference).map(Vec::as_slice).unwrap_or_default();
        ids.iter().rev().filter_map(|id| p.orders.get(id)).map(|r| r.order.clone()).collect()
    }

    /// One page of the partner's orders, newest first.
    pub fn list_orders(
        &mut self,
        partner: PartnerId,
        filter: &OrderFilter,
        limit: u32,
        offset: u64,
        now: i64,
    ) -> Page<Order> {
        self.advance(now);
        let p = &self.partners[partner];
        // Walk the smallest index the filter names (or every order), newest first, and check
        // the rest of the filter on each candidate only.
        let empty = BTreeSet::new();
        let mut indexed: Vec<&BTreeSet<OrderId>> = Vec::new();
        if let Some(status) = &filter.status {
            indexed.push(p.by_status.get(status).unwrap_or(&empty));
        }
        if let Some(kind) = &filter.order_type {
            indexed.push(p.by_type.get(kind).unwrap_or(&empty));
        }
        if let Some(name) = &filter.recipient {
            indexed.push(p.by_recipient.get(&name.to_ascii_lowercase()).unwrap_or(&empty));
        }
        let dated = filter.created_from.is_some() || filter.created_to.is_some();
        // One index (or none) gives the total at once; then the walk stops with the page.
        let known_total = match indexed.as_slice() {
            [] if !dated => Some(p.orders.len() as u64),
            [ids] if !dated => Some(ids.len() as u64),
            _ => None,
        };
        // When every candidate matches, the offset is skipped in the index itself.
        let skip = if known_total.is_some() { offset } else { 0 };
        let candidates: Box<dyn Iterator<Item = &OrderRecord>> = match indexed.iter().min_by_key(|ids| ids.len()) {
            Some(ids) => Box::new(ids.iter().rev().skip(skip as usize).filter_map(|id| p.orders.get(id))),
            None => Box::new(p.orders.values().rev().skip(skip as usize)),
        };
        let mut total = skip;
        let mut items = Vec::new();
        for record in candidates.filter(|r| filter.matches(&r.order)) {
            if total >= offset && items.len() < limit as usize {
                items.push(record.order.clone());
            }
            total += 1;
            if known_total.is_some() && items.len() == limit as usize {
                break;
            }
        }
        let total = known_total.unwrap_or(total);
        Page { items, total, limit, offset }
    }

    pub fn stats(&mut self, partner: PartnerId, now: i64) -> StatsSummary {
        self.advance(now);
        let mut by_status: BTreeMap<OrderStatus, u64> = OrderStatus::KNOWN.iter().map(|s| (s.clone(), 0)).collect();
        let mut by_type: BTreeMap<OrderType, u64> = OrderType::KNOWN.iter().map(|t| (t.clone(), 0)).collect();
        let (mut completed_stars, mut completed, mut pending, mut refunded) = (0u64, Ton::ZERO, Ton::ZERO, Ton::ZERO);
        let orders = &self.partners[partner].orders;
        for record in orders.values() {
            let order = &record.order;
            *by_status.entry(order.status.clone()).or_default() += 1;
            *by_type.entry(order.order_type.clone()).or_default() += 1;
            let add = |sum: &mut Ton| *sum = sum.checked_add(order.price_ton).unwrap_or(*sum);
            match order.status {
                OrderStatus::Completed => {
                    add(&mut completed);
                    completed_stars += u64::from(order.stars_amount.unwrap_or(0));
                }
                OrderStatus::PendingPayment => add(&mut pending),
                OrderStatus::Refunded => add(&mut refunded),
                _ => {}
            }
        }
        StatsSummary {
            total_orders: orders.len() as u64,
            by_status,
            by_type,
            completed_stars,
            completed_ton: completed,
            pending_ton: pending,
            refunded_ton: refunded,
        }
    }

    /// Cancels an order that awaits payment; any other status is a 409.
    pub fn cancel_order(&mut self, partner: PartnerId, id: OrderId, now: i64) -> Result<Order> {
        self.advance(now);
        let status = self.record(partner, id)?.order.status.clone();
        if !status.is_cancellable() {
            return Err(ApiError::conflict(format!(
                "order {id} is {status}; only an order in pending_payment can be cancelled"
            )));
        }
        self.set_status(partner, id, OrderStatus::Cancelled, now);
        self.order(partner, id, now)
    }
}
