//! Pieces of the filter forms above the lists.

use leptos::prelude::*;

use crate::i18n::tr;

/// The from and to dates of a filter form, shown from `from()` and `to()`. A change calls
/// `change` with the field's name (`from` or `to`) and its value, empty when cleared.
pub fn date_range(
    from: impl Fn() -> Option<String> + Send + Sync + 'static,
    to: impl Fn() -> Option<String> + Send + Sync + 'static,
    change: Callback<(&'static str, String)>,
) -> impl IntoView {
    view! {
        <label>
            {tr!(common.from)}" "
            <input
                name="from"
                type="date"
                prop:value=move || from().unwrap_or_default()
                on:change=move |ev| change.run(("from", event_target_value(&ev)))
            />
        </label>
        <label>
            {tr!(common.to)}" "
            <input
                name="to"
                type="date"
                prop:value=move || to().unwrap_or_default()
                on:change=move |ev| change.run(("to", event_target_value(&ev)))
            />
        </label>
    }
}
