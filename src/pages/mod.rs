//! Pages of the console, one per route.

use leptos::prelude::*;
use leptos_router::components::A;

/// A page of the console with its heading.
#[component]
pub fn Section(title: &'static str) -> impl IntoView {
    view! {
        <section class="page" data-testid="page">
            <h1>{title}</h1>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"This address is not a page of the console. " <A href="/">"Go to the dashboard"</A></p>
        </section>
    }
}
