//! Wire types of TheOpenMoney partner API (`/api/v1`), defined once and shared by the
//! console (wasm32), the proxy and the sandbox.
//!
//! - Every response is an [`Envelope`]: `{"ok": true, "data": …}` or the error shape
//!   `{"ok": false, "error_code", "error_message", "data": null}`.
//! - Enums decode unknown values into an `Unknown(String)` variant, so a new status or
//!   error code from the real API never fails a whole response.
//! - Money is exact: [`Ton`] holds integer nanotons and [`Decimal`] nine decimal places;
//!   both travel as JSON numbers, as the upstream sends them.

mod balance;
pub mod console;
mod enums;
mod envelope;
pub mod export;
mod health;
mod json;
mod money;
#[cfg(feature = "openapi")]
mod openapi;
mod orders;
pub mod pay;
mod pricing;
mod recipients;
pub mod sandbox;
mod timestamp;
pub mod validate;

pub use balance::{Balance, Transaction, TransactionQuery};
pub use enums::{
    AuditAction, Currency, ErrorCode, HealthStatus, OrderStatus, OrderType, PaymentMethod, TransactionType,
};
#[cfg(feature = "openapi")]
pub use envelope::Success;
pub use envelope::{Envelope, ErrorBody, NoData};
pub use health::Health;
pub use money::{Decimal, MoneyError, Ton, NANOS_PER_UNIT};
#[cfg(feature = "openapi")]
pub use openapi::add_error_responses;
pub use orders::{CreatePremiumOrder, CreateStarsOrder, Order, OrderId, OrderListQuery, Page, StatsSummary};
pub use pricing::{Estimate, FeeInfo, PremiumEstimateQuery, PremiumLimits, StarsEstimateQuery, StarsLimits, TonRate};
pub use recipients::{RecipientCheck, RecipientQuery};
pub use timestamp::Timestamp;

/// Path prefix of the partner API, on the upstream and on the proxy alike.
pub const API_PREFIX: &str = "/api/v1";
/// Header that makes an order create retry-safe.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Header set on a response that replays a stored idempotent result.
pub const IDEMPOTENT_REPLAYED_HEADER: &str = "idempotent-replayed";
