//! Integration tests of the sandbox over real sockets: one binary, one module per area.

mod endpoints;
mod errors;
mod faults;
mod helpers;
mod idempotency;
mod lifecycle;
mod seed_replay;
