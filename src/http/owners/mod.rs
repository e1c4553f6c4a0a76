//! Owners (业主): natural or legal persons, their units (ownerships with history), and the
//! one-time codes with which an owner opens an account.

//! Owners (业主): natural or legal persons, their units (ownerships with history), and the
//! one-time codes with which an owner opens an account.

use super::ApiTags;
use crate::db::owners::{ActivationRow, OwnerRow, OwnershipRow};
use crate::db::terms::stored;
use crate::db::users::GrantRow;
use crate::db::{self, audit, AnyConnection};
use crate::domain::credentials::CodeStatus;
use crate::domain::identity::{
    birth_date, is_valid_credit_code, is_valid_mobile, is_valid_national_id, last4, mask_phone, normalize_code,
};
use crate::domain::policy::{self, authorize, Action, Role};
use crate::domain::registry::{check_party_post, PartyPost};
use crate::domain::throttle::{self, OnSuccess};
use crate::domain::unit_import::OwnerKind;
use crate::domain::{credentials, ids};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::auth::{field_error, NoContent};
use crate::http::body::JsonBody;
use crate::http::orgs::referenced_org;
use crate::http::paging::{self, Keys, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, guard_estate, Need};
use crate::http::security::{BearerAuth, Caller};
use crate::{crypto, AppState};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

mod activation;
mod dto;
mod owner;
mod ownerships;
mod views;

pub use activation::*;
pub use dto::*;
pub use owner::*;
pub use ownerships::*;
pub(crate) use views::*;

/// The operations of this capability, for the service.
pub type Apis = (OwnersApi, OwnershipsApi, ActivationApi);

pub fn apis() -> Apis {
    (OwnersApi, OwnershipsApi, ActivationApi)
}

/// An owner is visible to the owner, and to whoever may see personal data in an estate where
/// the owner holds a unit. Returns the audit actor for `action` (evaluated on those estates).
pub(crate) fn owner_guard(
    conn: &mut AnyConnection,
    caller: &Caller,
    owner_id: &str,
    need: Need,
) -> AppResult<(OwnerRow, audit::Actor)> {
    let owner = db::owners::get(conn, owner_id)?.ok_or(AppError::NotFound { what: "owner" })?;
    for estate_id in db::owners::estates_of(conn, owner_id)? {
        let ctx = estate_ctx(conn, caller, &estate_id)?;
        if authorize(&caller.principal, &Action::ViewPrivate(ctx.place())).is_ok() {
            let actor = caller.may(&need.action(ctx.place()))?;
            return Ok((owner, actor));
        }
    }
    Err(AppError::NotFound { what: "owner" })
}

pub(crate) fn is_self(caller: &Caller, owner_id: &str) -> bool {
    caller.principal.is_owner(owner_id)
}
