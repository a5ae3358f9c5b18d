//! The sandbox clock. Real time by default, moved ahead on request; tests can also freeze
//! it and drive it by hand, so order lifecycles are deterministic.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    frozen: AtomicBool,
    /// Frozen clocks: the current time. Running clocks: the offset from real time.
    millis: AtomicI64,
}

fn system_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Clock {
    /// Follows real time.
    pub fn system() -> Self {
        Clock::default()
    }

    /// Stands still at `start_millis` (Unix epoch milliseconds) until advanced.
    pub fn manual(start_millis: i64) -> Self {
        Clock(Arc::new(Inner { frozen: AtomicBool::new(true), millis: AtomicI64::new(start_millis) }))
    }

    /// Now, in Unix epoch milliseconds.
    pub fn now_millis(&self) -> i64 {
        let millis = self.0.millis.load(Ordering::SeqCst);
        if self.0.frozen.load(Ordering::SeqCst) {
            millis
        } else {
            system_millis() + millis
        }
    }

    /// Moves the clock ahead (or back, with a negative amount).
    pub fn advance_millis(&self, millis: i64) {
        self.0.millis.fetch_add(millis, Ordering::SeqCst);
    }

    /// How far this clock is ahead of real time.
    pub fn offset_millis(&self) -> i64 {
        self.now_millis() - system_millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual(1_000);
        assert_eq!(clock.now_millis(), 1_000);
        clock.advance_millis(900_000);
        assert_eq!(clock.now_millis(), 901_000);
    }

    #[test]
    fn a_system_clock_keeps_its_offset() {
        let clock = Clock::system();
        clock.advance_millis(60_000);
        let ahead = clock.now_millis() - system_millis();
        assert!((59_000..=61_000).contains(&ahead), "{ahead}");
    }
}
