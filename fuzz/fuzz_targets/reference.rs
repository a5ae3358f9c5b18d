//! client_reference: an accepted reference has no control or invisible characters, and the
//! path segment the proxy sends upstream holds no separator and decodes back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openmoney_api::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(reference) = std::str::from_utf8(data) else { return };
    if validate::client_reference(reference).is_err() {
        return;
    }
    assert!(!reference.chars().any(char::is_control), "{reference:?}");
    let Ok(segment) = openmoney_proxy::reference_segment(reference) else { return };
    assert!(!segment.contains(['/', '\\', '?', '#']), "{reference:?} → {segment}");
    assert!(segment != "." && segment != "..", "{reference:?}");
    let decoded = percent_encoding::percent_decode_str(&segment).decode_utf8().unwrap();
    assert_eq!(decoded, reference);
});
