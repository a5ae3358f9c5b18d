//! Staff management, for admins. Every change is audited; the last admin cannot be
//! removed, disabled or demoted.

use axum::extract::{Path, State};
use axum::Json;
use openmoney_api::console::{NewStaff, StaffAccount, StaffChange};
use openmoney_api::{AuditAction, Envelope, ErrorBody, Success};

use crate::auth::{password, Admin};
use crate::db::Role;
use crate::error::{Error, Result};
use crate::json::{ok, ApiJson};
use crate::live::hub::Ending;
use crate::state::AppState;

/// Every staff account, for admins.
#[utoipa::path(get, path = "/console/v1/users", tag = "Users",
    responses((status = 200, description = "The accounts", body = Success<Vec<StaffAccount>>)))]
pub async fn list(State(app): State<AppState>, _: Admin) -> Result<Json<Envelope<Vec<StaffAccount>>>> {
    Ok(ok(app.db.users().await?.iter().map(|u| u.account()).collect()))
}

/// Adds a staff account.
#[utoipa::path(post, path = "/console/v1/users", tag = "Users", request_body = NewStaff,
    responses((status = 200, description = "The new account", body = Success<StaffAccount>),
        (status = 409, description = "The name is taken", body = ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewStaff>,
) -> Result<Json<Envelope<StaffAccount>>> {
    password::check_strength(&new.password)?;
    let hash = password::hash(new.password).await?;
    let created = app.db.add_user(&new.username, &hash, new.role).await?;
    let summary = format!("added {} as {}", created.username, created.role);
    app.audit_event(&user.username, AuditAction::UserAdd, "ok", summary, None).await;
    Ok(ok(created.account()))
}

async fn other_active_admins(app: &AppState, username: &str) -> Result<usize> {
    Ok(app.db.users().await?.iter().filter(|u| u.role == Role::Admin && !u.disabled && u.username != username).count())
}

/// Changes a role, disables or enables, or resets a password.
#[utoipa::path(patch, path = "/console/v1/users/{username}", tag = "Users", request_body = StaffChange,
    params(("username" = String, Path, pattern = r"^[A-Za-z0-9._@-]{1,64}$")),
    responses((status = 200, description = "The changed account", body = Success<StaffAccount>),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "It would leave no active admin", body = ErrorBody)))]
pub async fn change(
    State(app): State<AppState>,
    Admin(user): Admin,
    Path(username): Path<String>,
    ApiJson(change): ApiJson<StaffChange>,
) -> Result<Json<Envelope<StaffAccount>>> {
    let target = app.db.user(&username).await?.ok_or(Error::NotFound("user"))?;
    let loses_admin = change.role.is_some_and(|r| r != Role::Admin) || change.disabled == Some(true);
    if target.role == Role::Admin && loses_admin && other_active_admins(&app, &username).await? == 0 {
        return Err(Error::Conflict("the last active admin cannot be demoted or disabled".into()));
    }
    let mut changed = target;
    let mut notes = Vec::new();
    if let Some(role) = change.role {
        changed = app.db.set_role(&username, role).await?;
        notes.push(format!("role {role}"));
    }
    if let Some(disabled) = change.disabled {
        changed = app.db.set_disabled(&username, disabled).await?;
        notes.push(if disabled { "disabled".to_owned() } else { "enabled".to_owned() });
    }
    if let Some(new_password) = change.password {
        password::check_strength(&new_password)?;
        changed = app.db.set_password(&username, &password::hash(new_password).await?).await?;
        notes.push("password reset".to_owned());
    }
    if notes.is_empty() {
        return Err(Error::Validation("nothing to change: give role, disabled or password".into()));
    }
    // Their open consoles reconnect, as what they now are (or not at all).
    app.live.hub.end(Ending::User(username.clone()));
    let summary = format!("{username}: {}", notes.join(", "));
    app.audit_event(&user.username, AuditAction::UserChange, "ok", summary, None).await;
    Ok(ok(changed.account()))
}

/// Removes a staff account and ends its sessions.
#[utoipa::path(delete, path = "/console/v1/users/{username}", tag = "Users", params(("username" = String, Path, pattern = r"^[A-Za-z0-9._@-]{1,64}$")),
    responses((status = 200, description = "The removed name", body = Success<String>),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "It would leave no active admin", body = ErrorBody)))]
pub async fn remove(
    State(app): State<AppState>,
    Admin(user): Admin,
    Path(username): Path<String>,
) -> Result<Json<Envelope<String>>> {
    let target = app.db.user(&username).await?.ok_or(Error::NotFound("user"))?;
    if target.role == Role::Admin && other_active_admins(&app, &username).await? == 0 {
        return Err(Error::Conflict("the last active admin cannot be removed".into()));
    }
    app.db.remove_user(&username).await?;
    app.live.hub.end(Ending::User(username.clone()));
    app.audit_event(&user.username, AuditAction::UserRemove, "ok", format!("removed {username}"), None).await;
    Ok(ok(username))
}
