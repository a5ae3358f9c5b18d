//! What every handler shares. Cheap to clone: `Arc`s inside.

use std::sync::Arc;

use crate::config::Config;
use openmoney_api::AuditAction;

use crate::db::{Db, NewAudit};
use crate::live::hub::Live;
use crate::metrics::Metrics;
use crate::throttle::Throttle;
use crate::upstream::Upstream;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: Db,
    pub upstream: Upstream,
    pub throttle: Throttle,
    pub metrics: Arc<Metrics>,
    /// The live feed to open consoles.
    pub live: Live,
    /// The security headers, with the Content-Security-Policy that hashes index.html's
    /// inline scripts.
    pub security: Arc<crate::headers::Security>,
    pub request_ids: crate::headers::RequestIds,
    /// Per-process secret for SSO CSRF tokens.
    pub sso_secret: String,
    /// The key payment-link tokens are derived with (from the API key).
    pub link_key: [u8; 32],
    /// The buyers' pages: the orders they watch, and their request budgets.
    pub pay: crate::pay::buyers::PayState,
    /// The files read again while the proxy runs: the API key's and the certificate's.
    pub reloads: Arc<crate::reload::Reloads>,
    /// The certificate HTTPS is served with, when the proxy serves it.
    pub tls: Option<Arc<crate::tls::Certificate>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }

    pub fn sandbox_mode(&self) -> bool {
        self.config.is_sandbox()
    }

    /// Records an event; a failure to record is logged, never hidden from the log.
    pub async fn audit_event(
        &self,
        actor: &str,
        action: AuditAction,
        outcome: &str,
        summary: String,
        addr: Option<&str>,
    ) {
        let event = NewAudit {
            outcome: outcome.to_owned(),
            summary,
            client_addr: addr.map(str::to_owned),
            ..NewAudit::new(actor, action)
        };
        if let Err(err) = self.db.audit(event).await {
            tracing::error!(%err, "audit write failed");
        }
    }
}
