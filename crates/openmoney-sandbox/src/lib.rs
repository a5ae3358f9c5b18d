//! A faithful simulator of TheOpenMoney partner API.
//!
//! It serves the whole `/api/v1` contract (see `UPSTREAM_API.md`) with idempotent creates,
//! a lifecycle on a clock tests can drive, per-key rate limits, fault injection and an
//! OpenAPI document, plus `/sandbox/v1` controls that simulate payments, failures and
//! top-ups. Embed it with [`Sandbox::router`] or run it on a socket with [`Sandbox::serve`].

mod clock;
pub mod config;
mod demo;
mod error;
mod faults;
mod http;
mod openapi;
mod pricing;
mod recipients;
pub mod server;
mod state;
mod store;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use clock::Clock;
pub use config::{ApiKey, PartnerConfig, SandboxConfig, DEMO_KEY};
pub use http::document as api_document;
pub use state::RequestRecord;

/// A sandbox: its state and the router that serves it.
#[derive(Clone)]
pub struct Sandbox {
    app: state::AppState,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let app = state::AppState::new(&config);
        if config.demo {
            demo::seed(&mut app.store(), 0, app.now());
        }
        Sandbox { app }
    }

    /// Every route of the sandbox, ready to serve or to call in-process.
    pub fn router(&self) -> Router {
        http::router(self.app.clone())
    }

    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    /// How many orders all partners hold.
    pub fn order_count(&self) -> usize {
        self.app.store().order_count()
    }

    /// Adds `count` more orders of believable history to the first partner (for load and
    /// scaling runs: 10⁵ orders take well under a second).
    pub fn seed_history(&self, count: usize) {
        let now = self.app.now();
        demo::history(&mut self.app.store(), 0, now, count);
    }

    /// Replaces the first partner's fault rules, as `PUT /sandbox/v1/faults` does.
    pub fn set_faults(&self, rules: Vec<openmoney_api::sandbox::FaultRule>) {
        self.app.store().partner_mut(0).faults.set(rules);
    }

    /// Rotating a partner's key, first step: `new` is accepted too, for the partner of
    /// `existing`. False when `existing` is no partner's key.
    pub fn add_key(&self, existing: &str, new: &str) -> bool {
        self.app.add_key(existing, new)
    }

    /// Rotating a partner's key, last step: `key` is refused from now on.
    pub fn revoke_key(&self, key: &str) -> bool {
        self.app.revoke_key(key)
    }

    /// How many requests reached the sandbox, of any kind, answered or reset.
    pub fn request_count(&self) -> u64 {
        self.app.log.total()
    }

    /// The most recent requests (up to 10,000), oldest first.
    pub fn recent_requests(&self) -> Vec<RequestRecord> {
        self.app.log.recent()
    }

    /// Serves on `listener` until `shutdown` resolves.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        server::serve(listener, self.router(), shutdown).await
    }

    /// Binds `addr` (port 0 picks one) and serves in the background for as long as the
    /// runtime lives. Gives the address it listens on.
    pub async fn spawn(self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        tokio::spawn(self.serve(listener, std::future::pending()));
        Ok(local)
    }
}
