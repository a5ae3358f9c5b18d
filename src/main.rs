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
    leptos::mount::mount_to_body(app::App);
}
