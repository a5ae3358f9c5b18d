//! `/console/v1`: what the console needs beyond the upstream — its own configuration, the
//! audit, and staff management.

pub(crate) mod audit;
pub(crate) mod users;

use axum::routing::{get, patch};
use axum::{Json, Router};
use openmoney_api::console::ConsoleConfig;
use openmoney_api::{Envelope, Success};

use crate::auth::StaffUser;
use crate::json::ok;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/config", get(config))
        .route("/events", get(crate::live::events))
        .route("/audit", get(audit::list))
        .route("/audit.csv", get(audit::csv))
        .route("/orders/{id}/audit", get(audit::for_order))
        .route("/qr.svg", get(crate::qr::console))
        .route("/users", get(users::list).post(users::add))
        .route("/users/{username}", patch(users::change).delete(users::remove))
        .merge(crate::pay::staff_router())
}

/// What the console needs to know about this proxy.
#[utoipa::path(get, path = "/console/v1/config", tag = "Console",
    responses((status = 200, description = "The configuration", body = Success<ConsoleConfig>)))]
pub(crate) async fn config(
    axum::extract::State(app): axum::extract::State<AppState>,
    _: StaffUser,
) -> Json<Envelope<ConsoleConfig>> {
    ok(ConsoleConfig { sandbox: app.sandbox_mode(), version: env!("CARGO_PKG_VERSION").to_owned() })
}
