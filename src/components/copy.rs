//! A button that copies a value, and says so.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn CopyButton(value: String, #[prop(into)] label: String) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let (copied, set_copied) = signal(false);
    let copy = move |_| {
        let value = value.clone();
        leptos::task::spawn_local(async move {
            let Some(window) = web_sys::window() else { return };
            let promise = window.navigator().clipboard().write_text(&value);
            if JsFuture::from(promise).await.is_ok() {
                set_copied.set(true);
                set_timeout(move || set_copied.set(false), std::time::Duration::from_millis(1500));
            }
        });
    };
    view! {
        <button
            type="button"
            class="copy"
            on:click=copy
            aria-label=move || crate::i18n::t_string!(i18n, common.copy_label, what = label.clone())
        >
            {move || {
                if copied.get() {
                    crate::i18n::t_string!(i18n, common.copied)
                } else {
                    crate::i18n::t_string!(i18n, common.copy)
                }
            }}
        </button>
    }
}
