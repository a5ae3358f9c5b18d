//! Showing money. Amounts stay exact (`Ton` is integer nanotons); only text is made here.

use openmoney_api::{Decimal, Ton};

/// `1,234.5 TON`: thousands grouped, the exact decimals kept.
pub fn ton(amount: Ton) -> String {
    format!("{} TON", group(&amount.to_string()))
}

/// `$1,234.50`: USD to the cent (rounded half up), for display only.
pub fn usd(amount: Decimal) -> String {
    let cents = (amount.nanos() + amount.nanos().signum() * 5_000_000) / 10_000_000;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    format!("{sign}${}.{:02}", group(&(cents / 100).to_string()), cents % 100)
}

fn group(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (whole, fraction) = rest.split_once('.').map_or((rest, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ton_amounts_keep_every_decimal_and_group_thousands() {
        assert_eq!(ton("0.418".parse().unwrap()), "0.418 TON");
        assert_eq!(ton("1308.369200001".parse().unwrap()), "1,308.369200001 TON");
        assert_eq!(ton("-1234567".parse().unwrap()), "-1,234,567 TON");
    }

    #[test]
    fn usd_rounds_to_the_cent() {
        assert_eq!(usd("1.5375".parse().unwrap()), "$1.54");
        assert_eq!(usd("29.71475".parse().unwrap()), "$29.71");
        assert_eq!(usd("1234".parse().unwrap()), "$1,234.00");
    }
}
