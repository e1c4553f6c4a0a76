//! How far a campaign's collection has come, estate by estate (the survey against its least
//! sample, the evaluation and inspections still missing: the checklist before scoring), and the
//! paper questionnaires community staff enter for owners who cannot answer online.

use std::collections::HashMap;

use super::*;
use crate::http::scope::estate_ctx;

pub struct ProgressApi;

#[derive(ApiResponse)]
pub enum PaperEntered {
    /// Entered, as a paper questionnaire of the owner.
    #[oai(status = 201)]
    Created(Json<SurveyResponseOut>),
}

#[OpenApi(tag = "ApiTags::Ratings")]
impl ProgressApi {
    /// Each estate rated in the campaign with its company: survey responses so far (and how many
    /// on paper) against the least sample, whether the committee has evaluated, how many
    /// inspections there are, and which sources still have no input. Read it before scoring or
    /// publishing: an input missing then earns nothing.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/progress",
        method = "get",
        operation_id = "ratingCampaignProgress"
    )]
    async fn progress(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<EstateProgress>>> {
        let caller = auth.0;
        let items = state
            .db
            .read(move |c| {
                let ctx = load(c, &id.0, Lock::None)?;
                check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                let pairs = scoring::pairs(c, &ctx)?;
                let estate_ids: Vec<String> = pairs.iter().map(|p| p.estate_id.clone()).collect();
                let names: HashMap<String, String> = db::ratings::estate_facts(c, &estate_ids)?
                    .into_iter()
                    .map(|f| (f.estate_id, f.name))
                    .collect();
                let company_ids: Vec<String> = pairs.iter().map(|p| p.company_id.clone()).collect();
                let companies: HashMap<String, String> =
                    db::ratings::company_names(c, &company_ids)?.into_iter().collect();
                let mut counts: HashMap<(String, String), (i64, i64)> = HashMap::new();
                for (estate, company, channel, n) in db::ratings::response_counts(c, &ctx.row.id)? {
                    let e = counts.entry((estate, company)).or_default();
                    e.0 += n;
                    if channel == "paper" {
                        e.1 += n;
                    }
                }
                let inputs = db::ratings::inputs_of(c, &ctx.row.id)?;
                let uses = |s: Source| ctx.cat.indicators.iter().any(|i| i.source == s);
                let min = ctx.cat.min_responses;
                Ok(pairs
                    .into_iter()
                    .map(|p| {
                        let (responses, paper) = counts
                            .get(&(p.estate_id.clone(), p.company_id.clone()))
                            .copied()
                            .unwrap_or_default();
                        let of = |s: Source| {
                            inputs
                                .iter()
                                .filter(|i| {
                                    i.estate_id == p.estate_id && i.company_id == p.company_id && i.source == s.as_str()
                                })
                                .count() as i64
                        };
                        let evaluated = of(Source::CommitteeEvaluation) > 0;
                        let inspections = of(Source::BureauInspection);
                        let mut lacking = Vec::new();
                        if uses(Source::OwnerSurvey) && responses == 0 {
                            lacking.push(Source::OwnerSurvey);
                        }
                        if uses(Source::CommitteeEvaluation) && !evaluated {
                            lacking.push(Source::CommitteeEvaluation);
                        }
                        if uses(Source::BureauInspection) && inspections == 0 {
                            lacking.push(Source::BureauInspection);
                        }
                        EstateProgress {
                            estate_name: names.get(&p.estate_id).cloned().unwrap_or_default(),
                            company_name: companies.get(&p.company_id).cloned().unwrap_or_default(),
                            estate_id: p.estate_id,
                            company_id: p.company_id,
                            responses,
                            paper_responses: paper,
                            min_responses: min,
                            low_sample: rating::low_sample(responses, min),
                            evaluated,
                            inspections,
                            lacking,
                        }
                    })
                    .collect::<Vec<_>>())
            })
            .await?;
        Ok(Json(crate::http::paging::Page::whole(items)))
    }

    /// Enter the paper questionnaire (纸质问卷) of an owner of the estate who cannot answer
    /// online, while the survey is open. It counts like an answer online and is recorded as
    /// paper, with who entered it and the paper's reference. One response per owner and estate:
    /// an owner who has answered (either way) is refused with 409 `survey_answered`; an owner who
    /// later answers online replaces the paper one.
    ///
    /// Administrators and party organisations over the estate (community staff).
    #[oai(
        path = "/rating-campaigns/:id/estates/:estate_id/paper-surveys",
        method = "post",
        operation_id = "enterPaperSurvey"
    )]
    async fn paper(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The estate.
        #[oai(validator(max_length = 64))]
        estate_id: Path<String>,
        body: JsonBody<PaperSurvey>,
    ) -> ApiResult<PaperEntered> {
        let caller = auth.0;
        let body = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = load(c, &id.0, Lock::Shared)?;
                let estate = in_campaign(&caller, &ctx, estate_ctx(c, &caller, &estate_id.0)?)?;
                let actor = check(&caller, &estate.place(), &Action::EnterPaperSurvey(estate.place()))?;
                ctx.step(CampaignStep::Collect, ids::now())?;
                let owner = body.owner_id.clone();
                if db::estates::holder_in(c, std::slice::from_ref(&owner), &estate.estate.id)?.is_none() {
                    return Err(AppError::invalid(
                        "owner_id",
                        reason::NOT_AN_OWNER_HERE,
                        "the owner holds no unit in this estate",
                    ));
                }
                let company_id = scoring::company_for(c, &ctx, &estate.estate.id)?;
                let row = db::ratings::ResponseRow {
                    campaign_id: ctx.row.id.clone(),
                    estate_id: estate.estate.id.clone(),
                    owner_id: owner,
                    company_id,
                    answers: answers_in_order(&ctx.cat, &body.answers)?,
                    comment: body.comment.clone(),
                    submitted_at: ids::now(),
                    channel: "paper".into(),
                    entered_by: Some(caller.principal.actor_id().into()),
                    paper_ref: Some(body.paper_ref.trim().to_string()),
                };
                if !db::ratings::insert_paper_response(c, &row)? {
                    return Err(AppError::conflict(
                        codes::SURVEY_ANSWERED,
                        "this owner has already answered this survey for this estate",
                    ));
                }
                // Like an answer online: the log says that an owner answered, never what.
                trail.record(
                    &actor,
                    "rating.survey.paper",
                    "rating_campaign",
                    &ctx.row.id,
                    &serde_json::json!({ "estate": row.estate_id, "paper_ref": row.paper_ref }),
                )?;
                Ok(response_out(&ctx.cat, row))
            })
            .await?;
        Ok(PaperEntered::Created(Json(out)))
    }
}
