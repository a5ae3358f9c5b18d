//! TON amounts: whatever text or JSON comes in, parsing never panics, and an amount that
//! parses prints back to text that parses to the same amount, exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openmoney_api::Ton;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(amount) = text.parse::<Ton>() {
        assert_eq!(amount.to_string().parse::<Ton>(), Ok(amount), "{text:?}");
    }
    if let Ok(amount) = serde_json::from_str::<Ton>(text) {
        let json = serde_json::to_string(&amount).unwrap();
        assert_eq!(serde_json::from_str::<Ton>(&json).unwrap(), amount, "{text:?} → {json}");
    }
});
