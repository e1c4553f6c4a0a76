//! Selections ("最美物业人", "红色物业" brands): nominations by companies (their staff),
//! committees, residents and party organisations; a shortlist published for 7 days (up to 10)
//! with signed objections answered as in RULES.md §4; then the decision, published. A company's
//! winners count in its rating (`Fact::SelectionWinners`).

use super::reports::utc;
use super::*;
use crate::db::service::{NominationRow, ObjectionRow, SelectionRow};
use crate::domain::ids;
use crate::domain::notice::{Addressee, NoticeKind};
use crate::domain::service::{self, NominatorKind, SelectionStatus};
use crate::domain::window;
use crate::error::{codes, reason};
use crate::http::body::JsonBody;
use crate::http::notices::raise::{self, About};
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::{AnyAuth, BearerAuth};
use crate::AppState;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use std::collections::HashMap;

pub struct SelectionsApi;

/// A selection with its organiser's area, visible to the caller (404 otherwise), and whether
/// the caller runs it.
fn load(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    for_change: bool,
) -> AppResult<(SelectionRow, AreaCtx, bool)> {
    let not_found = || AppError::NotFound { what: "selection" };
    let s = if for_change {
        db::service::selection_for_change(conn, id)?
    } else {
        db::service::selection(conn, id)?
    }
    .ok_or_else(not_found)?;
    let area = AreaCtx::load(conn, caller, &s.org_id)?;
    if authorize(&caller.principal, &Action::ViewPublic(area.place())).is_err() {
        return Err(not_found());
    }
    let runs = authorize(&caller.principal, &Action::RunSelection(area.office_place())).is_ok();
    Ok((s, area, runs))
}

/// Who the caller nominates as, from the role the policy let it nominate under.
fn nominator(caller: &Caller, area: &AreaCtx, role: &str) -> AppResult<(NominatorKind, String)> {
    let p = &caller.principal;
    Ok(match Role::parse(role) {
        Some(Role::Company) => (
            NominatorKind::Company,
            area.place().company_id.unwrap_or_default().to_string(),
        ),
        Some(Role::Committee) => (
            NominatorKind::Committee,
            area.place().estate_ids.first().copied().unwrap_or_default().to_string(),
        ),
        Some(Role::Owner) => (
            NominatorKind::Resident,
            area.owners_here.first().cloned().unwrap_or_default(),
        ),
        _ => (NominatorKind::PartyOrg, p.actor_id().to_string()),
    })
}

/// Whether the caller made a nomination (as the company, committee, resident or official it is).
fn made_by_caller(caller: &Caller, n: &NominationRow) -> bool {
    let p = &caller.principal;
    match NominatorKind::parse(&n.nominator_kind) {
        Some(NominatorKind::Company) => p.company_ids().contains(&n.nominator_id),
        Some(NominatorKind::Committee) => p.committee_estates().contains(&n.nominator_id),
        Some(NominatorKind::Resident) => p.is_owner(&n.nominator_id),
        _ => n.nominated_by == p.actor_id(),
    }
}

fn nomination_out(
    n: NominationRow,
    caller: &Caller,
    companies: &HashMap<String, String>,
) -> AppResult<SelectionNomination> {
    Ok(SelectionNomination {
        nominator_kind: n.nominator_kind()?,
        mine: made_by_caller(caller, &n),
        company_name: n.company_id.as_ref().and_then(|c| companies.get(c).cloned()),
        id: n.id,
        selection_id: n.selection_id,
        nominee_name: n.nominee_name,
        company_id: n.company_id,
        estate_id: n.estate_id,
        reason: n.reason,
        shortlisted: n.shortlisted,
        disqualified: n.disqualified,
        winner: n.winner,
        created_at: utc(n.created_at),
    })
}

fn company_names(conn: &mut AnyConnection, rows: &[NominationRow]) -> AppResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for id in rows.iter().filter_map(|n| n.company_id.clone()) {
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
            if let Some(c) = db::companies::get(conn, slot.key())? {
                slot.insert(c.name);
            }
        }
    }
    Ok(out)
}

fn objection_out(o: ObjectionRow, caller: &Caller, runs: bool) -> ShortlistObjection {
    let mine = caller.principal.is_owner(&o.owner_id);
    ShortlistObjection {
        signature: (runs || mine).then_some(o.signature),
        id: o.id,
        selection_id: o.selection_id,
        nomination_id: o.nomination_id,
        text: o.text,
        filed_at: utc(o.filed_at),
        answer_due: o.answer_due,
        upheld: o.upheld,
        answer: o.answer,
        answered_at: o.answered_at.map(utc),
        mine,
    }
}

/// A selection as the caller sees it: the shortlist once published, the objections the
/// organiser sees all of (with signatures), others the answered ones and their own.
pub(crate) fn selection_out(
    conn: &mut AnyConnection,
    caller: &Caller,
    s: SelectionRow,
    org_name: String,
    runs: bool,
) -> AppResult<Selection> {
    let status = s.status()?;
    let nominations = if status == SelectionStatus::Nominating {
        Vec::new()
    } else {
        db::service::nominations_of(conn, &s.id)?
            .into_iter()
            .filter(|n| n.shortlisted)
            .collect()
    };
    let companies = company_names(conn, &nominations)?;
    let objections = if status == SelectionStatus::Nominating {
        Vec::new()
    } else {
        db::service::objections_of(conn, &s.id)?
            .into_iter()
            .filter(|o| runs || o.answered_at.is_some() || caller.principal.is_owner(&o.owner_id))
            .map(|o| objection_out(o, caller, runs))
            .collect()
    };
    Ok(Selection {
        kind: s.kind()?,
        status,
        publicity_ends_at: s.shortlisted_at.map(|t| utc(window::end(t, s.publicity_days as u32))),
        shortlist: nominations
            .into_iter()
            .map(|n| nomination_out(n, caller, &companies))
            .collect::<AppResult<_>>()?,
        objections,
        id: s.id,
        org_id: s.org_id,
        org_name,
        title: s.title,
        description: s.description,
        year: s.year,
        publicity_days: s.publicity_days,
        created_at: utc(s.created_at),
        shortlisted_at: s.shortlisted_at.map(utc),
        decided_at: s.decided_at.map(utc),
        decision: s.decision,
    })
}

/// The offices a selection's news goes to: its organiser and the companies of the nominees named.
fn offices(s: &SelectionRow, nominations: &[NominationRow]) -> Vec<Addressee> {
    let mut to = vec![Addressee::Org(s.org_id.clone())];
    for c in nominations.iter().filter_map(|n| n.company_id.clone()) {
        let a = Addressee::Company(c);
        if !to.contains(&a) {
            to.push(a);
        }
    }
    to
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl SelectionsApi {
    /// Open a selection of an organisation's area for nominations.
    ///
    /// The bureau (a county's), the party organisations at or above the organisation, administrators.
    #[oai(path = "/orgs/:id/selections", method = "post", operation_id = "createSelection")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The organiser.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewSelection>,
    ) -> ApiResult<SelectionCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (area, actor) = area_for(c, &caller, &id.0, Acts::RunSelection, true)?;
                let row = SelectionRow {
                    id: ids::new_id(),
                    county_id: area.county_id(),
                    org_id: area.org.id.clone(),
                    org_path: area.org.path.clone(),
                    kind: b.kind.as_str().into(),
                    title: b.title,
                    description: b.description,
                    year: b.year,
                    publicity_days: b.publicity_days.unwrap_or(service::PUBLICITY_DAYS.0) as i32,
                    status: SelectionStatus::Nominating.as_str().into(),
                    created_by: actor.actor_id.clone(),
                    created_at: ids::now(),
                    shortlisted_at: None,
                    decided_at: None,
                    decision: None,
                };
                db::service::insert_selection(c, &row)?;
                trail.record(
                    &actor,
                    "selection.create",
                    "selection",
                    &row.id,
                    &serde_json::json!({ "kind": row.kind, "year": row.year }),
                )?;
                selection_out(c, &caller, row, area.org.name.clone(), true)
            })
            .await?;
        Ok(SelectionCreated::Created(Json(out)))
    }

    /// The selections run in an organisation's area (by it or below it), newest first.
    ///
    /// Whoever sees the area.
    #[oai(path = "/orgs/:id/selections", method = "get", operation_id = "listSelections")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The organisation.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Selection>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewPublic, false)?;
                let rows = db::service::selections_page(c, &area.org.id, before.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |s| s.id.clone());
                let mut items = Vec::new();
                for s in rows {
                    let (s, a, runs) = load(c, &caller, &s.id, false)?;
                    items.push(selection_out(c, &caller, s, a.org.name.clone(), runs)?);
                }
                Ok(Page { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// One selection: its shortlist once published, the objections and answers, the decision.
    ///
    /// Whoever sees its organiser's area.
    #[oai(path = "/selections/:id", method = "get", operation_id = "getSelection")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Selection>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (s, area, runs) = load(c, &caller, &id.0, false)?;
                selection_out(c, &caller, s, area.org.name.clone(), runs)
            })
            .await?;
        Ok(Json(out))
    }

    /// Nominate while the selection takes nominations. A company nominates its own staff (the
    /// nominee's company is the company); a committee, a resident or a party organisation
    /// anyone serving the area's estates.
    ///
    /// Companies working in the area (their people or API key), committees and owners of its
    /// estates, its party organisations, administrators.
    #[oai(
        path = "/selections/:id/nominations",
        method = "post",
        operation_id = "nominateForSelection"
    )]
    async fn nominate(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewSelectionNomination>,
    ) -> ApiResult<NominationCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (s, area, _) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::NominateForSelection(area.place()))?;
                s.status()?.nominate()?;
                let (kind, by) = nominator(&caller, &area, &actor.role)?;
                let company_id = match (kind, b.company_id) {
                    (NominatorKind::Company, Some(other)) if other != by => {
                        return Err(AppError::invalid(
                            "company_id",
                            reason::NOT_ALLOWED,
                            "a company nominates its own staff",
                        ))
                    }
                    (NominatorKind::Company, _) => Some(by.clone()),
                    (_, Some(company)) => {
                        if db::companies::get(c, &company)?.is_none() {
                            return Err(AppError::invalid(
                                "company_id",
                                reason::NOT_FOUND,
                                "no company with this id",
                            ));
                        }
                        Some(company)
                    }
                    (_, None) => None,
                };
                if let Some(e) = &b.estate_id {
                    if !db::estates::get(c, e)?.is_some_and(|e| path_within(&e.community_path, &area.org.id)) {
                        return Err(AppError::invalid(
                            "estate_id",
                            reason::NOT_FOUND,
                            "no estate with this id in the selection's area",
                        ));
                    }
                }
                let row = NominationRow {
                    id: ids::new_id(),
                    selection_id: s.id.clone(),
                    nominee_name: b.nominee_name,
                    company_id,
                    estate_id: b.estate_id,
                    reason: b.reason,
                    nominator_kind: kind.as_str().into(),
                    nominator_id: by,
                    nominated_by: actor.actor_id.clone(),
                    created_at: ids::now(),
                    shortlisted: false,
                    disqualified: false,
                    winner: false,
                };
                db::service::insert_nomination(c, &row)?;
                trail.record(
                    &actor,
                    "selection.nominate",
                    "selection_nomination",
                    &row.id,
                    &serde_json::json!({ "selection": s.id, "by": row.nominator_kind }),
                )?;
                let companies = company_names(c, std::slice::from_ref(&row))?;
                nomination_out(row, &caller, &companies)
            })
            .await?;
        Ok(NominationCreated::Created(Json(out)))
    }

    /// A selection's nominations: the organiser sees all; a company those naming its own staff;
    /// a committee or a resident those it made; everyone the shortlist (`GET /selections/{id}`).
    ///
    /// Whoever sees the selection.
    #[oai(
        path = "/selections/:id/nominations",
        method = "get",
        operation_id = "listNominations"
    )]
    async fn nominations(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<SelectionNomination>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (s, _, runs) = load(c, &caller, &id.0, false)?;
                let companies_of_caller = caller.principal.company_ids();
                let rows: Vec<NominationRow> = db::service::nominations_of(c, &s.id)?
                    .into_iter()
                    .filter(|n| {
                        runs || n.company_id.as_ref().is_some_and(|c| companies_of_caller.contains(c))
                            || (companies_of_caller.is_empty() && made_by_caller(&caller, n))
                    })
                    .collect();
                let companies = company_names(c, &rows)?;
                Ok(Page::whole(
                    rows.into_iter()
                        .map(|n| nomination_out(n, &caller, &companies))
                        .collect::<AppResult<_>>()?,
                ))
            })
            .await?;
        Ok(Json(out))
    }

    /// Publish the shortlist for objections: the window (7 days unless set, up to 10) runs from
    /// now, the day of publication not counted, through 24:00 of its last day.
    ///
    /// The organiser (the bureau, the party organisations at or above it).
    #[oai(
        path = "/selections/:id/shortlist",
        method = "post",
        operation_id = "publishShortlist"
    )]
    async fn shortlist(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Shortlist>,
    ) -> ApiResult<Json<Selection>> {
        let caller = auth.0;
        let picked = body.0.nomination_ids;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut s, area, _) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::RunSelection(area.office_place()))?;
                let next = s.status()?.shortlist()?;
                let all = db::service::nominations_of(c, &s.id)?;
                if let Some(missing) = picked.iter().find(|p| !all.iter().any(|n| &&n.id == p)) {
                    return Err(AppError::invalid(
                        "nomination_ids",
                        reason::NOT_FOUND,
                        format!("`{missing}` is not a nomination of this selection"),
                    ));
                }
                let mut listed = Vec::new();
                for mut n in all.into_iter().filter(|n| picked.contains(&n.id)) {
                    n.shortlisted = true;
                    db::service::save_nomination(c, &n)?;
                    listed.push(n);
                }
                let now = ids::now();
                s.set_status(next);
                s.shortlisted_at = Some(now);
                db::service::save_selection(c, &s)?;
                trail.record(
                    &actor,
                    "selection.shortlist",
                    "selection",
                    &s.id,
                    &serde_json::json!({ "shortlisted": listed.len() }),
                )?;
                let ends = window::end(now, s.publicity_days as u32);
                let about = About::new(
                    NoticeKind::ShortlistPublished,
                    &s.id,
                    format!("评选公示：{}", s.title),
                    format!(
                        "{} 名候选对象公示至 {}，如有异议请实名提出。",
                        listed.len(),
                        window::last_day(now, s.publicity_days as u32)
                    ),
                    format!("/web/selections/{}", s.id),
                )
                .closing(ends);
                trail.notify(raise::to_county(&area.county_id(), offices(&s, &listed), about));
                selection_out(c, &caller, s, area.org.name.clone(), true)
            })
            .await?;
        Ok(Json(out))
    }

    /// Object to a shortlisted nomination, signed, while the shortlist is published (through
    /// 24:00 of its last day); the organiser answers within 7 days.
    ///
    /// Owners of units in the selection's area.
    #[oai(
        path = "/selections/:id/objections",
        method = "post",
        operation_id = "objectToShortlist"
    )]
    async fn object(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewShortlistObjection>,
    ) -> ApiResult<ObjectionCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (s, area, _) = load(c, &caller, &id.0, false)?;
                let actor = caller.may(&Action::ObjectToShortlist(area.place()))?;
                let now = ids::now();
                let published = s.shortlisted_at.unwrap_or(now);
                s.status()?.object(published, s.publicity_days as u32, now)?;
                if !db::service::nomination(c, &b.nomination_id)?
                    .is_some_and(|n| n.selection_id == s.id && n.shortlisted)
                {
                    return Err(AppError::invalid(
                        "nomination_id",
                        reason::NOT_FOUND,
                        "not a shortlisted nomination of this selection",
                    ));
                }
                let row = ObjectionRow {
                    id: ids::new_id(),
                    selection_id: s.id.clone(),
                    nomination_id: b.nomination_id,
                    owner_id: area.owners_here.first().cloned().ok_or_else(AppError::forbidden)?,
                    signature: b.signature,
                    text: b.text,
                    filed_by: actor.actor_id.clone(),
                    filed_at: now,
                    answer_due: service::answer_due(now),
                    upheld: None,
                    answer: None,
                    answered_by: None,
                    answered_at: None,
                };
                db::service::insert_objection(c, &row)?;
                trail.record(
                    &actor,
                    "selection.object",
                    "selection_objection",
                    &row.id,
                    &serde_json::json!({ "selection": s.id, "nomination": row.nomination_id }),
                )?;
                Ok(objection_out(row, &caller, false))
            })
            .await?;
        Ok(ObjectionCreated::Created(Json(out)))
    }

    /// Answer an objection (once): upheld disqualifies the nomination.
    ///
    /// The organiser.
    #[oai(
        path = "/selection-objections/:id/answer",
        method = "post",
        operation_id = "answerShortlistObjection"
    )]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ObjectionVerdict>,
    ) -> ApiResult<Json<ShortlistObjection>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let not_found = || AppError::NotFound { what: "objection" };
                let mut o = db::service::objection_for_change(c, &id.0)?.ok_or_else(not_found)?;
                let (_, area, _) = load(c, &caller, &o.selection_id, true).map_err(|_| not_found())?;
                let actor = caller.may(&Action::RunSelection(area.office_place()))?;
                if o.answered_at.is_some() {
                    return Err(AppError::conflict(
                        codes::ALREADY_ANSWERED,
                        "the objection is already answered",
                    ));
                }
                o.upheld = Some(b.upheld);
                o.answer = Some(b.answer);
                o.answered_by = Some(actor.actor_id.clone());
                o.answered_at = Some(ids::now());
                db::service::save_objection(c, &o)?;
                if b.upheld {
                    if let Some(mut n) = db::service::nomination(c, &o.nomination_id)? {
                        n.disqualified = true;
                        db::service::save_nomination(c, &n)?;
                    }
                }
                trail.record(
                    &actor,
                    "selection.answer",
                    "selection_objection",
                    &o.id,
                    &serde_json::json!({ "upheld": b.upheld }),
                )?;
                let about = About::new(
                    NoticeKind::ObjectionAnswered,
                    &o.id,
                    "您对评选公示的异议已答复".into(),
                    format!("答复：{}", if b.upheld { "异议成立" } else { "异议不成立" }),
                    format!("/web/selections/{}", o.selection_id),
                );
                trail.notify(raise::to_county(
                    &area.county_id(),
                    [Addressee::Owner(o.owner_id.clone())],
                    about,
                ));
                Ok(objection_out(o, &caller, true))
            })
            .await?;
        Ok(Json(out))
    }

    /// Decide, after the publicity with every objection answered: the winners (shortlisted, not
    /// disqualified) and the decision, published.
    ///
    /// The organiser.
    #[oai(path = "/selections/:id/decide", method = "post", operation_id = "decideSelection")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<SelectionDecision>,
    ) -> ApiResult<Json<Selection>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut s, area, _) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::RunSelection(area.office_place()))?;
                let now = ids::now();
                let unanswered = db::service::objections_of(c, &s.id)?
                    .iter()
                    .filter(|o| o.answered_at.is_none())
                    .count();
                let next = s.status()?.decide(
                    s.shortlisted_at.unwrap_or(now),
                    s.publicity_days as u32,
                    now,
                    unanswered,
                )?;
                let all = db::service::nominations_of(c, &s.id)?;
                if let Some(missing) = b.winner_ids.iter().find(|w| !all.iter().any(|n| &&n.id == w)) {
                    return Err(AppError::invalid(
                        "winner_ids",
                        reason::NOT_FOUND,
                        format!("`{missing}` is not a nomination of this selection"),
                    ));
                }
                let winners: Vec<NominationRow> = all.into_iter().filter(|n| b.winner_ids.contains(&n.id)).collect();
                service::check_winners(
                    &winners
                        .iter()
                        .map(|n| (n.shortlisted, n.disqualified))
                        .collect::<Vec<_>>(),
                )?;
                for mut n in winners.clone() {
                    n.winner = true;
                    db::service::save_nomination(c, &n)?;
                }
                s.set_status(next);
                s.decided_at = Some(now);
                s.decision = Some(b.decision);
                db::service::save_selection(c, &s)?;
                trail.record(
                    &actor,
                    "selection.decide",
                    "selection",
                    &s.id,
                    &serde_json::json!({ "winners": b.winner_ids }),
                )?;
                let about = About::new(
                    NoticeKind::SelectionDecided,
                    &s.id,
                    format!("评选结果：{}", s.title),
                    format!(
                        "获选：{}",
                        winners
                            .iter()
                            .map(|n| n.nominee_name.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                    format!("/web/selections/{}", s.id),
                );
                trail.notify(raise::to_county(&area.county_id(), offices(&s, &winners), about));
                selection_out(c, &caller, s, area.org.name.clone(), true)
            })
            .await?;
        Ok(Json(out))
    }
}
