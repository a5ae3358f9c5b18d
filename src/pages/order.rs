//! One order: every field, the payment details for the customer, who did what, and the
//! actions staff may take. It refreshes itself while the order can still change.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use openmoney_api::console::{AuditEntry, Role};
use openmoney_api::sandbox::{PaymentMode, PaymentResult, SimulatePayment};
use openmoney_api::{AuditAction, Order, OrderStatus, PaymentMethod};

use crate::api::{self, ApiError};
use crate::components::clock::Countdown;
use crate::components::copy::CopyButton;
use crate::components::feedback::{loaded, ErrorView, StatusBadge};
use crate::components::orders_table::what;
use crate::components::qr::Qr;
use crate::components::share::{live_link_by, ShareLink};
use crate::i18n::{t_string, td_string, tr, use_i18n, Locale};
use crate::logic::drift::{percent, Drift, TOLERANCE_BP};
use crate::logic::live::fresher;
use crate::logic::{money, tonlink};
use crate::session::{use_sandbox_mode, use_session};

const REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

fn tab_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    let live = crate::live::use_live();
    let session = use_session();
    let order = live.read(move || api::order(id.get()));
    // Who did what: read again whenever the feed tells of a change to this order.
    let audit = live.read(move || {
        live.audits_of(id.get());
        api::order_audit(id.get())
    });
    // The order as the feed last carried it; only a change to this order moves it.
    let pushed = Memo::new(move |_| live.order(id.get()));
    let now = crate::components::clock::use_now();
    let shared_by = Signal::derive(move || audit.get().and_then(Result::ok).and_then(|h| live_link_by(&h)));
    // Polling is the fallback while the live feed is down.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let changing = order.get_untracked().is_some_and(|r| r.is_ok_and(|o| !o.status.is_terminal()));
            let feed_down = live.link.get_untracked() != crate::live::Link::Live;
            if changing && feed_down && !tab_hidden() {
                order.refetch();
            }
        },
        REFRESH,
    ) {
        on_cleanup(move || handle.clear());
    }
    // The actions live here, not in the refreshed part, so their errors stay on screen.
    let cancel: Changing<Order> = api::Change::new(move |_: &()| api::cancel(id.get_untracked()));
    let pay: api::Change<PaymentMode, Result<PaymentResult, ApiError>> = api::Change::new(move |mode: &PaymentMode| {
        api::simulate_payment(id.get_untracked(), SimulatePayment { mode: *mode, amount_ton: None })
    });
    let fail: Changing<Order> = api::Change::new(move |_: &()| api::sandbox_fail(id.get_untracked()));
    let read_again = move || {
        order.refetch();
        audit.refetch();
    };
    cancel.on_ok(move |_| read_again());
    pay.on_ok(move |_| read_again());
    fail.on_ok(move |_| read_again());
    let error = move || {
        cancel
            .value()
            .and_then(Result::err)
            .or_else(|| pay.value().and_then(Result::err))
            .or_else(|| fail.value().and_then(Result::err))
    };
    view! {
        <section class="page">
            <h1>{move || t_string!(i18n, order.title, id = id.get())}</h1>
            {move || error().map(|e| view! { <ErrorView error=e /> })}
            {loaded(
                order,
                move |read| move || {
                    let o = pushed
                        .get()
                        .filter(|event| event.id == read.id)
                        .map_or(read.clone(), |event| fresher(&read, &event).clone());
                    view! {
                        <OrderDetails order=o.clone() />
                        <QuoteCheck charged=o.price_ton audit=audit />
                        <Actions order=o.clone() cancel=cancel pay=pay fail=fail />
                        {(o.payment_method == Some(PaymentMethod::TonMemo) && o.status == OrderStatus::PendingPayment)
                            .then(|| {
                                view! {
                                    <PaymentPanel order=o.clone() />
                                    <Show when=move || session.can(Role::Operator)>
                                        <ShareLink order=o.clone() shared_by=shared_by />
                                    </Show>
                                }
                            })}
                    }
                },
            )}
            <h2>{tr!(order.history)}</h2>
            {loaded(
                audit,
                move |entries| {
                    let l = i18n.get_locale();
                    if entries.is_empty() {
                        return view! { <p class="muted">{td_string!(l, order.no_history)}</p> }.into_any();
                    }
                    view! {
                        <ul class="history" data-testid="history">
                            {entries
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            {td_string!(
                                                l, order.by, action = action_text(l, &e.action), actor = e.actor.clone()
                                            )}" · "
                                            <time
                                                datetime=openmoney_api::Timestamp::from_unix_millis(e.at).to_string()
                                                title=crate::i18n::when(
                                                    l,
                                                    openmoney_api::Timestamp::from_unix_millis(e.at),
                                                )
                                            >
                                                {move || crate::i18n::relative(l, e.at, now.get())}
                                            </time>" · "{e.outcome.clone()}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                },
            )}
        </section>
    }
}

fn action_text(l: Locale, action: &AuditAction) -> String {
    match action {
        AuditAction::OrderCreate => td_string!(l, order.action_create),
        AuditAction::OrderCancel => td_string!(l, order.action_cancel),
        AuditAction::SandboxPay => td_string!(l, order.action_pay),
        AuditAction::SandboxFail => td_string!(l, order.action_fail),
        AuditAction::PaymentLinkCreate => td_string!(l, order.action_link),
        AuditAction::PaymentLinkRevoke => td_string!(l, order.action_unlink),
        other => other.as_str(),
    }
    .to_owned()
}

/// Marks the first frame in which an order's status is in the document (the cold-load
/// benchmark reads the mark). The details may be built before they are mounted, so it
/// looks for the status on each frame until it is there, for at most `frames` frames.
fn mark_status_shown(frames: u32) {
    const MARK: &str = "order-status-shown";
    let Some(window) = web_sys::window() else { return };
    let Some(performance) = window.performance() else { return };
    if performance.get_entries_by_name(MARK).length() > 0 {
        return;
    }
    let shown = window.document().and_then(|d| d.query_selector("[data-testid=status]").ok().flatten()).is_some();
    if shown {
        let _ = performance.mark(MARK);
    } else if frames > 0 {
        request_animation_frame(move || mark_status_shown(frames - 1));
    }
}

#[component]
fn OrderDetails(order: Order) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(|_| mark_status_shown(600));
    move || {
        let l = i18n.get_locale();
        let method = match &order.payment_method {
            Some(PaymentMethod::TonMemo) => td_string!(l, order.method_ton_memo).to_owned(),
            Some(PaymentMethod::Balance) => td_string!(l, order.method_balance).to_owned(),
            other => other.as_ref().map(ToString::to_string).unwrap_or_default(),
        };
        let none = || td_string!(l, common.none).to_owned();
        view! {
            <div class="card">
                <p>
                    <StatusBadge status=order.status.clone() />
                </p>
                <dl class="facts">
                    <dt>{td_string!(l, common.what)}</dt>
                    <dd>{what(l, &order)}</dd>
                    <dt>{td_string!(l, common.recipient)}</dt>
                    <dd>"@"{order.recipient_username.clone()}</dd>
                    <dt>{td_string!(l, common.price)}</dt>
                    <dd data-testid="price">{money::ton(l, order.price_ton)}</dd>
                    <dt>{td_string!(l, order.payment)}</dt>
                    <dd>{method}</dd>
                    <dt>{td_string!(l, order.memo)}</dt>
                    <dd>
                        <code data-testid="memo">{order.payment_memo.clone().unwrap_or_default()}</code>
                    </dd>
                    <dt>{td_string!(l, common.reference)}</dt>
                    <dd>{order.client_reference.clone().unwrap_or_else(none)}</dd>
                    <dt>{td_string!(l, common.created)}</dt>
                    <dd>{crate::i18n::when(l, order.created_at)}</dd>
                    <dt>{td_string!(l, order.expires)}</dt>
                    <dd>{order.expires_at.map(|t| crate::i18n::when(l, t)).unwrap_or_else(none)}</dd>
                    <dt>{td_string!(l, order.updated)}</dt>
                    <dd>{order.updated_at.map(|t| crate::i18n::when(l, t)).unwrap_or_else(none)}</dd>
                </dl>
            </div>
        }
    }
}

/// The price charged against the estimate staff saw when they submitted the order.
#[component]
fn QuoteCheck(charged: openmoney_api::Ton, audit: api::Read<Result<Vec<AuditEntry>, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let entries = audit.get()?.ok()?;
        let l = i18n.get_locale();
        let quote = entries.iter().filter(|e| e.action == AuditAction::OrderCreate).find_map(|e| e.quote);
        let Some(quote) = quote else {
            return Some(
                view! {
                    <p class="muted" data-testid="quote-check">
                        {td_string!(l, order.drift_unknown)}
                    </p>
                }
                .into_any(),
            );
        };
        let drift = Drift::of(charged, quote.price_ton);
        let diff = money::ton(l, drift.diff.abs());
        let tolerance = percent(TOLERANCE_BP);
        let verdict = match (drift.flagged(), drift.diff.is_negative()) {
            (false, _) => td_string!(l, order.drift_ok, diff),
            (true, false) => td_string!(l, order.drift_flag, diff, tolerance),
            (true, true) => td_string!(l, order.drift_flag_less, diff, tolerance),
        };
        Some(view! {
            <section class="card" aria-labelledby="drift-title" data-testid="quote-check">
                <h2 id="drift-title">{td_string!(l, order.drift_title)}</h2>
                <p>
                    {td_string!(
                        l, order.drift_quoted, price = money::ton(l, quote.price_ton), rate = money::usd_exact(l, quote.ton_usd_rate)
                    )}
                </p>
                <p class:error-text=drift.flagged() role=drift.flagged().then_some("alert")>
                    {verdict}
                </p>
            </section>
        }.into_any())
    }
}

/// What the customer needs to pay: amount, address, memo, a wallet link and its QR.
#[component]
fn PaymentPanel(order: Order) -> impl IntoView {
    let i18n = use_i18n();
    let address = order.payment_address.clone().unwrap_or_default();
    let memo = order.payment_memo.clone().unwrap_or_default();
    let link = tonlink::transfer(&address, order.price_ton, &memo);
    let amount = order.price_ton.to_string();
    view! {
        <section class="card payment" aria-labelledby="pay-title" data-testid="payment">
            <h2 id="pay-title">{tr!(order.pay_title)}</h2>
            <p>{order.expires_at.map(|t| view! { <Countdown expires_millis=t.unix_millis() /> })}</p>
            <dl class="facts">
                <dt>{tr!(common.amount)}</dt>
                <dd>
                    <code data-testid="amount">{amount.clone()}" TON"</code>
                    <CopyButton value=amount label=t_string!(i18n, order.amount_thing) />
                </dd>
                <dt>{tr!(order.address)}</dt>
                <dd>
                    <code data-testid="address">{address.clone()}</code>
                    <CopyButton value=address label=t_string!(i18n, order.address_thing) />
                </dd>
                <dt>{tr!(order.memo)}</dt>
                <dd>
                    <code>{memo.clone()}</code>
                    <CopyButton value=memo label=t_string!(i18n, order.memo_thing) />
                </dd>
            </dl>
            <p>
                <a href=link.clone() data-testid="ton-link">
                    {tr!(common.open_wallet)}
                </a>
                <CopyButton value=link.clone() label=t_string!(i18n, order.link_thing) />
            </p>
            <Qr text=link label=t_string!(i18n, order.qr_label) />
        </section>
    }
}

/// A change staff can make to an order.
type Changing<T> = api::Change<(), Result<T, ApiError>>;

#[component]
fn Actions(
    order: Order,
    cancel: Changing<Order>,
    pay: api::Change<PaymentMode, Result<PaymentResult, ApiError>>,
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
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                                {tr!(order.cancel)}
                            </button>
                        }
                    }
                >
                    <span role="group" aria-label=tr!(order.confirm_group)>
                        {tr!(order.confirm_text)}
                        " "
                        <button
                            type="button"
                            class="danger"
                            disabled=move || cancel.pending().get()
                            on:click=move |_| {
                                cancel.dispatch(());
                            }
                        >
                            {tr!(order.confirm_yes)}
                        </button>
                        <button type="button" on:click=move |_| confirming.set(false)>
                            {tr!(order.confirm_no)}
                        </button>
                    </span>
                </Show>
            </Show>
            <Show when=move || pending && by_transfer && sandbox.0.get() && session.can(Role::Operator)>
                <span role="group" aria-label=tr!(order.sandbox_group) class="sandbox-controls">
                    <button
                        type="button"
                        disabled=move || pay.pending().get()
                        on:click=move |_| {
                            pay.dispatch(PaymentMode::Exact);
                        }
                    >
                        {tr!(order.pay_exact)}
                    </button>
                    <button
                        type="button"
                        disabled=move || pay.pending().get()
                        on:click=move |_| {
                            pay.dispatch(PaymentMode::Under);
                        }
                    >
                        {tr!(order.pay_under)}
                    </button>
                    <button
                        type="button"
                        disabled=move || pay.pending().get()
                        on:click=move |_| {
                            pay.dispatch(PaymentMode::Over);
                        }
                    >
                        {tr!(order.pay_over)}
                    </button>
                </span>
            </Show>
            <Show when=move || delivering && sandbox.0.get() && session.can(Role::Operator)>
                <button
                    type="button"
                    class="danger"
                    disabled=move || fail.pending().get()
                    on:click=move |_| {
                        fail.dispatch(());
                    }
                >
                    {tr!(order.fail)}
                </button>
            </Show>
        </div>
    }
}
