//! The audit: who did what, when. Rows are only ever added.

use sqlx::Row;

use super::{now_millis, Db};
use crate::error::Result;

/// An event to record.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub actor: String,
    pub action: &'static str,
    pub outcome: String,
    pub order_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub summary: String,
    pub client_addr: Option<String>,
    pub quote: Option<openmoney_api::console::Quote>,
}

pub use openmoney_api::console::AuditEntry;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub order_id: Option<i64>,
}

fn entry_from(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
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
        add("action = ?", Param::Text(action.clone()));
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

impl Db {
    pub async fn audit(&self, event: NewAudit) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(now_millis())
        .bind(event.actor)
        .bind(event.action)
        .bind(event.outcome)
        .bind(event.order_id)
        .bind(event.idempotency_key)
        .bind(event.summary)
        .bind(event.client_addr)
        .bind(event.quote.and_then(|q| serde_json::to_string(&q).ok()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One page of matching entries, newest first, and how many match in all.
    pub async fn audit_page(&self, filter: &AuditFilter, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, i64)> {
        let (clause, params) = where_clause(filter);
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit{clause}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &params).fetch_one(self.pool()).await?.try_get("n")?;
        let n = params.len();
        let page_sql = format!(
            "SELECT id, at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote FROM audit{clause}
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(&page_sql), &params).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }
}
