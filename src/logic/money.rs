//! Money as text, per language and exact: TON keeps every decimal it has, USD
//! rounds half away from zero to the cent, and no float is involved.

use openmoney_api::{Decimal, Ton};

use super::numbers::number;
use crate::i18n::Locale;

/// A TON amount, e.g. `1,308.3692 TON`, `1308,3692 TON`.
pub fn ton(locale: Locale, amount: Ton) -> String {
    format!("{} TON", number(locale, &amount.to_string()))
}

/// A USD amount rounded to the cent, e.g. `$1,234.00`, `1234,00 US$`.
pub fn usd(locale: Locale, amount: Decimal) -> String {
    let cents = (amount.nanos() + amount.nanos().signum() * 5_000_000) / 10_000_000;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    dollars(locale, &format!("{sign}{}.{:02}", cents / 100, cents % 100))
}

/// A USD figure with every decimal it has (a rate, e.g. `$3.6012`).
pub fn usd_exact(locale: Locale, amount: Decimal) -> String {
    dollars(locale, &amount.to_string())
}

fn dollars(locale: Locale, text: &str) -> String {
    let text = number(locale, text);
    match locale {
        Locale::es => format!("{text} US$"),
        _ => match text.strip_prefix('-') {
            Some(rest) => format!("-${rest}"),
            None => format!("${text}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ton_amounts_keep_every_decimal_and_group_per_language() {
        let amount = "1308.369200001".parse().unwrap();
        assert_eq!(ton(Locale::en, "0.418".parse().unwrap()), "0.418 TON");
        assert_eq!(ton(Locale::en, amount), "1,308.369200001 TON");
        assert_eq!(ton(Locale::es, amount), "1308,369200001 TON");
        assert_eq!(ton(Locale::hi, amount), "1,308.369200001 TON");
        assert_eq!(ton(Locale::en, "-1234567".parse().unwrap()), "-1,234,567 TON");
        assert_eq!(ton(Locale::es, "-1234567".parse().unwrap()), "-1.234.567 TON");
        assert_eq!(ton(Locale::hi, "-1234567".parse().unwrap()), "-12,34,567 TON");
        assert_eq!(number(Locale::hi, "123"), "123");
        assert_eq!(number(Locale::hi, "12345"), "12,345");
        assert_eq!(number(Locale::es, "12345"), "12.345");
    }

    #[test]
    fn usd_rounds_to_the_cent() {
        assert_eq!(usd(Locale::en, "1.5375".parse().unwrap()), "$1.54");
        assert_eq!(usd(Locale::en, "29.71475".parse().unwrap()), "$29.71");
        assert_eq!(usd(Locale::en, "1234".parse().unwrap()), "$1,234.00");
        assert_eq!(usd(Locale::es, "1234".parse().unwrap()), "1234,00 US$");
        assert_eq!(usd(Locale::en, "-2.5".parse().unwrap()), "-$2.50");
        assert_eq!(usd_exact(Locale::hi, "3.6012".parse().unwrap()), "$3.6012");
    }
}
