//! The balance runway, with a top-up QR when it runs low.

use leptos::prelude::*;

use crate::api;
use crate::components::clock::now_millis;
use crate::components::qr::Qr;
use crate::logic::{runway, tonlink};

#[component]
pub fn RunwayNote() -> impl IntoView {
    let live = crate::live::use_live();
    let data = live.read(move || {
        live.balance_moves.track();
        async {
            let balance = api::balance().await?;
            let history = api::recent_spending(now_millis()).await?;
            Ok::<_, api::ApiError>((balance, history))
        }
    });
    let i18n = crate::i18n::use_i18n();
    move || {
        data.get().and_then(Result::ok).map(|(balance, history)| {
            let runway = runway::estimate(balance.balance_ton, &history, now_millis());
            let link = tonlink::topup(&balance.topup_address);
            view! {
                <p class="runway" class:error-text=runway.is_low() data-testid="runway">
                    {move || runway.text(i18n.get_locale())}
                </p>
                {runway
                    .is_low()
                    .then(|| {
                        view! {
                            <div class="runway-topup">
                                <p>{crate::i18n::tr!(runway.topup_soon)}</p>
                                <Qr text=link label=crate::i18n::td_string!(i18n.get_locale(), runway.qr_label) />
                            </div>
                        }
                    })}
            }
        })
    }
}
