//! Everything the proxy is configured with, after the command line, the environment and
//! the optional TOML file are merged.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// Where the API calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// The sandbox, run in-process on loopback with demo data.
    Sandbox,
    /// A real API base URL, such as `https://api.theopenmoney.info/api/v1`.
    Url(url::Url),
}

impl std::str::FromStr for Upstream {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "sandbox" {
            return Ok(Upstream::Sandbox);
        }
        let url = url::Url::parse(s).map_err(|e| format!("--upstream: {e}"))?;
        if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
            return Err("--upstream must be `sandbox` or an http(s) base URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err("--upstream must not carry credentials or a query".into());
        }
        Ok(Upstream::Url(url))
    }
}

#[derive(Debug, Clone)]
pub struct Timeouts {
    pub connect: Duration,
    /// One attempt, end to end.
    pub request: Duration,
    /// The whole request at the proxy, retries included.
    pub total: Duration,
}

#[derive(Debug, Clone)]
pub struct Budgets {
    /// Upstream calls per second, for the whole proxy.
    pub upstream_rps: u32,
    /// How long a staff request may queue for the upstream budget before a 429.
    pub max_queue: Duration,
    /// Retries allowed as a share of requests (percent), over a 10-second window.
    pub retry_percent: u32,
}

#[derive(Debug, Clone)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

/// Single sign-on behind an authenticating proxy (oauth2-proxy or similar).
#[derive(Debug, Clone)]
pub struct Sso {
    /// The header carrying the signed-in identity, such as `X-Forwarded-Email`.
    pub header: String,
    /// Only requests from these addresses may carry it.
    pub trusted: Vec<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub upstream: Upstream,
    pub api_key: Option<SecretString>,
    pub database_url: String,
    pub static_dir: PathBuf,
    pub timeouts: Timeouts,
    pub budgets: Budgets,
    pub sessions: SessionPolicy,
    pub sso: Option<Sso>,
    /// Send HSTS (always sent when the request came over TLS at a fronting proxy).
    pub hsts: bool,
    /// The origin staff use, if fixed (`https://console.example.com`); otherwise the
    /// request's own Host is the origin.
    pub public_origin: Option<String>,
    /// The live feed: the watcher's pace and the stream caps.
    pub live: LiveConfig,
    /// The name heading buyers' payment pages.
    pub brand: Option<String>,
}

impl Config {
    /// Defaults that run locally against the embedded sandbox.
    pub fn local(data_dir: PathBuf) -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("literal address"),
            upstream: Upstream::Sandbox,
            api_key: None,
            database_url: sqlite_url(&data_dir),
            static_dir: PathBuf::from("dist"),
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(10),
                total: Duration::from_secs(30),
            },
            budgets: Budgets { upstream_rps: 50, max_queue: Duration::from_secs(2), retry_percent: 20 },
            sessions: SessionPolicy { idle: Duration::from_secs(30 * 60), absolute: Duration::from_secs(12 * 3600) },
            sso: None,
            hsts: false,
            public_origin: None,
            brand: None,
            live: LiveConfig::default(),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        self.upstream == Upstream::Sandbox
    }
}

pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("console.db").display())
}

/// An API key must look like one.
pub fn check_key(key: &str) -> Result<(), String> {
    let key = key.trim();
    if !key.starts_with("osk_") || key.len() < 12 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the API key must be an osk_… key".into());
    }
    Ok(())
}

/// How the live feed is set up.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub pace: Pace,
    /// Open streams per staff member.
    pub per_user: usize,
    /// Open streams in all.
    pub global: usize,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            pace: Pace {
                interval: Duration::from_secs(3),
                idle_interval: Duration::from_secs(15),
                grace: Duration::from_secs(10),
            },
            per_user: 8,
            global: 2000,
        }
    }
}

/// How the watcher is paced.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Between looks while any order can still change.
    pub interval: Duration,
    /// Between looks while none can.
    pub idle_interval: Duration,
    /// How long the watcher keeps going after the last stream closes.
    pub grace: Duration,
}
