//! Numbers as text for the language: counts (orders, Stars, page numbers) and the digits
//! of amounts, grouped and pointed as each language writes them.

use crate::i18n::Locale;

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
    fn counts_group_per_language() {
        assert_eq!(count(Locale::en, 1234567u64), "1,234,567");
        assert_eq!(count(Locale::es, 1234u32), "1234", "Spanish leaves four digits whole");
        assert_eq!(count(Locale::es, 12345u32), "12.345");
        assert_eq!(count(Locale::hi, 1234567u64), "12,34,567");
    }
}
