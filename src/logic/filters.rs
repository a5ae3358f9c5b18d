//! Bookmarkable list state: the query string of a page is the source of truth, and these
//! turn it into filters, back into a query string, and into the API's query.

use openmoney_api::console::AuditQuery;
use openmoney_api::{
    AuditAction, OrderListQuery, OrderStatus, OrderType, Timestamp, TransactionQuery, TransactionType,
};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

pub const PAGE_SIZE: i64 = 20;

/// The offset of list page `page` (1-based; 0 reads as 1).
fn page_offset(page: u64) -> i64 {
    (page.max(1) as i64 - 1) * PAGE_SIZE
}

/// `?a=1&b=x%20y` from pairs, or `""` when there are none.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Midnight UTC of a day as a date input writes it, `YYYY-MM-DD`.
fn day_start(day: &str) -> Option<Timestamp> {
    fn digits(part: &str, len: usize) -> Option<&str> {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit())).then_some(part)
    }
    let mut parts = day.split('-');
    let (year, month, date) = (digits(parts.next()?, 4)?, digits(parts.next()?, 2)?, digits(parts.next()?, 2)?);
    if parts.next().is_some() {
        return None;
    }
    Timestamp::utc_midnight(year.parse().ok()?, month.parse().ok()?, date.parse().ok()?)
}

fn page_of(text: Option<String>) -> u64 {
    text.and_then(|p| p.parse::<u64>().ok()).filter(|p| *p >= 1).unwrap_or(1)
}

/// A list's filters, kept in the page's query string, so a link or a bookmark holds them.
pub trait QueryFilters: Clone + PartialEq + Send + Sync + 'static {
    /// From the page's query parameters; anything unreadable is left out.
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self;

    /// The query string (`?…`) that reads back as these filters.
    fn to_query(&self) -> String;
}

/// Filters of the orders table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFilters {
    pub status: Option<OrderStatus>,
    pub order_type: Option<OrderType>,
    pub recipient: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    /// From 1.
    pub page: u64,
}

impl QueryFilters for OrderFilters {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let known = |value: Option<String>| value.filter(|v| !v.is_empty());
        OrderFilters {
            status: known(get("status")).map(|s| OrderStatus::from_wire(&s)).filter(OrderStatus::is_known),
            order_type: known(get("type")).map(|t| OrderType::from_wire(&t)).filter(OrderType::is_known),
            recipient: known(get("recipient")).map(|r| r.trim_start_matches('@').to_owned()),
            from: known(get("from")).filter(|d| day_start(d).is_some()),
            to: known(get("to")).filter(|d| day_start(d).is_some()),
            page: page_of(get("page")),
        }
    }

    fn to_query(&self) -> String {
        let text = |v: Option<&dyn std::fmt::Display>| v.map(|v| v.to_string()).unwrap_or_default();
        query_string(&[
            ("status", text(self.status.as_ref().map(|s| s as _))),
            ("type", text(self.order_type.as_ref().map(|t| t as _))),
            ("recipient", self.recipient.clone().unwrap_or_default()),
            ("from", self.from.clone().unwrap_or_default()),
            ("to", self.to.clone().unwrap_or_default()),
            ("page", if self.page > 1 { self.page.to_string() } else { String::new() }),
        ])
    }
}

impl OrderFilters {
    pub fn api_query(&self) -> OrderListQuery {
        OrderListQuery {
            status: self.status.clone(),
            order_type: self.order_type.clone(),
            recipient_username: self.recipient.clone(),
            created_from: self.from.as_deref().and_then(day_start),
            created_to: self.to.as_deref().and_then(day_start).and_then(Timestamp::next_day),
            limit: Some(PAGE_SIZE),
            offset: Some(page_offset(self.page)),
        }
    }
}

/// Filters of the balance history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionFilters {
    pub kind: Option<TransactionType>,
    pub page: u64,
}

impl QueryFilters for TransactionFilters {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        TransactionFilters {
            kind: get("type")
                .filter(|t| !t.is_empty())
                .map(|t| TransactionType::from_wire(&t))
                .filter(TransactionType::is_known),
            page: page_of(get("page")),
        }
    }

    fn to_query(&self) -> String {
        query_string(&[
            ("type", self.kind.as_ref().map(ToString::to_string).unwrap_or_default()),
            ("page", if self.page > 1 { self.page.to_string() } else { String::new() }),
        ])
    }
}

impl TransactionFilters {
    pub fn api_query(&self) -> TransactionQuery {
        TransactionQuery { kind: self.kind.clone(), limit: Some(PAGE_SIZE), offset: Some(page_offset(self.page)) }
    }
}

/// How many pages `total` items fill.
pub fn page_count(total: u64) -> u64 {
    total.div_ceil(PAGE_SIZE as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(name, _)| *name == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn days_are_read_as_a_date_input_writes_them() {
        assert_eq!(day_start("2026-11-20"), Some("2026-11-20T00:00:00Z".parse().unwrap()));
        assert_eq!(day_start("2024-02-29"), Some("2024-02-29T00:00:00Z".parse().unwrap()));
        for bad in [
            "",
            "2026-11",
            "2026-11-20-1",
            "2026-13-01",
            "2026-02-30",
            "2025-02-29",
            "26-11-20",
            "2026-1-20",
            "2026-11-2a",
            "+026-11-20",
            "2026-11-20 ",
        ] {
            assert_eq!(day_start(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn order_filters_round_trip_through_the_query_string() {
        let filters = OrderFilters::from_query(query(&[
            ("status", "paid"),
            ("type", "stars"),
            ("recipient", "@pandus"),
            ("from", "2026-11-20"),
            ("to", "2026-11-21"),
            ("page", "3"),
        ]));
        assert_eq!(
            filters.to_query(),
            "?status=paid&type=stars&recipient=pandus&from=2026%2D11%2D20&to=2026%2D11%2D21&page=3"
        );
        let api = filters.api_query();
        assert_eq!(api.created_from.unwrap().to_string(), "2026-11-20T00:00:00Z");
        assert_eq!(api.created_to.unwrap().to_string(), "2026-11-22T00:00:00Z", "the last day is included");
        assert_eq!((api.limit, api.offset), (Some(20), Some(40)));
    }

    #[test]
    fn unreadable_filters_are_dropped() {
        let filters = OrderFilters::from_query(query(&[("status", "lost"), ("from", "yesterday"), ("page", "-2")]));
        assert_eq!(filters, OrderFilters { page: 1, ..OrderFilters::default() });
        assert_eq!(filters.to_query(), "");
    }

    #[test]
    fn transaction_filters_page_and_type() {
        let filters = TransactionFilters::from_query(query(&[("type", "topup"), ("page", "2")]));
        assert_eq!(filters.to_query(), "?type=topup&page=2");
        assert_eq!(filters.api_query().offset, Some(20));
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(41), 3);
    }
}

/// Filters of the audit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilters {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: u64,
}

impl QueryFilters for AuditFilters {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let known = |value: Option<String>| value.filter(|v| !v.is_empty());
        AuditFilters {
            actor: known(get("actor")),
            action: known(get("action")).map(|a| AuditAction::from_wire(&a)).filter(AuditAction::is_known),
            from: known(get("from")).filter(|d| day_start(d).is_some()),
            to: known(get("to")).filter(|d| day_start(d).is_some()),
            page: page_of(get("page")),
        }
    }

    fn to_query(&self) -> String {
        query_string(&[
            ("actor", self.actor.clone().unwrap_or_default()),
            ("action", self.action.as_ref().map(ToString::to_string).unwrap_or_default()),
            ("from", self.from.clone().unwrap_or_default()),
            ("to", self.to.clone().unwrap_or_default()),
            ("page", if self.page > 1 { self.page.to_string() } else { String::new() }),
        ])
    }
}

impl AuditFilters {
    /// The filters as the proxy's audit query, on this page.
    pub fn api_query(&self) -> AuditQuery {
        AuditQuery {
            actor: self.actor.clone(),
            action: self.action.clone(),
            from: self.from.as_deref().and_then(day_start),
            to: self.to.as_deref().and_then(day_start).and_then(Timestamp::next_day),
            limit: Some(PAGE_SIZE),
            offset: Some(page_offset(self.page)),
        }
    }
}

#[cfg(test)]
mod audit_tests {
    use super::*;

    #[test]
    fn audit_filters_keep_known_actions_and_whole_days() {
        let filters = AuditFilters::from_query(|k| match k {
            "actor" => Some("otto".into()),
            "action" => Some("payment_link.create".into()),
            "to" => Some("2026-11-21".into()),
            "page" => Some("2".into()),
            _ => None,
        });
        assert_eq!(filters.action, Some(AuditAction::PaymentLinkCreate), "every action the proxy writes is offered");
        assert_eq!(filters.to_query(), "?actor=otto&action=payment%5Flink%2Ecreate&to=2026%2D11%2D21&page=2");
        let pairs = filters.api_query().to_pairs();
        assert!(pairs.contains(&("to", "2026-11-22T00:00:00Z".into())));
        assert!(pairs.contains(&("offset", "20".into())));
        assert_eq!(AuditFilters::from_query(|k| (k == "action").then(|| "drop.tables".into())).action, None);
    }
}
