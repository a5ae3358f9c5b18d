//! The buyer's payment page: the link staff send, and what the page's status route shows.

use serde::{Deserialize, Serialize};

use crate::{Order, OrderStatus, OrderType, Timestamp, Ton};

/// A payment link for one order, as operators get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentLink {
    /// 256 random-looking bits, base64url; the page's address ends with it.
    pub token: String,
    pub url: String,
    /// When the page stops opening: the order's deadline plus a day, so the buyer can see
    /// how it ended.
    pub expires_at: Timestamp,
}

/// Everything a buyer's page shows, and nothing else: no reference, no staff, no balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BuyerOrder {
    pub status: OrderStatus,
    pub amount_ton: Ton,
    pub address: String,
    pub memo: String,
    pub expires_at: Timestamp,
    pub product: OrderType,
    /// Stars for a Stars order, months for a Premium one.
    pub quantity_or_months: u32,
    pub recipient_username: String,
}

impl BuyerOrder {
    /// What a buyer may see of `order`; `None` for an order a buyer cannot pay by transfer.
    pub fn of(order: &Order) -> Option<BuyerOrder> {
        let quantity_or_months = match order.order_type {
            OrderType::Stars => order.stars_amount?,
            OrderType::Premium => u32::from(order.premium_months?),
            _ => return None,
        };
        Some(BuyerOrder {
            status: order.status.clone(),
            amount_ton: order.price_ton,
            address: order.payment_address.clone()?,
            memo: order.payment_memo.clone()?,
            expires_at: order.expires_at?,
            product: order.order_type.clone(),
            quantity_or_months,
            recipient_username: order.recipient_username.clone(),
        })
    }

    /// The wallet link of the payment.
    pub fn wallet_link(&self) -> String {
        transfer_link(&self.address, self.amount_ton, &self.memo)
    }
}

/// The link a TON wallet opens to pay: `ton://transfer/<address>?amount=<nanotons>&text=<memo>`,
/// with every character of the memo but letters and digits percent-escaped.
pub fn transfer_link(address: &str, amount: Ton, memo: &str) -> String {
    let memo: String = memo
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("ton://transfer/{address}?amount={}&text={memo}", amount.nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wallet_link_carries_nanotons_and_the_escaped_memo() {
        let order = BuyerOrder {
            status: OrderStatus::PendingPayment,
            amount_ton: "1.25".parse().unwrap(),
            address: "UQAbc-_1".into(),
            memo: "OM 10421&x-é".into(),
            expires_at: Timestamp::from_unix_millis(0),
            product: OrderType::Stars,
            quantity_or_months: 500,
            recipient_username: "pandus".into(),
        };
        assert_eq!(order.wallet_link(), "ton://transfer/UQAbc-_1?amount=1250000000&text=OM%2010421%26x%2D%C3%A9");
    }
}
