//! Candidate vetting (候选人负面清单, 资格联审; RULES.md §4): a county's negative-list catalogue,
//! departments' records, elections with nominations, automatic screening, joint department
//! review, publication of the qualified list, signed objections and the final list.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::committees::{county_of, estate_rules};
use super::paging::Page;
use super::problem::ApiResult;
use super::scope::{check, estate_ctx, org_place, EstateCtx};
use super::security::{BearerAuth, Caller};
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
use crate::AppState;

pub struct VettingApi;

#[derive(Object)]
pub struct NegativeItem {
    pub code: String,
    pub text: String,
    pub legal_basis: String,
    /// Which department supplies the evidence.
    pub evidence_department: String,
    /// How long a record stays in force; absent: until ended (e.g. corrected, delisted).
    #[oai(skip_serializing_if_is_none)]
    pub duration_months: Option<i32>,
    pub enabled: bool,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSwitch {
    pub enabled: bool,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub owner_id: String,
    #[oai(validator(min_length = 1, max_length = 10))]
    pub item_code: String,
    /// Reference to the evidence (case number, document number); not the evidence itself.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub evidence_ref: String,
    pub effective_from: NaiveDate,
    /// Last day in force; defaults from the item's duration.
    pub expires_on: Option<NaiveDate>,
    /// The recording department; only administrators name it, a department records as itself.
    #[oai(validator(max_length = 64))]
    pub department_id: Option<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordEnd {
    /// Last day in force (e.g. the day the violation was corrected).
    pub date: NaiveDate,
}

#[derive(Object)]
pub struct NegativeRecord {
    pub id: String,
    pub owner_id: String,
    pub item_code: String,
    pub evidence_ref: String,
    pub department_id: String,
    pub effective_from: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub expires_on: Option<NaiveDate>,
    pub in_force_today: bool,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewElection {
    /// Seats to fill.
    #[oai(validator(minimum(value = "1"), maximum(value = "31")))]
    pub seats: i32,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nomination {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub owner_id: String,
    pub nominated_by: NominatedBy,
    /// For joint nominations: the supporting owners (the caller's owner record is added).
    #[serde(default)]
    #[oai(default, validator(max_items = 200))]
    pub supporter_owner_ids: Vec<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnDay {
    /// A date stated for information only (e.g. the day the list went up on the notice board).
    /// The screening and the review look at today's records, and every window runs from when
    /// this is recorded in redprop: a date typed here shortens nothing.
    pub date: Option<NaiveDate>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub passed: bool,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub statement: String,
    /// The objector's name as signature: objections are written and signed (实名).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub signature: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionAnswer {
    pub upheld: bool,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub answer: String,
}

#[derive(Object)]
pub struct ReviewOut {
    pub department_code: String,
    pub passed: bool,
    pub reason: String,
    pub reviewer_id: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
pub struct ObjectionOut {
    pub id: String,
    pub candidate_id: String,
    pub filed_on: NaiveDate,
    pub answer_due_on: NaiveDate,
    pub statement: String,
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub upheld: Option<bool>,
    #[oai(skip_serializing_if_is_none)]
    pub answered_on: Option<NaiveDate>,
}

#[derive(Object)]
pub struct Candidate {
    pub id: String,
    pub election_id: String,
    pub owner_id: String,
    pub name: String,
    pub nominated_by: NominatedBy,
    pub party_member: bool,
    pub status: CandidateStatus,
    /// Negative-list items found in force at screening.
    pub screening_hits: Vec<String>,
    /// Why the candidate is not qualified (or was disqualified).
    pub reasons: Vec<String>,
    pub reviews: Vec<ReviewOut>,
    pub objections: Vec<ObjectionOut>,
}

#[derive(Object)]
pub struct Election {
    pub id: String,
    pub committee_id: String,
    pub seats: i32,
    pub status: ElectionStatus,
    /// The date stated when publishing (information only).
    #[oai(skip_serializing_if_is_none)]
    pub published_on: Option<NaiveDate>,
    /// When the list was published, as recorded: the publicity window runs from here.
    #[oai(skip_serializing_if_is_none)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Last day (China Standard Time) objections are accepted: publication day + the county's
    /// publicity days, the day of publication not counted (Civil Code Art. 201).
    #[oai(skip_serializing_if_is_none)]
    pub publicity_ends_on: Option<NaiveDate>,
    /// Everyone for organisers; for owners, the published qualified list only.
    pub candidates: Vec<Candidate>,
}

#[derive(Object)]
pub struct ElectionFigures {
    pub candidates: u32,
    pub screened: u32,
    /// Candidates with a record in force, by negative-list item.
    pub flagged_by_item: BTreeMap<String, u32>,
    /// Rejections by department.
    pub rejected_by_department: BTreeMap<String, u32>,
    pub qualified: u32,
    pub disqualified_by_objection: u32,
    pub party_members: u32,
    /// Share of party members among candidates, whole percent rounded down.
    pub party_share_percent: u32,
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

fn item_out(i: ItemRow) -> NegativeItem {
    NegativeItem {
        code: i.code,
        text: i.text,
        legal_basis: i.legal_basis,
        evidence_department: i.evidence_department,
        duration_months: i.duration_months,
        enabled: i.enabled,
    }
}

fn record_out(r: RecordRow) -> NegativeRecord {
    let in_force_today = vetting::in_force(r.effective_from, r.expires_on, ids::today());
    NegativeRecord {
        id: r.id,
        owner_id: r.owner_id,
        item_code: r.item_code,
        evidence_ref: r.evidence_ref,
        department_id: r.department_id,
        effective_from: r.effective_from,
        expires_on: r.expires_on,
        in_force_today,
    }
}

fn county(conn: &mut AnyConnection, id: &str) -> AppResult<OrgRow> {
    db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or(AppError::NotFound { what: "county" })
}

/// The county's department organisations, optionally only those with one of `codes`.
fn departments(conn: &mut AnyConnection, county_id: &str, codes: Option<&[String]>) -> AppResult<Vec<OrgRow>> {
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
struct ElectionCtx {
    election: ElectionRow,
    estate: EstateCtx,
}

fn election_ctx(conn: &mut AnyConnection, caller: &Caller, election_id: &str) -> AppResult<ElectionCtx> {
    let election = db::vetting::get_election(conn, election_id)?.ok_or(AppError::NotFound { what: "election" })?;
    let committee =
        db::committees::get(conn, &election.committee_id)?.ok_or(AppError::NotFound { what: "election" })?;
    let estate = estate_ctx(conn, caller, &committee.estate_id)?;
    check(caller, &estate.place(), &Action::ViewPublic(estate.place()))?;
    Ok(ElectionCtx { election, estate })
}

fn manage(caller: &Caller, ctx: &ElectionCtx) -> AppResult<audit::Actor> {
    caller.may(&Action::ManageElection(ctx.estate.place()))
}

fn sees_everything(caller: &Caller, ctx: &ElectionCtx) -> bool {
    let p = &caller.principal;
    authorize(p, &Action::ManageElection(ctx.estate.place())).is_ok()
        || authorize(p, &Action::ViewPrivate(ctx.estate.place())).is_ok()
}

fn split(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|x| x.split('\n').filter(|p| !p.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn candidate_out(
    conn: &mut AnyConnection,
    c: CandidateRow,
    reviews: &[ReviewRow],
    objections: &[ObjectionRow],
) -> AppResult<Candidate> {
    let name = db::owners::names(conn, std::slice::from_ref(&c.owner_id))?
        .remove(&c.owner_id)
        .unwrap_or_default();
    candidate_with_name(c, name, reviews, objections)
}

/// The view of a candidate whose name is already known (lists fetch names in one query).
fn candidate_with_name(
    c: CandidateRow,
    name: String,
    reviews: &[ReviewRow],
    objections: &[ObjectionRow],
) -> AppResult<Candidate> {
    Ok(Candidate {
        status: c.status()?,
        nominated_by: c.nominated_by()?,
        screening_hits: c
            .screening
            .as_deref()
            .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default(),
        reasons: split(&c.reasons),
        reviews: reviews
            .iter()
            .filter(|r| r.candidate_id == c.id)
            .map(|r| ReviewOut {
                department_code: r.department_code.clone(),
                passed: r.passed,
                reason: r.reason.clone(),
                reviewer_id: r.reviewer_id.clone(),
                decided_at: r.decided_at.and_utc(),
            })
            .collect(),
        objections: objections
            .iter()
            .filter(|o| o.candidate_id == c.id)
            .map(|o| objection_out(o.clone()))
            .collect(),
        id: c.id,
        election_id: c.election_id,
        owner_id: c.owner_id,
        name,
        party_member: c.party_member,
    })
}

/// How many candidates have a status that `f` picks.
fn count(cands: &[CandidateRow], f: impl Fn(CandidateStatus) -> bool) -> AppResult<usize> {
    let mut n = 0;
    for c in cands {
        n += f(c.status()?) as usize;
    }
    Ok(n)
}

fn objection_out(o: ObjectionRow) -> ObjectionOut {
    ObjectionOut {
        id: o.id,
        candidate_id: o.candidate_id,
        filed_on: o.filed_on,
        answer_due_on: o.answer_due_on,
        statement: o.statement,
        answer: o.answer,
        upheld: o.upheld,
        answered_on: o.answered_on,
    }
}

fn election_out(conn: &mut AnyConnection, e: ElectionRow, everything: bool) -> AppResult<Election> {
    let mut cands = db::vetting::candidates_of(conn, &e.id)?;
    if !everything {
        // Owners see the published list: qualified candidates, nothing about the others.
        cands.retain(|c| e.published_on.is_some() && c.status().is_ok_and(CandidateStatus::on_final_list));
    }
    let ids: Vec<String> = cands.iter().map(|c| c.id.clone()).collect();
    let (reviews, objections) = if everything {
        (
            db::vetting::reviews_of(conn, &ids)?,
            db::vetting::objections_of(conn, &ids)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let owners: Vec<String> = cands.iter().map(|c| c.owner_id.clone()).collect();
    let mut names = db::owners::names(conn, &owners)?;
    let candidates = cands
        .into_iter()
        .map(|c| {
            let name = names.remove(&c.owner_id).unwrap_or_default();
            candidate_with_name(c, name, &reviews, &objections)
        })
        .collect::<AppResult<_>>()?;
    Ok(Election {
        status: e.status()?,
        id: e.id,
        committee_id: e.committee_id,
        seats: e.seats,
        published_on: e.published_on,
        published_at: e.published_at.map(|t| t.and_utc()),
        publicity_ends_on: e.publicity_ends_on,
        candidates,
    })
}

/// Records in force on the day `on` for enabled items of the county.
/// The caller's department organisation (a department user), or the one an administrator names.
fn acting_department(conn: &mut AnyConnection, caller: &Caller, named: Option<&str>) -> AppResult<OrgRow> {
    let id = match policy::acting_department(&caller.principal).map_err(|_| AppError::forbidden())? {
        Some(own) => own,
        None => named.map(str::to_string).ok_or_else(|| {
            AppError::invalid(
                "department_id",
                reason::REQUIRED,
                "name the department that supplies the record",
            )
        })?,
    };
    db::orgs::get(conn, &id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::Department))
        .ok_or_else(|| AppError::invalid("department_id", reason::NOT_FOUND, "no department with this id"))
}

/// Where an owner's records belong: the counties of the estates where the owner holds or held a
/// unit, with their departments. Built from the registry, judged by the policy.
struct OwnerReach {
    county_ids: Vec<String>,
    county_paths: Vec<String>,
    department_ids: Vec<String>,
}

impl OwnerReach {
    fn load(conn: &mut AnyConnection, owner_id: &str) -> AppResult<OwnerReach> {
        let mut county_ids: Vec<String> = db::owners::estate_paths_ever(conn, owner_id)?
            .iter()
            .map(|p| county_of(p))
            .collect();
        county_ids.sort();
        county_ids.dedup();
        let mut reach = OwnerReach {
            county_paths: county_ids.iter().map(|c| format!("/{c}/")).collect(),
            county_ids,
            department_ids: Vec::new(),
        };
        for c in &reach.county_ids {
            reach
                .department_ids
                .extend(departments(conn, c, None)?.into_iter().map(|d| d.id));
        }
        Ok(reach)
    }

    fn place(&self) -> Place<'_> {
        Place {
            org_paths: self.county_paths.iter().map(String::as_str).collect(),
            department_ids: self.department_ids.iter().map(String::as_str).collect(),
            ..Place::default()
        }
    }
}

fn department_place(dept: &OrgRow) -> Place<'_> {
    Place {
        org_paths: vec![&dept.path],
        department_ids: vec![&dept.id],
        ..Place::default()
    }
}

#[OpenApi(tag = "ApiTags::Vetting")]
impl VettingApi {
    /// A county's negative-list catalogue (seeded with RULES.md's defaults on first use).
    ///
    /// Administrators, the bureau and party organisations of the county.
    #[oai(path = "/orgs/:id/negative-list", method = "get", operation_id = "getNegativeList")]
    async fn catalogue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<NegativeItem>>> {
        let caller = auth.0.clone();
        // Not a command: reading the catalogue writes the county's default items the first time
        // it is read (the defaults of RULES.md), which changes nothing anyone decided.
        let items = state
            .db
            .write(move |c| {
                let county = county(c, &id.0)?;
                check(&caller, &org_place(&county), &Action::ViewCoverage(org_place(&county)))?;
                db::vetting::catalogue(c, &county.id)
            })
            .await?;
        Ok(Json(Page::whole(items.into_iter().map(item_out).collect())))
    }

    /// Switch a negative-list item on or off for the county. Decisions already taken keep what
    /// they found.
    ///
    /// Administrators and the bureau of the county.
    #[oai(
        path = "/orgs/:id/negative-list/:code",
        method = "patch",
        operation_id = "switchNegativeItem"
    )]
    async fn switch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(max_length = 10))] code: Path<String>,
        body: JsonBody<ItemSwitch>,
    ) -> ApiResult<Json<Page<NegativeItem>>> {
        let caller = auth.0.clone();
        let enabled = body.0.enabled;
        let items = state
            .db
            .command(move |c, trail| {
                let county = county(c, &id.0)?;
                let actor = check(
                    &caller,
                    &org_place(&county),
                    &Action::ManageCountyRules(org_place(&county)),
                )?;
                db::vetting::catalogue(c, &county.id)?;
                if !db::vetting::set_item_enabled(c, &county.id, &code.0, enabled, ids::now())? {
                    return Err(AppError::NotFound {
                        what: "negative-list item",
                    });
                }
                trail.record(
                    &actor,
                    "negative_list.switch",
                    "org",
                    &county.id,
                    &serde_json::json!({ "code": code.0, "enabled": enabled }),
                )?;
                db::vetting::catalogue(c, &county.id)
            })
            .await?;
        Ok(Json(Page::whole(items.into_iter().map(item_out).collect())))
    }

    /// Record that a person matches a negative-list item, with a reference to the evidence.
    ///
    /// A department of the county (as itself); administrators naming the department. The owner
    /// must hold or have held a unit in the department's county: any other owner is not found
    /// (404), exactly like an owner id that does not exist.
    #[oai(path = "/negative-records", method = "post", operation_id = "createNegativeRecord")]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewRecord>,
    ) -> ApiResult<Created<NegativeRecord>> {
        let caller = auth.0.clone();
        let input = body.0;
        if input.expires_on.is_some_and(|e| e < input.effective_from) {
            return Err(AppError::invalid(
                "expires_on",
                reason::BEFORE_START,
                "a record cannot end before it starts",
            )
            .into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let dept = acting_department(c, &caller, input.department_id.as_deref())?;
                caller.may(&Action::RecordNegative(department_place(&dept)))?;
                let county_id = county_of(&dept.path);
                // A department acts only on owners of its county: any other owner is as absent as
                // a missing one, so the answer tells nothing about other counties' people.
                let owner = OwnerReach::load(c, &input.owner_id)?;
                if !owner.county_ids.contains(&county_id) {
                    return Err(AppError::NotFound { what: "owner" });
                }
                let actor = caller
                    .may(&Action::RecordNegative(owner.place()))
                    .map_err(|_| AppError::NotFound { what: "owner" })?;
                let item = db::vetting::catalogue(c, &county_id)?
                    .into_iter()
                    .find(|i| i.code == input.item_code)
                    .ok_or_else(|| AppError::invalid("item_code", reason::NOT_FOUND, "no such item in the county's catalogue"))?;
                let row = RecordRow {
                    id: ids::new_id(),
                    county_id,
                    owner_id: input.owner_id.clone(),
                    item_code: item.code,
                    evidence_ref: input.evidence_ref.clone(),
                    department_id: dept.id.clone(),
                    recorded_by: actor.actor_id.clone(),
                    effective_from: input.effective_from,
                    expires_on: input.expires_on.or(vetting::expiry(input.effective_from, item.duration_months.map(|m| m as u32))),
                    created_at: ids::now(),
                };
                db::vetting::insert_record(c, &row)?;
                trail.record(&actor, "negative_record.create", "owner", &row.owner_id, &serde_json::json!({ "record": row.id, "item": row.item_code, "from": row.effective_from, "until": row.expires_on }))?;
                Ok(row)
            })
            .await?;
        Ok(Created::Created(Json(record_out(row))))
    }

    /// End a record (corrected, delisted): its last day in force becomes `date`.
    ///
    /// The department that recorded it; administrators.
    #[oai(
        path = "/negative-records/:id/end",
        method = "post",
        operation_id = "endNegativeRecord"
    )]
    async fn end_record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<RecordEnd>,
    ) -> ApiResult<Json<NegativeRecord>> {
        let caller = auth.0.clone();
        let on = body.0.date;
        let row = state
            .db
            .command(move |c, trail| {
                let mut r = db::vetting::get_record(c, &id.0)?.ok_or(AppError::NotFound { what: "record" })?;
                let dept = db::orgs::get(c, &r.department_id)?.ok_or(AppError::NotFound { what: "record" })?;
                let actor = caller
                    .may(&Action::RecordNegative(department_place(&dept)))
                    .map_err(|_| AppError::NotFound { what: "record" })?;
                if on < r.effective_from {
                    return Err(AppError::invalid(
                        "date",
                        reason::BEFORE_START,
                        "a record cannot end before it starts",
                    ));
                }
                r.expires_on = Some(r.expires_on.map_or(on, |e| e.min(on)));
                db::vetting::save_record(c, &r)?;
                trail.record(
                    &actor,
                    "negative_record.end",
                    "owner",
                    &r.owner_id,
                    &serde_json::json!({ "record": r.id, "until": r.expires_on }),
                )?;
                Ok(r)
            })
            .await?;
        Ok(Json(record_out(row)))
    }

    /// Negative-list records about a person.
    ///
    /// The person themself; administrators; the bureau and departments of a county where the
    /// owner holds or held a unit, who see that county's records. To anyone else the owner is
    /// not found (404).
    #[oai(
        path = "/owners/:id/negative-records",
        method = "get",
        operation_id = "listNegativeRecords"
    )]
    async fn records(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<NegativeRecord>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let own = caller.principal.is_owner(&id.0);
                // Someone who may not see the owner's records at all gets the answer a missing
                // owner gets: existence is not told across counties.
                let reach = OwnerReach::load(c, &id.0)?;
                if db::owners::get(c, &id.0)?.is_none() {
                    return Err(AppError::NotFound { what: "owner" });
                }
                if !own && authorize(&caller.principal, &Action::ViewNegativeRecords(reach.place())).is_err() {
                    return Err(AppError::NotFound { what: "owner" });
                }
                let mut visible = Vec::new();
                for r in db::vetting::records_of(c, &id.0)? {
                    let county = county(c, &r.county_id)?;
                    let depts = departments(c, &county.id, None)?;
                    let place = Place {
                        org_paths: vec![&county.path],
                        department_ids: depts.iter().map(|d| d.id.as_str()).collect(),
                        ..Place::default()
                    };
                    if own || authorize(&caller.principal, &Action::ViewNegativeRecords(place)).is_ok() {
                        visible.push(r);
                    }
                }
                Ok(visible)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(record_out).collect())))
    }

    /// Open an election for an owners' committee: nominations start.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/elections", method = "post", operation_id = "openElection")]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewElection>,
    ) -> ApiResult<Created<Election>> {
        let caller = auth.0.clone();
        let seats = body.0.seats;
        let out = state
            .db
            .command(move |c, trail| {
                let com = db::committees::get(c, &id.0)?.ok_or(AppError::NotFound { what: "committee" })?;
                let estate = estate_ctx(c, &caller, &com.estate_id)?;
                let actor = check(&caller, &estate.place(), &Action::ManageElection(estate.place()))?;
                let earlier = db::vetting::elections_of(c, &com.id)?
                    .iter()
                    .map(ElectionRow::status)
                    .collect::<AppResult<Vec<_>>>()?;
                let status = ElectionStatus::open(com.kind()?, com.status()?, &earlier)?;
                let e = ElectionRow {
                    id: ids::new_id(),
                    committee_id: com.id.clone(),
                    seats,
                    status: status.as_str().into(),
                    published_on: None,
                    publicity_ends_on: None,
                    published_at: None,
                    created_at: ids::now(),
                };
                db::vetting::insert_election(c, &e)?;
                trail.record(
                    &actor,
                    "election.open",
                    "election",
                    &e.id,
                    &serde_json::json!({ "committee": com.id, "seats": seats }),
                )?;
                election_out(c, e, true)
            })
            .await?;
        Ok(Created::Created(Json(out)))
    }

    /// An election: everything for organisers and the estate's committee; for owners, the
    /// published list of qualified candidates.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/elections/:id", method = "get", operation_id = "getElection")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Election>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let ctx = election_ctx(c, &caller, &id.0)?;
                let all = sees_everything(&caller, &ctx);
                election_out(c, ctx.election, all)
            })
            .await?;
        Ok(Json(out))
    }

    /// Nominate a candidate: by the party organisation, by at least 5 owners jointly, or by the
    /// owner themself. The candidate must be an adult natural person holding a unit in the estate.
    ///
    /// Party organisations above the estate, the bureau, administrators; owners of the estate
    /// (for themselves, or jointly).
    #[oai(
        path = "/elections/:id/candidates",
        method = "post",
        operation_id = "nominateCandidate"
    )]
    async fn nominate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Nomination>,
    ) -> ApiResult<Created<Candidate>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = election_ctx(c, &caller, &id.0)?;
                let role = authorize(&caller.principal, &Action::Nominate(ctx.estate.place()))
                    .map_err(|_| AppError::forbidden())?;
                let actor = caller.actor_as(role.as_str());
                ctx.election.status()?.nominate()?;
                let holders = db::estates::headcount_inputs(c, &ctx.estate.estate.id, true)?;
                let holds = |o: &str| holders.iter().any(|u| u.owner_ids.iter().any(|x| x == o));
                let my_owner_ids: Vec<String> = caller.principal.owner_ids().into_iter().filter(|o| holds(o)).collect();
                if !policy::may_nominate(role, input.nominated_by) {
                    return Err(AppError::forbidden());
                }
                let nominator = match input.nominated_by {
                    NominatedBy::PartyOrg => actor.actor_id.clone(),
                    NominatedBy::SelfNomination if my_owner_ids.contains(&input.owner_id) => input.owner_id.clone(),
                    NominatedBy::OwnersJointly => {
                        let mut supporters: Vec<String> = input.supporter_owner_ids.clone();
                        supporters.extend(my_owner_ids.iter().cloned());
                        supporters.sort();
                        supporters.dedup();
                        if supporters.len() < 5 || supporters.iter().any(|s| !holds(s)) {
                            return Err(AppError::invalid(
                                "supporter_owner_ids",
                                reason::TOO_FEW,
                                "a joint nomination needs at least 5 owners of the estate",
                            ));
                        }
                        supporters.join(",")
                    }
                    _ => return Err(AppError::forbidden()),
                };
                // A missing owner and an owner elsewhere get the same answer.
                let not_here = || {
                    AppError::invalid(
                        "owner_id",
                        reason::NOT_AN_OWNER_HERE,
                        "a candidate holds a unit in the estate",
                    )
                };
                if !holds(&input.owner_id) {
                    return Err(not_here());
                }
                let owner = db::owners::get(c, &input.owner_id)?.ok_or_else(not_here)?;
                match owner.birth_date {
                    Some(b) if age_on(b, ids::today()) >= 18 => {}
                    Some(_) => {
                        return Err(AppError::rule(
                            codes::NOT_ADULT,
                            "a candidate must be an adult (full civil capacity)",
                        ))
                    }
                    None => {
                        return Err(AppError::rule(
                            codes::NOT_A_NATURAL_PERSON,
                            "a candidate is a natural person registered with an ID number",
                        ))
                    }
                }
                let row = CandidateRow {
                    id: ids::new_id(),
                    election_id: ctx.election.id.clone(),
                    owner_id: owner.id.clone(),
                    nominated_by: input.nominated_by.as_str().into(),
                    nominator_id: nominator,
                    party_member: owner.party_member,
                    status: CandidateStatus::Nominated.as_str().into(),
                    screening: None,
                    reasons: None,
                    screened_on: None,
                    created_at: ids::now(),
                };
                db::vetting::insert_candidate(c, &row).map_err(|e| match e {
                    AppError::Conflict { .. } => {
                        AppError::conflict(codes::ALREADY_NOMINATED, "this owner is already a candidate")
                    }
                    other => other,
                })?;
                trail.record(
                    &actor,
                    "candidate.nominate",
                    "candidate",
                    &row.id,
                    &serde_json::json!({ "election": row.election_id, "owner": row.owner_id, "by": row.nominated_by }),
                )?;
                candidate_out(c, row, &[], &[])
            })
            .await?;
        Ok(Created::Created(Json(out)))
    }

    /// Close nominations and screen every candidate automatically against the negative-list
    /// records in force on `date` (enabled items only). Departments review next.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/elections/:id/screening",
        method = "post",
        operation_id = "screenCandidates"
    )]
    async fn screen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<OnDay>,
    ) -> ApiResult<Json<Election>> {
        let caller = auth.0.clone();
        let _stated = body.0.date;
        let out = state
            .db
            .command(move |c, trail| {
                let on = ids::today();
                let mut ctx = election_ctx(c, &caller, &id.0)?;
                let actor = manage(&caller, &ctx)?;
                let next = ctx.election.status()?.screen()?;
                let county_id = county_of(&ctx.estate.estate.community_path);
                for mut cand in db::vetting::candidates_of(c, &ctx.election.id)? {
                    let hits = db::vetting::blocking_items(c, &county_id, &cand.owner_id, on)?;
                    cand.screening = Some(hits.join(","));
                    cand.screened_on = Some(on);
                    cand.set_status(CandidateStatus::Screened);
                    db::vetting::save_candidate(c, &cand)?;
                }
                ctx.election.set_status(next);
                db::vetting::save_election(c, &ctx.election)?;
                trail.record(
                    &actor,
                    "election.screen",
                    "election",
                    &ctx.election.id,
                    &serde_json::json!({ "on": on }),
                )?;
                election_out(c, ctx.election, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// A department's review of a candidate: pass or reject, with the reason. One per department.
    ///
    /// A department of the estate's county whose code the county's rules require.
    #[oai(path = "/candidates/:id/reviews", method = "post", operation_id = "reviewCandidate")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ReviewInput>,
    ) -> ApiResult<Created<Candidate>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let cand = db::vetting::get_candidate(c, &id.0)?.ok_or(AppError::NotFound { what: "candidate" })?;
                let election =
                    db::vetting::get_election(c, &cand.election_id)?.ok_or(AppError::NotFound { what: "candidate" })?;
                let committee =
                    db::committees::get(c, &election.committee_id)?.ok_or(AppError::NotFound { what: "candidate" })?;
                let estate = estate_ctx(c, &caller, &committee.estate_id)?;
                let rules = estate_rules(c, &estate)?;
                let county_id = county_of(&estate.estate.community_path);
                let reviewers = departments(c, &county_id, Some(&rules.required_departments))?;
                let mine = caller.principal.department_ids();
                let dept = reviewers
                    .iter()
                    .find(|d| mine.contains(&d.id))
                    .ok_or(AppError::NotFound { what: "candidate" })?;
                let place = Place {
                    department_ids: vec![&dept.id],
                    ..estate.place()
                };
                let actor = caller.may(&Action::ReviewCandidate(place))?;
                election.status()?.review()?;
                let code = dept.department_code.clone().unwrap_or_default();
                let row = ReviewRow {
                    id: ids::new_id(),
                    candidate_id: cand.id.clone(),
                    department_code: code.clone(),
                    passed: input.passed,
                    reason: input.reason.clone(),
                    reviewer_id: actor.actor_id.clone(),
                    decided_at: ids::now(),
                };
                db::vetting::insert_review(c, &row).map_err(|e| match e {
                    AppError::Conflict { .. } => AppError::conflict(
                        codes::ALREADY_REVIEWED,
                        "this department has already reviewed the candidate",
                    ),
                    other => other,
                })?;
                trail.record(
                    &actor,
                    "candidate.review",
                    "candidate",
                    &cand.id,
                    &serde_json::json!({ "department": code, "passed": input.passed, "reason": input.reason }),
                )?;
                let reviews = db::vetting::reviews_of(c, std::slice::from_ref(&cand.id))?;
                candidate_out(c, cand, &reviews, &[])
            })
            .await?;
        Ok(Created::Created(Json(out)))
    }

    /// Decide and publish: a candidate is qualified only when every required department passed
    /// and no enabled item has a record in force on `date`. The list is then published for the
    /// county's publicity period (7–10 days), during which owners may object.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/elections/:id/publication",
        method = "post",
        operation_id = "publishCandidates"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<OnDay>,
    ) -> ApiResult<Json<Election>> {
        let caller = auth.0.clone();
        let stated = body.0.date;
        if stated.is_some_and(|d| d > ids::today()) {
            return Err(AppError::invalid("date", reason::FUTURE, "a stated date cannot be in the future").into());
        }
        let out = state
            .db
            .command(move |c, trail| {
                let mut ctx = election_ctx(c, &caller, &id.0)?;
                let actor = manage(&caller, &ctx)?;
                let next = ctx.election.status()?.publish()?;
                let rules = estate_rules(c, &ctx.estate)?;
                let county_id = county_of(&ctx.estate.estate.community_path);
                let cands = db::vetting::candidates_of(c, &ctx.election.id)?;
                let ids_: Vec<String> = cands.iter().map(|x| x.id.clone()).collect();
                let reviews = db::vetting::reviews_of(c, &ids_)?;
                // The review date is today, and the publicity runs from now: never from a date
                // someone types (RULES.md §7).
                let now = ids::now();
                let on = ids::local_date(now);
                let mut qualified = 0;
                for mut cand in cands {
                    let blocking = db::vetting::blocking_items(c, &county_id, &cand.owner_id, on)?;
                    let mine: Vec<Review> = reviews
                        .iter()
                        .filter(|r| r.candidate_id == cand.id)
                        .map(|r| Review {
                            department: r.department_code.clone(),
                            passed: r.passed,
                        })
                        .collect();
                    let q = vetting::qualify(&rules.required_departments, &mine, &blocking);
                    cand.set_status(CandidateStatus::after_review(&q));
                    cand.reasons = (!q.reasons.is_empty()).then(|| q.reasons.join("\n"));
                    qualified += q.qualified as u32;
                    db::vetting::save_candidate(c, &cand)?;
                }
                let last = window::last_day(now, rules.publicity_days);
                ctx.election.set_status(next);
                ctx.election.published_on = Some(stated.unwrap_or(on));
                ctx.election.published_at = Some(now);
                ctx.election.publicity_ends_on = Some(last);
                db::vetting::save_election(c, &ctx.election)?;
                trail.record(&actor,
                    "election.publish",
                    "election",
                    &ctx.election.id,
                    &serde_json::json!({ "at": ids::rfc3339(now), "stated": stated, "until": last, "qualified": qualified }),
                )?;
                election_out(c, ctx.election, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// File a written, signed objection to a published candidate, within the publicity period.
    ///
    /// Owners of the estate.
    #[oai(path = "/candidates/:id/objections", method = "post", operation_id = "fileObjection")]
    async fn object(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ObjectionInput>,
    ) -> ApiResult<Created<ObjectionOut>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let cand = db::vetting::get_candidate(c, &id.0)?.ok_or(AppError::NotFound { what: "candidate" })?;
                let ctx = election_ctx(c, &caller, &cand.election_id)?;
                let actor = caller.may(&Action::FileObjection(ctx.estate.place()))?;
                let holders = db::estates::headcount_inputs(c, &ctx.estate.estate.id, true)?;
                let objector = caller
                    .principal
                    .owner_ids()
                    .into_iter()
                    .find(|o| holders.iter().any(|u| u.owner_ids.contains(o)))
                    .ok_or_else(AppError::forbidden)?;
                let now = ids::now();
                let today = ids::local_date(now);
                let window_ends = ctx.election.publicity_ends_on.map(window::after_day);
                ctx.election
                    .status()?
                    .object(ctx.election.published_at, window_ends, now)?;
                cand.status()?.objectable()?;
                let owner = db::owners::get(c, &objector)?.ok_or_else(AppError::forbidden)?;
                if owner.name != input.signature.trim() {
                    return Err(AppError::invalid(
                        "signature",
                        reason::MISMATCH,
                        "sign with your registered name",
                    ));
                }
                let rules = estate_rules(c, &ctx.estate)?;
                let row = ObjectionRow {
                    id: ids::new_id(),
                    candidate_id: cand.id.clone(),
                    filed_by: objector,
                    statement: input.statement.clone(),
                    filed_on: today,
                    answer_due_on: vetting::answer_due(today, rules.objection_answer_days),
                    answer: None,
                    upheld: None,
                    answered_by: None,
                    answered_on: None,
                    created_at: ids::now(),
                };
                db::vetting::insert_objection(c, &row)?;
                trail.record(
                    &actor,
                    "objection.file",
                    "candidate",
                    &cand.id,
                    &serde_json::json!({ "objection": row.id }),
                )?;
                Ok(objection_out(row))
            })
            .await?;
        Ok(Created::Created(Json(out)))
    }

    /// Answer an objection; an upheld one disqualifies the candidate.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/objections/:id/answer", method = "post", operation_id = "answerObjection")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ObjectionAnswer>,
    ) -> ApiResult<Json<ObjectionOut>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let mut o = db::vetting::get_objection(c, &id.0)?.ok_or(AppError::NotFound { what: "objection" })?;
                let mut cand =
                    db::vetting::get_candidate(c, &o.candidate_id)?.ok_or(AppError::NotFound { what: "objection" })?;
                let ctx = election_ctx(c, &caller, &cand.election_id)?;
                let actor = manage(&caller, &ctx)?;
                if o.answer.is_some() {
                    return Err(AppError::conflict(
                        codes::ALREADY_ANSWERED,
                        "the objection has been answered",
                    ));
                }
                o.answer = Some(input.answer.clone());
                o.upheld = Some(input.upheld);
                o.answered_by = Some(actor.actor_id.clone());
                o.answered_on = Some(ids::today());
                db::vetting::save_objection(c, &o)?;
                if input.upheld {
                    cand.set_status(cand.status()?.after_objection(true));
                    let mut reasons = split(&cand.reasons);
                    reasons.push(format!("objection upheld: {}", input.answer));
                    cand.reasons = Some(reasons.join("\n"));
                    db::vetting::save_candidate(c, &cand)?;
                }
                trail.record(
                    &actor,
                    "objection.answer",
                    "candidate",
                    &cand.id,
                    &serde_json::json!({ "objection": o.id, "upheld": input.upheld }),
                )?;
                Ok(objection_out(o))
            })
            .await?;
        Ok(Json(out))
    }

    /// Close the publicity period: every objection must be answered and the period over. The
    /// qualified candidates form the final list that goes to the vote.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/elections/:id/finalization",
        method = "post",
        operation_id = "finalizeCandidates"
    )]
    async fn finalize(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Election>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .command(move |c, trail| {
                let mut ctx = election_ctx(c, &caller, &id.0)?;
                let actor = manage(&caller, &ctx)?;
                let over = ctx
                    .election
                    .publicity_ends_on
                    .is_some_and(|e| ids::now() >= window::after_day(e));
                let cands = db::vetting::candidates_of(c, &ctx.election.id)?;
                let ids_: Vec<String> = cands.iter().map(|x| x.id.clone()).collect();
                let unanswered = db::vetting::objections_of(c, &ids_)?
                    .iter()
                    .filter(|o| o.answer.is_none())
                    .count();
                let next = ctx.election.status()?.finalize(over, unanswered)?;
                ctx.election.set_status(next);
                db::vetting::save_election(c, &ctx.election)?;
                let finalists = count(&cands, CandidateStatus::on_final_list)?;
                trail.record(
                    &actor,
                    "election.finalize",
                    "election",
                    &ctx.election.id,
                    &serde_json::json!({ "finalists": finalists }),
                )?;
                election_out(c, ctx.election, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// A candidate, with every decision and why: the candidate themself may see it.
    ///
    /// The candidate; organisers and the estate's committee.
    #[oai(path = "/candidates/:id", method = "get", operation_id = "getCandidate")]
    async fn candidate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Candidate>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let cand = db::vetting::get_candidate(c, &id.0)?.ok_or(AppError::NotFound { what: "candidate" })?;
                let own = caller.principal.is_owner(&cand.owner_id);
                if !own {
                    let ctx = election_ctx(c, &caller, &cand.election_id)?;
                    if !sees_everything(&caller, &ctx) {
                        return Err(AppError::forbidden());
                    }
                }
                let reviews = db::vetting::reviews_of(c, std::slice::from_ref(&cand.id))?;
                let objections = db::vetting::objections_of(c, std::slice::from_ref(&cand.id))?;
                candidate_out(c, cand, &reviews, &objections)
            })
            .await?;
        Ok(Json(out))
    }

    /// Vetting figures of an election: screened, flagged by item, rejected by department,
    /// qualified, and the party-member share among candidates.
    ///
    /// Organisers and the estate's committee.
    #[oai(path = "/elections/:id/figures", method = "get", operation_id = "electionFigures")]
    async fn figures(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<ElectionFigures>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let ctx = election_ctx(c, &caller, &id.0)?;
                if !sees_everything(&caller, &ctx) {
                    return Err(AppError::forbidden());
                }
                let cands = db::vetting::candidates_of(c, &ctx.election.id)?;
                let ids_: Vec<String> = cands.iter().map(|x| x.id.clone()).collect();
                let mut flagged: BTreeMap<String, u32> = BTreeMap::new();
                for cand in &cands {
                    for code in cand
                        .screening
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .filter(|x| !x.is_empty())
                    {
                        *flagged.entry(code.to_string()).or_default() += 1;
                    }
                }
                let mut rejected: BTreeMap<String, u32> = BTreeMap::new();
                for r in db::vetting::reviews_of(c, &ids_)?.into_iter().filter(|r| !r.passed) {
                    *rejected.entry(r.department_code).or_default() += 1;
                }
                let n = cands.len() as u32;
                let party = cands.iter().filter(|x| x.party_member).count() as u32;
                Ok(ElectionFigures {
                    candidates: n,
                    screened: cands.iter().filter(|x| x.screened_on.is_some()).count() as u32,
                    flagged_by_item: flagged,
                    rejected_by_department: rejected,
                    qualified: count(&cands, CandidateStatus::on_final_list)? as u32,
                    disqualified_by_objection: count(&cands, |s| s == CandidateStatus::Disqualified)? as u32,
                    party_members: party,
                    party_share_percent: crate::domain::committee::share_percent(party, n),
                })
            })
            .await?;
        Ok(Json(out))
    }
}
