//! Work that makes many calls in a row (an export, a bulk check) waits out the proxy's
//! rate limit instead of failing on it.

use super::{ApiError, Call};

/// Waits `seconds` without blocking the page.
async fn sleep(seconds: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let millis = i32::try_from(seconds * 1000).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Sends `call()` until it is not refused for the rate, waiting each refusal's
/// Retry-After; any other answer is given back.
pub async fn patiently<T>(call: impl Fn() -> Call<T>) -> Result<T, ApiError> {
    loop {
        match call().await {
            Err(ApiError::RateLimited { retry_after, .. }) => sleep(retry_after).await,
            other => return other,
        }
    }
}
