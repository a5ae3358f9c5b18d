//! The partner balance: top-ups, debits, refunds, simulated payments and failures.

use openmoney_api::sandbox::{PaymentMode, PaymentOutcome, PaymentResult, SimulatePayment};
use openmoney_api::{
    validate, Balance, ErrorCode, OrderId, OrderStatus, Page, PaymentMethod, Timestamp, Ton, Transaction,
    TransactionType,
};
use sha2::{Digest, Sha256};

use super::{PartnerId, Step, Store};
use crate::error::{ApiError, Result};

impl Store {
    /// Appends a movement to the balance; the caller has checked it may happen.
    pub(crate) fn post_transaction(
        &mut self,
        partner: PartnerId,
        kind: TransactionType,
        amount: Ton,
        order_id: Option<OrderId>,
        tx_hash: Option<String>,
        at: i64,
    ) -> Transaction {
        let id = self.allocate_transaction_id();
        let p = &mut self.partners[partner];
        p.balance = p.balance.checked_add(amount).unwrap_or(p.balance);
        let transaction = Transaction {
            id,
            kind,
            amount_ton: amount,
            balance_after_ton: p.balance,
            order_id,
            tx_hash,
            created_at: Timestamp::from_unix_millis(at),
        };
        p.transactions.push(transaction.clone());
        transaction
    }

    pub fn topup(&mut self, partner: PartnerId, amount: Ton, now: i64) -> Result<Transaction> {
        self.advance(now);
        validate::simulated_amount(amount).map_err(ApiError::validation)?;
        if self.partners[partner].balance.checked_add(amount).is_none() {
            return Err(ApiError::validation("amount_ton is too large"));
        }
        let hash = Sha256::digest(format!("{partner}:{}:{amount}:{now}", self.partners[partner].transactions.len()));
        let tx_hash = hash.iter().map(|b| format!("{b:02x}")).collect();
        Ok(self.post_transaction(partner, TransactionType::Topup, amount, None, Some(tx_hash), now))
    }

    pub fn balance(&mut self, partner: PartnerId, now: i64) -> Balance {
        self.advance(now);
        let p = &self.partners[partner];
        let pending_ton = p
            .orders
            .values()
            .filter(|r| r.order.status == OrderStatus::PendingPayment)
            .map(|r| r.order.price_ton)
            .sum();
        Balance { balance_ton: p.balance, topup_address: p.topup_address.clone(), pending_ton }
    }

    /// One page of the balance history, newest first.
    pub fn transactions(
        &mut self,
        partner: PartnerId,
        kind: Option<&TransactionType>,
        limit: u32,
        offset: u64,
        now: i64,
    ) -> Page<Transaction> {
        self.advance(now);
        let all = &self.partners[partner].transactions;
        let matching = all.iter().rev().filter(|t| kind.is_none_or(|k| &t.kind == k));
        let mut total = 0u64;
        let mut items = Vec::new();
        for transaction in matching {
            if total >= offset && items.len() < limit as usize {
                items.push(transaction.clone());
            }
            total += 1;
        }
        Page { items, total, limit, offset }
    }

    /// A TON transfer with the order's memo arrives.
    pub fn simulate_payment(
        &mut self,
        partner: PartnerId,
        id: OrderId,
        payment: &SimulatePayment,
        now: i64,
    ) -> Result<PaymentResult> {
        self.advance(now);
        let record = self.record(partner, id)?;
        let order = &record.order;
        if order.payment_method != Some(PaymentMethod::TonMemo) {
            return Err(ApiError::conflict(format!("order {id} is paid from the balance, not by transfer")));
        }
        if order.status != OrderStatus::PendingPayment {
            return Err(ApiError::conflict(format!(
                "order {id} is {}; only an order in pending_payment accepts a payment",
                order.status
            )));
        }
        let price = order.price_ton;
        let sent = match (payment.amount_ton, payment.mode) {
            (Some(amount), _) => amount,
            (None, PaymentMode::Exact) => price,
            (None, PaymentMode::Under) => Ton::from_nanos(price.nanos() / 10 * 9),
            (None, PaymentMode::Over) => Ton::from_nanos(price.nanos() / 10 * 11),
        };
        validate::simulated_amount(sent).map_err(ApiError::validation)?;
        let received =
            record.received.checked_add(sent).ok_or_else(|| ApiError::validation("amount_ton is too large"))?;
        if let Some(r) = self.partners[partner].orders.get_mut(&id) {
            r.received = received;
        }
        let excess = received.checked_sub(price).unwrap_or(Ton::ZERO);
        let outcome = if received < price {
            PaymentOutcome::Underpaid
        } else {
            self.set_status(partner, id, OrderStatus::Paid, now);
            self.schedule(now + self.lifecycle.paid_to_processing_millis, id, Step::StartProcessing);
            if excess > Ton::ZERO {
                self.post_transaction(partner, TransactionType::Adjustment, excess, Some(id), None, now);
                PaymentOutcome::Overpaid
            } else {
                PaymentOutcome::Paid
            }
        };
        Ok(PaymentResult {
            order: self.record(partner, id)?.order.clone(),
            outcome,
            received_ton: received,
            credited_ton: if outcome == PaymentOutcome::Overpaid { excess } else { Ton::ZERO },
        })
    }

    /// Delivery of a paid order fails; it is refunded after the refund delay.
    pub fn fail_order(&mut self, partner: PartnerId, id: OrderId, now: i64) -> Result<openmoney_api::Order> {
        self.advance(now);
        let status = self.record(partner, id)?.order.status.clone();
        if !matches!(status, OrderStatus::Paid | OrderStatus::Processing) {
            return Err(ApiError::new(
                ErrorCode::InvalidState,
                format!("order {id} is {status}; only a paid or processing order can fail"),
            ));
        }
        self.set_status(partner, id, OrderStatus::Failed, now);
        self.schedule(now + self.lifecycle.failed_to_refunded_millis, id, Step::Refund);
        self.order(partner, id, now)
    }
}
