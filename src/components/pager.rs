//! Previous / next links that keep the rest of the query.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t_string, tr, use_i18n};

/// `href_for(page)` builds the link of a page.
#[component]
pub fn Pager(page: u64, total: u64, href_for: Callback<u64, String>) -> impl IntoView {
    let pages = crate::logic::filters::page_count(total);
    let i18n = use_i18n();
    let count = move |n: u64| crate::logic::numbers::count(i18n.get_locale(), n);
    view! {
        <nav class="pager" aria-label=tr!(pager.label)>
            {(page > 1)
                .then(|| {
                    view! {
                        <A href=href_for.run(page - 1) attr:rel="prev">
                            {tr!(pager.previous)}
                        </A>
                    }
                })}
            <span data-testid="page-of">
                {move || t_string!(i18n, pager.page_of, page = count(page), pages = count(pages), total = count(total))}
            </span>
            {(page < pages)
                .then(|| {
                    view! {
                        <A href=href_for.run(page + 1) attr:rel="next">
                            {tr!(pager.next)}
                        </A>
                    }
                })}
        </nav>
    }
}
