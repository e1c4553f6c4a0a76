//! Appeals (申诉): a company appeals an indicator of its published results for an estate within
//! the notice period; a reviewer who did not score the company decides, and an upheld appeal
//! publishes a new version of the results (never an overwrite).

use super::*;
use crate::http::security::AnyAuth;

pub struct AppealsApi;

/// The record type under which appeals and their decisions use attachments.
pub const RATING_APPEAL: &str = "rating_appeal";

#[derive(ApiResponse)]
pub enum AppealFiled {
    #[oai(status = 201)]
    Created(Json<Appeal>),
}

/// Whether the caller reads the appeal: the campaign's officials, and the appealing company.
pub(crate) fn may_read_appeal(caller: &Caller, ctx: &CampaignCtx, appeal: &AppealRow) -> AppResult<()> {
    if caller.may(&Action::ManageRatings(ctx.place())).is_ok() {
        return Ok(());
    }
    check(
        caller,
        &ctx.company_place(&appeal.company_id),
        &Action::AppealRating(ctx.company_place(&appeal.company_id)),
    )
    .map_err(|_| AppError::NotFound { what: "appeal" })?;
    Ok(())
}

#[OpenApi(tag = "ApiTags::Ratings")]
impl AppealsApi {
    /// Appeal (申诉) an indicator of the company's published result for an estate, in writing,
    /// with evidence — while the results are published and the notice period (from the
    /// publication, server time) runs. After it, 422 `appeal_window_closed`.
    ///
    /// The company (its users or API keys).
    #[oai(
        path = "/rating-campaigns/:id/appeals",
        method = "post",
        operation_id = "fileRatingAppeal"
    )]
    async fn file(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewAppeal>,
    ) -> ApiResult<AppealFiled> {
        let caller = auth.caller().clone();
        let body = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                // Alone with the campaign (appeals are few): two filings of the same appeal at
                // once cannot both pass the check below.
                let ctx = load(c, &id.0, Lock::ForChange)?;
                may_view(c, &caller, &ctx.county)?;
                let run = db::ratings::latest_run(c, &ctx.row.id, true)?;
                // The company of the caller rated for that estate in the published results.
                let mine = crate::http::scope::companies_of(&caller);
                let rows = match &run {
                    Some(run) => db::ratings::results_of(c, &run.id, None)?,
                    None => Vec::new(),
                };
                let company_id = mine
                    .iter()
                    .find(|co| rows.iter().any(|r| &r.company_id == *co))
                    .cloned()
                    .unwrap_or_default();
                let actor = caller.may(&Action::AppealRating(ctx.company_place(&company_id)))?;
                let now = ids::now();
                ctx.step(CampaignStep::Appeal, now)?;
                if !rows
                    .iter()
                    .any(|r| r.company_id == company_id && r.estate_id == body.estate_id)
                {
                    return Err(AppError::rule(
                        codes::NOT_RATED_HERE,
                        "the company has no published result for this estate in this campaign",
                    ));
                }
                if !ctx.cat.indicators.iter().any(|i| i.code == body.indicator) {
                    return Err(AppError::invalid(
                        "indicator",
                        reason::INVALID,
                        format!("the campaign has no indicator {}", body.indicator),
                    ));
                }
                // One appeal per company, indicator and estate: a second would be decided apart
                // from the first, and the later decision would silently win.
                if db::ratings::appeals_of(c, &ctx.row.id, Some(&company_id))?
                    .iter()
                    .any(|a| a.estate_id == body.estate_id && a.indicator == body.indicator)
                {
                    return Err(AppError::conflict(
                        codes::APPEAL_EXISTS,
                        "the company has already appealed this indicator for this estate; its decision stands for both",
                    ));
                }
                let files = own_files(c, &caller, &body.attachment_ids)?;
                let row = AppealRow {
                    id: ids::new_id(),
                    campaign_id: ctx.row.id.clone(),
                    company_id,
                    estate_id: body.estate_id.clone(),
                    indicator: body.indicator.clone(),
                    statement: body.statement.trim().to_string(),
                    attachments: json_text(&files)?,
                    filed_by: caller.principal.actor_id().into(),
                    filed_at: now,
                    status: AppealStatus::Filed.as_str().into(),
                    decided_by: None,
                    decided_at: None,
                    decision: None,
                    decision_attachments: "[]".into(),
                    new_value: None,
                    run_id: None,
                };
                db::ratings::insert_appeal(c, &row)?;
                db::attachments::reference(c, &files, RATING_APPEAL, &row.id)?;
                trail.record(
                    &actor,
                    "rating.appeal.file",
                    "rating_appeal",
                    &row.id,
                    &serde_json::json!({ "campaign": row.campaign_id, "company": row.company_id, "estate": row.estate_id, "indicator": row.indicator }),
                )?;
                appeal_out(c, row)
            })
            .await?;
        Ok(AppealFiled::Created(Json(out)))
    }

    /// A campaign's appeals in the order filed: all of them for the county's officials, its own
    /// for a company.
    ///
    /// Administrators, the county's bureau, and the companies rated (their own).
    #[oai(
        path = "/rating-campaigns/:id/appeals",
        method = "get",
        operation_id = "listRatingAppeals"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<Appeal>>> {
        let caller = auth.caller().clone();
        Ok(Json(crate::http::paging::Page::whole(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    may_view(c, &caller, &ctx.county)?;
                    let company = if caller.may(&Action::ManageRatings(ctx.place())).is_ok() {
                        None
                    } else {
                        let viewer = Viewer::of(c, &caller, &ctx.county)?;
                        let company = viewer.company_id.ok_or_else(AppError::forbidden)?;
                        caller.may(&Action::AppealRating(ctx.company_place(&company)))?;
                        Some(company)
                    };
                    db::ratings::appeals_of(c, &ctx.row.id, company.as_deref())?
                        .into_iter()
                        .map(|a| appeal_out(c, a))
                        .collect()
                })
                .await?,
        )))
    }

    /// One appeal, with the decision and both sides' texts.
    ///
    /// Administrators, the county's bureau, and the appealing company.
    #[oai(path = "/rating-appeals/:id", method = "get", operation_id = "getRatingAppeal")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Appeal>> {
        let caller = auth.caller().clone();
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let appeal = db::ratings::get_appeal(c, &id.0)?.ok_or(AppError::NotFound { what: "appeal" })?;
                    let ctx = load(c, &appeal.campaign_id, Lock::None)?;
                    may_read_appeal(&caller, &ctx, &appeal)?;
                    appeal_out(c, appeal)
                })
                .await?,
        ))
    }

    /// Decide an appeal: `upheld` with the indicator's new input (a new version of the results is
    /// computed and published at once; the earlier versions stay), or `dismissed`; with reasons
    /// and evidence. Appeals filed in time are decided even after the notice period.
    ///
    /// Administrators and the county's bureau — but not an account that scored the appealing
    /// company in this campaign (an inspection, an evaluation, a bonus or a veto): 403.
    #[oai(
        path = "/rating-appeals/:id/decision",
        method = "post",
        operation_id = "decideRatingAppeal"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<AppealDecision>,
    ) -> ApiResult<Json<Appeal>> {
        let caller = auth.0;
        let body = body.0;
        let upheld = match body.outcome {
            AppealStatus::Upheld => true,
            AppealStatus::Dismissed => false,
            AppealStatus::Filed => {
                return Err(AppError::invalid("outcome", reason::INVALID, "an outcome is upheld or dismissed").into())
            }
        };
        let new_value = match (&body.new_value, upheld) {
            (Some(v), true) => match rating::parse_decimal(v) {
                Some(q) if q >= rating::q(0) => Some(v.clone()),
                _ => return Err(AppError::invalid("new_value", reason::INVALID, "a decimal of 0 or more").into()),
            },
            (None, true) => {
                return Err(
                    AppError::invalid("new_value", reason::REQUIRED, "an upheld appeal gives the new input").into(),
                )
            }
            (Some(_), false) => {
                return Err(
                    AppError::invalid("new_value", reason::INVALID, "a dismissed appeal changes nothing").into(),
                )
            }
            (None, false) => None,
        };
        let out = state
            .db
            .command(move |c, trail| {
                let mut appeal =
                    db::ratings::get_appeal_for_change(c, &id.0)?.ok_or(AppError::NotFound { what: "appeal" })?;
                let ctx = load(c, &appeal.campaign_id, Lock::ForChange)?;
                may_read_appeal(&caller, &ctx, &appeal)?;
                let scorers = db::ratings::scorers_of(c, &ctx.row.id, &appeal.company_id)?;
                let actor = caller.may(&Action::ReviewRatingAppeal {
                    place: ctx.place(),
                    scorers: &scorers,
                })?;
                let next = rating::decide(appeal.status()?, upheld)?;
                let now = ids::now();
                let files = own_files(c, &caller, &body.attachment_ids)?;
                appeal.set_status(next);
                appeal.decided_by = Some(caller.principal.actor_id().into());
                appeal.decided_at = Some(now);
                appeal.decision = Some(body.reasons.trim().to_string());
                appeal.decision_attachments = json_text(&files)?;
                appeal.new_value = new_value;
                // The decision first, so that the new version reads it as an input.
                db::ratings::save_appeal(c, &appeal)?;
                if upheld {
                    let run = super::campaigns::new_run(c, &ctx, now, &caller, Some(&appeal.id))?;
                    appeal.run_id = Some(run.id);
                    db::ratings::save_appeal(c, &appeal)?;
                }
                db::attachments::reference(c, &files, RATING_APPEAL, &appeal.id)?;
                trail.record(
                    &actor,
                    "rating.appeal.decide",
                    "rating_appeal",
                    &appeal.id,
                    &serde_json::json!({ "outcome": appeal.status, "new_value": appeal.new_value, "run": appeal.run_id }),
                )?;
                trail.publish(crate::db::webhooks::Outbound::new(
                    crate::domain::webhook::WebhookEvent::AppealDecided,
                    Some(ctx.row.county_id.clone()),
                    Some(appeal.company_id.clone()),
                    &appeal.id,
                    crate::http::events::data(&crate::http::events::AppealDecidedData {
                        appeal_id: appeal.id.clone(),
                        campaign_id: appeal.campaign_id.clone(),
                        estate_id: appeal.estate_id.clone(),
                        outcome: appeal.status.clone(),
                        new_run_id: appeal.run_id.clone(),
                    }),
                ));
                trail.notify(crate::http::notices::raise::to_county(
                    &ctx.row.county_id,
                    [crate::domain::notice::Addressee::Company(appeal.company_id.clone())],
                    crate::http::notices::raise::About::new(
                        crate::domain::notice::NoticeKind::AppealDecided,
                        &appeal.id,
                        format!("评定申诉处理结果：{}", ctx.row.name),
                        format!("您的申诉已处理，结论：{}。", appeal.status().map(|s| s.label()).unwrap_or_default()),
                        format!("/web/ratings/campaigns/{}", ctx.row.id),
                    ),
                ));
                appeal_out(c, appeal)
            })
            .await?;
        Ok(Json(out))
    }
}
