//! Look orders up by client_reference (every linked order) or by memo (its order).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use openmoney_api::Order;

use crate::api::{self, ApiError};
use crate::components::feedback::loaded;
use crate::components::orders_table::OrderTable;
use crate::i18n::{td_string, tr, use_i18n};
use crate::logic::filters::query_string;

#[derive(Debug, Clone, PartialEq)]
enum Find {
    Nothing,
    Reference(String),
    Memo(String),
}

#[derive(Debug, Clone)]
enum Found {
    Nothing,
    /// A reference the proxy cannot look up; nothing was asked.
    CannotLookUp,
    Orders(Vec<Order>),
}

async fn find(what: Find) -> Result<Found, ApiError> {
    match what {
        Find::Nothing => Ok(Found::Nothing),
        Find::Reference(reference) if openmoney_api::validate::reference_lookup(&reference).is_err() => {
            Ok(Found::CannotLookUp)
        }
        Find::Reference(reference) => api::orders_by_reference(&reference).await.map(Found::Orders),
        Find::Memo(memo) => api::order_by_memo(&memo).await.map(|o| Found::Orders(vec![o])),
    }
}

#[component]
pub fn Lookup() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = use_navigate();
    let what = Memo::new(move |_| {
        let q = query.get();
        match (q.get("ref").filter(|r| !r.is_empty()), q.get("memo").filter(|m| !m.is_empty())) {
            (Some(reference), _) => Find::Reference(reference),
            (None, Some(memo)) => Find::Memo(memo),
            _ => Find::Nothing,
        }
    });
    let live = crate::live::use_live();
    let results = live.read(move || find(what.get()));
    let kind = RwSignal::new("ref".to_owned());
    let text = RwSignal::new(String::new());
    Effect::new(move |_| match what.get() {
        Find::Reference(r) => {
            kind.set("ref".into());
            text.set(r);
        }
        Find::Memo(m) => {
            kind.set("memo".into());
            text.set(m);
        }
        Find::Nothing => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = if kind.get_untracked() == "memo" { "memo" } else { "ref" };
        navigate(
            &format!("/lookup{}", query_string(&[(key, text.get_untracked().trim().to_owned())])),
            Default::default(),
        );
    };
    view! {
        <section class="page">
            <h1>{tr!(lookup.title)}</h1>
            <form class="filters" on:submit=submit>
                <label>
                    {tr!(lookup.find_by)} <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="ref" selected=move || kind.get() == "ref">
                            {tr!(lookup.by_reference)}
                        </option>
                        <option value="memo" selected=move || kind.get() == "memo">
                            {tr!(lookup.by_memo)}
                        </option>
                    </select>
                </label>
                <label>
                    {tr!(lookup.value)}" "
                    <input
                        name="value"
                        required
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit">{tr!(lookup.find)}</button>
            </form>
            {loaded(
                results,
                move |found| match found {
                    Found::Nothing => view! { <p class="muted">{tr!(lookup.hint)}</p> }.into_any(),
                    Found::CannotLookUp => {
                        view! {
                            <p class="error-text" role="alert" data-testid="lookup-refused">
                                {tr!(lookup.cannot_look_up)}
                            </p>
                        }
                            .into_any()
                    }
                    Found::Orders(orders) => {
                        view! {
                            <p data-testid="lookup-count">
                                {td_string!(i18n.get_locale(), lookup.found, n = orders.len())}
                            </p>
                            <OrderTable orders=orders />
                        }
                            .into_any()
                    }
                },
            )}
        </section>
    }
}
