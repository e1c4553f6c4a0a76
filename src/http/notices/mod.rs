//! Notice to owners and officials (RULES.md §10, issue 30): everyone's inbox, an owner's choice
//! about texts, the proof of a notice owner by owner (with paper notices posted in the estate),
//! the county's cap on texts and its failed deliveries, and offices' work-group robots. Notices
//! are raised by the commands of the matters they tell of (`raise`), sent by `crate::notices`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::db::notices::{self as store, DeliveryRow, NoticeRow, Totals};
use crate::db::{self, AnyConnection};
use crate::domain::ids;
use crate::domain::notice::{
    self, Addressee, NotSentReason, NoticeChannel, NoticeDeliveryStatus, NoticeKind, WorkGroupKind,
};
use crate::domain::policy::{Action, Place};
use crate::domain::registry::{county_of, OrgKind};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, org_place};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;

mod dto;
mod groups;
pub mod overdue;
pub mod raise;

pub use dto::*;
use groups::*;

pub struct NoticesApi;

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn status_of(d: &DeliveryRow) -> AppResult<(NoticeDeliveryStatus, Option<NotSentReason>)> {
    let s = d.status()?;
    let why = (s == NoticeDeliveryStatus::NotSent)
        .then(|| d.reason.as_deref().and_then(NotSentReason::parse))
        .flatten();
    Ok((s, why))
}

pub(crate) fn totals_out(n: &NoticeRow, t: &Totals) -> AppResult<NoticeTotals> {
    let count = |s: NoticeDeliveryStatus| t.by_status.iter().find(|(k, _)| k == s.as_str()).map_or(0, |(_, v)| *v);
    let reason = |r: NotSentReason| t.by_reason.iter().find(|(k, _)| k == r.as_str()).map_or(0, |(_, v)| *v);
    let not_sent = count(NoticeDeliveryStatus::NotSent);
    Ok(NoticeTotals {
        notice_id: n.id.clone(),
        kind: n.kind()?,
        sent_at: utc(n.sent_at()),
        complete: n.fanned_out,
        owners: t.owners,
        texted: count(NoticeDeliveryStatus::Accepted) + count(NoticeDeliveryStatus::Delivered),
        delivered: count(NoticeDeliveryStatus::Delivered),
        failed: count(NoticeDeliveryStatus::Failed),
        pending: count(NoticeDeliveryStatus::Pending),
        without_mobile: reason(NotSentReason::NoMobile),
        not_texted_other: not_sent - reason(NotSentReason::NoMobile),
        paper_notices: t.paper,
    })
}

/// The public totals of a matter's statutory notice (a vote's announcement), if one was raised.
pub(crate) fn statutory_totals(conn: &mut AnyConnection, subject_id: &str) -> AppResult<Option<NoticeTotals>> {
    match store::statutory_of(conn, subject_id)? {
        Some(n) => {
            let t = store::totals(conn, &n.id)?;
            Ok(Some(totals_out(&n, &t)?))
        }
        None => Ok(None),
    }
}

fn notice_out(m: store::Mine) -> AppResult<Notice> {
    let kind = m.notice.kind()?;
    Ok(Notice {
        id: m.inbox.id,
        notice_id: m.notice.id.clone(),
        kind,
        statutory: kind.statutory(),
        sent_at: utc(m.notice.sent_at()),
        title: m.notice.title,
        body: m.notice.body,
        link: m.notice.link,
        estate_id: m.notice.estate_id,
        closes_at: m.notice.closes_at.map(utc),
        addressee: m.inbox.addressee,
        read_at: m.read_at.map(utc),
    })
}

fn paper_out(p: store::PaperRow) -> PaperNotice {
    PaperNotice {
        photo_ids: serde_json::from_str(&p.photos).unwrap_or_default(),
        id: p.id,
        notice_id: p.notice_id,
        place: p.place,
        recorded_at: utc(p.recorded_at),
    }
}

fn delivery_out(d: DeliveryRow, n: &NoticeRow) -> AppResult<NoticeDelivery> {
    let (status, not_sent_reason) = status_of(&d)?;
    Ok(NoticeDelivery {
        channel: d.channel()?,
        error: (status != NoticeDeliveryStatus::NotSent)
            .then_some(d.reason.clone())
            .flatten(),
        id: d.id,
        notice_id: d.notice_id,
        notice_title: n.title.clone(),
        addressee: d.addressee,
        status,
        not_sent_reason,
        attempts: d.attempts,
        created_at: utc(d.created_at),
    })
}

/// A notice the caller may prove (its estate's committee, the community over it, the bureau).
fn provable(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<(NoticeRow, crate::db::audit::Actor)> {
    let n = store::get(conn, id)?.ok_or(AppError::NotFound { what: "notice" })?;
    let actor = match &n.estate_id {
        Some(e) => {
            let ctx = estate_ctx(conn, caller, e)?;
            check(caller, &ctx.place(), &Action::ProveNotice(ctx.place()))?
        }
        None => {
            let county = db::orgs::get(conn, &n.county_id)?.ok_or(AppError::NotFound { what: "notice" })?;
            check(caller, &org_place(&county), &Action::ProveNotice(org_place(&county)))?
        }
    };
    Ok((n, actor))
}

fn county(conn: &mut AnyConnection, id: &str) -> AppResult<db::orgs::OrgRow> {
    db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or(AppError::NotFound { what: "organisation" })
}

#[OpenApi(tag = "ApiTags::Notices")]
impl NoticesApi {
    /// The caller's notices, newest first: its own as an owner, and those of the offices it
    /// works for (a committee, a party organisation, the bureau, a company), with how many it
    /// has not read.
    ///
    /// Every signed-in person, and company keys (the company's notices).
    #[oai(path = "/me/notices", method = "get", operation_id = "listMyNotices")]
    async fn inbox(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only the unread ones.
        unread: Query<Option<bool>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
    ) -> ApiResult<Json<Inbox>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let mine = notice::addressees(&caller.principal);
                let me = caller.principal.actor_id();
                let rows = store::inbox(
                    c,
                    &mine,
                    me,
                    before.as_deref(),
                    unread.0.unwrap_or(false),
                    paging::fetch(limit),
                )?;
                let (rows, next_cursor) = paging::page(rows, limit, |m| m.inbox.id.clone());
                Ok(Inbox {
                    unread: store::unread(c, &mine, me)?,
                    items: rows.into_iter().map(notice_out).collect::<AppResult<_>>()?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// How many notices the caller has not read (the pages' badge).
    ///
    /// Every signed-in person, and company keys.
    #[oai(path = "/me/notices/unread", method = "get", operation_id = "countMyUnreadNotices")]
    async fn unread(&self, state: Data<&AppState>, auth: AnyAuth) -> ApiResult<Json<Unread>> {
        let caller = auth.caller().clone();
        let unread = state
            .db
            .read(move |c| store::unread(c, &notice::addressees(&caller.principal), caller.principal.actor_id()))
            .await?;
        Ok(Json(Unread { unread }))
    }

    /// Mark one notice read (again: no change).
    ///
    /// Whoever it is addressed to (any person of an addressed office marks it for themselves).
    #[oai(path = "/me/notices/:id/read", method = "post", operation_id = "markNoticeRead")]
    async fn mark(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The inbox entry (`id` of a notice in `GET /me/notices`).
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<Marked>> {
        let caller = auth.caller().clone();
        // Not a command: a reader's own read mark is not a change of anyone's record (no audit).
        let out = state
            .db
            .write(move |c| {
                let mine = notice::addressees(&caller.principal);
                let me = caller.principal.actor_id();
                let row = store::inbox_row(c, &id.0, &mine)?.ok_or(AppError::NotFound { what: "notice" })?;
                let marked = store::mark_read(c, &[row.id], me, ids::now())? as i64;
                Ok(Marked {
                    marked,
                    unread: store::unread(c, &mine, me)?,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// Mark every notice of the caller read.
    ///
    /// Every signed-in person, and company keys.
    #[oai(path = "/me/notices/read-all", method = "post", operation_id = "markAllNoticesRead")]
    async fn mark_all(&self, state: Data<&AppState>, auth: AnyAuth) -> ApiResult<Json<Marked>> {
        let caller = auth.caller().clone();
        // Not a command: a reader's own read marks (no audit).
        let out = state
            .db
            .write(move |c| {
                let mine = notice::addressees(&caller.principal);
                let me = caller.principal.actor_id();
                let ids_ = store::unread_ids(c, &mine, me)?;
                let marked = store::mark_read(c, &ids_, me, ids::now())? as i64;
                Ok(Marked { marked, unread: 0 })
            })
            .await?;
        Ok(Json(out))
    }

    /// The caller's choice about text messages, as an owner.
    ///
    /// Owners.
    #[oai(
        path = "/me/notice-preferences",
        method = "get",
        operation_id = "getNoticePreferences"
    )]
    async fn preferences(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<NoticePreferences>> {
        let caller = auth.0;
        let out = state.db.read(move |c| preferences_of(c, &caller)).await?;
        Ok(Json(out))
    }

    /// Opt out of (or back into) text messages of non-statutory notices. A vote's announcement
    /// and a candidate list's publicity are texted whatever the choice.
    ///
    /// Owners (for every owner record they hold).
    #[oai(
        path = "/me/notice-preferences",
        method = "put",
        operation_id = "setNoticePreferences"
    )]
    async fn set_preferences(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<PreferencesIn>,
    ) -> ApiResult<Json<NoticePreferences>> {
        let caller = auth.0;
        let out_ = body.0.texts_opted_out;
        let out = state
            .db
            .command(move |c, trail| {
                let owners = caller.principal.owner_ids();
                if owners.is_empty() {
                    return Err(AppError::forbidden());
                }
                let actor = caller.actor_as(crate::domain::policy::Role::Owner.as_str());
                for o in &owners {
                    store::set_opted_out(c, o, out_, ids::now())?;
                    trail.record(
                        &actor,
                        "notice.preferences",
                        "owner",
                        o,
                        &serde_json::json!({ "texts_opted_out": out_ }),
                    )?;
                }
                preferences_of(c, &caller)
            })
            .await?;
        Ok(Json(out))
    }

    /// The proof of a notice, owner by owner (by owner id): when it reached each owner's page,
    /// and the text — its status, the provider, its request id and answer, or why none was sent;
    /// with the totals and the paper notices posted.
    ///
    /// The estate's committee, the party organisations over it (the community), the bureau,
    /// administrators.
    #[oai(path = "/notices/:id/proof", method = "get", operation_id = "getNoticeProof")]
    async fn proof(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The notice (`notice_id`).
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
    ) -> ApiResult<Json<NoticeProof>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (n, _) = provable(c, &caller, &id.0)?;
                let lines = store::proof(c, &n.id, after.as_deref(), paging::fetch(limit))?;
                let (lines, next_cursor) = paging::page(lines, limit, |l| l.owner_id.clone());
                let totals = totals_out(&n, &store::totals(c, &n.id)?)?;
                Ok(NoticeProof {
                    title: n.title.clone(),
                    body: n.body.clone(),
                    totals,
                    paper: store::papers(c, &n.id)?.into_iter().map(paper_out).collect(),
                    items: lines.into_iter().map(proof_line).collect::<AppResult<_>>()?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// The proof of a notice as a workbook (XLSX): one row per owner — name, when it reached the
    /// page, the text's status, provider, request id and answer — and the totals. No phone numbers.
    ///
    /// As `GET /notices/{id}/proof`.
    #[oai(
        path = "/notices/:id/proof/export",
        method = "get",
        operation_id = "exportNoticeProof"
    )]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The notice.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<crate::http::money::MoneyFile> {
        let caller = auth.0;
        let (bytes, name) = state
            .db
            .read(move |c| {
                let (n, _) = provable(c, &caller, &id.0)?;
                let lines = store::proof(c, &n.id, None, i64::MAX)?;
                let totals = totals_out(&n, &store::totals(c, &n.id)?)?;
                Ok((
                    proof_workbook(&n, &totals, lines)?,
                    format!("notice-proof-{}.xlsx", n.id),
                ))
            })
            .await?;
        Ok(crate::http::money::MoneyFile::File(
            poem_openapi::payload::Binary(bytes),
            crate::http::ratings::XLSX.into(),
            crate::http::attachments::content_disposition(&name).replacen("inline", "attachment", 1),
        ))
    }

    /// Record a paper notice of the matter posted in the estate, with photos of it posted. The
    /// time is the server's, when it is recorded.
    ///
    /// As `GET /notices/{id}/proof`.
    #[oai(path = "/notices/:id/paper", method = "post", operation_id = "recordPaperNotice")]
    async fn paper(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The notice.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<PaperIn>,
    ) -> ApiResult<PaperCreated> {
        let caller = auth.0;
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (n, actor) = provable(c, &caller, &id.0)?;
                let photos = crate::http::attachments::uploaded_by_caller(c, &caller, "photo_ids", &input.photo_ids)?;
                let row = store::PaperRow {
                    id: ids::new_id(),
                    notice_id: n.id.clone(),
                    place: input.place.trim().to_string(),
                    photos: serde_json::to_string(&photos).unwrap_or_else(|_| "[]".into()),
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: ids::now(),
                };
                store::insert_paper(c, &row)?;
                db::attachments::reference(c, &photos, PAPER_NOTICE, &row.id)?;
                trail.record(
                    &actor,
                    "notice.paper",
                    "notice",
                    &n.id,
                    &serde_json::json!({ "paper": row.id, "place": row.place, "photos": photos }),
                )?;
                Ok(paper_out(row))
            })
            .await?;
        Ok(PaperCreated::Created(Json(out)))
    }

    /// A county's settings of texts (the daily cap) and today's count.
    ///
    /// The county's bureau, administrators.
    #[oai(
        path = "/orgs/:id/notice-settings",
        method = "get",
        operation_id = "getNoticeSettings"
    )]
    async fn settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<NoticeSettings>> {
        let caller = auth.0;
        let transport = transport_name(&state);
        let out = state
            .db
            .read(move |c| {
                let k = county(c, &id.0)?;
                check(&caller, &org_place(&k), &Action::ManageNotices(org_place(&k)))?;
                settings_of(c, &k.id, transport)
            })
            .await?;
        Ok(Json(out))
    }

    /// Set a county's daily cap on texts (absent: no cap). Texts over the cap are not sent and
    /// are listed for the bureau to send by hand.
    ///
    /// The county's bureau, administrators.
    #[oai(
        path = "/orgs/:id/notice-settings",
        method = "put",
        operation_id = "setNoticeSettings"
    )]
    async fn set_settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NoticeSettingsIn>,
    ) -> ApiResult<Json<NoticeSettings>> {
        let caller = auth.0;
        let cap = body.0.daily_text_cap;
        let transport = transport_name(&state);
        let out = state
            .db
            .command(move |c, trail| {
                let k = county(c, &id.0)?;
                let actor = check(&caller, &org_place(&k), &Action::ManageNotices(org_place(&k)))?;
                store::set_daily_cap(c, &k.id, cap, ids::now())?;
                trail.record(
                    &actor,
                    "notice.settings",
                    "organisation",
                    &k.id,
                    &serde_json::json!({ "daily_text_cap": cap }),
                )?;
                settings_of(c, &k.id, transport)
            })
            .await?;
        Ok(Json(out))
    }

    /// A county's texts and work-group posts that failed or were not sent, newest first (by
    /// default; `status` picks others). No phone numbers.
    ///
    /// The county's bureau, administrators.
    #[oai(
        path = "/orgs/:id/notice-deliveries",
        method = "get",
        operation_id = "listNoticeDeliveries"
    )]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// Only deliveries in this status (default: the failed and the unsent).
        status: Query<Option<NoticeDeliveryStatus>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
    ) -> ApiResult<Json<Page<NoticeDelivery>>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let statuses = match status.0 {
            Some(s) => vec![s],
            None => vec![NoticeDeliveryStatus::Failed, NoticeDeliveryStatus::NotSent],
        };
        let out = state
            .db
            .read(move |c| {
                let k = county(c, &id.0)?;
                check(&caller, &org_place(&k), &Action::ManageNotices(org_place(&k)))?;
                let rows = store::deliveries_of_county(c, &k.id, &statuses, before.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |(d, _)| d.id.clone());
                Ok(Page {
                    items: rows
                        .into_iter()
                        .map(|(d, n)| delivery_out(d, &n))
                        .collect::<AppResult<_>>()?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// Send a failed or unsent text or post again, now (it counts against today's cap afresh).
    ///
    /// The bureau of the delivery's county, administrators.
    #[oai(
        path = "/notice-deliveries/:id/retry",
        method = "post",
        operation_id = "retryNoticeDelivery"
    )]
    async fn retry(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<NoticeDelivery>> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let d = store::delivery(c, &id.0)?.ok_or(AppError::NotFound { what: "delivery" })?;
                let k = county(c, &d.county_id)?;
                let actor = check(&caller, &org_place(&k), &Action::ManageNotices(org_place(&k)))?;
                if !d.status()?.retryable() {
                    return Err(AppError::conflict(
                        codes::DELIVERY_NOT_RETRYABLE,
                        format!(
                            "the delivery is {}: only a failed or unsent one is sent again",
                            d.status
                        ),
                    ));
                }
                store::retry(c, &d.id, ids::now())?;
                trail.record(
                    &actor,
                    "notice.retry",
                    "notice_delivery",
                    &d.id,
                    &serde_json::json!({ "was": d.status }),
                )?;
                let d = store::delivery(c, &d.id)?.ok_or(AppError::NotFound { what: "delivery" })?;
                let n = store::get(c, &d.notice_id)?.ok_or(AppError::NotFound { what: "notice" })?;
                delivery_out(d, &n)
            })
            .await?;
        Ok(Json(out))
    }

    /// An estate committee's work-group robot.
    ///
    /// The committee, the party organisations over the estate, the county's bureau, administrators.
    #[oai(
        path = "/estates/:id/work-group",
        method = "get",
        operation_id = "getCommitteeWorkGroup"
    )]
    async fn committee_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<WorkGroup>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| read_group(c, &caller, Some(&id.0), None))
            .await?;
        Ok(Json(out))
    }

    /// Connect the committee's work-group robot (WeCom or DingTalk): it gets the notices
    /// addressed to the committee.
    ///
    /// The committee, the party organisations over the estate, the county's bureau, administrators.
    #[oai(
        path = "/estates/:id/work-group",
        method = "put",
        operation_id = "setCommitteeWorkGroup"
    )]
    async fn set_committee_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<WorkGroupIn>,
    ) -> ApiResult<Json<WorkGroup>> {
        let allow = state.config.webhooks.allow_local;
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| write_group(c, trail, &caller, Some(&id.0), None, Some(body.0), allow))
            .await?;
        Ok(Json(out.ok_or(AppError::NotFound { what: "work group" })?))
    }

    /// Disconnect the committee's work-group robot.
    ///
    /// As `PUT`.
    #[oai(
        path = "/estates/:id/work-group",
        method = "delete",
        operation_id = "deleteCommitteeWorkGroup"
    )]
    async fn delete_committee_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Deleted> {
        let caller = auth.0;
        state
            .db
            .command(move |c, trail| write_group(c, trail, &caller, Some(&id.0), None, None, true))
            .await?;
        Ok(Deleted::Deleted)
    }

    /// An organisation's work-group robot (a community's, a township's, a county bureau's).
    ///
    /// Party organisations at or above it, the county's bureau, administrators.
    #[oai(path = "/orgs/:id/work-group", method = "get", operation_id = "getOrgWorkGroup")]
    async fn org_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<WorkGroup>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| read_group(c, &caller, None, Some(&id.0)))
            .await?;
        Ok(Json(out))
    }

    /// Connect an organisation's work-group robot: it gets the notices addressed to the
    /// organisation (deadlines overdue, dispatches, ratings …).
    ///
    /// As `GET`.
    #[oai(path = "/orgs/:id/work-group", method = "put", operation_id = "setOrgWorkGroup")]
    async fn set_org_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<WorkGroupIn>,
    ) -> ApiResult<Json<WorkGroup>> {
        let allow = state.config.webhooks.allow_local;
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| write_group(c, trail, &caller, None, Some(&id.0), Some(body.0), allow))
            .await?;
        Ok(Json(out.ok_or(AppError::NotFound { what: "work group" })?))
    }

    /// Disconnect an organisation's work-group robot.
    ///
    /// As `GET`.
    #[oai(
        path = "/orgs/:id/work-group",
        method = "delete",
        operation_id = "deleteOrgWorkGroup"
    )]
    async fn delete_org_group(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Deleted> {
        let caller = auth.0;
        state
            .db
            .command(move |c, trail| write_group(c, trail, &caller, None, Some(&id.0), None, true))
            .await?;
        Ok(Deleted::Deleted)
    }
}

/// The record kind whose attachments are a paper notice's photos (`http::attachments`).
pub const PAPER_NOTICE: &str = "paper_notice";

/// Whether the caller may see a paper notice's photos: as the notice's proof.
pub(crate) fn may_see_paper(conn: &mut AnyConnection, caller: &Caller, paper_id: &str) -> AppResult<bool> {
    let Some(notice_id) = db::schema::paper_notices::table
        .find(paper_id)
        .select(db::schema::paper_notices::notice_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    match provable(conn, caller, &notice_id) {
        Ok(_) => Ok(true),
        Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

use diesel::prelude::*;

fn proof_line(l: store::ProofLine) -> AppResult<ProofLine> {
    let text = match l.text {
        Some(d) => {
            let (status, not_sent_reason) = status_of(&d)?;
            Some(TextProof {
                status,
                not_sent_reason,
                provider: d.provider,
                provider_request_id: d.provider_request_id,
                provider_code: d.provider_code,
                sent_at: d.sent_at.map(utc),
                answered_at: d.answered_at.map(utc),
            })
        }
        None => None,
    };
    Ok(ProofLine {
        owner_id: l.owner_id,
        owner_name: l.owner_name,
        on_page_at: utc(l.on_page_at),
        text,
    })
}

fn proof_workbook(n: &NoticeRow, t: &NoticeTotals, lines: Vec<store::ProofLine>) -> AppResult<Vec<u8>> {
    use crate::http::ratings::export::{self, Cell, Sheet};
    let time = |d: Option<chrono::NaiveDateTime>| Cell::Text(d.map(raise::local).unwrap_or_default());
    let mut rows = Vec::new();
    for l in lines {
        let line = proof_line(store::ProofLine { ..l })?;
        let text = line.text.as_ref();
        rows.push(vec![
            Cell::Text(line.owner_name.clone()),
            Cell::Text(raise::local(line.on_page_at.naive_utc())),
            Cell::Text(text.map(|t| t.status.label().to_string()).unwrap_or_else(|| "—".into())),
            Cell::Text(
                text.and_then(|t| t.not_sent_reason)
                    .map(|r| r.label().to_string())
                    .unwrap_or_default(),
            ),
            Cell::Text(text.and_then(|t| t.provider.clone()).unwrap_or_default()),
            Cell::Text(text.and_then(|t| t.provider_request_id.clone()).unwrap_or_default()),
            Cell::Text(text.and_then(|t| t.provider_code.clone()).unwrap_or_default()),
            time(text.and_then(|t| t.sent_at).map(|d| d.naive_utc())),
            time(text.and_then(|t| t.answered_at).map(|d| d.naive_utc())),
        ]);
    }
    let owners = Sheet {
        name: "逐户送达记录",
        headers: [
            "业主",
            "站内送达时间",
            "短信状态",
            "未发送原因",
            "短信服务商",
            "请求编号",
            "回执代码",
            "提交时间",
            "回执时间",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    let summary = Sheet {
        name: "汇总",
        headers: [
            "事项",
            "发出时间",
            "站内送达业主",
            "短信已提交",
            "短信已送达",
            "短信失败",
            "待发送",
            "无手机号",
            "其他未发送",
            "纸质公告",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            Cell::Text(n.title.clone()),
            Cell::Text(raise::local(n.sent_at())),
            Cell::Int(t.owners),
            Cell::Int(t.texted),
            Cell::Int(t.delivered),
            Cell::Int(t.failed),
            Cell::Int(t.pending),
            Cell::Int(t.without_mobile),
            Cell::Int(t.not_texted_other),
            Cell::Int(t.paper_notices),
        ]],
    };
    export::xlsx(&[summary, owners])
}

fn preferences_of(conn: &mut AnyConnection, caller: &Caller) -> AppResult<NoticePreferences> {
    let owners = caller.principal.owner_ids();
    if owners.is_empty() {
        return Err(AppError::forbidden());
    }
    let mut opted = false;
    let mut mobile = false;
    for o in &owners {
        opted |= store::opted_out(conn, o)?;
        mobile |= db::owners::get(conn, o)?
            .and_then(|r| r.phone)
            .is_some_and(|p| !p.is_empty());
    }
    Ok(NoticePreferences {
        texts_opted_out: opted,
        mobile_on_record: mobile,
    })
}

fn settings_of(conn: &mut AnyConnection, county_id: &str, transport: &'static str) -> AppResult<NoticeSettings> {
    Ok(NoticeSettings {
        daily_text_cap: store::daily_cap(conn, county_id)?,
        texts_today: store::texts_on(conn, county_id, ids::today())?,
        transport: transport.into(),
    })
}

fn transport_name(state: &AppState) -> &'static str {
    match state.config.notices.sms {
        crate::config::SmsTransport::Off => "off",
        crate::config::SmsTransport::Log => "log",
        crate::config::SmsTransport::Aliyun(_) => "aliyun",
    }
}
