//! Prices in integer arithmetic: USD price plus fee, converted at the current rate.

use openmoney_api::{Decimal, Estimate, Timestamp, Ton, TonRate, NANOS_PER_UNIT};

use crate::config::PricingConfig;

const RATE_STEP_MILLIS: i64 = 10 * 60 * 1000;
/// The drift cycle, in thousandths of a USD, one step per 10 minutes.
const RATE_DRIFT_MILLI_USD: [i64; 12] = [0, 12, 25, 31, 25, 12, 0, -12, -25, -31, -25, -12];
/// Prices in TON are rounded up to a thousandth of a TON.
const TON_PRICE_STEP_NANOS: i128 = 1_000_000;

/// What is being priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Stars(u32),
    Premium(u8),
}

pub fn ton_rate(config: &PricingConfig, now_millis: i64) -> TonRate {
    let step = now_millis.div_euclid(RATE_STEP_MILLIS);
    let drift = if config.rate_drift {
        RATE_DRIFT_MILLI_USD[step.rem_euclid(RATE_DRIFT_MILLI_USD.len() as i64) as usize] * 1_000_000
    } else {
        0
    };
    let updated = if config.rate_drift { step * RATE_STEP_MILLIS } else { 0 };
    TonRate {
        ton_usd: Decimal::from_nanos(config.ton_usd.nanos() + drift),
        updated_at: Timestamp::from_unix_millis(updated),
    }
}

fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    (numerator * 2 + denominator) / (denominator * 2)
}

fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    (numerator + denominator - 1) / denominator
}

/// The price of `product` now. `None` when there is no USD price for it.
pub fn estimate(config: &PricingConfig, product: Product, now_millis: i64) -> Option<Estimate> {
    let base_usd: i128 = match product {
        Product::Stars(quantity) => i128::from(config.star_usd.nanos()) * i128::from(quantity),
        Product::Premium(months) => i128::from(config.premium_usd.get(&months)?.nanos()),
    };
    let unit = i128::from(NANOS_PER_UNIT);
    let fee_usd = div_round_half_up(base_usd * i128::from(config.fee_percent.nanos()), 100 * unit);
    let price_usd = base_usd + fee_usd;
    let rate = i128::from(ton_rate(config, now_millis).ton_usd.nanos()).max(1);
    let price_ton = div_ceil(div_ceil(price_usd * unit, rate), TON_PRICE_STEP_NANOS) * TON_PRICE_STEP_NANOS;
    let fee_ton = div_round_half_up(fee_usd * unit, rate).min(price_ton);
    Some(Estimate {
        price_ton: Ton::from_nanos(i64::try_from(price_ton).ok()?),
        price_usd: Decimal::from_nanos(i64::try_from(price_usd).ok()?),
        ton_usd_rate: Decimal::from_nanos(i64::try_from(rate).ok()?),
        fee_ton: Ton::from_nanos(i64::try_from(fee_ton).ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat() -> PricingConfig {
        PricingConfig { rate_drift: false, ..PricingConfig::default() }
    }

    #[test]
    fn stars_price_adds_the_fee_and_rounds_up_to_a_thousandth() {
        // 100 × $0.015 = $1.50, +2.5% = $1.5375, at $3.60 = 0.42708… TON → 0.428.
        let e = estimate(&flat(), Product::Stars(100), 0).unwrap();
        assert_eq!(e.price_usd, "1.5375".parse().unwrap());
        assert_eq!(e.price_ton, "0.428".parse().unwrap());
        assert_eq!(e.fee_ton, "0.010416667".parse().unwrap());
        assert_eq!(e.ton_usd_rate, "3.6".parse().unwrap());
    }

    #[test]
    fn premium_uses_the_price_per_months() {
        let e = estimate(&flat(), Product::Premium(12), 0).unwrap();
        assert_eq!(e.price_usd, "29.71475".parse().unwrap());
        assert!(estimate(&flat(), Product::Premium(5), 0).is_none());
    }

    #[test]
    fn the_rate_drifts_in_steps_and_comes_back() {
        let config = PricingConfig::default();
        let first = ton_rate(&config, 0);
        let later = ton_rate(&config, 3 * RATE_STEP_MILLIS + 1);
        let cycle = ton_rate(&config, 12 * RATE_STEP_MILLIS);
        assert_eq!(later.ton_usd, "3.631".parse().unwrap());
        assert_eq!(later.updated_at, Timestamp::from_unix_millis(3 * RATE_STEP_MILLIS));
        assert_eq!(cycle.ton_usd, first.ton_usd);
    }
}
