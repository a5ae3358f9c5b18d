//! Sign in, then back to the page that was asked for.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::i18n::{t_string, tr, use_i18n};
use crate::session::{safe_next, use_session};

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = api::Change::new(move |(user, pass): &(String, String)| api::login(user.clone(), pass.clone()));
    Effect::new(move |_| {
        if let Some(Ok(info)) = sign_in.value() {
            session.set(Some(info));
            let next = safe_next(query.get_untracked().get("next"));
            navigate(&next, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !sign_in.pending().get_untracked() {
            sign_in.dispatch((username.get_untracked(), password.get_untracked()));
        }
    };
    let error = move || {
        sign_in.value().and_then(Result::err).map(|e| match e {
            ApiError::Unauthorized => t_string!(i18n, login.wrong).to_owned(),
            other => other.human(i18n.get_locale()),
        })
    };
    view! {
        <main id="main" class="login">
            <h1>{tr!(app_name)}</h1>
            <form on:submit=submit class="card" aria-labelledby="login-title">
                <h2 id="login-title">{tr!(login.title)}</h2>
                <label for="username">{tr!(login.username)}</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="password">{tr!(login.password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || sign_in.pending().get()>
                    {tr!(login.submit)}
                </button>
                {move || {
                    error()
                        .map(|e| {
                            view! {
                                <p class="error-text" role="alert" data-testid="error">
                                    {e}
                                </p>
                            }
                        })
                }}
            </form>
        </main>
    }
}
