//! `/api/v1` and (sandbox mode only) `/sandbox/v1`: an explicit allow-list of method and
//! path pairs, each with its role. Nothing else reaches the upstream.

mod params;

use axum::extract::rejection::PathRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use openmoney_api::console::Quote;
use openmoney_api::sandbox::{FailOrder, PaymentResult, SimulatePayment, TopUp};
use openmoney_api::{
    validate, AuditAction, CreatePremiumOrder, CreateStarsOrder, Order, OrderListQuery, OrderStatus, OrderType,
    PremiumEstimateQuery, RecipientQuery, StarsEstimateQuery, Success, Transaction, TransactionQuery, TransactionType,
};
use serde::Serialize;

use crate::auth::{client_addr, Operator, StaffUser};
use crate::db::NewAudit;
use crate::error::{Error, Result};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::upstream::{Target, UpstreamReply, UpstreamRequest};
/// The path segment a client_reference travels upstream in (for the fuzzer).
pub use params::reference as reference_segment;
use params::{idempotency_key, memo, reference};
pub use params::{order_id, KnownQuery, OrderIdParam};

/// Where the API is, and the reads without parameters below it.
pub const API: &str = "/api/v1";
pub const FIXED: [&str; 5] = [
    "/api/v1/orders/stats/summary",
    "/api/v1/pricing/ton-rate",
    "/api/v1/pricing/fee",
    "/api/v1/balance",
    "/api/v1/health",
];

/// The 17 upstream endpoints. Reads are for every role; changes need an operator.
pub fn api_router() -> Router<AppState> {
    let mut router = Router::new();
    for path in FIXED {
        let route = &path[API.len()..];
        router = router.route(route, fixed(&route[1..]));
    }
    router
        .route("/orders/stars", post(create::<CreateStarsOrder>))
        .route("/orders/premium", post(create::<CreatePremiumOrder>))
        .route("/orders", get(list_orders))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/cancel", post(cancel_order))
        .route("/orders/by-memo/{memo}", get(by_memo))
        .route("/orders/by-reference/{reference}", get(by_reference))
        .route("/pricing/estimate/stars", get(estimate_stars))
        .route("/pricing/estimate/premium", get(estimate_premium))
        .route("/recipients/stars", get(recipient_stars))
        .route("/recipients/premium", get(recipient_premium))
        .route("/balance/transactions", get(transactions))
}

/// The sandbox controls the console offers, for operators, in sandbox mode only.
pub fn sandbox_router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/pay", post(sandbox_pay))
        .route("/orders/{id}/fail", post(sandbox_fail))
        .route("/balance/topup", post(sandbox_topup))
}

/// How many upstream calls the proxy made for this answer (more than 1 after a retry).
pub const UPSTREAM_ATTEMPTS_HEADER: &str = "upstream-attempts";
const UPSTREAM_ATTEMPTS: HeaderName = HeaderName::from_static(UPSTREAM_ATTEMPTS_HEADER);

/// The upstream's answer as the client gets it: its status and body, untouched. A success
/// passes once its status and content type say it is the API's JSON; an error must be the
/// upstream's envelope. Anything else (a load balancer's error page) is a 502.
fn relay(answer: &UpstreamReply) -> Response {
    if !is_the_apis(answer) {
        return Error::UpstreamUnavailable.into_response();
    }
    let mut response = Response::new(axum::body::Body::from(answer.body.clone()));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    // Room for these and the security headers, at once.
    headers.reserve(16);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(retry_after) = &answer.retry_after {
        headers.insert(header::RETRY_AFTER, retry_after.clone());
    }
    if answer.replayed {
        headers.insert(openmoney_api::IDEMPOTENT_REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    let attempts = match answer.attempts {
        1 => HeaderValue::from_static("1"),
        2 => HeaderValue::from_static("2"),
        n => HeaderValue::from(n),
    };
    headers.insert(UPSTREAM_ATTEMPTS, attempts);
    response
}

/// Whether an answer is the API's own: only an error is parsed, and only its `ok` is read.
fn is_the_apis(answer: &UpstreamReply) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[allow(dead_code)]
        ok: bool,
    }
    let is_object = answer.body.trim_ascii_start().starts_with(b"{");
    if answer.status.is_success() && answer.json {
        return is_object;
    }
    is_object && serde_json::from_slice::<Envelope>(&answer.body).is_ok()
}

pub(crate) async fn read(app: &AppState, call: UpstreamRequest) -> Result<Response> {
    Ok(relay(&app.upstream.send(call).await?))
}

fn fixed(path: &'static str) -> MethodRouter<AppState> {
    get(move |State(app): State<AppState>, _: StaffUser| async move {
        read(&app, UpstreamRequest::get(path.to_owned())).await
    })
}

async fn get_order(State(app): State<AppState>, _: StaffUser, OrderIdParam(id): OrderIdParam) -> Result<Response> {
    read(&app, UpstreamRequest::get(format!("orders/{id}"))).await
}

/// A path parameter as text; one that is not UTF-8 is refused in the envelope.
fn path_text(raw: Result<axum::extract::Path<String>, PathRejection>, name: &str) -> Result<String> {
    raw.map(|axum::extract::Path(text)| text).map_err(|_| Error::Validation(format!("{name} must be UTF-8 text")))
}

async fn by_memo(
    State(app): State<AppState>,
    _: StaffUser,
    raw: Result<axum::extract::Path<String>, PathRejection>,
) -> Result<Response> {
    let raw = path_text(raw, "memo")?;
    read(&app, UpstreamRequest::get(format!("orders/by-memo/{}", memo(&raw)?))).await
}

async fn by_reference(
    State(app): State<AppState>,
    _: StaffUser,
    raw: Result<axum::extract::Path<String>, PathRejection>,
) -> Result<Response> {
    let raw = path_text(raw, "reference")?;
    read(&app, UpstreamRequest::get(format!("orders/by-reference/{}", reference(&raw)?))).await
}

pub(crate) fn known<T: PartialEq>(name: &str, value: Option<&T>, known: &[T], list: String) -> Result<()> {
    match value {
        Some(v) if !known.contains(v) => Err(Error::Validation(format!("{name} must be one of: {list}"))),
        _ => Ok(()),
    }
}

async fn list_orders(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<OrderListQuery>,
) -> Result<Response> {
    validate::limit(query.limit).map_err(Error::Validation)?;
    validate::offset(query.offset).map_err(Error::Validation)?;
    known("status", query.status.as_ref(), OrderStatus::KNOWN, OrderStatus::known_list())?;
    known("order_type", query.order_type.as_ref(), OrderType::KNOWN, OrderType::known_list())?;
    if let Some(name) = &query.recipient_username {
        validate::username(name).map_err(Error::Validation)?;
    }
    read(&app, UpstreamRequest { query: query.to_pairs(), ..UpstreamRequest::get("orders".into()) }).await
}

async fn transactions(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<TransactionQuery>,
) -> Result<Response> {
    validate::limit(query.limit).map_err(Error::Validation)?;
    validate::offset(query.offset).map_err(Error::Validation)?;
    known("type", query.kind.as_ref(), TransactionType::KNOWN, TransactionType::known_list())?;
    read(&app, UpstreamRequest { query: query.to_pairs(), ..UpstreamRequest::get("balance/transactions".into()) }).await
}

async fn estimate_stars(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<StarsEstimateQuery>,
) -> Result<Response> {
    let quantity = validate::quantity(query.quantity).map_err(Error::Validation)?;
    let path = "pricing/estimate/stars".to_owned();
    read(&app, UpstreamRequest { query: vec![("quantity", quantity.to_string())], ..UpstreamRequest::get(path) }).await
}

async fn estimate_premium(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<PremiumEstimateQuery>,
) -> Result<Response> {
    let months = validate::months(query.months).map_err(Error::Validation)?;
    let path = "pricing/estimate/premium".to_owned();
    read(&app, UpstreamRequest { query: vec![("months", months.to_string())], ..UpstreamRequest::get(path) }).await
}

async fn recipient(app: &AppState, query: RecipientQuery, path: &str) -> Result<Response> {
    let name = validate::username(&query.username).map_err(Error::Validation)?;
    read(app, UpstreamRequest { query: vec![("username", name)], ..UpstreamRequest::get(path.to_owned()) }).await
}

async fn recipient_stars(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<RecipientQuery>,
) -> Result<Response> {
    recipient(&app, query, "recipients/stars").await
}

async fn recipient_premium(
    State(app): State<AppState>,
    _: StaffUser,
    KnownQuery(query): KnownQuery<RecipientQuery>,
) -> Result<Response> {
    recipient(&app, query, "recipients/premium").await
}

/// What a change did, for the audit: the outcome and the order it touched.
fn outcome(result: &Result<UpstreamReply>) -> (String, Option<i64>) {
    match result {
        Ok(answer) => {
            let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            let data = &body["data"];
            let order_id = data["id"].as_i64().or_else(|| data["order"]["id"].as_i64());
            let outcome = if body["ok"] == true {
                if answer.replayed {
                    "replayed".to_owned()
                } else {
                    "ok".to_owned()
                }
            } else {
                body["error_code"].as_str().unwrap_or("error").to_owned()
            };
            (outcome, order_id)
        }
        Err(err) => (err.code().to_string(), None),
    }
}

/// A change: sent, audited, relayed.
struct AuditedChange {
    action: AuditAction,
    target: Target,
    path: String,
    body: Option<bytes::Bytes>,
    idempotency_key: Option<String>,
    summary: String,
    order_id: Option<i64>,
    quote: Option<Quote>,
}

impl AuditedChange {
    fn new(action: AuditAction, target: Target, path: String, summary: String) -> Self {
        AuditedChange { action, target, path, body: None, idempotency_key: None, summary, order_id: None, quote: None }
    }

    fn body(mut self, value: &impl Serialize) -> Result<Self> {
        self.body = Some(serde_json::to_vec(value).map_err(Error::internal)?.into());
        Ok(self)
    }

    fn order(mut self, id: i64) -> Self {
        self.order_id = Some(id);
        self
    }

    /// Journals the change, sends it and audits its outcome. The call and its audit run on
    /// their own task, so they finish even when the staff member's connection drops.
    async fn send(self, app: &AppState, user: &StaffUser, addr: Option<String>) -> Result<Response> {
        let event = NewAudit {
            actor: user.username.clone(),
            action: self.action,
            outcome: String::new(),
            order_id: self.order_id,
            idempotency_key: self.idempotency_key.clone(),
            summary: self.summary,
            client_addr: addr,
            quote: self.quote,
        };
        let journal = app.db.journal_change(event.clone()).await?;
        let call = UpstreamRequest {
            body: self.body,
            idempotency_key: self.idempotency_key,
            ..UpstreamRequest::new(Method::POST, self.target, self.path)
        };
        let app = app.clone();
        let sent = tokio::spawn(async move {
            let result = app.upstream.send(call).await;
            let (outcome, order_id) = outcome(&result);
            let event = NewAudit { outcome, order_id: order_id.or(event.order_id), ..event };
            let entry = app.db.audit_change(journal, event).await?;
            let answer = result?;
            crate::live::publish_change(&app, &entry, &answer.body);
            Ok(relay(&answer))
        });
        sent.await.map_err(Error::internal)?
    }
}

/// An order create the proxy forwards: where it goes, and how the audit describes it.
trait OrderCreate: serde::de::DeserializeOwned + Serialize {
    const PATH: &'static str;
    /// Checks every field; gives the audit's summary.
    fn summary(&self) -> std::result::Result<String, String>;
}

fn reference_note(reference: Option<&str>) -> String {
    reference.map(|r| format!(", ref {r}")).unwrap_or_default()
}

impl OrderCreate for CreateStarsOrder {
    const PATH: &'static str = "orders/stars";
    fn summary(&self) -> std::result::Result<String, String> {
        let (name, quantity) = self.validate()?;
        let reference = reference_note(self.client_reference.as_deref());
        Ok(format!("{quantity} Stars for @{name}, {}{reference}", self.payment_method))
    }
}

impl OrderCreate for CreatePremiumOrder {
    const PATH: &'static str = "orders/premium";
    fn summary(&self) -> std::result::Result<String, String> {
        let (name, months) = self.validate()?;
        let reference = reference_note(self.client_reference.as_deref());
        Ok(format!("Premium {months} months for @{name}, {}{reference}", self.payment_method))
    }
}

fn addr(request: &Request) -> Option<String> {
    client_addr(request).map(|a| a.ip().to_string())
}

/// A create: role first (the extractor), then the Idempotency-Key, then the body.
async fn create<T: OrderCreate>(
    State(app): State<AppState>,
    Operator(user): Operator,
    request: Request,
) -> Result<Response> {
    let addr = addr(&request);
    let key = idempotency_key(request.headers())?;
    let quote = match request.headers().get(Quote::HEADER) {
        None => None,
        Some(value) => {
            let text = value.to_str().map_err(|_| Error::BadRequest("X-Console-Quote must be ASCII".into()))?;
            Some(Quote::from_header(text).map_err(Error::BadRequest)?)
        }
    };
    let ApiJson(order) = ApiJson::<T>::from_request(request).await?;
    let summary = order.summary().map_err(Error::Validation)?;
    let mut create = AuditedChange::new(AuditAction::OrderCreate, Target::Api, T::PATH.into(), summary).body(&order)?;
    create.idempotency_key = Some(key);
    create.quote = quote;
    create.send(&app, &user, addr).await
}

async fn cancel_order(
    State(app): State<AppState>,
    Operator(user): Operator,
    OrderIdParam(id): OrderIdParam,
    request: Request,
) -> Result<Response> {
    let cancel = AuditedChange::new(
        AuditAction::OrderCancel,
        Target::Api,
        format!("orders/{id}/cancel"),
        format!("cancel order {id}"),
    );
    cancel.order(id).send(&app, &user, addr(&request)).await
}

/// Sandbox only: pays an order exactly, under or over.
#[utoipa::path(post, path = "/sandbox/v1/orders/{id}/pay", tag = "Sandbox", request_body = SimulatePayment,
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "What the payment did", body = Success<PaymentResult>)))]
pub(crate) async fn sandbox_pay(
    State(app): State<AppState>,
    Operator(user): Operator,
    OrderIdParam(id): OrderIdParam,
    request: Request,
) -> Result<Response> {
    let addr = addr(&request);
    let ApiJson(payment) = ApiJson::<SimulatePayment>::from_request(request).await?;
    let summary = format!("simulate a {:?} payment of order {id}", payment.mode).to_lowercase();
    let pay = AuditedChange::new(AuditAction::SandboxPay, Target::Sandbox, format!("orders/{id}/pay"), summary)
        .body(&payment)?;
    pay.order(id).send(&app, &user, addr).await
}

/// Sandbox only: fails an order's delivery.
#[utoipa::path(post, path = "/sandbox/v1/orders/{id}/fail", tag = "Sandbox", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The failed order", body = Success<Order>)))]
pub(crate) async fn sandbox_fail(
    State(app): State<AppState>,
    Operator(user): Operator,
    OrderIdParam(id): OrderIdParam,
    request: Request,
) -> Result<Response> {
    let summary = format!("simulate a delivery failure of order {id}");
    let fail = AuditedChange::new(AuditAction::SandboxFail, Target::Sandbox, format!("orders/{id}/fail"), summary)
        .body(&FailOrder::default())?;
    fail.order(id).send(&app, &user, addr(&request)).await
}

/// Sandbox only: tops the balance up.
#[utoipa::path(post, path = "/sandbox/v1/balance/topup", tag = "Sandbox", request_body = TopUp,
    responses((status = 200, description = "The top-up transaction", body = Success<Transaction>)))]
pub(crate) async fn sandbox_topup(
    State(app): State<AppState>,
    Operator(user): Operator,
    request: Request,
) -> Result<Response> {
    let addr = addr(&request);
    let ApiJson(topup) = ApiJson::<TopUp>::from_request(request).await?;
    validate::simulated_amount(topup.amount_ton).map_err(Error::Validation)?;
    let summary = format!("simulate a top-up of {} TON", topup.amount_ton);
    AuditedChange::new(AuditAction::SandboxTopup, Target::Sandbox, "balance/topup".into(), summary)
        .body(&topup)?
        .send(&app, &user, addr)
        .await
}

/// A wrong method is 405 in the envelope (axum keeps its `Allow` header).
pub fn is_bare_405(response: &Response) -> bool {
    response.status() == StatusCode::METHOD_NOT_ALLOWED && !response.headers().contains_key(header::CONTENT_TYPE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: StatusCode, json: bool, body: &'static str) -> UpstreamReply {
        UpstreamReply { status, body: body.into(), retry_after: None, replayed: false, attempts: 1, json }
    }

    #[test]
    fn the_upstream_envelope_is_passed_on_and_anything_else_is_a_502() {
        let envelope = r#"{"ok":false,"error":{"code":"X","message":"no"}}"#;
        let failed = relay(&answer(StatusCode::CONFLICT, true, envelope));
        assert_eq!(failed.status(), StatusCode::CONFLICT);
        let done = relay(&answer(StatusCode::OK, true, r#"{"data":{"id":1},"ok":true}"#));
        assert_eq!(done.status(), StatusCode::OK);
        // An error that is not the envelope, whatever its content type.
        for page in ["<html>Bad gateway</html>", r#"{"ok":"yes"}"#, r#"{"data":{}}"#, "", "[true]"] {
            for json in [true, false] {
                let relayed = relay(&answer(StatusCode::SERVICE_UNAVAILABLE, json, page));
                assert_eq!(relayed.status(), StatusCode::BAD_GATEWAY, "{page:?} was passed on");
            }
        }
        // A success said to be JSON is not parsed, but must be an object; one not said to
        // be JSON must be the envelope.
        for (json, page) in [(false, r#"{"data":{}}"#), (false, "<html>OK</html>"), (true, ""), (true, "[1]")] {
            let relayed = relay(&answer(StatusCode::OK, json, page));
            assert_eq!(relayed.status(), StatusCode::BAD_GATEWAY, "{page:?} was passed on");
        }
        let unlabelled = relay(&answer(StatusCode::OK, false, r#"{"data":{},"ok":true}"#));
        assert_eq!(unlabelled.status(), StatusCode::OK);
    }
}
