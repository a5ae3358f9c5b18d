//! The client of the upstream API: pooled connections, connect and per-attempt timeouts,
//! retries of what is safe to retry (GETs, and POSTs that carry an Idempotency-Key) on
//! connect errors, timeouts, 502, 503 and 504 — at most 3 attempts, jittered back-off,
//! within a retry budget — and a shared governor that keeps the proxy's call rate under
//! the partner's budget by queueing briefly. Calls that carry the same Idempotency-Key and
//! body while one of them is in flight share that one upstream call and its answer.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, Method, StatusCode};
use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use tower::retry::budget::{Budget, TpsBudget};

mod pool;
mod wire;

use crate::config::{Budgets, Timeouts};
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use pool::{Endpoint, Pool, PoolError};
use wire::{Answer, Outgoing};

pub const MAX_ATTEMPTS: u32 = 3;
const BACKOFF_BASE: Duration = Duration::from_millis(100);

/// Which API a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Api,
    Sandbox,
}

#[derive(Debug)]
pub struct UpstreamRequest {
    pub method: Method,
    pub target: Target,
    /// Below the target's base, already percent-encoded: `orders/10421`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
    pub idempotency_key: Option<String>,
    /// The id of the request this call serves, for the log, when no span carries it.
    pub request_id: Option<HeaderValue>,
}

impl UpstreamRequest {
    /// A GET of the API.
    pub fn get(path: String) -> UpstreamRequest {
        UpstreamRequest::new(Method::GET, Target::Api, path)
    }

    pub fn new(method: Method, target: Target, path: String) -> UpstreamRequest {
        UpstreamRequest { method, target, path, query: Vec::new(), body: None, idempotency_key: None, request_id: None }
    }
}

#[derive(Debug, Clone)]
pub struct UpstreamReply {
    pub status: StatusCode,
    pub body: Bytes,
    pub retry_after: Option<HeaderValue>,
    pub replayed: bool,
    pub attempts: u32,
    /// Whether the upstream said the body is JSON.
    pub json: bool,
}

/// Why an attempt got no answer.
enum Failure {
    Timeout,
    /// Connecting, sending or reading failed; worth retrying when the call is safe to.
    Transport(String),
    /// The request could not be built: retrying would not help.
    Build(String),
}

pub struct Upstream {
    /// Each base ends with `/`; a call's path is appended to it.
    api_base: Base,
    sandbox_base: Option<Base>,
    authorization: Authorization,
    timeouts: Timeouts,
    governor: DefaultDirectRateLimiter,
    max_queue: Duration,
    budget: TpsBudget,
    metrics: Arc<Metrics>,
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

/// The `Authorization` header the upstream is called with, shared with whatever reads
/// the key file again. A new key applies to the calls that start after it; a call in
/// flight, retries included, keeps the key it started with.
#[derive(Clone)]
pub struct Authorization(Arc<RwLock<HeaderValue>>);

impl Authorization {
    fn header(key: &SecretString) -> std::result::Result<HeaderValue, String> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
            .map_err(|_| "the API key cannot be sent in a header".to_owned())?;
        value.set_sensitive(true);
        Ok(value)
    }

    pub fn new(key: &SecretString) -> std::result::Result<Self, String> {
        Ok(Authorization(Arc::new(RwLock::new(Self::header(key)?))))
    }

    /// Calls from now on use `key`.
    pub fn set(&self, key: &SecretString) -> std::result::Result<(), String> {
        let value = Self::header(key)?;
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = value;
        Ok(())
    }

    fn current(&self) -> HeaderValue {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// A keyed call in flight, and the answer every caller with the same key and body gets.
struct Flight {
    path: String,
    body: Option<Bytes>,
    answer: tokio::sync::OnceCell<Result<UpstreamReply>>,
}

/// A caller's hold on a flight. However the caller leaves (answered, or cancelled because
/// its client went away), the flight is taken off the map once it has its answer or no
/// one else is waiting on it, so abandoned keys do not pile up.
struct Leave<'a> {
    flights: &'a Mutex<HashMap<String, Arc<Flight>>>,
    key: String,
    flight: Arc<Flight>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ours = flights.get(&self.key).is_some_and(|current| Arc::ptr_eq(current, &self.flight));
        // The map and this caller hold the last two references, or the answer is in.
        if ours && (self.flight.answer.initialized() || Arc::strong_count(&self.flight) <= 2) {
            flights.remove(&self.key);
        }
    }
}

/// Where a target's calls go: the path its calls start with (ending with `/`), its `Host`
/// header, and the connections to it.
struct Base {
    path: String,
    host: HeaderValue,
    pool: Pool,
}

/// Idle connections kept per target.
const MAX_IDLE: usize = 256;

impl Base {
    fn new(url: url::Url, connect_timeout: Duration) -> Result<Self> {
        let (Some(name), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(Error::internal("the upstream URL has no host"));
        };
        let host = match url.port() {
            Some(port) => format!("{name}:{port}"),
            None => name.to_owned(),
        };
        let host = HeaderValue::try_from(host).map_err(Error::internal)?;
        // A bracketed IPv6 address connects without its brackets.
        let endpoint = Endpoint {
            host: name.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port,
            tls: url.scheme() == "https",
        };
        let pool = Pool::new(endpoint, MAX_IDLE, connect_timeout).map_err(Error::internal)?;
        let mut path = url.path().to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(Base { path, host, pool })
    }
}

impl Upstream {
    pub fn new(
        api_base: url::Url,
        sandbox_base: Option<url::Url>,
        key: &SecretString,
        timeouts: Timeouts,
        budgets: &Budgets,
        metrics: Arc<Metrics>,
    ) -> Result<Self> {
        let authorization = Authorization::new(key).map_err(Error::internal)?;
        let rps = NonZeroU32::new(budgets.upstream_rps.max(1)).unwrap_or(NonZeroU32::MIN);
        // Redirects are never followed: a 3xx is relayed as the upstream gave it.
        Ok(Upstream {
            api_base: Base::new(api_base, timeouts.connect)?,
            sandbox_base: sandbox_base.map(|url| Base::new(url, timeouts.connect)).transpose()?,
            authorization,
            timeouts,
            governor: RateLimiter::direct(Quota::per_second(rps)),
            max_queue: budgets.max_queue,
            budget: TpsBudget::new(Duration::from_secs(10), 10, budgets.retry_percent as f32 / 100.0),
            metrics,
            flights: Mutex::default(),
        })
    }

    /// The key holder, for replacing the key while the proxy runs.
    pub fn authorization(&self) -> Authorization {
        self.authorization.clone()
    }

    fn base(&self, target: Target) -> Result<&Base> {
        match target {
            Target::Api => Ok(&self.api_base),
            Target::Sandbox => self.sandbox_base.as_ref().ok_or(Error::NotFound("route")),
        }
    }

    /// The request target of a call: the base's path, the call's path and its query. Only
    /// visible ASCII can be in it, so nothing a call carries can break the request line.
    fn target(&self, call: &UpstreamRequest) -> Result<String> {
        let base = &self.base(call.target)?.path;
        let mut text = String::with_capacity(base.len() + call.path.len() + 64);
        text.push_str(base);
        text.push_str(&call.path);
        if !call.query.is_empty() {
            text.push('?');
            let start = text.len();
            url::form_urlencoded::Serializer::for_suffix(&mut text, start)
                .extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::internal(format!("not a request target: {text:?}")));
        }
        Ok(text)
    }

    /// Waits for the shared budget, at most `max_queue`.
    async fn admit(&self) -> Result<()> {
        if self.governor.check().is_ok() {
            return Ok(());
        }
        self.metrics.governor_waits.inc();
        match tokio::time::timeout(self.max_queue, self.governor.until_ready()).await {
            Ok(()) => Ok(()),
            Err(_) => Err(Error::RateLimited {
                retry_after: 1,
                message: "the console is over its upstream call budget; retry in a moment".into(),
            }),
        }
    }

    async fn attempt(
        &self,
        call: &UpstreamRequest,
        target: &str,
        authorization: &HeaderValue,
    ) -> std::result::Result<UpstreamReply, Failure> {
        let base = self.base(call.target).map_err(|e| Failure::Build(e.to_string()))?;
        let mut headers: [(&str, &[u8]); 5] = [
            ("host", base.host.as_bytes()),
            ("authorization", authorization.as_bytes()),
            ("accept", b"application/json"),
            ("", b""),
            ("", b""),
        ];
        let mut count = 3;
        if let Some(key) = &call.idempotency_key {
            if !key.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)) {
                return Err(Failure::Build("the Idempotency-Key is not a header value".into()));
            }
            headers[count] = (openmoney_api::IDEMPOTENCY_KEY_HEADER, key.as_bytes());
            count += 1;
        }
        if call.body.is_some() {
            headers[count] = ("content-type", b"application/json");
            count += 1;
        }
        let body = call.body.as_deref().unwrap_or_default();
        let request = Outgoing { method: &call.method, target, headers: &headers[..count], body };
        let exchange = async {
            let (mut retry_after, mut replayed, mut json) = (None, false, false);
            let mut header = |name: &str, value: &[u8]| {
                if name.eq_ignore_ascii_case("retry-after") {
                    retry_after = HeaderValue::from_bytes(value).ok();
                } else if name.eq_ignore_ascii_case(openmoney_api::IDEMPOTENT_REPLAYED_HEADER) {
                    replayed = true;
                } else if name.eq_ignore_ascii_case("content-type") {
                    json = value.len() >= 16 && value[..16].eq_ignore_ascii_case(b"application/json");
                }
            };
            let Answer { status, body, .. } = base.pool.exchange(&request, &mut header).await.map_err(|e| match e {
                PoolError::ConnectTimeout => Failure::Timeout,
                other => Failure::Transport(error_chain(&other)),
            })?;
            Ok(UpstreamReply { status, retry_after, replayed, json, body, attempts: 0 })
        };
        tokio::time::timeout(self.timeouts.request, exchange).await.unwrap_or(Err(Failure::Timeout))
    }

    /// Sends a call, retrying what is safe to retry. A call with an Idempotency-Key joins
    /// one already in flight with the same key and body, and gets its answer (marked as
    /// replayed); the upstream would only have answered it `IDEMPOTENCY_KEY_IN_USE`.
    pub async fn send(&self, call: UpstreamRequest) -> Result<UpstreamReply> {
        let Some(key) = call.idempotency_key.clone() else { return self.send_alone(&call).await };
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match flights.get(&key) {
                Some(flight) if flight.path == call.path && flight.body == call.body => Some(flight.clone()),
                Some(_) => None,
                None => {
                    let flight = Arc::new(Flight {
                        path: call.path.clone(),
                        body: call.body.clone(),
                        answer: tokio::sync::OnceCell::new(),
                    });
                    flights.insert(key.clone(), flight.clone());
                    Some(flight)
                }
            }
        };
        // The same key with another body or path: the upstream decides (422 or 409).
        let Some(flight) = flight else { return self.send_alone(&call).await };
        let leave = Leave { flights: &self.flights, key, flight };
        let mut sent = false;
        let answer = leave
            .flight
            .answer
            .get_or_init(|| {
                sent = true;
                self.send_alone(&call)
            })
            .await
            .clone();
        drop(leave);
        answer.map(|answer| if sent { answer } else { UpstreamReply { replayed: true, ..answer } })
    }

    async fn send_alone(&self, call: &UpstreamRequest) -> Result<UpstreamReply> {
        let target = self.target(call)?;
        let retry_safe = call.method == Method::GET || call.idempotency_key.is_some();
        let deadline = Instant::now() + self.timeouts.total;
        let authorization = self.authorization.current();
        self.budget.deposit();
        let mut attempt = 1;
        loop {
            self.admit().await?;
            let result = self.attempt(call, &target, &authorization).await;
            let transient = match &result {
                Ok(answer) => matches!(answer.status.as_u16(), 502..=504),
                Err(failure) => !matches!(failure, Failure::Build(_)),
            };
            let may_retry = retry_safe
                && transient
                && attempt < MAX_ATTEMPTS
                && Instant::now() + BACKOFF_BASE * 2u32.pow(attempt) < deadline
                && self.budget.withdraw();
            if !may_retry {
                return match result {
                    Ok(answer) => Ok(UpstreamReply { attempts: attempt, ..answer }),
                    Err(Failure::Timeout) => {
                        self.metrics.upstream_errors("timeout");
                        let request_id = call.request_id.as_ref().and_then(|id| id.to_str().ok());
                        tracing::warn!(attempts = attempt, timeout = true, request_id, "upstream call failed");
                        Err(Error::UpstreamTimeout)
                    }
                    Err(Failure::Transport(error)) => {
                        self.metrics.upstream_errors("transport");
                        let request_id = call.request_id.as_ref().and_then(|id| id.to_str().ok());
                        tracing::warn!(attempts = attempt, timeout = false, %error, request_id, "upstream call failed");
                        Err(Error::UpstreamUnavailable)
                    }
                    Err(Failure::Build(error)) => Err(Error::internal(error)),
                };
            }
            self.metrics.upstream_retries.inc();
            let ceiling = BACKOFF_BASE * 2u32.pow(attempt - 1);
            let jitter = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
            tokio::time::sleep(Duration::from_millis(jitter)).await;
            attempt += 1;
        }
    }
}

/// An error and its causes, one line (never the request, so never the key).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_keyed_call_whose_caller_leaves_does_not_stay_in_flight() {
        // An upstream that accepts connections and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v1/", silent.local_addr().unwrap()).parse().unwrap();
        let timeouts = Timeouts {
            connect: Duration::from_secs(1),
            request: Duration::from_secs(30),
            total: Duration::from_secs(30),
        };
        let budgets = Budgets { upstream_rps: 100, max_queue: Duration::from_secs(1), retry_percent: 20 };
        let key = SecretString::from("osk_test_key".to_owned());
        let upstream =
            Arc::new(Upstream::new(base, None, &key, timeouts, &budgets, Arc::new(Metrics::default())).unwrap());
        let call = || UpstreamRequest {
            body: Some(Bytes::from_static(b"{}")),
            idempotency_key: Some("k-1".into()),
            ..UpstreamRequest::new(Method::POST, Target::Api, "orders/stars".into())
        };
        let first = tokio::spawn({
            let upstream = upstream.clone();
            async move { upstream.send(call()).await }
        });
        let second = tokio::spawn({
            let upstream = upstream.clone();
            async move { upstream.send(call()).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(upstream.flights.lock().unwrap().len(), 1, "the two calls share one flight");
        first.abort();
        let _ = first.await;
        assert_eq!(upstream.flights.lock().unwrap().len(), 1, "the second caller still waits on it");
        second.abort();
        let _ = second.await;
        assert!(upstream.flights.lock().unwrap().is_empty(), "an abandoned flight stayed in the map");
    }
}
