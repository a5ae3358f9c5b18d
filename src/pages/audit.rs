//! The audit, for admins: who did what and when, filtered in the URL, with links to the
//! orders concerned and a CSV of the current filter.

use leptos::prelude::*;
use leptos_router::components::A;
use openmoney_api::{AuditAction, Timestamp};

use crate::api;
use crate::components::export::{ExportButton, Source};
use crate::components::feedback::loaded;
use crate::components::filters::{address_filters, date_range};
use crate::components::paged_table::paged_table;
use crate::i18n::{td_string, tr, use_i18n};
use crate::logic::filters::{AuditFilters, QueryFilters};

#[component]
pub fn Audit() -> impl IntoView {
    let i18n = use_i18n();
    let (filters, set_filters) = address_filters::<AuditFilters>("/audit");
    let entries = api::Read::new(move || api::audit(filters.get().api_query()));
    let change = Callback::new(move |(name, value): (&'static str, String)| {
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let mut next = filters.get_untracked();
        match name {
            "actor" => next.actor = value,
            "action" => next.action = value.map(|a| AuditAction::from_wire(&a)),
            "from" => next.from = value,
            _ => next.to = value,
        }
        next.page = 1;
        set_filters.run(next);
    });
    let href_for = Callback::new(move |page: u64| {
        format!("/audit{}", AuditFilters { page, ..filters.get_untracked() }.to_query())
    });
    view! {
        <section class="page">
            <h1>{tr!(audit.title)}</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label>
                    {tr!(common.who)}" "
                    <input
                        name="actor"
                        type="search"
                        prop:value=move || filters.get().actor.unwrap_or_default()
                        on:change=move |ev| change.run(("actor", event_target_value(&ev)))
                    />
                </label>
                <label>
                    {tr!(common.action)}
                    <select name="action" on:change=move |ev| change.run(("action", event_target_value(&ev)))>
                        <option value="" selected=move || filters.get().action.is_none()>
                            {tr!(common.any)}
                        </option>
                        {AuditAction::KNOWN
                            .iter()
                            .map(|a| {
                                view! {
                                    <option value=a.as_str() selected=move || filters.get().action.as_ref() == Some(a)>
                                        {a.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                {date_range(move || filters.get().from, move || filters.get().to, change)}
            </form>
            <ExportButton source=Signal::derive(move || Source::Audit(filters.get())) />
            {loaded(
                entries,
                move |page| {
                    let current = filters.get_untracked().page;
                    let l = i18n.get_locale();
                    let headings = vec![
                        td_string!(l, common.when),
                        td_string!(l, common.who),
                        td_string!(l, common.action),
                        td_string!(l, audit.outcome),
                        td_string!(l, common.order),
                        td_string!(l, common.what),
                    ];
                    view! {
                        {paged_table(
                            "audit",
                            headings,
                            page
                                .items
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <tr data-testid="audit-row">
                                            <td>
                                                <time datetime=Timestamp::from_unix_millis(e.at)
                                                    .to_string()>
                                                    {crate::i18n::when(l, Timestamp::from_unix_millis(e.at))}
                                                </time>
                                            </td>
                                            <td>{e.actor.clone()}</td>
                                            <td>{e.action.to_string()}</td>
                                            <td>{e.outcome.clone()}</td>
                                            <td>
                                                {e
                                                    .order_id
                                                    .map(|id| {
                                                        view! { <A href=format!("/orders/{id}")>{format!("#{id}")}</A> }
                                                    })}
                                            </td>
                                            <td>{e.summary.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view(),
                            current,
                            page.total,
                            href_for,
                        )}
                    }
                },
            )}
        </section>
    }
}
