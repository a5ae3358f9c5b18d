//! Prometheus metrics: requests and latency by route, upstream errors, retries and
//! governor waits.

use std::borrow::Cow;
use std::time::Duration;

use axum::http::Method;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: Cow<'static, str>,
    pub route: Cow<'static, str>,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LatencyLabels {
    pub method: Cow<'static, str>,
    pub route: Cow<'static, str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub kind: String,
}

type Latency = Family<LatencyLabels, Histogram, fn() -> Histogram>;

/// Heap allocations made so far, in a build that counts them (the benchmark's).
static ALLOCATIONS: std::sync::OnceLock<fn() -> u64> = std::sync::OnceLock::new();

/// Makes `/metrics` show `allocations`, read from `count`.
pub fn count_allocations(count: fn() -> u64) {
    let _ = ALLOCATIONS.set(count);
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteLabels, Counter>,
    pub latency: Latency,
    errors: Family<ErrorLabels, Counter>,
    pub upstream_retries: Counter,
    pub governor_waits: Counter,
    /// Open live streams.
    pub live_streams: Gauge,
    /// Events sent down live streams.
    pub live_sent: Counter,
    /// Upstream calls the watcher made.
    pub watcher_calls: Counter,
    /// 1 when the upstream's `/health` answered at the last readiness check, else 0.
    pub upstream_up: Gauge,
    allocations: Gauge,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 18))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("openmoney_proxy");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let errors = Family::<ErrorLabels, Counter>::default();
        let upstream_retries = Counter::default();
        let governor_waits = Counter::default();
        registry.register("requests", "Requests answered, by route and status", requests.clone());
        registry.register("request_seconds", "Time to answer, by route", latency.clone());
        registry.register("upstream_errors", "Upstream calls that failed, by kind", errors.clone());
        registry.register("upstream_retries", "Upstream calls retried", upstream_retries.clone());
        registry.register("governor_waits", "Requests that queued for the upstream budget", governor_waits.clone());
        let live_streams = Gauge::default();
        let live_sent = Counter::default();
        let watcher_calls = Counter::default();
        registry.register("live_streams", "Open live console streams", live_streams.clone());
        registry.register("live_events_sent", "Events sent down live streams", live_sent.clone());
        registry.register("watcher_calls", "Upstream calls the live watcher made", watcher_calls.clone());
        let upstream_up = Gauge::default();
        registry.register(
            "upstream_up",
            "Whether the upstream's /health answered at the last /readyz (1) or not (0)",
            upstream_up.clone(),
        );
        let allocations = Gauge::default();
        if ALLOCATIONS.get().is_some() {
            registry.register("allocations", "Heap allocations since start (a counting build)", allocations.clone());
        }
        Metrics {
            registry,
            requests,
            latency,
            errors,
            upstream_retries,
            governor_waits,
            live_streams,
            live_sent,
            watcher_calls,
            upstream_up,
            allocations,
        }
    }
}

/// A method as a label, without copying the usual ones.
pub fn method_label(method: &Method) -> Cow<'static, str> {
    const USUAL: [&str; 7] = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"];
    match USUAL.iter().find(|usual| **usual == method.as_str()) {
        Some(usual) => Cow::Borrowed(usual),
        None => Cow::Owned(method.as_str().to_owned()),
    }
}

impl Metrics {
    /// Counts an answer and its time, by method, route and status.
    pub fn answered(&self, method: Cow<'static, str>, route: Cow<'static, str>, status: u16, took: Duration) {
        let labels = RouteLabels { method, route, status };
        self.requests.get_or_create(&labels).inc();
        let RouteLabels { method, route, .. } = labels;
        self.latency.get_or_create(&LatencyLabels { method, route }).observe(took.as_secs_f64());
    }

    pub fn upstream_errors(&self, kind: &str) {
        self.errors.get_or_create(&ErrorLabels { kind: kind.to_owned() }).inc();
    }

    pub fn render(&self) -> String {
        if let Some(count) = ALLOCATIONS.get() {
            self.allocations.set(i64::try_from(count()).unwrap_or(i64::MAX));
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}
