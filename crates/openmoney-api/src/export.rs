//! The CSV files the product writes (orders, transactions, the audit, recipient checks):
//! one writer, one set of columns per file, and one rule that keeps every cell inert in a
//! spreadsheet. The proxy and the console both write through [`CsvFile`], a few lines of
//! RFC 4180. (The csv crate's writer links a float and an i128 parser, for a quoting style
//! the product does not use; with their tables they were 18 KB of the console's brotli wasm.)

use std::borrow::Cow;

use crate::console::AuditEntry;
use crate::{Order, Timestamp, Transaction};

/// A cell as a spreadsheet will read it as text, never as a formula. A cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, which
/// spreadsheets show as text and hide. A negative number (`-1.5`) stays a number.
pub fn inert(cell: &str) -> Cow<'_, str> {
    let live = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_negative_number(cell);
    if live {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-` then digits, with at most one `.` between digits: `-3`, `-0.418`.
fn is_negative_number(cell: &str) -> bool {
    let Some(digits) = cell.strip_prefix('-') else { return false };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// Appends one record to `out`, `\n` ended, each cell through [`inert`]. A cell holding a
/// comma, a quote or a line break is quoted, its quotes doubled; so is a record's only cell
/// when it is empty, so that its line is not blank.
pub fn write_record<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = inert(cell.as_ref());
        if cell.contains([',', '"', '\n', '\r']) || (cells.len() == 1 && cell.is_empty()) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push('\n');
}

/// A CSV file of `N` columns in memory: a header, then records whose every cell goes
/// through [`inert`]. Quoting follows RFC 4180; lines end in `\n`.
pub struct CsvFile<const N: usize> {
    text: String,
}

impl<const N: usize> CsvFile<N> {
    pub fn new(columns: [&str; N]) -> Self {
        let mut file = CsvFile { text: String::new() };
        file.record(columns);
        file
    }

    /// Appends one record (see [`write_record`]).
    pub fn record<S: AsRef<str>>(&mut self, cells: [S; N]) {
        write_record(&mut self.text, &cells);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.text.into_bytes()
    }

    pub fn into_string(self) -> String {
        self.text
    }

    /// The whole file of `rows`, one record each.
    pub fn of<R>(columns: [&str; N], rows: &[R], record: impl Fn(&R) -> [String; N]) -> String {
        let mut file = CsvFile::new(columns);
        for row in rows {
            file.record(record(row));
        }
        file.into_string()
    }
}

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
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

/// One order as a record of [`ORDER_COLUMNS`]: exact TON, ISO timestamps.
pub fn order_record(o: &Order) -> [String; 14] {
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
}

pub const TRANSACTION_COLUMNS: [&str; 7] =
    ["id", "type", "amount_ton", "balance_after_ton", "order_id", "tx_hash", "created_at"];

/// One transaction as a record of [`TRANSACTION_COLUMNS`].
pub fn transaction_record(t: &Transaction) -> [String; 7] {
    [
        t.id.to_string(),
        t.kind.to_string(),
        t.amount_ton.to_string(),
        t.balance_after_ton.to_string(),
        text(t.order_id),
        text(t.tx_hash.as_ref()),
        t.created_at.to_string(),
    ]
}

pub const AUDIT_COLUMNS: [&str; 9] =
    ["id", "at", "actor", "action", "outcome", "order_id", "idempotency_key", "summary", "client_addr"];

/// One audit entry as a record of [`AUDIT_COLUMNS`], its time in ISO 8601.
pub fn audit_record(e: &AuditEntry) -> [String; 9] {
    [
        e.id.to_string(),
        Timestamp::from_unix_millis(e.at).to_string(),
        e.actor.clone(),
        e.action.to_string(),
        e.outcome.clone(),
        text(e.order_id),
        text(e.idempotency_key.as_ref()),
        e.summary.clone(),
        text(e.client_addr.as_ref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_a_formula_are_made_text() {
        for live in ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "--1", "-1.", "-.5", "-1e5"]
        {
            assert_eq!(inert(live), format!("'{live}"), "{live:?}");
        }
    }

    #[test]
    fn negative_numbers_and_plain_text_stay_as_they_are() {
        for plain in ["-1", "-0.418", "-1000000.000000001", "0.418", "pandus", "a=b", " =1", "", "'quoted"] {
            assert_eq!(inert(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn every_cell_is_guarded_and_quoted_as_rfc_4180_asks() {
        let mut file = CsvFile::new(["a", "b", "c"]);
        file.record(["=HYPERLINK(\"http://x.example\",\"x\")", "-0.5", "one, two"]);
        file.record(["@x", "+1", "line\nbreak"]);
        file.record(["", "", ""]);
        assert_eq!(
            file.into_string(),
            "a,b,c\n\"'=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\",-0.5,\"one, two\"\n'@x,'+1,\"line\nbreak\"\n,,\n"
        );
        let mut single = CsvFile::new(["only"]);
        single.record([""]);
        single.record(["cr\rhere"]);
        assert_eq!(single.into_string(), "only\n\"\"\n\"cr\rhere\"\n");
    }

    #[test]
    fn order_rows_keep_exact_amounts_iso_times_and_an_inert_reference() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": 10421, "status": "pending_payment", "order_type": "stars", "stars_amount": 100,
            "recipient_username": "pandus", "price_ton": 0.418, "payment_address": "UQaddr",
            "payment_memo": "STARS-a1b2c3", "expires_at": "2026-04-16T12:15:00Z",
            "created_at": "2026-04-16T12:00:00Z", "client_reference": "=inv, 42"
        }))
        .unwrap();
        let text = CsvFile::of(ORDER_COLUMNS, &[order], order_record);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], ORDER_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "10421,pending_payment,stars,100,,pandus,0.418,,STARS-a1b2c3,UQaddr,\"'=inv, 42\",2026-04-16T12:00:00Z,2026-04-16T12:15:00Z,"
        );
    }

    #[test]
    fn a_refund_keeps_its_negative_amount_as_a_number() {
        let tx: Transaction = serde_json::from_value(serde_json::json!({
            "id": 9, "type": "order_payment", "amount_ton": -0.418, "balance_after_ton": 99.582,
            "order_id": 10421, "tx_hash": null, "created_at": "2026-04-16T12:00:00Z"
        }))
        .unwrap();
        let text = CsvFile::of(TRANSACTION_COLUMNS, &[tx], transaction_record);
        assert_eq!(text.lines().nth(1), Some("9,order_payment,-0.418,99.582,10421,,2026-04-16T12:00:00Z"));
    }

    #[test]
    fn audit_rows_are_iso_and_formula_safe() {
        let entry = AuditEntry {
            id: 7,
            at: 1_763_800_000_000,
            actor: "=cmd()".into(),
            action: crate::AuditAction::OrderCreate,
            outcome: "ok".into(),
            order_id: Some(42),
            idempotency_key: Some("-k-1".into()),
            summary: "stars 100 for @pandus, ref \"a,b\"".into(),
            client_addr: None,
            quote: None,
        };
        let text = CsvFile::of(AUDIT_COLUMNS, &[entry], audit_record);
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), AUDIT_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "7,2025-11-22T08:26:40Z,'=cmd(),order.create,ok,42,'-k-1,\"stars 100 for @pandus, ref \"\"a,b\"\"\","
        );
    }
}
