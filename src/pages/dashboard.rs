//! The dashboard: balance, stats, rate, health, and orders awaiting payment by time left.

use leptos::prelude::*;
use leptos_router::components::A;
use openmoney_api::{Order, OrderListQuery, OrderStatus};

use crate::api;
use crate::components::clock::Countdown;
use crate::components::copy::CopyButton;
use crate::components::feedback::loaded;
use crate::components::qr::Qr;
use crate::components::rate::Rate;
use crate::components::runway::RunwayNote;
use crate::i18n::{t_string, td_string, tr, use_i18n};
use crate::logic::live::{apply_to_stats, OrderChange};
use crate::logic::{money, numbers, tonlink};

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let live = crate::live::use_live();
    let balance = live.read(api::balance);
    let stats = live.read(api::stats);
    // The counts move with each order event, from the last read on: no read per change.
    let moves = RwSignal::new(Vec::<OrderChange>::new());
    Effect::watch(move || live.resets.get(), move |_, _, _| moves.set(Vec::new()), false);
    Effect::watch(
        move || live.last_change.get(),
        move |change, _, _| {
            if let Some(change) = change.clone() {
                moves.update(|m| m.push(change));
            }
        },
        false,
    );
    let health = api::Read::new(api::health);
    let awaiting = live.read(move || {
        api::orders(OrderListQuery {
            status: Some(OrderStatus::PendingPayment),
            limit: Some(100),
            ..Default::default()
        })
    });
    view! {
        <section class="page">
            <h1>{tr!(dashboard.title)}</h1>
            <div class="cards">
                <article class="card" aria-labelledby="balance-title">
                    <h2 id="balance-title">{tr!(dashboard.balance)}</h2>
                    {loaded(
                        balance,
                        move |read| move || {
                            let b = live.balance.get().unwrap_or_else(|| read.clone());
                            let l = i18n.get_locale();
                            view! {
                                <p class="big" data-testid="balance">
                                    {money::ton(l, b.balance_ton)}
                                </p>
                                <p class="muted">
                                    {td_string!(l, dashboard.awaiting_total, amount = money::ton(l, b.pending_ton))}
                                </p>
                                <p class="address">
                                    <span class="muted">{td_string!(l, dashboard.topup_address)}" "</span>
                                    <code>{b.topup_address.clone()}</code>
                                    <CopyButton
                                        value=b.topup_address
                                        label=td_string!(l, dashboard.topup_address_thing)
                                    />
                                </p>
                            }
                        },
                    )}
                    <RunwayNote />
                </article>
                <article class="card" aria-labelledby="stats-title">
                    <h2 id="stats-title">{tr!(dashboard.orders)}</h2>
                    {loaded(
                        stats,
                        move |read| move || {
                            let mut s = read.clone();
                            moves.with(|m| m.iter().for_each(|c| apply_to_stats(&mut s, c)));
                            let l = i18n.get_locale();
                            view! {
                                <p class="big">
                                    {td_string!(l, dashboard.orders_total, n = numbers::count(l, s.total_orders))}
                                </p>
                                <dl class="facts">
                                    {s
                                        .by_status
                                        .iter()
                                        .filter(|(_, n)| **n > 0)
                                        .map(|(status, n)| {
                                            view! {
                                                <dt>{crate::i18n::status(l, status)}</dt>
                                                <dd>{numbers::count(l, n)}</dd>
                                            }
                                        })
                                        .collect_view()} <dt>{td_string!(l, dashboard.completed_volume)}</dt>
                                    <dd>{money::ton(l, s.completed_ton)}</dd>
                                    <dt>{td_string!(l, dashboard.stars_delivered)}</dt>
                                    <dd>{numbers::count(l, s.completed_stars)}</dd>
                                </dl>
                            }
                        },
                    )}
                </article>
                <article class="card" aria-labelledby="rate-title">
                    <h2 id="rate-title">{tr!(dashboard.rate)}</h2>
                    <Rate />
                    <h2>{tr!(dashboard.service)}</h2>
                    {loaded(
                        health,
                        move |h| {
                            view! {
                                <p>
                                    <span class="dot dot-ok"></span>
                                    " "
                                    {td_string!(i18n.get_locale(), dashboard.service_status, status = h.status)}
                                </p>
                            }
                        },
                    )}
                </article>
            </div>
            <h2>{tr!(dashboard.awaiting)}</h2>
            {loaded(awaiting, move |page| view! { <ExpiryBoard read=page.items /> })}
        </section>
    }
}

/// Orders awaiting payment, soonest to expire first: paid, expired and cancelled orders
/// leave as the feed tells of them, and new ones join.
#[component]
fn ExpiryBoard(read: Vec<Order>) -> impl IntoView {
    let i18n = use_i18n();
    let live = crate::live::use_live();
    let orders = Memo::new(move |_| {
        let joined = live.new_orders.get().into_iter().filter_map(|id| live.order(id));
        let mut orders: Vec<Order> = read.iter().map(|o| live.fresh(o)).collect();
        orders.extend(joined.filter(|o| read.iter().all(|r| r.id != o.id)));
        orders.retain(|o| o.status == OrderStatus::PendingPayment);
        orders.sort_unstable_by_key(|o| (o.expires_at.map(|t| t.unix_millis()).unwrap_or(i64::MAX), o.id));
        orders
    });
    let empty = Memo::new(move |_| orders.with(Vec::is_empty));
    move || {
        let l = i18n.get_locale();
        if empty.get() {
            return view! {
                <p class="muted" data-testid="none-awaiting">
                    {td_string!(l, dashboard.none_awaiting)}
                </p>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table" data-testid="awaiting">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, common.order)}</th>
                            <th scope="col">{td_string!(l, common.recipient)}</th>
                            <th scope="col">{td_string!(l, common.amount)}</th>
                            <th scope="col">{td_string!(l, dashboard.time_left)}</th>
                            <th scope="col">{td_string!(l, dashboard.for_customer)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            orders
                                .get()
                                .into_iter()
                                .map(|o| {
                                    view! {
                                        <tr data-testid="awaiting-row">
                                            <td>
                                                <A href=format!("/orders/{}", o.id)>{format!("#{}", o.id)}</A>
                                            </td>
                                            <td>"@"{o.recipient_username.clone()}</td>
                                            <td>{money::ton(l, o.price_ton)}</td>
                                            <td>
                                                {o
                                                    .expires_at
                                                    .map(|t| view! { <Countdown expires_millis=t.unix_millis() /> })}
                                            </td>
                                            <td>
                                                {tonlink::instructions(l, &o)
                                                    .map(|text| {
                                                        view! {
                                                            <CopyButton
                                                                value=text
                                                                label=td_string!(l, dashboard.instructions_thing, id = o.id)
                                                            />
                                                        }
                                                    })}
                                                {o
                                                    .payment_address
                                                    .clone()
                                                    .zip(o.payment_memo.clone())
                                                    .map(|(address, memo)| {
                                                        let link = tonlink::transfer(&address, o.price_ton, &memo);
                                                        view! { <FullScreenQr link=link id=o.id /> }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        }.into_any()
    }
}

/// A button that shows an order's payment QR code over the whole screen.
#[component]
fn FullScreenQr(link: String, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="copy"
            aria-label=move || t_string!(i18n, dashboard.qr_show, id)
            on:click=move |_| open.set(true)
        >
            {tr!(dashboard.qr_button)}
        </button>
        <Show when=move || open.get()>
            <div class="overlay" on:click=move |_| open.set(false)>
                <div
                    class="card dialog qr-full"
                    role="dialog"
                    aria-modal="true"
                    aria-label=move || t_string!(i18n, dashboard.qr_dialog, id)
                >
                    <Qr text=link.clone() label=t_string!(i18n, dashboard.qr_label, id) />
                    <button type="button" on:click=move |_| open.set(false)>
                        {tr!(common.close)}
                    </button>
                </div>
            </div>
        </Show>
    }
}
