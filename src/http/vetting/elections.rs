//! An owners' committee election's vetting: opened, screened, published for objections, finalised.

use super::*;
use crate::http::notices;

pub struct ElectionsApi;

#[OpenApi(tag = "ApiTags::Vetting")]
impl ElectionsApi {
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

    /// A committee's elections, oldest first: everything for organisers and the estate's
    /// committee; for owners, the published lists of qualified candidates.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/committees/:id/elections", method = "get", operation_id = "listElections")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Election>>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let com = db::committees::get(c, &id.0)?.ok_or(AppError::NotFound { what: "committee" })?;
                let estate = estate_ctx(c, &caller, &com.estate_id)?;
                check(&caller, &estate.place(), &Action::ViewPublic(estate.place()))?;
                db::vetting::elections_of(c, &com.id)?
                    .into_iter()
                    .map(|e| {
                        let ctx = ElectionCtx {
                            election: e,
                            estate: estate.clone(),
                        };
                        let all = sees_everything(&caller, &ctx);
                        election_out(c, ctx.election, all)
                    })
                    .collect::<AppResult<Vec<_>>>()
            })
            .await?;
        Ok(Json(Page::whole(out)))
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
                // The statutory notice of the publicity to every owner (RULES.md §4, §10).
                let ends = window::after_day(last);
                let about = notices::raise::About::new(
                    crate::domain::notice::NoticeKind::CandidateList,
                    &ctx.election.id,
                    "业委会候选人名单公示".to_string(),
                    format!(
                        "候选人名单已公示，公示期至 {} 24:00（北京时间）。业主对候选人有异议的，可在公示期内实名提出。",
                        last
                    ),
                    format!("/web/elections/{}", ctx.election.id),
                )
                .closing(ends);
                trail.notify(notices::raise::to_estate(&ctx.estate.estate, about));
                election_out(c, ctx.election, true)
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

/// How many candidates have a status that `f` picks.
pub(crate) fn count(cands: &[CandidateRow], f: impl Fn(CandidateStatus) -> bool) -> AppResult<usize> {
    let mut n = 0;
    for c in cands {
        n += f(c.status()?) as usize;
    }
    Ok(n)
}
