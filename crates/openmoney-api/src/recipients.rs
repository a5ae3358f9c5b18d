//! Recipient checks: can a username receive Stars or Premium.

use serde::{Deserialize, Serialize};

/// `GET /recipients/stars` and `/premium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientCheck {
    /// The username as checked, without `@`.
    pub username: String,
    pub can_receive: bool,
    /// Why not, when `can_receive` is false: `user_not_found`, `bot_account` or
    /// `already_premium`.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RecipientQuery {
    /// Telegram username, with or without `@`.
    #[cfg_attr(feature = "openapi", param(pattern = r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$"))]
    pub username: String,
}
