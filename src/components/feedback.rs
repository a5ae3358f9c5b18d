//! Loading skeletons, status badges, and the one error component.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use openmoney_api::OrderStatus;

use crate::api::read::{downcast, Erased, Read};
use crate::api::ApiError;
use crate::i18n::{t_string, tr, use_i18n, Locale};
use crate::logic::html::Markup;

#[component]
pub fn Skeleton(#[prop(default = 3)] lines: usize) -> impl IntoView {
    view! {
        <div class="skeleton" aria-busy="true" aria-label=tr!(common.loading) data-testid="loading">
            {(0..lines).map(|_| view! { <div class="skeleton-line"></div> }).collect_view()}
        </div>
    }
}

/// An order's status as a badge, in the language in use.
#[component]
pub fn StatusBadge(status: OrderStatus) -> impl IntoView {
    let i18n = use_i18n();
    move || status_badge(i18n.get_locale(), &status)
}

/// An order's status as a badge in `locale`, drawn once: for a view that is redrawn
/// whenever the status or the language changes.
pub fn status_badge(locale: Locale, status: &OrderStatus) -> impl IntoView {
    view! {
        <span class=badge_class(status) data-testid="status" data-status=status.as_str().to_owned()>
            {crate::i18n::status(locale, status)}
        </span>
    }
}

/// The same badge as markup, for rows drawn in one piece.
pub fn status_badge_markup(markup: &mut Markup, locale: Locale, status: &OrderStatus) {
    markup.raw(r#"<span class=""#).text(&badge_class(status));
    markup.raw(r#"" data-testid="status" data-status=""#).text(status.as_str());
    markup.raw(r#"">"#).text(&crate::i18n::status(locale, status)).raw("</span>");
}

fn badge_class(status: &OrderStatus) -> String {
    format!("badge badge-{}", status.as_str().replace('_', "-"))
}

/// Seconds before a read that failed for a passing reason (the upstream or the network
/// down) is tried again by itself, so a page comes back on its own when the upstream does.
const AUTO_RETRY_SECONDS: u64 = 10;

/// Explains an error. A lost session goes to sign-in and back; a rate limit counts down
/// and retries by itself; any other transient failure offers a retry and, when it has
/// one, counts down and retries by itself too.
#[component]
pub fn ErrorView(error: ApiError, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    if error == ApiError::Unauthorized {
        let here = use_location();
        let navigate = use_navigate();
        let search = here.search.get_untracked();
        let query = search.trim_start_matches('?');
        let next = if query.is_empty() {
            here.pathname.get_untracked()
        } else {
            format!("{}?{query}", here.pathname.get_untracked())
        };
        Effect::new(move |_| navigate(&crate::session::login_path(&next), Default::default()));
    }
    let rate_limited = matches!(error, ApiError::RateLimited { .. });
    let countdown = RwSignal::new(match &error {
        ApiError::RateLimited { retry_after, .. } => *retry_after,
        other if other.is_transient() && retry.is_some() => AUTO_RETRY_SECONDS,
        _ => 0,
    });
    if countdown.get_untracked() > 0 {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let before = countdown.get_untracked();
                if before == 0 {
                    return;
                }
                countdown.set(before - 1);
                // Retry once, when the wait is over.
                if before == 1 {
                    if let Some(retry) = retry {
                        retry.run(());
                    }
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let i18n = use_i18n();
    let human = {
        let error = error.clone();
        move || error.human(i18n.get_locale())
    };
    let detail = error.detail();
    let transient = error.is_transient() && !rate_limited;
    let text = move || match countdown.get() {
        0 => human(),
        seconds if rate_limited => t_string!(i18n, error.rate_limited, seconds = seconds).to_string(),
        seconds => format!("{} {}", human(), t_string!(i18n, error.retrying_in, seconds = seconds)),
    };
    view! {
        <div class="error" role="alert" data-testid="error">
            <p class="error-text">{text}</p>
            {detail
                .map(|d| {
                    view! {
                        <details>
                            <summary>{tr!(error.details)}</summary>
                            <code>{d}</code>
                        </details>
                    }
                })}
            {(transient && retry.is_some())
                .then(|| {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| {
                                if let Some(retry) = retry {
                                    retry.run(())
                                }
                            }
                        >
                            {tr!(error.retry)}
                        </button>
                    }
                })}
        </div>
    }
}

/// Renders a read: a skeleton while it first loads, the content (kept on screen while it
/// refreshes), or the error with a retry.
pub fn loaded<T, V>(read: Read<Result<T, ApiError>>, render: impl Fn(T) -> V + Send + Sync + 'static) -> AnyView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    transition(
        read.erased(),
        Arc::new(move |answer| match downcast::<Result<T, ApiError>>(answer) {
            Ok(value) => render(value).into_any(),
            Err(error) => view! { <ErrorView error=error retry=Callback::new(move |_| read.refetch()) /> }.into_any(),
        }),
    )
}

/// The part of [`loaded`] that does not depend on the answer's type, compiled once.
fn transition(resource: LocalResource<Erased>, render: Arc<dyn Fn(&Erased) -> AnyView + Send + Sync>) -> AnyView {
    view! {
        <Transition fallback=|| {
            view! { <Skeleton /> }
        }>{move || resource.get().map(|answer| render(&answer))}</Transition>
    }
    .into_any()
}
