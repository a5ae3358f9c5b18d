//! The dashboard: balance, stats, rate, health, and orders awaiting payment by time left.

use leptos::prelude::*;
use leptos_router::components::A;
use openmoney_api::{Order, OrderListQuery, OrderStatus};

use crate::api;
use crate::components::clock::Countdown;
use crate::components::copy::CopyButton;
use crate::components::feedback::loaded;
use crate::components::qr::Qr;
use crate::components::runway::RunwayNote;
use crate::logic::{money, tonlink};

#[component]
pub fn Dashboard() -> impl IntoView {
    let balance = LocalResource::new(api::balance);
    let stats = LocalResource::new(api::stats);
    let rate = LocalResource::new(api::ton_rate);
    let health = LocalResource::new(api::health);
    let awaiting = LocalResource::new(|| {
        api::orders(OrderListQuery {
            status: Some(OrderStatus::PendingPayment),
            limit: Some(100),
            ..Default::default()
        })
    });
    view! {
        <section class="page">
            <h1>"Dashboard"</h1>
            <div class="cards">
                <article class="card" aria-labelledby="balance-title">
                    <h2 id="balance-title">"Balance"</h2>
                    {loaded(balance, |b| view! {
                        <p class="big" data-testid="balance">{money::ton(b.balance_ton)}</p>
                        <p class="muted">"Awaiting payment: " {money::ton(b.pending_ton)}</p>
                        <p class="address"><span class="muted">"Top-up address "</span><code>{b.topup_address.clone()}</code>
                            <CopyButton value=b.topup_address label="top-up address"/></p>
                    })}
                    <RunwayNote/>
                </article>
                <article class="card" aria-labelledby="stats-title">
                    <h2 id="stats-title">"Orders"</h2>
                    {loaded(stats, |s| view! {
                        <p class="big">{s.total_orders}" orders"</p>
                        <dl class="facts">
                            {s.by_status.iter().filter(|(_, n)| **n > 0).map(|(status, n)| view! {
                                <dt>{status.as_str().replace('_', " ")}</dt><dd>{*n}</dd>
                            }).collect_view()}
                            <dt>"completed volume"</dt><dd>{money::ton(s.completed_ton)}</dd>
                            <dt>"Stars delivered"</dt><dd>{s.completed_stars}</dd>
                        </dl>
                    })}
                </article>
                <article class="card" aria-labelledby="rate-title">
                    <h2 id="rate-title">"TON/USD"</h2>
                    {loaded(rate, |r| view! { <p class="big">{format!("${}", r.ton_usd)}</p><p class="muted">"Updated "{r.updated_at.to_string()}</p> })}
                    <h2>"Service"</h2>
                    {loaded(health, |h| view! { <p><span class="dot dot-ok"></span>" TheOpenMoney: "{h.status.to_string()}</p> })}
                </article>
            </div>
            <h2>"Awaiting payment"</h2>
            {loaded(awaiting, |page| {
                let mut orders: Vec<Order> = page.items;
                orders.sort_by_key(|o| o.expires_at.map(|t| t.unix_millis()).unwrap_or(i64::MAX));
                if orders.is_empty() {
                    return view! { <p class="muted">"No order is waiting for payment."</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                    <table class="table" data-testid="awaiting">
                        <thead><tr><th scope="col">"Order"</th><th scope="col">"Recipient"</th><th scope="col">"Amount"</th><th scope="col">"Time left"</th><th scope="col">"For the customer"</th></tr></thead>
                        <tbody>
                            {orders.into_iter().map(|o| view! {
                                <tr>
                                    <td><A href=format!("/orders/{}", o.id)>{format!("#{}", o.id)}</A></td>
                                    <td>"@"{o.recipient_username.clone()}</td>
                                    <td>{money::ton(o.price_ton)}</td>
                                    <td>{o.expires_at.map(|t| view! { <Countdown expires_millis=t.unix_millis()/> })}</td>
                                    <td>
                                        {tonlink::instructions(&o).map(|text| view! { <CopyButton value=text label=format!("payment instructions of order {}", o.id)/> })}
                                        {o.payment_address.clone().zip(o.payment_memo.clone()).map(|(address, memo)| {
                                            let link = tonlink::transfer(&address, o.price_ton, &memo);
                                            view! { <FullScreenQr link=link id=o.id/> }
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            })}
        </section>
    }
}

/// A button that shows an order's payment QR code over the whole screen.
#[component]
fn FullScreenQr(link: String, id: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="copy" aria-label=format!("Show the QR code of order {id}") on:click=move |_| open.set(true)>"QR"</button>
        <Show when=move || open.get()>
            <div class="overlay" on:click=move |_| open.set(false)>
                <div class="card dialog qr-full" role="dialog" aria-modal="true" aria-label=format!("QR code of order {id}")>
                    <Qr text=link.clone() label=format!("QR code to pay order {id}")/>
                    <button type="button" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
