//! Each test gets the proxy (with the embedded sandbox and demo data) on port 0, a real
//! SQLite store, its own chromedriver and a fresh headless Chromium. Tests take turns:
//! two cores run one browser well and two badly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use openmoney_api::console::Role;
use openmoney_proxy::{AppState, Config};
use openmoney_sandbox::Sandbox;

pub const PASSWORD: &str = "a long staff password";
const WAIT: Duration = Duration::from_secs(20);

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Console {
    pub base: String,
    pub browser: Client,
    pub sandbox: Sandbox,
    pub state: AppState,
    /// Where the browser saves downloads.
    pub downloads: PathBuf,
    driver: Child,
    driver_port: u16,
    session_id: Option<String>,
    finished: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The browser profile, and the proxy's data for the first browser of a test.
    _dirs: Vec<tempfile::TempDir>,
    /// The first browser of a test holds the turn; one that joins it does not.
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
}

/// The workspace root: the nearest directory at or above the package whose Cargo.toml
/// declares the workspace. The package is the one cargo names at run time, since a target
/// dir shared by several checkouts may run a binary built in another; a binary that
/// `cargo xtask` starts sees xtask's directory there, one level up rather than two.
fn workspace() -> PathBuf {
    let package =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()));
    let declares =
        |dir: &&Path| std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|toml| toml.contains("[workspace]"));
    package.ancestors().find(declares).unwrap_or(&package).to_path_buf()
}

/// The built console (`dist/`).
pub fn dist() -> PathBuf {
    let dist = workspace().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "the console is not built: run `cargo xtask test` (it builds dist/ first)"
    );
    dist
}

/// axe-core's script: `AXE_CORE_JS` (set by `cargo xtask test`), else where `cargo xtask
/// setup` installs it.
fn axe_source() -> String {
    let path = std::env::var_os("AXE_CORE_JS").map(PathBuf::from).unwrap_or_else(|| {
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"));
        target.join("tools/axe/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (cargo xtask setup installs axe-core)", path.display()))
}

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

async fn start_driver() -> (Child, u16) {
    let port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{driver}: {e} (cargo xtask test installs chromium-driver)"));
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(started.elapsed() < WAIT, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, port)
}

/// The console, signed out, in a fresh browser.
pub async fn launch() -> Console {
    launch_with(|_| {}).await
}

/// The same, with the proxy's configuration changed first.
pub async fn launch_with(tweak: impl FnOnce(&mut Config)) -> Console {
    open(tweak, "en-US").await
}

/// The console in a browser whose preferred language is `lang` (e.g. `es`).
pub async fn launch_in(lang: &str) -> Console {
    open(|_| {}, lang).await
}

/// Both: a browser in `lang`, and the proxy's configuration changed first.
pub async fn launch_in_with(lang: &str, tweak: impl FnOnce(&mut Config)) -> Console {
    open(tweak, lang).await
}

async fn open(tweak: impl FnOnce(&mut Config), lang: &str) -> Console {
    let turn = TURN.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::local(data.path().to_path_buf());
    config.static_dir = dist();
    tweak(&mut config);
    let running = openmoney_proxy::start(config).await.expect("the proxy starts");
    let hash = openmoney_proxy::auth::password::hash(PASSWORD.into()).await.unwrap();
    for (name, role) in [("ada", Role::Admin), ("otto", Role::Operator), ("vera", Role::Viewer)] {
        running.state.db.add_user(name, &hash, role).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = running.state.clone();
    tokio::spawn(openmoney_proxy::serve(listener, running.state, std::future::pending()));

    let mut console = browse(base, state, running.sandbox.expect("the embedded sandbox"), lang, true).await;
    console._dirs.push(data);
    console._turn = Some(turn);
    console
}

/// A fresh headless Chromium, with its own chromedriver and profile, on the proxy at `base`.
async fn browse(base: String, state: AppState, sandbox: Sandbox, lang: &str, javascript: bool) -> Console {
    let (driver, port) = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1280,900".into(),
        format!("--lang={lang}"),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    let downloads = profile.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let prefs = serde_json::json!({
        "download.default_directory": downloads,
        "download.prompt_for_download": false,
        "intl.accept_languages": lang,
        "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 },
    });
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"binary": "/usr/bin/chromium", "args": args, "prefs": prefs}),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");
    let session_id = browser.session_id().await.ok().flatten().map(|id| id.to_string());
    let finished = watchdog();
    Console {
        base,
        browser,
        sandbox,
        state,
        downloads,
        driver,
        driver_port: port,
        session_id,
        finished,
        _dirs: vec![profile],
        _turn: None,
    }
}

/// Ends a WebDriver session with a plain blocking request, so the browser quits even when
/// a test panics (a destructor cannot await).
fn end_session(port: u16, session: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // The answer comes once the browser has quit; chromedriver keeps the connection
        // open after it, so read what arrives rather than to the end.
        let _ = stream.read(&mut [0; 1024]);
    }
}

/// No browser test may take longer than this; a hung one ends the run with a clear message
/// instead of stalling CI.
const TEST_LIMIT: Duration = Duration::from_secs(180);

fn watchdog() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = finished.clone();
    std::thread::spawn(move || {
        std::thread::sleep(TEST_LIMIT);
        if !flag.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("a browser test ran over {TEST_LIMIT:?}: stopping the suite");
            std::process::exit(101);
        }
    });
    finished
}

impl Drop for Console {
    fn drop(&mut self) {
        self.finished.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(session) = &self.session_id {
            end_session(self.driver_port, session);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Console {
    /// A second browser on the same proxy, whose preferred language is `lang`: another
    /// staff member at another desk, or a buyer.
    pub async fn another_browser(&self, lang: &str) -> Console {
        browse(self.base.clone(), self.state.clone(), self.sandbox.clone(), lang, true).await
    }

    /// Another browser with JavaScript turned off, as on an old phone or a careful one.
    pub async fn browser_without_javascript(&self) -> Console {
        browse(self.base.clone(), self.state.clone(), self.sandbox.clone(), "en-US", false).await
    }

    pub async fn goto(&self, path: &str) {
        self.browser.goto(&format!("{}{path}", self.base)).await.expect("navigates");
    }

    /// The path and query of the page shown.
    pub async fn here(&self) -> String {
        let url = self.browser.current_url().await.expect("a url");
        format!("{}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default())
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.browser.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no {css} on {}: {e}", self.here().await),
        }
    }

    /// Saves what the browser shows, for a failing test; gives the file.
    pub async fn screenshot(&self) -> String {
        let dir = workspace().join("target/e2e-failures");
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("{}.png", self.base.replace([':', '/', '.'], "_")));
        if let Ok(png) = self.browser.screenshot().await {
            let _ = std::fs::write(&file, png);
        }
        file.display().to_string()
    }

    /// Keeps a picture of the page under `target/screenshots/NAME.png`.
    pub async fn save_screenshot(&self, name: &str) {
        let dir = workspace().join("target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let png = self.browser.screenshot().await.expect("a screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("saves the screenshot");
    }

    pub async fn count(&self, css: &str) -> usize {
        self.browser.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.count(css).await > 0
    }

    /// Waits until the text of `css` satisfies `ok`; gives that text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Ok(element) = self.browser.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    if ok(&text) {
                        return text;
                    }
                    last = text;
                }
            }
            if started.elapsed() > WAIT {
                let shot = self.screenshot().await;
                panic!("{css} never matched; last text: {last:?} on {} (screenshot: {shot})", self.here().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's path and query satisfy `ok`.
    pub async fn wait_here(&self, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let here = self.here().await;
            if ok(&here) {
                return here;
            }
            assert!(started.elapsed() < WAIT, "still on {here}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the image `css` has loaded and drawn a picture; gives its `src`.
    pub async fn wait_image(&self, css: &str) -> String {
        let check = format!(
            "const i = document.querySelector({css:?}); return i && i.complete && i.naturalWidth > 0 ? i.src : null"
        );
        let started = Instant::now();
        loop {
            if let Some(src) = self.browser.execute(&check, vec![]).await.unwrap().as_str() {
                return src.to_owned();
            }
            if started.elapsed() > WAIT {
                let shot = self.screenshot().await;
                panic!("{css} never showed a picture on {} (screenshot: {shot})", self.here().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` matches `n` elements.
    pub async fn wait_count(&self, css: &str, n: usize) {
        let started = Instant::now();
        while self.count(css).await != n {
            assert!(started.elapsed() < WAIT, "{css} never counted {n} (now {})", self.count(css).await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clears");
        field.send_keys(text).await.expect("types");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("clicks");
    }

    /// Clicks the button or link whose text is `text`.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!("//*[self::button or self::a][normalize-space()='{text}']");
        let element = self
            .browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no '{text}': {e}"));
        element.click().await.expect("clicks");
    }

    pub async fn has_text_control(&self, text: &str) -> bool {
        let xpath = format!("//*[self::button or self::a][normalize-space()='{text}']");
        self.browser.find_all(Locator::XPath(&xpath)).await.map(|v| !v.is_empty()).unwrap_or(false)
    }

    /// Waits for a finished download named `name` and gives its text.
    pub async fn downloaded(&self, name: &str) -> String {
        let path = self.downloads.join(name);
        let started = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                if !text.is_empty() {
                    return text;
                }
            }
            assert!(started.elapsed() < WAIT, "{name} was never downloaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page has a heading and no loading skeleton is left.
    pub async fn settle(&self) {
        self.find("h1").await;
        let started = Instant::now();
        while self.exists("[data-testid=loading]").await {
            assert!(started.elapsed() < WAIT, "{} never finished loading", self.here().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs axe-core on the page for WCAG 2.0/2.1/2.2 A and AA; gives each violation as
    /// "rule: help @ selectors".
    pub async fn axe(&self) -> Vec<String> {
        let loaded = self.browser.execute("return typeof window.axe === 'object'", vec![]).await.unwrap();
        if loaded.as_bool() != Some(true) {
            self.browser.execute(&axe_source(), vec![]).await.expect("axe-core loads");
        }
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, {
                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                resultTypes: ['violations'],
            }).then(
                r => done(r.violations.map(v => `${v.id}: ${v.help} @ ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')}`)),
                e => done([`axe failed: ${e}`]),
            );
        "#;
        let found = self.browser.execute_async(script, vec![]).await.expect("axe runs");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Presses keys, one after another, on whatever has the focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for value in keys.chars() {
            actions = actions.then(KeyAction::Down { value }).then(KeyAction::Up { value });
        }
        self.browser.perform_actions(actions).await.expect("the keys are pressed");
    }

    /// A CSS description of the focused element (tag, id, test id and text).
    pub async fn focused(&self) -> String {
        let script = "const e = document.activeElement; \
            return `${e.tagName.toLowerCase()}#${e.id}[${e.dataset.testid || ''}]${e.name ? `(${e.type} ${e.name})` : ''} ${(e.innerText || e.value || '').trim().slice(0, 40)}`";
        self.browser.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_owned()
    }

    /// Presses Tab until the focused element matches `css`, as someone without a mouse
    /// would; fails if it is never reached.
    pub async fn tab_to(&self, css: &str) {
        let check = format!("return document.activeElement.matches({css:?})");
        for _ in 0..80 {
            if self.browser.execute(&check, vec![]).await.unwrap().as_bool() == Some(true) {
                return;
            }
            self.press(&fantoccini::key::Key::Tab).await;
        }
        panic!("Tab never reached {css} on {}; focus is on {}", self.here().await, self.focused().await);
    }

    /// Signs in on the sign-in page shown now and waits to leave it.
    pub async fn sign_in(&self, username: &str) {
        self.find("#username").await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("form button[type=submit]").await;
        self.wait_here(|h| !h.starts_with("/login")).await;
    }

    /// Opens the sign-in page and signs in.
    pub async fn login(&self, username: &str) {
        self.goto("/login").await;
        self.sign_in(username).await;
    }

    /// Another staff member at work beside the browser, over HTTP as the console talks:
    /// signed in, with the session's CSRF token. Gives a change sender.
    pub async fn colleague(&self, username: &str) -> Colleague {
        let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let signed_in = client
            .post(format!("{}/auth/login", self.base))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", &self.base)
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("signs in");
        assert!(signed_in.status().is_success());
        let session: serde_json::Value = signed_in.json().await.unwrap();
        let csrf = session["data"]["csrf_token"].as_str().unwrap().to_owned();
        Colleague { client, base: self.base.clone(), csrf }
    }
}

/// A staff member working over HTTP; see [`Console::colleague`].
pub struct Colleague {
    client: reqwest::Client,
    base: String,
    csrf: String,
}

impl Colleague {
    /// A change through the proxy; gives the answer's `data`.
    pub async fn post(&self, path: &str, body: serde_json::Value, idempotency_key: Option<&str>) -> serde_json::Value {
        self.send(reqwest::Method::POST, path, body, idempotency_key).await
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        self.send(reqwest::Method::PATCH, path, body, None).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
        idempotency_key: Option<&str>,
    ) -> serde_json::Value {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", &self.base)
            .header("X-CSRF-Token", &self.csrf)
            .json(&body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let answer: serde_json::Value = request.send().await.expect("sent").json().await.expect("an envelope");
        assert_eq!(answer["ok"], true, "{answer}");
        answer["data"].clone()
    }
}
