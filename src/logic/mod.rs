//! The console's logic as plain functions, tested natively: components stay thin.

pub mod bulk;
pub mod countdown;
pub mod drift;
pub mod filters;
pub mod html;
pub mod idempotency;
pub mod live;
pub mod money;
pub mod numbers;
pub mod order_form;
pub mod runway;
pub mod search;
pub mod shortcuts;
pub mod tonlink;
