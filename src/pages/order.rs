//! One order: every field, the payment details for the customer, who did what, and the
//! actions staff may take. It refreshes itself while the order can still change.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use openmoney_api::console::Role;
use openmoney_api::sandbox::{PaymentMode, PaymentResult, SimulatePayment};
use openmoney_api::{Order, OrderStatus, PaymentMethod};

use crate::api::{self, ApiError};
use crate::components::clock::Countdown;
use crate::components::copy::CopyButton;
use crate::components::feedback::{loaded, ErrorView, StatusBadge};
use crate::components::qr::Qr;
use crate::logic::{money, tonlink};
use crate::pages::orders::what;
use crate::session::{use_sandbox_mode, use_session};

const REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

fn tab_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    let order = LocalResource::new(move || api::order(id.get()));
    let audit = LocalResource::new(move || api::order_audit(id.get()));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let changing = order.get_untracked().is_some_and(|r| r.is_ok_and(|o| !o.status.is_terminal()));
            if changing && !tab_hidden() {
                order.refetch();
            }
        },
        REFRESH,
    ) {
        on_cleanup(move || handle.clear());
    }
    // The actions live here, not in the refreshed part, so their errors stay on screen.
    let cancel: Changing<Order> = Action::new_local(move |_: &()| api::cancel(id.get_untracked()));
    let pay: Action<PaymentMode, Result<PaymentResult, ApiError>> = Action::new_local(move |mode: &PaymentMode| {
        api::simulate_payment(id.get_untracked(), SimulatePayment { mode: *mode, amount_ton: None })
    });
    let fail: Changing<Order> = Action::new_local(move |_: &()| api::sandbox_fail(id.get_untracked()));
    Effect::new(move |_| {
        let cancelled = cancel.value().get().is_some_and(|r| r.is_ok());
        let paid = pay.value().get().is_some_and(|r| r.is_ok());
        let failed = fail.value().get().is_some_and(|r| r.is_ok());
        if cancelled || paid || failed {
            order.refetch();
            audit.refetch();
        }
    });
    let error = move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| pay.value().get().and_then(Result::err))
            .or_else(|| fail.value().get().and_then(Result::err))
    };
    view! {
        <section class="page">
            <h1>"Order #"{move || id.get()}</h1>
            {move || error().map(|e| view! { <ErrorView error=e/> })}
            {loaded(order, move |o| view! {
                <OrderDetails order=o.clone()/>
                <Actions order=o.clone() cancel=cancel pay=pay fail=fail/>
                {(o.payment_method == Some(PaymentMethod::TonMemo) && o.status == OrderStatus::PendingPayment)
                    .then(|| view! { <PaymentPanel order=o/> })}
            })}
            <h2>"History"</h2>
            {loaded(audit, |entries| {
                if entries.is_empty() {
                    return view! { <p class="muted">"No staff action recorded for this order."</p> }.into_any();
                }
                view! {
                    <ul class="history" data-testid="history">
                        {entries.into_iter().map(|e| view! {
                            <li>{action_text(&e.action)}" by "<strong>{e.actor.clone()}</strong>" · "
                                {openmoney_api::Timestamp::from_unix_millis(e.at).to_string()}" · "{e.outcome.clone()}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

fn action_text(action: &str) -> String {
    match action {
        "order.create" => "Created",
        "order.cancel" => "Cancelled",
        "sandbox.pay" => "Payment simulated",
        "sandbox.fail" => "Failure simulated",
        other => other,
    }
    .to_owned()
}

#[component]
fn OrderDetails(order: Order) -> impl IntoView {
    let method = order.payment_method.as_ref().map(ToString::to_string).unwrap_or_default();
    view! {
        <div class="card">
            <p><StatusBadge status=order.status.clone()/></p>
            <dl class="facts">
                <dt>"What"</dt><dd>{what(&order)}</dd>
                <dt>"Recipient"</dt><dd>"@"{order.recipient_username.clone()}</dd>
                <dt>"Price"</dt><dd data-testid="price">{money::ton(order.price_ton)}</dd>
                <dt>"Payment"</dt><dd>{method}</dd>
                <dt>"Memo"</dt><dd><code data-testid="memo">{order.payment_memo.clone().unwrap_or_default()}</code></dd>
                <dt>"Reference"</dt><dd>{order.client_reference.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Created"</dt><dd>{order.created_at.to_string()}</dd>
                <dt>"Expires"</dt><dd>{order.expires_at.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Updated"</dt><dd>{order.updated_at.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}</dd>
            </dl>
        </div>
    }
}

/// What the customer needs to pay: amount, address, memo, a wallet link and its QR.
#[component]
fn PaymentPanel(order: Order) -> impl IntoView {
    let address = order.payment_address.clone().unwrap_or_default();
    let memo = order.payment_memo.clone().unwrap_or_default();
    let link = tonlink::transfer(&address, order.price_ton, &memo);
    let amount = order.price_ton.to_string();
    view! {
        <section class="card payment" aria-labelledby="pay-title" data-testid="payment">
            <h2 id="pay-title">"Payment for the customer"</h2>
            <p>{order.expires_at.map(|t| view! { <Countdown expires_millis=t.unix_millis()/> })}</p>
            <dl class="facts">
                <dt>"Amount"</dt><dd><code data-testid="amount">{amount.clone()}" TON"</code><CopyButton value=amount label="amount"/></dd>
                <dt>"Address"</dt><dd><code data-testid="address">{address.clone()}</code><CopyButton value=address label="address"/></dd>
                <dt>"Memo"</dt><dd><code>{memo.clone()}</code><CopyButton value=memo label="memo"/></dd>
            </dl>
            <p><a href=link.clone() data-testid="ton-link">"Open in a TON wallet"</a><CopyButton value=link.clone() label="wallet link"/></p>
            <Qr text=link label="QR code of the wallet link"/>
        </section>
    }
}

/// A change staff can make to an order.
type Changing<T> = Action<(), Result<T, ApiError>>;

#[component]
fn Actions(
    order: Order,
    cancel: Changing<Order>,
    pay: Action<PaymentMode, Result<PaymentResult, ApiError>>,
    fail: Changing<Order>,
) -> impl IntoView {
    let session = use_session();
    let sandbox = use_sandbox_mode();
    let pending = order.status == OrderStatus::PendingPayment;
    let by_transfer = order.payment_method == Some(PaymentMethod::TonMemo);
    let delivering = matches!(order.status, OrderStatus::Paid | OrderStatus::Processing);
    let confirming = RwSignal::new(false);
    view! {
        <div class="actions">
            <Show when=move || pending && session.can(Role::Operator)>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Cancel order"</button>
                }>
                    <span role="group" aria-label="Confirm cancel">
                        "Cancel this order? The customer can no longer pay it. "
                        <button type="button" class="danger" disabled=move || cancel.pending().get() on:click=move |_| { cancel.dispatch(()); }>"Yes, cancel"</button>
                        <button type="button" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    </span>
                </Show>
            </Show>
            <Show when=move || pending && by_transfer && sandbox.0.get() && session.can(Role::Operator)>
                <span role="group" aria-label="Sandbox: simulate the customer's transfer" class="sandbox-controls">
                    <button type="button" disabled=move || pay.pending().get() on:click=move |_| { pay.dispatch(PaymentMode::Exact); }>"Simulate payment"</button>
                    <button type="button" disabled=move || pay.pending().get() on:click=move |_| { pay.dispatch(PaymentMode::Under); }>"Underpay"</button>
                    <button type="button" disabled=move || pay.pending().get() on:click=move |_| { pay.dispatch(PaymentMode::Over); }>"Overpay"</button>
                </span>
            </Show>
            <Show when=move || delivering && sandbox.0.get() && session.can(Role::Operator)>
                <button type="button" class="danger" disabled=move || fail.pending().get() on:click=move |_| { fail.dispatch(()); }>"Simulate delivery failure"</button>
            </Show>
        </div>
    }
}
