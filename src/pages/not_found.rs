use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::tr;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="page" data-testid="not-found">
            <h1>{tr!(not_found.title)}</h1>
            <p>{tr!(not_found.text)}" " <A href="/">{tr!(not_found.home)}</A></p>
        </main>
    }
}
