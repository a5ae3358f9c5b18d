//! Request targets: the proxy's guard never panics, and a target it lets through has no dot
//! segment, backslash, doubled slash or ASCII control character, even once percent-decoded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(uri) = axum::http::Uri::try_from(data) else { return };
    let request = axum::http::Request::builder().uri(uri).body(axum::body::Body::empty()).unwrap();
    if openmoney_proxy::is_tricky_target(&request) {
        return;
    }
    let path = request.uri().path();
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    assert!(!decoded.contains('\\') && !decoded.contains("//"), "{path}");
    assert!(!decoded.split('/').any(|s| s == "." || s == ".."), "{path}");
    assert!(!decoded.chars().any(|c| c.is_ascii_control()), "{path}");
});
