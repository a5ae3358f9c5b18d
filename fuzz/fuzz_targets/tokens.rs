//! Memos, Idempotency-Keys and usernames: what the validators accept is exactly their
//! documented alphabet and length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openmoney_api::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if validate::memo(text).is_ok() {
        assert!((1..=64).contains(&text.len()), "{text:?}");
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{text:?}");
    }
    if validate::idempotency_key(text).is_ok() {
        assert!((1..=255).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic()), "{text:?}");
    }
    if let Ok(name) = validate::username(text) {
        assert!((5..=32).contains(&name.len()), "{text:?}");
        assert!(name.starts_with(|c: char| c.is_ascii_alphabetic()), "{text:?}");
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{text:?}");
    }
});
