//! Export every page of the current filter as CSV: pages fetched one after another (so the
//! proxy's rate governor is respected, waiting out any 429), a progress bar, a cancel
//! button, and a download built in the browser.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use openmoney_api::console::AuditQuery;
use openmoney_api::export::{self, CsvFile};

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

/// Walks every page through `page(offset)`, one at a time, waiting out rate limits;
/// `None` when cancelled.
async fn collect<T, F>(
    page: F,
    progress: RwSignal<Option<Progress>>,
    cancelled: StoredValue<bool>,
) -> Result<Option<Vec<T>>, ApiError>
where
    F: Fn(i64) -> api::Call<openmoney_api::Page<T>>,
{
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let batch = api::patiently(|| page(offset)).await?;
        let fetched = batch.items.len();
        rows.extend(batch.items);
        offset += PAGE;
        progress.set(Some(Progress { pages: (offset / PAGE) as u64, of: batch.total.div_ceil(PAGE as u64) }));
        if cancelled.get_value() {
            return Ok(None);
        }
        if fetched == 0 || offset as u64 >= batch.total {
            return Ok(Some(rows));
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
    match source {
        Source::Orders(filters) => {
            let page = |offset| {
                api::orders(openmoney_api::OrderListQuery {
                    limit: Some(PAGE),
                    offset: Some(offset),
                    ..filters.api_query()
                })
            };
            let Some(rows) = collect(page, progress, cancelled).await? else { return Ok(None) };
            Ok(Some((
                "orders.csv".into(),
                CsvFile::of(export::ORDER_COLUMNS, &rows, export::order_record),
                rows.len() as u64,
            )))
        }
        Source::Transactions(filters) => {
            let page = |offset| {
                api::transactions(openmoney_api::TransactionQuery {
                    limit: Some(PAGE),
                    offset: Some(offset),
                    ..filters.api_query()
                })
            };
            let Some(rows) = collect(page, progress, cancelled).await? else { return Ok(None) };
            let csv = CsvFile::of(export::TRANSACTION_COLUMNS, &rows, export::transaction_record);
            Ok(Some(("transactions.csv".into(), csv, rows.len() as u64)))
        }
        Source::Audit(filters) => {
            let page =
                |offset: i64| api::audit(AuditQuery { limit: Some(PAGE), offset: Some(offset), ..filters.api_query() });
            let Some(rows) = collect(page, progress, cancelled).await? else { return Ok(None) };
            Ok(Some((
                "audit.csv".into(),
                CsvFile::of(export::AUDIT_COLUMNS, &rows, export::audit_record),
                rows.len() as u64,
            )))
        }
    }
}
