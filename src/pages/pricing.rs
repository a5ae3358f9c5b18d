//! Pricing: the rate, the fees and limits, and an estimator.

use leptos::prelude::*;

use crate::api;
use crate::components::feedback::loaded;
use crate::components::rate::Rate;
use crate::i18n::{td_string, tr, use_i18n};
use crate::logic::money;
use crate::logic::numbers;
use crate::logic::order_form::{check_amount, Product};

#[component]
pub fn Pricing() -> impl IntoView {
    let i18n = use_i18n();
    let fee = api::Read::new(api::fee);
    let stars = RwSignal::new("100".to_owned());
    let months = RwSignal::new(openmoney_api::validate::PREMIUM_MONTHS[0].to_string());
    let stars_estimate = api::Read::new(move || {
        let quantity = check_amount(Product::Stars, &stars.get(), None);
        async move { Some(api::estimate_stars(quantity.ok()?).await) }
    });
    let premium_estimate = api::Read::new(move || {
        let value = check_amount(Product::Premium, &months.get(), None);
        async move { Some(api::estimate_premium(value.ok()?).await) }
    });
    let show = move |e: Option<Option<Result<openmoney_api::Estimate, api::ApiError>>>| {
        let l = i18n.get_locale();
        match e.flatten() {
            Some(Ok(e)) => td_string!(
                l,
                pricing.estimate,
                ton = money::ton(l, e.price_ton),
                usd = money::usd(l, e.price_usd),
                fee = money::ton(l, e.fee_ton)
            ),
            Some(Err(e)) => e.human(l),
            None => td_string!(l, pricing.enter_amount).into(),
        }
    };
    view! {
        <section class="page">
            <h1>{tr!(pricing.title)}</h1>
            <div class="cards">
                <article class="card">
                    <h2>{tr!(dashboard.rate)}</h2>
                    <Rate />
                </article>
                <article class="card">
                    <h2>{tr!(pricing.fees)}</h2>
                    {loaded(
                        fee,
                        move |f| {
                            let l = i18n.get_locale();
                            view! {
                                <dl class="facts">
                                    <dt>{td_string!(l, pricing.service_fee)}</dt>
                                    <dd>{format!("{}%", numbers::number(l, &f.fee_percent.to_string()))}</dd>
                                    <dt>{td_string!(l, common.stars)}</dt>
                                    <dd>
                                        {td_string!(
                                            l, pricing.stars_range, min = numbers::count(l, f.stars.min), max = numbers::count(l, f.stars.max)
                                        )}
                                    </dd>
                                    <dt>{td_string!(l, common.premium)}</dt>
                                    <dd>
                                        {td_string!(
                                            l, common.months, n = f.premium.months.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
                                        )}
                                    </dd>
                                    <dt>{td_string!(l, pricing.time_to_pay)}</dt>
                                    <dd>{td_string!(l, pricing.minutes, n = f.order_ttl_seconds / 60)}</dd>
                                </dl>
                            }
                        },
                    )}
                </article>
            </div>
            <h2>{tr!(pricing.estimator)}</h2>
            <div class="cards">
                <article class="card">
                    <label for="est-stars">{tr!(common.stars)}</label>
                    <input
                        id="est-stars"
                        type="number"
                        prop:value=move || stars.get()
                        on:input=move |ev| stars.set(event_target_value(&ev))
                    />
                    <p aria-live="polite" data-testid="stars-estimate">
                        {move || show(stars_estimate.get())}
                    </p>
                </article>
                <article class="card">
                    <label for="est-months">{tr!(pricing.premium_months)}</label>
                    <select id="est-months" on:change=move |ev| months.set(event_target_value(&ev))>
                        {openmoney_api::validate::PREMIUM_MONTHS
                            .iter()
                            .map(|m| view! { <option value=m.to_string()>{m.to_string()}</option> })
                            .collect_view()}
                    </select>
                    <p aria-live="polite" data-testid="premium-estimate">
                        {move || show(premium_estimate.get())}
                    </p>
                </article>
            </div>
        </section>
    }
}
