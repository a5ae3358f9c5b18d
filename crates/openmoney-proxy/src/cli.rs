//! The command line: `serve`, and `user add|list|disable|enable|passwd|remove`. Every
//! `serve` flag, and `--data-dir` and `--database-url`, is also an environment variable
//! and a key of the optional TOML file (`--config`, `OPENMONEY_CONFIG`); the command line
//! wins over the environment, which wins over the file. `user` commands read the store
//! the same file names.

use std::io::BufRead;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde::Deserialize;

use openmoney_api::AuditAction;

use crate::config::{self, Config, Sso, TlsFiles, Upstream};
use crate::db::{Db, Role};

#[derive(Parser, Debug)]
#[command(name = "openmoney-proxy", version, about = "The partner-side proxy of Openmoney Console")]
pub struct Cli {
    /// A TOML file with any of the `serve` options.
    #[arg(long, env = "OPENMONEY_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Where the SQLite store lives.
    #[arg(long, env = "OPENMONEY_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// A database URL instead of the SQLite file (`postgres://…` for shared replicas).
    #[arg(long, env = "OPENMONEY_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the console and the API.
    Serve(Box<ServeOptions>),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Args, Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeOptions {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "OPENMONEY_LISTEN")]
    pub listen: Option<std::net::SocketAddr>,
    /// `sandbox` (embedded, with demo data) or the API base URL [default: sandbox].
    #[arg(long, env = "OPENMONEY_UPSTREAM")]
    pub upstream: Option<String>,
    /// A file holding the osk_… key; or set OPENMONEY_API_KEY.
    #[arg(long, env = "OPENMONEY_API_KEY_FILE")]
    pub api_key_file: Option<PathBuf>,
    /// The built console [default: dist].
    #[arg(long, env = "OPENMONEY_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Upstream connect timeout, ms [default: 2000].
    #[arg(long, env = "OPENMONEY_CONNECT_TIMEOUT_MS")]
    pub connect_timeout_ms: Option<u64>,
    /// One upstream attempt, ms [default: 10000].
    #[arg(long, env = "OPENMONEY_REQUEST_TIMEOUT_MS")]
    pub request_timeout_ms: Option<u64>,
    /// A whole proxied request with its retries, ms [default: 30000].
    #[arg(long, env = "OPENMONEY_TOTAL_TIMEOUT_MS")]
    pub total_timeout_ms: Option<u64>,
    /// Upstream calls per second for the whole proxy [default: 50].
    #[arg(long, env = "OPENMONEY_UPSTREAM_RPS")]
    pub upstream_rps: Option<u32>,
    /// How long a request may queue for that budget, ms [default: 2000].
    #[arg(long, env = "OPENMONEY_MAX_QUEUE_MS")]
    pub max_queue_ms: Option<u64>,
    /// Retries as a percentage of requests [default: 20].
    #[arg(long, env = "OPENMONEY_RETRY_PERCENT")]
    pub retry_percent: Option<u32>,
    /// Idle session timeout, minutes [default: 30].
    #[arg(long, env = "OPENMONEY_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<u64>,
    /// Absolute session lifetime, hours [default: 12].
    #[arg(long, env = "OPENMONEY_SESSION_ABSOLUTE_HOURS")]
    pub session_absolute_hours: Option<u64>,
    /// SSO: the identity header set by the authenticating proxy (e.g. X-Forwarded-Email).
    #[arg(long, env = "OPENMONEY_SSO_HEADER")]
    pub sso_header: Option<String>,
    /// SSO: addresses allowed to send that header, comma separated.
    #[arg(long, env = "OPENMONEY_SSO_TRUSTED", value_delimiter = ',')]
    pub sso_trusted: Option<Vec<IpAddr>>,
    /// Send Strict-Transport-Security (when served over TLS): `--hsts`, or `--hsts false`.
    #[arg(long, env = "OPENMONEY_HSTS", num_args = 0..=1, default_missing_value = "true")]
    pub hsts: Option<bool>,
    /// Serve HTTPS (and HTTP/2) with this PEM certificate chain; needs --tls-key.
    #[arg(long, env = "OPENMONEY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "OPENMONEY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// With TLS: also listen here for plain HTTP, and redirect it to HTTPS.
    #[arg(long, env = "OPENMONEY_HTTP_REDIRECT_LISTEN")]
    pub http_redirect_listen: Option<std::net::SocketAddr>,
    /// Reverse proxies or load balancers in front, comma separated: from these, the client
    /// is the address X-Forwarded-For names (for sign-in throttles, the audit, buyers' limits).
    #[arg(long, env = "OPENMONEY_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<IpAddr>>,
    /// The origin staff use, such as https://console.example.com.
    #[arg(long, env = "OPENMONEY_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// The name heading buyers' payment pages, such as your shop's.
    #[arg(long, env = "OPENMONEY_BRAND")]
    pub brand: Option<String>,
    /// Live consoles: ms between looks at the upstream while any order can still change [default: 3000].
    #[arg(long, env = "OPENMONEY_LIVE_INTERVAL_MS")]
    pub live_interval_ms: Option<u64>,
    /// Live consoles: ms between looks while no order can change [default: 15000].
    #[arg(long, env = "OPENMONEY_LIVE_IDLE_INTERVAL_MS")]
    pub live_idle_interval_ms: Option<u64>,
    /// Live consoles: how long the watcher goes on after the last console closes, ms [default: 10000].
    #[arg(long, env = "OPENMONEY_LIVE_GRACE_MS")]
    pub live_grace_ms: Option<u64>,
    /// Live consoles: open streams in all [default: 2000; 8 per staff member].
    #[arg(long, env = "OPENMONEY_LIVE_MAX_STREAMS")]
    pub live_max_streams: Option<usize>,
    /// The file's `data_dir`; on the command line, the global `--data-dir`.
    #[arg(skip)]
    pub data_dir: Option<PathBuf>,
    /// The file's `database_url`; on the command line, the global `--database-url`.
    #[arg(skip)]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff member.
    Add {
        name: String,
        #[arg(long)]
        role: Role,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff.
    List,
    /// Disable a staff member and end their sessions.
    Disable { name: String },
    /// Enable a disabled staff member.
    Enable { name: String },
    /// Set a new password (and end their sessions).
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a staff member.
    Remove { name: String },
}

macro_rules! merge {
    ($cli:expr, $file:expr, $($field:ident),+) => {
        $( if $cli.$field.is_none() { $cli.$field = $file.$field.take(); } )+
    };
}

impl Cli {
    /// What the `--config` file sets; nothing without one.
    fn file(&self) -> Result<ServeOptions, String> {
        let Some(path) = &self.config else { return Ok(ServeOptions::default()) };
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The data directory and the store's URL: the command line or environment, else the
    /// file, else `.data` and the SQLite file in it.
    fn store(&self, file: &ServeOptions) -> (PathBuf, String) {
        let data_dir =
            self.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(".data"));
        let url = self.database_url.clone().or_else(|| file.database_url.clone());
        let url = url.unwrap_or_else(|| config::sqlite_url(&data_dir));
        (data_dir, url)
    }

    /// The store's URL, as `serve` would use it.
    pub fn database_url(&self) -> Result<String, String> {
        Ok(self.store(&self.file()?).1)
    }

    /// The configuration `serve` runs with.
    pub fn serve_config(&self, options: &ServeOptions) -> Result<Config, String> {
        let mut o = options.clone();
        let mut file = self.file()?;
        let (data_dir, database_url) = self.store(&file);
        {
            merge!(
                o,
                file,
                listen,
                upstream,
                api_key_file,
                static_dir,
                connect_timeout_ms,
                request_timeout_ms,
                total_timeout_ms,
                upstream_rps,
                max_queue_ms,
                retry_percent,
                session_idle_minutes,
                session_absolute_hours,
                sso_header,
                sso_trusted,
                hsts,
                tls_cert,
                tls_key,
                http_redirect_listen,
                trusted_proxies,
                public_origin,
                brand,
                live_interval_ms,
                live_idle_interval_ms,
                live_grace_ms,
                live_max_streams
            );
        }
        let mut config = Config::local(data_dir);
        config.database_url = database_url;
        if let Some(listen) = o.listen {
            config.listen = listen;
        }
        if let Some(upstream) = &o.upstream {
            config.upstream = upstream.parse()?;
        }
        if let Some(dir) = o.static_dir {
            config.static_dir = dir;
        }
        let ms = |v: Option<u64>, d: Duration| v.map(Duration::from_millis).unwrap_or(d);
        config.timeouts.connect = ms(o.connect_timeout_ms, config.timeouts.connect);
        config.timeouts.request = ms(o.request_timeout_ms, config.timeouts.request);
        config.timeouts.total = ms(o.total_timeout_ms, config.timeouts.total);
        config.budgets.upstream_rps = o.upstream_rps.unwrap_or(config.budgets.upstream_rps);
        config.budgets.max_queue = ms(o.max_queue_ms, config.budgets.max_queue);
        config.budgets.retry_percent = o.retry_percent.unwrap_or(config.budgets.retry_percent);
        if let Some(minutes) = o.session_idle_minutes {
            config.sessions.idle = Duration::from_secs(minutes * 60);
        }
        if let Some(hours) = o.session_absolute_hours {
            config.sessions.absolute = Duration::from_secs(hours * 3600);
        }
        if let Some(header) = o.sso_header {
            config.sso = Some(Sso { header: header.to_ascii_lowercase(), trusted: o.sso_trusted.unwrap_or_default() });
        }
        let pace = &mut config.live.pace;
        pace.interval = ms(o.live_interval_ms, pace.interval);
        pace.idle_interval = ms(o.live_idle_interval_ms, pace.idle_interval);
        pace.grace = ms(o.live_grace_ms, pace.grace);
        if pace.interval.is_zero() || pace.idle_interval.is_zero() {
            return Err("--live-interval-ms and --live-idle-interval-ms must be above 0".into());
        }
        config.live.global = o.live_max_streams.unwrap_or(config.live.global);
        config.tls = match (o.tls_cert, o.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err("--tls-cert and --tls-key go together".into()),
        };
        if o.http_redirect_listen.is_some() && config.tls.is_none() {
            return Err("--http-redirect-listen redirects to HTTPS, so it needs --tls-cert and --tls-key".into());
        }
        config.http_redirect_listen = o.http_redirect_listen;
        config.trusted_proxies = o.trusted_proxies.unwrap_or_default();
        // Served over HTTPS, browsers are told to keep to it unless asked otherwise.
        config.hsts = o.hsts.unwrap_or(config.tls.is_some());
        config.public_origin = o.public_origin;
        config.brand = o.brand.filter(|b| !b.trim().is_empty());
        config.api_key = read_key(o.api_key_file.as_deref())?;
        config.api_key_file = o.api_key_file;
        if matches!(config.upstream, Upstream::Url(_)) && config.api_key.is_none() {
            return Err("a real upstream needs its key: --api-key-file PATH or OPENMONEY_API_KEY".into());
        }
        Ok(config)
    }
}

/// The key, from the file or `OPENMONEY_API_KEY`; refused unless it is an osk_… key.
fn read_key(file: Option<&std::path::Path>) -> Result<Option<SecretString>, String> {
    match file {
        Some(path) => config::read_key_file(path).map(Some),
        None => std::env::var("OPENMONEY_API_KEY").ok().map(|key| config::key(&key)).transpose(),
    }
}

fn read_password(from_stdin: bool) -> Result<(String, bool), String> {
    if !from_stdin {
        return Ok((crate::auth::password::generate(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("stdin: {e}"))?;
    Ok((line.trim_end_matches(['\n', '\r']).to_owned(), false))
}

/// Runs a `user` command against the store.
pub async fn user_command(cli: &Cli, command: &UserCommand) -> Result<String, String> {
    let db = Db::connect(&cli.database_url()?).await.map_err(|e| format!("store: {}", e.detail()))?;
    let fail = |e: crate::error::Error| e.to_string();
    let audit = |action: AuditAction, summary: String| {
        let db = db.clone();
        async move {
            let event =
                crate::db::NewAudit { outcome: "ok".into(), summary, ..crate::db::NewAudit::new("cli", action) };
            db.audit(event).await.map_err(|e| e.to_string())
        }
    };
    match command {
        UserCommand::Add { name, role, password_stdin } => {
            let (password, generated) = read_password(*password_stdin)?;
            crate::auth::password::check_strength(&password).map_err(fail)?;
            let hash = crate::auth::password::hash(password.clone()).await.map_err(fail)?;
            db.add_user(name, &hash, *role).await.map_err(fail)?;
            audit(AuditAction::UserAdd, format!("added {name} as {role}")).await?;
            Ok(if generated {
                format!("added {name} ({role}); password: {password}")
            } else {
                format!("added {name} ({role})")
            })
        }
        UserCommand::List => {
            let users = db.users().await.map_err(fail)?;
            Ok(users
                .iter()
                .map(|u| format!("{}\t{}\t{}", u.username, u.role, if u.disabled { "disabled" } else { "active" }))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disable = matches!(command, UserCommand::Disable { .. });
            db.set_disabled(name, disable).await.map_err(fail)?;
            let what = if disable { "disabled" } else { "enabled" };
            audit(AuditAction::UserChange, format!("{name}: {what}")).await?;
            Ok(format!("{what} {name}"))
        }
        UserCommand::Passwd { name, password_stdin } => {
            let (password, generated) = read_password(*password_stdin)?;
            crate::auth::password::check_strength(&password).map_err(fail)?;
            let hash = crate::auth::password::hash(password.clone()).await.map_err(fail)?;
            db.set_password(name, &hash).await.map_err(fail)?;
            audit(AuditAction::UserChange, format!("{name}: password reset")).await?;
            Ok(if generated {
                format!("new password for {name}: {password}")
            } else {
                format!("password set for {name}")
            })
        }
        UserCommand::Remove { name } => {
            db.remove_user(name).await.map_err(fail)?;
            audit(AuditAction::UserRemove, format!("removed {name}")).await?;
            Ok(format!("removed {name}"))
        }
    }
}
