//! Time left until an order expires.

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
}
