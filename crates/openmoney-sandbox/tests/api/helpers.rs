//! `spawn_sandbox()` binds 127.0.0.1:0 and gives a typed handle with request helpers.

use openmoney_sandbox::{Clock, PartnerConfig, Sandbox, SandboxConfig};
use serde_json::Value;

pub const KEY_A: &str = "osk_test_partner_a_0123456789";
pub const KEY_B: &str = "osk_test_partner_b_9876543210";
/// 2026-04-16T12:00:00Z, the seed's creation time.
pub const START_MILLIS: i64 = 1_776_340_800_000;

pub struct TestSandbox {
    pub base: String,
    pub client: reqwest::Client,
    pub sandbox: Sandbox,
    pub key: &'static str,
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn data(&self) -> &Value {
        assert_eq!(self.body["ok"], true, "expected success, got {} {}", self.status, self.body);
        &self.body["data"]
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the error envelope with this status and code.
    pub fn assert_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["ok"], false);
        assert_eq!(self.body["error_code"], code, "body: {}", self.body);
        assert!(self.body["data"].is_null());
        assert_eq!(self.body.as_object().map(|o| o.len()), Some(4), "exactly four fields: {}", self.body);
        self.body["error_message"].as_str().unwrap_or_default()
    }
}

/// Two partners on a frozen clock at [`START_MILLIS`], partner A with 100 TON.
pub fn config() -> SandboxConfig {
    let mut a = PartnerConfig::new(KEY_A);
    a.opening_balance = openmoney_api::Ton::from_units(100);
    SandboxConfig {
        partners: vec![a, PartnerConfig::new(KEY_B)],
        clock: Clock::manual(START_MILLIS),
        ..SandboxConfig::default()
    }
}

pub async fn spawn_sandbox() -> TestSandbox {
    spawn_with(config()).await
}

pub async fn spawn_with(config: SandboxConfig) -> TestSandbox {
    let sandbox = Sandbox::new(config);
    let addr = sandbox.clone().spawn("127.0.0.1:0".parse().unwrap()).await.expect("bind");
    TestSandbox { base: format!("http://{addr}"), client: reqwest::Client::new(), sandbox, key: KEY_A }
}

impl TestSandbox {
    pub fn as_partner(&self, key: &'static str) -> TestSandbox {
        TestSandbox { base: self.base.clone(), client: self.client.clone(), sandbox: self.sandbox.clone(), key }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        read(response).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path)).bearer_auth(self.key)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).bearer_auth(self.key).json(body)).await
    }

    pub async fn post_with_key(&self, path: &str, key: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).bearer_auth(self.key).header("Idempotency-Key", key).json(body))
            .await
    }

    pub async fn create_stars(&self, body: Value) -> Value {
        self.post("/api/v1/orders/stars", &body).await.data().clone()
    }

    pub async fn control(&self, path: &str, body: &Value) -> Reply {
        self.post(&format!("/sandbox/v1{path}"), body).await
    }

    pub fn advance_secs(&self, seconds: i64) {
        self.sandbox.clock().advance_millis(seconds * 1000);
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    Reply { status, headers, body }
}

pub fn stars(username: &str, quantity: i64) -> Value {
    serde_json::json!({"recipient_username": username, "quantity": quantity,
        "payment_method": "ton_memo", "payment_currency": "TON"})
}
