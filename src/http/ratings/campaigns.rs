//! A county's campaigns: the default catalogue, opening a campaign, its configuration, and the
//! steps open → close → score (runs) → publish.

use super::*;
use crate::http::etag::{self, Tagged};
use crate::http::paging::{self, Keys, Page};
use crate::http::security::AnyAuth;
use poem_openapi::param::Header;
use std::sync::Arc;

pub struct CampaignsApi;

#[derive(ApiResponse)]
pub enum CampaignCreated {
    /// The campaign, in draft.
    #[oai(status = 201)]
    Created(
        Json<Campaign>,
        /// The version of the record as stored, as its GET answers it: send it as `If-Match`
        /// to change what was just made without reading it again.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum RunCreated {
    /// A new version of the results, not yet published.
    #[oai(status = 201)]
    Created(Json<Run>),
}

/// Runs a step of a campaign as a command: the county's bureau (or an administrator) asks, the
/// campaign is locked, the domain decides, `change` saves, the audit records `action`.
async fn step<T: Send + 'static>(
    state: &AppState,
    caller: Caller,
    id: String,
    which: CampaignStep,
    action: &'static str,
    change: impl FnOnce(
            &mut AnyConnection,
            &mut CampaignCtx,
            NaiveDateTime,
            &Caller,
            &mut crate::db::audit::Trail,
        ) -> AppResult<(T, serde_json::Value)>
        + Send
        + 'static,
) -> AppResult<T> {
    state
        .db
        .command(move |c, trail| {
            let mut ctx = load(c, &id, Lock::ForChange)?;
            let actor = check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
            let now = ids::now();
            let next = ctx.step(which, now)?;
            let (out, change) = change(c, &mut ctx, now, &caller, trail)?;
            ctx.row.set_status(next);
            db::ratings::save_campaign(c, &ctx.row)?;
            trail.record(&actor, action, "rating_campaign", &ctx.row.id, &change)?;
            Ok(out)
        })
        .await
}

/// The notices of a campaign to each rated estate's owners, committee and community: its survey
/// opened (with the estate's survey page), or its results published (with the rated company,
/// which hears of its own result; the county's bureau hears of the publication).
fn campaign_notices(
    conn: &mut AnyConnection,
    ctx: &CampaignCtx,
    kind: crate::domain::notice::NoticeKind,
    run: Option<&db::ratings::RunRow>,
) -> AppResult<Vec<db::notices::Raise>> {
    use crate::domain::notice::{Addressee, NoticeKind};
    use crate::http::notices::raise::{self, About};
    let pairs = super::scoring::pairs(conn, ctx)?;
    let mut out = Vec::new();
    let mut companies = std::collections::BTreeSet::new();
    for p in pairs {
        let Some(estate) = db::estates::get(conn, &p.estate_id)? else {
            continue;
        };
        let about = match kind {
            NoticeKind::SurveyOpened => About::new(
                kind,
                &format!("{}:{}", ctx.row.id, estate.id),
                format!("物业服务满意度测评：{}", ctx.row.name),
                "物业服务满意度测评已开始，请登录业主页面为本小区的物业服务打分。".to_string(),
                format!("/web/owner/surveys/{}/{}", ctx.row.id, estate.id),
            ),
            _ => About::new(
                kind,
                &format!("{}:{}", ctx.row.id, estate.id),
                format!("物业服务星级评定结果公布：{}", ctx.row.name),
                "本小区物业服务企业的星级评定结果已公布，公示期内可查阅。".to_string(),
                "/web/ratings".to_string(),
            ),
        };
        out.push(raise::to_estate(&estate, about));
        companies.insert(p.company_id);
    }
    if let (NoticeKind::RatingPublished, Some(_)) = (kind, run) {
        let about = About::new(
            kind,
            &ctx.row.id,
            format!("星级评定结果公布：{}", ctx.row.name),
            "评定结果已公布；对结果有异议的企业可在公示期内申诉。".to_string(),
            "/web/ratings".to_string(),
        );
        let to = companies
            .into_iter()
            .map(Addressee::Company)
            .chain([Addressee::Org(ctx.row.county_id.clone())]);
        out.push(raise::to_county(&ctx.row.county_id, to, about));
    }
    Ok(out)
}

/// The webhook events of a publication: one to the county, and to each rated company its own
/// overall result (never another company's).
fn published_events(
    conn: &mut AnyConnection,
    ctx: &CampaignCtx,
    run: &db::ratings::RunRow,
) -> AppResult<Vec<db::webhooks::Outbound>> {
    use crate::db::webhooks::Outbound;
    use crate::domain::webhook::WebhookEvent::RatingPublished;
    use crate::http::events::{data, CompanyRatingResult, RatingPublishedData};
    let campaign = RatingPublishedData {
        campaign_id: ctx.row.id.clone(),
        name: ctx.row.name.clone(),
        version: run.version,
        companies: None,
        company_result: None,
    };
    let overall: Vec<_> = db::ratings::results_of(conn, &run.id, None)?
        .into_iter()
        .filter(|r| r.estate_id.is_empty())
        .collect();
    let county = RatingPublishedData {
        companies: Some(overall.len() as u64),
        ..campaign.clone()
    };
    let mut out = vec![Outbound::new(
        RatingPublished,
        Some(ctx.row.county_id.clone()),
        None,
        &ctx.row.id,
        data(&county),
    )];
    for r in overall {
        let own = RatingPublishedData {
            company_result: Some(CompanyRatingResult {
                stars: r.stars,
                score_centi: r.score_centi,
                rank: r.rank,
                vetoed: r.vetoed,
            }),
            ..campaign.clone()
        };
        out.push(Outbound::new(
            RatingPublished,
            None,
            Some(r.company_id),
            &ctx.row.id,
            data(&own),
        ));
    }
    Ok(out)
}

#[OpenApi(tag = "ApiTags::Ratings")]
impl CampaignsApi {
    /// The default configuration to start a campaign from: indicators under the five dimensions
    /// (组织建设好, 党员队伍好, 服务质量好, 运营管理好, 社会形象好) with weights adding up to 100, the
    /// survey, bonuses up to 5 points, stars at 90/80/70/65/60, three one-vote vetoes, a year's
    /// service to be rated, area weighting, 7 days of publication for appeals.
    ///
    /// Every signed-in person and every company key.
    #[oai(
        path = "/rating-catalogue/default",
        method = "get",
        operation_id = "getDefaultRatingCatalogue"
    )]
    async fn default_catalogue(&self, auth: AnyAuth) -> ApiResult<Json<RatingConfig>> {
        let _signed_in = auth;
        Ok(Json(default_config()))
    }

    /// Open a rating campaign (评价活动) for a county: a name, a period, and a configuration (the
    /// default catalogue when none is given), checked for consistency. It starts as a draft.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/orgs/:id/rating-campaigns",
        method = "post",
        operation_id = "createRatingCampaign"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewCampaign>,
    ) -> ApiResult<CampaignCreated> {
        let caller = auth.0;
        let input = body.0;
        if input.period_until < input.period_from {
            return Err(AppError::invalid(
                "period_until",
                reason::INVALID,
                "the period ends on or after its first day",
            )
            .into());
        }
        if (input.period_until - input.period_from).num_days() > 3660 {
            return Err(AppError::invalid("period_until", reason::INVALID, "a period is at most ten years").into());
        }
        let config = input.config.unwrap_or_else(default_config);
        catalogue(&config)?;
        let out = state
            .db
            .command(move |c, trail| {
                let county = county(c, Some(&caller), &id.0)?;
                let actor = check(&caller, &org_place(&county), &Action::ManageRatings(org_place(&county)))?;
                let row = CampaignRow {
                    id: ids::new_id(),
                    county_id: county.id.clone(),
                    name: input.name.trim().to_string(),
                    period_from: input.period_from,
                    period_until: input.period_until,
                    config: json_text(&config)?,
                    status: CampaignStatus::Draft.as_str().into(),
                    created_by: caller.principal.actor_id().into(),
                    created_at: ids::now(),
                    opened_at: None,
                    closed_at: None,
                    published_at: None,
                };
                db::ratings::insert_campaign(c, &row)?;
                trail.record(
                    &actor,
                    "rating.campaign.create",
                    "rating_campaign",
                    &row.id,
                    &serde_json::json!({ "county": row.county_id, "name": row.name, "from": row.period_from, "until": row.period_until }),
                )?;
                let ctx = load(c, &row.id, Lock::None)?;
                Ok((campaign_out(&ctx, ids::now())?, etag::of(&ctx.row)))
            })
            .await?;
        Ok(CampaignCreated::Created(Json(out.0), out.1))
    }

    /// A county's campaigns, newest first.
    ///
    /// The county's officials (its community party organisations among them, who enter paper
    /// questionnaires), and the companies, committees and owners of its estates.
    #[oai(
        path = "/orgs/:id/rating-campaigns",
        method = "get",
        operation_id = "listRatingCampaigns"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Campaign>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<Keys<2>>(cursor.0.as_deref())?;
        let after = match after {
            Some(Keys([at, id])) => Some((
                NaiveDateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|_| AppError::invalid("cursor", reason::FORMAT, "not a cursor of this list"))?,
                id,
            )),
            None => None,
        };
        let rows = state
            .db
            .read(move |c| {
                let county = county(c, None, &id.0)?;
                may_view(c, &caller, &county)?;
                let rows = db::ratings::campaigns_page(c, &county.id, after, paging::fetch(limit))?;
                let now = ids::now();
                rows.into_iter()
                    .map(|r| with_county(c, r).and_then(|ctx| campaign_out(&ctx, now)))
                    .collect::<AppResult<Vec<_>>>()
            })
            .await?;
        let (items, next_cursor) = paging::page(rows, limit, |r| {
            Keys::join([
                &r.created_at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
                &r.id,
            ])
        });
        Ok(Json(Page { items, next_cursor }))
    }

    /// A campaign with its configuration and status (`final` once the notice period of its
    /// published results is over).
    ///
    /// The county's officials, and the companies, committees and owners of its estates.
    #[oai(path = "/rating-campaigns/:id", method = "get", operation_id = "getRatingCampaign")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Campaign>> {
        let caller = auth.caller().clone();
        let (body, tag) = state
            .db
            .read(move |c| {
                let ctx = load(c, &id.0, Lock::None)?;
                may_view(c, &caller, &ctx.county)?;
                Ok((campaign_out(&ctx, ids::now())?, etag::of(&ctx.row)))
            })
            .await?;
        Ok(Tagged::new(body, tag))
    }

    /// Change a draft campaign's configuration (checked for consistency: weights add up to 100
    /// before bonus, every survey indicator asked, stars descending). Frozen once it opens.
    ///
    /// Administrators and the county's bureau. `If-Match` with the campaign's `ETag` is
    /// required: the configuration is replaced whole, so a change saved by someone else since it
    /// was read is never overwritten unseen (412).
    #[oai(
        path = "/rating-campaigns/:id/config",
        method = "put",
        operation_id = "setRatingConfig"
    )]
    async fn configure(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The `ETag` of the campaign as read.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonBody<RatingConfig>,
    ) -> ApiResult<Tagged<Campaign>> {
        let config = body.0;
        catalogue(&config)?;
        let (out, tag) = step(
            &state,
            auth.0,
            id.0,
            CampaignStep::Configure,
            "rating.campaign.configure",
            move |_, ctx, now, _, _| {
                etag::check(if_match.0.as_deref(), &etag::of(&ctx.row), true)?;
                ctx.row.config = json_text(&config)?;
                ctx.cat = Arc::new(catalogue(&config)?);
                ctx.config = Arc::new(config);
                // Configuring leaves the campaign a draft: the row is saved as it is now.
                let tag = etag::of(&ctx.row);
                Ok((
                    (campaign_out(ctx, now)?, tag),
                    serde_json::json!({ "config": ctx.row.config }),
                ))
            },
        )
        .await?;
        Ok(Tagged::new(out, tag))
    }

    /// Open the campaign: its configuration is frozen, and surveys, evaluations, inspections,
    /// bonuses and vetoes are taken until it closes.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/open",
        method = "post",
        operation_id = "openRatingCampaign"
    )]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Campaign>> {
        let out = step(
            &state,
            auth.0,
            id.0,
            CampaignStep::Open,
            "rating.campaign.open",
            |c, ctx, now, _, trail| {
                for n in campaign_notices(c, ctx, crate::domain::notice::NoticeKind::SurveyOpened, None)? {
                    trail.notify(n);
                }
                ctx.row.opened_at = Some(now);
                let mut out = campaign_out(ctx, now)?;
                out.status = CampaignStatus::Open;
                Ok((out, serde_json::json!({})))
            },
        )
        .await?;
        Ok(Json(out))
    }

    /// Close the collection: no more survey responses or inputs; the campaign is scored.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/close",
        method = "post",
        operation_id = "closeRatingCampaign"
    )]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Campaign>> {
        let out = step(
            &state,
            auth.0,
            id.0,
            CampaignStep::Close,
            "rating.campaign.close",
            |_, ctx, now, _, _| {
                ctx.row.closed_at = Some(now);
                let mut out = campaign_out(ctx, now)?;
                out.status = CampaignStatus::Scoring;
                Ok((out, serde_json::json!({})))
            },
        )
        .await?;
        Ok(Json(out))
    }

    /// Score the campaign from its stored inputs: a new version of the results, stored with the
    /// configuration and a fingerprint of the inputs it used. Scoring again from the same inputs
    /// gives the same figures and fingerprint.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/runs",
        method = "post",
        operation_id = "scoreRatingCampaign"
    )]
    async fn score(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<RunCreated> {
        let out = step(
            &state,
            auth.0,
            id.0,
            CampaignStep::Score,
            "rating.campaign.score",
            |c, ctx, now, caller, _| {
                let run = new_run(c, ctx, now, caller, None)?;
                Ok((
                    run_out(&run),
                    serde_json::json!({ "version": run.version, "fingerprint": run.fingerprint }),
                ))
            },
        )
        .await?;
        Ok(RunCreated::Created(Json(out)))
    }

    /// The campaign's runs, oldest first.
    ///
    /// Administrators and the county's bureau.
    #[oai(path = "/rating-campaigns/:id/runs", method = "get", operation_id = "listRatingRuns")]
    async fn runs(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<Run>>> {
        let caller = auth.0;
        Ok(Json(crate::http::paging::Page::whole(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                    Ok(db::ratings::runs_of(c, &ctx.row.id)?.iter().map(run_out).collect())
                })
                .await?,
        )))
    }

    /// Publish the latest run: the results are public, and the notice period (申诉期) for appeals
    /// runs from now (server time) for the campaign's `notice_days`.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/publish",
        method = "post",
        operation_id = "publishRatingResults"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Campaign>> {
        let out = step(
            &state,
            auth.0,
            id.0,
            CampaignStep::Publish,
            "rating.campaign.publish",
            |c, ctx, now, _, trail| {
                let run = db::ratings::latest_run(c, &ctx.row.id, false)?
                    .ok_or_else(|| AppError::rule(codes::NO_RESULTS, "score the campaign before publishing it"))?;
                db::ratings::publish_run(c, &run.id, now)?;
                for e in published_events(c, ctx, &run)? {
                    trail.publish(e);
                }
                for n in campaign_notices(c, ctx, crate::domain::notice::NoticeKind::RatingPublished, Some(&run))? {
                    trail.notify(n);
                }
                ctx.row.published_at = Some(now);
                let mut out = campaign_out(ctx, now)?;
                out.status = CampaignStatus::Published;
                Ok((
                    out,
                    serde_json::json!({ "version": run.version, "fingerprint": run.fingerprint }),
                ))
            },
        )
        .await?;
        Ok(Json(out))
    }
}

/// Computes and stores the next version of the results (published at once when an appeal's
/// decision makes it).
pub(crate) fn new_run(
    conn: &mut AnyConnection,
    ctx: &CampaignCtx,
    now: NaiveDateTime,
    caller: &Caller,
    appeal_id: Option<&str>,
) -> AppResult<RunRow> {
    let computed = scoring::compute(conn, ctx)?;
    let (responses, reading, scoring) = (computed.responses, computed.reading, computed.scoring);
    let version = db::ratings::latest_run(conn, &ctx.row.id, false)?
        .map(|r| r.version + 1)
        .unwrap_or(1);
    let run = RunRow {
        id: ids::new_id(),
        campaign_id: ctx.row.id.clone(),
        version,
        config: ctx.row.config.clone(),
        fingerprint: computed.fingerprint,
        created_by: caller.principal.actor_id().into(),
        created_at: now,
        published_at: appeal_id.map(|_| now),
        appeal_id: appeal_id.map(str::to_string),
    };
    let rows: Vec<_> = computed
        .rows
        .into_iter()
        .map(|mut r| {
            r.run_id = run.id.clone();
            r
        })
        .collect();
    let writing = std::time::Instant::now();
    db::ratings::insert_run(conn, &run, &rows)?;
    tracing::info!(
        campaign = %ctx.row.id,
        version,
        responses,
        rows = rows.len(),
        reading_ms = reading.as_millis() as u64,
        scoring_ms = scoring.as_millis() as u64,
        writing_ms = writing.elapsed().as_millis() as u64,
        "rating run computed"
    );
    Ok(run)
}
