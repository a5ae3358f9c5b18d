//! `/balance`: the partner balance and its history.

use axum::extract::State;
use openmoney_api::{validate, Balance, Page, Success, Transaction, TransactionQuery};

use super::extract::{ApiQuery, Partner};
use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::state::AppState;

/// Partner balance and top-up address.
#[utoipa::path(get, path = "/balance", tag = "Balance",
    responses((status = 200, description = "The balance", body = Success<Balance>)))]
pub async fn balance(State(app): State<AppState>, Partner(partner): Partner) -> ApiResult<Balance> {
    Ok(ok(app.store().balance(partner, app.now())))
}

/// Balance transactions, newest first.
#[utoipa::path(get, path = "/balance/transactions", tag = "Balance", params(TransactionQuery),
    responses((status = 200, description = "One page of transactions", body = Success<Page<Transaction>>)))]
pub async fn transactions(
    State(app): State<AppState>,
    Partner(partner): Partner,
    ApiQuery(query): ApiQuery<TransactionQuery>,
) -> ApiResult<Page<Transaction>> {
    let limit = validate::limit(query.limit).map_err(ApiError::validation)?;
    let offset = validate::offset(query.offset).map_err(ApiError::validation)?;
    let known = query.kind.as_ref().is_none_or(|k| k.is_known());
    super::orders::require_known("type", known, openmoney_api::TransactionType::known_list())?;
    Ok(ok(app.store().transactions(partner, query.kind.as_ref(), limit, offset, app.now())))
}
