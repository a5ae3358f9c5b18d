//! One error type for every call: pages never look at status codes.

use openmoney_api::{ErrorBody, ErrorCode};

use crate::i18n::{td_string, Locale};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Not signed in (or the session ended): go to sign-in and come back.
    Unauthorized,
    /// Signed in, but the role does not allow it.
    Forbidden(String),
    NotFound(String),
    /// A state conflict: cancelling a paid order, a short balance, a key in use.
    Conflict {
        code: ErrorCode,
        message: String,
    },
    /// The request was refused as invalid.
    Validation {
        code: ErrorCode,
        message: String,
    },
    /// Too many requests: retry after this many seconds.
    RateLimited {
        retry_after: u64,
        message: String,
    },
    /// The proxy could not be reached.
    Network(String),
    /// The proxy or the upstream failed.
    Server {
        code: ErrorCode,
        message: String,
    },
}

impl ApiError {
    /// From an answer that was not a success.
    pub fn from_answer(status: u16, body: Option<ErrorBody>, retry_after: Option<u64>) -> Self {
        let (code, message) = match body {
            Some(body) => (body.error_code, body.error_message),
            None => (ErrorCode::Unknown(status.to_string()), format!("HTTP {status}")),
        };
        match status {
            401 => ApiError::Unauthorized,
            403 => ApiError::Forbidden(message),
            404 => ApiError::NotFound(message),
            409 => ApiError::Conflict { code, message },
            400 | 413 | 422 => ApiError::Validation { code, message },
            429 => ApiError::RateLimited { retry_after: retry_after.unwrap_or(1).max(1), message },
            _ => ApiError::Server { code, message },
        }
    }

    /// A sentence for staff.
    pub fn human(&self, l: Locale) -> String {
        match self {
            ApiError::Unauthorized => td_string!(l, error.unauthorized).into(),
            ApiError::Forbidden(_) => td_string!(l, error.forbidden).into(),
            ApiError::NotFound(_) => td_string!(l, error.not_found).into(),
            ApiError::Conflict { code, message } => match code {
                ErrorCode::InsufficientBalance => td_string!(l, error.insufficient_balance).into(),
                ErrorCode::IdempotencyKeyInUse => td_string!(l, error.key_in_use).into(),
                ErrorCode::InvalidState => td_string!(l, error.invalid_state, message),
                _ => message.clone(),
            },
            ApiError::Validation { code, message } => match code {
                ErrorCode::RecipientNotEligible => td_string!(l, error.not_eligible, message),
                ErrorCode::IdempotencyKeyReused => td_string!(l, error.key_reused).into(),
                _ => message.clone(),
            },
            ApiError::RateLimited { retry_after, .. } => td_string!(l, error.rate_limited, seconds = retry_after),
            ApiError::Network(_) => td_string!(l, error.network).into(),
            ApiError::Server { code, .. } => match code {
                ErrorCode::UpstreamTimeout => td_string!(l, error.upstream_timeout).into(),
                ErrorCode::UpstreamUnavailable | ErrorCode::ServiceUnavailable => {
                    td_string!(l, error.upstream_unavailable).into()
                }
                _ => td_string!(l, error.server).into(),
            },
        }
    }

    /// The upstream's own words, kept for whoever needs them.
    pub fn detail(&self) -> Option<String> {
        match self {
            ApiError::Forbidden(m) | ApiError::NotFound(m) | ApiError::Network(m) => Some(m.clone()),
            ApiError::Conflict { code, message }
            | ApiError::Validation { code, message }
            | ApiError::Server { code, message } => Some(format!("{code}: {message}")),
            ApiError::RateLimited { message, .. } => Some(message.clone()),
            ApiError::Unauthorized => None,
        }
    }

    /// Worth a retry button.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Server { .. } | ApiError::RateLimited { .. })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.human(Locale::en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: ErrorCode, message: &str) -> Option<ErrorBody> {
        Some(ErrorBody::new(code, message))
    }

    #[test]
    fn statuses_map_to_one_error_each() {
        crate::i18n::load_bundled();
        assert_eq!(ApiError::from_answer(401, None, None), ApiError::Unauthorized);
        assert!(matches!(ApiError::from_answer(429, None, Some(7)), ApiError::RateLimited { retry_after: 7, .. }));
        let conflict = ApiError::from_answer(409, body(ErrorCode::InsufficientBalance, "balance 1 TON is less"), None);
        assert!(conflict.human(Locale::en).contains("balance is too low"));
        assert!(conflict.human(Locale::es).contains("saldo"), "{}", conflict.human(Locale::es));
        assert_eq!(conflict.detail().unwrap(), "INSUFFICIENT_BALANCE: balance 1 TON is less");
        let limit =
            ApiError::from_answer(422, body(ErrorCode::ValidationError, "quantity must be between 50 and 10000"), None);
        assert_eq!(limit.human(Locale::hi), "quantity must be between 50 and 10000", "the upstream's own message");
        assert!(ApiError::from_answer(504, body(ErrorCode::UpstreamTimeout, "x"), None).is_transient());
    }
}
