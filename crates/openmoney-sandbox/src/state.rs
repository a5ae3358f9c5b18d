//! The state every handler shares: the store behind one lock, the clock, the partners'
//! keys (as hashes), the rate limiter and the request log.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{header, HeaderMap};
use base64::Engine;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::config::SandboxConfig;
use crate::error::{ApiError, Result};
use crate::store::{PartnerId, Store};
use crate::Clock;

const LOG_CAPACITY: usize = 10_000;

/// One request the sandbox received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// The status answered; 0 when the connection was reset instead (an injected fault).
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(skip)]
    pub partner: Option<PartnerId>,
}

#[derive(Default)]
pub struct RequestLog {
    total: AtomicU64,
    recent: Mutex<VecDeque<RequestRecord>>,
}

impl RequestLog {
    /// Counts a request as it arrives, before anything can fail it.
    pub fn arrive(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record(&self, record: RequestRecord) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == LOG_CAPACITY {
            recent.pop_front();
        }
        recent.push_back(record);
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn recent(&self) -> Vec<RequestRecord> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }
}

pub struct Shared {
    store: Mutex<Store>,
    pub clock: Clock,
    /// Key hashes to partners. Written only when a key is rotated.
    keys: std::sync::RwLock<HashMap<[u8; 32], PartnerId>>,
    limiter: Option<DefaultKeyedRateLimiter<PartnerId>>,
    pub log: RequestLog,
    pub create_latency: Duration,
}

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

fn key_hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// A TON user-friendly address (non-bounceable, workchain 0) derived from the key, so a
/// partner keeps its top-up address across restarts.
pub fn topup_address(key: &str) -> String {
    let account = Sha256::digest(format!("topup:{key}").as_bytes());
    let mut raw = Vec::with_capacity(36);
    raw.extend_from_slice(&[0x51, 0x00]);
    raw.extend_from_slice(&account);
    let crc = crc16_xmodem(&raw);
    raw.extend_from_slice(&crc.to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn crc16_xmodem(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

impl AppState {
    pub fn new(config: &SandboxConfig) -> Self {
        let keys = config.partners.iter().enumerate().map(|(i, p)| (key_hash(p.key.expose()), i)).collect();
        let addresses = config.partners.iter().map(|p| topup_address(p.key.expose())).collect();
        let limiter = NonZeroU32::new(config.rate_limit.per_second).map(|per_second| {
            let burst = NonZeroU32::new(config.rate_limit.burst).unwrap_or(per_second);
            RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
        });
        AppState(Arc::new(Shared {
            store: Mutex::new(Store::new(config, addresses)),
            clock: config.clock.clone(),
            keys: std::sync::RwLock::new(keys),
            limiter,
            log: RequestLog::default(),
            create_latency: Duration::from_millis(config.lifecycle.create_latency_millis),
        }))
    }

    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// The store, locked. A panic while it was held cannot leave it half-changed (every
    /// operation checks before it writes), so a poisoned lock is taken over.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The partner of `Authorization: Bearer osk_…`, or 401.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<PartnerId> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized("missing bearer token", None));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("Authorization must be 'Bearer <key>'", Some("invalid_request")))?;
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key_hash(token))
            .copied()
            .ok_or_else(|| ApiError::unauthorized("invalid API key", Some("invalid_token")))
    }

    /// Gives the partner of key `existing` the key `new` as well, as a partner starting a
    /// rotation does. False when `existing` is no key.
    pub fn add_key(&self, existing: &str, new: &str) -> bool {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        let Some(&partner) = keys.get(&key_hash(existing)) else { return false };
        keys.insert(key_hash(new), partner);
        true
    }

    /// Refuses `key` from now on, as a partner ending a rotation does. False when it is no key.
    pub fn revoke_key(&self, key: &str) -> bool {
        self.keys.write().unwrap_or_else(|e| e.into_inner()).remove(&key_hash(key)).is_some()
    }

    /// Takes a token from the partner's bucket, or 429 with the wait.
    pub fn check_rate(&self, partner: PartnerId) -> Result<()> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&partner).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            ApiError::rate_limited(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topup_addresses_look_like_ton_addresses_and_are_stable() {
        let a = topup_address("osk_a");
        assert_eq!(a.len(), 48);
        assert!(a.starts_with("UQ"));
        assert_eq!(a, topup_address("osk_a"));
        assert_ne!(a, topup_address("osk_b"));
    }

    #[test]
    fn crc16_matches_the_xmodem_check_value() {
        assert_eq!(crc16_xmodem(b"123456789"), 0x31C3);
    }
}
