//! Login throttling with growing back-off. A sign-in from an unknown browser is counted
//! per user at its address, per address, and (more leniently) per user anywhere, so a
//! brute force from one address or spread over many is slowed. A sign-in from a browser
//! that has signed in as that user before (its device cookie) is counted on that device
//! alone: however many wrong passwords arrive from elsewhere, the real user still gets in.

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
const DEVICE: Curve = PAIR;
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

/// Who is trying to sign in.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// A browser with a device cookie that signed in as this user before (the cookie's hash).
    KnownDevice(&'a str),
    /// Anyone else, by client address.
    From(&'a str),
}

fn keys(user: &str, attempt: Attempt) -> Vec<(String, Curve)> {
    let user = user.to_ascii_lowercase();
    match attempt {
        Attempt::KnownDevice(device) => vec![(format!("d:{device}"), DEVICE)],
        Attempt::From(address) => {
            vec![(format!("p:{user}@{address}"), PAIR), (format!("a:{address}"), ADDRESS), (format!("u:{user}"), USER)]
        }
    }
}

impl Throttle {
    /// Milliseconds to wait before this attempt may be made, if any.
    pub fn wait(&self, user: &str, attempt: Attempt, now: i64) -> Option<i64> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        keys(user, attempt)
            .iter()
            .filter_map(|(key, curve)| {
                let record = records.get(key)?;
                let until = record.last + curve.wait(record.failures);
                (until > now).then_some(until - now)
            })
            .max()
    }

    pub fn fail(&self, user: &str, attempt: Attempt, now: i64) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.retain(|_, r| now - r.last < MEMORY_MILLIS);
        for (key, _) in keys(user, attempt) {
            let record = records.entry(key).or_insert(Record { failures: 0, last: now });
            record.failures += 1;
            record.last = now;
        }
    }

    /// A success clears the user's record at that address, or the device's. The address's
    /// own record and the user's everywhere stay: a brute force that is still going on
    /// elsewhere does not get its free attempts back each time the real user signs in.
    pub fn succeed(&self, user: &str, attempt: Attempt) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((key, _)) = keys(user, attempt).into_iter().next() {
            records.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts() {
        let throttle = Throttle::default();
        let here = Attempt::From("10.0.0.1");
        for _ in 0..3 {
            assert_eq!(throttle.wait("alice", here, 0), None);
            throttle.fail("alice", here, 0);
        }
        assert_eq!(throttle.wait("alice", here, 0), Some(1000));
        throttle.fail("alice", here, 1000);
        assert_eq!(throttle.wait("alice", here, 1000), Some(2000));
        // Another address is not held back by this one.
        assert_eq!(throttle.wait("alice", Attempt::From("10.0.0.2"), 1000), None);
    }

    #[test]
    fn success_forgets_the_pair() {
        let throttle = Throttle::default();
        let here = Attempt::From("10.0.0.1");
        for _ in 0..5 {
            throttle.fail("bob", here, 0);
        }
        throttle.succeed("bob", here);
        assert_eq!(throttle.wait("bob", here, 0), None);
    }

    #[test]
    fn a_spread_out_brute_force_slows_unknown_browsers_but_not_a_known_device() {
        let throttle = Throttle::default();
        for i in 0..40 {
            throttle.fail("carol", Attempt::From(&format!("10.0.1.{i}")), 0);
        }
        // 40 failures from 40 addresses: any new browser waits, wherever it is.
        assert!(throttle.wait("carol", Attempt::From("10.9.9.9"), 0).is_some());
        // Carol's own browser does not.
        assert_eq!(throttle.wait("carol", Attempt::KnownDevice("d1"), 0), None);
        // A known device is itself slowed after its own free attempts.
        for _ in 0..3 {
            throttle.fail("carol", Attempt::KnownDevice("d1"), 0);
        }
        assert_eq!(throttle.wait("carol", Attempt::KnownDevice("d1"), 0), Some(1000));
        assert_eq!(throttle.wait("carol", Attempt::KnownDevice("d2"), 0), None);
    }

    #[test]
    fn waits_are_capped() {
        assert_eq!(PAIR.wait(100), PAIR.cap_millis);
        assert_eq!(USER.wait(100), 60_000);
    }
}
