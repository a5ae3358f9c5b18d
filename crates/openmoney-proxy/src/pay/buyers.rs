//! What the buyers' pages keep between requests: orders as last read, and each client
//! address's request budget. Held by the shared state; the routes are in the parent.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use openmoney_api::Order;

/// However many buyers watch one order, the upstream hears of it at most this often.
pub(super) const STATUS_TTL: Duration = Duration::from_secs(5);
/// Requests to the public routes per client address per minute.
pub const PUBLIC_PER_MINUTE: u32 = 120;

/// What the public routes keep between requests.
#[derive(Default)]
pub struct PayState {
    /// Orders as last read, by id.
    pub(super) orders: Mutex<HashMap<i64, (Instant, Order)>>,
    /// One upstream read at a time: a buyer who asks while another's read runs gets its answer.
    pub(super) reading: tokio::sync::Mutex<()>,
    /// Requests per client address in the current minute.
    budget: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl PayState {
    /// Counts a request of `addr`; false once it is over its minute's budget.
    pub(super) fn admit(&self, addr: Option<IpAddr>) -> bool {
        let Some(addr) = addr else { return true };
        let mut budget = self.budget.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if budget.len() > 10_000 {
            budget.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let (start, count) = budget.entry(addr).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            *start = now;
            *count = 0;
        }
        *count += 1;
        *count <= PUBLIC_PER_MINUTE
    }

    pub(super) fn cached(&self, id: i64) -> Option<Order> {
        let orders = self.orders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        orders.get(&id).filter(|(at, _)| at.elapsed() < STATUS_TTL).map(|(_, order)| order.clone())
    }
}
