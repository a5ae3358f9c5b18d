//! Staff sessions. Only a SHA-256 hash of each session id is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Row;

use super::users::{user_from, COLUMNS};
use super::{Db, User};
use crate::error::Result;

/// A session with its staff member, read together: one query on every request.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// The channel replicas sharing a PostgreSQL store tell each other of session changes on.
pub const SESSIONS_CHANNEL: &str = "openmoney_sessions";

/// Sessions that ended or changed, as replicas tell each other.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionChange {
    /// One session (by its hash) ended.
    Session(String),
    /// A staff member's sessions ended or their account changed.
    User { id: i64, username: String },
    /// Anything may have changed (news was missed).
    All,
}

/// How long a session read from the store is trusted without reading it again.
pub const SESSION_CACHE_TTL: Duration = Duration::from_secs(1);
/// Beyond this many cached sessions, stale ones are dropped before another is added.
const SESSION_CACHE_ENTRIES: usize = 10_000;

/// Sessions read in the last [`SESSION_CACHE_TTL`], so a busy console does not pay a store
/// round trip on every request. Every change made through a [`Db`] (signing out, a new
/// password, a role, disabling, removing) drops what it touches at once, here and, on a
/// PostgreSQL store, on every replica ([`SESSIONS_CHANNEL`]); a change made behind the
/// proxy's back shows within the TTL.
#[derive(Debug, Default)]
pub(super) struct SessionCache(Mutex<Cached>);

#[derive(Debug, Default)]
struct Cached {
    entries: HashMap<String, (Arc<SessionRow>, Instant)>,
    /// Counts the changes; a read that raced one is not kept.
    generation: u64,
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached row, or the generation to hand to [`SessionCache::put`] after reading it.
    fn get(&self, id_hash: &str) -> Result<Arc<SessionRow>, u64> {
        let cached = self.lock();
        match cached.entries.get(id_hash) {
            Some((row, read_at)) if read_at.elapsed() < SESSION_CACHE_TTL => Ok(row.clone()),
            _ => Err(cached.generation),
        }
    }

    /// Keeps a row read from the store, unless something changed since the read began.
    fn put(&self, id_hash: &str, row: Arc<SessionRow>, generation: u64) {
        let mut cached = self.lock();
        if cached.generation != generation {
            return;
        }
        if cached.entries.len() >= SESSION_CACHE_ENTRIES {
            cached.entries.retain(|_, (_, read_at)| read_at.elapsed() < SESSION_CACHE_TTL);
            if cached.entries.len() >= SESSION_CACHE_ENTRIES {
                cached.entries.clear();
            }
        }
        cached.entries.insert(id_hash.to_owned(), (row, Instant::now()));
    }

    fn touch(&self, id_hash: &str, now: i64) {
        if let Some((row, _)) = self.lock().entries.get_mut(id_hash) {
            Arc::make_mut(row).last_seen_at = now;
        }
    }

    fn drop_where(&self, gone: impl Fn(&str, &SessionRow) -> bool) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.entries.retain(|id_hash, (row, _)| !gone(id_hash, row));
    }

    pub(super) fn forget_user(&self, user_id: i64) {
        self.drop_where(|_, row| row.user.id == user_id);
    }

    pub(super) fn forget(&self, change: &SessionChange) {
        match change {
            SessionChange::Session(hash) => self.drop_where(|cached, _| cached == hash),
            SessionChange::User { id, .. } => self.forget_user(*id),
            SessionChange::All => self.drop_where(|_, _| true),
        }
    }
}

impl Db {
    pub async fn add_session(&self, id_hash: &str, user_id: i64, csrf_token: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session and its staff member, from the cache when read within the last second.
    pub async fn session(&self, id_hash: &str) -> Result<Option<Arc<SessionRow>>> {
        let generation = match self.sessions.get(id_hash) {
            Ok(row) => return Ok(Some(row)),
            Err(generation) => generation,
        };
        let sql = format!(
            "SELECT {COLUMNS}, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        );
        let row = sqlx::query(&sql).bind(id_hash).fetch_optional(self.pool()).await?;
        let Some(row) = row else { return Ok(None) };
        let session = Arc::new(SessionRow {
            user: user_from(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("session_created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
        });
        self.sessions.put(id_hash, session.clone(), generation);
        Ok(Some(session))
    }

    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        self.sessions.touch(id_hash, now);
        Ok(())
    }

    pub async fn end_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
        self.sessions_changed(SessionChange::Session(id_hash.to_owned())).await
    }

    pub async fn end_sessions_of(&self, user: &User) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(self.pool()).await?;
        self.sessions_changed(SessionChange::User { id: user.id, username: user.username.clone() }).await
    }

    /// Drops what changed from the cache here, and tells the other replicas to.
    pub(super) async fn sessions_changed(&self, change: SessionChange) -> Result<()> {
        self.sessions.forget(&change);
        if self.postgres {
            let payload = serde_json::to_string(&change).map_err(crate::error::Error::internal)?;
            sqlx::query("SELECT pg_notify($1, $2)").bind(SESSIONS_CHANNEL).bind(payload).execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Drops what another replica said changed (nothing is told on).
    pub fn forget_sessions(&self, change: &SessionChange) {
        self.sessions.forget(change);
    }

    /// Removes sessions idle since `idle_before` or created before `created_before`.
    pub async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(self.pool())
            .await?;
        self.sessions.drop_where(|_, _| true);
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Role;

    fn row(user_id: i64) -> SessionRow {
        let user = User {
            id: user_id,
            username: format!("staff{user_id}"),
            role: Role::Viewer,
            disabled: false,
            password_hash: String::new(),
            created_at: 0,
            updated_at: 0,
        };
        SessionRow { user, csrf_token: "t".into(), created_at: 0, last_seen_at: 0 }
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = SessionCache::default();
        let Err(before) = cache.get("a") else { panic!("an empty cache gave a row") };
        cache.forget_user(7);
        cache.put("a", row(7).into(), before);
        assert!(cache.get("a").is_err(), "a row read before the user changed was kept");

        let Err(now) = cache.get("a") else { unreachable!() };
        cache.put("a", row(7).into(), now);
        assert_eq!(cache.get("a").map(|r| r.user.id), Ok(7));
        cache.touch("a", 42);
        assert_eq!(cache.get("a").map(|r| r.last_seen_at), Ok(42));
        cache.forget_user(7);
        assert!(cache.get("a").is_err(), "a changed user's session stayed cached");
    }
}
