//! The router: sign-in outside, every other page inside the signed-in shell.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::components::clock::provide_clock;
use crate::components::shell::Authed;
use crate::i18n::{provide_i18n, Locale};
use crate::logic::order_form::Product;
use crate::pages::audit::Audit;
use crate::pages::balance::BalancePage;
use crate::pages::bulk::BulkCheck;
use crate::pages::dashboard::Dashboard;
use crate::pages::login::Login;
use crate::pages::lookup::Lookup;
use crate::pages::new_order::NewOrder;
use crate::pages::not_found::NotFound;
use crate::pages::order::OrderPage;
use crate::pages::orders::Orders;
use crate::pages::pricing::Pricing;
use crate::pages::users::Users;
use crate::session::provide_session;

/// The console, in `locale` (whose texts are loaded) until the reader picks another.
#[component]
pub fn App(locale: Locale) -> impl IntoView {
    provide_i18n(locale);
    provide_session();
    provide_clock();
    view! {
        <Router>
            <PrefetchedForOnePage />
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=Login />
                <ParentRoute path=path!("") view=Authed>
                    <Route path=path!("/") view=Dashboard />
                    <Route path=path!("/orders") view=Orders />
                    <Route path=path!("/orders/new/stars") view=|| view! { <NewOrder product=Product::Stars /> } />
                    <Route path=path!("/orders/new/premium") view=|| view! { <NewOrder product=Product::Premium /> } />
                    <Route path=path!("/orders/:id") view=OrderPage />
                    <Route path=path!("/lookup") view=Lookup />
                    <Route path=path!("/recipients") view=BulkCheck />
                    <Route path=path!("/balance") view=BalancePage />
                    <Route path=path!("/pricing") view=Pricing />
                    <Route path=path!("/audit") view=Audit />
                    <Route path=path!("/users") view=Users />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// What `index.html` fetched before the console loaded is for the page that was loaded:
/// leaving it forgets the answers no read took.
#[component]
fn PrefetchedForOnePage() -> impl IntoView {
    let location = use_location();
    let loaded = location.pathname.get_untracked();
    Effect::new(move |_| {
        if location.pathname.get() != loaded {
            crate::api::prefetch::forget();
        }
    });
}
