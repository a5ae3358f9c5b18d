//! The live console: the proxy watches the upstream once ([`watcher`]) and pushes what
//! changed to every open console over Server-Sent Events (`GET /console/v1/events`).
//! Changes made through the console are published at once, with who made them.

pub mod hub;
pub mod replicas;
pub mod watcher;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use openmoney_api::console::AuditEntry;
use openmoney_api::AuditAction;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::auth::StaffUser;
pub use crate::config::{LiveConfig, Pace};
use crate::error::{Error, Result};
use crate::state::AppState;
pub use hub::Live;
use hub::{Ending, Event, Kind, Refused};

/// A comment this often keeps load balancers from closing an idle stream; the stream's
/// session is checked as often.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Publishes a change made through the console at once, with who made it: its audit
/// entry, and what it did to an order or to the balance (`body`: the upstream's answer).
pub fn publish_change(app: &AppState, entry: &AuditEntry, body: &[u8]) {
    let answer = serde_json::from_slice::<Value>(body).unwrap_or_default();
    publish_effect(app, entry, &answer["data"]);
    app.live.hub.audit(entry);
}

/// What a change did to an order or to the balance, told before who did it.
fn publish_effect(app: &AppState, entry: &AuditEntry, data: &Value) {
    let hub = &app.live.hub;
    if entry.outcome != "ok" {
        return;
    }
    let actor = Some(entry.actor.as_str());
    match entry.action {
        AuditAction::OrderCreate | AuditAction::OrderCancel | AuditAction::SandboxFail => {
            hub.order(data, None, actor);
        }
        AuditAction::SandboxPay => {
            hub.order(&data["order"], None, actor);
        }
        AuditAction::SandboxTopup => {
            // The answer is the transaction; the balance it made is one read away.
            let (app, transaction) = (app.clone(), data.clone());
            tokio::spawn(async move {
                if let Ok(balance) = watcher::read(&app, "balance".into(), Vec::new()).await {
                    app.live.hub.balance(&balance, Some(&transaction));
                }
            });
        }
        _ => {}
    }
}

/// What one open stream holds.
struct Open {
    app: AppState,
    user: StaffUser,
    _place: hub::Place,
    greeting: VecDeque<SseEvent>,
    live: broadcast::Receiver<Arc<Event>>,
    endings: broadcast::Receiver<Ending>,
    check: tokio::time::Interval,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.app.metrics.live_streams.dec();
    }
}

impl Open {
    fn sse(&self, event: &Event) -> SseEvent {
        SseEvent::default().event(event.kind.name()).id(self.app.live.hub.event_id(event.seq)).data(&event.data)
    }

    fn ends_here(&self, ending: &Ending) -> bool {
        match ending {
            Ending::Session(hash) => self.user.session.as_deref() == Some(hash.as_str()),
            Ending::User(name) => *name == self.user.username,
            Ending::Shutdown => true,
        }
    }

    /// The next event for this stream; `None` ends it.
    async fn next(&mut self) -> Option<SseEvent> {
        if let Some(event) = self.greeting.pop_front() {
            return Some(event);
        }
        loop {
            tokio::select! {
                ending = self.endings.recv() => match ending {
                    Ok(ending) if self.ends_here(&ending) => return None,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if !self.app.still_signed_in(&self.user).await {
                            return None;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.check.tick() => {
                    if !self.app.still_signed_in(&self.user).await {
                        return None;
                    }
                }
                received = self.live.recv() => match received {
                    Ok(event) if event.audience <= self.user.role => {
                        self.app.metrics.live_sent.inc();
                        return Some(self.sse(&event));
                    }
                    Ok(_) => {}
                    // This stream fell too far behind: its console re-reads everything.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some(SseEvent::default().event(Kind::Reset.name()).data("{}"));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}

/// The live feed: `order`, `balance`, `audit`, `health` and `reset` events, each with an
/// id; a reconnect with `Last-Event-ID` gets what it missed, or a `reset`.
#[utoipa::path(get, path = "/console/v1/events", tag = "Console",
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event this console saw")),
    responses(
        (status = 200, description = "A stream of Server-Sent Events: `order` (id, status, previous_status, actor, \
            order), `balance` (balance, transaction), `audit` (an audit entry), `health` (upstream up or down), \
            `reset` (re-read everything); a comment every 15 s", content_type = "text/event-stream", body = String),
        (status = 429, description = "Too many open streams", body = openmoney_api::ErrorBody)))]
pub(crate) async fn events(
    State(app): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = std::result::Result<SseEvent, Infallible>>>> {
    let hub = app.live.hub.clone();
    let place = hub.open(&user.username).map_err(|refused| {
        let message = match refused {
            Refused::UserCap(cap) => format!("{} already has {cap} live consoles open; close one", user.username),
            Refused::GlobalCap => "too many live consoles are open; try again shortly".to_owned(),
        };
        Error::RateLimited { retry_after: HEARTBEAT.as_secs(), message }
    })?;
    app.metrics.live_streams.inc();
    let endings = hub.endings();
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let subscription = hub.subscribe(last_id);
    let mut greeting = VecDeque::new();
    if let Some(up) = hub.upstream_up() {
        let data = serde_json::json!({"upstream": if up { "up" } else { "down" }}).to_string();
        greeting.push_back(SseEvent::default().event(Kind::Health.name()).data(data));
    }
    if subscription.reset {
        let reset = SseEvent::default().event(Kind::Reset.name()).data("{}");
        greeting.push_back(reset.id(hub.event_id(subscription.last)));
    }
    let mut check = tokio::time::interval(HEARTBEAT);
    check.reset();
    let mut open = Open { app, user, _place: place, greeting, live: subscription.live, endings, check };
    let missed: Vec<SseEvent> =
        subscription.missed.iter().filter(|e| e.audience <= open.user.role).map(|e| open.sse(e)).collect();
    open.greeting.extend(missed);
    let stream = stream::unfold(open, |mut open| async move { open.next().await.map(|event| (Ok(event), open)) });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("")))
}
