//! Major-matter proposals (重大事项): mobilised, endorsed by all three parties, reviewed by the community party committee.

use super::*;

pub struct ProposalsApi;

#[OpenApi(tag = "ApiTags::Votes")]
impl ProposalsApi {
    /// Mobilise a major matter (重大事项), e.g. a differentiated fee standard: the owners'
    /// committee starts the procedure.
    ///
    /// The estate's committee; administrators.
    #[oai(path = "/estates/:id/proposals", method = "post", operation_id = "mobiliseProposal")]
    async fn propose(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewProposal>,
    ) -> ApiResult<ProposalCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::MobiliseProposal(ctx.place()))?;
                let row = ProposalRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    title: input.title.clone(),
                    summary: input.summary.clone(),
                    category: input.category,
                    status: ProposalStatus::Mobilised.as_str().into(),
                    mobilised_by: actor.actor_id.clone(),
                    mobilised_at: ids::now(),
                    branch_endorsed_by: None,
                    branch_endorsed_at: None,
                    committee_endorsed_by: None,
                    committee_endorsed_at: None,
                    company_endorsed_by: None,
                    company_endorsed_at: None,
                    reviewed_by: None,
                    reviewed_at: None,
                    review_reasons: None,
                };
                db::votes::insert_proposal(c, &row)?;
                trail.record(
                    &actor,
                    "proposal.mobilise",
                    "proposal",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "title": row.title, "category": row.category }),
                )?;
                proposal_out(row)
            })
            .await?;
        Ok(ProposalCreated::Created(Json(out)))
    }

    /// Endorse the proposal as one of the three parties: the estate party branch, the owners'
    /// committee, the property company. With all three it is proposed.
    ///
    /// Each party for itself: a party organisation above the estate, its committee, its serving company.
    #[oai(
        path = "/proposals/:id/endorsements",
        method = "post",
        operation_id = "endorseProposal"
    )]
    async fn endorse(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Endorsement>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.caller().clone();
        let party = body.0.party;
        let out = state
            .db
            .command(move |c, trail| {
                let mut p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::EndorseProposal(ctx.place(), party))?;
                let status = p.status()?;
                status.endorse(false)?;
                let now = Some(ids::now());
                let who = Some(caller.principal.actor_id().to_string());
                match party {
                    ProposalParty::EstatePartyBranch => (p.branch_endorsed_by, p.branch_endorsed_at) = (who, now),
                    ProposalParty::OwnersCommittee => (p.committee_endorsed_by, p.committee_endorsed_at) = (who, now),
                    ProposalParty::PropertyCompany => (p.company_endorsed_by, p.company_endorsed_at) = (who, now),
                }
                let all_three = p.branch_endorsed_at.is_some()
                    && p.committee_endorsed_at.is_some()
                    && p.company_endorsed_at.is_some();
                p.set_status(status.endorse(all_three)?);
                db::votes::save_proposal(c, &p)?;
                trail.record(
                    &actor,
                    "proposal.endorse",
                    "proposal",
                    &p.id,
                    &serde_json::json!({ "party": format!("{party:?}") }),
                )?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }

    /// The community party committee's review of a proposed major matter: approved (it may go to
    /// a vote) or rejected with reasons (it returns to the committee).
    ///
    /// Party organisations above the estate.
    #[oai(path = "/proposals/:id/review", method = "post", operation_id = "reviewProposal")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ProposalReview>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let mut p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::ReviewProposal(ctx.place()))?;
                let reviewed = p.status()?.review(input.approved)?;
                p.set_status(reviewed);
                p.reviewed_by = Some(actor.actor_id.clone());
                p.reviewed_at = Some(ids::now());
                p.review_reasons = Some(input.reasons.clone());
                db::votes::save_proposal(c, &p)?;
                trail.record(
                    &actor,
                    "proposal.review",
                    "proposal",
                    &p.id,
                    &serde_json::json!({ "approved": input.approved, "reasons": input.reasons }),
                )?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }

    /// A proposal with every step: who and when.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/proposals/:id", method = "get", operation_id = "getProposal")]
    async fn proposal(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }
}
