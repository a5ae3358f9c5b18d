//! Previous / next links that keep the rest of the query.

use leptos::prelude::*;
use leptos_router::components::A;

/// `href_for(page)` builds the link of a page.
#[component]
pub fn Pager(page: u64, total: u64, href_for: Callback<u64, String>) -> impl IntoView {
    let pages = crate::logic::filters::page_count(total);
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <A href=href_for.run(page - 1) attr:rel="prev">"Previous"</A> })}
            <span data-testid="page-of">{format!("Page {page} of {pages} · {total} in all")}</span>
            {(page < pages).then(|| view! { <A href=href_for.run(page + 1) attr:rel="next">"Next"</A> })}
        </nav>
    }
}
