//! Reusable pieces of the console.

pub mod clock;
pub mod copy;
pub mod export;
pub mod feedback;
pub mod filters;
pub mod live;
pub mod orders_table;
pub mod paged_table;
pub mod pager;
pub mod qr;
pub mod rate;
pub mod runway;
pub mod share;
pub mod shell;
