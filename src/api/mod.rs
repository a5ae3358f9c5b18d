//! The one typed client of the proxy. Every answer is decoded into the shared wire types
//! or an [`ApiError`]; changes carry the console's CSRF headers.

mod change;
mod error;
pub mod prefetch;
pub mod read;
mod wait;

use std::cell::RefCell;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use gloo_net::http::{Request, RequestBuilder, Response};
use openmoney_api::console::{
    AuditEntry, AuditQuery, ConsoleConfig, Credentials, NewStaff, Quote, SessionInfo, StaffAccount, StaffChange,
};
use openmoney_api::sandbox::{PaymentResult, SimulatePayment};
use openmoney_api::{
    Balance, CreatePremiumOrder, CreateStarsOrder, ErrorBody, ErrorCode, Estimate, FeeInfo, Health, Order, OrderId,
    OrderListQuery, Page, RecipientCheck, StatsSummary, TonRate, Transaction, TransactionQuery,
};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use wasm_bindgen::JsCast;

pub use change::Change;
pub use error::ApiError;
pub use read::Read;
pub use wait::patiently;

use crate::logic::filters::query_string;

thread_local! {
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the session's CSRF token for later changes.
pub fn set_csrf(token: Option<String>) {
    CSRF.with(|c| *c.borrow_mut() = token);
}

/// A request to send, or one the page started before the console loaded.
enum Outgoing {
    Fresh(Result<Request, gloo_net::Error>),
    Prefetched(js_sys::Promise),
}

/// One exchange with the proxy: the status and body of a success, or the error. Every call
/// shares it; only the decoding is compiled per answer type.
async fn exchange(outgoing: Outgoing) -> Result<(u16, String), ApiError> {
    let response = match outgoing {
        Outgoing::Fresh(request) => {
            let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
            request.send().await.map_err(|e| ApiError::Network(e.to_string()))?
        }
        Outgoing::Prefetched(answer) => match wasm_bindgen_futures::JsFuture::from(answer).await {
            Ok(response) => Response::from(response.unchecked_into::<web_sys::Response>()),
            Err(error) => {
                let message = error.dyn_into::<js_sys::Error>().map(|e| String::from(e.message()));
                return Err(ApiError::Network(message.unwrap_or_else(|_| "the request failed".into())));
            }
        },
    };
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.parse().ok());
    let text = response.text().await;
    if (200..300).contains(&status) {
        return text.map(|text| (status, text)).map_err(|e| ApiError::Network(format!("unreadable answer: {e}")));
    }
    let body = text.ok().and_then(|text| Reply::read(&text).ok().filter(|reply| !reply.ok).map(Reply::error));
    Err(ApiError::from_answer(status, body, retry_after))
}

/// Either shape of an answer, with `data` left as JSON text. Every call reads its answer
/// through this one type, so only `data` is decoded per answer type.
#[derive(serde::Deserialize)]
struct Reply<'a> {
    ok: bool,
    #[serde(borrow, default)]
    data: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    error_code: Option<ErrorCode>,
    #[serde(default)]
    error_message: Option<String>,
}

impl Reply<'_> {
    fn read(text: &str) -> Result<Reply<'_>, ApiError> {
        serde_json::from_str(text).map_err(unreadable)
    }

    fn error(self) -> ErrorBody {
        ErrorBody::new(
            self.error_code.unwrap_or(ErrorCode::Unknown(String::new())),
            self.error_message.unwrap_or_default(),
        )
    }
}

fn unreadable(error: serde_json::Error) -> ApiError {
    ApiError::Network(format!("unreadable answer: {error}"))
}

/// The `data` of a successful answer, as JSON text, or the error the answer carries.
fn data(status: u16, text: &str) -> Result<&str, ApiError> {
    let reply = Reply::read(text)?;
    if !reply.ok {
        return Err(ApiError::from_answer(status, Some(reply.error()), None));
    }
    reply.data.map(|data| data.get()).ok_or_else(|| ApiError::Network("unreadable answer: no `data`".into()))
}

/// The `data` of a successful answer, decoded, or the error the answer carries.
fn decode<T: DeserializeOwned>(status: u16, text: String) -> Result<T, ApiError> {
    serde_json::from_str(data(status, &text)?).map_err(unreadable)
}

/// A call to the proxy, ready to send: `.await` it for its answer.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    request: Outgoing,
    decode: fn(u16, String) -> Result<T, ApiError>,
}

fn call<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Call<T> {
    Call { request: Outgoing::Fresh(request), decode: decode::<T> }
}

impl<T> IntoFuture for Call<T> {
    type Output = Result<T, ApiError>;
    type IntoFuture = Answer<T>;

    fn into_future(self) -> Answer<T> {
        Answer { exchange: Box::pin(exchange(self.request)), decode: self.decode }
    }
}

type Exchange = Pin<Box<dyn Future<Output = Result<(u16, String), ApiError>>>>;

/// A call on its way: the shared exchange, then this answer's decoding.
pub struct Answer<T> {
    exchange: Exchange,
    decode: fn(u16, String) -> Result<T, ApiError>,
}

impl<T> Future for Answer<T> {
    type Output = Result<T, ApiError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let decode = self.decode;
        self.exchange.as_mut().poll(cx).map(|answer| answer.and_then(|(status, text)| decode(status, text)))
    }
}

/// A read of `path`: the answer the page already started, else a new request.
fn outgoing(path: &str) -> Outgoing {
    match prefetch::take(path) {
        Some(answer) => Outgoing::Prefetched(answer),
        None => Outgoing::Fresh(Request::get(path).header("Accept", "application/json").build()),
    }
}

fn get<T: DeserializeOwned>(path: &str) -> Call<T> {
    Call { request: outgoing(path), decode: decode::<T> }
}

/// One of the console's own files (a language's texts), as text.
pub async fn file(path: &str) -> Result<String, ApiError> {
    exchange(outgoing(path)).await.map(|(_, text)| text)
}

fn change_request(builder: RequestBuilder) -> RequestBuilder {
    let token = CSRF.with(|c| c.borrow().clone()).unwrap_or_default();
    builder.header("X-Requested-With", "openmoney-console").header("X-CSRF-Token", &token)
}

/// The body of a change that carries nothing: `{}`.
#[derive(Serialize)]
struct NoFields {}

fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Call<T> {
    call(change_request(Request::post(path)).json(body))
}

fn with_query(path: &str, pairs: Vec<(&'static str, String)>) -> String {
    format!("{path}{}", query_string(&pairs))
}

pub fn session() -> Call<SessionInfo> {
    get("/auth/session")
}

pub fn login(username: String, password: String) -> Call<SessionInfo> {
    post("/auth/login", &Credentials { username, password })
}

pub fn logout() -> Call<SessionInfo> {
    post("/auth/logout", &NoFields {})
}

pub fn config() -> Call<ConsoleConfig> {
    get("/console/v1/config")
}

pub fn health() -> Call<Health> {
    get("/api/v1/health")
}

pub fn order(id: OrderId) -> Call<Order> {
    get(&format!("/api/v1/orders/{id}"))
}

pub fn orders(query: OrderListQuery) -> Call<Page<Order>> {
    get(&with_query("/api/v1/orders", query.to_pairs()))
}

pub fn order_by_memo(memo: &str) -> Call<Order> {
    get(&format!("/api/v1/orders/by-memo/{}", encode(memo)))
}

pub fn orders_by_reference(reference: &str) -> Call<Vec<Order>> {
    get(&format!("/api/v1/orders/by-reference/{}", encode(reference)))
}

pub fn order_audit(id: OrderId) -> Call<Vec<AuditEntry>> {
    get(&format!("/console/v1/orders/{id}/audit"))
}

pub fn stats() -> Call<StatsSummary> {
    get("/api/v1/orders/stats/summary")
}

/// A create with its Idempotency-Key and, when one was shown, the quote staff saw.
fn create<B: Serialize>(path: &str, body: &B, key: &str, quote: Option<Quote>) -> Call<Order> {
    let mut builder = change_request(Request::post(path)).header("Idempotency-Key", key);
    if let Some(quote) = quote {
        builder = builder.header(Quote::HEADER, &quote.to_header());
    }
    call(builder.json(body))
}

pub fn create_stars(order: &CreateStarsOrder, key: &str, quote: Option<Quote>) -> Call<Order> {
    create("/api/v1/orders/stars", order, key, quote)
}

pub fn create_premium(order: &CreatePremiumOrder, key: &str, quote: Option<Quote>) -> Call<Order> {
    create("/api/v1/orders/premium", order, key, quote)
}

pub fn cancel(id: OrderId) -> Call<Order> {
    post(&format!("/api/v1/orders/{id}/cancel"), &NoFields {})
}

pub fn simulate_payment(id: OrderId, payment: SimulatePayment) -> Call<PaymentResult> {
    post(&format!("/sandbox/v1/orders/{id}/pay"), &payment)
}

pub fn ton_rate() -> Call<TonRate> {
    get("/api/v1/pricing/ton-rate")
}

pub fn fee() -> Call<FeeInfo> {
    get("/api/v1/pricing/fee")
}

pub fn estimate_stars(quantity: i64) -> Call<Estimate> {
    get(&with_query("/api/v1/pricing/estimate/stars", vec![("quantity", quantity.to_string())]))
}

pub fn estimate_premium(months: i64) -> Call<Estimate> {
    get(&with_query("/api/v1/pricing/estimate/premium", vec![("months", months.to_string())]))
}

pub fn recipient(username: &str, premium: bool) -> Call<RecipientCheck> {
    let path = if premium { "/api/v1/recipients/premium" } else { "/api/v1/recipients/stars" };
    get(&with_query(path, vec![("username", username.to_owned())]))
}

pub fn balance() -> Call<Balance> {
    get("/api/v1/balance")
}

pub fn transactions(query: TransactionQuery) -> Call<Page<Transaction>> {
    get(&with_query("/api/v1/balance/transactions", query.to_pairs()))
}

/// RFC 3986 unreserved characters stay as they are; the proxy refuses encoded dots.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// One page of the audit (admins).
pub fn audit(query: AuditQuery) -> Call<Page<AuditEntry>> {
    get(&with_query("/console/v1/audit", query.to_pairs()))
}

pub fn staff() -> Call<Vec<StaffAccount>> {
    get("/console/v1/users")
}

pub fn add_staff(new: NewStaff) -> Call<StaffAccount> {
    post("/console/v1/users", &new)
}

pub fn change_staff(username: String, change: StaffChange) -> Call<StaffAccount> {
    let path = format!("/console/v1/users/{}", encode(&username));
    call(change_request(Request::patch(&path)).json(&change))
}

pub fn remove_staff(username: String) -> Call<String> {
    let path = format!("/console/v1/users/{}", encode(&username));
    call(change_request(Request::delete(&path)).build())
}

/// The buyer's payment link of an order: made now, or the live one it has.
pub fn payment_link(id: OrderId) -> Call<openmoney_api::pay::PaymentLink> {
    post(&format!("/console/v1/orders/{id}/payment-link"), &NoFields {})
}

pub fn revoke_payment_link(id: OrderId) -> Call<IgnoredAny> {
    call(change_request(Request::delete(&format!("/console/v1/orders/{id}/payment-link"))).build())
}

pub fn sandbox_fail(id: OrderId) -> Call<Order> {
    post(&format!("/sandbox/v1/orders/{id}/fail"), &NoFields {})
}

pub fn sandbox_topup(amount: openmoney_api::Ton) -> Call<Transaction> {
    post("/sandbox/v1/balance/topup", &openmoney_api::sandbox::TopUp { amount_ton: amount })
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

#[cfg(test)]
mod tests {
    use openmoney_api::{Balance, ErrorCode, Ton};

    use super::{decode, ApiError};

    fn answer<T: serde::de::DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiError> {
        decode(status, text.to_owned())
    }

    #[test]
    fn a_success_decodes_its_data_exactly() {
        let text = r#"{"ok":true,"data":{"balance_ton":12.5,"pending_ton":0.000000001,"topup_address":"UQ-top"}}"#;
        let balance: Balance = answer(200, text).unwrap();
        assert_eq!(balance.balance_ton, "12.5".parse::<Ton>().unwrap());
        assert_eq!(balance.pending_ton, "0.000000001".parse::<Ton>().unwrap());
        assert_eq!(balance.topup_address, "UQ-top");
    }

    #[test]
    fn an_error_shape_becomes_its_error_even_on_a_2xx() {
        let text = r#"{"ok":false,"error_code":"INSUFFICIENT_BALANCE","error_message":"short by 1 TON","data":null}"#;
        assert_eq!(
            answer::<Balance>(409, text),
            Err(ApiError::Conflict { code: ErrorCode::InsufficientBalance, message: "short by 1 TON".into() })
        );
        assert!(matches!(
            answer::<Balance>(200, text),
            Err(ApiError::Server { code: ErrorCode::InsufficientBalance, .. })
        ));
    }

    #[test]
    fn answers_that_cannot_be_read_say_so() {
        for text in
            ["", "<html>", r#"{"ok":true}"#, r#"{"ok":true,"data":null}"#, r#"{"ok":true,"data":{"balance_ton":"x"}}"#]
        {
            match answer::<Balance>(200, text) {
                Err(ApiError::Network(message)) => {
                    assert!(message.starts_with("unreadable answer"), "{text}: {message}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
