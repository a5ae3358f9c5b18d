//! Pricing: the rate, the fees and limits, and an estimator.

use leptos::prelude::*;

use crate::api;
use crate::components::feedback::loaded;
use crate::logic::money;
use crate::pages::new_order::{check_amount, Product};

#[component]
pub fn Pricing() -> impl IntoView {
    let rate = LocalResource::new(api::ton_rate);
    let fee = LocalResource::new(api::fee);
    let stars = RwSignal::new("100".to_owned());
    let months = RwSignal::new("3".to_owned());
    let stars_estimate = LocalResource::new(move || {
        let quantity = check_amount(Product::Stars, &stars.get(), None);
        async move { Some(api::estimate_stars(quantity.ok()?).await) }
    });
    let premium_estimate = LocalResource::new(move || {
        let value = check_amount(Product::Premium, &months.get(), None);
        async move { Some(api::estimate_premium(value.ok()?).await) }
    });
    let show = |e: Option<Option<Result<openmoney_api::Estimate, api::ApiError>>>| match e.flatten() {
        Some(Ok(e)) => {
            format!("{} ≈ {} (fee {})", money::ton(e.price_ton), money::usd(e.price_usd), money::ton(e.fee_ton))
        }
        Some(Err(e)) => e.human(),
        None => "Enter an amount within the limits.".into(),
    };
    view! {
        <section class="page">
            <h1>"Pricing"</h1>
            <div class="cards">
                <article class="card"><h2>"TON/USD"</h2>{loaded(rate, |r| view! { <p class="big">{format!("${}", r.ton_usd)}</p><p class="muted">"Updated "{r.updated_at.to_string()}</p> })}</article>
                <article class="card"><h2>"Fees and limits"</h2>{loaded(fee, |f| view! {
                    <dl class="facts">
                        <dt>"Service fee"</dt><dd>{format!("{}%", f.fee_percent)}</dd>
                        <dt>"Stars"</dt><dd>{format!("{} to {}", f.stars.min, f.stars.max)}</dd>
                        <dt>"Premium"</dt><dd>{f.premium.months.iter().map(|m| format!("{m}")).collect::<Vec<_>>().join(", ")}" months"</dd>
                        <dt>"Time to pay"</dt><dd>{format!("{} minutes", f.order_ttl_seconds / 60)}</dd>
                    </dl>
                })}</article>
            </div>
            <h2>"Estimator"</h2>
            <div class="cards">
                <article class="card">
                    <label for="est-stars">"Stars"</label>
                    <input id="est-stars" type="number" prop:value=move || stars.get() on:input=move |ev| stars.set(event_target_value(&ev))/>
                    <p aria-live="polite" data-testid="stars-estimate">{move || show(stars_estimate.get())}</p>
                </article>
                <article class="card">
                    <label for="est-months">"Premium months"</label>
                    <select id="est-months" on:change=move |ev| months.set(event_target_value(&ev))>
                        <option value="3">"3"</option><option value="6">"6"</option><option value="12">"12"</option>
                    </select>
                    <p aria-live="polite" data-testid="premium-estimate">{move || show(premium_estimate.get())}</p>
                </article>
            </div>
        </section>
    }
}
