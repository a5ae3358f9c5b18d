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

/// The schema's versions, one directory per database (`migrations/` in this crate). A
/// version once released is never edited: a change to the schema is a new file.
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

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

    /// Brings the schema up to the newest version this build knows, recording each step in
    /// `_sqlx_migrations`. Replicas starting together on PostgreSQL take turns through an
    /// advisory lock. A store newer than this build (a version it does not know) is refused
    /// rather than written to.
    async fn migrate(&self) -> Result<()> {
        if !self.postgres {
            // A property of the file, not of a connection, and not allowed in a transaction.
            self.pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        self.adopt_before_quotes().await?;
        let migrator = if self.postgres { &POSTGRES } else { &SQLITE };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| crate::error::Error::internal(format!("migrating the store: {e}")))?;
        Ok(())
    }

    /// Stores made before versions were recorded are adopted by version 1, whose statements
    /// all say `IF NOT EXISTS`. The oldest of them predate the audit's `quote` column, which
    /// `CREATE TABLE IF NOT EXISTS` cannot add, so it is added here first. Every later store
    /// has the column, and this does nothing.
    async fn adopt_before_quotes(&self) -> Result<()> {
        if self.postgres {
            self.pool.execute("ALTER TABLE IF EXISTS audit ADD COLUMN IF NOT EXISTS quote TEXT").await?;
            return Ok(());
        }
        let lacks: i64 = sqlx::Row::try_get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit'
                 AND NOT EXISTS (SELECT 1 FROM pragma_table_info('audit') WHERE name = 'quote')",
            )
            .fetch_one(&self.pool)
            .await?,
            "n",
        )?;
        if lacks > 0 {
            self.pool.execute("ALTER TABLE audit ADD COLUMN quote TEXT").await?;
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
