//! `/auth`: staff sign in and out, and the current session.

mod csrf;
pub mod password;
mod session;

use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use openmoney_api::console::{Credentials, SessionInfo};

/// The token helpers, where the sign-in code always had them.
pub use crate::tokens::{hash_token, random_token};
pub use csrf::{guard as csrf_guard, CSRF_HEADER, REQUESTED_WITH, REQUESTED_WITH_VALUE};
pub use session::{
    client_addr, cookie_in, forwarded_client, identify, Admin, Client, ClientAddr, Operator, StaffUser, DEVICE_COOKIE,
    SESSION_COOKIE,
};

use crate::db::now_millis;
use crate::error::{Error, Result};
use crate::json::{ok, ApiJson};
use crate::state::AppState;
use crate::throttle::Attempt;
use openmoney_api::{AuditAction, Envelope, ErrorBody, Success};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout)).route("/session", get(current))
}

fn info(user: &StaffUser) -> SessionInfo {
    SessionInfo { username: user.username.clone(), role: user.role, csrf_token: user.csrf_token.clone() }
}

/// Signs a staff member in: a session cookie, a device cookie on a new browser, and the
/// CSRF token every change must carry.
#[utoipa::path(post, path = "/auth/login", tag = "Sign-in", security(()), request_body = Credentials,
    responses((status = 200, description = "Signed in; the session cookie is set", body = Success<SessionInfo>),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins; see Retry-After", body = ErrorBody)))]
pub(crate) async fn login(State(app): State<AppState>, request: Request) -> Result<impl IntoResponse> {
    let address = client_addr(&request).map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let device = CookieJar::from_headers(request.headers()).get(DEVICE_COOKIE).map(|c| hash_token(c.value()));
    let ApiJson(credentials) = ApiJson::<Credentials>::from_request(request).await?;
    let username: String = credentials.username.trim().chars().take(64).collect();
    let now = now_millis();
    let known_device = match device {
        Some(device) if app.db.device_owner(&device, now).await?.as_deref() == Some(username.as_str()) => Some(device),
        _ => None,
    };
    let attempt = known_device.as_deref().map_or(Attempt::From(&address), Attempt::KnownDevice);
    let from = format!("from {address}{}", if known_device.is_some() { " on a known device" } else { "" });
    if let Some(wait) = app.throttle.wait(&username, attempt, now) {
        let retry_after = (wait as u64).div_ceil(1000);
        app.audit_event(&username, AuditAction::LoginThrottled, "refused", from, Some(&address)).await;
        return Err(Error::RateLimited {
            retry_after,
            message: format!("too many failed sign-ins; try again in {retry_after} s"),
        });
    }
    let user = app.db.user(&username).await?.filter(|u| !u.disabled);
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = password::verify(credentials.password, hash).await;
    let Some(user) = user.filter(|_| verified) else {
        app.throttle.fail(&username, attempt, now);
        app.audit_event(&username, AuditAction::LoginFailed, "refused", from, Some(&address)).await;
        return Err(Error::InvalidCredentials);
    };
    app.throttle.succeed(&username, attempt);
    let token = random_token();
    let csrf_token = random_token();
    app.db.add_session(&hash_token(&token), user.id, &csrf_token, now).await?;
    app.audit_event(
        &user.username,
        AuditAction::Login,
        "ok",
        format!("signed in as {} {from}", user.role),
        Some(&address),
    )
    .await;
    let max_age = time::Duration::try_from(app.config.sessions.absolute).unwrap_or(time::Duration::HOUR);
    let mut jar = CookieJar::new().add(session::session_cookie(token, Some(max_age)));
    if known_device.is_none() {
        let device = random_token();
        app.db.add_device(&hash_token(&device), user.id, now).await?;
        jar = jar.add(session::device_cookie(device));
    }
    Ok((jar, ok(SessionInfo { username: user.username, role: user.role, csrf_token })))
}

/// Ends the session.
#[utoipa::path(post, path = "/auth/logout", tag = "Sign-in",
    responses((status = 200, description = "Signed out; the cookie is cleared", body = Success<SessionInfo>)))]
pub(crate) async fn logout(State(app): State<AppState>, user: StaffUser) -> Result<impl IntoResponse> {
    if let Some(session) = &user.session {
        app.db.end_session(session).await?;
        app.live.hub.end(crate::live::hub::Ending::Session(session.clone()));
    }
    app.audit_event(&user.username, AuditAction::Logout, "ok", String::new(), None).await;
    let jar = CookieJar::new().add(session::session_cookie(String::new(), Some(time::Duration::ZERO)));
    Ok((jar, ok(info(&user))))
}

/// The signed-in staff member and the CSRF token.
#[utoipa::path(get, path = "/auth/session", tag = "Sign-in",
    responses((status = 200, description = "The session", body = Success<SessionInfo>)))]
pub(crate) async fn current(user: StaffUser) -> Json<Envelope<SessionInfo>> {
    ok(info(&user))
}
