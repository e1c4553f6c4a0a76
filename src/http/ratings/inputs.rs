//! The inputs of an open campaign: owners' survey responses, the committee's evaluation,
//! inspections, bonuses and vetoes.

use super::*;
use crate::http::scope::{estate_ctx, EstateCtx};
use crate::http::security::AnyAuth;

pub struct InputsApi;

#[derive(ApiResponse)]
pub enum ResponseStored {
    /// The owner's first response for this estate.
    #[oai(status = 201)]
    Created(Json<SurveyResponseOut>),
    /// The owner's earlier response for this estate is replaced.
    #[oai(status = 200)]
    Replaced(Json<SurveyResponseOut>),
}

#[derive(ApiResponse)]
pub enum InputCreated {
    #[oai(status = 201)]
    Created(Json<RatingInput>),
}

#[derive(ApiResponse)]
pub enum MarkCreated {
    #[oai(status = 201)]
    Created(Json<Mark>),
}

/// An estate of the campaign's county that the caller may at least see (404 otherwise).
fn estate_of(conn: &mut AnyConnection, caller: &Caller, ctx: &CampaignCtx, estate_id: &str) -> AppResult<EstateCtx> {
    in_campaign(caller, ctx, estate_ctx(conn, caller, estate_id)?)
}

/// The estate, if the caller may at least see it (404 otherwise) and it is in the campaign's
/// county.
pub(crate) fn in_campaign(caller: &Caller, ctx: &CampaignCtx, estate: EstateCtx) -> AppResult<EstateCtx> {
    check(caller, &estate.place(), &Action::ViewPublic(estate.place()))?;
    if !crate::domain::registry::path_within(&estate.estate.community_path, &ctx.county.id) {
        return Err(AppError::rule(
            codes::NOT_RATED_HERE,
            "the estate is not in the campaign's county",
        ));
    }
    Ok(estate)
}

/// Reads scores of indicators of `source`: each indicator once, each a decimal of 0 or more.
/// Stored as JSON pairs (code, decimal as given).
fn scores_of(cat: &Catalogue, source: Source, scores: &[IndicatorScore]) -> AppResult<String> {
    let mut seen = std::collections::HashSet::new();
    for (i, s) in scores.iter().enumerate() {
        let field = format!("scores[{i}]");
        match cat.indicators.iter().find(|x| x.code == s.indicator) {
            Some(x) if x.source == source => {}
            _ => {
                return Err(AppError::invalid(
                    &format!("{field}.indicator"),
                    reason::INVALID,
                    format!("the campaign has no {} indicator {}", source.as_str(), s.indicator),
                ))
            }
        }
        if !seen.insert(s.indicator.as_str()) {
            return Err(AppError::invalid(
                &format!("{field}.indicator"),
                reason::INVALID,
                format!("{} is scored twice", s.indicator),
            ));
        }
        match rating::parse_decimal(&s.value) {
            Some(v) if v >= rating::q(0) => {}
            _ => {
                return Err(AppError::invalid(
                    &format!("{field}.value"),
                    reason::INVALID,
                    "a score is a decimal of 0 or more",
                ))
            }
        }
    }
    let pairs: Vec<(&str, &str)> = scores
        .iter()
        .map(|s| (s.indicator.as_str(), s.value.as_str()))
        .collect();
    json_text(&pairs)
}

/// Stores an evaluation or an inspection as a command.
async fn record_scores(
    state: &AppState,
    caller: Caller,
    campaign_id: String,
    estate_id: String,
    source: Source,
    body: ScoresIn,
) -> AppResult<RatingInput> {
    state
        .db
        .command(move |c, trail| {
            let ctx = load(c, &campaign_id, Lock::Shared)?;
            let estate = estate_of(c, &caller, &ctx, &estate_id)?;
            let action = match source {
                Source::CommitteeEvaluation => Action::EvaluateForRating(estate.place()),
                _ => Action::InspectForRating(estate.place()),
            };
            let actor = caller.may(&action)?;
            ctx.step(CampaignStep::Collect, ids::now())?;
            let company_id = scoring::company_for(c, &ctx, &estate.estate.id)?;
            let scores = scores_of(&ctx.cat, source, &body.scores)?;
            let files = own_files(c, &caller, &body.attachment_ids)?;
            let row = InputRow {
                id: ids::new_id(),
                campaign_id: ctx.row.id.clone(),
                estate_id: estate.estate.id.clone(),
                company_id,
                source: source.as_str().into(),
                scores,
                note: body.note.clone(),
                attachments: json_text(&files)?,
                recorded_by: caller.principal.actor_id().into(),
                recorded_at: ids::now(),
            };
            db::ratings::put_input(c, &row, source == Source::CommitteeEvaluation)?;
            db::attachments::reference(c, &files, RATING_INPUT, &row.id)?;
            trail.record(
                &actor,
                match source {
                    Source::CommitteeEvaluation => "rating.evaluation",
                    _ => "rating.inspection",
                },
                "rating_campaign",
                &ctx.row.id,
                &serde_json::json!({ "input": row.id, "estate": row.estate_id, "company": row.company_id, "scores": row.scores }),
            )?;
            input_out(row)
        })
        .await
}

/// The record type under which rating inputs use attachments.
pub const RATING_INPUT: &str = "rating_input";
/// The record type under which bonuses and vetoes use attachments.
pub const RATING_MARK: &str = "rating_mark";

#[OpenApi(tag = "ApiTags::Ratings")]
impl InputsApi {
    /// Answer the satisfaction survey (满意度测评) for an estate where the caller holds a unit,
    /// about the company rated there: every question, 1 to 5. One response per owner per estate
    /// per campaign: answering again replaces the earlier response until the survey closes. The
    /// company never sees who answered what.
    ///
    /// Owners of the estate.
    #[oai(
        path = "/rating-campaigns/:id/survey/:estate_id",
        method = "put",
        operation_id = "answerRatingSurvey"
    )]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The estate.
        #[oai(validator(max_length = 64))]
        estate_id: Path<String>,
        body: JsonBody<SurveyResponse>,
    ) -> ApiResult<ResponseStored> {
        let caller = auth.0;
        let body = body.0;
        // The checks read the campaign's frozen part from memory and the estate's facts in a
        // batched lookup; the answer is queued for the batch writer, which checks that the
        // survey is still open as it writes (`db::survey`).
        let ctx = frozen(&state, id.0).await?;
        let facts = state
            .survey_facts
            .get(db::survey::SurveyQuery {
                estate_id: estate_id.0,
                owner_ids: caller.principal.owner_ids(),
                from: ctx.row.period_from,
                until: ctx.row.period_until,
            })
            .await?;
        let (estate, company) = facts.estate.ok_or(AppError::NotFound { what: "estate" })?;
        let estate = EstateCtx {
            estate,
            company,
            caller_owns_here: facts.holder.is_some(),
        };
        let estate = in_campaign(&caller, &ctx, estate)?;
        let actor = caller.may(&Action::AnswerRatingSurvey(estate.place()))?;
        // Refused early on the cached status (after the policy, as every input is): a campaign
        // that is no longer `open` never is again. The writer checks the status now.
        ctx.step(CampaignStep::Collect, ids::now())?;
        let company_id = scoring::company_among(&ctx, &facts.contracts, &estate.estate.id)?;
        let answers = answers_in_order(&ctx.cat, &body.answers)?;
        let owner_id = facts.holder.ok_or_else(AppError::forbidden)?;
        let row = db::ratings::ResponseRow {
            campaign_id: ctx.row.id.clone(),
            estate_id: estate.estate.id.clone(),
            owner_id,
            company_id,
            answers,
            comment: body.comment,
            submitted_at: ids::now(),
            channel: "online".into(),
            entered_by: None,
            paper_ref: None,
        };
        let out = response_out(&ctx.cat, row.clone());
        let replaced = state
            .responses
            .submit(db::survey::NewResponse {
                row,
                actor,
                notice_days: ctx.cat.notice_days,
            })
            .await?;
        Ok(if replaced {
            ResponseStored::Replaced(Json(out))
        } else {
            ResponseStored::Created(Json(out))
        })
    }

    /// The caller's own survey response for an estate.
    ///
    /// The owner who answered.
    #[oai(
        path = "/rating-campaigns/:id/survey/:estate_id",
        method = "get",
        operation_id = "getMyRatingSurveyResponse"
    )]
    async fn my_response(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The estate.
        #[oai(validator(max_length = 64))]
        estate_id: Path<String>,
    ) -> ApiResult<Json<SurveyResponseOut>> {
        let caller = auth.0;
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    let estate = estate_of(c, &caller, &ctx, &estate_id.0)?;
                    caller.may(&Action::AnswerRatingSurvey(estate.place()))?;
                    let owner_id = crate::http::scope::owner_in_estate(c, &caller, &estate.estate.id)?;
                    let row = db::ratings::get_response(c, &ctx.row.id, &estate.estate.id, &owner_id)?.ok_or(
                        AppError::NotFound {
                            what: "survey response",
                        },
                    )?;
                    Ok(response_out(&ctx.cat, row))
                })
                .await?,
        ))
    }

    /// The owners' committee's evaluation (业委会评价) of the company serving its estate: a value
    /// per `committee_evaluation` indicator. One per estate: a new one replaces the earlier.
    ///
    /// The estate's committee.
    #[oai(
        path = "/rating-campaigns/:id/estates/:estate_id/evaluation",
        method = "put",
        operation_id = "putRatingEvaluation"
    )]
    async fn evaluate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The estate.
        #[oai(validator(max_length = 64))]
        estate_id: Path<String>,
        body: JsonBody<ScoresIn>,
    ) -> ApiResult<Json<RatingInput>> {
        Ok(Json(
            record_scores(&state, auth.0, id.0, estate_id.0, Source::CommitteeEvaluation, body.0).await?,
        ))
    }

    /// Record an inspection (检查) of an estate: a value per `bureau_inspection` indicator, with
    /// evidence. An estate's inspections are averaged.
    ///
    /// The county's bureau and party organisations over the estate; administrators.
    #[oai(
        path = "/rating-campaigns/:id/estates/:estate_id/inspections",
        method = "post",
        operation_id = "recordRatingInspection"
    )]
    async fn inspect(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The estate.
        #[oai(validator(max_length = 64))]
        estate_id: Path<String>,
        body: JsonBody<ScoresIn>,
    ) -> ApiResult<InputCreated> {
        Ok(InputCreated::Created(Json(
            record_scores(&state, auth.0, id.0, estate_id.0, Source::BureauInspection, body.0).await?,
        )))
    }

    /// The campaign's evaluations and inspections, in the order recorded.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/inputs",
        method = "get",
        operation_id = "listRatingInputs"
    )]
    async fn inputs(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<RatingInput>>> {
        let caller = auth.0;
        Ok(Json(crate::http::paging::Page::whole(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                    db::ratings::inputs_of(c, &ctx.row.id)?
                        .into_iter()
                        .map(input_out)
                        .collect()
                })
                .await?,
        )))
    }

    /// Award a bonus (加分) to a company for an estate, or record a one-vote veto (一票否决) of a
    /// company (a veto leaves it and every estate it is rated for without a star), with the
    /// reason and evidence.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/marks",
        method = "post",
        operation_id = "recordRatingMark"
    )]
    async fn mark(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewMark>,
    ) -> ApiResult<MarkCreated> {
        let caller = auth.0;
        let body = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = load(c, &id.0, Lock::Shared)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                ctx.step(CampaignStep::Collect, ids::now())?;
                let known = match body.kind.as_str() {
                    "bonus" => ctx.cat.bonuses.iter().any(|(code, _)| *code == body.code),
                    _ => ctx.cat.vetoes.contains(&body.code),
                };
                if !known {
                    return Err(AppError::invalid(
                        "code",
                        reason::INVALID,
                        format!("the campaign has no {} {}", body.kind, body.code),
                    ));
                }
                let rated = scoring::pairs(c, &ctx)?;
                let ok = rated.iter().any(|p| {
                    p.company_id == body.company_id && body.estate_id.as_deref().is_none_or(|e| e == p.estate_id)
                });
                if body.kind == "bonus" && body.estate_id.is_none() {
                    return Err(AppError::invalid("estate_id", reason::REQUIRED, "a bonus is awarded for an estate"));
                }
                if !ok {
                    return Err(AppError::rule(
                        codes::NOT_RATED_HERE,
                        "the company is not rated (for that estate) in this campaign",
                    ));
                }
                let files = own_files(c, &caller, &body.attachment_ids)?;
                let row = MarkRow {
                    id: ids::new_id(),
                    campaign_id: ctx.row.id.clone(),
                    company_id: body.company_id.clone(),
                    estate_id: body.estate_id.clone(),
                    kind: body.kind.clone(),
                    code: body.code.clone(),
                    reason: body.reason.trim().to_string(),
                    attachments: json_text(&files)?,
                    recorded_by: caller.principal.actor_id().into(),
                    recorded_at: ids::now(),
                };
                db::ratings::insert_mark(c, &row)?;
                db::attachments::reference(c, &files, RATING_MARK, &row.id)?;
                trail.record(
                    &actor,
                    "rating.mark",
                    "rating_campaign",
                    &ctx.row.id,
                    &serde_json::json!({ "mark": row.id, "kind": row.kind, "code": row.code, "company": row.company_id, "estate": row.estate_id }),
                )?;
                Ok(mark_out(row))
            })
            .await?;
        Ok(MarkCreated::Created(Json(out)))
    }

    /// The campaign's bonuses and vetoes, in the order recorded.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/marks",
        method = "get",
        operation_id = "listRatingMarks"
    )]
    async fn marks(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<Mark>>> {
        let caller = auth.caller().clone();
        Ok(Json(crate::http::paging::Page::whole(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                    Ok(db::ratings::marks_of(c, &ctx.row.id)?
                        .into_iter()
                        .map(mark_out)
                        .collect())
                })
                .await?,
        )))
    }
}

/// The answers in the order of the survey's questions, comma-separated: every question once.
pub(crate) fn answers_in_order(cat: &Catalogue, answers: &[Answer]) -> AppResult<String> {
    let mut out = Vec::with_capacity(cat.questions.len());
    for (i, a) in answers.iter().enumerate() {
        if !cat.questions.iter().any(|(code, _)| *code == a.question) {
            return Err(AppError::invalid(
                &format!("answers[{i}].question"),
                reason::INVALID,
                format!("the survey has no question {}", a.question),
            ));
        }
        if answers[..i].iter().any(|b| b.question == a.question) {
            return Err(AppError::invalid(
                &format!("answers[{i}].question"),
                reason::INVALID,
                format!("{} is answered twice", a.question),
            ));
        }
        rating::check_answer(a.value)?;
    }
    for (code, _) in &cat.questions {
        match answers.iter().find(|a| a.question == *code) {
            Some(a) => out.push(a.value.to_string()),
            None => {
                return Err(AppError::invalid(
                    "answers",
                    reason::REQUIRED,
                    format!("question {code} is not answered"),
                ))
            }
        }
    }
    Ok(out.join(","))
}

pub(crate) fn response_out(cat: &Catalogue, r: db::ratings::ResponseRow) -> SurveyResponseOut {
    SurveyResponseOut {
        answers: cat
            .questions
            .iter()
            .zip(r.answers.split(','))
            .map(|((code, _), v)| Answer {
                question: code.clone(),
                value: v.parse().unwrap_or_default(),
            })
            .collect(),
        estate_id: r.estate_id,
        company_id: r.company_id,
        comment: r.comment,
        submitted_at: utc(r.submitted_at),
    }
}
