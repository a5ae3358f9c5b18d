//! Openmoney Console: the browser console partner staff use to sell Telegram Stars and
//! Premium through TheOpenMoney. It talks only to the partner proxy, never to the upstream.

mod api;
mod app;
mod components;
mod i18n;
mod live;
mod logic;
mod nav;
mod pages;
mod session;

fn main() {
    // The reader's language is loaded first, so the console is drawn in it from the start
    // (before Leptos runs, so on wasm-bindgen's executor).
    wasm_bindgen_futures::spawn_local(async {
        let locale = i18n::prepare().await;
        leptos::mount::mount_to_body(move || leptos::view! { <app::App locale=locale /> });
    });
}
