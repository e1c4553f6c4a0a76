//! Forming a committee: the preparatory group, the owners' committee's election (recorded, or carried from its vote) and a property management committee's appointment.

use super::*;

pub struct FormationApi;

#[OpenApi(tag = "ApiTags::Committees")]
impl FormationApi {
    /// Record the result of an owners' committee election held on paper outside redprop: the
    /// members and the alternates, who must all be qualified candidates of the election's final
    /// list, adults, and free of negative-list records. (An election voted in redprop is carried
    /// over with `carryElection` instead, without retyping.) A property management committee of
    /// the estate starts its 10-day handover.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/election-result",
        method = "post",
        operation_id = "recordElection"
    )]
    async fn elect(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ElectionResult>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let finalists = final_list(c, &com, &input.election_id, "election_id")?;
                for (field, list) in [("members", &input.members), ("alternates", &input.alternates)] {
                    for (i, m) in list.iter().enumerate() {
                        if m.owner_id.as_ref().is_some_and(|o| !finalists.contains(o)) {
                            return Err(AppError::invalid(
                                &format!("{field}[{i}].owner_id"),
                                reason::NOT_ON_FINAL_LIST,
                                "not a qualified candidate of this election's final list",
                            ));
                        }
                    }
                }
                let mut alternates = input.alternates.clone();
                alternates.sort_by_key(|a| std::cmp::Reverse(a.votes.unwrap_or(0)));
                let ranks: Vec<i32> = (1..=alternates.len() as i32).collect();
                let out = record_election(
                    c,
                    trail,
                    com,
                    &ctx,
                    &actor,
                    &input.members,
                    &alternates,
                    &ranks,
                    input.elected_on,
                )?;
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// Carry a closed election vote's result into the committee in one step: the elected
    /// candidates become members, the alternates follow in vote order. Every tie at the
    /// boundary must have been resolved (`resolveTie`) and the vote must have reached its
    /// quorum. A property management committee of the estate starts its 10-day handover.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/election-result/from-vote",
        method = "post",
        operation_id = "carryElection"
    )]
    async fn carry(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<CarryElection>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let vote_id = body.0.vote_id;
        let out = state
            .db
            .command(move |c, trail| {
                let (com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let v = db::votes::get(c, &vote_id)?
                    .filter(|v| {
                        v.kind().is_ok_and(|k| k == VoteKind::Election)
                            && v.runoff_of.is_none()
                            && v.estate_id == com.estate_id
                    })
                    .ok_or_else(|| {
                        AppError::invalid(
                            "vote_id",
                            reason::NOT_FOUND,
                            "no election vote of this estate with this id",
                        )
                    })?;
                let election_id = v.election_id.clone().unwrap_or_default();
                final_list(c, &com, &election_id, "vote_id")?;
                let result = crate::http::votes::result_of(c, &v)?;
                let (outcome, supports, _) = crate::http::votes::election_outcome(c, &v)?;
                if !outcome.quorum_met {
                    return Err(AppError::rule(
                        codes::ELECTION_FAILED_QUORUM,
                        "the election did not reach two thirds of area and heads: no one is elected",
                    ));
                }
                if !outcome.decided() {
                    let places: Vec<String> = outcome.ties.iter().map(|t| t.place.as_text()).collect();
                    return Err(AppError::rule(
                        codes::TIE_UNRESOLVED,
                        format!("resolve the ties first ({}) by the county's rule", places.join(", ")),
                    ));
                }
                let candidates = db::vetting::candidates_of(c, &election_id)?;
                let member = |cand_id: &String| -> AppResult<MemberInput> {
                    let cand = candidates
                        .iter()
                        .find(|x| &x.id == cand_id)
                        .ok_or_else(|| AppError::Internal("a ballot option is not a candidate".into()))?;
                    Ok(MemberInput {
                        affiliation: Affiliation::Owner,
                        owner_id: Some(cand.owner_id.clone()),
                        name: None,
                        party_member: None,
                        two_committees: false,
                        grid_secretary: false,
                        votes: supports
                            .iter()
                            .find(|s| &s.candidate_id == cand_id)
                            .map(|s| s.yes_heads),
                        leader: false,
                    })
                };
                let members = outcome.elected.iter().map(member).collect::<AppResult<Vec<_>>>()?;
                let alternates = outcome
                    .alternates
                    .iter()
                    .flatten()
                    .map(member)
                    .collect::<AppResult<Vec<_>>>()?;
                let ranks: Vec<i32> = (1..=alternates.len() as i32).collect();
                let on = crate::domain::ids::local_date(v.closes_at);
                let out = record_election(c, trail, com, &ctx, &actor, &members, &alternates, &ranks, on)?;
                trail.record(
                    &actor,
                    "committee.carried",
                    "committee",
                    &out.id,
                    &serde_json::json!({ "vote": v.id, "outcome": result.outcome }),
                )?;
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// Appoint a property management committee (chair from the street office or township).
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/appointment",
        method = "post",
        operation_id = "appointCommittee"
    )]
    async fn appoint(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Appointment>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let appointed = com.status()?.appoint(com.kind()?)?;
                let r = estate_rules(c, &ctx)?;
                rules::check_pmc_size(input.members.len() as u32, &r)
                    .map_err(|m| AppError::invalid("members", reason::SIZE, m))?;
                if input.members[0].affiliation != Affiliation::StreetOffice {
                    return Err(AppError::invalid(
                        "members[0].affiliation",
                        reason::CHAIR,
                        "the chair comes from the street office or township",
                    ));
                }
                let on = input.appointed_on;
                let rows = member_rows(
                    c,
                    "members",
                    &com,
                    &input.members,
                    |i, _| (if i == 0 { MemberRole::Chair } else { MemberRole::Member }, None),
                    on,
                    Eligibility::NotChecked,
                )?;
                db::committees::insert_members(c, &rows)?;
                com.set_status(appointed);
                com.seats = rows.len() as i32;
                com.formed_on = Some(on);
                com.term_ends_on = Some(rules::term_end(on, com.term_years as u32));
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.appointed",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": on, "members": rows.len() }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }
}

/// The owner ids of the qualified candidates of a final election list of this committee.
pub(crate) fn final_list(
    conn: &mut AnyConnection,
    com: &CommitteeRow,
    election_id: &str,
    field: &str,
) -> AppResult<Vec<String>> {
    let e = db::vetting::get_election(conn, election_id)?
        .filter(|e| e.committee_id == com.id)
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no election of this committee with this id"))?;
    if e.status()? != ElectionStatus::Final {
        return Err(AppError::invalid(
            field,
            reason::NOT_FINAL,
            "the candidate list of this election is not final yet",
        ));
    }
    Ok(db::vetting::candidates_of(conn, &e.id)?
        .into_iter()
        .filter(|c| c.status().is_ok_and(CandidateStatus::on_final_list))
        .map(|c| c.owner_id)
        .collect())
}

/// Records an owners' committee's election: members and ranked alternates (all eligible), the
/// preparatory group dissolved, the term set, and a property management committee's handover.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_election(
    c: &mut AnyConnection,
    trail: &mut audit::Trail,
    mut com: CommitteeRow,
    ctx: &EstateCtx,
    actor: &audit::Actor,
    members_in: &[MemberInput],
    alternates_in: &[MemberInput],
    ranks: &[i32],
    on: NaiveDate,
) -> AppResult<Committee> {
    let elected = com.status()?.record_election(com.kind()?)?;
    let r = estate_rules(c, ctx)?;
    rules::check_oc_size(members_in.len() as u32, households(c, &ctx.estate.id)?, &r)
        .map_err(|m| AppError::invalid("members", reason::SIZE, m))?;
    if members_in
        .iter()
        .chain(alternates_in)
        .any(|m| m.affiliation != Affiliation::Owner)
    {
        return Err(AppError::invalid(
            "members",
            reason::NOT_AN_OWNER,
            "members and alternates of an owners' committee are owners",
        ));
    }
    let previous = db::committees::members(c, &com.id)?;
    if r.prep_members_barred_from_first {
        let group: Vec<&String> = previous.iter().filter_map(|m| m.owner_id.as_ref()).collect();
        if members_in
            .iter()
            .any(|m| m.owner_id.as_ref().is_some_and(|o| group.contains(&o)))
        {
            return Err(AppError::rule(
                codes::PREPARATORY_MEMBER_ELECTED,
                "members of the preparatory group may not sit on the first committee here",
            ));
        }
    }
    let mut members = member_rows(
        c,
        "members",
        &com,
        members_in,
        |_, _| (MemberRole::Member, None),
        on,
        Eligibility::Checked,
    )?;
    let alts = member_rows(
        c,
        "alternates",
        &com,
        alternates_in,
        |i, _| (MemberRole::Alternate, ranks.get(i).copied()),
        on,
        Eligibility::Checked,
    )?;
    members.extend(alts);
    let mut owners: Vec<&String> = members.iter().filter_map(|m| m.owner_id.as_ref()).collect();
    let n = owners.len();
    owners.sort();
    owners.dedup();
    if owners.len() != n {
        return Err(AppError::invalid(
            "alternates",
            reason::DUPLICATE,
            "an owner is both member and alternate",
        ));
    }
    // The preparatory group's work ends with the election.
    for mut g in previous.into_iter().filter(|m| m.ended_on.is_none()) {
        g.ended_on = Some(on);
        g.end_reason = Some("preparatory group dissolved at the election".into());
        db::committees::save_member(c, &g)?;
    }
    db::committees::insert_members(c, &members)?;
    com.set_status(elected);
    com.seats = members_in.len() as i32;
    com.formed_on = Some(on);
    com.term_ends_on = Some(rules::term_end(on, com.term_years as u32));
    db::committees::save(c, &com)?;
    // A property management committee stands down, handing over within 10 days.
    for mut pmc in db::committees::live_of_estates(c, std::slice::from_ref(&com.estate_id))?
        .into_iter()
        .filter(|x| x.kind().is_ok_and(|k| k == CommitteeKind::PropertyManagementCommittee))
    {
        pmc.set_status(pmc.status()?.stand_down());
        pmc.handover_due_on = Some(rules::add_days(on, rules::HANDOVER_DAYS));
        db::committees::save(c, &pmc)?;
        trail.record(
            actor,
            "committee.dissolving",
            "committee",
            &pmc.id,
            &serde_json::json!({ "successor": com.id, "handover_due": pmc.handover_due_on }),
        )?;
    }
    trail.record(
        actor,
        "committee.elected",
        "committee",
        &com.id,
        &serde_json::json!({ "on": on, "members": members_in.len(), "alternates": alternates_in.len() }),
    )?;
    respond(c, com, ctx)
}

/// Whether the owners among the members must meet the candidate eligibility (RULES.md §4, last
/// paragraph): preparatory group owners' representatives, elected members and alternates do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eligibility {
    Checked,
    NotChecked,
}

/// Turns member inputs into rows; owners must hold a unit in the estate, and where `eligibility`
/// says so be adults with no negative-list record in force today.
pub(crate) fn member_rows(
    conn: &mut AnyConnection,
    field: &str,
    committee: &CommitteeRow,
    inputs: &[MemberInput],
    role: impl Fn(usize, &MemberInput) -> (MemberRole, Option<i32>),
    on: NaiveDate,
    eligibility: Eligibility,
) -> AppResult<Vec<MemberRow>> {
    let holders = db::estates::headcount_inputs(conn, &committee.estate_id, true)?;
    let county_id = match db::estates::get(conn, &committee.estate_id)? {
        Some(e) => county_of(&e.community_path),
        None => String::new(),
    };
    let mut rows = Vec::new();
    for (i, m) in inputs.iter().enumerate() {
        let (name, party) = match (&m.affiliation, &m.owner_id) {
            (Affiliation::Owner, Some(owner_id)) => {
                // A missing owner and an owner elsewhere get the same answer: nothing is told
                // about people outside the estate.
                let not_here = || {
                    AppError::invalid(
                        &format!("{field}[{i}].owner_id"),
                        reason::NOT_AN_OWNER_HERE,
                        "the person holds no unit in this estate",
                    )
                };
                if !holders.iter().any(|u| u.owner_ids.contains(owner_id)) {
                    return Err(not_here());
                }
                let owner = db::owners::get(conn, owner_id)?.ok_or_else(not_here)?;
                if eligibility == Eligibility::Checked {
                    let today = ids::today();
                    let blocking = db::vetting::blocking_items(conn, &county_id, &owner.id, today)?;
                    rules::eligibility(true, owner.birth_date, today, &blocking).map_err(|why| {
                        AppError::invalid(&format!("{field}[{i}].owner_id"), why.code(), why.message())
                    })?;
                }
                (owner.name, m.party_member.unwrap_or(owner.party_member))
            }
            (Affiliation::Owner, None) => {
                return Err(AppError::invalid(
                    &format!("{field}[{i}].owner_id"),
                    reason::REQUIRED,
                    "an owner member names the owner record",
                ))
            }
            (_, _) => match &m.name {
                Some(n) => (n.trim().to_string(), m.party_member.unwrap_or(false)),
                None => {
                    return Err(AppError::invalid(
                        &format!("{field}[{i}].name"),
                        reason::REQUIRED,
                        "a member who is not an owner needs a name",
                    ))
                }
            },
        };
        let (role, rank) = role(i, m);
        rows.push(MemberRow {
            id: ids::new_id(),
            committee_id: committee.id.clone(),
            owner_id: m.owner_id.clone(),
            name,
            affiliation: m.affiliation.as_str().into(),
            role: role.as_str().into(),
            alternate_rank: rank,
            votes: m.votes,
            party_member: party,
            two_committees: m.two_committees,
            grid_secretary: m.grid_secretary,
            started_on: on,
            ended_on: None,
            end_reason: None,
            created_at: ids::now(),
        });
    }
    let mut owners: Vec<&String> = rows.iter().filter_map(|r| r.owner_id.as_ref()).collect();
    let n = owners.len();
    owners.sort();
    owners.dedup();
    if owners.len() != n {
        return Err(AppError::invalid(
            field,
            reason::DUPLICATE,
            "the same owner appears twice",
        ));
    }
    Ok(rows)
}

/// Households for the small-estate rule: residential units of the estate.
pub(crate) fn households(conn: &mut AnyConnection, estate_id: &str) -> AppResult<u32> {
    Ok(db::estates::count_units(conn, estate_id, UnitKind::Residential.as_str())? as u32)
}
