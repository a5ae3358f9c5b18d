//! The one typed client of the proxy. Every answer is decoded into the shared wire types
//! or an [`ApiError`]; changes carry the console's CSRF headers.

mod change;
mod error;
pub mod read;

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder};
use openmoney_api::console::{
    AuditEntry, ConsoleConfig, Credentials, NewStaff, Quote, SessionInfo, StaffAccount, StaffChange,
};
use openmoney_api::sandbox::{PaymentResult, SimulatePayment};
use openmoney_api::{
    Balance, CreatePremiumOrder, CreateStarsOrder, Envelope, ErrorBody, Estimate, FeeInfo, Health, Order, OrderId,
    OrderListQuery, Page, RecipientCheck, StatsSummary, TonRate, Transaction, TransactionQuery,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use change::Change;
pub use error::ApiError;
pub use read::Read;

use crate::logic::filters::query_string;

thread_local! {
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the session's CSRF token for later changes.
pub fn set_csrf(token: Option<String>) {
    CSRF.with(|c| *c.borrow_mut() = token);
}

/// One exchange with the proxy: the status and body of a success, or the error. Every call
/// shares it, so only the decoding is compiled once per answer type.
async fn exchange(request: Result<Request, gloo_net::Error>) -> Result<(u16, String), ApiError> {
    let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.parse().ok());
    let text = response.text().await;
    if (200..300).contains(&status) {
        return text.map(|text| (status, text)).map_err(|e| ApiError::Network(format!("unreadable answer: {e}")));
    }
    let body =
        text.ok().and_then(|t| serde_json::from_str::<Envelope<()>>(&t).ok()).and_then(|e| e.into_result().err());
    Err(ApiError::from_answer(
        status,
        body.or_else(|| {
            Some(ErrorBody::new(openmoney_api::ErrorCode::Unknown(status.to_string()), format!("HTTP {status}")))
        }),
        retry_after,
    ))
}

async fn send<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Result<T, ApiError> {
    let (status, text) = exchange(request).await?;
    match serde_json::from_str::<Envelope<T>>(&text) {
        Ok(Envelope::Ok(data)) => Ok(data),
        Ok(Envelope::Err(body)) => Err(ApiError::from_answer(status, Some(body), None)),
        Err(e) => Err(ApiError::Network(format!("unreadable answer: {e}"))),
    }
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send(Request::get(path).header("Accept", "application/json").build()).await
}

fn change_request(builder: RequestBuilder) -> RequestBuilder {
    let token = CSRF.with(|c| c.borrow().clone()).unwrap_or_default();
    builder.header("X-Requested-With", "openmoney-console").header("X-CSRF-Token", &token)
}

async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    send(change_request(Request::post(path)).json(body)).await
}

fn with_query(path: &str, pairs: Vec<(&'static str, String)>) -> String {
    format!("{path}{}", query_string(&pairs))
}

pub async fn session() -> Result<SessionInfo, ApiError> {
    get("/auth/session").await
}

pub async fn login(username: String, password: String) -> Result<SessionInfo, ApiError> {
    post("/auth/login", &Credentials { username, password }).await
}

pub async fn logout() -> Result<SessionInfo, ApiError> {
    post("/auth/logout", &serde_json::json!({})).await
}

pub async fn config() -> Result<ConsoleConfig, ApiError> {
    get("/console/v1/config").await
}

pub async fn health() -> Result<Health, ApiError> {
    get("/api/v1/health").await
}

pub async fn order(id: OrderId) -> Result<Order, ApiError> {
    get(&format!("/api/v1/orders/{id}")).await
}

pub async fn orders(query: OrderListQuery) -> Result<Page<Order>, ApiError> {
    get(&with_query("/api/v1/orders", query.to_pairs())).await
}

pub async fn order_by_memo(memo: &str) -> Result<Order, ApiError> {
    get(&format!("/api/v1/orders/by-memo/{}", encode(memo))).await
}

pub async fn orders_by_reference(reference: &str) -> Result<Vec<Order>, ApiError> {
    get(&format!("/api/v1/orders/by-reference/{}", encode(reference))).await
}

pub async fn order_audit(id: OrderId) -> Result<Vec<AuditEntry>, ApiError> {
    get(&format!("/console/v1/orders/{id}/audit")).await
}

pub async fn stats() -> Result<StatsSummary, ApiError> {
    get("/api/v1/orders/stats/summary").await
}

/// A create with its Idempotency-Key and, when one was shown, the quote staff saw.
async fn create<B: Serialize>(path: &str, body: &B, key: &str, quote: Option<Quote>) -> Result<Order, ApiError> {
    let mut builder = change_request(Request::post(path)).header("Idempotency-Key", key);
    if let Some(quote) = quote {
        builder = builder.header(Quote::HEADER, &quote.to_header());
    }
    send(builder.json(body)).await
}

pub async fn create_stars(order: &CreateStarsOrder, key: &str, quote: Option<Quote>) -> Result<Order, ApiError> {
    create("/api/v1/orders/stars", order, key, quote).await
}

pub async fn create_premium(order: &CreatePremiumOrder, key: &str, quote: Option<Quote>) -> Result<Order, ApiError> {
    create("/api/v1/orders/premium", order, key, quote).await
}

pub async fn cancel(id: OrderId) -> Result<Order, ApiError> {
    post(&format!("/api/v1/orders/{id}/cancel"), &serde_json::json!({})).await
}

pub async fn simulate_payment(id: OrderId, payment: SimulatePayment) -> Result<PaymentResult, ApiError> {
    post(&format!("/sandbox/v1/orders/{id}/pay"), &payment).await
}

pub async fn ton_rate() -> Result<TonRate, ApiError> {
    get("/api/v1/pricing/ton-rate").await
}

pub async fn fee() -> Result<FeeInfo, ApiError> {
    get("/api/v1/pricing/fee").await
}

pub async fn estimate_stars(quantity: i64) -> Result<Estimate, ApiError> {
    get(&with_query("/api/v1/pricing/estimate/stars", vec![("quantity", quantity.to_string())])).await
}

pub async fn estimate_premium(months: i64) -> Result<Estimate, ApiError> {
    get(&with_query("/api/v1/pricing/estimate/premium", vec![("months", months.to_string())])).await
}

pub async fn recipient(username: &str, premium: bool) -> Result<RecipientCheck, ApiError> {
    let path = if premium { "/api/v1/recipients/premium" } else { "/api/v1/recipients/stars" };
    get(&with_query(path, vec![("username", username.to_owned())])).await
}

pub async fn balance() -> Result<Balance, ApiError> {
    get("/api/v1/balance").await
}

pub async fn transactions(query: TransactionQuery) -> Result<Page<Transaction>, ApiError> {
    get(&with_query("/api/v1/balance/transactions", query.to_pairs())).await
}

/// RFC 3986 unreserved characters stay as they are; the proxy refuses encoded dots.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// One page of the audit (admins).
pub async fn audit(pairs: Vec<(&'static str, String)>) -> Result<Page<AuditEntry>, ApiError> {
    get(&with_query("/console/v1/audit", pairs)).await
}

pub async fn staff() -> Result<Vec<StaffAccount>, ApiError> {
    get("/console/v1/users").await
}

pub async fn add_staff(new: NewStaff) -> Result<StaffAccount, ApiError> {
    post("/console/v1/users", &new).await
}

pub async fn change_staff(username: String, change: StaffChange) -> Result<StaffAccount, ApiError> {
    let path = format!("/console/v1/users/{}", encode(&username));
    send(change_request(Request::patch(&path)).json(&change)).await
}

pub async fn remove_staff(username: String) -> Result<String, ApiError> {
    let path = format!("/console/v1/users/{}", encode(&username));
    send(change_request(Request::delete(&path)).build()).await
}

pub async fn sandbox_fail(id: OrderId) -> Result<Order, ApiError> {
    post(&format!("/sandbox/v1/orders/{id}/fail"), &serde_json::json!({})).await
}

pub async fn sandbox_topup(amount: openmoney_api::Ton) -> Result<Transaction, ApiError> {
    post("/sandbox/v1/balance/topup", &openmoney_api::sandbox::TopUp { amount_ton: amount }).await
}

/// The order debits and refunds of the last week, newest first (at most 1,000).
pub async fn recent_spending(now_millis: i64) -> Result<Vec<Transaction>, ApiError> {
    let since = now_millis - crate::logic::runway::WINDOW_MILLIS;
    let mut all = Vec::new();
    for page in 0..10 {
        let query = TransactionQuery { kind: None, limit: Some(100), offset: Some(page * 100) };
        let batch = transactions(query).await?;
        let done = batch.items.len() < 100 || batch.items.last().is_some_and(|t| t.created_at.unix_millis() < since);
        all.extend(batch.items);
        if done {
            break;
        }
    }
    Ok(all)
}
