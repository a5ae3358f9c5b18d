//! Exact money. TON amounts are integer nanotons; other decimals (USD, rates, percents)
//! are fixed-point with nine decimal places. Neither is ever an `f64` in our logic.
//!
//! On the wire both are JSON numbers (`0.418`).
//! - On servers, decoding goes through the number's shortest round-trip text (serde_json is
//!   built with `float_roundtrip`), so any amount of up to 15 significant digits (every TON
//!   amount below a million TON at nanoton precision) decodes to exactly the decimal that
//!   was written, and encodes back to it.
//! - In the console's wasm, an amount is read from, and written as, the number's own JSON
//!   text (serde_json's `RawValue`), so no floating point is involved at all and none of
//!   its parsing or printing code is shipped to the browser.

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

/// Reads a JSON number's text (`1.5`, `-2`, `1e-9`, `4.2E+1`) into units of 10^-9, exactly.
fn parse_json_number(text: &str) -> Result<i64, MoneyError> {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return parse_nanos(text);
    };
    let exponent: i32 = exponent.parse().map_err(|_| MoneyError::Invalid)?;
    let (sign, unsigned) = mantissa.strip_prefix('-').map_or(("", mantissa), |rest| ("-", rest));
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MoneyError::Invalid);
    }
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    // Where the decimal point falls in `digits` once the exponent is applied.
    let point = whole.len() as i64 + i64::from(exponent);
    if point > 40 {
        return Err(MoneyError::Overflow);
    }
    if point < -(FRACTION_DIGITS as i64) {
        return Err(MoneyError::TooManyDecimals);
    }
    let plain = if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{sign}{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    };
    parse_nanos(&plain)
}

/// An amount's JSON text as the console's wasm receives it: a number, or a string holding one.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn parse_json_text(text: &str) -> Result<i64, MoneyError> {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => parse_nanos(inner),
        None => parse_json_number(text),
    }
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

        #[cfg(target_arch = "wasm32")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // The decimal text is the JSON number itself.
                let text = serde_json::value::RawValue::from_string(self.to_string()).map_err(serde::ser::Error::custom)?;
                serde::Serialize::serialize(&text, serializer)
            }
        }

        #[cfg(target_arch = "wasm32")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <Box<serde_json::value::RawValue> as serde::Deserialize>::deserialize(deserializer)?;
                parse_json_text(text.get()).map($name).map_err(|e| serde::de::Error::custom(format_args!("{} as a JSON number: {e}", $what)))
            }
        }

        #[cfg(not(target_arch = "wasm32"))]
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

        #[cfg(not(target_arch = "wasm32"))]
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
    fn json_number_text_reads_exactly_with_or_without_an_exponent() {
        for (text, nanos) in [
            ("0.418", 418_000_000),
            ("-2", -2_000_000_000),
            ("1e-9", 1),
            ("1E-9", 1),
            ("4.2e+1", 42_000_000_000),
            ("4.2E1", 42_000_000_000),
            ("-1.5e-3", -1_500_000),
            ("123.456e-2", 1_234_560_000),
            ("0e5", 0),
            ("0.0e-400", 0),
            ("\"0.5\"", 500_000_000),
        ] {
            assert_eq!(parse_json_text(text), Ok(nanos), "{text}");
        }
        assert_eq!(parse_json_text("1e-10"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_json_text("1.5e-9"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_json_text("1e300"), Err(MoneyError::Overflow));
        assert_eq!(parse_json_text("1e20"), Err(MoneyError::Overflow));
        assert_eq!(parse_json_text("1e"), Err(MoneyError::Invalid));
        assert_eq!(parse_json_text("e5"), Err(MoneyError::Invalid));
        assert_eq!(parse_json_text("1.x"), Err(MoneyError::Invalid));
    }

    #[test]
    fn the_servers_json_numbers_read_the_same_as_text() {
        // What the servers write (serde_json's shortest float text, exponents included) is
        // what the console's wasm reads from that same text.
        for nanos in [1, 10, 418_000_000, 1_500_000, -7, 123_456_123_456_789, 5 * NANOS_PER_UNIT] {
            let json = serde_json::to_string(&Ton::from_nanos(nanos)).unwrap();
            assert_eq!(parse_json_text(&json), Ok(nanos), "{json}");
        }
    }

    #[test]
    fn sums_without_floats() {
        let total: Ton = ["0.1", "0.2"].iter().map(|t| t.parse::<Ton>().unwrap()).sum();
        assert_eq!(total, "0.3".parse().unwrap());
    }
}
