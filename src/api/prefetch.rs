//! Answers a bookmarked page asked for before the console had loaded.
//!
//! The inline script in `index.html` starts the session's read, and the page's own reads,
//! while the WebAssembly is still on its way: on a slow network that saves the round trips
//! the console would otherwise make one after the other once it runs. The first call for
//! each path takes its answer instead of asking again. The answers belong to the page that
//! was loaded, so the first navigation forgets any that were not taken.

use wasm_bindgen::{JsCast, JsValue};

/// The object on `window` that holds the answers, by path.
const ANSWERS: &str = "openmoneyPrefetch";

/// The answer (a `fetch` promise) already started for `path`, taken so that only one call
/// gets it.
pub(super) fn take(path: &str) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let answers = js_sys::Reflect::get(&window, &ANSWERS.into()).ok().filter(JsValue::is_object)?;
    let path = JsValue::from_str(path);
    let answer = js_sys::Reflect::get(&answers, &path).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(answers.unchecked_ref::<js_sys::Object>(), &path);
    Some(answer)
}

/// Forgets the answers not taken: the page they were for is gone.
pub fn forget() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &ANSWERS.into());
    }
}
