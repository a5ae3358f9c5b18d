//! Time left until an order expires, and how far away a moment is.

use crate::i18n::{td_string, Locale};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    Left { minutes: i64, seconds: i64 },
    Expired,
}

pub fn until(expires_millis: i64, now_millis: i64) -> Countdown {
    let left = expires_millis - now_millis;
    if left <= 0 {
        return Countdown::Expired;
    }
    let seconds = (left + 999) / 1000;
    Countdown::Left { minutes: seconds / 60, seconds: seconds % 60 }
}

impl Countdown {
    /// `14:59 left`, or `expired`.
    pub fn text(self, l: Locale) -> String {
        match self {
            Countdown::Left { minutes, seconds } => {
                td_string!(l, countdown.left, time = format!("{minutes}:{seconds:02}"))
            }
            Countdown::Expired => td_string!(l, countdown.expired).to_owned(),
        }
    }

    /// Less than two minutes: show it as urgent.
    pub fn is_urgent(self) -> bool {
        matches!(self, Countdown::Left { minutes, .. } if minutes < 2)
    }
}

/// The unit a relative time reads best in: (value, `Intl.RelativeTimeFormat` unit).
pub fn relative_unit(seconds: i64) -> (i64, &'static str) {
    let size = seconds.abs();
    match size {
        s if s < 60 => (seconds, "second"),
        s if s < 3600 => (seconds / 60, "minute"),
        s if s < 86_400 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_in_whole_seconds_then_expires() {
        assert_eq!(until(900_000, 0).text(Locale::en), "15:00 left");
        assert_eq!(until(900_000, 1).text(Locale::en), "15:00 left");
        assert_eq!(until(900_000, 1_000).text(Locale::en), "14:59 left");
        assert_eq!(until(900_000, 899_500).text(Locale::en), "0:01 left");
        assert!(until(900_000, 0).text(Locale::hi).starts_with("15:00"));
        assert_eq!(until(900_000, 900_000), Countdown::Expired);
        assert!(until(60_000, 0).is_urgent() && !until(300_000, 0).is_urgent());
    }

    #[test]
    fn relative_times_pick_a_readable_unit() {
        assert_eq!(relative_unit(-30), (-30, "second"));
        assert_eq!(relative_unit(-300), (-5, "minute"));
        assert_eq!(relative_unit(7200), (2, "hour"));
        assert_eq!(relative_unit(-3 * 86_400), (-3, "day"));
    }
}
