//! Estates (小区) of three kinds, their buildings and units, spreadsheet import, and the
//! headcount and area totals that votes will stand on.

//! Estates (小区) of three kinds, their buildings and units, spreadsheet import, and the
//! headcount and area totals that votes will stand on.

use super::ApiTags;
use crate::db::estates::{BuildingRow, EstateChanges, EstateRow, UnitListed, UnitRow};
use crate::db::terms::stored;
use crate::db::{self, audit, AnyConnection};
use crate::domain::area::{AreaSource, RecordedAreas, MAX_UNIT_AREA_CENTI};
use crate::domain::headcount;
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::domain::registry::{EstateKind, ManagementMode, OrgKind, SaleStatus, UnitKind};
use crate::domain::unit_import;
use crate::error::{codes, reason, AppError, AppResult, FieldError};
use crate::http::body::{CsvBody, JsonBody};
use crate::http::orgs::referenced_org;
use crate::http::paging::{self, Keys, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, estate_scope, guard_estate, EstateCtx, Need};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

mod board;
mod buildings;
mod dto;
mod estate;
mod import;
mod units;
mod views;

pub use board::*;
pub use buildings::*;
pub use dto::*;
pub use estate::*;
pub use import::*;
pub use units::*;
pub use views::*;

/// The operations of this capability, for the service.
pub type Apis = (EstatesApi, BuildingsApi, UnitsApi, ImportApi, BoardApi);

pub fn apis() -> Apis {
    (EstatesApi, BuildingsApi, UnitsApi, ImportApi, BoardApi)
}
