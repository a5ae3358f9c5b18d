//! Rules for what the API accepts, shared by the console's forms, the proxy's checks and
//! the sandbox. Each returns the message the API answers with.

use crate::{CreatePremiumOrder, CreateStarsOrder, Currency, PaymentMethod};

pub const STARS_MIN: i64 = 50;
pub const STARS_MAX: i64 = 10_000;
pub const PREMIUM_MONTHS: [i64; 3] = [3, 6, 12];
pub const CLIENT_REFERENCE_MAX: usize = 128;
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
pub const MEMO_MAX: usize = 64;
pub const LIMIT_MAX: i64 = 100;
pub const LIMIT_DEFAULT: i64 = 20;

/// Telegram's username rules: 5 to 32 of `a-z A-Z 0-9 _`, starting with a letter.
/// A leading `@` is dropped. Returns the bare username.
pub fn username(raw: &str) -> Result<String, String> {
    // Spaces around a pasted name are forgiven; any other character is not.
    let trimmed = raw.trim_matches(' ');
    let name = trimmed.strip_prefix('@').unwrap_or(trimmed);
    if name.is_empty() {
        return Err("recipient_username is required".into());
    }
    let chars = name.chars().count();
    if !(5..=32).contains(&chars) {
        return Err("username must be 5 to 32 characters long".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("username must start with a letter".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("username may contain only letters, digits and underscores".into());
    }
    Ok(name.to_owned())
}

pub fn quantity(quantity: i64) -> Result<u32, String> {
    if (STARS_MIN..=STARS_MAX).contains(&quantity) {
        Ok(quantity as u32)
    } else {
        Err(format!("quantity must be between {STARS_MIN} and {STARS_MAX}"))
    }
}

pub fn months(months: i64) -> Result<u8, String> {
    if PREMIUM_MONTHS.contains(&months) {
        Ok(months as u8)
    } else {
        Err("months must be 3, 6 or 12".into())
    }
}

pub fn payment_method(method: &PaymentMethod) -> Result<(), String> {
    if method.is_known() {
        Ok(())
    } else {
        Err(format!("payment_method must be one of: {}", PaymentMethod::known_list()))
    }
}

pub fn currency(currency: &Currency) -> Result<(), String> {
    if currency.is_known() {
        Ok(())
    } else {
        Err(format!("payment_currency must be one of: {}", Currency::known_list()))
    }
}

/// 1 to 128 printable characters, no control characters.
pub fn client_reference(reference: &str) -> Result<(), String> {
    let chars = reference.chars().count();
    if chars == 0 {
        return Err("client_reference must not be empty".into());
    }
    if chars > CLIENT_REFERENCE_MAX {
        return Err(format!("client_reference must be at most {CLIENT_REFERENCE_MAX} characters"));
    }
    if reference.chars().any(|c| c.is_control() || is_format(c)) {
        return Err("client_reference must not contain control or invisible formatting characters".into());
    }
    Ok(())
}

/// Whether orders with this reference can be looked up through the proxy's path
/// `/api/v1/orders/by-reference/{ref}`. The proxy refuses every target with an encoded
/// slash, backslash or percent sign, and dot segments, so that no double decoding upstream
/// can turn a reference into another endpoint; such references can be created but not
/// looked up. The console says so instead of asking.
pub fn reference_lookup(reference: &str) -> Result<(), String> {
    client_reference(reference)?;
    if reference.contains(['/', '\\', '%']) || reference == "." || reference == ".." {
        return Err("a reference with '/', '\\' or '%', or one that is '.' or '..', cannot be looked up".into());
    }
    Ok(())
}

/// What [`client_reference`] accepts, as the OpenAPI documents say it (ECMA-262). utoipa
/// takes only literals, so the documents repeat it; tests hold every copy to this one.
pub const CLIENT_REFERENCE_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]+$";

/// Invisible formatting characters (Unicode's Cf category): direction overrides, zero-width
/// characters and the byte order mark, which make one reference look like another.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A simulated payment or top-up moves a positive amount, at most
/// [`crate::sandbox::MAX_SIMULATED_TON`].
pub fn simulated_amount(amount: crate::Ton) -> Result<(), String> {
    let max = crate::sandbox::MAX_SIMULATED_TON;
    if amount <= crate::Ton::ZERO || amount > crate::Ton::from_units(max) {
        return Err(format!("amount_ton must be more than 0 and at most {max}"));
    }
    Ok(())
}

/// A payment memo is a short token of letters, digits, `-` and `_`.
pub fn memo(memo: &str) -> Result<(), String> {
    let ok = !memo.is_empty()
        && memo.len() <= MEMO_MAX
        && memo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("memo must be 1 to {MEMO_MAX} letters, digits, '-' or '_'"))
    }
}

/// 1 to 255 visible ASCII characters (a UUID fits).
pub fn idempotency_key(key: &str) -> Result<(), String> {
    let ok = !key.is_empty() && key.len() <= IDEMPOTENCY_KEY_MAX && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters"))
    }
}

/// Page size: 1 to 100, default 20.
pub fn limit(limit: Option<i64>) -> Result<u32, String> {
    match limit {
        None => Ok(LIMIT_DEFAULT as u32),
        Some(l) if (1..=LIMIT_MAX).contains(&l) => Ok(l as u32),
        Some(_) => Err(format!("limit must be between 1 and {LIMIT_MAX}")),
    }
}

pub fn offset(offset: Option<i64>) -> Result<u64, String> {
    match offset {
        None => Ok(0),
        Some(o) if o >= 0 => Ok(o as u64),
        Some(_) => Err("offset must not be negative".into()),
    }
}

fn common(
    username_raw: &str,
    method: &PaymentMethod,
    cur: &Currency,
    reference: Option<&str>,
) -> Result<String, String> {
    let name = username(username_raw)?;
    payment_method(method)?;
    currency(cur)?;
    if let Some(reference) = reference {
        client_reference(reference)?;
    }
    Ok(name)
}

impl CreateStarsOrder {
    /// Checks every field; gives the bare username and the quantity.
    pub fn validate(&self) -> Result<(String, u32), String> {
        let qty = quantity(self.quantity)?;
        let name = common(
            &self.recipient_username,
            &self.payment_method,
            &self.payment_currency,
            self.client_reference.as_deref(),
        )?;
        Ok((name, qty))
    }
}

impl CreatePremiumOrder {
    /// Checks every field; gives the bare username and the months.
    pub fn validate(&self) -> Result<(String, u8), String> {
        let m = months(self.months)?;
        let name = common(
            &self.recipient_username,
            &self.payment_method,
            &self.payment_currency,
            self.client_reference.as_deref(),
        )?;
        Ok((name, m))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_reference_pattern_refuses_exactly_what_the_validator_refuses() {
        let pattern = regex::Regex::new(super::CLIENT_REFERENCE_PATTERN).unwrap();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(pattern.is_match(&text), super::client_reference(&text).is_ok(), "U+{:04X}", c as u32);
        }
    }

    use super::*;

    #[test]
    fn references_with_separators_percent_or_only_dots_cannot_be_looked_up() {
        for reference in ["INV/2026/42", "a\\b", "100%", ".", ".."] {
            assert!(client_reference(reference).is_ok(), "{reference} can be created");
            assert!(reference_lookup(reference).is_err(), "{reference} cannot be looked up");
        }
        for reference in ["invoice-42", "a.b", "...", "..x", "inv 42?x=1#y", "счёт-1"] {
            assert_eq!(reference_lookup(reference), Ok(()), "{reference}");
        }
        assert!(reference_lookup("").is_err(), "nor can an empty one");
    }

    #[test]
    fn usernames_follow_telegram_rules() {
        assert_eq!(username("@pandus").unwrap(), "pandus");
        assert_eq!(username("Pandus_42").unwrap(), "Pandus_42");
        assert!(username("abcd").is_err());
        assert!(username("1abcde").is_err());
        assert!(username("pan-dus").is_err());
        assert!(username(&"a".repeat(33)).is_err());
        assert!(username("").is_err());
        assert!(username("пандус").is_err());
        assert_eq!(username("  @pandus ").unwrap(), "pandus", "spaces around a pasted name are forgiven");
        for sneaky in ["pandus\n", "\tpandus", "pandus\u{0}", "pаndus", "pandus\u{200B}"] {
            assert!(username(sneaky).is_err(), "{sneaky:?} was taken");
        }
    }

    #[test]
    fn quantity_uses_the_documented_message() {
        assert_eq!(quantity(10).unwrap_err(), "quantity must be between 50 and 10000");
        assert_eq!(quantity(10_001).unwrap_err(), "quantity must be between 50 and 10000");
        assert_eq!(quantity(50).unwrap(), 50);
        assert_eq!(quantity(10_000).unwrap(), 10_000);
    }

    #[test]
    fn months_are_three_six_or_twelve() {
        assert!(months(3).is_ok() && months(6).is_ok() && months(12).is_ok());
        assert!(months(1).is_err() && months(24).is_err());
    }

    #[test]
    fn references_memos_and_keys_are_bounded() {
        assert!(client_reference("invoice-42").is_ok());
        assert!(client_reference(&"x".repeat(129)).is_err());
        assert!(client_reference("a\nb").is_err());
        assert!(client_reference("счёт-1").is_ok(), "references may be in any script");
        for invisible in ["inv\u{202E}1", "\u{FEFF}inv", "in\u{200B}v", "inv\u{2066}"] {
            assert!(client_reference(invisible).is_err(), "{invisible:?} was taken");
        }
        assert!(memo("STARS-a1b2c3").is_ok());
        assert!(memo("../etc").is_err());
        assert!(idempotency_key("550e8400-e29b-41d4-a716-446655440000").is_ok());
        assert!(idempotency_key(&"k".repeat(256)).is_err());
        assert!(idempotency_key("has space").is_err());
    }

    #[test]
    fn unknown_methods_and_currencies_are_refused() {
        let order = CreateStarsOrder {
            recipient_username: "pandus".into(),
            quantity: 100,
            payment_method: PaymentMethod::Unknown("card".into()),
            payment_currency: Currency::Ton,
            client_reference: None,
        };
        assert_eq!(order.validate().unwrap_err(), "payment_method must be one of: ton_memo, balance");
    }
}
