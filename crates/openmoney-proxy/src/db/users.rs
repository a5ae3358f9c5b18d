//! Staff accounts.

use sqlx::Row;

use super::sessions::SessionChange;
use super::{now_millis, Db};
use crate::error::{Error, Result};

pub use openmoney_api::console::Role;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Staff usernames: 1 to 64 of letters, digits and `. _ @ -` (an email fits).
pub fn check_username(name: &str) -> Result<()> {
    let ok =
        !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::Validation("username must be 1 to 64 letters, digits, '.', '_', '@' or '-'".into()))
    }
}

pub(super) fn user_from(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: role.parse().map_err(Error::internal)?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The user columns, qualified so that they read the same when joined with `u`.
pub(super) const COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at";

impl Db {
    pub async fn add_user(&self, username: &str, password_hash: &str, role: Role) -> Result<User> {
        check_username(username)?;
        let now = now_millis();
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $4)",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now)
        .execute(self.pool())
        .await;
        match inserted {
            Ok(_) => self.user(username).await?.ok_or_else(|| Error::internal("user vanished after insert")),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict(format!("a user named {username} already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users u WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM users u ORDER BY username")).fetch_all(self.pool()).await?;
        rows.iter().map(user_from).collect()
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(self.pool()).await?.try_get("n")?)
    }

    async fn update_user<T>(&self, username: &str, column: &str, value: T) -> Result<User>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
    {
        let changed = sqlx::query(&format!("UPDATE users SET {column} = $1, updated_at = $2 WHERE username = $3"))
            .bind(value)
            .bind(now_millis())
            .bind(username)
            .execute(self.pool())
            .await?;
        if changed.rows_affected() == 0 {
            return Err(Error::NotFound("user"));
        }
        let user = self.user(username).await?.ok_or(Error::NotFound("user"))?;
        self.sessions_changed(SessionChange::User { id: user.id, username: user.username.clone() }).await?;
        Ok(user)
    }

    pub async fn set_role(&self, username: &str, role: Role) -> Result<User> {
        self.update_user(username, "role", role.as_str().to_owned()).await
    }

    pub async fn set_password(&self, username: &str, password_hash: &str) -> Result<User> {
        let user = self.update_user(username, "password_hash", password_hash.to_owned()).await?;
        self.end_sessions_of(&user).await?;
        Ok(user)
    }

    /// Disabling a user also ends every session they have.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<User> {
        let user = self.update_user(username, "disabled", i64::from(disabled)).await?;
        if disabled {
            self.end_sessions_of(&user).await?;
        }
        Ok(user)
    }

    pub async fn remove_user(&self, username: &str) -> Result<()> {
        let user = self.user(username).await?.ok_or(Error::NotFound("user"))?;
        self.end_sessions_of(&user).await?;
        sqlx::query("DELETE FROM users WHERE id = $1").bind(user.id).execute(self.pool()).await?;
        Ok(())
    }
}

impl User {
    /// What the console may see of an account.
    pub fn account(&self) -> openmoney_api::console::StaffAccount {
        openmoney_api::console::StaffAccount {
            username: self.username.clone(),
            role: self.role,
            disabled: self.disabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
