//! Exact money. TON amounts are integer nanotons; other decimals (USD, rates, percents)
//! are fixed-point with nine decimal places. Neither is ever an `f64` in our logic.
//!
//! On the wire both are JSON numbers (`0.418`). Decoding goes through the number's
//! shortest round-trip text (serde_json is built with `float_roundtrip`), so any amount of
//! up to 15 significant digits — every TON amount below a million TON at nanoton
//! precision — decodes to exactly the decimal that was written, and encodes back to it.

use std::fmt;
use std::str::FromStr;

/// Units of the smallest step (nano) in one whole unit.
pub const NANOS_PER_UNIT: i64 = 1_000_000_000;
const FRACTION_DIGITS: usize = 9;

/// Why a decimal amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    Invalid,
    TooManyDecimals,
    Overflow,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::Empty => "amount is empty",
            MoneyError::Invalid => "amount is not a decimal number",
            MoneyError::TooManyDecimals => "amount has more than 9 decimal places",
            MoneyError::Overflow => "amount is too large",
        })
    }
}

impl std::error::Error for MoneyError {}

/// Parses `-12.345` into units of 10^-9, exactly.
fn parse_nanos(text: &str) -> Result<i64, MoneyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(MoneyError::Invalid);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > FRACTION_DIGITS {
        return Err(MoneyError::TooManyDecimals);
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::Overflow)? };
    let mut frac: i64 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| MoneyError::Invalid)? };
    for _ in fraction.len()..FRACTION_DIGITS {
        frac *= 10;
    }
    let magnitude = whole.checked_mul(NANOS_PER_UNIT).and_then(|w| w.checked_add(frac)).ok_or(MoneyError::Overflow)?;
    Ok(if negative { -magnitude } else { magnitude })
}

fn write_nanos(nanos: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if nanos < 0 { "-" } else { "" };
    let magnitude = nanos.unsigned_abs();
    let whole = magnitude / NANOS_PER_UNIT as u64;
    let fraction = magnitude % NANOS_PER_UNIT as u64;
    if fraction == 0 {
        write!(f, "{sign}{whole}")
    } else {
        let digits = format!("{fraction:09}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

macro_rules! fixed_point {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(i64);

        impl $name {
            pub const ZERO: $name = $name(0);

            /// From units of 10^-9 (nanotons for TON).
            pub const fn from_nanos(nanos: i64) -> Self {
                $name(nanos)
            }

            /// In units of 10^-9 (nanotons for TON).
            pub const fn nanos(self) -> i64 {
                self.0
            }

            /// A whole number of units.
            pub const fn from_units(units: i64) -> Self {
                $name(units * NANOS_PER_UNIT)
            }

            pub fn checked_add(self, other: Self) -> Option<Self> {
                self.0.checked_add(other.0).map($name)
            }

            pub fn checked_sub(self, other: Self) -> Option<Self> {
                self.0.checked_sub(other.0).map($name)
            }

            pub const fn is_negative(self) -> bool {
                self.0 < 0
            }

            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            #[must_use]
            pub const fn abs(self) -> Self {
                $name(self.0.abs())
            }
        }

        impl std::ops::Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                $name(iter.map(|v| v.0).sum())
            }
        }

        impl FromStr for $name {
            type Err = MoneyError;
            fn from_str(s: &str) -> Result<Self, MoneyError> {
                parse_nanos(s).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_nanos(self.0, f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.0 % NANOS_PER_UNIT == 0 {
                    serializer.serialize_i64(self.0 / NANOS_PER_UNIT)
                } else {
                    // The decimal text parses to the nearest double, whose shortest
                    // representation is that same text: the JSON number is exact.
                    let text = self.to_string();
                    serializer.serialize_f64(text.parse().map_err(serde::ser::Error::custom)?)
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "{} as a JSON number", $what)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        v.checked_mul(NANOS_PER_UNIT).map($name).ok_or_else(|| E::custom(MoneyError::Overflow))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        i64::try_from(v).map_err(|_| E::custom(MoneyError::Overflow)).and_then(|v| self.visit_i64(v))
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$name, E> {
                        if !v.is_finite() {
                            return Err(E::custom(MoneyError::Invalid));
                        }
                        // `Display` of f64 is the shortest text that reads back as `v`.
                        parse_nanos(&v.to_string()).map($name).map_err(E::custom)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        parse_nanos(v).map($name).map_err(E::custom)
                    }
                }
                deserializer.deserialize_any(Visit)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Number)
                    .description(Some(concat!($what, ", a JSON number with at most 9 decimal places")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

fixed_point!(
    /// An amount of TON, held as integer nanotons (1 TON = 10^9 nanotons).
    Ton,
    "an amount of TON"
);

fixed_point!(
    /// A non-TON decimal (USD prices, the TON/USD rate, percents) with 9 decimal places.
    Decimal,
    "a decimal"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (text, nanos) in [
            ("0.418", 418_000_000),
            ("5", 5_000_000_000),
            ("-1.5", -1_500_000_000),
            ("0.000000001", 1),
            ("123456.123456789", 123_456_123_456_789),
            (".5", 500_000_000),
        ] {
            let ton: Ton = text.parse().unwrap();
            assert_eq!(ton.nanos(), nanos, "{text}");
        }
        assert_eq!(Ton::from_nanos(418_000_000).to_string(), "0.418");
        assert_eq!(Ton::from_nanos(-2_000_000_000).to_string(), "-2");
        assert_eq!(Ton::from_nanos(-1).to_string(), "-0.000000001");
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!("".parse::<Ton>(), Err(MoneyError::Empty));
        assert_eq!("1.2.3".parse::<Ton>(), Err(MoneyError::Invalid));
        assert_eq!("abc".parse::<Ton>(), Err(MoneyError::Invalid));
        assert_eq!(".".parse::<Ton>(), Err(MoneyError::Invalid));
        assert_eq!("0.0000000001".parse::<Ton>(), Err(MoneyError::TooManyDecimals));
        assert_eq!("99999999999999".parse::<Ton>(), Err(MoneyError::Overflow));
    }

    #[test]
    fn json_numbers_round_trip_exactly() {
        for text in ["0.418", "0.1", "0.3", "1", "0", "-0.25", "999999.999999999", "0.000000001", "42.5"] {
            let ton: Ton = serde_json::from_str(text).unwrap();
            assert_eq!(ton, text.parse::<Ton>().unwrap(), "decode {text}");
            let back = serde_json::to_string(&ton).unwrap();
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            let got: serde_json::Value = serde_json::from_str(&back).unwrap();
            assert_eq!(got, expected, "encode {text} gave {back}");
        }
    }

    #[test]
    fn every_nanoton_step_survives_the_wire() {
        // A stride through nine-digit fractions, including the awkward ones near .x5.
        let mut nanos = 0i64;
        while nanos < 50 * NANOS_PER_UNIT {
            let ton = Ton::from_nanos(nanos);
            let json = serde_json::to_string(&ton).unwrap();
            assert_eq!(serde_json::from_str::<Ton>(&json).unwrap(), ton, "{json}");
            nanos += 7_777_777;
        }
    }

    #[test]
    fn sums_without_floats() {
        let total: Ton = ["0.1", "0.2"].iter().map(|t| t.parse::<Ton>().unwrap()).sum();
        assert_eq!(total, "0.3".parse().unwrap());
    }
}
