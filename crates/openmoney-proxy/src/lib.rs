//! The partner-side proxy of Openmoney Console. It holds the partner's API key, signs staff
//! in, forwards an allow-list of API calls with the key added, audits every change,
//! sets the security headers and serves the built console.

pub mod auth;
pub mod cli;
pub mod config;
mod console;
pub mod db;
mod error;
mod forward;
mod headers;
mod hot;
mod json;
pub mod live;
pub mod metrics;
mod openapi;
mod ops;
pub mod pay;
mod plain;
pub mod process;
pub mod qr;
pub mod reload;
mod server;
mod state;
mod targets;
mod throttle;
pub mod tls;
mod tokens;
mod upstream;
mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use openmoney_sandbox::Sandbox;
use secrecy::{ExposeSecret, SecretString};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::trace::TraceLayer;

pub use config::{Config, Upstream as UpstreamConfig};
pub use error::Error;
pub use forward::{reference_segment, UPSTREAM_ATTEMPTS_HEADER};
pub use server::redirect_to_https;
pub use state::AppState;
pub use targets::is_tricky as is_tricky_target;

/// The largest request body the proxy reads.
pub const BODY_LIMIT: usize = 16 * 1024;
/// How long a request's body may take to arrive.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Every route of the proxy.
pub fn app(state: AppState) -> Router {
    let mut api = Router::new().nest(forward::API, forward::api_router());
    if state.sandbox_mode() {
        api = api.nest("/sandbox/v1", forward::sandbox_router());
    }
    let document = axum::Json(openapi::document(state.sandbox_mode()));
    let routes = api
        .route("/openapi.json", get(move || std::future::ready(document.clone())))
        .nest("/auth", auth::router())
        .nest("/console/v1", console::router())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(pay::public_router())
        .fallback(web::serve)
        .layer(map_response(envelope_for_bare_405))
        .layer(from_fn_with_state(state.clone(), auth::csrf_guard))
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(from_fn_with_state(state.clone(), ops::record));
    let sensitive = Arc::from([
        header::AUTHORIZATION,
        header::COOKIE,
        header::SET_COOKIE,
        header::HeaderName::from_static(auth::CSRF_HEADER),
    ]);
    routes
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveHeadersLayer::from_shared(sensitive))
                .layer(SetRequestIdLayer::x_request_id(state.request_ids.clone()))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let path = pay::loggable(request.uri().path());
                    tracing::info_span!("request", method = %request.method(), path = %path, request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(state.security.clone(), headers::security))
                .layer(CatchPanicLayer::custom(|_| Error::internal("a handler panicked").into_response()))
                .layer(from_fn(targets::refuse_tricky_targets))
                .layer(DefaultBodyLimit::max(BODY_LIMIT))
                // A body that trickles in is cut off (the head has its own limit in `serve`).
                .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT)),
        )
        .with_state(state)
}

async fn envelope_for_bare_405(response: Response) -> Response {
    if !forward::is_bare_405(&response) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (error_parts, body) = Error::MethodNotAllowed.into_response().into_parts();
    parts.headers.extend(error_parts.headers);
    Response::from_parts(parts, body)
}

/// What `serve` needs besides the configuration.
pub struct Running {
    pub state: AppState,
    /// The embedded sandbox, in sandbox mode.
    pub sandbox: Option<Sandbox>,
    /// The first admin's password, when this start created it.
    pub first_admin_password: Option<String>,
}

/// Builds the state: the store, the upstream (starting the embedded sandbox if asked),
/// and a first admin on a sandbox run with no users.
pub async fn start(config: Config) -> Result<Running, String> {
    if let Some(warning) = config.plain_http_warning() {
        tracing::warn!("{warning}");
    }
    let db = db::Db::connect(&config.database_url).await.map_err(|e| format!("store: {}", e.detail()))?;
    let interrupted = db.recover_at_start().await.map_err(|e| format!("store: {}", e.detail()))?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "changes cut off by a stop in the middle of an upstream call are audited as interrupted"
        );
    }
    let metrics = Arc::new(metrics::Metrics::default());
    let (api_base, sandbox_base, key, sandbox) = match &config.upstream {
        config::Upstream::Url(url) => {
            let key = config.api_key.clone().ok_or("a real upstream needs --api-key-file or OPENMONEY_API_KEY")?;
            (url.clone(), None, key, None)
        }
        config::Upstream::Sandbox => embedded_sandbox().await?,
    };
    let first_admin_password = first_admin(&db, config.is_sandbox()).await?;
    let upstream = upstream::Upstream::new(
        api_base,
        sandbox_base,
        &key,
        config.timeouts.clone(),
        &config.budgets,
        metrics.clone(),
    )
    .map_err(|e| format!("upstream client: {e}"))?;
    let tls = config.tls.as_ref().map(tls::Certificate::load).transpose().map_err(|e| format!("TLS: {e}"))?;
    let mut reloads = reload::Reloads::default();
    if let (Some(path), config::Upstream::Url(_)) = (&config.api_key_file, &config.upstream) {
        let (authorization, file) = (upstream.authorization(), path.clone());
        reloads.add("api_key", vec![path.clone()], move || authorization.set(&config::read_key_file(&file)?));
    }
    if let Some(certificate) = &tls {
        let (files, certificate) = (certificate.files().clone(), certificate.clone());
        reloads.add("tls", vec![files.cert, files.key], move || certificate.reload());
    }
    let csp = web::content_security_policy(&config.static_dir);
    let security = std::sync::Arc::new(headers::Security::new(&csp, config.hsts));
    let live = live::Live::new(&config.live);
    let request_ids = headers::RequestIds::new(live.hub.instance());
    let state = AppState::new(state::Inner {
        config,
        db,
        upstream,
        throttle: throttle::Throttle::default(),
        metrics,
        live,
        security,
        request_ids,
        sso_secret: auth::random_token(),
        link_key: pay::link_key(key.expose_secret()),
        pay: pay::PayState::default(),
        reloads: Arc::new(reloads),
        tls,
    });
    Ok(Running { state, sandbox, first_admin_password })
}

/// Starts the embedded sandbox on a loopback port: its API base, its controls' base, the
/// key it was made with, and the sandbox.
#[cfg(feature = "embedded-sandbox")]
async fn embedded_sandbox() -> Result<(url::Url, Option<url::Url>, SecretString, Option<Sandbox>), String> {
    use openmoney_sandbox::{PartnerConfig, SandboxConfig};
    let key = format!("osk_embedded_{}", auth::random_token());
    let config =
        SandboxConfig { partners: vec![PartnerConfig::new(key.clone())], demo: true, ..SandboxConfig::default() };
    let sandbox = Sandbox::new(config);
    let addr: std::net::SocketAddr = sandbox
        .clone()
        .spawn("127.0.0.1:0".parse().map_err(|_| "loopback")?)
        .await
        .map_err(|e| format!("embedded sandbox: {e}"))?;
    let api = url::Url::parse(&format!("http://{addr}/api/v1")).map_err(|e| e.to_string())?;
    let controls = url::Url::parse(&format!("http://{addr}/sandbox/v1")).map_err(|e| e.to_string())?;
    Ok((api, Some(controls), SecretString::from(key), Some(sandbox)))
}

/// Without the `embedded-sandbox` feature there is none to start.
#[cfg(not(feature = "embedded-sandbox"))]
async fn embedded_sandbox() -> Result<(url::Url, Option<url::Url>, SecretString, Option<Sandbox>), String> {
    Err("this build has no embedded sandbox (cargo feature `embedded-sandbox`): give --upstream URL and its key, \
         or run a sandbox of its own (openmoney-sandbox) and give its URL"
        .into())
}

/// On a sandbox run with no users, creates `admin` with a random password. On a real
/// upstream with no users, refuses: staff must be added first.
async fn first_admin(db: &db::Db, sandbox: bool) -> Result<Option<String>, String> {
    if db.user_count().await.map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    if !sandbox {
        return Err(
            "no staff users yet; add one first:\n  openmoney-proxy user add NAME --role admin --password-stdin".into(),
        );
    }
    let password = auth::password::generate();
    let hash = auth::password::hash(password.clone()).await.map_err(|e| e.to_string())?;
    db.add_user("admin", &hash, db::Role::Admin).await.map_err(|e| e.to_string())?;
    Ok(Some(password))
}

/// Serves until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let purge = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            let now = db::now_millis();
            let policy = &purge.config.sessions;
            let _ = purge
                .db
                .purge_sessions(now - policy.idle.as_millis() as i64, now - policy.absolute.as_millis() as i64)
                .await;
            // No call outlives the total timeout; a change journalled well before it is lost.
            let stale = purge.config.timeouts.total + Duration::from_secs(60);
            let _ = purge.db.recover_interrupted(now - stale.as_millis() as i64).await;
        }
    });
    live::replicas::start(&state);
    tokio::spawn(state.reloads.clone().watch());
    let tls = state.tls.as_ref().map(|c| c.acceptor()).transpose().map_err(std::io::Error::other)?;
    tokio::spawn(live::watcher::run(state.clone(), state.config.live.pace.clone()));
    let hub = state.live.hub.clone();
    let shutdown = async move {
        shutdown.await;
        // Open streams never finish on their own: end them so the shutdown can.
        hub.end(live::hub::Ending::Shutdown);
    };
    server::run(listener, state.clone(), app(state), tls, shutdown).await
}
