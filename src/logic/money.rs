//! Money and numbers as text, per language and exact: TON keeps every decimal it has, USD
//! rounds half away from zero to the cent, and no float is involved.

use openmoney_api::{Decimal, Ton};

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

/// A count, grouped for the language.
pub fn count(locale: Locale, n: impl std::fmt::Display) -> String {
    number(locale, &n.to_string())
}

/// A plain decimal text (`-1234567.5`) grouped and pointed for the language: English groups
/// by thousands, Spanish uses `.` and `,` and leaves four-digit numbers whole, Hindi groups
/// the Indian way (12,34,567).
pub fn number(locale: Locale, text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (whole, fraction) = rest.split_once('.').map_or((rest, None), |(w, f)| (w, Some(f)));
    let (group, point) = match locale {
        Locale::es => ('.', ','),
        _ => (',', '.'),
    };
    let digits: Vec<char> = whole.chars().collect();
    let n = digits.len();
    let separate = |i: usize| -> bool {
        let from_end = n - i;
        match locale {
            Locale::es => n > 4 && from_end.is_multiple_of(3),
            Locale::hi => from_end == 3 || (from_end > 3 && (from_end - 3).is_multiple_of(2)),
            Locale::en => from_end.is_multiple_of(3),
        }
    };
    let mut out = String::from(sign);
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && separate(i) {
            out.push(group);
        }
        out.push(*digit);
    }
    if let Some(f) = fraction {
        out.push(point);
        out.push_str(f);
    }
    out
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
