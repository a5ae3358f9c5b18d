//! The router: every route of the console, inside the shell.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::Shell;
use crate::pages::{NotFound, Section};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Section title="Dashboard"/> }/>
                    <Route path=path!("/login") view=|| view! { <Section title="Sign in"/> }/>
                    <Route path=path!("/orders") view=|| view! { <Section title="Orders"/> }/>
                    <Route path=path!("/orders/new/stars") view=|| view! { <Section title="New Stars order"/> }/>
                    <Route path=path!("/orders/new/premium") view=|| view! { <Section title="New Premium order"/> }/>
                    <Route path=path!("/orders/:id") view=|| view! { <Section title="Order"/> }/>
                    <Route path=path!("/lookup") view=|| view! { <Section title="Lookup"/> }/>
                    <Route path=path!("/balance") view=|| view! { <Section title="Balance"/> }/>
                    <Route path=path!("/pricing") view=|| view! { <Section title="Pricing"/> }/>
                    <Route path=path!("/audit") view=|| view! { <Section title="Audit"/> }/>
                    <Route path=path!("/users") view=|| view! { <Section title="Users"/> }/>
                </Routes>
            </Shell>
        </Router>
    }
}
