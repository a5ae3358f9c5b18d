//! Payment links: a buyer's page for one order, reached with a token. Only the token's
//! hash is kept, with the nonce it was derived from (see `crate::pay::token_for`), so the
//! store alone never yields a working link.

use sqlx::Row;

use super::Db;
use crate::error::Result;

/// A link as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    pub token_hash: String,
    pub nonce: String,
    pub order_id: i64,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "token_hash, nonce, order_id, created_by, created_at, expires_at";

fn row_to_link(row: &sqlx::any::AnyRow) -> Result<LinkRow> {
    Ok(LinkRow {
        token_hash: row.try_get("token_hash")?,
        nonce: row.try_get("nonce")?,
        order_id: row.try_get("order_id")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

impl Db {
    pub async fn add_link(&self, link: &LinkRow) -> Result<()> {
        sqlx::query(&format!("INSERT INTO payment_links ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(&link.token_hash)
            .bind(&link.nonce)
            .bind(link.order_id)
            .bind(&link.created_by)
            .bind(link.created_at)
            .bind(link.expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The order's links that still open a page at `now`, newest first.
    pub async fn live_links(&self, order_id: i64, now: i64) -> Result<Vec<LinkRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payment_links WHERE order_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC"
        );
        let rows = sqlx::query(&sql).bind(order_id).bind(now).fetch_all(self.pool()).await?;
        rows.iter().map(row_to_link).collect()
    }

    /// The link a token's hash names, if it still opens a page at `now`.
    pub async fn link(&self, token_hash: &str, now: i64) -> Result<Option<LinkRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payment_links WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"
        );
        let row = sqlx::query(&sql).bind(token_hash).bind(now).fetch_optional(self.pool()).await?;
        row.as_ref().map(row_to_link).transpose()
    }

    /// Revokes every live link of an order; gives how many there were.
    pub async fn revoke_links(&self, order_id: i64, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE payment_links SET revoked_at = $2 WHERE order_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(order_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
