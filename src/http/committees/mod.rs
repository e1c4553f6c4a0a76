//! Committees: owners' committees (业主委员会) from preparatory group to election, filing, first
//! meeting, vacancies and term end; property management committees (物业管理委员会) appointed
//! where none exists and dissolved with a handover when an owners' committee is elected.

//! Committees: owners' committees (业主委员会) from preparatory group to election, filing, first
//! meeting, vacancies and term end; property management committees (物业管理委员会) appointed
//! where none exists and dissolved with a handover when an owners' committee is elected.

use super::ApiTags;
use crate::db::committees::{CommitteeRow, MemberRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::committee::{
    self as rules, Affiliation, CommitteeFacts, CommitteeKind, CommitteeRules, CommitteeStatus, DeadlineKind,
    FilingAuthority, MemberRole, TieRule,
};
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::domain::registry::{OrgKind, UnitKind};
use crate::domain::vetting::{CandidateStatus, ElectionStatus};
use crate::domain::voting::VoteKind;
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::paging::Page;
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, guard_estate, org_place, EstateCtx, Need};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use std::collections::HashMap;

mod committee;
mod county_rules;
mod dto;
mod formation;
mod office;
mod views;

pub use committee::*;
pub use county_rules::*;
pub use dto::*;
pub use formation::*;
pub use office::*;
pub use views::*;

/// The operations of this capability, for the service.
pub type Apis = (CommitteeRulesApi, FormationApi, OfficeApi, CommitteesApi);

pub fn apis() -> Apis {
    (CommitteeRulesApi, FormationApi, OfficeApi, CommitteesApi)
}

/// The county an estate (or organisation) belongs to: the first id of its path.
pub use crate::domain::registry::county_of;

pub fn estate_rules(conn: &mut AnyConnection, ctx: &EstateCtx) -> AppResult<CommitteeRules> {
    db::committees::rules(conn, &county_of(&ctx.estate.community_path))
}

/// Loads a committee with its estate and the caller's right to `need` on it.
pub(crate) fn guard(
    conn: &mut AnyConnection,
    caller: &Caller,
    committee_id: &str,
    manage: bool,
) -> AppResult<(CommitteeRow, EstateCtx, audit::Actor)> {
    let c = db::committees::get(conn, committee_id)?.ok_or(AppError::NotFound { what: "committee" })?;
    let ctx = estate_ctx(conn, caller, &c.estate_id)?;
    let action = if manage {
        Action::ManageCommittee(ctx.place())
    } else {
        Action::ViewPublic(ctx.place())
    };
    let actor = check(caller, &ctx.place(), &action)?;
    Ok((c, ctx, actor))
}

pub(crate) fn respond(conn: &mut AnyConnection, c: CommitteeRow, ctx: &EstateCtx) -> AppResult<Committee> {
    let r = estate_rules(conn, ctx)?;
    committee_out(conn, c, &r)
}
