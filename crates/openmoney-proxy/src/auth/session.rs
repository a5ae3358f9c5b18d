//! Who is asking: the staff member behind a session cookie (or a trusted SSO header),
//! resolved once per request and handed to handlers as [`StaffUser`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::db::{now_millis, Role, SessionRow, User};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tokens::{hash_token, TokenHash};

pub const SESSION_COOKIE: &str = "__Host-om_session";
/// Marks a browser that has signed in before; see [`crate::auth::Throttle`].
pub const DEVICE_COOKIE: &str = "__Host-om_device";
/// A session's `last_seen_at` is written at most this often.
const TOUCH_EVERY_MILLIS: i64 = 60_000;

/// The signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
    /// Hash of the session id; `None` when signed in through SSO.
    pub session: Option<String>,
}

impl StaffUser {
    /// Refuses with 403 unless the user has at least `role`.
    pub fn require(&self, role: Role) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("this needs the {role} role; {} is a {}", self.username, self.role)))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffUser {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        parts.extensions.get::<StaffUser>().cloned().ok_or(Error::Unauthenticated)
    }
}

/// A staff member with at least the operator role; anyone else is refused (403) before
/// the request body is even read.
#[derive(Debug, Clone)]
pub struct Operator(pub StaffUser);

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        user.require(Role::Operator)?;
        Ok(Operator(user))
    }
}

/// An admin; anyone else is refused (403) before the request body is even read.
#[derive(Debug, Clone)]
pub struct Admin(pub StaffUser);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        user.require(Role::Admin)?;
        Ok(Admin(user))
    }
}

/// A cookie's value, from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(axum::http::header::COOKIE).iter().find_map(|value| cookie_in(value.as_bytes(), name))
}

/// A cookie's value in one `Cookie` header's value, when that is visible ASCII.
pub fn cookie_in<'a>(header: &'a [u8], name: &str) -> Option<&'a str> {
    if !header.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        return None;
    }
    let header = std::str::from_utf8(header).ok()?;
    header.split(';').find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// `__Host-` cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain.
fn host_cookie(name: &'static str, value: String, max_age: Option<time::Duration>) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value)).path("/").secure(true).http_only(true).same_site(SameSite::Strict);
    if let Some(age) = max_age {
        cookie = cookie.max_age(age);
    }
    cookie.build()
}

pub fn session_cookie(value: String, max_age: Option<time::Duration>) -> Cookie<'static> {
    host_cookie(SESSION_COOKIE, value, max_age)
}

pub fn device_cookie(value: String) -> Cookie<'static> {
    let lifetime = time::Duration::milliseconds(crate::db::DEVICE_LIFETIME_MILLIS);
    host_cookie(DEVICE_COOKIE, value, Some(lifetime))
}

/// The address a request comes from: the peer's, or, when the peer is one of
/// `--trusted-proxies`, the client it names in `X-Forwarded-For`. Set by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// Where the request comes from, for throttles, audits and the loopback check.
pub fn client_addr(request: &Request) -> Option<SocketAddr> {
    client_of(request.extensions())
}

fn client_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    match extensions.get::<ClientAddr>() {
        Some(client) => Some(client.0),
        None => extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
    }
}

/// [`client_addr`] as a handler's argument.
pub struct Client(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_of(&parts.extensions)))
    }
}

/// The connection's own peer: what an SSO header's trust is judged on.
pub fn peer_addr(request: &Request) -> Option<SocketAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The client behind `peer`: the right-most `X-Forwarded-For` address that is not itself
/// a trusted proxy, when `peer` is one; otherwise `peer`. Entries a client wrote itself sit
/// left of those its proxies appended, so they are never reached while a proxy's is there.
pub fn forwarded_client(peer: SocketAddr, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> SocketAddr {
    if !trusted.contains(&peer.ip()) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in entries.iter().rev() {
        match entry.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return SocketAddr::new(ip, 0),
            Err(_) => return peer,
        }
    }
    peer
}

fn staff(user: &User, csrf_token: String, session: Option<String>) -> StaffUser {
    StaffUser { id: user.id, username: user.username.clone(), role: user.role, csrf_token, session }
}

impl AppState {
    /// The session the request's cookie names, when it is live; touched at most once a
    /// minute. A session found over is ended.
    pub(crate) async fn session_of(&self, headers: &HeaderMap) -> Result<Option<(Arc<SessionRow>, TokenHash)>> {
        self.session_named(cookie(headers, SESSION_COOKIE)).await
    }

    /// The live session a session cookie's value names.
    pub(crate) async fn session_named(&self, token: Option<&str>) -> Result<Option<(Arc<SessionRow>, TokenHash)>> {
        let Some(token) = token else { return Ok(None) };
        let id_hash = TokenHash::of(token);
        let Some(row) = self.db.session(id_hash.as_str()).await? else { return Ok(None) };
        let now = now_millis();
        if self.expired(&row, now) {
            self.db.end_session(id_hash.as_str()).await?;
            return Ok(None);
        };
        if now - row.last_seen_at > TOUCH_EVERY_MILLIS {
            self.db.touch_session(id_hash.as_str(), now).await?;
        }
        Ok(Some((row, id_hash)))
    }

    async fn staff_from_cookie(&self, headers: &HeaderMap) -> Result<Option<StaffUser>> {
        let session = self.session_of(headers).await?;
        Ok(session.map(|(row, id_hash)| staff(&row.user, row.csrf_token.clone(), Some(id_hash.as_str().to_owned()))))
    }

    /// Whether a session is over: its user disabled, or idle or old past the policy.
    fn expired(&self, row: &SessionRow, now: i64) -> bool {
        let policy = &self.config.sessions;
        let idle = now - row.last_seen_at > policy.idle.as_millis() as i64;
        let old = now - row.created_at > policy.absolute.as_millis() as i64;
        row.user.disabled || idle || old
    }

    /// Whether a staff member resolved earlier still is one, as they were: the session
    /// has not ended or expired, and the account is enabled with the same role. A live
    /// stream asks this as it goes.
    pub async fn still_signed_in(&self, user: &StaffUser) -> bool {
        let (id, role) = match &user.session {
            Some(hash) => match self.db.session(hash).await {
                Ok(Some(row)) if !self.expired(&row, now_millis()) => (row.user.id, row.user.role),
                _ => return false,
            },
            None => match self.db.user(&user.username).await {
                Ok(Some(account)) if !account.disabled => (account.id, account.role),
                _ => return false,
            },
        };
        id == user.id && role == user.role
    }

    async fn staff_from_sso(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<Option<StaffUser>> {
        let Some(sso) = &self.config.sso else { return Ok(None) };
        let trusted = peer.is_some_and(|p| sso.trusted.contains(&p.ip()));
        let Some(identity) = headers.get(sso.header.as_str()).and_then(|v| v.to_str().ok()) else { return Ok(None) };
        if !trusted {
            return Ok(None);
        }
        let Some(user) = self.db.user(identity.trim()).await?.filter(|u| !u.disabled) else {
            return Err(Error::Forbidden(format!("{identity} has no staff account")));
        };
        let csrf = hash_token(&format!("{}:{}", self.sso_secret, user.username));
        Ok(Some(staff(&user, csrf, None)))
    }
}

/// Resolves the staff member of every request. The SSO header is removed from any request
/// that does not come from a trusted address, so nothing downstream can be fooled by it.
pub async fn identify(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = peer_addr(&request);
    let resolved = match app.staff_from_sso(request.headers(), peer).await {
        Ok(Some(user)) => Ok(Some(user)),
        Ok(None) => app.staff_from_cookie(request.headers()).await,
        Err(err) => Err(err),
    };
    if let Some(sso) = &app.config.sso {
        if !peer.is_some_and(|p| sso.trusted.contains(&p.ip())) {
            request.headers_mut().remove(sso.header.as_str());
        }
    }
    match resolved {
        Ok(Some(user)) => {
            request.extensions_mut().insert(user);
        }
        Ok(None) => {}
        Err(err) => return err.into_response(),
    }
    next.run(request).await
}
