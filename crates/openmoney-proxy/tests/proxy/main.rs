//! Integration tests of the proxy: real sockets, real SQLite, the sandbox as upstream.

mod access;
mod audit;
mod connections;
mod corpus;
mod crash;
mod forwarding;
mod helpers;
mod live;
mod matrix;
mod modules;
mod pay;
mod reliability;
mod slow;
mod sso;
mod startup;
mod store;
mod tls;
mod web;
