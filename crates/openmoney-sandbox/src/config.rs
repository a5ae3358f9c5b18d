//! How a sandbox is set up: partners, prices, lifecycle delays, limits and faults.

use std::collections::BTreeMap;
use std::fmt;

use openmoney_api::sandbox::FaultRule;
use openmoney_api::{Decimal, Ton};

use crate::Clock;

/// A partner API key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the `Authorization` header. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// One partner: a key, and the balance it starts with.
#[derive(Debug, Clone)]
pub struct PartnerConfig {
    pub key: ApiKey,
    pub opening_balance: Ton,
}

impl PartnerConfig {
    pub fn new(key: impl Into<String>) -> Self {
        PartnerConfig { key: ApiKey::new(key), opening_balance: Ton::ZERO }
    }
}

/// Prices. The TON/USD rate drifts on a fixed 2-hour cycle around `ton_usd` (steps every
/// 10 minutes) unless `rate_drift` is off; everything is deterministic.
#[derive(Debug, Clone)]
pub struct PricingConfig {
    pub ton_usd: Decimal,
    pub rate_drift: bool,
    pub star_usd: Decimal,
    pub premium_usd: BTreeMap<u8, Decimal>,
    pub fee_percent: Decimal,
}

impl Default for PricingConfig {
    fn default() -> Self {
        let usd = |text: &str| text.parse::<Decimal>().expect("a literal price");
        PricingConfig {
            ton_usd: usd("3.6"),
            rate_drift: true,
            star_usd: usd("0.015"),
            premium_usd: [(3, usd("11.99")), (6, usd("15.99")), (12, usd("28.99"))].into(),
            fee_percent: usd("2.5"),
        }
    }
}

/// How long each step of an order's life takes, in milliseconds.
#[derive(Debug, Clone)]
pub struct LifecycleConfig {
    pub order_ttl_millis: i64,
    pub paid_to_processing_millis: i64,
    pub processing_to_completed_millis: i64,
    pub failed_to_refunded_millis: i64,
    /// How long a create takes once its idempotency key is claimed.
    pub create_latency_millis: u64,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            order_ttl_millis: 15 * 60 * 1000,
            paid_to_processing_millis: 3_000,
            processing_to_completed_millis: 10_000,
            failed_to_refunded_millis: 5_000,
            create_latency_millis: 0,
        }
    }
}

/// A token bucket per key.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { per_second: 1_000, burst: 2_000 }
    }
}

/// Simulated facts about Telegram users. Besides these, every name ending in `bot` is a bot.
#[derive(Debug, Clone)]
pub struct RecipientFacts {
    pub not_found: Vec<String>,
    pub has_premium: Vec<String>,
}

impl Default for RecipientFacts {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        RecipientFacts {
            not_found: names(&["ghost_user", "nobody_here", "deleted_account", "unknown_user"]),
            has_premium: names(&["durov", "premium_pat", "already_premium"]),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub partners: Vec<PartnerConfig>,
    pub pricing: PricingConfig,
    pub lifecycle: LifecycleConfig,
    pub rate_limit: RateLimitConfig,
    pub recipients: RecipientFacts,
    /// Fault rules every partner starts with.
    pub faults: Vec<FaultRule>,
    /// Seed the first partner with a few days of history.
    pub demo: bool,
    pub clock: Clock,
    /// Seed of the sandbox's randomness (memos, fault dice, demo data).
    pub seed: u64,
    /// The address `ton_memo` orders are paid to.
    pub payment_address: String,
}

/// The key the sandbox uses when it is given none.
pub const DEMO_KEY: &str = "osk_sandbox_demo_key_0000000000000000";

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            partners: vec![PartnerConfig::new(DEMO_KEY)],
            pricing: PricingConfig::default(),
            lifecycle: LifecycleConfig::default(),
            rate_limit: RateLimitConfig::default(),
            recipients: RecipientFacts::default(),
            faults: Vec::new(),
            demo: false,
            clock: Clock::system(),
            seed: 0x0_7e11,
            payment_address: "UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_".into(),
        }
    }
}

impl SandboxConfig {
    /// One partner per key.
    pub fn with_keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        SandboxConfig { partners: keys.into_iter().map(PartnerConfig::new).collect(), ..Self::default() }
    }
}
