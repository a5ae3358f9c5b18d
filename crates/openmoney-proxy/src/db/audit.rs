//! The audit: who did what, when. Rows are only ever added.

use sqlx::Row;

use super::{now_millis, Db};
use crate::error::Result;

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub actor: String,
    pub action: AuditAction,
    pub outcome: String,
    pub order_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub summary: String,
    pub client_addr: Option<String>,
    pub quote: Option<openmoney_api::console::Quote>,
}

impl NewAudit {
    /// An event of `actor` doing `action`, with nothing else known yet.
    pub fn new(actor: impl Into<String>, action: AuditAction) -> Self {
        NewAudit {
            actor: actor.into(),
            action,
            outcome: String::new(),
            order_id: None,
            idempotency_key: None,
            summary: String::new(),
            client_addr: None,
            quote: None,
        }
    }
}

pub use openmoney_api::console::AuditEntry;
use openmoney_api::AuditAction;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub order_id: Option<i64>,
}

fn entry_from(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: AuditAction::from_wire(row.try_get("action")?),
        outcome: row.try_get("outcome")?,
        order_id: row.try_get("order_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        summary: row.try_get("summary")?,
        client_addr: row.try_get("client_addr")?,
        quote: row.try_get::<Option<String>, _>("quote")?.and_then(|q| serde_json::from_str(&q).ok()),
    })
}

/// `WHERE` for a filter; every value is bound, never spliced.
fn where_clause(filter: &AuditFilter) -> (String, Vec<Param>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let mut add = |sql: &str, param: Param| {
        params.push(param);
        clauses.push(sql.replace('?', &format!("${}", params.len())));
    };
    if let Some(actor) = &filter.actor {
        add("actor = ?", Param::Text(actor.clone()));
    }
    if let Some(action) = &filter.action {
        add("action = ?", Param::Text(action.to_string()));
    }
    if let Some(from) = filter.from {
        add("at >= ?", Param::Int(from));
    }
    if let Some(to) = filter.to {
        add("at < ?", Param::Int(to));
    }
    if let Some(order_id) = filter.order_id {
        add("order_id = ?", Param::Int(order_id));
    }
    let sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (sql, params)
}

#[derive(Debug, Clone)]
enum Param {
    Text(String),
    Int(i64),
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    params: &[Param],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text.clone()),
            Param::Int(n) => query.bind(*n),
        };
    }
    query
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

const INSERT_AUDIT: &str = "INSERT INTO audit
    (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const ENTRY_COLUMNS: &str = "id, at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote";
const INSERT_PENDING: &str = "INSERT INTO pending_changes
    (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
const MOVE_PENDING: &str = "INSERT INTO audit
    (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote)
    SELECT at, actor, action, 'interrupted', order_id, idempotency_key, summary, client_addr, quote
    FROM pending_changes WHERE at < $1 ORDER BY id";

/// Binds an event to one of the inserts above.
fn bind_event(query: Query<'_>, event: NewAudit) -> Query<'_> {
    query
        .bind(now_millis())
        .bind(event.actor)
        .bind(event.action.to_string())
        .bind(event.outcome)
        .bind(event.order_id)
        .bind(event.idempotency_key)
        .bind(event.summary)
        .bind(event.client_addr)
        .bind(event.quote.and_then(|q| serde_json::to_string(&q).ok()))
}

impl Db {
    pub async fn audit(&self, event: NewAudit) -> Result<()> {
        bind_event(sqlx::query(INSERT_AUDIT), event).execute(self.pool()).await?;
        Ok(())
    }

    /// Journals a change before it is sent upstream, so that a crash in the middle of the
    /// call still leaves it in the audit (see [`Db::recover_interrupted`]). Gives the
    /// journal entry that [`Db::audit_change`] settles.
    /// Records an event and gives it as the audit shows it.
    pub async fn audit_returning(&self, event: NewAudit) -> Result<AuditEntry> {
        let sql = format!("{INSERT_AUDIT} RETURNING {ENTRY_COLUMNS}");
        let row = bind_event(sqlx::query(&sql), event).fetch_one(self.pool()).await?;
        entry_from(&row)
    }

    pub async fn journal_change(&self, event: NewAudit) -> Result<i64> {
        let row = bind_event(sqlx::query(INSERT_PENDING), event).fetch_one(self.pool()).await?;
        Ok(row.try_get("id")?)
    }

    /// Records a change's outcome and settles its journal entry, in one transaction.
    /// Gives the entry as recorded, for the live consoles.
    pub async fn audit_change(&self, journal: i64, event: NewAudit) -> Result<AuditEntry> {
        let mut tx = self.pool().begin().await?;
        let sql = format!("{INSERT_AUDIT} RETURNING {ENTRY_COLUMNS}");
        let row = bind_event(sqlx::query(&sql), event).fetch_one(&mut *tx).await?;
        sqlx::query("DELETE FROM pending_changes WHERE id = $1").bind(journal).execute(&mut *tx).await?;
        tx.commit().await?;
        entry_from(&row)
    }

    /// At start. With SQLite this process is the store's only user, so every unsettled
    /// change was left by a proxy that died. With PostgreSQL another replica may be in the
    /// middle of a call, so its changes are left to the periodic sweep.
    pub async fn recover_at_start(&self) -> Result<u64> {
        if self.postgres {
            return Ok(0);
        }
        self.recover_interrupted(i64::MAX).await
    }

    /// Moves changes journalled before `before` and never settled (their proxy died in the
    /// middle of the call) into the audit, with the outcome `interrupted`: the upstream may
    /// or may not have acted, and the staff member's retry with the same key will tell.
    pub async fn recover_interrupted(&self, before: i64) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(MOVE_PENDING).bind(before).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM pending_changes WHERE at < $1").bind(before).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(moved.rows_affected())
    }

    /// One page of matching entries, newest first, and how many match in all.
    pub async fn audit_page(&self, filter: &AuditFilter, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, i64)> {
        let (clause, params) = where_clause(filter);
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit{clause}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &params).fetch_one(self.pool()).await?.try_get("n")?;
        let n = params.len();
        let page_sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit{clause}
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(&page_sql), &params).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }
}
