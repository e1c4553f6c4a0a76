//! Money the owners are owed an account of (阳光账目, RULES.md §9): fee standards and what each
//! unit pays under them; the owners' decision on the company's share of common income; entries
//! of common income (the company, or its accounting system through its key) and the county's
//! maintenance-fund records (imported); statements that reconcile to the fen, published and
//! versioned, with owners' questions and the company's answers; uses of the fund, decided by the
//! owners' vote or, in an emergency, approved by the county; the county's oversight (settings,
//! disclosure figures, deadlines). Rules in `domain::money`, who may do what in `domain::policy`.

use super::ApiTags;
use crate::db::money::{EntryRow, FeeStandardRow, FundUseRow, LineRow, QuestionRow, ShareRow, StatementRow};
use crate::db::{self, AnyConnection};
use crate::domain::money::{
    self, Account, EmergencyKind, EntryKind, FeeBasis, FeeKind, FeeUnit, Fen, FundUseKind, FundUseStatus,
    IncomeCategory, StatementStatus,
};
use crate::domain::policy::{Action, Role};
use crate::domain::registry::{county_of, UnitKind};
use crate::domain::{ids, window};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, EstateCtx};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

mod documents;
mod dto;
mod entries;
mod fees;
mod fund;
mod oversight;
mod questions;
mod statements;

pub(crate) use documents::*;
pub use dto::*;
pub use entries::*;
pub use fees::*;
pub use fund::*;
pub use oversight::*;
pub use questions::*;
pub use statements::*;

/// The operations of this capability, for the service.
pub type Apis = (FeesApi, EntriesApi, StatementsApi, QuestionsApi, FundApi, OversightApi);

pub fn apis() -> Apis {
    (FeesApi, EntriesApi, StatementsApi, QuestionsApi, FundApi, OversightApi)
}

/// The record kinds whose attachments this capability names (`http::attachments`).
pub const MONEY_ENTRY: &str = "money_entry";
pub const FUND_USE: &str = "fund_use";

/// A county's money settings (its own, or the defaults).
pub(crate) fn county_settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<MoneySettings> {
    match db::money::settings(conn, county_id)? {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("stored money settings: {e}")))
        }
        None => Ok(MoneySettings::defaults()),
    }
}

/// The settings of an estate's county.
pub(crate) fn settings_of(conn: &mut AnyConnection, ctx: &EstateCtx) -> AppResult<MoneySettings> {
    county_settings(conn, &county_of(&ctx.estate.community_path))
}

/// What a caller is about to do with an estate's accounts (the policy's action at its place).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Acts {
    ViewPublic,
    ViewAccounts,
    KeepAccounts,
    RecordMoneyDecision,
}

impl Acts {
    fn at(self, place: crate::domain::policy::Place<'_>) -> Action<'_> {
        match self {
            Acts::ViewPublic => Action::ViewPublic(place),
            Acts::ViewAccounts => Action::ViewAccounts(place),
            Acts::KeepAccounts => Action::KeepAccounts(place),
            Acts::RecordMoneyDecision => Action::RecordMoneyDecision(place),
        }
    }
}

/// An estate the caller may see (404 otherwise), and the role under which it may act there (403 otherwise).
pub(crate) fn estate_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    estate_id: &str,
    acts: Acts,
) -> AppResult<(EstateCtx, db::audit::Actor)> {
    let ctx = estate_ctx(conn, caller, estate_id)?;
    let actor = check(caller, &ctx.place(), &acts.at(ctx.place()))?;
    Ok((ctx, actor))
}

/// The vote a decision rests on, as `domain::money::VoteBasis` sees it: whether it is of this
/// estate, its category, whether it has closed and passed. A vote that does not exist is a
/// field's problem.
pub(crate) fn vote_basis(
    conn: &mut AnyConnection,
    estate_id: &str,
    vote_id: &str,
    field: &'static str,
) -> AppResult<money::VoteBasis> {
    let v = db::votes::get(conn, vote_id)?
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no vote with this id"))?;
    let closed = v.status_at(ids::now()) == crate::domain::voting::VoteStatus::Closed;
    let same_estate = v.estate_id == estate_id;
    let passed = closed
        && same_estate
        && crate::http::votes::result_of(conn, &v)?.outcome == crate::domain::voting::Outcome::Passed;
    Ok(money::VoteBasis {
        same_estate,
        category: v.category,
        closed,
        passed,
    })
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Whether the caller may see a record of this capability that uses a file (`http::attachments`).
pub(crate) fn may_see_record(conn: &mut AnyConnection, caller: &Caller, kind: &str, id: &str) -> AppResult<bool> {
    let estate_id = match kind {
        MONEY_ENTRY => db::money::entry(conn, id)?.map(|e| e.estate_id),
        FUND_USE => db::money::fund_use(conn, id)?.map(|u| u.estate_id),
        _ => None,
    };
    let Some(estate_id) = estate_id else { return Ok(false) };
    let ctx = match estate_ctx(conn, caller, &estate_id) {
        Ok(ctx) => ctx,
        Err(AppError::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(crate::domain::policy::authorize(&caller.principal, &Action::ViewAccounts(ctx.place())).is_ok())
}
