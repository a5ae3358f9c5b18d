//! The live feed on screen: whether the console is live (and since when), the choice of
//! desktop notifications, and the toasts that tell of payments and endings, announced
//! politely to screen readers without taking the focus.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::components::clock::use_now;
use crate::components::feedback::ErrorView;
use crate::i18n::{t_string, tr, use_i18n};
use crate::live::{use_live, Link};

/// Live or offline, with the time of the last update; the notifications switch.
#[component]
pub fn LiveStatus() -> impl IntoView {
    let live = use_live();
    let i18n = use_i18n();
    let now = use_now();
    let state = move || match live.link.get() {
        Link::Live => "live",
        Link::Connecting => "connecting",
        Link::Offline => "offline",
    };
    let text = move || {
        let l = i18n.get_locale();
        match live.link.get() {
            Link::Connecting => t_string!(i18n, live.connecting).to_owned(),
            Link::Offline => t_string!(i18n, live.offline).to_owned(),
            Link::Live => match live.last_update.get() {
                Some(at) => {
                    let when = crate::i18n::relative(l, at.min(now.get()), now.get());
                    format!("{} · {}", t_string!(i18n, live.live), t_string!(i18n, live.updated, when))
                }
                None => t_string!(i18n, live.live).to_owned(),
            },
        }
    };
    view! {
        {move || live.signed_out.get().then(|| view! { <ErrorView error=ApiError::Unauthorized /> })}
        <span
            class="live"
            data-testid="live"
            data-link=state
            title=move || (live.link.get() == Link::Offline).then(|| t_string!(i18n, live.offline_hint))
        >
            <span
                class="dot"
                class:dot-ok=move || live.link.get() == Link::Live
                class:dot-down=move || live.link.get() == Link::Offline
            ></span>
            " "
            {text}
        </span>
        <button
            type="button"
            class="notify"
            data-testid="notify"
            aria-pressed=move || live.notify.get().to_string()
            on:click=move |_| live.set_notify(!live.notify.get_untracked())
        >
            {tr!(live.notify)}
        </button>
    }
}

/// The toasts: "Order #10421: paid", each a link to the order.
#[component]
pub fn LiveNotices() -> impl IntoView {
    let live = use_live();
    let i18n = use_i18n();
    view! {
        <div class="toasts" role="status" aria-live="polite" aria-label=tr!(live.notice_region) data-testid="toasts">
            <For each=move || live.notices.get() key=|n| n.key let:notice>
                {
                    let key = notice.key;
                    let id = notice.id;
                    let text = move || {
                        let status = crate::i18n::status(i18n.get_locale(), &notice.status);
                        match &notice.actor {
                            Some(actor) => t_string!(i18n, live.toast_by, id, status, actor = actor.clone()).to_string(),
                            None => t_string!(i18n, live.toast, id, status).to_string(),
                        }
                    };
                    view! {
                        <p class="toast" data-testid="toast" data-order=id>
                            <A href=format!("/orders/{id}")>{text}</A>
                            <button
                                type="button"
                                class="dismiss"
                                aria-label=tr!(live.dismiss)
                                on:click=move |_| live.dismiss(key)
                            >
                                "×"
                            </button>
                        </p>
                    }
                }
            </For>
        </div>
    }
}
