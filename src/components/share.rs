//! The buyer's payment page, from the order page: operators make its link, copy it or
//! show its QR code, copy a ready-to-send message in the buyer's language (whatever the
//! console's own), and revoke it.

use leptos::prelude::*;
use openmoney_api::pay::PaymentLink;
use openmoney_api::{AuditAction, Order};

use crate::api::{self, ApiError, Change};
use crate::components::copy::CopyButton;
use crate::components::feedback::ErrorView;
use crate::components::qr::Qr;

use crate::i18n::{locale_of, t_string, td_string, tr, use_i18n, when_loaded, Locale, LANGUAGES};

/// The message staff send a buyer, in `l`.
pub fn message(l: Locale, order: &Order, link: &PaymentLink) -> String {
    let recipient = order.recipient_username.clone();
    let product = match (order.stars_amount, order.premium_months) {
        (_, Some(months)) => td_string!(l, pay.premium, months, recipient),
        (quantity, _) => td_string!(l, pay.stars, quantity = quantity.unwrap_or_default(), recipient),
    };
    let deadline = order.expires_at.map(|t| {
        let (year, month, day, hour, minute) = t.utc_fields();
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}")
    });
    td_string!(
        l,
        pay.message,
        product,
        url = link.url.clone(),
        amount = order.price_ton,
        deadline = deadline.unwrap_or_default()
    )
}

/// Who shared the order's link that is still live, from its history: the last link action
/// is a create.
pub fn live_link_by(history: &[openmoney_api::console::AuditEntry]) -> Option<String> {
    history
        .iter()
        .filter(|e| {
            e.outcome == "ok" && matches!(e.action, AuditAction::PaymentLinkCreate | AuditAction::PaymentLinkRevoke)
        })
        .max_by_key(|e| (e.at, e.id))
        .filter(|e| e.action == AuditAction::PaymentLinkCreate)
        .map(|e| e.actor.clone())
}

/// `shared_by`: who shared the order's live link, if it has one (read from its history).
#[component]
pub fn ShareLink(order: Order, #[prop(into)] shared_by: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = order.id;
    let make: Change<(), Result<PaymentLink, ApiError>> = Change::new(move |_: &()| api::payment_link(id));
    let revoke: Change<(), Result<serde::de::IgnoredAny, ApiError>> =
        Change::new(move |_: &()| api::revoke_payment_link(id));
    let link = RwSignal::new(None::<PaymentLink>);
    make.on_ok(move |made| link.set(Some(made)));
    revoke.on_ok(move |_| link.set(None));
    let language = RwSignal::new(i18n.get_locale_untracked());
    let error = move || make.value().and_then(Result::err).or_else(|| revoke.value().and_then(Result::err));
    view! {
        <section class="card share" aria-labelledby="share-title" data-testid="share">
            <h2 id="share-title">{tr!(share.title)}</h2>
            {move || error().map(|e| view! { <ErrorView error=e /> })}
            {move || match link.get() {
                None => {
                    view! {
                        <p class="muted">
                            {move || match shared_by.get() {
                                Some(actor) => t_string!(i18n, share.live_by, actor).to_string(),
                                None => t_string!(i18n, share.explain).to_string(),
                            }}
                        </p>
                        <button
                            type="button"
                            data-testid="share-make"
                            disabled=move || make.pending().get()
                            on:click=move |_| make.dispatch(())
                        >
                            {move || {
                                if shared_by.get().is_some() {
                                    t_string!(i18n, share.show)
                                } else {
                                    t_string!(i18n, share.make)
                                }
                            }}
                        </button>
                    }
                        .into_any()
                }
                Some(made) => {
                    let url = made.url.clone();
                    let order = order.clone();
                    view! {
                        <p class="share-url">
                            <label for="share-url">{tr!(share.link)}</label>
                            <input id="share-url" readonly value=url.clone() data-testid="share-url" />
                            <CopyButton value=url.clone() label=t_string!(i18n, share.link_thing) />
                        </p>
                        <Qr text=url label=t_string!(i18n, share.qr_label) />
                        <p class="share-message">
                            <label for="share-language">{tr!(share.message_language)}</label>
                            <select
                                id="share-language"
                                data-testid="share-language"
                                // Back to the language shown when the one picked could not be loaded.
                                prop:value=move || {
                                    i18n.unavailable();
                                    language.get().as_str().to_owned()
                                }
                                on:change=move |ev| {
                                    if let Some(l) = locale_of(&event_target_value(&ev)) {
                                        when_loaded(i18n, l, move || language.set(l));
                                    }
                                }
                            >
                                {LANGUAGES
                                    .iter()
                                    .map(|(l, name)| {
                                        view! {
                                            <option value=l.as_str() selected=move || language.get() == *l>
                                                {*name}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            {move || {
                                let text = message(language.get(), &order, &made);
                                view! { <CopyButton value=text label=t_string!(i18n, share.message_thing) /> }
                            }}
                        </p>
                        <button
                            type="button"
                            class="danger"
                            data-testid="share-revoke"
                            disabled=move || revoke.pending().get()
                            on:click=move |_| revoke.dispatch(())
                        >
                            {tr!(share.revoke)}
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openmoney_api::console::AuditEntry;

    fn entry(id: i64, action: &str, actor: &str) -> AuditEntry {
        serde_json::from_value(serde_json::json!({
            "id": id, "at": 1000 + id, "actor": actor, "action": action, "outcome": "ok",
            "order_id": 7, "idempotency_key": null, "summary": "", "client_addr": null
        }))
        .unwrap()
    }

    #[test]
    fn the_message_is_in_the_language_picked() {
        crate::i18n::load_bundled();
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": 7, "status": "pending_payment", "order_type": "stars", "stars_amount": 500,
            "recipient_username": "pandus", "price_ton": 1.25, "payment_address": "UQaddr",
            "payment_memo": "STARS-1", "expires_at": "2026-12-01T21:30:00Z", "created_at": "2026-12-01T21:00:00Z"
        }))
        .unwrap();
        let link = PaymentLink {
            token: "t".into(),
            url: "https://console.example/pay/t".into(),
            expires_at: openmoney_api::Timestamp::from_unix_millis(0),
        };
        let spanish = message(Locale::es, &order, &link);
        for part in ["500 Telegram Stars para @pandus", "https://console.example/pay/t", "1.25 TON", "2026-12-01 21:30"]
        {
            assert!(spanish.contains(part), "{spanish} lacks {part}");
        }
        assert!(message(Locale::hi, &order, &link).contains("@pandus के लिए 500 Telegram Stars"));
    }

    #[test]
    fn a_link_is_live_until_revoked() {
        let made = entry(1, "payment_link.create", "otto");
        assert_eq!(live_link_by(&[entry(0, "order.create", "otto"), made.clone()]), Some("otto".into()));
        assert_eq!(live_link_by(&[made.clone(), entry(2, "payment_link.revoke", "ada")]), None);
        assert_eq!(
            live_link_by(&[made, entry(2, "payment_link.revoke", "ada"), entry(3, "payment_link.create", "ada")]),
            Some("ada".into())
        );
        assert_eq!(live_link_by(&[]), None);
    }
}
