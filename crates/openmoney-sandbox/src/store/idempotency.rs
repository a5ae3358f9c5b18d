//! Idempotency keys, per partner, after the IETF httpapi Idempotency-Key draft: a key
//! is claimed atomically, its successful response is kept 24 hours and replayed for the
//! same request, and refused for a different one or while the first is still running.
//! A failed create stores nothing, so it can be retried with the same key.

use std::collections::{HashMap, VecDeque};

/// How long a key is remembered.
pub const KEY_TTL_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug)]
enum Entry {
    InFlight { fingerprint: [u8; 32] },
    Done { fingerprint: [u8; 32], at: i64, response: StoredResponse },
}

/// What a request with a key may do.
#[derive(Debug, PartialEq)]
pub enum Claim {
    /// The key is now this request's: go ahead, then `complete` or `release`.
    Fresh,
    /// The same request was answered before: send this again.
    Replay(StoredResponse),
    /// The first request with this key is still being handled.
    InUse,
    /// The key was used for a different request.
    Reused,
}

#[derive(Debug, Default)]
pub struct Idempotency {
    entries: HashMap<String, Entry>,
    /// Completed keys by completion time, for expiry.
    completed: VecDeque<(i64, String)>,
}

impl Idempotency {
    pub fn claim(&mut self, key: &str, fingerprint: [u8; 32], now: i64) -> Claim {
        self.expire(now);
        match self.entries.get(key) {
            None => {
                self.entries.insert(key.to_owned(), Entry::InFlight { fingerprint });
                Claim::Fresh
            }
            Some(Entry::InFlight { fingerprint: f } | Entry::Done { fingerprint: f, .. }) if *f != fingerprint => {
                Claim::Reused
            }
            Some(Entry::InFlight { .. }) => Claim::InUse,
            Some(Entry::Done { response, .. }) => Claim::Replay(response.clone()),
        }
    }

    pub fn complete(&mut self, key: &str, response: StoredResponse, now: i64) {
        if let Some(entry) = self.entries.get_mut(key) {
            if let Entry::InFlight { fingerprint } = *entry {
                *entry = Entry::Done { fingerprint, at: now, response };
                self.completed.push_back((now, key.to_owned()));
            }
        }
    }

    /// Frees a claimed key whose request stored nothing.
    pub fn release(&mut self, key: &str) {
        if matches!(self.entries.get(key), Some(Entry::InFlight { .. })) {
            self.entries.remove(key);
        }
    }

    fn expire(&mut self, now: i64) {
        while let Some((at, _)) = self.completed.front() {
            if now - at < KEY_TTL_MILLIS {
                break;
            }
            if let Some((at, key)) = self.completed.pop_front() {
                if matches!(self.entries.get(&key), Some(Entry::Done { at: done, .. }) if *done == at) {
                    self.entries.remove(&key);
                }
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [1; 32];
    const B: [u8; 32] = [2; 32];

    fn ok() -> StoredResponse {
        StoredResponse { status: 200, body: b"{}".to_vec() }
    }

    #[test]
    fn a_key_goes_fresh_in_use_then_replay() {
        let mut keys = Idempotency::default();
        assert_eq!(keys.claim("k", A, 0), Claim::Fresh);
        assert_eq!(keys.claim("k", A, 1), Claim::InUse);
        assert_eq!(keys.claim("k", B, 1), Claim::Reused);
        keys.complete("k", ok(), 2);
        assert_eq!(keys.claim("k", A, 3), Claim::Replay(ok()));
        assert_eq!(keys.claim("k", B, 3), Claim::Reused);
    }

    #[test]
    fn a_released_key_can_be_claimed_again() {
        let mut keys = Idempotency::default();
        assert_eq!(keys.claim("k", A, 0), Claim::Fresh);
        keys.release("k");
        assert_eq!(keys.claim("k", B, 1), Claim::Fresh);
    }

    #[test]
    fn keys_are_forgotten_after_a_day() {
        let mut keys = Idempotency::default();
        keys.claim("k", A, 0);
        keys.complete("k", ok(), 0);
        assert_eq!(keys.claim("k", B, KEY_TTL_MILLIS - 1), Claim::Reused);
        assert_eq!(keys.claim("k", B, KEY_TTL_MILLIS), Claim::Fresh);
        assert_eq!(keys.len(), 1);
    }
}
