//! String enums of the wire. Each decodes an unknown value into `Unknown(String)` and
//! displays it as sent, so a value added by the real API never fails a response.

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this build does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this build knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(other) => other,
                }
            }

            /// Reads a wire value; anything unrecognised becomes `Unknown`.
            pub fn from_wire(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// The known values as text, comma separated, for error messages.
            pub fn known_list() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                }
                deserializer.deserialize_str(Visit)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

wire_enum!(
    /// Where an order is in its life: `pending_payment → paid → processing → completed`,
    /// or `expired`, `cancelled`, or `failed → refunded`.
    OrderStatus {
        PendingPayment => "pending_payment",
        Paid => "paid",
        Processing => "processing",
        Completed => "completed",
        Expired => "expired",
        Cancelled => "cancelled",
        Failed => "failed",
        Refunded => "refunded",
    }
);

impl OrderStatus {
    /// No further change will happen to an order in this status.
    pub fn is_terminal(&self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::Expired | OrderStatus::Cancelled | OrderStatus::Refunded)
    }

    /// Only an order awaiting payment can be cancelled.
    pub fn is_cancellable(&self) -> bool {
        matches!(self, OrderStatus::PendingPayment)
    }
}

wire_enum!(
    /// What an order buys.
    OrderType {
        Stars => "stars",
        Premium => "premium",
    }
);

wire_enum!(
    /// How an order is paid: a TON transfer with the memo, or a debit of the partner balance.
    PaymentMethod {
        TonMemo => "ton_memo",
        Balance => "balance",
    }
);

wire_enum!(
    /// The currency an order is paid in.
    Currency {
        Ton => "TON",
    }
);

wire_enum!(
    /// The kind of a partner balance movement.
    TransactionType {
        Topup => "topup",
        OrderDebit => "order_debit",
        Refund => "refund",
        Adjustment => "adjustment",
    }
);

wire_enum!(
    /// What an audit entry records: a sign-in, a change made through the console, or a
    /// change to staff. The proxy writes them, the console filters and names them.
    AuditAction {
        Login => "auth.login",
        LoginFailed => "auth.login_failed",
        LoginThrottled => "auth.login_throttled",
        Logout => "auth.logout",
        OrderCreate => "order.create",
        OrderCancel => "order.cancel",
        SandboxPay => "sandbox.pay",
        SandboxFail => "sandbox.fail",
        SandboxTopup => "sandbox.topup",
        PaymentLinkCreate => "payment_link.create",
        PaymentLinkRevoke => "payment_link.revoke",
        UserAdd => "user.add",
        UserChange => "user.change",
        UserRemove => "user.remove",
    }
);

wire_enum!(
    /// Service health as reported by `/health`.
    HealthStatus {
        Ok => "ok",
        Degraded => "degraded",
        Down => "down",
    }
);

wire_enum!(
    /// `error_code` of the error envelope.
    ErrorCode {
        Unauthorized => "UNAUTHORIZED",
        Forbidden => "FORBIDDEN",
        NotFound => "NOT_FOUND",
        MethodNotAllowed => "METHOD_NOT_ALLOWED",
        BadRequest => "BAD_REQUEST",
        ValidationError => "VALIDATION_ERROR",
        RecipientNotEligible => "RECIPIENT_NOT_ELIGIBLE",
        InvalidState => "INVALID_STATE",
        InsufficientBalance => "INSUFFICIENT_BALANCE",
        IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
        IdempotencyKeyInUse => "IDEMPOTENCY_KEY_IN_USE",
        PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        RequestTimeout => "REQUEST_TIMEOUT",
        RateLimited => "RATE_LIMITED",
        InternalError => "INTERNAL_ERROR",
        ServiceUnavailable => "SERVICE_UNAVAILABLE",
        UpstreamUnavailable => "UPSTREAM_UNAVAILABLE",
        UpstreamTimeout => "UPSTREAM_TIMEOUT",
    }
);

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::BadRequest => 400,
            ErrorCode::ValidationError | ErrorCode::RecipientNotEligible | ErrorCode::IdempotencyKeyReused => 422,
            ErrorCode::InvalidState | ErrorCode::InsufficientBalance | ErrorCode::IdempotencyKeyInUse => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::RateLimited => 429,
            ErrorCode::InternalError | ErrorCode::Unknown(_) => 500,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::UpstreamUnavailable => 502,
            ErrorCode::UpstreamTimeout => 504,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(known: &[T], unknown: T)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + std::fmt::Display,
    {
        for value in known.iter().chain(std::iter::once(&unknown)) {
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{value}\""));
            assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
        }
    }

    #[test]
    fn every_enum_round_trips_including_unknown_values() {
        round_trips(OrderStatus::KNOWN, OrderStatus::Unknown("on_hold".into()));
        round_trips(OrderType::KNOWN, OrderType::Unknown("gifts".into()));
        round_trips(PaymentMethod::KNOWN, PaymentMethod::Unknown("card".into()));
        round_trips(Currency::KNOWN, Currency::Unknown("USDT".into()));
        round_trips(TransactionType::KNOWN, TransactionType::Unknown("bonus".into()));
        round_trips(HealthStatus::KNOWN, HealthStatus::Unknown("maintenance".into()));
        round_trips(ErrorCode::KNOWN, ErrorCode::Unknown("NEW_ERROR".into()));
    }

    #[test]
    fn unknown_values_display_as_sent() {
        let status: OrderStatus = serde_json::from_str("\"on_hold\"").unwrap();
        assert_eq!(status, OrderStatus::Unknown("on_hold".into()));
        assert_eq!(status.to_string(), "on_hold");
        assert!(!status.is_known());
    }

    #[test]
    fn only_pending_orders_are_cancellable() {
        let cancellable: Vec<_> = OrderStatus::KNOWN.iter().filter(|s| s.is_cancellable()).collect();
        assert_eq!(cancellable, [&OrderStatus::PendingPayment]);
        assert!(!OrderStatus::Failed.is_terminal());
        assert!(OrderStatus::Refunded.is_terminal());
    }

    #[test]
    fn error_codes_map_to_their_status() {
        assert_eq!(ErrorCode::ValidationError.http_status(), 422);
        assert_eq!(ErrorCode::IdempotencyKeyInUse.http_status(), 409);
        assert_eq!(ErrorCode::Unauthorized.http_status(), 401);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
    }
}
