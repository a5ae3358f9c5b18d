//! `spawn_proxy()`: the proxy on 127.0.0.1:0 with a real SQLite store in a temporary
//! directory, a tiny built console, and a sandbox upstream; plus typed staff sessions.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use openmoney_proxy::db::Role;
use openmoney_proxy::{AppState, Config, UpstreamConfig};
use openmoney_sandbox::{PartnerConfig, Sandbox, SandboxConfig};
use serde_json::Value;

pub const KEY: &str = "osk_proxy_test_partner_key_42";
pub const PASSWORD: &str = "correct horse battery staple";
pub const INLINE_SCRIPT: &str = "import('/app.js')";

/// Every log line the proxy writes during the tests.
pub fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let make = move || Capture(writer.clone());
        let _ = tracing_subscriber::fmt().json().with_env_filter("debug").with_writer(make).try_init();
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = std::io::stderr().write_all(buf);
        }
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct TestProxy {
    pub base: String,
    pub addr: SocketAddr,
    pub state: AppState,
    pub sandbox: Sandbox,
    pub client: reqwest::Client,
    pub data_dir: Arc<tempfile::TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A signed-in staff member.
#[derive(Clone, Debug)]
pub struct Staff {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text))
    }

    /// `name=value` of a cookie this reply sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next())
            .find(|pair| pair.split('=').next() == Some(name))
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn assert_error(&self, status: u16, code: &str) {
        let body = self.json();
        assert_eq!((self.status, body["error_code"].as_str()), (status, Some(code)), "{}", self.text);
        assert_eq!(body["ok"], false);
        assert!(body["data"].is_null());
    }
}

pub fn static_dir(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let index = format!(
        "<!DOCTYPE html><html><head><script type=\"module\">{INLINE_SCRIPT}</script></head><body></body></html>"
    );
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js"), "console.log('app')").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js.br"), b"\x0b\x08\x80console.log('app')\x03").unwrap();
    dist
}

/// A sandbox with one partner ([`KEY`]) on its own socket.
pub async fn spawn_sandbox(config: SandboxConfig) -> (Sandbox, SocketAddr) {
    let sandbox = Sandbox::new(config);
    let addr = sandbox.clone().spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    (sandbox, addr)
}

pub fn sandbox_config() -> SandboxConfig {
    let mut partner = PartnerConfig::new(KEY);
    partner.opening_balance = openmoney_api::Ton::from_units(1000);
    SandboxConfig { partners: vec![partner], ..SandboxConfig::default() }
}

/// A sandbox without a rate limit whose creates take 20 ms, as real ones take time: long
/// enough for a storm's requests to overlap.
pub fn unlimited() -> openmoney_sandbox::SandboxConfig {
    let mut config = openmoney_sandbox::SandboxConfig {
        rate_limit: openmoney_sandbox::config::RateLimitConfig { per_second: 0, burst: 0 },
        ..sandbox_config()
    };
    config.lifecycle.create_latency_millis = 20;
    config
}

/// The proxy in front of a sandbox reached as a real upstream (base URL and key).
pub async fn spawn_proxy() -> TestProxy {
    spawn_proxy_with(sandbox_config(), |_| {}).await
}

pub async fn spawn_proxy_with(sandbox: SandboxConfig, tweak: impl FnOnce(&mut Config)) -> TestProxy {
    logs();
    let (sandbox, sandbox_addr) = spawn_sandbox(sandbox).await;
    let data_dir = Arc::new(tempfile::tempdir().unwrap());
    let mut config = Config::local(data_dir.path().to_path_buf());
    if let Some(url) = postgres_database().await {
        config.database_url = url;
    }
    config.static_dir = static_dir(data_dir.path());
    config.upstream = UpstreamConfig::Url(format!("http://{sandbox_addr}/api/v1").parse().unwrap());
    config.api_key = Some(KEY.to_owned().into());
    config.timeouts.request = Duration::from_secs(2);
    tweak(&mut config);
    start(config, sandbox, data_dir, true).await
}

/// With `OPENMONEY_TEST_POSTGRES` set to a server URL (`postgres://user@host:port`), every
/// proxy of the suite gets a fresh PostgreSQL database instead of a SQLite file.
pub async fn postgres_database() -> Option<String> {
    let server = std::env::var("OPENMONEY_TEST_POSTGRES").ok()?;
    let token: String =
        openmoney_proxy::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(20).collect();
    let name = format!("console_test_{}", token.to_ascii_lowercase());
    openmoney_proxy::db::Db::create_postgres_database(&server, &name).await.expect("creates a test database");
    Some(format!("{server}/{name}"))
}

/// Signs `username` in at the proxy at `base`, as the console does.
pub async fn sign_in_at(client: &reqwest::Client, base: &str, username: &str) -> Staff {
    let signed_in = client
        .post(format!("{base}/auth/login"))
        .header("X-Requested-With", "openmoney-console")
        .header("Origin", base)
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|c| c.starts_with(openmoney_proxy::auth::SESSION_COOKIE))
        .unwrap()
        .to_owned();
    let body: serde_json::Value = signed_in.json().await.unwrap();
    Staff { cookie, csrf: body["data"]["csrf_token"].as_str().unwrap().to_owned() }
}

pub async fn start(config: Config, sandbox: Sandbox, data_dir: Arc<tempfile::TempDir>, add_staff: bool) -> TestProxy {
    let db = openmoney_proxy::db::Db::connect(&config.database_url).await.unwrap();
    if add_staff && db.user_count().await.unwrap() == 0 {
        let hash = openmoney_proxy::auth::password::hash(PASSWORD.into()).await.unwrap();
        for (name, role) in [("vera", Role::Viewer), ("otto", Role::Operator), ("ada", Role::Admin)] {
            db.add_user(name, &hash, role).await.unwrap();
        }
    }
    let running = openmoney_proxy::start(config).await.expect("proxy starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = running.state.clone();
    tokio::spawn(openmoney_proxy::serve(listener, running.state, async move {
        let _ = stopped.await;
    }));
    TestProxy {
        base: format!("http://{addr}"),
        addr,
        state,
        sandbox,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        data_dir,
        stop: Some(stop),
    }
}

impl TestProxy {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        assert_no_key(&format!("{headers:?}{text}"), "a response");
        Reply { status, headers, text }
    }

    /// A change as the console sends it: same origin, the console's header, the token.
    pub fn console(&self, method: reqwest::Method, path: &str, staff: Option<&Staff>) -> reqwest::RequestBuilder {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", &self.base);
        if let Some(staff) = staff {
            request = request.header("Cookie", &staff.cookie).header("X-CSRF-Token", &staff.csrf);
        }
        request
    }

    pub async fn get(&self, path: &str, staff: Option<&Staff>) -> Reply {
        self.send(self.console(reqwest::Method::GET, path, staff)).await
    }

    pub async fn post(&self, path: &str, staff: Option<&Staff>, body: &Value) -> Reply {
        self.send(self.console(reqwest::Method::POST, path, staff).json(body)).await
    }

    pub async fn create(&self, staff: &Staff, key: &str, body: &Value) -> Reply {
        self.send(
            self.console(reqwest::Method::POST, "/api/v1/orders/stars", Some(staff))
                .header("Idempotency-Key", key)
                .json(body),
        )
        .await
    }

    pub async fn login_raw(&self, username: &str, password: &str) -> Reply {
        self.post("/auth/login", None, &serde_json::json!({"username": username, "password": password})).await
    }

    pub async fn login(&self, username: &str) -> Staff {
        let reply = self.login_raw(username, PASSWORD).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let cookie = reply.cookie(openmoney_proxy::auth::SESSION_COOKIE).expect("a session cookie");
        Staff { cookie, csrf: reply.json()["data"]["csrf_token"].as_str().unwrap().to_owned() }
    }

    /// A URL of the sandbox behind the proxy, reached directly.
    pub fn sandbox_url(&self, path: &str) -> String {
        let api = match &self.state.config.upstream {
            openmoney_proxy::UpstreamConfig::Url(url) => url.clone(),
            openmoney_proxy::UpstreamConfig::Sandbox => unreachable!(),
        };
        format!("http://{}{path}", api.host_str().zip(api.port()).map(|(h, p)| format!("{h}:{p}")).unwrap())
    }

    /// Stops serving (the store stays on disk).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Sends a raw request target over a plain socket (no client-side normalisation).
    pub async fn raw(&self, request: &str) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut buffer = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await.unwrap().unwrap_or(0);
        let head = String::from_utf8_lossy(&buffer[..n]);
        assert_no_key(&head, "a response");
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

/// Every proxy of the suite leaves no key in its store, its WAL or anything else it wrote.
impl Drop for TestProxy {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_no_key_in(self.data_dir.path());
        }
    }
}

/// The partner key's prefix appears nowhere in `text`.
pub fn assert_no_key(text: &str, what: &str) {
    assert!(!text.contains("osk_"), "{what} carried the key: {text}");
}

/// No file under `dir` holds the key, but the key file itself (named `key`).
pub fn assert_no_key_in(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            assert_no_key_in(&path);
        } else if path.file_name().is_some_and(|n| n != "key") {
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert!(!bytes.windows(4).any(|w| w == b"osk_"), "{} holds the key", path.display());
        }
    }
}

/// Replaces the sandbox's fault rules.
pub async fn set_faults(proxy: &TestProxy, rules: Value) {
    let url = proxy.sandbox_url("/sandbox/v1/faults");
    let reply = proxy.client.put(url).bearer_auth(KEY).json(&serde_json::json!({"rules": rules})).send().await.unwrap();
    assert!(reply.status().is_success());
}

pub fn stars(username: &str, quantity: i64) -> Value {
    serde_json::json!({"recipient_username": username, "quantity": quantity, "payment_method": "ton_memo", "payment_currency": "TON"})
}

/// How big a run is: `ci` in the test suite, `full` under `cargo xtask chaos`, which sets
/// `OPENMONEY_CHAOS` to the file that collects the figures.
pub fn scale(ci: usize, full: usize) -> usize {
    if std::env::var_os("OPENMONEY_CHAOS").is_some() {
        full
    } else {
        ci
    }
}

/// One row of the reliability report. It is printed (run with `--nocapture` to see it) and,
/// under `cargo xtask chaos`, appended to the figures file in one write, so rows from tests
/// running side by side never interleave.
pub fn figure(name: &str, value: impl std::fmt::Display, target: &str, met: Option<bool>) {
    use std::io::Write as _;
    let met = met.map_or("", |m| if m { "yes" } else { "no" });
    let row = format!("{name}|{value}|{target}|{met}\n");
    print!("CHAOS|{row}");
    if let Some(path) = std::env::var_os("OPENMONEY_CHAOS") {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("the figures file");
        file.write_all(row.as_bytes()).expect("a figure written");
    }
}
