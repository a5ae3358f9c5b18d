//! The top bar's search: an order id, a memo, an @username or a client_reference, each to
//! the page that answers it.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

pub fn destination(input: &str) -> Option<String> {
    let text = input.trim();
    if text.is_empty() {
        return None;
    }
    let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    if text.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 18 {
        return Some(format!("/orders/{text}"));
    }
    if let Some(name) = text.strip_prefix('@') {
        return Some(format!("/orders?recipient={}", encode(name)));
    }
    let upper = text.to_ascii_uppercase();
    if (upper.starts_with("STARS-") || upper.starts_with("PREMIUM-")) && openmoney_api::validate::memo(text).is_ok() {
        return Some(format!("/lookup?memo={}", encode(text)));
    }
    Some(format!("/lookup?ref={}", encode(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_input_goes_to_its_page() {
        assert_eq!(destination(" 10421 ").as_deref(), Some("/orders/10421"));
        assert_eq!(destination("@pandus").as_deref(), Some("/orders?recipient=pandus"));
        assert_eq!(destination("STARS-a1b2c3").as_deref(), Some("/lookup?memo=STARS%2Da1b2c3"));
        assert_eq!(destination("invoice 42").as_deref(), Some("/lookup?ref=invoice%2042"));
        assert_eq!(destination("   "), None);
    }
}
