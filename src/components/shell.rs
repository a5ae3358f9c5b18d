//! The frame of every page: a skip link, the top bar with navigation, and the main area.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::NAV;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"Openmoney Console"</A>
            <nav aria-label="Main">
                <ul class="nav">
                    {NAV
                        .iter()
                        .map(|item| view! { <li><A href=item.path exact=true>{item.label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
    }
}
