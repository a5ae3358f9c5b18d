use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="page" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"This address is not a page of the console. " <A href="/">"Go to the dashboard"</A></p>
        </main>
    }
}
