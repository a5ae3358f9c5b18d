//! How long the balance lasts at the last week's rate of spending.

use crate::i18n::{td_string, Locale};

use openmoney_api::{Ton, Transaction, TransactionType};

pub const WINDOW_MILLIS: i64 = 7 * 24 * 3600 * 1000;
/// Under this many hours left, the console asks for a top-up.
pub const LOW_HOURS: i64 = 72;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runway {
    /// Nothing was spent in the window.
    Idle,
    /// Hours left at the window's average spend.
    Hours(i64),
}

/// Net spending (order debits less their refunds) over the last 7 days, against `balance`.
pub fn estimate(balance: Ton, transactions: &[Transaction], now_millis: i64) -> Runway {
    let since = now_millis - WINDOW_MILLIS;
    let spent: i64 = transactions
        .iter()
        .filter(|t| t.created_at.unix_millis() >= since)
        .filter(|t| matches!(t.kind, TransactionType::OrderDebit | TransactionType::Refund))
        .map(|t| -t.amount_ton.nanos())
        .sum();
    if spent <= 0 {
        return Runway::Idle;
    }
    let hours = i128::from(balance.nanos().max(0)) * (7 * 24) / i128::from(spent);
    Runway::Hours(i64::try_from(hours).unwrap_or(i64::MAX))
}

impl Runway {
    pub fn text(self, l: Locale) -> String {
        match self {
            Runway::Idle => td_string!(l, runway.idle).into(),
            Runway::Hours(h) if h < 48 => td_string!(l, runway.hours, n = crate::logic::numbers::count(l, h)),
            Runway::Hours(h) => td_string!(l, runway.days, n = crate::logic::numbers::count(l, h / 24)),
        }
    }

    pub fn is_low(self) -> bool {
        matches!(self, Runway::Hours(h) if h < LOW_HOURS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openmoney_api::Timestamp;

    fn tx(kind: TransactionType, amount: &str, at: i64) -> Transaction {
        Transaction {
            id: at,
            kind,
            amount_ton: amount.parse().unwrap(),
            balance_after_ton: Ton::ZERO,
            order_id: None,
            tx_hash: None,
            created_at: Timestamp::from_unix_millis(at),
        }
    }

    #[test]
    fn a_week_of_spending_sets_the_pace() {
        let now = WINDOW_MILLIS * 2;
        let history = [
            tx(TransactionType::OrderDebit, "-10", now - 1000),
            tx(TransactionType::OrderDebit, "-5", now - 2000),
            tx(TransactionType::Refund, "1", now - 3000),
            tx(TransactionType::Topup, "500", now - 4000),
            tx(TransactionType::OrderDebit, "-1000", now - WINDOW_MILLIS - 1),
        ];
        // 14 TON a week is 2 a day: 28 TON last 14 days.
        assert_eq!(estimate(Ton::from_units(28), &history, now), Runway::Hours(14 * 24));
        assert_eq!(
            estimate(Ton::from_units(28), &history, now).text(Locale::en),
            "About 14 days of orders left at last week's pace."
        );
        assert!(estimate(Ton::from_units(2), &history, now).is_low());
        assert_eq!(estimate(Ton::from_units(5), &[], now), Runway::Idle);
    }
}
