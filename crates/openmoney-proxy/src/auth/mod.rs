//! `/auth`: staff sign in and out, and the current session.

mod csrf;
pub mod password;
mod session;
mod throttle;

use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use openmoney_api::console::{Credentials, SessionInfo};

pub use csrf::{guard as csrf_guard, CSRF_HEADER, REQUESTED_WITH, REQUESTED_WITH_VALUE};
pub use session::{client_addr, identify, random_token, Operator, StaffUser, SESSION_COOKIE};
pub use throttle::Throttle;

use crate::db::{now_millis, NewAudit};
use crate::error::{Error, Result};
use crate::json::{ok, ApiJson};
use crate::state::AppState;
use openmoney_api::Envelope;

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout)).route("/session", get(current))
}

fn info(user: &StaffUser) -> SessionInfo {
    SessionInfo { username: user.username.clone(), role: user.role, csrf_token: user.csrf_token.clone() }
}

async fn login(State(app): State<AppState>, request: Request) -> Result<impl IntoResponse> {
    let address = client_addr(&request).map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let ApiJson(credentials) = ApiJson::<Credentials>::from_request(request).await?;
    let username: String = credentials.username.trim().chars().take(64).collect();
    let now = now_millis();
    if let Some(wait) = app.throttle.wait(&username, &address, now) {
        let retry_after = (wait as u64).div_ceil(1000);
        app.audit_event(&username, "auth.login_throttled", "refused", format!("from {address}"), Some(&address)).await;
        return Err(Error::RateLimited {
            retry_after,
            message: format!("too many failed sign-ins; try again in {retry_after} s"),
        });
    }
    let user = app.db.user(&username).await?.filter(|u| !u.disabled);
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = password::verify(credentials.password, hash).await;
    let Some(user) = user.filter(|_| verified) else {
        return failed(&app, &username, &address, now).await;
    };
    app.throttle.succeed(&username, &address);
    let token = random_token();
    let csrf_token = random_token();
    app.db.add_session(&session::hash_token(&token), user.id, &csrf_token, now).await?;
    app.audit_event(&user.username, "auth.login", "ok", format!("signed in as {}", user.role), Some(&address)).await;
    let max_age = time::Duration::try_from(app.config.sessions.absolute).unwrap_or(time::Duration::HOUR);
    let jar = CookieJar::new().add(session::session_cookie(token, Some(max_age)));
    Ok((jar, ok(SessionInfo { username: user.username, role: user.role, csrf_token })))
}

async fn failed(
    app: &AppState,
    username: &str,
    address: &str,
    now: i64,
) -> Result<(CookieJar, Json<Envelope<SessionInfo>>)> {
    app.throttle.fail(username, address, now);
    app.audit_event(username, "auth.login_failed", "refused", format!("from {address}"), Some(address)).await;
    Err(Error::InvalidCredentials)
}

async fn logout(State(app): State<AppState>, user: StaffUser) -> Result<impl IntoResponse> {
    if let Some(session) = &user.session {
        app.db.end_session(session).await?;
    }
    app.audit_event(&user.username, "auth.logout", "ok", String::new(), None).await;
    let jar = CookieJar::new().add(session::session_cookie(String::new(), Some(time::Duration::ZERO)));
    Ok((jar, ok(info(&user))))
}

async fn current(user: StaffUser) -> Json<Envelope<SessionInfo>> {
    ok(info(&user))
}

impl AppState {
    /// Records an event; a failure to record is logged, never hidden from the log.
    pub async fn audit_event(
        &self,
        actor: &str,
        action: &'static str,
        outcome: &str,
        summary: String,
        addr: Option<&str>,
    ) {
        let event = NewAudit {
            actor: actor.to_owned(),
            action,
            outcome: outcome.to_owned(),
            summary,
            client_addr: addr.map(str::to_owned),
            ..NewAudit::default()
        };
        if let Err(err) = self.db.audit(event).await {
            tracing::error!(%err, action, "audit write failed");
        }
    }
}
