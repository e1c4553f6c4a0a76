//! Candidates: nominated, reviewed by each department, objected to by owners, and answered.

use super::*;

pub struct CandidatesApi;

#[OpenApi(tag = "ApiTags::Vetting")]
impl CandidatesApi {
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
                let about = crate::http::notices::raise::About::new(
                    crate::domain::notice::NoticeKind::ObjectionAnswered,
                    &o.id,
                    "您提出的候选人异议已答复".to_string(),
                    format!(
                        "您对候选人提出的异议已答复，结论：{}。",
                        if input.upheld {
                            "异议成立"
                        } else {
                            "异议不成立"
                        }
                    ),
                    format!("/web/elections/{}", cand.election_id),
                );
                trail.notify(crate::http::notices::raise::to(
                    &ctx.estate.estate,
                    [crate::domain::notice::Addressee::Owner(o.filed_by.clone())],
                    about,
                ));
                Ok(objection_out(o))
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
}
