//! The frame of every signed-in page: a skip link, the top bar (navigation, search, health,
//! the user and role, theme, sign out) and the page itself.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_navigate;

use wasm_bindgen::JsCast;

use crate::api;
use crate::components::feedback::{ErrorView, Skeleton};
use crate::components::live::{LiveNotices, LiveStatus};
use crate::i18n::{choose, locale_of, t_string, tr, use_i18n, LANGUAGES};
use crate::logic::shortcuts::{Keys, Shortcut, LIST};
use crate::nav::NAV;
use crate::session::{use_sandbox_mode, use_session};

/// Makes sure someone is signed in (or sends them to sign in and back), then shows the
/// shell around the page.
#[component]
pub fn Authed() -> impl IntoView {
    let session = use_session();
    let sandbox = use_sandbox_mode();
    let check = api::Read::new(move || async move {
        if let Some(info) = session.0.get_untracked() {
            return Ok(info);
        }
        api::session().await
    });
    Effect::new(move |_| {
        if let Some(Ok(info)) = check.get() {
            if session.0.get_untracked().as_ref() != Some(&info) {
                session.set(Some(info));
            }
            leptos::task::spawn_local(async move {
                if let Ok(config) = api::config().await {
                    sandbox.0.set(config.sandbox);
                }
            });
        }
    });
    // No Suspense here: it would hold the whole page (and its focus) hostage to every
    // resource a page loads.
    move || match check.get() {
        None => view! { <Skeleton /> }.into_any(),
        Some(Ok(_)) => view! { <Shell /> }.into_any(),
        Some(Err(error)) => view! {
            <main id="main">
                <ErrorView error=error />
            </main>
        }
        .into_any(),
    }
}

fn apply_theme(theme: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme);
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item("theme", theme);
    }
}

fn saved_theme() -> String {
    let saved = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("theme").ok().flatten());
    saved.unwrap_or_else(|| {
        let dark = web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches());
        if dark { "dark" } else { "light" }.to_owned()
    })
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let theme = RwSignal::new(saved_theme());
    Effect::new(move |_| apply_theme(&theme.get()));
    let live = crate::live::provide_live();
    let health = api::Read::new(api::health);
    // The feed says when the upstream goes down or comes back; before it does, one read.
    let upstream_up = move || live.upstream_up.get().or_else(|| health.get().map(|h| h.is_ok()));
    let search = RwSignal::new(String::new());
    let go = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(path) = crate::logic::search::destination(&search.get_untracked()) {
                search.set(String::new());
                navigate(&path, Default::default());
            }
        }
    };
    let logout = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let _ = api::logout().await;
            session.set(None);
            navigate("/login", Default::default());
        });
    };
    let who =
        move || session.0.get().map(|s| (s.username, crate::i18n::role(i18n.get_locale(), s.role))).unwrap_or_default();
    let help = RwSignal::new(false);
    let keys = StoredValue::new(Keys::default());
    let key_navigate = use_navigate();
    let listener = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            help.set(false);
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let Some(shortcut) = keys.try_update_value(|k| k.press(&ev.key())).flatten() else { return };
        ev.prevent_default();
        match shortcut {
            Shortcut::FocusSearch => {
                if let Some(input) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("search"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = input.focus();
                }
            }
            Shortcut::Go(path) => key_navigate(path, Default::default()),
            Shortcut::Help => help.update(|open| *open = !*open),
        }
    });
    on_cleanup(move || listener.remove());
    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                if let Some(main) = document()
                    .get_element_by_id("main")
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = main.focus();
                }
            }
        >
            {tr!(shell.skip)}
        </a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                {tr!(app_name)}
            </A>
            <nav aria-label=tr!(nav.main)>
                <ul class="nav">
                    {NAV
                        .iter()
                        .map(|item| {
                            let needs = item.role;
                            view! {
                                <Show when=move || session.can(needs)>
                                    <li>
                                        <A href=item.path exact=true>
                                            {move || item.label.text(i18n.get_locale())}
                                        </A>
                                    </li>
                                </Show>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <form class="search" role="search" on:submit=go>
                <label class="visually-hidden" for="search">
                    {tr!(shell.search_label)}
                </label>
                <input
                    id="search"
                    type="search"
                    placeholder=tr!(shell.search_placeholder)
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </form>
            <span class="health" data-testid="health">
                {move || match upstream_up() {
                    None => {
                        view! {
                            <span class="dot dot-unknown" title=tr!(shell.health_checking)></span>
                            <span class="visually-hidden">{tr!(shell.health_checking)}</span>
                        }
                            .into_any()
                    }
                    Some(true) => {
                        view! {
                            <span class="dot dot-ok" title=tr!(shell.health_up)></span>
                            <span class="visually-hidden">{tr!(shell.health_up)}</span>
                        }
                            .into_any()
                    }
                    Some(false) => {
                        view! {
                            <span class="dot dot-down" title=tr!(shell.health_down)></span>
                            <span class="visually-hidden">{tr!(shell.health_down)}</span>
                        }
                            .into_any()
                    }
                }}
            </span>
            <LiveStatus />
            <span class="user" data-testid="user">
                {move || who().0}
                " · "
                <span class="role">{move || who().1}</span>
            </span>
            <button
                type="button"
                class="theme"
                aria-pressed=move || (theme.get() == "dark").to_string()
                on:click=move |_| theme.update(|t| *t = if t == "dark" { "light".into() } else { "dark".into() })
            >
                {tr!(shell.theme_dark)}
            </button>
            <label class="visually-hidden" for="language">
                {tr!(shell.language)}
            </label>
            <select
                id="language"
                class="language"
                data-testid="language"
                // Back to the language shown when the one picked could not be loaded.
                prop:value=move || {
                    i18n.unavailable();
                    i18n.get_locale().as_str().to_owned()
                }
                on:change=move |ev| {
                    if let Some(locale) = locale_of(&event_target_value(&ev)) {
                        choose(i18n, locale);
                    }
                }
            >
                {LANGUAGES
                    .iter()
                    .map(|(locale, name)| {
                        let locale = *locale;
                        view! {
                            <option
                                value=locale.as_str()
                                lang=locale.as_str()
                                selected=move || i18n.get_locale() == locale
                            >
                                {*name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <span class="language-error" role="alert" data-testid="language-error">
                {move || {
                    let name = |failed| LANGUAGES.iter().find(|(l, _)| *l == failed).map_or("", |(_, name)| *name);
                    i18n.unavailable()
                        .map(|failed| t_string!(i18n, shell.language_unavailable, language = name(failed)))
                }}
            </span>
            <button type="button" class="logout" on:click=logout>
                {tr!(shell.sign_out)}
            </button>
        </header>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
        <LiveNotices />
        <Show when=move || help.get()>
            <div class="overlay" on:click=move |_| help.set(false)>
                <div
                    class="card dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="keys-title"
                    data-testid="shortcuts"
                    on:click=|ev| ev.stop_propagation()
                >
                    <h2 id="keys-title">{tr!(shell.shortcuts_title)}</h2>
                    <dl class="facts">
                        {LIST
                            .iter()
                            .map(|(keys, what)| {
                                view! {
                                    <dt>
                                        <kbd>{*keys}</kbd>
                                    </dt>
                                    <dd>{move || what.text(i18n.get_locale())}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                    <button type="button" on:click=move |_| help.set(false)>
                        {tr!(shell.close)}
                    </button>
                </div>
            </div>
        </Show>
    }
}
