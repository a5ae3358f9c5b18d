//! The audit, for admins (as a page or CSV), and per order for everyone.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use openmoney_api::console::AuditQuery;
use openmoney_api::export::{self, CsvFile};
use openmoney_api::{validate, AuditAction, Envelope, Page, Success, Timestamp};
use serde::Deserialize;

use crate::auth::{Admin, StaffUser};
use crate::db::{AuditEntry, AuditFilter};
use crate::error::{Error, Result};
use crate::forward::{known, KnownQuery, OrderIdParam};
use crate::json::ok;
use crate::state::AppState;

/// The filters of the audit, for the CSV: [`AuditQuery`]'s without the page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterQuery {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl AuditFilterQuery {
    /// The filter; an action this build does not write is refused (422), and an empty
    /// `action=` is no filter.
    fn filter(self) -> Result<AuditFilter> {
        let action = self.action.filter(|a| !a.as_str().is_empty());
        known("action", action.as_ref(), AuditAction::KNOWN, AuditAction::known_list())?;
        Ok(AuditFilter {
            actor: self.actor.filter(|a| !a.is_empty()),
            action,
            from: self.from.map(Timestamp::unix_millis),
            to: self.to.map(Timestamp::unix_millis),
            order_id: None,
        })
    }
}

impl From<&AuditQuery> for AuditFilterQuery {
    fn from(query: &AuditQuery) -> Self {
        let AuditQuery { actor, action, from, to, .. } = query;
        AuditFilterQuery { actor: actor.clone(), action: action.clone(), from: *from, to: *to }
    }
}

/// The audit, newest first, for admins.
#[utoipa::path(get, path = "/console/v1/audit", tag = "Audit", params(AuditQuery),
    responses((status = 200, description = "One page of entries", body = Success<Page<AuditEntry>>)))]
pub async fn list(
    State(app): State<AppState>,
    _: Admin,
    KnownQuery(query): KnownQuery<AuditQuery>,
) -> Result<Json<Envelope<Page<AuditEntry>>>> {
    let limit = validate::limit(query.limit).map_err(Error::Validation)?;
    let offset = validate::offset(query.offset).map_err(Error::Validation)?;
    let (items, total) =
        app.db.audit_page(&AuditFilterQuery::from(&query).filter()?, i64::from(limit), offset as i64).await?;
    Ok(ok(Page { items, total: total as u64, limit, offset }))
}

const CSV_PAGE: i64 = 1_000;

/// Every matching entry as CSV, newest first, with ISO timestamps; no cell is a live
/// spreadsheet formula, whatever a failed sign-in typed as its name.
#[utoipa::path(get, path = "/console/v1/audit.csv", tag = "Audit", params(AuditFilterQuery),
    responses((status = 200, description = "The entries as CSV", content_type = "text/csv", body = String)))]
pub async fn csv(
    State(app): State<AppState>,
    _: Admin,
    KnownQuery(query): KnownQuery<AuditFilterQuery>,
) -> Result<impl IntoResponse> {
    let filter = query.filter()?;
    let mut file = CsvFile::new(export::AUDIT_COLUMNS);
    let mut offset = 0;
    loop {
        let (entries, total) = app.db.audit_page(&filter, CSV_PAGE, offset).await?;
        for entry in &entries {
            file.record(export::audit_record(entry));
        }
        offset += entries.len() as i64;
        if entries.is_empty() || offset >= total {
            break;
        }
    }
    let bytes = file.into_bytes();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        bytes,
    ))
}

/// Who did what to one order: "created by alice".
#[utoipa::path(get, path = "/console/v1/orders/{id}/audit", tag = "Audit",
    params(("id" = i64, Path, minimum = 1, description = "Order id")),
    responses((status = 200, description = "The order's entries, oldest first", body = Success<Vec<AuditEntry>>)))]
pub async fn for_order(
    State(app): State<AppState>,
    _: StaffUser,
    OrderIdParam(id): OrderIdParam,
) -> Result<Json<Envelope<Vec<AuditEntry>>>> {
    let filter = AuditFilter { order_id: Some(id), ..AuditFilter::default() };
    let (mut items, _) = app.db.audit_page(&filter, 100, 0).await?;
    items.reverse();
    Ok(ok(items))
}
