//! Browsers that have signed in before. A device id is handed out in a cookie on a
//! successful sign-in; only its SHA-256 hash is stored. Sign-ins from a known device are
//! throttled on their own, so a brute force elsewhere cannot lock its owner out.

use sqlx::Row;

use super::Db;
use crate::error::Result;

/// A device is forgotten this long after it was first trusted.
pub const DEVICE_LIFETIME_MILLIS: i64 = 180 * 24 * 60 * 60 * 1000;

impl Db {
    pub async fn add_device(&self, id_hash: &str, user_id: i64, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM devices WHERE created_at < $1")
            .bind(now - DEVICE_LIFETIME_MILLIS)
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO devices (id_hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(id_hash)
            .bind(user_id)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The username a device signed in as, while the device is still trusted.
    pub async fn device_owner(&self, id_hash: &str, now: i64) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT u.username FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id_hash = $1 AND d.created_at >= $2",
        )
        .bind(id_hash)
        .bind(now - DEVICE_LIFETIME_MILLIS)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get("username")).transpose()?)
    }
}
