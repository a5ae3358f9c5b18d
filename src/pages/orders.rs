//! The orders table: filters and page live in the query string.

use leptos::prelude::*;
use openmoney_api::{OrderStatus, OrderType};

use crate::api;
use crate::components::export::{ExportButton, Source};
use crate::components::feedback::{ErrorView, Skeleton};
use crate::components::filters::{address_filters, date_range};
use crate::components::orders_table::OrderTable;
use crate::components::pager::Pager;
use crate::i18n::{tr, use_i18n};
use crate::live::use_live;
use crate::logic::filters::{OrderFilters, QueryFilters};
use crate::logic::live::joins_list;

#[component]
pub fn Orders() -> impl IntoView {
    let i18n = use_i18n();
    let (filters, set_filters) = address_filters::<OrderFilters>("/orders");
    let live = use_live();
    let orders = live.read(move || api::orders(filters.get().api_query()));
    let page = Memo::new(move |_| orders.get().and_then(Result::ok));
    let items = Signal::derive(move || page.with(|p| p.as_ref().map(|p| p.items.clone()).unwrap_or_default()));
    // Orders created since the page opened that belong on it, newest first.
    let joined = Signal::derive(move || {
        let filters = filters.get();
        live.new_orders
            .get()
            .into_iter()
            .filter_map(|id| live.order(id))
            .filter(|o| joins_list(&filters, o))
            .collect::<Vec<_>>()
    });
    // A change of any filter field shows the first page of the new filters.
    let change = Callback::new(move |(name, value): (&'static str, String)| {
        let mut next = filters.get_untracked();
        match name {
            "status" => next.status = Some(OrderStatus::from_wire(&value)).filter(|s| s.is_known()),
            "type" => next.order_type = Some(OrderType::from_wire(&value)).filter(|t| t.is_known()),
            "recipient" => {
                next.recipient = Some(value.trim().trim_start_matches('@').to_owned()).filter(|r| !r.is_empty())
            }
            "from" => next.from = Some(value).filter(|v| !v.is_empty()),
            _ => next.to = Some(value).filter(|v| !v.is_empty()),
        }
        next.page = 1;
        set_filters.run(next);
    });
    let href_for = Callback::new(move |page: u64| {
        format!("/orders{}", OrderFilters { page, ..filters.get_untracked() }.to_query())
    });
    view! {
        <section class="page">
            <h1>{tr!(orders.title)}</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label>
                    {tr!(common.status)}
                    <select name="status" on:change=move |ev| change.run(("status", event_target_value(&ev)))>
                        <option value="" selected=move || filters.get().status.is_none()>
                            {tr!(common.any)}
                        </option>
                        {OrderStatus::KNOWN
                            .iter()
                            .map(|s| {
                                let value = s.as_str().to_owned();
                                let current = s.clone();
                                let name = s.clone();
                                view! {
                                    <option
                                        value=value.clone()
                                        selected=move || filters.get().status.as_ref() == Some(&current)
                                    >
                                        {move || crate::i18n::status(i18n.get_locale(), &name)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {tr!(common.kind)}
                    <select name="type" on:change=move |ev| change.run(("type", event_target_value(&ev)))>
                        <option value="" selected=move || filters.get().order_type.is_none()>
                            {tr!(common.any)}
                        </option>
                        <option value="stars" selected=move || filters.get().order_type == Some(OrderType::Stars)>
                            {tr!(common.stars)}
                        </option>
                        <option value="premium" selected=move || filters.get().order_type == Some(OrderType::Premium)>
                            {tr!(common.premium)}
                        </option>
                    </select>
                </label>
                <label>
                    {tr!(common.recipient)}
                    <input
                        name="recipient"
                        type="search"
                        placeholder=crate::i18n::tr!(common.username_placeholder)
                        prop:value=move || filters.get().recipient.unwrap_or_default()
                        // Enter filters at once; `change` follows it (and covers leaving the field).
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                change.run(("recipient", event_target_value(&ev)));
                            }
                        }
                        on:change=move |ev| change.run(("recipient", event_target_value(&ev)))
                    />
                </label>
                {date_range(move || filters.get().from, move || filters.get().to, change)}
            </form>
            <ExportButton source=Signal::derive(move || Source::Orders(filters.get())) />
            // The table stays through every new answer, so only the rows that differ change.
            {move || match orders.get() {
                None => view! { <Skeleton /> }.into_any(),
                Some(Err(error)) => {
                    view! { <ErrorView error=error retry=Callback::new(move |_| orders.refetch()) /> }.into_any()
                }
                Some(Ok(_)) => ().into_any(),
            }}
            <Show when=move || page.with(Option::is_some)>
                <OrderTable orders=items joined=joined />
                {move || {
                    page.with(|p| p.as_ref().map(|p| p.total))
                        .map(|total| {
                            view! { <Pager page=filters.get_untracked().page total=total href_for=href_for /> }
                        })
                }}
            </Show>
        </section>
    }
}
