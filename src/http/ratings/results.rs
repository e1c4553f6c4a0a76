//! Results: a run's figures per company and estate, the county's public star list, the companies
//! eligible for government purchase of services, and a company's history across campaigns.

use std::collections::HashMap;

use super::scoring::Detail;
use super::*;
use crate::db::ratings::ResultRow;
use crate::http::paging;
use crate::http::security::AnyAuth;

pub struct ResultsApi;

/// The export's media types (the API document lists them).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv";

#[derive(ApiResponse)]
pub enum ExportFile {
    /// The workbook or the CSV file, as an attachment.
    #[oai(status = 200)]
    File(
        poem_openapi::payload::Binary<Vec<u8>>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// A run's rows as results: one per company (overall) with its estates, in rank order.
pub(crate) fn results_out(conn: &mut AnyConnection, rows: Vec<ResultRow>) -> AppResult<Vec<RatingResult>> {
    let mut ids: Vec<String> = rows.iter().map(|r| r.company_id.clone()).collect();
    ids.dedup();
    let names: HashMap<String, String> = db::ratings::company_names(conn, &ids)?.into_iter().collect();
    let mut out: Vec<RatingResult> = Vec::new();
    for r in rows {
        let detail: Detail =
            serde_json::from_str(&r.detail).map_err(|e| AppError::Internal(format!("stored rating detail: {e}")))?;
        let overall = r.estate_id.is_empty();
        let result = RatingResult {
            company_name: names.get(&r.company_id).cloned().unwrap_or_default(),
            company_id: r.company_id,
            estate_id: (!overall).then_some(r.estate_id),
            score: rating::centi_text(r.score_centi),
            stars: r.stars,
            vetoed: r.vetoed,
            low_sample: r.low_sample,
            responses: r.responses,
            rank: overall.then_some(r.rank),
            dimensions: detail.dimensions,
            indicators: detail.indicators,
            bonus: detail.bonus,
            missing: detail.missing,
            estates: Vec::new(),
        };
        // Rows come by company, its overall ('') first.
        match out.last_mut() {
            Some(last) if !overall && last.company_id == result.company_id => last.estates.push(result),
            _ => out.push(result),
        }
    }
    out.sort_by_key(|r| r.rank);
    Ok(out)
}

/// The run a reader sees: officials who run the campaign any version (the latest by default);
/// everyone else only published ones.
fn run_for(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    ctx: &CampaignCtx,
    version: Option<i32>,
) -> AppResult<RunRow> {
    let official = caller.is_some_and(|c| c.may(&Action::ManageRatings(ctx.place())).is_ok());
    let run = match version {
        Some(v) => db::ratings::get_run(conn, &ctx.row.id, v)?,
        None => db::ratings::latest_run(conn, &ctx.row.id, !official)?,
    };
    run.filter(|r| official || r.published_at.is_some())
        .ok_or(AppError::NotFound { what: "results" })
}

/// The county's latest published campaign, or the one named (404 if it is not the county's or
/// has no published results).
fn published_campaign(
    conn: &mut AnyConnection,
    county_id: &str,
    campaign_id: Option<&str>,
) -> AppResult<(CampaignCtx, RunRow)> {
    let not_found = || AppError::NotFound {
        what: "published ratings",
    };
    let id = match campaign_id {
        Some(id) => id.to_string(),
        None => {
            let mut best: Option<CampaignRow> = None;
            let mut after = None;
            loop {
                let page = db::ratings::campaigns_page(conn, county_id, after, 100)?;
                let last = page.last().map(|r| (r.created_at, r.id.clone()));
                for r in page {
                    if r.published_at.is_some() && best.as_ref().is_none_or(|b| r.published_at > b.published_at) {
                        best = Some(r);
                    }
                }
                match last {
                    Some(l) => after = Some(l),
                    None => break,
                }
            }
            best.ok_or_else(not_found)?.id
        }
    };
    let ctx = load(conn, &id, Lock::None)?;
    if ctx.county.id != county_id {
        return Err(not_found());
    }
    let run = db::ratings::latest_run(conn, &ctx.row.id, true)?.ok_or_else(not_found)?;
    Ok((ctx, run))
}

fn star_list(conn: &mut AnyConnection, ctx: &CampaignCtx, run: &RunRow, purchase_only: bool) -> AppResult<StarList> {
    let rows = db::ratings::results_of(conn, &run.id, None)?;
    let estate_ids: Vec<String> = rows
        .iter()
        .filter(|r| !r.estate_id.is_empty())
        .map(|r| r.estate_id.clone())
        .collect();
    let estate_names: HashMap<String, String> = db::ratings::estate_facts(conn, &estate_ids)?
        .into_iter()
        .map(|f| (f.estate_id, f.name))
        .collect();
    let results = results_out(conn, rows)?;
    let entries = results
        .into_iter()
        .filter(|r| !purchase_only || (!r.vetoed && r.stars >= ctx.cat.purchase_min_stars as i32))
        .map(|r| StarListEntry {
            estates: r
                .estates
                .iter()
                .filter_map(|e| e.estate_id.as_ref().and_then(|id| estate_names.get(id).cloned()))
                .collect(),
            company_id: r.company_id,
            company_name: r.company_name,
            stars: r.stars,
            score: r.score,
            rank: r.rank.unwrap_or_default(),
            vetoed: r.vetoed,
        })
        .collect();
    Ok(StarList {
        campaign_id: ctx.row.id.clone(),
        campaign_name: ctx.row.name.clone(),
        version: run.version,
        status: ctx.status(ids::now())?,
        entries,
    })
}

#[OpenApi(tag = "ApiTags::Ratings")]
impl ResultsApi {
    /// A campaign's results: per company (ranked: by score, then stars, then company name, then
    /// id) with each estate it is rated for — indicator, dimension and total points, stars,
    /// vetoes, low-sample flags. The latest published version, or `version`. Survey responses
    /// are never shown, only their count. Paged by company in rank order (`limit` companies a
    /// page, each with all its estates).
    ///
    /// Published results: everyone the county's campaigns concern (its officials, and the
    /// companies, committees and owners of its estates). Unpublished versions: administrators and
    /// the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/results",
        method = "get",
        operation_id = "getRatingResults"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn results(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The version of the results (the latest by default).
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
        version: Query<Option<i32>>,
        /// Only this company's results (one page).
        #[oai(validator(max_length = 64))]
        company_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<RunResults>> {
        let caller = auth.caller().clone();
        let after: Option<i32> = paging::decode_cursor(cursor.0.as_deref())?;
        let limit = paging::limit(limit.0);
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let ctx = load(c, &id.0, Lock::None)?;
                    may_view(c, &caller, &ctx.county)?;
                    let run = run_for(c, Some(&caller), &ctx, version.0)?;
                    let (rows, more) = match company_id.0.as_deref() {
                        Some(company) => (db::ratings::results_of(c, &run.id, Some(company))?, false),
                        None => db::ratings::results_page(c, &run.id, after, limit)?,
                    };
                    let results = results_out(c, rows)?;
                    let next_cursor = more
                        .then(|| results.last().and_then(|r| r.rank))
                        .flatten()
                        .map(|rank| paging::encode_cursor(&rank.to_string()));
                    Ok(RunResults {
                        run: run_out(&run),
                        campaign_id: ctx.row.id.clone(),
                        results,
                        next_cursor,
                    })
                })
                .await?,
        ))
    }

    /// Export a run's results for the bureau: `xlsx` (the default) is a workbook with a sheet of
    /// results per estate (小区评价结果) and one per company (企业评价结果), Chinese headers, scores
    /// and counts as numbers; `csv` is one of those sheets (`sheet`: `estates`, the default, or
    /// `companies`) in UTF-8 with a byte-order mark, so that Excel opens the Chinese text. The
    /// latest run, or `version`.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/rating-campaigns/:id/export",
        method = "get",
        operation_id = "exportRatingResults"
    )]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// `xlsx` (the default) or `csv`.
        #[oai(validator(pattern = "^(xlsx|csv)$"))]
        format: Query<Option<String>>,
        /// For CSV: `estates` (the default) or `companies`.
        #[oai(validator(pattern = "^(estates|companies)$"))]
        sheet: Query<Option<String>>,
        /// The version of the results (the latest by default).
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
        version: Query<Option<i32>>,
    ) -> ApiResult<ExportFile> {
        let caller = auth.0;
        let csv = format.0.as_deref() == Some("csv");
        let companies = sheet.0.as_deref() == Some("companies");
        let (bytes, name) = state
            .db
            .read(move |c| {
                let ctx = load(c, &id.0, Lock::None)?;
                check(&caller, &ctx.place(), &Action::ManageRatings(ctx.place()))?;
                let run = run_for(c, Some(&caller), &ctx, version.0)?;
                let rows = db::ratings::results_of(c, &run.id, None)?;
                let estate_ids: Vec<String> = rows
                    .iter()
                    .filter(|r| !r.estate_id.is_empty())
                    .map(|r| r.estate_id.clone())
                    .collect();
                let names: HashMap<String, String> = db::ratings::estate_facts(c, &estate_ids)?
                    .into_iter()
                    .map(|f| (f.estate_id, f.name))
                    .collect();
                let results = results_out(c, rows)?;
                let [estates, companies_sheet] = super::export::sheets(&ctx.config, &results, &names);
                let stem = format!("{}-第{}版", ctx.row.name, run.version);
                Ok(if csv {
                    let sheet = if companies { companies_sheet } else { estates };
                    (super::export::csv(&sheet)?, format!("{stem}-{}.csv", sheet.name))
                } else {
                    (
                        super::export::xlsx(&[estates, companies_sheet])?,
                        format!("{stem}.xlsx"),
                    )
                })
            })
            .await?;
        let content_type = if csv {
            format!("{CSV}; charset=utf-8")
        } else {
            XLSX.to_string()
        };
        Ok(ExportFile::File(
            poem_openapi::payload::Binary(bytes),
            content_type,
            crate::http::attachments::content_disposition(&name).replacen("inline", "attachment", 1),
        ))
    }

    /// The county's public star list (星级名单): each rated company with its stars, score, rank
    /// and the names of the estates it was rated for — the latest published campaign, or
    /// `campaign_id`. No personal data.
    ///
    /// Anyone, without signing in.
    #[oai(path = "/orgs/:id/star-list", method = "get", operation_id = "getStarList")]
    async fn star_list(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The campaign (the county's latest published one by default).
        #[oai(validator(max_length = 64))]
        campaign_id: Query<Option<String>>,
    ) -> ApiResult<Json<StarList>> {
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let county = county(c, None, &id.0)?;
                    let (ctx, run) = published_campaign(c, &county.id, campaign_id.0.as_deref())?;
                    star_list(c, &ctx, &run, false)
                })
                .await?,
        ))
    }

    /// The companies eligible for government purchase of services (政府购买服务): at least the
    /// campaign's `purchase_min_stars` and no veto, from the latest published campaign or
    /// `campaign_id`.
    ///
    /// Anyone, without signing in.
    #[oai(
        path = "/orgs/:id/purchase-eligible",
        method = "get",
        operation_id = "getPurchaseEligible"
    )]
    async fn purchase_eligible(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The campaign (the county's latest published one by default).
        #[oai(validator(max_length = 64))]
        campaign_id: Query<Option<String>>,
    ) -> ApiResult<Json<StarList>> {
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let county = county(c, None, &id.0)?;
                    let (ctx, run) = published_campaign(c, &county.id, campaign_id.0.as_deref())?;
                    star_list(c, &ctx, &run, true)
                })
                .await?,
        ))
    }

    /// A company's published ratings across campaigns, newest period first: the latest published
    /// version of each.
    ///
    /// Anyone, without signing in (published ratings are public).
    #[oai(
        path = "/companies/:id/rating-history",
        method = "get",
        operation_id = "getCompanyRatingHistory"
    )]
    async fn history(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<crate::http::paging::Page<HistoryEntry>>> {
        Ok(Json(crate::http::paging::Page::whole(
            state
                .db
                .read(move |c| {
                    db::companies::get(c, &id.0)?.ok_or(AppError::NotFound { what: "company" })?;
                    let now = ids::now();
                    db::ratings::history_of(c, &id.0)?
                        .into_iter()
                        .map(|(campaign, run, r)| {
                            let ctx = with_county(c, campaign)?;
                            let campaign = &ctx.row;
                            Ok(HistoryEntry {
                                campaign_id: campaign.id.clone(),
                                campaign_name: campaign.name.clone(),
                                period_from: campaign.period_from,
                                period_until: campaign.period_until,
                                version: run.version,
                                status: ctx.status(now)?,
                                score: rating::centi_text(r.score_centi),
                                stars: r.stars,
                                vetoed: r.vetoed,
                                rank: r.rank,
                            })
                        })
                        .collect()
                })
                .await?,
        )))
    }
}
