//! The balance runway, with a top-up QR when it runs low.

use leptos::prelude::*;

use crate::api;
use crate::components::clock::now_millis;
use crate::components::qr::Qr;
use crate::logic::{runway, tonlink};

#[component]
pub fn RunwayNote() -> impl IntoView {
    let data = LocalResource::new(|| async {
        let balance = api::balance().await?;
        let history = api::recent_spending(now_millis()).await?;
        Ok::<_, api::ApiError>((balance, history))
    });
    move || {
        data.get().and_then(Result::ok).map(|(balance, history)| {
            let runway = runway::estimate(balance.balance_ton, &history, now_millis());
            let link = tonlink::topup(&balance.topup_address);
            view! {
                <p class="runway" class:error-text=runway.is_low() data-testid="runway">{runway.text()}</p>
                {runway.is_low().then(|| view! {
                    <div class="runway-topup">
                        <p>"Top up soon: scan to send TON to the top-up address."</p>
                        <Qr text=link label="QR code of the top-up address"/>
                    </div>
                })}
            }
        })
    }
}
