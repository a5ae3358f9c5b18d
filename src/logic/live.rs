//! What the live feed's events mean for what is on screen: which copy of an order is the
//! freshest, how the dashboard's counts move, which changes staff are told about.

use openmoney_api::{Order, OrderStatus, StatsSummary, Ton};
use serde::Deserialize;

use crate::logic::filters::OrderFilters;

/// An `order` event: an order changed status, or is new (`previous_status` null).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderChange {
    pub previous_status: Option<OrderStatus>,
    /// The staff member who made the change in the console, if one did.
    #[serde(default)]
    pub actor: Option<String>,
    pub order: Order,
}

impl OrderChange {
    pub fn is_new(&self) -> bool {
        self.previous_status.is_none()
    }
}

/// The fresher of two copies of one order: the later `updated_at`, the event's copy on a tie.
pub fn fresher<'a>(read: &'a Order, event: &'a Order) -> &'a Order {
    let at = |o: &Order| o.updated_at.unwrap_or(o.created_at).unix_millis();
    if at(event) >= at(read) {
        event
    } else {
        read
    }
}

/// Moves the dashboard's counts by one change, as a re-read would show them.
pub fn apply_to_stats(stats: &mut StatsSummary, change: &OrderChange) {
    let order = &change.order;
    let add = |total: &mut Ton, amount: Ton, sign: i64| {
        *total = Ton::from_nanos(total.nanos() + sign * amount.nanos());
    };
    match &change.previous_status {
        None => {
            stats.total_orders += 1;
            *stats.by_type.entry(order.order_type.clone()).or_default() += 1;
        }
        Some(previous) => {
            if let Some(n) = stats.by_status.get_mut(previous) {
                *n = n.saturating_sub(1);
            }
            if *previous == OrderStatus::PendingPayment {
                add(&mut stats.pending_ton, order.price_ton, -1);
            }
        }
    }
    *stats.by_status.entry(order.status.clone()).or_default() += 1;
    match order.status {
        OrderStatus::PendingPayment => add(&mut stats.pending_ton, order.price_ton, 1),
        OrderStatus::Completed => {
            add(&mut stats.completed_ton, order.price_ton, 1);
            stats.completed_stars += u64::from(order.stars_amount.unwrap_or(0));
        }
        OrderStatus::Refunded => add(&mut stats.refunded_ton, order.price_ton, 1),
        _ => {}
    }
}

/// Whether staff are told (a toast, a desktop notification): the changes that ask for
/// attention or close an order, not the ones a buyer's payment moves along by itself.
pub fn worth_telling(change: &OrderChange) -> bool {
    matches!(
        change.order.status,
        OrderStatus::Paid
            | OrderStatus::Completed
            | OrderStatus::Expired
            | OrderStatus::Cancelled
            | OrderStatus::Failed
            | OrderStatus::Refunded
    ) && !change.is_new()
}

/// Whether a new order belongs on page 1 of the list under `filters`.
pub fn joins_list(filters: &OrderFilters, order: &Order) -> bool {
    if filters.page > 1 {
        return false;
    }
    let query = filters.api_query();
    let created = order.created_at.unix_millis();
    query.status.as_ref().is_none_or(|s| *s == order.status)
        && query.order_type.as_ref().is_none_or(|t| *t == order.order_type)
        && query.recipient_username.as_ref().is_none_or(|r| r.eq_ignore_ascii_case(&order.recipient_username))
        && query.created_from.is_none_or(|from| created >= from.unix_millis())
        && query.created_to.is_none_or(|to| created < to.unix_millis())
}

/// The tab's title with the number of changes not yet seen.
pub fn title(base: &str, unseen: u32) -> String {
    if unseen == 0 {
        base.to_owned()
    } else {
        format!("({unseen}) {base}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::filters::QueryFilters;

    fn change(previous: Option<&str>, status: &str, updated: &str) -> OrderChange {
        serde_json::from_value(serde_json::json!({
            "id": 10421, "status": status, "previous_status": previous, "actor": null,
            "order": {
                "id": 10421, "status": status, "order_type": "stars", "stars_amount": 100,
                "recipient_username": "pandus", "price_ton": 0.418, "created_at": "2026-11-20T12:00:00Z",
                "updated_at": updated
            }
        }))
        .unwrap()
    }

    fn stats() -> StatsSummary {
        serde_json::from_value(serde_json::json!({
            "total_orders": 10, "by_status": {"pending_payment": 2, "paid": 1, "completed": 7},
            "by_type": {"stars": 10, "premium": 0}, "completed_stars": 700, "completed_ton": 2.926,
            "pending_ton": 0.836, "refunded_ton": 0
        }))
        .unwrap()
    }

    #[test]
    fn the_dashboard_counts_follow_an_order_from_new_to_completed() {
        let mut s = stats();
        apply_to_stats(&mut s, &change(None, "pending_payment", "2026-11-20T12:00:00Z"));
        assert_eq!((s.total_orders, s.by_status[&OrderStatus::PendingPayment]), (11, 3));
        assert_eq!(s.pending_ton.to_string(), "1.254");
        apply_to_stats(&mut s, &change(Some("pending_payment"), "paid", "2026-11-20T12:01:00Z"));
        apply_to_stats(&mut s, &change(Some("paid"), "processing", "2026-11-20T12:01:03Z"));
        apply_to_stats(&mut s, &change(Some("processing"), "completed", "2026-11-20T12:01:13Z"));
        assert_eq!(s.by_status[&OrderStatus::PendingPayment], 2);
        assert_eq!(s.by_status[&OrderStatus::Paid], 1);
        assert_eq!(s.by_status[&OrderStatus::Completed], 8);
        assert_eq!((s.completed_stars, s.completed_ton.to_string().as_str()), (800, "3.344"));
        assert_eq!(s.pending_ton.to_string(), "0.836");
    }

    #[test]
    fn the_later_copy_of_an_order_wins_and_the_event_wins_a_tie() {
        let old = change(None, "pending_payment", "2026-11-20T12:00:00Z").order;
        let paid = change(Some("pending_payment"), "paid", "2026-11-20T12:01:00Z").order;
        assert_eq!(fresher(&old, &paid).status, OrderStatus::Paid);
        assert_eq!(fresher(&paid, &old).status, OrderStatus::Paid);
        assert_eq!(fresher(&old, &old.clone()).status, OrderStatus::PendingPayment);
    }

    #[test]
    fn staff_hear_of_payments_and_endings_not_of_new_or_moving_orders() {
        assert!(worth_telling(&change(Some("pending_payment"), "paid", "2026-11-20T12:01:00Z")));
        assert!(worth_telling(&change(Some("pending_payment"), "expired", "2026-11-20T12:15:00Z")));
        assert!(!worth_telling(&change(Some("paid"), "processing", "2026-11-20T12:01:03Z")));
        assert!(!worth_telling(&change(None, "pending_payment", "2026-11-20T12:00:00Z")));
    }

    #[test]
    fn a_new_order_joins_page_one_only_when_it_matches_the_filters() {
        let order = change(None, "pending_payment", "2026-11-20T12:00:00Z").order;
        let filters = |query: &str| {
            let pairs: Vec<(String, String)> =
                query.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            OrderFilters::from_query(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()))
        };
        assert!(joins_list(&filters(""), &order));
        assert!(joins_list(&filters("status=pending_payment&type=stars&recipient=Pandus"), &order));
        assert!(joins_list(&filters("from=2026-11-20&to=2026-11-20"), &order));
        assert!(!joins_list(&filters("status=paid"), &order));
        assert!(!joins_list(&filters("type=premium"), &order));
        assert!(!joins_list(&filters("recipient=alice_tg"), &order));
        assert!(!joins_list(&filters("from=2026-11-21"), &order));
        assert!(!joins_list(&filters("page=2"), &order));
    }

    #[test]
    fn the_title_counts_what_was_not_seen() {
        assert_eq!(title("Openmoney Console", 0), "Openmoney Console");
        assert_eq!(title("Openmoney Console", 3), "(3) Openmoney Console");
    }
}
