//! A committee in office: filings, the first meeting, vacancies filled by alternates, the handover and the end.

use super::*;

pub struct OfficeApi;

#[OpenApi(tag = "ApiTags::Committees")]
impl OfficeApi {
    /// Record a filing (备案) of an owners' committee with the bureau or the street office.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/filings", method = "post", operation_id = "recordFiling")]
    async fn filing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Filing>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.file(com.kind()?)?;
                if com.formed_on.is_some_and(|f| input.filed_on < f) {
                    return Err(AppError::invalid(
                        "filed_on",
                        reason::BEFORE_ELECTION,
                        "a committee is filed after its election",
                    ));
                }
                match input.authority {
                    FilingAuthority::HousingBureau => com.filed_bureau_on = Some(input.filed_on),
                    FilingAuthority::StreetOffice => com.filed_street_on = Some(input.filed_on),
                }
                settle_status(&mut com)?;
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.filed",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "authority": format!("{:?}", input.authority), "on": input.filed_on }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record the first meeting, where the chair and vice-chairs are chosen.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/first-meeting",
        method = "post",
        operation_id = "recordFirstMeeting"
    )]
    async fn first_meeting(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<FirstMeeting>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.first_meeting(com.kind()?, com.first_meeting_on.is_some())?;
                if com.formed_on.is_some_and(|f| input.held_on < f) {
                    return Err(AppError::invalid("held_on", reason::BEFORE_ELECTION, "the first meeting follows the election"));
                }
                let mut members = db::committees::members(c, &com.id)?;
                let seated = |m: &MemberRow| m.ended_on.is_none() && m.role().is_ok_and(|r| r == MemberRole::Member);
                if !members.iter().any(|m| m.id == input.chair_member_id && seated(m)) {
                    return Err(AppError::invalid("chair_member_id", reason::NOT_A_MEMBER, "the chair is one of the elected members"));
                }
                if input.vice_chair_member_ids.iter().any(|v| *v == input.chair_member_id || !members.iter().any(|m| m.id == *v && seated(m))) {
                    return Err(AppError::invalid("vice_chair_member_ids", reason::NOT_A_MEMBER, "vice-chairs are other elected members"));
                }
                for m in members.iter_mut() {
                    let role = if m.id == input.chair_member_id {
                        MemberRole::Chair
                    } else if input.vice_chair_member_ids.contains(&m.id) {
                        MemberRole::ViceChair
                    } else {
                        continue;
                    };
                    m.set_role(role);
                    db::committees::save_member(c, m)?;
                }
                com.first_meeting_on = Some(input.held_on);
                settle_status(&mut com)?;
                db::committees::save(c, &com)?;
                trail.record(&actor, "committee.first_meeting", "committee", &com.id, &serde_json::json!({ "on": input.held_on, "chair": input.chair_member_id, "vice_chairs": input.vice_chair_member_ids }))?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// A member leaves. The first alternate in vote order fills the seat; when too few remain
    /// (below half the seats, or below the minimum size) a by-election is required.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/vacancies", method = "post", operation_id = "recordVacancy")]
    async fn vacancy(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Vacancy>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.vacancy()?;
                let members = db::committees::members(c, &com.id)?;
                let mut leaving = members
                    .iter()
                    .find(|m| m.id == input.member_id && m.ended_on.is_none() && m.role().is_ok_and(MemberRole::seated))
                    .cloned()
                    .ok_or_else(|| AppError::invalid("member_id", reason::NOT_A_MEMBER, "no serving member with this id"))?;
                leaving.ended_on = Some(input.date);
                leaving.end_reason = Some(input.reason.clone());
                db::committees::save_member(c, &leaving)?;
                let alternates: Vec<&MemberRow> = members
                    .iter()
                    .filter(|m| m.role().is_ok_and(|r| r == MemberRole::Alternate) && m.ended_on.is_none())
                    .collect();
                let ranks: Vec<Option<i32>> = alternates.iter().map(|m| m.alternate_rank).collect();
                let next = rules::next_alternate(&ranks).map(|i| alternates[i].clone());
                let mut filled_by = None;
                if let Some(mut alt) = next {
                    // The alternate's time as alternate ends; the seat starts now (history kept).
                    alt.ended_on = Some(input.date);
                    alt.end_reason = Some("filled a vacancy".into());
                    db::committees::save_member(c, &alt)?;
                    let seated = MemberRow { id: ids::new_id(), role: MemberRole::Member.as_str().into(), alternate_rank: None, started_on: input.date, ended_on: None, end_reason: None, created_at: ids::now(), ..alt };
                    filled_by = Some(seated.id.clone());
                    db::committees::insert_members(c, std::slice::from_ref(&seated))?;
                }
                let serving = db::committees::members(c, &com.id)?.iter().filter(|m| m.ended_on.is_none() && m.role().is_ok_and(MemberRole::seated)).count() as u32;
                let r = estate_rules(c, &ctx)?;
                let min = rules::by_election_min(com.kind()?, com.seats as u32, &r);
                com.by_election_required = rules::by_election_required(serving, com.seats as u32, min);
                db::committees::save(c, &com)?;
                trail.record(&actor, "committee.vacancy", "committee", &com.id, &serde_json::json!({ "member": leaving.id, "on": input.date, "filled_by": filled_by, "by_election": com.by_election_required }))?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// A property management committee hands over to the owners' committee: it is dissolved.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/handover", method = "post", operation_id = "recordHandover")]
    async fn handover(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Handover>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let on = body.0.date;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let dissolved = com.status()?.hand_over()?;
                com.handed_over_on = Some(on);
                com.set_status(dissolved);
                com.ended_on = Some(on);
                com.end_reason = Some("handed over to the elected owners' committee".into());
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.handover",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": on }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// Dissolve a committee (e.g. dismissed by the owners' assembly) or close it at the end of its term.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/dissolution",
        method = "post",
        operation_id = "dissolveCommittee"
    )]
    async fn dissolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Ending>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let past_term = com.term_ends_on.is_some_and(|e| input.date > e);
                let ended = com.status()?.end(past_term)?;
                com.set_status(ended);
                com.ended_on = Some(input.date);
                com.end_reason = Some(input.reason.clone());
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.ended",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": input.date, "reason": input.reason, "status": com.status }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }
}

/// Recomputes the status of an owners' committee from its facts: filed when both filings are
/// in, active when also the first meeting has been held.
/// After a filing or the first meeting: the status the recorded facts give.
pub(crate) fn settle_status(c: &mut CommitteeRow) -> AppResult<()> {
    let filed = c.filed_bureau_on.is_some() && c.filed_street_on.is_some();
    let next = c.status()?.settle(filed, c.first_meeting_on.is_some());
    c.set_status(next);
    Ok(())
}
