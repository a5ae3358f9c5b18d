//! Wire types of the proxy's own routes (`/auth`, `/console/v1`), shared by the proxy and
//! the console.

use serde::{Deserialize, Serialize};

use crate::{AuditAction, Timestamp};

/// What a staff member may do. Each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every read.
    Viewer,
    /// Also creates and cancels orders (and, in sandbox mode, the sandbox controls).
    Operator,
    /// Also manages staff and reads the audit.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}: viewer, operator or admin"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Body of `POST /auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The signed-in staff member, and the token every change must carry in `X-CSRF-Token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
}

/// `GET /console/v1/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleConfig {
    /// The upstream is the embedded sandbox: its controls are available.
    pub sandbox: bool,
    pub version: String,
}

/// Query of the audit (`GET /console/v1/audit`, and without paging its CSV): every filter
/// optional, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Who acted: a staff member's name, or the name a failed sign-in gave.
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Entries before this instant.
    pub to: Option<Timestamp>,
    /// Page size, 1 to 100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl AuditQuery {
    /// The set parameters as query pairs, for building a URL.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        crate::orders::push(&mut pairs, "actor", self.actor.as_ref());
        crate::orders::push(&mut pairs, "action", self.action.as_ref());
        crate::orders::push(&mut pairs, "from", self.from.as_ref());
        crate::orders::push(&mut pairs, "to", self.to.as_ref());
        crate::orders::push(&mut pairs, "limit", self.limit.as_ref());
        crate::orders::push(&mut pairs, "offset", self.offset.as_ref());
        pairs
    }
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Unix epoch milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: AuditAction,
    pub outcome: String,
    pub order_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub summary: String,
    pub client_addr: Option<String>,
    /// For a create: the estimate staff saw when they submitted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// The price and TON/USD rate the console showed when an order was submitted; the console
/// sends it as `X-Console-Quote: price_ton=0.418; ton_usd_rate=3.6012` and the proxy keeps
/// it with the create in the audit, so the order page can show any drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub price_ton: crate::Ton,
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub ton_usd_rate: crate::Decimal,
}

impl Quote {
    pub const HEADER: &'static str = "x-console-quote";

    pub fn to_header(&self) -> String {
        format!("price_ton={}; ton_usd_rate={}", self.price_ton, self.ton_usd_rate)
    }

    pub fn from_header(text: &str) -> Result<Quote, String> {
        let bad = || "X-Console-Quote must be `price_ton=<TON>; ton_usd_rate=<USD>`".to_owned();
        let mut price = None;
        let mut rate = None;
        for part in text.split(';') {
            let (key, value) = part.trim().split_once('=').ok_or_else(bad)?;
            match key.trim() {
                "price_ton" => price = Some(value.trim().parse::<crate::Ton>().map_err(|_| bad())?),
                "ton_usd_rate" => rate = Some(value.trim().parse::<crate::Decimal>().map_err(|_| bad())?),
                _ => return Err(bad()),
            }
        }
        match (price, rate) {
            (Some(price_ton), Some(ton_usd_rate)) if price_ton > crate::Ton::ZERO => {
                Ok(Quote { price_ton, ton_usd_rate })
            }
            _ => Err(bad()),
        }
    }
}

/// A staff account as the console shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAccount {
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A password: 10 to 256 characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=256;

/// Body of `POST /console/v1/users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// 1 to 64 letters, digits, `.`, `_`, `@` or `-`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9._@-]{1,64}$"))]
    pub username: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

/// Body of `PATCH /console/v1/users/{name}`: at least one of the three; a field that is
/// given must not be null.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffChange {
    #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub disabled: Option<bool>,
    #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, min_length = 10, max_length = 256))]
    pub password: Option<String>,
}

/// An optional field that, when present, holds a value (not `null`).
fn given<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}
