//! Candidate vetting (候选人负面清单, 资格联审; RULES.md §4): a county's negative-list catalogue,
//! departments' records, elections with nominations, automatic screening, joint department
//! review, publication of the qualified list, signed objections and the final list.

use super::ApiTags;
use crate::db::orgs::OrgRow;
use crate::db::vetting::{CandidateRow, ElectionRow, ItemRow, ObjectionRow, RecordRow, ReviewRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::committee::age_on;
use crate::domain::policy::{self, authorize, Action, Place};
use crate::domain::registry::OrgKind;
use crate::domain::vetting::{self, CandidateStatus, ElectionStatus, NominatedBy, Review};
use crate::domain::{ids, window};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::committees::{county_of, estate_rules};
use crate::http::paging::Page;
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, org_place, EstateCtx};
use crate::http::security::{BearerAuth, Caller};
use crate::AppState;
use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use std::collections::BTreeMap;

mod candidates;
mod dto;
mod elections;
mod negative_list;
mod queue;
mod views;

pub use candidates::*;
pub use dto::*;
pub use elections::*;
pub use negative_list::*;
pub use queue::*;
pub(crate) use views::*;

/// The operations of this capability, for the service.
pub type Apis = (NegativeListApi, ElectionsApi, CandidatesApi, ReviewQueueApi);

pub fn apis() -> Apis {
    (NegativeListApi, ElectionsApi, CandidatesApi, ReviewQueueApi)
}

pub(crate) fn county(conn: &mut AnyConnection, id: &str) -> AppResult<OrgRow> {
    db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or(AppError::NotFound { what: "county" })
}

/// The county's department organisations, optionally only those with one of `codes`.
pub(crate) fn departments(
    conn: &mut AnyConnection,
    county_id: &str,
    codes: Option<&[String]>,
) -> AppResult<Vec<OrgRow>> {
    Ok(db::orgs::page_within(
        conn,
        Some(&[county_id.to_string()]),
        Some(OrgKind::Department.as_str()),
        None,
        1000,
    )?
    .into_iter()
    .filter(|d| codes.is_none_or(|cs| d.department_code.as_ref().is_some_and(|c| cs.contains(c))))
    .collect())
}

/// An election with its committee's estate, checked for `action`.
pub(crate) struct ElectionCtx {
    pub(crate) election: ElectionRow,
    pub(crate) estate: EstateCtx,
}

pub(crate) fn election_ctx(conn: &mut AnyConnection, caller: &Caller, election_id: &str) -> AppResult<ElectionCtx> {
    let election = db::vetting::get_election(conn, election_id)?.ok_or(AppError::NotFound { what: "election" })?;
    let committee =
        db::committees::get(conn, &election.committee_id)?.ok_or(AppError::NotFound { what: "election" })?;
    let estate = estate_ctx(conn, caller, &committee.estate_id)?;
    check(caller, &estate.place(), &Action::ViewPublic(estate.place()))?;
    Ok(ElectionCtx { election, estate })
}

pub(crate) fn manage(caller: &Caller, ctx: &ElectionCtx) -> AppResult<audit::Actor> {
    caller.may(&Action::ManageElection(ctx.estate.place()))
}

pub(crate) fn sees_everything(caller: &Caller, ctx: &ElectionCtx) -> bool {
    let p = &caller.principal;
    authorize(p, &Action::ManageElection(ctx.estate.place())).is_ok()
        || authorize(p, &Action::ViewPrivate(ctx.estate.place())).is_ok()
}
