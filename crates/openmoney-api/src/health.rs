use serde::{Deserialize, Serialize};

use crate::{HealthStatus, Timestamp};

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: HealthStatus,
    pub time: Timestamp,
}
