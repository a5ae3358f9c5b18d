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

/// The PEM files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, the server's own certificate first.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
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
    /// The file the key was read from, read again on SIGHUP and when it changes.
    pub api_key_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate, read again on SIGHUP and when it changes.
    pub tls: Option<TlsFiles>,
    /// Where plain HTTP is answered with a redirect to HTTPS.
    pub http_redirect_listen: Option<SocketAddr>,
    /// Reverse proxies and load balancers in front, whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
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
            api_key_file: None,
            tls: None,
            http_redirect_listen: None,
            trusted_proxies: Vec::new(),
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

    /// Why staff could not sign in as configured: plain HTTP on an address other than
    /// loopback, with no sign that HTTPS is terminated in front (an `https://` public
    /// origin). Browsers keep the `Secure` session cookies over HTTPS and on localhost only.
    pub fn plain_http_warning(&self) -> Option<String> {
        let fronted = self.public_origin.as_deref().is_some_and(|o| o.starts_with("https://"));
        if self.tls.is_some() || self.listen.ip().is_loopback() || fronted {
            return None;
        }
        Some(format!(
            "serving plain HTTP on {}: sign-in will not work, because browsers keep the session cookies \
             (Secure, __Host-) over HTTPS only. Serve HTTPS here with --tls-cert and --tls-key, or terminate \
             HTTPS in front (nginx, Caddy, a load balancer) and set --public-origin https://<the address staff use>",
            self.listen
        ))
    }
}

pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("console.db").display())
}

/// The key in `text`, which must look like one. The message never holds the text.
pub fn key(text: &str) -> Result<SecretString, String> {
    let key = text.trim();
    if !key.starts_with("osk_") || key.len() < 12 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("this is not a partner API key: those begin with osk and an underscore".into());
    }
    Ok(SecretString::from(key.to_owned()))
}

/// The key in a file, checked; errors name the file, never its content.
pub fn read_key_file(path: &std::path::Path) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("--api-key-file {}: {e}", path.display()))?;
    key(&text).map_err(|e| format!("--api-key-file {}: {e}", path.display()))
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
