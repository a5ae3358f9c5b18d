//! The TON wallet link a customer opens to pay an order.

use crate::i18n::{td_string, Locale};

pub use openmoney_api::pay::transfer_link as transfer;

/// A top-up link: the address alone, the amount left to the wallet.
pub fn topup(address: &str) -> String {
    format!("ton://transfer/{address}")
}

/// What to send a customer so they can pay an order: amount, address, memo, deadline, link.
pub fn instructions(l: Locale, order: &openmoney_api::Order) -> Option<String> {
    let address = order.payment_address.as_deref()?;
    let memo = order.payment_memo.as_deref()?;
    let deadline = order.expires_at.map(|when| td_string!(l, instructions.deadline, when)).unwrap_or_default();
    let link = transfer(address, order.price_ton, memo);
    Some(td_string!(l, instructions.text, amount = order.price_ton, address, memo, deadline, link))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openmoney_api::Ton;

    #[test]
    fn the_link_carries_nanotons_and_the_encoded_memo() {
        let link =
            transfer("UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_", "0.418".parse().unwrap(), "STARS-a1b2c3");
        assert_eq!(
            link,
            "ton://transfer/UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_?amount=418000000&text=STARS%2Da1b2c3"
        );
        assert!(transfer("A", Ton::from_units(1), "a b&c").ends_with("amount=1000000000&text=a%20b%26c"));
    }

    #[test]
    fn instructions_carry_everything_the_customer_needs() {
        let order: openmoney_api::Order = serde_json::from_value(serde_json::json!({
            "id": 1, "status": "pending_payment", "order_type": "stars", "stars_amount": 100,
            "recipient_username": "pandus", "price_ton": 0.418, "payment_address": "UQaddr",
            "payment_memo": "STARS-a1b2c3", "expires_at": "2026-04-16T12:15:00Z", "created_at": "2026-04-16T12:00:00Z"
        }))
        .unwrap();
        let text = instructions(Locale::en, &order).unwrap();
        assert!(instructions(Locale::es, &order).unwrap().contains("STARS-a1b2c3"));
        for part in [
            "0.418 TON",
            "UQaddr",
            "STARS-a1b2c3",
            "before 2026-04-16T12:15:00Z",
            "ton://transfer/UQaddr?amount=418000000",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
