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
    (date_field("from", tr!(common.from), from, change), date_field("to", tr!(common.to), to, change))
}

fn date_field(
    name: &'static str,
    label: impl IntoView + 'static,
    value: impl Fn() -> Option<String> + Send + Sync + 'static,
    change: Callback<(&'static str, String)>,
) -> impl IntoView {
    view! {
        <label>
            {label}" "
            <input
                name=name
                type="date"
                prop:value=move || value().unwrap_or_default()
                on:change=move |ev| change.run((name, event_target_value(&ev)))
            />
        </label>
    }
}
