//! A table of one page of a list, with its pager under it.

use leptos::prelude::*;

use crate::components::pager::Pager;

/// `headings` over `rows`; `page` of `total` items, each page's link made by `href_for`.
pub fn paged_table(
    testid: &'static str,
    headings: Vec<&'static str>,
    rows: impl IntoView + 'static,
    page: u64,
    total: u64,
    href_for: Callback<u64, String>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <thead>
                    <tr>{headings.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=page total=total href_for=href_for />
    }
}
