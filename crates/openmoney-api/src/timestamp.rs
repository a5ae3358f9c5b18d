//! RFC 3339 instants, as the wire writes them (`2026-04-16T12:00:00Z`).
//!
//! Servers keep the instant in `time`'s `OffsetDateTime`. The console (wasm32) reads and
//! writes the same text with the small calendar code in [`civil`] instead, which keeps the
//! `time` crate out of its WebAssembly; tests hold the two to the same answers.

use std::fmt;

/// An instant in UTC, carried as RFC 3339 text.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(time::OffsetDateTime);

/// An instant in UTC, carried as RFC 3339 text: seconds since the Unix epoch and the
/// nanoseconds past them.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

#[cfg(not(target_arch = "wasm32"))]
mod server {
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    use super::Timestamp;

    /// Why a timestamp could not be read.
    pub type ParseError = time::error::Parse;

    impl Timestamp {
        pub fn from_unix_millis(millis: i64) -> Self {
            let nanos = i128::from(millis) * 1_000_000;
            Timestamp(OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH))
        }

        pub fn unix_millis(self) -> i64 {
            (self.0.unix_timestamp_nanos() / 1_000_000) as i64
        }

        pub fn parse(text: &str) -> Result<Self, ParseError> {
            OffsetDateTime::parse(text, &Rfc3339).map(|t| Timestamp(t.to_offset(time::UtcOffset::UTC)))
        }

        /// Midnight UTC of a calendar day; `None` if there is no such day.
        pub fn utc_midnight(year: i32, month: u8, day: u8) -> Option<Self> {
            let month = time::Month::try_from(month).ok()?;
            time::Date::from_calendar_date(year, month, day).ok().map(|d| Timestamp(d.midnight().assume_utc()))
        }

        /// The same time a day (24 hours) later, if there is one.
        pub fn next_day(self) -> Option<Self> {
            self.0.checked_add(time::Duration::DAY).map(Timestamp)
        }

        /// Year, month, day, hour and minute in UTC.
        pub fn utc_fields(self) -> (i32, u8, u8, u8, u8) {
            let t = self.0;
            (t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }

        pub fn as_offset_date_time(self) -> OffsetDateTime {
            self.0
        }

        pub(super) fn write(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.0.format(&Rfc3339) {
                Ok(text) => f.write_str(&text),
                Err(_) => Err(std::fmt::Error),
            }
        }
    }

    impl From<OffsetDateTime> for Timestamp {
        fn from(value: OffsetDateTime) -> Self {
            Timestamp(value.to_offset(time::UtcOffset::UTC))
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use server::ParseError;

#[cfg(target_arch = "wasm32")]
mod console {
    use super::{civil, Timestamp};

    /// Why a timestamp could not be read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ParseError;

    impl std::fmt::Display for ParseError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("not an RFC 3339 timestamp")
        }
    }

    impl std::error::Error for ParseError {}

    impl Timestamp {
        fn from_secs(secs: i64, nanos: u32) -> Option<Self> {
            (civil::MIN_SECS..=civil::MAX_SECS).contains(&secs).then_some(Timestamp { secs, nanos })
        }

        pub fn from_unix_millis(millis: i64) -> Self {
            let (secs, nanos) = civil::from_millis(millis);
            Self::from_secs(secs, nanos).unwrap_or(Timestamp { secs: 0, nanos: 0 })
        }

        pub fn unix_millis(self) -> i64 {
            civil::millis(self.secs, self.nanos)
        }

        pub fn parse(text: &str) -> Result<Self, ParseError> {
            civil::parse(text).map(|(secs, nanos)| Timestamp { secs, nanos }).ok_or(ParseError)
        }

        /// Midnight UTC of a calendar day; `None` if there is no such day.
        pub fn utc_midnight(year: i32, month: u8, day: u8) -> Option<Self> {
            let days = civil::checked_days(i64::from(year), u32::from(month), u32::from(day))?;
            Self::from_secs(days * civil::SECS_PER_DAY, 0)
        }

        /// The same time a day (24 hours) later, if there is one.
        pub fn next_day(self) -> Option<Self> {
            Self::from_secs(self.secs + civil::SECS_PER_DAY, self.nanos)
        }

        /// Year, month, day, hour and minute in UTC.
        pub fn utc_fields(self) -> (i32, u8, u8, u8, u8) {
            let (year, month, day, seconds) = civil::fields_of(self.secs);
            (year as i32, month as u8, day as u8, (seconds / 3600) as u8, (seconds / 60 % 60) as u8)
        }

        pub(super) fn write(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            civil::write(self.secs, self.nanos, f)
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use console::ParseError;

/// The proleptic Gregorian calendar in UTC on whole seconds since the Unix epoch, and RFC
/// 3339 read and written as `time` does: the console's timestamps.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod civil {
    use std::fmt;

    pub const SECS_PER_DAY: i64 = 86_400;
    /// `-9999-01-01T00:00:00Z` and `9999-12-31T23:59:59Z`, the range `time` keeps.
    pub const MIN_SECS: i64 = -377_705_116_800;
    pub const MAX_SECS: i64 = 253_402_300_799;

    /// Seconds and nanoseconds of milliseconds since the epoch.
    pub fn from_millis(millis: i64) -> (i64, u32) {
        (millis.div_euclid(1000), (millis.rem_euclid(1000) * 1_000_000) as u32)
    }

    /// Milliseconds since the epoch, rounded toward zero as `time` does.
    pub fn millis(secs: i64, nanos: u32) -> i64 {
        ((i128::from(secs) * 1_000_000_000 + i128::from(nanos)) / 1_000_000) as i64
    }

    fn is_leap(year: i64) -> bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    fn days_in_month(year: i64, month: u32) -> u32 {
        match month {
            2 if is_leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Days from 1970-01-01 to a valid date (H. Hinnant's `days_from_civil`).
    fn days(year: i64, month: u32, day: u32) -> i64 {
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let day_of_year = (153 * i64::from((month + 9) % 12) + 2) / 5 + i64::from(day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// [`days`] of a date, if it is one.
    pub fn checked_days(year: i64, month: u32, day: u32) -> Option<i64> {
        ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)).then(|| days(year, month, day))
    }

    /// Year, month, day and second of the day of an instant.
    pub fn fields_of(secs: i64) -> (i64, u32, u32, u32) {
        let day = secs.div_euclid(SECS_PER_DAY) + 719_468;
        let era = day.div_euclid(146_097);
        let day_of_era = day.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let date = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        (year, month, date, secs.rem_euclid(SECS_PER_DAY) as u32)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` as seconds and nanoseconds in UTC. Like
    /// `time`: the date-time separator may be any one character, `z` is `Z`, fraction digits
    /// past the ninth are dropped, and a second of 60 is a leap second's stand-in, allowed
    /// only at 23:59 UTC on a month's last day.
    pub fn parse(text: &str) -> Option<(i64, u32)> {
        let mut rest = text.as_bytes();
        let year = digits(&mut rest, 4)?;
        let mut fields = [0u32; 5];
        for (i, field) in fields.iter_mut().enumerate() {
            let (&separator, tail) = rest.split_first()?;
            if !(i == 2 || separator == [b'-', b'-', b'T', b':', b':'][i]) {
                return None;
            }
            rest = tail;
            *field = digits(&mut rest, 2)?;
        }
        let [month, day, hour, minute, mut second] = fields;
        let mut nanos = 0;
        if let Some(tail) = rest.strip_prefix(b".") {
            let count = tail.iter().take_while(|b| b.is_ascii_digit()).count();
            if count == 0 {
                return None;
            }
            for (i, b) in tail[..count.min(9)].iter().enumerate() {
                nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
            }
            rest = &tail[count..];
        }
        let (&zone, tail) = rest.split_first()?;
        rest = tail;
        let offset = match zone {
            b'Z' | b'z' => 0,
            b'+' | b'-' => {
                let hours = digits(&mut rest, 2)?;
                rest = rest.strip_prefix(b":")?;
                let minutes = digits(&mut rest, 2)?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let offset = i64::from(hours * 3600 + minutes * 60);
                if zone == b'-' {
                    -offset
                } else {
                    offset
                }
            }
            _ => return None,
        };
        let leap = second == 60;
        if leap {
            second = 59;
            nanos = 999_999_999;
        }
        if !rest.is_empty() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let day = checked_days(i64::from(year), month, day)?;
        let secs = day * SECS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second) - offset;
        if leap {
            let (year, month, day, of_day) = fields_of(secs);
            if of_day != 86_399 || day != days_in_month(year, month) {
                return None;
            }
        }
        Some((secs, nanos))
    }

    /// The number written by the next `n` ASCII digits.
    fn digits(rest: &mut &[u8], n: usize) -> Option<u32> {
        let (head, tail) = rest.split_at_checked(n)?;
        *rest = tail;
        head.iter().try_fold(0, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
    }

    /// RFC 3339 in UTC, as `time` writes it: fraction digits only when there are nanoseconds,
    /// without trailing zeros; an error for years outside 0000..=9999.
    pub fn write(secs: i64, nanos: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day, of_day) = fields_of(secs);
        if !(0..10_000).contains(&year) {
            return Err(fmt::Error);
        }
        let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")?;
        if nanos != 0 {
            let fraction = format!("{nanos:09}");
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::DateTime,
            )))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_utc_with_z_and_reads_it_back() {
        let t: Timestamp = serde_json::from_str("\"2026-04-16T12:15:00Z\"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2026-04-16T12:15:00Z\"");
        assert_eq!(Timestamp::from_unix_millis(t.unix_millis()), t);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t: Timestamp = "2026-04-16T14:15:00+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-04-16T12:15:00Z");
    }

    /// The console's calendar code answers as `time` does on servers.
    mod civil_is_time {
        use super::super::civil;
        use time::format_description::well_known::Rfc3339;
        use time::{Date, OffsetDateTime, Time};

        fn by_time(text: &str) -> Option<(i64, u32)> {
            OffsetDateTime::parse(text, &Rfc3339).ok().map(|t| (t.unix_timestamp(), t.nanosecond()))
        }

        struct Written(i64, u32);

        impl std::fmt::Display for Written {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                civil::write(self.0, self.1, f)
            }
        }

        fn written(secs: i64, nanos: u32) -> Option<String> {
            use std::fmt::Write;
            let mut out = String::new();
            write!(out, "{}", Written(secs, nanos)).ok().map(|_| out)
        }

        #[test]
        fn reads_what_time_reads() {
            let texts = [
                "2026-04-16T12:15:00Z",
                "2026-04-16t12:15:00z",
                "2026-04-16 12:15:00Z",
                "2026-04-16x12:15:00Z",
                "2026-04-16é12:15:00Z",
                "2026-04-16T12:15:00.5Z",
                "2026-04-16T12:15:00.123456789Z",
                "2026-04-16T12:15:00.1234567891234Z",
                "2026-04-16T12:15:00.000000001Z",
                "2026-04-16T12:15:00.Z",
                "2026-04-16T12:15:00",
                "2026-04-16T12:15:00+02:00",
                "2026-04-16T12:15:00-23:59",
                "2026-04-16T12:15:00+23:59",
                "2026-04-16T12:15:00+24:00",
                "2026-04-16T12:15:00+05:60",
                "2026-04-16T12:15:00+0200",
                "2026-04-16T12:15:00+02",
                "2026-04-16T12:15:00Z ",
                "2026-04-16T12:15:00ZZ",
                "2016-12-31T23:59:60Z",
                "2016-12-31T23:59:60.5Z",
                "2017-01-01T00:59:60+01:00",
                "2016-12-30T23:59:60Z",
                "2016-06-30T23:59:60Z",
                "2016-12-31T23:59:61Z",
                "2026-04-31T00:00:00Z",
                "2026-04-30T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "2024-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2000-02-29T00:00:00Z",
                "2026-00-10T00:00:00Z",
                "2026-13-10T00:00:00Z",
                "2026-01-00T00:00:00Z",
                "2026-01-01T24:00:00Z",
                "2026-01-01T23:60:00Z",
                "0000-01-01T00:00:00Z",
                "0000-01-01T00:00:00+01:00",
                "9999-12-31T23:59:59Z",
                "9999-12-31T23:59:59.999999999-01:00",
                "1969-12-31T23:59:59.999Z",
                "1970-01-01T00:00:00Z",
                "+2026-04-16T12:15:00Z",
                "26-04-16T12:15:00Z",
                "2026-4-16T12:15:00Z",
                "2026/04/16T12:15:00Z",
                "2026-04-16T12-15:00Z",
                "",
                "2026",
            ];
            for text in texts {
                assert_eq!(civil::parse(text), by_time(text), "{text:?}");
            }
        }

        #[test]
        fn writes_what_time_writes() {
            let nanos = [0, 1, 10, 500_000_000, 123_456_789, 120_000_000, 999_999_999];
            let secs = [
                0,
                -1,
                1_776_341_700,
                951_782_400,
                civil::MAX_SECS,
                civil::MIN_SECS,
                -62_167_219_200,
                -62_167_219_201,
                253_402_300_799,
            ];
            for secs in secs {
                for nanos in nanos {
                    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap().replace_nanosecond(nanos).unwrap();
                    assert_eq!(written(secs, nanos), t.format(&Rfc3339).ok(), "{secs} {nanos}");
                }
            }
        }

        #[test]
        fn every_day_has_its_date() {
            let (first, last) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
            let epoch = Date::from_calendar_date(1970, time::Month::January, 1).unwrap().to_julian_day();
            for julian in (first..=last).step_by(7).chain(epoch - 200_000..epoch + 200_000) {
                let date = Date::from_julian_day(julian).unwrap();
                let days = i64::from(julian - epoch);
                let (year, month, day) =
                    (i64::from(date.year()), u32::from(u8::from(date.month())), u32::from(date.day()));
                assert_eq!(civil::fields_of(days * civil::SECS_PER_DAY + 3_661), (year, month, day, 3_661), "{date}");
                assert_eq!(civil::checked_days(year, month, day), Some(days), "{date}");
            }
            assert_eq!(civil::checked_days(2026, 2, 29), None);
            assert_eq!(civil::checked_days(2026, 13, 1), None);
            assert_eq!(civil::checked_days(2026, 4, 0), None);
        }

        #[test]
        fn the_range_and_milliseconds_are_times() {
            assert_eq!(civil::MIN_SECS, OffsetDateTime::new_utc(Date::MIN, Time::MIDNIGHT).unix_timestamp());
            assert_eq!(civil::MAX_SECS, OffsetDateTime::new_utc(Date::MAX, Time::MAX).unix_timestamp());
            for millis in [0, 1, -1, 999, -999, -1000, 1_776_341_700_123, -62_167_219_200_001, i64::MAX, i64::MIN] {
                let (secs, nanos) = civil::from_millis(millis);
                assert_eq!(i128::from(secs) * 1_000_000_000 + i128::from(nanos), i128::from(millis) * 1_000_000);
                assert_eq!(civil::millis(secs, nanos), millis);
            }
            for (secs, nanos) in [(-1, 999_999_999), (-1, 500_000), (0, 999_999), (5, 1_999_999)] {
                let t = OffsetDateTime::from_unix_timestamp(secs).unwrap().replace_nanosecond(nanos).unwrap();
                assert_eq!(civil::millis(secs, nanos), (t.unix_timestamp_nanos() / 1_000_000) as i64);
            }
        }
    }

    #[test]
    fn days_and_their_fields() {
        let day = Timestamp::utc_midnight(2024, 2, 29).unwrap();
        assert_eq!(day.to_string(), "2024-02-29T00:00:00Z");
        assert_eq!(day.next_day().unwrap().to_string(), "2024-03-01T00:00:00Z");
        assert_eq!(Timestamp::utc_midnight(2023, 2, 29), None);
        assert_eq!(Timestamp::utc_midnight(9999, 12, 31).unwrap().next_day(), None);
        let t: Timestamp = "2026-11-20T21:05:09+02:00".parse().unwrap();
        assert_eq!(t.utc_fields(), (2026, 11, 20, 19, 5));
    }
}
