//! Owners' votes (表决) under Civil Code Art. 278: announcement with notice, the roll frozen at
//! opening (totals and fingerprint published), online and paper ballots with receipts, turnout
//! for the convenor while open, and the tally by area AND heads when closed. Also the
//! major-matter procedure (重大事项): mobilise → three-party proposal → community review → vote.

use super::ApiTags;
use crate::db::votes::{
    HistoryRow, NewBallot, NotRecorded, OptionRow, ProposalRow, RollRow, TieResolutionRow, VoteRow,
};
use crate::db::{self, audit, AnyConnection};
use crate::domain::committee::TieRule;
use crate::domain::headcount;
use crate::domain::policy::{authorize, Action, Place};
use crate::domain::vetting::{CandidateStatus, ElectionStatus};
use crate::domain::voting::{
    self, CandidateOutcome, Category, Channel, Choice, Convenor, Figures, Outcome, ProposalParty, ProposalStatus,
    Support, VoteKind, VoteStatus,
};
use crate::domain::webhook::WebhookEvent;
use crate::domain::{ids, ties, window};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::committees::estate_rules;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, EstateCtx};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

mod ballots;
mod dto;
mod proposals;
mod results;
mod views;
mod vote;

pub use ballots::*;
pub use dto::*;
pub use proposals::*;
pub use results::*;
pub(crate) use views::*;
pub use vote::*;

/// The operations of this capability, for the service.
pub type Apis = (VotesApi, BallotsApi, ResultsApi, ProposalsApi);

pub fn apis() -> Apis {
    (VotesApi, BallotsApi, ResultsApi, ProposalsApi)
}

/// A vote with its estate, visible to the caller (404 otherwise).
/// A webhook event of a vote: to its county and to the company serving its estate.
pub(crate) fn vote_event(
    event: crate::domain::webhook::WebhookEvent,
    v: &VoteRow,
    ctx: &EstateCtx,
) -> db::webhooks::Outbound {
    db::webhooks::Outbound::new(
        event,
        Some(crate::domain::registry::county_of(&ctx.estate.community_path)),
        ctx.company.as_ref().map(|(c, _)| c.clone()),
        &v.id,
        crate::http::events::data(&crate::http::events::VoteEventData {
            vote_id: v.id.clone(),
            estate_id: v.estate_id.clone(),
            title: v.title.clone(),
            kind: v.kind.clone(),
            category: v.category,
            opens_at: ids::rfc3339(v.opens_at),
            closes_at: ids::rfc3339(v.closes_at),
        }),
    )
}

/// A notice of a vote to the estate's owners, committee and community: what is decided, when
/// the ballot is open, and where to vote.
pub(crate) fn vote_notice(kind: crate::domain::notice::NoticeKind, v: &VoteRow, ctx: &EstateCtx) -> db::notices::Raise {
    use crate::domain::notice::NoticeKind as K;
    use crate::http::notices::raise::{self, local, About};
    let when = format!(
        "投票时间：{} 至 {}（北京时间）。",
        local(v.opens_at),
        local(v.closes_at)
    );
    let (title, body) = match kind {
        K::VoteAnnounced => (
            format!("表决公告：{}", v.title),
            format!("{when}请届时登录业主页面投票。"),
        ),
        K::VoteOpened => (format!("表决开始：{}", v.title), format!("{when}请登录业主页面投票。")),
        K::VoteClosing => (
            format!("表决即将结束：{}", v.title),
            format!("本表决将于 {} 结束，尚未投票的业主请尽快投票。", local(v.closes_at)),
        ),
        _ => (
            format!("表决结束：{}", v.title),
            format!("表决已于 {} 结束，结果已在小区公告栏公布。", local(v.closes_at)),
        ),
    };
    let about = About::new(kind, &v.id, title, body, format!("/web/owner/votes/{}", v.id)).closing(v.closes_at);
    raise::to_estate(&ctx.estate, about)
}

/// When the reminder before a vote closes goes out: a day before, or at once if less is left.
pub(crate) fn closing_reminder_at(v: &VoteRow) -> NaiveDateTime {
    v.closes_at - chrono::Duration::hours(24)
}

pub(crate) fn load(conn: &mut AnyConnection, caller: &Caller, vote_id: &str) -> AppResult<(VoteRow, EstateCtx)> {
    let v = db::votes::get(conn, vote_id)?.ok_or(AppError::NotFound { what: "vote" })?;
    let ctx = estate_ctx(conn, caller, &v.estate_id)?;
    check(caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
    Ok((v, ctx))
}

pub(crate) fn convene(caller: &Caller, ctx: &EstateCtx) -> AppResult<audit::Actor> {
    check(caller, &ctx.place(), &Action::ConveneVote(ctx.place()))
}
