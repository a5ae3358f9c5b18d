//! CSV files of orders, transactions and the audit: stable columns, ISO timestamps, exact TON.

use openmoney_api::console::AuditEntry;
use openmoney_api::{Order, Timestamp, Transaction};

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A CSV file: the header, then one record per row.
pub fn table<R, const N: usize>(
    columns: [&str; N],
    rows: &[R],
    record: impl Fn(&R) -> [String; N],
) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns).map_err(|e| e.to_string())?;
    for row in rows {
        writer.write_record(record(row)).map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

pub const ORDER_COLUMNS: [&str; 14] = [
    "id",
    "status",
    "order_type",
    "stars_amount",
    "premium_months",
    "recipient_username",
    "price_ton",
    "payment_method",
    "payment_memo",
    "payment_address",
    "client_reference",
    "created_at",
    "expires_at",
    "updated_at",
];

pub fn orders_csv(orders: &[Order]) -> Result<String, String> {
    table(ORDER_COLUMNS, orders, |o| {
        [
            o.id.to_string(),
            o.status.to_string(),
            o.order_type.to_string(),
            text(o.stars_amount),
            text(o.premium_months),
            o.recipient_username.clone(),
            o.price_ton.to_string(),
            text(o.payment_method.as_ref()),
            text(o.payment_memo.as_ref()),
            text(o.payment_address.as_ref()),
            text(o.client_reference.as_ref()),
            o.created_at.to_string(),
            text(o.expires_at),
            text(o.updated_at),
        ]
    })
}

pub const TRANSACTION_COLUMNS: [&str; 7] =
    ["id", "type", "amount_ton", "balance_after_ton", "order_id", "tx_hash", "created_at"];

pub fn transactions_csv(transactions: &[Transaction]) -> Result<String, String> {
    table(TRANSACTION_COLUMNS, transactions, |t| {
        [
            t.id.to_string(),
            t.kind.to_string(),
            t.amount_ton.to_string(),
            t.balance_after_ton.to_string(),
            text(t.order_id),
            text(t.tx_hash.as_ref()),
            t.created_at.to_string(),
        ]
    })
}

pub const AUDIT_COLUMNS: [&str; 9] =
    ["id", "at", "actor", "action", "outcome", "order_id", "idempotency_key", "summary", "client_addr"];

/// Free text a staff member or customer typed, made inert for spreadsheets: a cell that
/// starts like a formula gets a leading apostrophe.
fn inert(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

pub fn audit_csv(entries: &[AuditEntry]) -> Result<String, String> {
    table(AUDIT_COLUMNS, entries, |e| {
        [
            e.id.to_string(),
            Timestamp::from_unix_millis(e.at).to_string(),
            inert(&e.actor),
            e.action.clone(),
            e.outcome.clone(),
            text(e.order_id),
            text(e.idempotency_key.as_ref()),
            inert(&e.summary),
            text(e.client_addr.as_ref()),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_rows_keep_exact_amounts_iso_times_and_quote_commas() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": 10421, "status": "pending_payment", "order_type": "stars", "stars_amount": 100,
            "recipient_username": "pandus", "price_ton": 0.418, "payment_address": "UQaddr",
            "payment_memo": "STARS-a1b2c3", "expires_at": "2026-04-16T12:15:00Z",
            "created_at": "2026-04-16T12:00:00Z", "client_reference": "inv, 42"
        }))
        .unwrap();
        let csv = orders_csv(&[order]).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], ORDER_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "10421,pending_payment,stars,100,,pandus,0.418,,STARS-a1b2c3,UQaddr,\"inv, 42\",2026-04-16T12:00:00Z,2026-04-16T12:15:00Z,"
        );
    }

    #[test]
    fn audit_rows_are_iso_and_formula_safe() {
        let entry = AuditEntry {
            id: 7,
            at: 1_763_800_000_000,
            actor: "=cmd()".into(),
            action: "order.create".into(),
            outcome: "ok".into(),
            order_id: Some(42),
            idempotency_key: Some("k-1".into()),
            summary: "stars 100 for @pandus, ref \"a,b\"".into(),
            client_addr: None,
            quote: None,
        };
        let text = audit_csv(&[entry]).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), AUDIT_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "7,2025-11-22T08:26:40Z,'=cmd(),order.create,ok,42,k-1,\"stars 100 for @pandus, ref \"\"a,b\"\"\","
        );
    }
}
