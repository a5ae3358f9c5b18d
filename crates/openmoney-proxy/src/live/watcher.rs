//! The watcher: one look at the upstream per interval, whatever the number of open
//! consoles and of open orders, while at least one console stream is open.
//!
//! A look costs at most five calls: the list of each status that can still change
//! (`pending_payment`, `paid`, `processing`), the first page of all orders (new orders,
//! including ones made outside the console) and the balance. An order that was in one of
//! those lists and is in none of them now costs one more call, once, to learn where it went.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;
use tokio::time::Instant;

use super::replicas::Lease;
use crate::config::Pace;
use crate::error::Error;
use crate::state::AppState;
use crate::upstream::UpstreamRequest;

/// The statuses an order can still leave.
const MOVING: [&str; 3] = ["pending_payment", "paid", "processing"];
/// The upstream's largest page.
const PAGE: usize = 100;
/// The longest back-off after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Why a look stopped short.
pub(super) enum Trouble {
    /// The upstream (or the proxy's own budget) asks to wait.
    RateLimited(Duration),
    /// Timeouts, 5xx, transport errors.
    Down,
}

/// A list the look read: its orders, and whether it held every match.
struct Listed {
    items: Vec<Value>,
    complete: bool,
}

#[derive(Default)]
pub struct Watcher {
    /// Orders last seen in a moving status, with that status.
    moving: HashMap<i64, String>,
    /// The first look only learns; it publishes nothing.
    started: bool,
    backoff: Option<Duration>,
}

/// The `data` of one GET of the upstream.
pub(super) async fn read(app: &AppState, path: String, query: Vec<(&'static str, String)>) -> Result<Value, Trouble> {
    let call = UpstreamRequest { query, ..UpstreamRequest::get(path) };
    let answer = match app.upstream.send(call).await {
        Ok(answer) => answer,
        Err(Error::RateLimited { retry_after, .. }) => return Err(Trouble::RateLimited(secs(retry_after))),
        Err(_) => return Err(Trouble::Down),
    };
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        let wait = answer.retry_after.and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1);
        return Err(Trouble::RateLimited(secs(wait)));
    }
    if answer.status.is_server_error() {
        return Err(Trouble::Down);
    }
    let body: Value = serde_json::from_slice(&answer.body).map_err(|_| Trouble::Down)?;
    Ok(body["data"].clone())
}

impl Watcher {
    async fn get(&self, app: &AppState, path: String, query: Vec<(&'static str, String)>) -> Result<Value, Trouble> {
        app.metrics.watcher_calls.inc();
        read(app, path, query).await
    }

    async fn list(&self, app: &AppState, status: Option<&str>) -> Result<Listed, Trouble> {
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(status) = status {
            query.push(("status", status.to_owned()));
        }
        let data = self.get(app, "orders".into(), query).await?;
        let items = data["items"].as_array().cloned().unwrap_or_default();
        let complete = data["total"].as_u64().is_some_and(|total| total as usize <= items.len());
        Ok(Listed { items, complete })
    }

    /// One look; gives how long to wait before the next.
    pub async fn look(&mut self, app: &AppState, pace: &Pace) -> Duration {
        match self.try_look(app).await {
            Ok(any_moving) => {
                self.backoff = None;
                app.live.hub.health(true);
                if any_moving {
                    pace.interval
                } else {
                    pace.idle_interval
                }
            }
            Err(trouble) => {
                let doubled = self.backoff.map_or(pace.interval, |b| (b * 2).min(MAX_BACKOFF));
                self.backoff = Some(doubled);
                match trouble {
                    Trouble::RateLimited(wait) => wait.max(doubled),
                    Trouble::Down => {
                        app.live.hub.health(false);
                        doubled
                    }
                }
            }
        }
    }

    async fn try_look(&mut self, app: &AppState) -> Result<bool, Trouble> {
        let hub = &app.live.hub;
        let mark = hub.mark();
        let mut seen: HashMap<i64, Value> = HashMap::new();
        // Per moving status: the list was whole, or the lowest id it showed (newest first).
        let mut reach: HashMap<&str, Option<i64>> = HashMap::new();
        for status in MOVING {
            let listed = self.list(app, Some(status)).await?;
            let lowest = listed.items.iter().filter_map(|o| o["id"].as_i64()).min();
            reach.insert(status, if listed.complete { None } else { lowest });
            seen.extend(listed.items.into_iter().filter_map(|o| Some((o["id"].as_i64()?, o))));
        }
        let newest = self.list(app, None).await?;
        for order in newest.items {
            if let Some(id) = order["id"].as_i64() {
                seen.entry(id).or_insert(order);
            }
        }
        let balance = self.get(app, "balance".into(), Vec::new()).await?;

        // Orders that left every list: where did they go?
        let left: Vec<i64> = self
            .moving
            .iter()
            .filter(|(id, status)| {
                let visible = reach.get(status.as_str()).copied().flatten().is_none_or(|lowest| **id >= lowest);
                !seen.contains_key(id) && visible
            })
            .map(|(id, _)| *id)
            .collect();
        for id in left {
            let order = self.get(app, format!("orders/{id}"), Vec::new()).await?;
            if order["id"].as_i64() == Some(id) {
                seen.insert(id, order);
            }
        }

        for (id, order) in &seen {
            if self.started {
                hub.order(order, Some(mark), None);
            } else if let Some(status) = order["status"].as_str() {
                hub.learn(*id, status);
            }
        }
        self.moving = seen
            .iter()
            .filter_map(|(id, o)| {
                let status = o["status"].as_str()?;
                MOVING.contains(&status).then(|| (*id, status.to_owned()))
            })
            .collect();
        let keep: HashSet<i64> = seen.keys().copied().collect();
        hub.forget(mark, |id| keep.contains(&id));
        hub.balance(&balance, None);
        self.started = true;
        Ok(!self.moving.is_empty())
    }
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds.max(1))
}

/// Runs for the life of the process: watches while streams are open (and `pace.grace`
/// after the last one closes) and this replica holds the lease, and sleeps otherwise.
pub async fn run(app: AppState, pace: Pace) {
    let mut open = app.live.hub.open_streams();
    loop {
        if open.wait_for(|n| *n > 0).await.is_err() {
            return;
        }
        let Some(mut lease) = super::replicas::lead(&app, &mut open).await else { continue };
        tracing::info!("watching the upstream for open consoles");
        let mut watcher = Watcher::default();
        watch_while_wanted(&app, &pace, &mut watcher, &mut open, &mut lease).await;
        lease.release().await;
        app.live.hub.clear_seen();
        tracing::info!("stopped watching");
    }
}

async fn watch_while_wanted(
    app: &AppState,
    pace: &Pace,
    watcher: &mut Watcher,
    open: &mut tokio::sync::watch::Receiver<usize>,
    lease: &mut Lease,
) {
    loop {
        if !lease.holds().await {
            tracing::warn!("lost the lock on watching the upstream; another replica may take it");
            return;
        }
        let pause = watcher.look(app, pace).await;
        let next = Instant::now() + pause;
        loop {
            if *open.borrow_and_update() == 0 {
                let back = tokio::time::timeout(pace.grace, open.wait_for(|n| *n > 0)).await;
                if !matches!(back, Ok(Ok(_))) {
                    return;
                }
            }
            tokio::select! {
                () = tokio::time::sleep_until(next) => break,
                changed = open.changed() => if changed.is_err() { return },
            }
        }
    }
}
