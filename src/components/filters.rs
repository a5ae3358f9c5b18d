//! Pieces of the filter forms above the lists.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::i18n::tr;
use crate::logic::filters::QueryFilters;

/// The filters of the list at `path`, as the address bar holds them, and how to change
/// them. A change shows at once and the address bar follows it a moment later, so the
/// list's request leaves without waiting on the browser's history (a `pushState` costs a
/// few milliseconds). A link, a bookmark, back and forward set the filters as before.
pub fn address_filters<F: QueryFilters>(path: &'static str) -> (Memo<F>, Callback<F>) {
    let query = use_query_map();
    let navigate = use_navigate();
    // A change not yet in the address bar.
    let pending = RwSignal::new(None::<F>);
    let filters =
        Memo::new(move |_| pending.get().unwrap_or_else(|| query.with(|map| F::from_query(|key| map.get(key)))));
    let change = Callback::new(move |next: F| {
        if filters.with_untracked(|shown| *shown == next) {
            return;
        }
        let href = format!("{path}{}", next.to_query());
        pending.set(Some(next));
        let navigate = navigate.clone();
        set_timeout(
            move || {
                navigate(&href, Default::default());
                pending.set(None);
            },
            Duration::ZERO,
        );
    });
    (filters, change)
}

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
