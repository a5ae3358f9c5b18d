//! The buyer's payment page. Operators make a link for a `ton_memo` order waiting for
//! payment (`/console/v1/orders/{id}/payment-link`); the buyer opens `/pay/{token}` with no
//! sign-in and sees only what paying needs, and the page follows the order through
//! `/pay/v1/{token}`.
//!
//! A token is derived from a random nonce with a key made from the API key, so the proxy
//! can show an order's live link again while the store keeps only the token's hash: the
//! store alone opens no page.

pub mod buyers;
mod page;

use buyers::STATUS_TTL;
pub use buyers::{PayState, PUBLIC_PER_MINUTE};

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use openmoney_api::pay::{BuyerOrder, PaymentLink};
use openmoney_api::{AuditAction, Envelope, Order, OrderStatus, PaymentMethod, Success, Timestamp};
use sha2::Sha256;

use crate::auth::{hash_token, random_token, Client, Operator};
use crate::db::{now_millis, LinkRow, NewAudit};
use crate::error::{Error, Result};
use crate::forward::OrderIdParam;
use crate::json::ok;
use crate::state::AppState;
use crate::upstream::UpstreamRequest;

/// A page opens for a day after its order's deadline, to show how the order ended.
const AFTER_DEADLINE_MILLIS: i64 = 24 * 3600 * 1000;
/// The key tokens are derived with, made from the API key: every replica has it, and it
/// never leaves the proxy.
pub fn link_key(api_key: &str) -> [u8; 32] {
    use sha2::Digest;
    Sha256::new().chain_update(b"openmoney-console payment links\0").chain_update(api_key.as_bytes()).finalize().into()
}

/// The token of the link with `nonce`.
pub fn token_for(key: &[u8; 32], nonce: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(nonce.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A short, harmless form of a token for logs.
pub fn token_prefix(token: &str) -> &str {
    token.get(..6).unwrap_or("")
}

pub fn staff_router() -> Router<AppState> {
    Router::new().route("/orders/{id}/payment-link", post(create).delete(revoke))
}

pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/pay/v1/{token}", get(status))
        .route("/pay/assets/pay.js", get(|| page::asset("text/javascript", page::SCRIPT)))
        .route("/pay/assets/pay.css", get(|| page::asset("text/css", page::STYLE)))
        .route("/pay/{token}", get(show))
}

/// The order, read from the upstream.
async fn read_order(app: &AppState, id: i64) -> Result<Order> {
    let answer = app.upstream.send(UpstreamRequest::get(format!("orders/{id}"))).await?;
    match answer.status {
        status if status.is_success() => {
            let envelope: Envelope<Order> =
                serde_json::from_slice(&answer.body).map_err(|e| Error::internal(format!("an order: {e}")))?;
            envelope.into_result().map_err(|_| Error::NotFound("order"))
        }
        StatusCode::NOT_FOUND => Err(Error::NotFound("order")),
        StatusCode::TOO_MANY_REQUESTS => Err(Error::RateLimited {
            retry_after: answer.retry_after.and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1),
            message: "TheOpenMoney asks to slow down; try again shortly".into(),
        }),
        _ => Err(Error::UpstreamUnavailable),
    }
}

fn origin(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(origin) = &app.config.public_origin {
        return origin.trim_end_matches('/').to_owned();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if headers.get("x-forwarded-proto").is_some_and(|p| p == "https") { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn link_answer(app: &AppState, headers: &HeaderMap, token: String, expires_at: i64) -> PaymentLink {
    let url = format!("{}/pay/{token}", origin(app, headers));
    PaymentLink { token, url, expires_at: Timestamp::from_unix_millis(expires_at) }
}

async fn audit_link(app: &AppState, user: &crate::auth::StaffUser, action: AuditAction, id: i64, summary: String) {
    let event =
        NewAudit { outcome: "ok".into(), order_id: Some(id), summary, ..NewAudit::new(user.username.as_str(), action) };
    match app.db.audit_returning(event).await {
        Ok(entry) => app.live.hub.audit(&entry),
        Err(e) => tracing::error!(error = %e, order = id, "a payment link's audit row was not written"),
    }
}

/// Makes the buyer's payment link of an order waiting for payment by transfer, or gives
/// the one it already has.
#[utoipa::path(post, path = "/console/v1/orders/{id}/payment-link", tag = "Console",
    params(("id" = i64, Path, description = "The order")),
    responses(
        (status = 200, description = "The order's live link (made now, or the one it had)", body = Success<PaymentLink>),
        (status = 403, description = "Viewers cannot share links", body = openmoney_api::ErrorBody),
        (status = 404, description = "No such order", body = openmoney_api::ErrorBody),
        (status = 409, description = "Not a ton_memo order waiting for payment", body = openmoney_api::ErrorBody)))]
pub(crate) async fn create(
    State(app): State<AppState>,
    Operator(user): Operator,
    OrderIdParam(id): OrderIdParam,
    headers: HeaderMap,
) -> Result<Json<Envelope<PaymentLink>>> {
    let order = read_order(&app, id).await?;
    if order.payment_method != Some(PaymentMethod::TonMemo) || order.status != OrderStatus::PendingPayment {
        return Err(Error::Conflict(format!(
            "order {id} is {}: only a ton_memo order waiting for payment gets a payment link",
            order.status
        )));
    }
    let deadline = order.expires_at.ok_or_else(|| Error::Conflict(format!("order {id} has no payment deadline")))?;
    let now = now_millis();
    let key = &app.link_key;
    for link in app.db.live_links(id, now).await? {
        let token = token_for(key, &link.nonce);
        // A link made under another API key cannot be shown again; it still opens its page.
        if hash_token(&token) == link.token_hash {
            return Ok(ok(link_answer(&app, &headers, token, link.expires_at)));
        }
    }
    let nonce = random_token();
    let token = token_for(key, &nonce);
    let expires_at = deadline.unix_millis() + AFTER_DEADLINE_MILLIS;
    let link = LinkRow {
        token_hash: hash_token(&token),
        nonce,
        order_id: id,
        created_by: user.username.clone(),
        created_at: now,
        expires_at,
    };
    app.db.add_link(&link).await?;
    tracing::info!(order = id, token = token_prefix(&token), "payment link made");
    audit_link(&app, &user, AuditAction::PaymentLinkCreate, id, format!("payment link for order {id}")).await;
    Ok(ok(link_answer(&app, &headers, token, expires_at)))
}

/// How many links a revoke closed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Revoked {
    revoked: u64,
}

/// Closes the order's payment link: its page answers 404 from now on.
#[utoipa::path(delete, path = "/console/v1/orders/{id}/payment-link", tag = "Console",
    params(("id" = i64, Path, description = "The order")),
    responses(
        (status = 200, description = "The order's live links are closed", body = Success<Revoked>),
        (status = 403, description = "Viewers cannot revoke links", body = openmoney_api::ErrorBody),
        (status = 404, description = "The order has no live link", body = openmoney_api::ErrorBody)))]
pub(crate) async fn revoke(
    State(app): State<AppState>,
    Operator(user): Operator,
    OrderIdParam(id): OrderIdParam,
) -> Result<Json<Envelope<Revoked>>> {
    let revoked = app.db.revoke_links(id, now_millis()).await?;
    if revoked == 0 {
        return Err(Error::NotFound("payment link"));
    }
    audit_link(&app, &user, AuditAction::PaymentLinkRevoke, id, format!("payment link for order {id} revoked")).await;
    Ok(ok(Revoked { revoked }))
}

/// The order behind a token, at most [`STATUS_TTL`] old; `None` for a token that opens nothing.
async fn buyer_order(app: &AppState, token: &str) -> Result<Option<BuyerOrder>> {
    let Some(link) = app.db.link(&hash_token(token), now_millis()).await? else { return Ok(None) };
    let pay = &app.pay;
    let order = match pay.cached(link.order_id) {
        Some(order) => order,
        None => {
            let _turn = pay.reading.lock().await;
            match pay.cached(link.order_id) {
                Some(order) => order,
                None => {
                    let order = read_order(app, link.order_id).await?;
                    let mut orders = pay.orders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    orders.retain(|_, (at, _)| at.elapsed() < STATUS_TTL);
                    orders.insert(link.order_id, (Instant::now(), order.clone()));
                    order
                }
            }
        }
    };
    Ok(BuyerOrder::of(&order))
}

fn public_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

fn too_many() -> Error {
    Error::RateLimited { retry_after: 60, message: "too many requests from this address; try again in a minute".into() }
}

/// The buyer's page: a 404 page in the same look for a token that opens nothing.
pub(crate) async fn show(
    State(app): State<AppState>,
    Client(addr): Client,
    Path(token): Path<String>,
    headers: HeaderMap,
    query: axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let texts = page::Texts::pick(query.get("lang").map(String::as_str), &headers);
    let mut response = if !app.pay.admit(addr.map(|a| a.ip())) {
        page::message(&texts, &app.config.brand, StatusCode::TOO_MANY_REQUESTS, "pay.busy_title", "pay.busy")
    } else {
        match buyer_order(&app, &token).await {
            Ok(Some(order)) => page::render(&texts, &app.config.brand, &token, &order),
            Ok(None) => page::message(&texts, &app.config.brand, StatusCode::NOT_FOUND, "pay.gone_title", "pay.gone"),
            Err(e) => {
                tracing::warn!(error = %e, token = token_prefix(&token), "a buyer's page could not be read");
                page::message(&texts, &app.config.brand, StatusCode::SERVICE_UNAVAILABLE, "pay.down_title", "pay.down")
            }
        }
    };
    public_headers(&mut response);
    response
}

/// What the buyer's page shows, for its live status.
#[utoipa::path(get, path = "/pay/v1/{token}", tag = "Payment page",
    params(("token" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$", description = "The token of the payment link")),
    responses(
        (status = 200, description = "The order as the buyer may see it", body = Success<BuyerOrder>),
        (status = 404, description = "An unknown, revoked or expired link", body = openmoney_api::ErrorBody),
        (status = 429, description = "Too many requests from this address", body = openmoney_api::ErrorBody)))]
pub(crate) async fn status(State(app): State<AppState>, Client(addr): Client, Path(token): Path<String>) -> Response {
    let answer = if !app.pay.admit(addr.map(|a| a.ip())) {
        Err(too_many())
    } else {
        buyer_order(&app, &token).await.and_then(|order| order.ok_or(Error::NotFound("payment link")))
    };
    let mut response = match answer {
        Ok(order) => ok(order).into_response(),
        Err(e) => e.into_response(),
    };
    public_headers(&mut response);
    response
}

/// A path as logs show it: a payment page's token cut to its first characters.
pub fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    let token = path
        .strip_prefix("/pay/v1/")
        .or_else(|| path.strip_prefix("/pay/"))
        .filter(|t| !t.is_empty() && !t.starts_with("assets/"));
    match token {
        Some(token) => format!("{}{}…", &path[..path.len() - token.len()], token_prefix(token)).into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_see_a_token_prefix_only() {
        let token = token_for(&link_key("osk_x"), "nonce");
        assert_eq!(token.len(), 43, "256 bits in base64url");
        assert_eq!(loggable(&format!("/pay/{token}")), format!("/pay/{}…", &token[..6]));
        assert_eq!(loggable(&format!("/pay/v1/{token}")), format!("/pay/v1/{}…", &token[..6]));
        assert_eq!(loggable("/pay/assets/pay.js"), "/pay/assets/pay.js");
        assert_eq!(loggable("/api/v1/orders/7"), "/api/v1/orders/7");
    }

    #[test]
    fn tokens_depend_on_the_key_and_the_nonce() {
        let (a, b) = (link_key("osk_a"), link_key("osk_b"));
        assert_eq!(token_for(&a, "n1"), token_for(&a, "n1"));
        assert_ne!(token_for(&a, "n1"), token_for(&a, "n2"));
        assert_ne!(token_for(&a, "n1"), token_for(&b, "n1"));
    }
}
