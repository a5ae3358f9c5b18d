//! JSON readings the derives do not give.

use serde::de::{Deserializer, Error, Visitor};

/// An integer field. JSON Schema counts `248.0` as the integer 248, and so do clients that
/// write every number as a float, so a whole float is taken; `248.5` is not.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("number out of range"))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<i64, E> {
            // 2^63 as f64; every whole float below it in magnitude converts exactly.
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            if v.fract() == 0.0 && v.abs() < LIMIT {
                Ok(v as i64)
            } else {
                Err(E::custom(format!("invalid type: {v}, expected a whole number")))
            }
        }
    }
    deserializer.deserialize_any(Whole)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug)]
    struct Body {
        #[serde(deserialize_with = "super::whole_number")]
        n: i64,
    }

    fn n(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Body>(json).map(|b| b.n).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_not() {
        assert_eq!(n(r#"{"n": 248}"#), Ok(248));
        assert_eq!(n(r#"{"n": 248.0}"#), Ok(248));
        assert_eq!(n(r#"{"n": -3e2}"#), Ok(-300));
        assert!(n(r#"{"n": 248.5}"#).unwrap_err().contains("whole number"));
        assert!(n(r#"{"n": 1e300}"#).is_err());
        assert!(n(r#"{"n": "248"}"#).is_err());
    }
}
