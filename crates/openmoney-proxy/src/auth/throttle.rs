//! Login throttling with growing back-off, per client address, per user at an address,
//! and (more leniently) per user anywhere — so a brute force from one address is slowed
//! without locking the real user out from another.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
struct Curve {
    /// Failures allowed before any wait.
    free: u32,
    /// The longest wait, in milliseconds.
    cap_millis: i64,
}

const PAIR: Curve = Curve { free: 3, cap_millis: 15 * 60 * 1000 };
const ADDRESS: Curve = Curve { free: 10, cap_millis: 15 * 60 * 1000 };
const USER: Curve = Curve { free: 20, cap_millis: 60 * 1000 };
/// Failures are forgotten an hour after the last one.
const MEMORY_MILLIS: i64 = 60 * 60 * 1000;

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last: i64,
}

impl Curve {
    fn wait(self, failures: u32) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(20);
        (1000i64 << doublings).min(self.cap_millis)
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    records: Mutex<HashMap<String, Record>>,
}

fn keys(user: &str, address: &str) -> [(String, Curve); 3] {
    let user = user.to_ascii_lowercase();
    [(format!("p:{user}@{address}"), PAIR), (format!("a:{address}"), ADDRESS), (format!("u:{user}"), USER)]
}

impl Throttle {
    /// Milliseconds to wait before this attempt may be made, if any.
    pub fn wait(&self, user: &str, address: &str, now: i64) -> Option<i64> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        keys(user, address)
            .iter()
            .filter_map(|(key, curve)| {
                let record = records.get(key)?;
                let until = record.last + curve.wait(record.failures);
                (until > now).then_some(until - now)
            })
            .max()
    }

    pub fn fail(&self, user: &str, address: &str, now: i64) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.retain(|_, r| now - r.last < MEMORY_MILLIS);
        for (key, _) in keys(user, address) {
            let record = records.entry(key).or_insert(Record { failures: 0, last: now });
            record.failures += 1;
            record.last = now;
        }
    }

    /// A success clears the user's record at that address (not the address's own).
    pub fn succeed(&self, user: &str, address: &str) {
        let [(pair, _), _, (user_key, _)] = keys(user, address);
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.remove(&pair);
        records.remove(&user_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts() {
        let throttle = Throttle::default();
        for _ in 0..3 {
            assert_eq!(throttle.wait("alice", "10.0.0.1", 0), None);
            throttle.fail("alice", "10.0.0.1", 0);
        }
        assert_eq!(throttle.wait("alice", "10.0.0.1", 0), Some(1000));
        throttle.fail("alice", "10.0.0.1", 1000);
        assert_eq!(throttle.wait("alice", "10.0.0.1", 1000), Some(2000));
        // Another address is not held back by this one.
        assert_eq!(throttle.wait("alice", "10.0.0.2", 1000), None);
    }

    #[test]
    fn success_forgets_the_pair() {
        let throttle = Throttle::default();
        for _ in 0..5 {
            throttle.fail("bob", "10.0.0.1", 0);
        }
        throttle.succeed("bob", "10.0.0.1");
        assert_eq!(throttle.wait("bob", "10.0.0.1", 0), None);
    }

    #[test]
    fn waits_are_capped() {
        assert_eq!(PAIR.wait(100), PAIR.cap_millis);
        assert_eq!(USER.wait(100), 60_000);
    }
}
