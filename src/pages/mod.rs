//! Pages of the console, one per route.

pub mod audit;
pub mod balance;
pub mod bulk;
pub mod dashboard;
pub mod login;
pub mod lookup;
pub mod new_order;
pub mod not_found;
pub mod order;
pub mod orders;
pub mod pricing;
pub mod users;
