//! The TON/USD rate, as the dashboard and the pricing page show it.

use leptos::prelude::*;

use crate::api;
use crate::components::feedback::loaded;
use crate::i18n::{td_string, use_i18n};
use crate::logic::money;

/// The rate in dollars and when it was set; it reads the rate itself.
#[component]
pub fn Rate() -> impl IntoView {
    let i18n = use_i18n();
    let rate = api::Read::new(api::ton_rate);
    loaded(rate, move |r| {
        let l = i18n.get_locale();
        view! {
            <p class="big">{money::usd_exact(l, r.ton_usd)}</p>
            <p class="muted">{td_string!(l, common.updated, when = crate::i18n::when(l, r.updated_at))}</p>
        }
    })
}
