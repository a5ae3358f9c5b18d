//! The orders table: filters and page live in the query string.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use openmoney_api::{Order, OrderStatus, OrderType};

use crate::api;
use crate::components::export::{ExportButton, Source};
use crate::components::feedback::{loaded, StatusBadge};
use crate::components::pager::Pager;
use crate::i18n::{td_string, tr, use_i18n, Locale};
use crate::live::use_live;
use crate::logic::filters::OrderFilters;
use crate::logic::live::{fresher, joins_list};
use crate::logic::money;

#[component]
pub fn Orders() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| {
        let map = query.get();
        OrderFilters::from_query(|k| map.get(k))
    });
    let live = use_live();
    let orders = live.read(move || api::orders(filters.get().api_query()));
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
    // A change handler per filter field; each navigates to the new query string.
    let on_change = move |name: &'static str| {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
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
            navigate(&format!("/orders{}", next.to_query()), Default::default());
        }
    };
    let href_for = Callback::new(move |page: u64| {
        format!("/orders{}", OrderFilters { page, ..filters.get_untracked() }.to_query())
    });
    view! {
        <section class="page">
            <h1>{tr!(orders.title)}</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label>{tr!(common.status)}
                    <select name="status" on:change=on_change("status")>
                        <option value="" selected=move || filters.get().status.is_none()>{tr!(common.any)}</option>
                        {OrderStatus::KNOWN.iter().map(|s| {
                            let value = s.as_str().to_owned();
                            let current = s.clone();
                            let name = s.clone();
                            view! { <option value=value.clone() selected=move || filters.get().status.as_ref() == Some(&current)>{move || crate::i18n::status(i18n.get_locale(), &name)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{tr!(common.kind)}
                    <select name="type" on:change=on_change("type")>
                        <option value="" selected=move || filters.get().order_type.is_none()>{tr!(common.any)}</option>
                        <option value="stars" selected=move || filters.get().order_type == Some(OrderType::Stars)>{tr!(common.stars)}</option>
                        <option value="premium" selected=move || filters.get().order_type == Some(OrderType::Premium)>{tr!(common.premium)}</option>
                    </select>
                </label>
                <label>{tr!(common.recipient)}
                    <input name="recipient" type="search" placeholder=crate::i18n::tr!(common.username_placeholder) prop:value=move || filters.get().recipient.unwrap_or_default()
                        on:change=on_change("recipient")/>
                </label>
                <label>{tr!(common.from)}" " <input name="from" type="date" prop:value=move || filters.get().from.unwrap_or_default() on:change=on_change("from")/></label>
                <label>{tr!(common.to)}" " <input name="to" type="date" prop:value=move || filters.get().to.unwrap_or_default() on:change=on_change("to")/></label>
            </form>
            <ExportButton source=Signal::derive(move || Source::Orders(filters.get()))/>
            {loaded(orders, move |page| {
                let current = filters.get_untracked().page;
                view! {
                    <OrderTable orders=page.items joined=joined/>
                    <Pager page=current total=page.total href_for=href_for/>
                }
            })}
        </section>
    }
}

/// Orders as a table whose rows link to their pages. Each status follows the live feed;
/// `joined` orders (new since the page was read) come first, marked new.
#[component]
pub fn OrderTable(orders: Vec<Order>, #[prop(optional, into)] joined: Option<Signal<Vec<Order>>>) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let shown: Vec<i64> = orders.iter().map(|o| o.id).collect();
    // New orders not already in the page that was read.
    let joined = Memo::new(move |_| {
        let mut fresh = joined.map(|j| j.get()).unwrap_or_default();
        fresh.retain(|o| !shown.contains(&o.id));
        fresh
    });
    let any_joined = Memo::new(move |_| !joined.with(Vec::is_empty));
    move || {
        let l = i18n.get_locale();
        if orders.is_empty() && !any_joined.get() {
            return view! { <p class="muted" data-testid="no-orders">{td_string!(l, orders.none)}</p> }.into_any();
        }
        let row = move |o: Order, new: bool| {
            let id = o.id;
            let read = o.clone();
            let status = Memo::new(move |_| live.order(id).map(|event| fresher(&read, &event).status.clone()));
            let read_status = o.status.clone();
            view! {
                <tr data-testid="order-row" class:fresh=new>
                    <td><A href=format!("/orders/{}", o.id)>{format!("#{}", o.id)}</A>
                        {new.then(|| view! { <span class="badge badge-new" data-testid="new">{td_string!(l, live.new_order)}</span> })}</td>
                    <td>{move || view! { <StatusBadge status=status.get().unwrap_or_else(|| read_status.clone())/> }}</td>
                    <td>{what(l, &o)}</td>
                    <td>"@"{o.recipient_username.clone()}</td>
                    <td class="num">{money::ton(l, o.price_ton)}</td>
                    <td>{o.client_reference.clone().unwrap_or_default()}</td>
                    <td><time datetime=o.created_at.to_string()>{crate::i18n::when(l, o.created_at)}</time></td>
                </tr>
            }
        };
        let rows: Vec<_> = orders.iter().map(|o| row(o.clone(), false)).collect();
        view! {
        <div class="table-wrap">
            <table class="table" data-testid="orders">
                <thead><tr>
                    <th scope="col">{td_string!(l, common.order)}</th><th scope="col">{td_string!(l, common.status)}</th><th scope="col">{td_string!(l, common.what)}</th>
                    <th scope="col">{td_string!(l, common.recipient)}</th><th scope="col">{td_string!(l, common.price)}</th><th scope="col">{td_string!(l, common.reference)}</th><th scope="col">{td_string!(l, common.created)}</th>
                </tr></thead>
                <tbody>
                    {move || joined.get().into_iter().map(|o| row(o, true)).collect_view()}
                    {rows}
                </tbody>
            </table>
        </div>
    }
    .into_any()
    }
}

/// `100 Stars` or `Premium, 6 months`.
pub fn what(l: Locale, order: &Order) -> String {
    match (order.stars_amount, order.premium_months) {
        (Some(stars), _) => td_string!(l, common.stars_count, n = money::count(l, stars)),
        (_, Some(months)) => td_string!(l, common.premium_months, n = months),
        _ => order.order_type.to_string(),
    }
}
