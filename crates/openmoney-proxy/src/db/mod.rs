//! The store: staff users, sessions and the audit, in SQLite by default. All SQL lives in
//! this module and is written to run on PostgreSQL as well (`--database-url postgres://…`):
//! portable types (TEXT, BIGINT), `$n` parameters, times as Unix milliseconds.

mod audit;
mod devices;
mod links;
mod sessions;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use audit::{AuditEntry, AuditFilter, NewAudit};
pub use devices::DEVICE_LIFETIME_MILLIS;
pub use links::LinkRow;
pub use sessions::{SessionChange, SessionRow, SESSIONS_CHANNEL};
pub use users::{Role, User};

use crate::error::Result;

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
    sessions: std::sync::Arc<sessions::SessionCache>,
}

/// Now, in Unix epoch milliseconds.
pub fn now_millis() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS users (
        id {PK}, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        disabled BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
    "CREATE TABLE IF NOT EXISTS devices (
        id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS devices_by_time ON devices (created_at)",
    "CREATE TABLE IF NOT EXISTS audit (
        id {PK}, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
        order_id BIGINT, idempotency_key TEXT, summary TEXT NOT NULL, client_addr TEXT, quote TEXT)",
    "CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at)",
    // Changes sent upstream and not yet audited: see `Db::journal_change`.
    "CREATE TABLE IF NOT EXISTS pending_changes (
        id {PK}, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
        order_id BIGINT, idempotency_key TEXT, summary TEXT NOT NULL, client_addr TEXT, quote TEXT)",
    "CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, at)",
    "CREATE INDEX IF NOT EXISTS audit_by_action ON audit (action, at)",
    "CREATE INDEX IF NOT EXISTS audit_by_order ON audit (order_id)",
    "CREATE INDEX IF NOT EXISTS audit_by_actor_action ON audit (actor, action, at)",
    // Buyers' payment pages: the token's hash only.
    "CREATE TABLE IF NOT EXISTS payment_links (
        token_hash TEXT PRIMARY KEY, nonce TEXT NOT NULL, order_id BIGINT NOT NULL, created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)",
    "CREATE INDEX IF NOT EXISTS payment_links_by_order ON payment_links (order_id)",
];

/// The audit is append-only: the database itself refuses to change or remove a row.
const SQLITE_APPEND_ONLY: &[&str] = &[
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
];
const POSTGRES_APPEND_ONLY: &[&str] = &[
    "CREATE OR REPLACE RULE audit_no_update AS ON UPDATE TO audit DO INSTEAD NOTHING",
    "CREATE OR REPLACE RULE audit_no_delete AS ON DELETE TO audit DO INSTEAD NOTHING",
];

impl Db {
    /// Connects and brings the schema up to date. SQLite runs in WAL mode (readers never
    /// wait for the writer) with `synchronous=FULL`: every commit is fsynced, so an audited
    /// change survives not only a crash of the proxy (`kill -9` loses nothing even with
    /// NORMAL) but a power cut or a kernel panic too, which NORMAL would not promise for the
    /// last commits. Writes are rare (sign-ins, changes, a session touch a minute), so the
    /// fsync per commit costs little.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        if let Some(path) = url.strip_prefix("sqlite://").and_then(|p| p.split('?').next()) {
            if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| crate::error::Error::internal(format!("{}: {e}", dir.display())))?;
            }
        }
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 4 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if !postgres {
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db { pool, postgres, sessions: Default::default() };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        let pk = if self.postgres { "BIGSERIAL PRIMARY KEY" } else { "INTEGER PRIMARY KEY AUTOINCREMENT" };
        if !self.postgres {
            self.pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        for statement in SCHEMA {
            self.pool.execute(statement.replace("{PK}", pk).as_str()).await?;
        }
        // Stores made before the audit kept quotes gain the column.
        if self.postgres {
            self.pool.execute("ALTER TABLE audit ADD COLUMN IF NOT EXISTS quote TEXT").await?;
        } else {
            let has = sqlx::Row::try_get::<i64, _>(
                &sqlx::query("SELECT COUNT(*) AS n FROM pragma_table_info('audit') WHERE name = 'quote'")
                    .fetch_one(&self.pool)
                    .await?,
                "n",
            )?;
            if has == 0 {
                self.pool.execute("ALTER TABLE audit ADD COLUMN quote TEXT").await?;
            }
        }
        for statement in if self.postgres { POSTGRES_APPEND_ONLY } else { SQLITE_APPEND_ONLY } {
            self.pool.execute(*statement).await?;
        }
        Ok(())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Creates an empty PostgreSQL database `name` on the server at `server_url` (its
    /// maintenance database `postgres`), for a new replica set or a test.
    pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<()> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(crate::error::Error::Validation("database names are lowercase letters, digits and _".into()));
        }
        let mut conn = sqlx::AnyConnection::connect(&format!("{server_url}/postgres")).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        conn.close().await?;
        Ok(())
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}
