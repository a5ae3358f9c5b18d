//! The partner balance and its history.

use serde::{Deserialize, Serialize};

use crate::{OrderId, Timestamp, Ton, TransactionType};

/// `GET /balance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub balance_ton: Ton,
    /// The partner's own TON address for top-ups.
    pub topup_address: String,
    /// TON of the partner's orders that await payment.
    pub pending_ton: Ton,
}

/// One movement of the balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: TransactionType,
    /// Signed: a debit is negative.
    pub amount_ton: Ton,
    pub balance_after_ton: Ton,
    pub order_id: Option<OrderId>,
    /// The blockchain transaction of a top-up.
    pub tx_hash: Option<String>,
    pub created_at: Timestamp,
}

/// Query of `GET /balance/transactions`; newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TransactionQuery {
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", param(rename = "type", schema_with = crate::openapi::transaction_type))]
    pub kind: Option<TransactionType>,
    /// 1 to 100, default 20.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    /// Default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl TransactionQuery {
    /// The set parameters as query pairs, for building a URL.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        crate::orders::push(&mut pairs, "type", self.kind.as_ref());
        crate::orders::push(&mut pairs, "limit", self.limit.as_ref());
        crate::orders::push(&mut pairs, "offset", self.offset.as_ref());
        pairs
    }
}
