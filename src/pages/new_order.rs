//! The new-order form, for Stars and for Premium: the recipient checked as you type, a live
//! estimate, the payment method, an optional reference, and one Idempotency-Key per
//! intended order so that no retry, double click or second Enter makes two orders.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use openmoney_api::console::Quote;
use openmoney_api::{validate, CreatePremiumOrder, CreateStarsOrder, Currency, PaymentMethod};

use crate::api::{self, ApiError};
use crate::components::feedback::ErrorView;
use crate::i18n::{t_string, td_string, tr, use_i18n};
use crate::logic::idempotency::KeyForContent;
use crate::logic::money;
use crate::logic::numbers;
use crate::logic::order_form::{check_amount, reason_text, Product};

const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(350);

#[derive(Debug, Clone, PartialEq)]
enum Draft {
    Stars(CreateStarsOrder),
    Premium(CreatePremiumOrder),
}

impl Draft {
    fn content(&self) -> String {
        match self {
            Draft::Stars(o) => serde_json::to_string(o),
            Draft::Premium(o) => serde_json::to_string(o),
        }
        .unwrap_or_default()
    }
}

async fn create(draft: Draft, key: String, quote: Option<Quote>) -> Result<openmoney_api::Order, ApiError> {
    match draft {
        Draft::Stars(order) => api::create_stars(&order, &key, quote).await,
        Draft::Premium(order) => api::create_premium(&order, &key, quote).await,
    }
}

#[component]
pub fn NewOrder(product: Product) -> impl IntoView {
    let premium = product == Product::Premium;
    let i18n = use_i18n();
    let navigate = use_navigate();
    let fee = api::Read::new(api::fee);
    let balance = api::Read::new(api::balance);
    let recipient = RwSignal::new(String::new());
    let settled_name = RwSignal::new(String::new());
    let amount = RwSignal::new(if premium { "3".to_owned() } else { "100".to_owned() });
    let method = RwSignal::new(PaymentMethod::TonMemo);
    let reference = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let keys = StoredValue::new(KeyForContent::default());

    let pending_timer = StoredValue::new(None::<TimeoutHandle>);
    let on_recipient = move |value: String| {
        recipient.set(value.clone());
        if let Some(handle) = pending_timer.get_value() {
            handle.clear();
        }
        pending_timer.set_value(set_timeout_with_handle(move || settled_name.set(value), DEBOUNCE).ok());
    };
    let check = api::Read::new(move || {
        let name = settled_name.get();
        async move {
            if name.trim().is_empty() {
                return None;
            }
            Some(match validate::username(&name) {
                Err(_) => Err(None),
                Ok(bare) => api::recipient(&bare, premium).await.map_err(Some),
            })
        }
    });
    let limits = move || fee.get().and_then(Result::ok);
    let valid_amount = move || check_amount(product, &amount.get(), limits().as_ref());
    let estimate = api::Read::new(move || {
        let value = valid_amount().ok();
        async move {
            let value = value?;
            Some(if premium { api::estimate_premium(value).await } else { api::estimate_stars(value).await })
        }
    });
    let price = move || estimate.get().flatten().and_then(Result::ok).map(|e| e.price_ton);
    let current_balance = move || balance.get().and_then(Result::ok).map(|b| b.balance_ton);
    let shortfall = move || {
        if method.get() != PaymentMethod::Balance {
            return None;
        }
        match (current_balance(), price()) {
            (Some(have), Some(need)) if have < need => Some((have, need)),
            _ => None,
        }
    };

    let submit = api::Change::new(move |(draft, key, quote): &(Draft, String, Option<Quote>)| {
        create(draft.clone(), key.clone(), *quote)
    });
    Effect::new(move |_| {
        if let Some(Ok(order)) = submit.value() {
            keys.update_value(KeyForContent::settle);
            navigate(&format!("/orders/{}", order.id), Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submit.pending().get_untracked() {
            return;
        }
        let l = i18n.get_locale_untracked();
        let checked = valid_amount().map_err(|e| e.text(l)).and_then(|value| {
            validate::username(&recipient.get_untracked())
                .map(|name| (name, value))
                .map_err(|_| td_string!(l, new_order.bad_username).to_owned())
        });
        let (name, value) = match checked {
            Ok(pair) => pair,
            Err(message) => {
                form_error.set(Some(message));
                return;
            }
        };
        if shortfall().is_some() {
            return;
        }
        form_error.set(None);
        let client_reference = Some(reference.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        let payment_method = method.get_untracked();
        let draft = if premium {
            Draft::Premium(CreatePremiumOrder {
                recipient_username: name,
                months: value,
                payment_method,
                payment_currency: Currency::Ton,
                client_reference,
            })
        } else {
            Draft::Stars(CreateStarsOrder {
                recipient_username: name,
                quantity: value,
                payment_method,
                payment_currency: Currency::Ton,
                client_reference,
            })
        };
        let key = keys
            .try_update_value(|k| k.key_for(&draft.content(), || uuid::Uuid::new_v4().to_string()))
            .unwrap_or_default();
        let quote = estimate
            .get_untracked()
            .flatten()
            .and_then(Result::ok)
            .map(|e| Quote { price_ton: e.price_ton, ton_usd_rate: e.ton_usd_rate });
        submit.dispatch((draft, key, quote));
    };

    let title =
        move || if premium { t_string!(i18n, new_order.title_premium) } else { t_string!(i18n, new_order.title_stars) };
    let l = move || i18n.get_locale();
    view! {
        <section class="page">
            <h1>{title}</h1>
            <form class="card order-form" on:submit=on_submit novalidate>
                <label for="recipient">{tr!(common.recipient)}</label>
                <input
                    id="recipient"
                    name="recipient"
                    placeholder=tr!(common.username_placeholder)
                    autocomplete="off"
                    required
                    aria-describedby="recipient-check"
                    prop:value=move || recipient.get()
                    on:input=move |ev| on_recipient(event_target_value(&ev))
                />
                <p id="recipient-check" class="hint" aria-live="polite" data-testid="recipient-check">
                    {move || match check.get().flatten() {
                        None => String::new(),
                        Some(Err(None)) => td_string!(l(), new_order.bad_username).to_owned(),
                        Some(Err(Some(e))) => e.human(l()),
                        Some(Ok(c)) if c.can_receive => td_string!(l(), new_order.can_receive, name = c.username),
                        Some(Ok(c)) => reason_text(l(), c.reason.as_deref().unwrap_or("unknown")),
                    }}
                </p>
                {if premium {
                    view! {
                        <label for="amount">{tr!(new_order.months)}</label>
                        <select id="amount" name="months" on:change=move |ev| amount.set(event_target_value(&ev))>
                            {validate::PREMIUM_MONTHS
                                .iter()
                                .map(|m| {
                                    view! {
                                        <option value=m.to_string() selected=move || amount.get() == m.to_string()>
                                            {move || t_string!(i18n, common.months, n = m)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    }
                        .into_any()
                } else {
                    view! {
                        <label for="amount">{tr!(common.stars)}</label>
                        <input
                            id="amount"
                            name="quantity"
                            type="text"
                            inputmode="numeric"
                            pattern="[0-9]*"
                            required
                            aria-describedby="amount-limits"
                            prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev))
                        />
                        <p id="amount-limits" class="hint" data-testid="amount-limits">
                            {move || match valid_amount() {
                                Ok(_) => {
                                    limits()
                                        .map(|f| {
                                            td_string!(
                                                l(), new_order.limits, min = numbers::count(l(), f.stars.min), max = numbers::count(l(), f.stars.max)
                                            )
                                        })
                                        .unwrap_or_default()
                                }
                                Err(e) => e.text(l()),
                            }}
                        </p>
                    }
                        .into_any()
                }}
                <p class="estimate" aria-live="polite" data-testid="estimate">
                    {move || match estimate.get().flatten() {
                        Some(Ok(e)) => {
                            td_string!(
                                l(), new_order.estimate, ton = money::ton(l(), e.price_ton), usd = money::usd(l(), e.price_usd), fee = money::ton(l(), e.fee_ton), rate = money::usd_exact(l(), e.ton_usd_rate)
                            )
                        }
                        Some(Err(e)) => e.human(l()),
                        None => String::new(),
                    }}
                </p>
                <fieldset>
                    <legend>{tr!(order.payment)}</legend>
                    <label class="inline">
                        <input
                            type="radio"
                            name="method"
                            value="ton_memo"
                            prop:checked=move || method.get() == PaymentMethod::TonMemo
                            on:change=move |_| method.set(PaymentMethod::TonMemo)
                        />
                        " "
                        {tr!(new_order.method_memo)}
                    </label>
                    <label class="inline">
                        <input
                            type="radio"
                            name="method"
                            value="balance"
                            prop:checked=move || method.get() == PaymentMethod::Balance
                            on:change=move |_| method.set(PaymentMethod::Balance)
                        />
                        " "
                        {tr!(new_order.method_balance)}
                        {move || {
                            current_balance()
                                .map(|b| {
                                    format!(" {}", td_string!(l(), new_order.available, amount = money::ton(l(), b)))
                                })
                        }}
                    </label>
                    {move || {
                        shortfall()
                            .map(|(have, need)| {
                                view! {
                                    <p class="error-text" role="alert" data-testid="shortfall">
                                        {move || {
                                            td_string!(
                                                l(), new_order.shortfall, have = money::ton(l(), have), need = money::ton(l(), need)
                                            )
                                        }}
                                    </p>
                                }
                            })
                    }}
                </fieldset>
                <label for="reference">{tr!(new_order.reference)}</label>
                <input
                    id="reference"
                    name="client_reference"
                    maxlength="128"
                    placeholder="invoice-42"
                    prop:value=move || reference.get()
                    on:input=move |ev| reference.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    data-testid="submit"
                    disabled=move || submit.pending().get() || shortfall().is_some()
                >
                    {move || {
                        if submit.pending().get() {
                            t_string!(i18n, new_order.creating)
                        } else {
                            t_string!(i18n, new_order.create)
                        }
                    }}
                </button>
                {move || {
                    form_error
                        .get()
                        .map(|m| {
                            view! {
                                <p class="error-text" role="alert" data-testid="form-error">
                                    {m}
                                </p>
                            }
                        })
                }}
                {move || submit.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
            </form>
        </section>
    }
}
