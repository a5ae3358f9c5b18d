//! Several replicas on one PostgreSQL store. One of them watches the upstream at a time:
//! the one holding an advisory lock, taken on a connection of its own. A replica that dies
//! loses its connection and so the lock, and another replica with open streams takes it
//! within [`RETRY`]; its consoles are told to re-read, since changes in between were not
//! seen. What any replica publishes reaches every replica's consoles through
//! `NOTIFY`/`LISTEN` on [`CHANNEL`]. Session changes come on [`SESSIONS_CHANNEL`] (the
//! store tells them): each replica drops them from its cache and ends the streams they
//! held. With SQLite there is one replica, and it watches.

use std::time::Duration;

use sqlx::postgres::{PgConnection, PgListener};
use sqlx::Connection;
use tokio::sync::{mpsc, watch};

use super::hub::{Ending, News};
use crate::db::{SessionChange, SESSIONS_CHANNEL};
use crate::state::AppState;

/// The channel replicas tell each other on.
pub const CHANNEL: &str = "openmoney_live";
/// The advisory lock of the one watcher ("openmony").
const LOCK: i64 = 0x6f70_656e_6d6f_6e79;
/// How often a replica with open streams tries for the lock, and retries a lost connection.
pub const RETRY: Duration = Duration::from_secs(2);
/// `NOTIFY` carries at most 8,000 bytes.
const MAX_PAYLOAD: usize = 7_900;

/// News on the channel, with the replica it came from.
#[derive(serde::Serialize, serde::Deserialize)]
struct Relayed {
    from: String,
    news: News,
}

/// The right to watch the upstream.
pub enum Lease {
    /// The only replica (SQLite).
    Only,
    /// The advisory lock, held by this connection's session.
    Lock(PgConnection),
}

impl Lease {
    /// Whether the lease still holds: a lock holds while its connection answers.
    pub async fn holds(&mut self) -> bool {
        match self {
            Lease::Only => true,
            Lease::Lock(connection) => connection.ping().await.is_ok(),
        }
    }

    /// Gives the lock back, so another replica with open streams can take it at once.
    pub async fn release(self) {
        if let Lease::Lock(mut connection) = self {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK).execute(&mut connection).await;
            let _ = connection.close().await;
        }
    }
}

fn postgres_url(app: &AppState) -> Option<&str> {
    let url = app.config.database_url.as_str();
    url.starts_with("postgres").then_some(url)
}

/// Waits for the right to watch while streams are open here; `None` once none is.
pub async fn lead(app: &AppState, open: &mut watch::Receiver<usize>) -> Option<Lease> {
    let Some(url) = postgres_url(app) else { return Some(Lease::Only) };
    let mut connection: Option<PgConnection> = None;
    // Another replica watched while this one had streams open: if it is gone, what
    // happened between its last look and this one's first was seen by nobody.
    let mut followed = false;
    loop {
        if *open.borrow_and_update() == 0 {
            return None;
        }
        if connection.is_none() {
            connection = PgConnection::connect(url)
                .await
                .map_err(|e| tracing::warn!(error = %e, "the live feed cannot reach the store for its lock"))
                .ok();
        }
        if let Some(held) = connection.as_mut() {
            let taken =
                sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)").bind(LOCK).fetch_one(held).await;
            match taken {
                Ok(true) => {
                    if followed {
                        tracing::info!("took over watching the upstream from another replica");
                        app.live.hub.reset();
                    }
                    return connection.map(Lease::Lock);
                }
                Ok(false) => followed = true,
                Err(e) => {
                    tracing::warn!(error = %e, "the live feed's lock connection failed");
                    connection = None;
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(RETRY) => {}
            changed = open.changed() => if changed.is_err() { return None },
        }
    }
}

/// With PostgreSQL, relays what this replica publishes to the others and what they
/// publish to this one's consoles, for the life of the process.
pub fn start(app: &AppState) {
    let Some(url) = postgres_url(app) else { return };
    let (outbox, news) = mpsc::unbounded_channel();
    app.live.hub.relay_to(outbox);
    tokio::spawn(tell(app.clone(), url.to_owned(), news));
    tokio::spawn(listen(app.clone(), url.to_owned()));
}

async fn tell(app: AppState, url: String, mut news: mpsc::UnboundedReceiver<News>) {
    let mut connection: Option<PgConnection> = None;
    while let Some(news) = news.recv().await {
        let from = app.live.hub.instance().to_owned();
        let mut payload = serde_json::to_string(&Relayed { from: from.clone(), news }).unwrap_or_default();
        if payload.len() > MAX_PAYLOAD {
            // Too big to relay: the other replicas' consoles re-read instead.
            payload = serde_json::to_string(&Relayed { from, news: News::Reset }).unwrap_or_default();
        }
        if connection.is_none() {
            connection = PgConnection::connect(&url).await.ok();
        }
        let Some(open) = connection.as_mut() else {
            tracing::warn!("the live feed could not tell the other replicas: the store is unreachable");
            continue;
        };
        let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&payload).execute(open).await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "the live feed could not tell the other replicas");
            connection = None;
        }
    }
}

async fn listen(app: AppState, url: String) {
    let hub = &app.live.hub;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "the live feed cannot listen to the other replicas");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([CHANNEL, SESSIONS_CHANNEL]).await {
            tracing::warn!(error = %e, "the live feed cannot listen to the other replicas");
            tokio::time::sleep(RETRY).await;
            continue;
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(note)) if note.channel() == SESSIONS_CHANNEL => {
                    match serde_json::from_str::<SessionChange>(note.payload()) {
                        Ok(change) => sessions_changed(&app, change),
                        Err(e) => tracing::warn!(error = %e, "an unreadable session change from another replica"),
                    }
                }
                Ok(Some(note)) => match serde_json::from_str::<Relayed>(note.payload()) {
                    Ok(relayed) if relayed.from != hub.instance() => hub.apply(relayed.news),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable news from another replica"),
                },
                // The connection dropped; the listener reconnects on its next call, and
                // whatever was told meanwhile is lost: this replica's consoles re-read,
                // and its sessions are read from the store again.
                Ok(None) => {
                    hub.apply(News::Reset);
                    app.db.forget_sessions(&SessionChange::All);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the live feed stopped hearing the other replicas");
                    hub.apply(News::Reset);
                    app.db.forget_sessions(&SessionChange::All);
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}

/// A session change told by any replica (this one's own too): the cache forgets it, and
/// the streams it held end.
fn sessions_changed(app: &AppState, change: SessionChange) {
    app.db.forget_sessions(&change);
    match change {
        SessionChange::Session(hash) => app.live.hub.end(Ending::Session(hash)),
        SessionChange::User { username, .. } => app.live.hub.end(Ending::User(username)),
        SessionChange::All => {}
    }
}
