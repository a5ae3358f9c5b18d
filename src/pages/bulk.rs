//! Check a whole list of usernames at once, one call at a time (within the proxy's rate
//! budget), with progress; the result comes in three groups and as a CSV.

use leptos::prelude::*;

use crate::api;
use crate::components::export::download;
use crate::i18n::{t_string, td_string, tr, use_i18n, Locale};
use crate::logic::bulk::{self, group_name, Verdict};
use crate::logic::order_form::{reason_text, INVALID_USERNAME};

async fn check(l: Locale, name: &str, premium: bool) -> Verdict {
    match api::patiently(|| api::recipient(name, premium)).await {
        Ok(c) if c.can_receive => Verdict::CanReceive,
        Ok(c) => Verdict::Cannot(c.reason.unwrap_or_else(|| "unknown".into())),
        Err(e) => Verdict::Unknown(e.human(l)),
    }
}

#[component]
pub fn BulkCheck() -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let premium = RwSignal::new(false);
    let results = RwSignal::new(Vec::<(String, Verdict)>::new());
    let total = RwSignal::new(0usize);
    let running = RwSignal::new(false);
    let stop = StoredValue::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if running.get_untracked() {
            return;
        }
        let names = bulk::parse(&text.get_untracked());
        total.set(names.len());
        results.set(Vec::new());
        stop.set_value(false);
        running.set(true);
        let for_premium = premium.get_untracked();
        let l = i18n.get_locale_untracked();
        leptos::task::spawn_local(async move {
            for (raw, checked) in names {
                let verdict = if stop.get_value() {
                    Verdict::Unknown(td_string!(l, bulk.cancelled).into())
                } else {
                    match &checked {
                        Err(_) => Verdict::Cannot(INVALID_USERNAME.into()),
                        Ok(name) => check(l, name, for_premium).await,
                    }
                };
                results.update(|r| r.push((checked.unwrap_or(raw), verdict)));
            }
            running.set(false);
        });
    };
    let group = move |wanted: &'static str| {
        move || {
            results
                .get()
                .into_iter()
                .filter(|(_, v)| group_name(v) == wanted)
                .map(|(name, v)| {
                    let why = match v {
                        Verdict::CanReceive => String::new(),
                        Verdict::Cannot(r) => format!(" — {}", reason_text(i18n.get_locale(), &r)),
                        Verdict::Unknown(r) => format!(" — {r}"),
                    };
                    view! { <li>{name}{why}</li> }
                })
                .collect_view()
        }
    };
    let count =
        move |wanted: &'static str| move || results.get().iter().filter(|(_, v)| group_name(v) == wanted).count();
    view! {
        <section class="page">
            <h1>{tr!(bulk.title)}</h1>
            <form class="card order-form" on:submit=start>
                <label for="names">{tr!(bulk.names)}</label>
                <textarea
                    id="names"
                    rows="6"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <label class="inline">
                    <input
                        type="checkbox"
                        prop:checked=move || premium.get()
                        on:change=move |ev| premium.set(event_target_checked(&ev))
                    />
                    " "
                    {tr!(bulk.for_premium)}
                </label>
                <button type="submit" disabled=move || running.get()>
                    {tr!(bulk.check)}
                </button>
            </form>
            <Show when=move || running.get() || !results.get().is_empty()>
                <p>
                    <label>
                        {move || t_string!(i18n, bulk.progress, done = results.get().len(), total = total.get())}
                        <progress
                            max=move || total.get().max(1)
                            value=move || results.get().len()
                            data-testid="bulk-progress"
                        ></progress>
                    </label>
                    <Show when=move || running.get()>
                        <button type="button" on:click=move |_| stop.set_value(true)>
                            {tr!(common.cancel)}
                        </button>
                    </Show>
                    <Show when=move || !running.get()>
                        <button
                            type="button"
                            on:click=move |_| {
                                download("recipients.csv", &bulk::results_csv(&results.get_untracked()));
                            }
                        >
                            {tr!(common.download_csv)}
                        </button>
                    </Show>
                </p>
                <div class="cards">
                    <article class="card" data-testid="can-receive">
                        <h2>{move || t_string!(i18n, bulk.can, n = count("can receive")())}</h2>
                        <ul>{group("can receive")}</ul>
                    </article>
                    <article class="card" data-testid="cannot">
                        <h2>{move || t_string!(i18n, bulk.cannot, n = count("cannot")())}</h2>
                        <ul>{group("cannot")}</ul>
                    </article>
                    <article class="card" data-testid="unknown">
                        <h2>{move || t_string!(i18n, bulk.unknown, n = count("unknown")())}</h2>
                        <ul>{group("unknown")}</ul>
                    </article>
                </div>
            </Show>
        </section>
    }
}
