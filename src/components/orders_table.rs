//! Orders as a table whose rows link to their pages.

use leptos::prelude::*;
use openmoney_api::{Order, OrderStatus};

use crate::components::feedback::status_badge_markup;
use crate::i18n::{td_string, tr, use_i18n, Locale};
use crate::live::use_live;
use crate::logic::html::Markup;
use crate::logic::live::fresher;
use crate::logic::money;
use crate::logic::numbers;

/// What identifies a drawn row: the order, the status it was read with, and the language.
/// A row is drawn once for each and kept while it stays, so a new answer (another filter,
/// another page, or the same page read again) only adds and removes the rows that differ.
type RowKey = (i64, String, Locale);

fn row_key((locale, order, _): &(Locale, Order, bool)) -> RowKey {
    (order.id, order.status.as_str().to_owned(), *locale)
}

/// The table of `orders`. Each status follows the live feed; `joined` orders (new since
/// the page was read) come first, marked new.
#[component]
pub fn OrderTable(
    #[prop(into)] orders: Signal<Vec<Order>>,
    #[prop(optional, into)] joined: Option<Signal<Vec<Order>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // New orders not already among those read.
    let joined = Memo::new(move |_| {
        let mut fresh = joined.map(|j| j.get()).unwrap_or_default();
        orders.with(|read| fresh.retain(|o| !read.iter().any(|r| r.id == o.id)));
        fresh
    });
    let rows = move || {
        let locale = i18n.get_locale();
        let mut rows: Vec<_> = joined.get().into_iter().map(|o| (locale, o, true)).collect();
        rows.extend(orders.get().into_iter().map(|o| (locale, o, false)));
        rows
    };
    let empty = move || orders.with(Vec::is_empty) && joined.with(Vec::is_empty);
    view! {
        <Show
            when=move || !empty()
            fallback=|| {
                view! {
                    <p class="muted" data-testid="no-orders">
                        {tr!(orders.none)}
                    </p>
                }
            }
        >
            <div class="table-wrap">
                <table class="table" data-testid="orders">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(common.order)}</th>
                            <th scope="col">{tr!(common.status)}</th>
                            <th scope="col">{tr!(common.what)}</th>
                            <th scope="col">{tr!(common.recipient)}</th>
                            <th scope="col">{tr!(common.price)}</th>
                            <th scope="col">{tr!(common.reference)}</th>
                            <th scope="col">{tr!(common.created)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=row_key children=|(l, o, new)| row(l, o, new) />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// One order's row, its cells written as one piece of markup: a row costs a few calls
/// into the browser instead of one per element, attribute and text. Its link is a plain
/// anchor: the router takes every same-origin click, and a row needs none of `A`'s
/// active-route tracking.
fn row(l: Locale, o: Order, new: bool) -> impl IntoView {
    let live = use_live();
    let id = o.id;
    let read = o.clone();
    // The status alone is followed, so the feed's other news about the order redraws nothing.
    let status =
        Memo::new(move |_| live.order(id).map_or_else(|| read.status.clone(), |e| fresher(&read, &e).status.clone()));
    view! { <tr data-testid="order-row" class:fresh=new inner_html=move || status.with(|s| cells(l, &o, s, new))></tr> }
}

/// A row's cells: the order's link (and a mark when it is `new`), its `status`, what it
/// buys, for whom, its price, the partner's reference and when it was created.
fn cells(l: Locale, o: &Order, status: &OrderStatus, new: bool) -> String {
    let id = o.id.to_string();
    let mut m = Markup::default();
    m.raw(r#"<td><a href="/orders/"#).raw(&id).raw(r#"">#"#).raw(&id).raw("</a>");
    if new {
        m.raw(r#"<span class="badge badge-new" data-testid="new">"#).text(td_string!(l, live.new_order)).raw("</span>");
    }
    m.raw("</td><td>");
    status_badge_markup(&mut m, l, status);
    m.raw("</td><td>").text(&what(l, o));
    m.raw("</td><td>@").text(&o.recipient_username);
    m.raw(r#"</td><td class="num">"#).text(&money::ton(l, o.price_ton));
    m.raw("</td><td>").text(o.client_reference.as_deref().unwrap_or_default());
    m.raw(r#"</td><td><time datetime=""#).text(&o.created_at.to_string());
    m.raw(r#"">"#).text(&crate::i18n::when(l, o.created_at)).raw("</time></td>");
    m.into_string()
}

/// `100 Stars` or `Premium, 6 months`.
pub fn what(l: Locale, order: &Order) -> String {
    match (order.stars_amount, order.premium_months) {
        (Some(stars), _) => td_string!(l, common.stars_count, n = numbers::count(l, stars)),
        (_, Some(months)) => td_string!(l, common.premium_months, n = months),
        _ => order.order_type.to_string(),
    }
}
