//! One ticking clock for every countdown on screen.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Now(pub ReadSignal<i64>);

pub fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

pub fn provide_clock() {
    let (now, set_now) = signal(now_millis());
    if let Ok(handle) =
        set_interval_with_handle(move || set_now.set(now_millis()), std::time::Duration::from_millis(500))
    {
        on_cleanup(move || handle.clear());
    }
    provide_context(Now(now));
}

pub fn use_now() -> ReadSignal<i64> {
    expect_context::<Now>().0
}

/// A live countdown to `expires_millis`: `14:59 left`, then `expired`.
#[component]
pub fn Countdown(expires_millis: i64) -> impl IntoView {
    let now = use_now();
    let i18n = crate::i18n::use_i18n();
    let state = move || crate::logic::countdown::until(expires_millis, now.get());
    view! {
        <span
            class="countdown"
            class:urgent=move || state().is_urgent()
            class:expired=move || state() == crate::logic::countdown::Countdown::Expired
            data-testid="countdown"
        >
            {move || state().text(i18n.get_locale())}
        </span>
    }
}
