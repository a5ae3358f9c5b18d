//! Export every page of the current filter as CSV: pages fetched one after another (so the
//! proxy's rate governor is respected, waiting out any 429), a progress bar, a cancel
//! button, and a download built in the browser.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use openmoney_api::console::AuditQuery;
use openmoney_api::export;

use crate::api::{self, ApiError};
use crate::logic::filters::{AuditFilters, OrderFilters, TransactionFilters};

/// Rows fetched per call while exporting.
const PAGE: i64 = 50;

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Orders(OrderFilters),
    Transactions(TransactionFilters),
    Audit(AuditFilters),
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Progress {
    pages: u64,
    of: u64,
}

/// One page of an export, written: its records as CSV lines, how many rows it held, and how
/// many the filter matches.
struct Written {
    lines: String,
    rows: usize,
    total: u64,
}

/// Fetches and writes the page at an offset. One type for every source, so the walk
/// through the pages is compiled once.
type Pages = Box<dyn Fn(i64) -> Pin<Box<dyn Future<Output = Result<Written, ApiError>>>>>;

/// The pages `call(offset)` fetches (waiting out rate limits), each row written by `record`.
fn pages<T: 'static, const N: usize>(
    call: impl Fn(i64) -> api::Call<openmoney_api::Page<T>> + 'static,
    record: fn(&T) -> [String; N],
) -> Pages {
    let call = Rc::new(call);
    Box::new(move |offset| {
        let call = call.clone();
        Box::pin(async move {
            let page = api::patiently(|| call(offset)).await?;
            let mut lines = String::new();
            for row in &page.items {
                export::write_record(&mut lines, &record(row));
            }
            Ok(Written { lines, rows: page.items.len(), total: page.total })
        })
    })
}

/// Walks every page, one at a time; the CSV and its row count, or `None` when cancelled.
async fn collect(
    columns: &[&str],
    pages: Pages,
    progress: RwSignal<Option<Progress>>,
    cancelled: StoredValue<bool>,
) -> Result<Option<(String, u64)>, ApiError> {
    let mut csv = String::new();
    export::write_record(&mut csv, columns);
    let (mut offset, mut rows) = (0, 0);
    loop {
        let page = pages(offset).await?;
        csv.push_str(&page.lines);
        rows += page.rows as u64;
        offset += PAGE;
        progress.set(Some(Progress { pages: (offset / PAGE) as u64, of: page.total.div_ceil(PAGE as u64) }));
        if cancelled.get_value() {
            return Ok(None);
        }
        if page.rows == 0 || offset as u64 >= page.total {
            return Ok(Some((csv, rows)));
        }
    }
}

/// Saves `text` as a CSV file named `name`.
pub fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(link) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
pub fn ExportButton(#[prop(into)] source: Signal<Source>) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let progress = RwSignal::new(None::<Progress>);
    let cancelled = StoredValue::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<u64>);
    let start = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        cancelled.set_value(false);
        error.set(None);
        done.set(None);
        progress.set(Some(Progress::default()));
        let source = source.get_untracked();
        leptos::task::spawn_local(async move {
            let result = run(source, progress, cancelled).await;
            match result {
                Ok(Some((name, text, rows))) => {
                    download(&name, &text);
                    done.set(Some(rows));
                }
                Ok(None) => {}
                Err(e) => error.set(Some(e)),
            }
            progress.set(None);
        });
    };
    view! {
        <div class="export">
            <Show
                when=move || progress.get().is_some()
                fallback=move || {
                    view! {
                        <button type="button" on:click=start data-testid="export">
                            {crate::i18n::tr!(export.button)}
                        </button>
                    }
                }
            >
                <label>
                    {move || {
                        progress
                            .get()
                            .map(|p| crate::i18n::t_string!(i18n, export.progress, page = p.pages, of = p.of.max(1)))
                    }}
                    <progress
                        max=move || progress.get().map_or(1, |p| p.of.max(1))
                        value=move || progress.get().map_or(0, |p| p.pages)
                        data-testid="export-progress"
                    ></progress>
                </label>
                <button type="button" on:click=move |_| cancelled.set_value(true)>
                    {crate::i18n::tr!(export.cancel)}
                </button>
            </Show>
            {move || {
                done.get()
                    .map(|rows| {
                        view! {
                            <span role="status" data-testid="export-done">
                                {move || crate::i18n::t_string!(i18n, export.done, n = rows)}
                            </span>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <crate::components::feedback::ErrorView error=e /> })}
        </div>
    }
}

type Export = Option<(String, String, u64)>;

async fn run(
    source: Source,
    progress: RwSignal<Option<Progress>>,
    cancelled: StoredValue<bool>,
) -> Result<Export, ApiError> {
    let (name, columns, pages): (&str, &[&str], Pages) = match source {
        Source::Orders(filters) => (
            "orders.csv",
            &export::ORDER_COLUMNS,
            pages(
                move |offset| {
                    api::orders(openmoney_api::OrderListQuery {
                        limit: Some(PAGE),
                        offset: Some(offset),
                        ..filters.api_query()
                    })
                },
                export::order_record,
            ),
        ),
        Source::Transactions(filters) => (
            "transactions.csv",
            &export::TRANSACTION_COLUMNS,
            pages(
                move |offset| {
                    api::transactions(openmoney_api::TransactionQuery {
                        limit: Some(PAGE),
                        offset: Some(offset),
                        ..filters.api_query()
                    })
                },
                export::transaction_record,
            ),
        ),
        Source::Audit(filters) => (
            "audit.csv",
            &export::AUDIT_COLUMNS,
            pages(
                move |offset| api::audit(AuditQuery { limit: Some(PAGE), offset: Some(offset), ..filters.api_query() }),
                export::audit_record,
            ),
        ),
    };
    let written = collect(columns, pages, progress, cancelled).await?;
    Ok(written.map(|(csv, rows)| (name.to_owned(), csv, rows)))
}
