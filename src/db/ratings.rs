//! Rating campaigns: the campaign, its inputs (survey responses, committee evaluations,
//! inspections, bonuses and vetoes), its results runs with their rows, and appeals; and the facts
//! a campaign reads from the rest of the registry (contracts, areas, the ledger, meetings).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamp};

use super::schema::{
    companies, rating_appeals, rating_campaigns, rating_inputs, rating_marks, rating_responses, rating_results,
    rating_runs,
};
use super::AnyConnection;
use crate::domain::rating::{AppealStatus, CampaignStatus};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rating_campaigns, treat_none_as_null = true)]
pub struct CampaignRow {
    pub id: String,
    pub county_id: String,
    pub name: String,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    pub config: String,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
}
super::terms::term_columns!(CampaignRow { status, set_status: CampaignStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rating_responses)]
pub struct ResponseRow {
    pub campaign_id: String,
    pub estate_id: String,
    pub owner_id: String,
    pub company_id: String,
    pub answers: String,
    pub comment: Option<String>,
    pub submitted_at: NaiveDateTime,
    /// `online` (the owner's own answer) or `paper` (entered by community staff).
    pub channel: String,
    /// Who entered a paper questionnaire (account id).
    pub entered_by: Option<String>,
    pub paper_ref: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rating_inputs)]
pub struct InputRow {
    pub id: String,
    pub campaign_id: String,
    pub estate_id: String,
    pub company_id: String,
    pub source: String,
    pub scores: String,
    pub note: Option<String>,
    pub attachments: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rating_marks)]
pub struct MarkRow {
    pub id: String,
    pub campaign_id: String,
    pub company_id: String,
    pub estate_id: Option<String>,
    pub kind: String,
    pub code: String,
    pub reason: String,
    pub attachments: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rating_runs)]
pub struct RunRow {
    pub id: String,
    pub campaign_id: String,
    pub version: i32,
    pub config: String,
    pub fingerprint: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub appeal_id: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rating_results)]
pub struct ResultRow {
    pub run_id: String,
    pub company_id: String,
    /// '' for the company overall.
    pub estate_id: String,
    pub score_centi: i64,
    pub stars: i32,
    pub vetoed: bool,
    pub low_sample: bool,
    pub responses: i64,
    pub rank: i32,
    pub detail: String,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rating_appeals, treat_none_as_null = true)]
pub struct AppealRow {
    pub id: String,
    pub campaign_id: String,
    pub company_id: String,
    pub estate_id: String,
    pub indicator: String,
    pub statement: String,
    pub attachments: String,
    pub filed_by: String,
    pub filed_at: NaiveDateTime,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision: Option<String>,
    pub decision_attachments: String,
    pub new_value: Option<String>,
    pub run_id: Option<String>,
}
super::terms::term_columns!(AppealRow { status, set_status: AppealStatus; });

pub fn insert_campaign(conn: &mut AnyConnection, row: &CampaignRow) -> AppResult<()> {
    diesel::insert_into(rating_campaigns::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_campaign(conn: &mut AnyConnection, id: &str) -> AppResult<Option<CampaignRow>> {
    Ok(rating_campaigns::table
        .find(id)
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()?)
}

/// The campaign, locked for the transaction that steps it.
pub fn get_campaign_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<CampaignRow>> {
    Ok(super::first_for_change!(
        conn,
        rating_campaigns::table.find(id).select(CampaignRow::as_select())
    )?)
}

pub fn save_campaign(conn: &mut AnyConnection, row: &CampaignRow) -> AppResult<()> {
    diesel::update(rating_campaigns::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// A county's campaigns, newest first, after the cursor (created_at, id).
pub fn campaigns_page(
    conn: &mut AnyConnection,
    county_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<CampaignRow>> {
    let mut q = rating_campaigns::table
        .filter(rating_campaigns::county_id.eq(county_id))
        .select(CampaignRow::as_select())
        .order((rating_campaigns::created_at.desc(), rating_campaigns::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            rating_campaigns::created_at
                .lt(at)
                .or(rating_campaigns::created_at.eq(at).and(rating_campaigns::id.lt(id))),
        );
    }
    Ok(q.load(conn)?)
}

pub fn get_response(
    conn: &mut AnyConnection,
    campaign_id: &str,
    estate_id: &str,
    owner_id: &str,
) -> AppResult<Option<ResponseRow>> {
    Ok(rating_responses::table
        .find((campaign_id, estate_id, owner_id))
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every response of a campaign as (estate, company, answers): what scoring reads.
pub fn answers_of(conn: &mut AnyConnection, campaign_id: &str) -> AppResult<Vec<(String, String, String)>> {
    Ok(rating_responses::table
        .filter(rating_responses::campaign_id.eq(campaign_id))
        .select((
            rating_responses::estate_id,
            rating_responses::company_id,
            rating_responses::answers,
        ))
        .load(conn)?)
}

/// How many responses each (estate, company) has, by channel: (estate, company, channel, n).
pub fn response_counts(conn: &mut AnyConnection, campaign_id: &str) -> AppResult<Vec<(String, String, String, i64)>> {
    Ok(rating_responses::table
        .filter(rating_responses::campaign_id.eq(campaign_id))
        .group_by((
            rating_responses::estate_id,
            rating_responses::company_id,
            rating_responses::channel,
        ))
        .select((
            rating_responses::estate_id,
            rating_responses::company_id,
            rating_responses::channel,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// Enters a paper questionnaire unless the owner has answered already (either way): whether
/// it was entered.
pub fn insert_paper_response(conn: &mut AnyConnection, row: &ResponseRow) -> AppResult<bool> {
    let insert = diesel::insert_into(rating_responses::table)
        .values(row)
        .on_conflict((
            rating_responses::campaign_id,
            rating_responses::estate_id,
            rating_responses::owner_id,
        ))
        .do_nothing();
    // ON CONFLICT is written per backend (the multi-backend connection has no such clause).
    let n = match conn {
        AnyConnection::Postgresql(c) => insert.execute(c)?,
        AnyConnection::Sqlite(c) => insert.execute(c)?,
    };
    Ok(n == 1)
}

/// Records an input; a committee evaluation replaces the estate's earlier one.
pub fn put_input(conn: &mut AnyConnection, row: &InputRow, replaces_earlier: bool) -> AppResult<()> {
    if replaces_earlier {
        diesel::delete(
            rating_inputs::table
                .filter(rating_inputs::campaign_id.eq(&row.campaign_id))
                .filter(rating_inputs::estate_id.eq(&row.estate_id))
                .filter(rating_inputs::source.eq(&row.source)),
        )
        .execute(conn)?;
    }
    diesel::insert_into(rating_inputs::table).values(row).execute(conn)?;
    Ok(())
}

pub fn inputs_of(conn: &mut AnyConnection, campaign_id: &str) -> AppResult<Vec<InputRow>> {
    Ok(rating_inputs::table
        .filter(rating_inputs::campaign_id.eq(campaign_id))
        .order((rating_inputs::recorded_at.asc(), rating_inputs::id.asc()))
        .select(InputRow::as_select())
        .load(conn)?)
}

pub fn get_input(conn: &mut AnyConnection, id: &str) -> AppResult<Option<InputRow>> {
    Ok(rating_inputs::table
        .find(id)
        .select(InputRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_mark(conn: &mut AnyConnection, row: &MarkRow) -> AppResult<()> {
    diesel::insert_into(rating_marks::table).values(row).execute(conn)?;
    Ok(())
}

pub fn marks_of(conn: &mut AnyConnection, campaign_id: &str) -> AppResult<Vec<MarkRow>> {
    Ok(rating_marks::table
        .filter(rating_marks::campaign_id.eq(campaign_id))
        .order((rating_marks::recorded_at.asc(), rating_marks::id.asc()))
        .select(MarkRow::as_select())
        .load(conn)?)
}

pub fn get_mark(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MarkRow>> {
    Ok(rating_marks::table
        .find(id)
        .select(MarkRow::as_select())
        .first(conn)
        .optional()?)
}

/// The accounts that scored a company in a campaign: who recorded an inspection, an evaluation,
/// a bonus or a veto of it. None of them may decide its appeal.
pub fn scorers_of(conn: &mut AnyConnection, campaign_id: &str, company_id: &str) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = rating_inputs::table
        .filter(rating_inputs::campaign_id.eq(campaign_id))
        .filter(rating_inputs::company_id.eq(company_id))
        .select(rating_inputs::recorded_by)
        .distinct()
        .load(conn)?;
    out.extend(
        rating_marks::table
            .filter(rating_marks::campaign_id.eq(campaign_id))
            .filter(rating_marks::company_id.eq(company_id))
            .select(rating_marks::recorded_by)
            .distinct()
            .load::<String>(conn)?,
    );
    out.sort();
    out.dedup();
    Ok(out)
}

/// Stores a run and its rows.
pub fn insert_run(conn: &mut AnyConnection, run: &RunRow, rows: &[ResultRow]) -> AppResult<()> {
    diesel::insert_into(rating_runs::table).values(run).execute(conn)?;
    super::insert_batch!(conn, rating_results::table, rows)?;
    Ok(())
}

pub fn runs_of(conn: &mut AnyConnection, campaign_id: &str) -> AppResult<Vec<RunRow>> {
    Ok(rating_runs::table
        .filter(rating_runs::campaign_id.eq(campaign_id))
        .order(rating_runs::version.asc())
        .select(RunRow::as_select())
        .load(conn)?)
}

/// The latest run (published only, or any).
pub fn latest_run(conn: &mut AnyConnection, campaign_id: &str, published_only: bool) -> AppResult<Option<RunRow>> {
    let mut q = rating_runs::table
        .filter(rating_runs::campaign_id.eq(campaign_id))
        .order(rating_runs::version.desc())
        .select(RunRow::as_select())
        .into_boxed();
    if published_only {
        q = q.filter(rating_runs::published_at.is_not_null());
    }
    Ok(q.first(conn).optional()?)
}

pub fn get_run(conn: &mut AnyConnection, campaign_id: &str, version: i32) -> AppResult<Option<RunRow>> {
    Ok(rating_runs::table
        .filter(rating_runs::campaign_id.eq(campaign_id))
        .filter(rating_runs::version.eq(version))
        .select(RunRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn publish_run(conn: &mut AnyConnection, run_id: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(rating_runs::table.find(run_id))
        .set(rating_runs::published_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

/// A run's rows, optionally of one company, by company then estate ('' — the overall — first).
pub fn results_of(conn: &mut AnyConnection, run_id: &str, company_id: Option<&str>) -> AppResult<Vec<ResultRow>> {
    let mut q = rating_results::table
        .filter(rating_results::run_id.eq(run_id))
        .order((rating_results::company_id.asc(), rating_results::estate_id.asc()))
        .select(ResultRow::as_select())
        .into_boxed();
    if let Some(c) = company_id {
        q = q.filter(rating_results::company_id.eq(c.to_string()));
    }
    Ok(q.load(conn)?)
}

/// A page of a run's results: the companies ranked after `after_rank`, at most `limit` of
/// them, each with its overall row and its estates' rows (as `results_of`); and whether more
/// companies follow.
pub fn results_page(
    conn: &mut AnyConnection,
    run_id: &str,
    after_rank: Option<i32>,
    limit: i64,
) -> AppResult<(Vec<ResultRow>, bool)> {
    let mut q = rating_results::table
        .filter(rating_results::run_id.eq(run_id))
        .filter(rating_results::estate_id.eq(""))
        .order(rating_results::rank.asc())
        .select(rating_results::company_id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after_rank {
        q = q.filter(rating_results::rank.gt(after));
    }
    let mut companies: Vec<String> = q.load(conn)?;
    let more = companies.len() as i64 > limit;
    companies.truncate(limit as usize);
    if companies.is_empty() {
        return Ok((Vec::new(), false));
    }
    let rows = rating_results::table
        .filter(rating_results::run_id.eq(run_id))
        .filter(rating_results::company_id.eq_any(&companies))
        .order((rating_results::company_id.asc(), rating_results::estate_id.asc()))
        .select(ResultRow::as_select())
        .load(conn)?;
    Ok((rows, more))
}

/// The overall rows of one company over every published run that is the latest of its campaign,
/// with the campaign: the company's history.
pub fn history_of(conn: &mut AnyConnection, company_id: &str) -> AppResult<Vec<(CampaignRow, RunRow, ResultRow)>> {
    let rows: Vec<(ResultRow, RunRow)> = rating_results::table
        .inner_join(rating_runs::table)
        .filter(rating_results::company_id.eq(company_id))
        .filter(rating_results::estate_id.eq(""))
        .filter(rating_runs::published_at.is_not_null())
        .select((ResultRow::as_select(), RunRow::as_select()))
        .load(conn)?;
    let mut out: Vec<(CampaignRow, RunRow, ResultRow)> = Vec::new();
    for (result, run) in rows {
        match out.iter_mut().find(|(c, _, _)| c.id == run.campaign_id) {
            Some(entry) if entry.1.version < run.version => {
                entry.1 = run;
                entry.2 = result;
            }
            Some(_) => {}
            None => {
                if let Some(c) = get_campaign(conn, &run.campaign_id)? {
                    out.push((c, run, result));
                }
            }
        }
    }
    out.sort_by(|a, b| b.0.period_until.cmp(&a.0.period_until).then(b.0.id.cmp(&a.0.id)));
    Ok(out)
}

pub fn insert_appeal(conn: &mut AnyConnection, row: &AppealRow) -> AppResult<()> {
    diesel::insert_into(rating_appeals::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_appeal(conn: &mut AnyConnection, id: &str) -> AppResult<Option<AppealRow>> {
    Ok(rating_appeals::table
        .find(id)
        .select(AppealRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_appeal_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<AppealRow>> {
    Ok(super::first_for_change!(
        conn,
        rating_appeals::table.find(id).select(AppealRow::as_select())
    )?)
}

pub fn save_appeal(conn: &mut AnyConnection, row: &AppealRow) -> AppResult<()> {
    diesel::update(rating_appeals::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// A campaign's appeals (of one company), in the order they were filed.
pub fn appeals_of(conn: &mut AnyConnection, campaign_id: &str, company_id: Option<&str>) -> AppResult<Vec<AppealRow>> {
    let mut q = rating_appeals::table
        .filter(rating_appeals::campaign_id.eq(campaign_id))
        .order((rating_appeals::filed_at.asc(), rating_appeals::id.asc()))
        .select(AppealRow::as_select())
        .into_boxed();
    if let Some(c) = company_id {
        q = q.filter(rating_appeals::company_id.eq(c.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Company names by id.
pub fn company_names(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<(String, String)>> {
    Ok(companies::table
        .filter(companies::id.eq_any(ids))
        .select((companies::id, companies::name))
        .load(conn)?)
}

/// A contract of an estate of the county that overlaps the period: (company, estate, starts,
/// ends, the company's party coverage).
#[derive(QueryableByName, Debug, Clone)]
pub struct ContractFact {
    #[diesel(sql_type = Text)]
    pub company_id: String,
    #[diesel(sql_type = Text)]
    pub estate_id: String,
    #[diesel(sql_type = Date)]
    pub starts_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub ends_on: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    pub party_coverage: String,
}

pub fn contracts_in(
    conn: &mut AnyConnection,
    county_id: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<ContractFact>> {
    Ok(diesel::sql_query(
        "SELECT s.company_id, s.estate_id, s.starts_on, s.ends_on, c.party_coverage \
         FROM service_contracts s JOIN estates e ON e.id = s.estate_id JOIN companies c ON c.id = s.company_id \
         WHERE e.community_path LIKE $1 AND s.starts_on <= $2 AND (s.ends_on IS NULL OR s.ends_on >= $3) \
         ORDER BY s.estate_id, s.starts_on, s.company_id",
    )
    .bind::<Text, _>(format!("/{county_id}/%"))
    .bind::<Date, _>(until)
    .bind::<Date, _>(from)
    .load(conn)?)
}

/// What an estate's units and committee say: units, total area (the area that counts of each
/// unit — registry, else survey, else contract, as `domain::area::RecordedAreas::best`), and
/// whether its committee in office is filed with the bureau.
#[derive(QueryableByName, Debug, Clone)]
pub struct EstateFact {
    #[diesel(sql_type = Text)]
    pub estate_id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub units: i64,
    #[diesel(sql_type = BigInt)]
    pub area_centi: i64,
    #[diesel(sql_type = BigInt)]
    pub committee_filed: i64,
}

pub fn estate_facts(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<EstateFact>> {
    let mut out = Vec::with_capacity(estate_ids.len());
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        let list = placeholders(chunk.len(), 1);
        let sql = format!(
            "SELECT e.id AS estate_id, e.name, \
               (SELECT COUNT(*) FROM units u WHERE u.estate_id = e.id) AS units, \
               (SELECT CAST(COALESCE(SUM(COALESCE(u.area_registry_centi, u.area_survey_centi, u.area_contract_centi)), 0) AS BIGINT) \
                  FROM units u WHERE u.estate_id = e.id) AS area_centi, \
               (SELECT COUNT(*) FROM committees k WHERE k.estate_id = e.id \
                  AND k.status IN ('filed', 'active') AND k.filed_bureau_on IS NOT NULL) AS committee_filed \
             FROM estates e WHERE e.id IN ({list})"
        );
        let mut q = diesel::sql_query(sql).into_boxed();
        for id in chunk {
            q = q.bind::<Text, _>(id.clone());
        }
        out.extend(q.load::<EstateFact>(conn)?);
    }
    Ok(out)
}

/// The ledger of an estate and its company over a period: items received; of those dispatched to
/// the company, how many it accepted and accepted on time; how many it resolved and resolved on
/// time; the sum and count of the reporters' ratings.
#[derive(QueryableByName, Debug, Clone, Default)]
pub struct LedgerFact {
    #[diesel(sql_type = Text)]
    pub estate_id: String,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub dispatched: i64,
    #[diesel(sql_type = BigInt)]
    pub accepted_on_time: i64,
    #[diesel(sql_type = BigInt)]
    pub resolved: i64,
    #[diesel(sql_type = BigInt)]
    pub resolved_on_time: i64,
    #[diesel(sql_type = BigInt)]
    pub rating_sum: i64,
    #[diesel(sql_type = BigInt)]
    pub rated: i64,
}

/// Ledger facts of every estate of a county for items reported in [from, until) (UTC instants):
/// (estate, the company an item was dispatched to — none for other items, facts).
pub fn ledger_facts(
    conn: &mut AnyConnection,
    county_id: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(String, Option<String>, LedgerFact)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        assignee_id: Option<String>,
        #[diesel(embed)]
        fact: LedgerFact,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT i.estate_id, CASE WHEN i.assignee_kind = 'company' THEN i.assignee_id END AS assignee_id, \
           COUNT(*) AS received, \
           COUNT(i.dispatched_at) AS dispatched, \
           SUM(CASE WHEN i.accepted_at IS NOT NULL AND i.accepted_at <= i.accept_due THEN 1 ELSE 0 END) AS accepted_on_time, \
           COUNT(i.resolved_at) AS resolved, \
           SUM(CASE WHEN i.resolved_at IS NOT NULL AND i.resolved_at <= i.done_due THEN 1 ELSE 0 END) AS resolved_on_time, \
           COALESCE(SUM(i.rating), 0) AS rating_sum, COUNT(i.rating) AS rated \
         FROM ledger_items i JOIN estates e ON e.id = i.estate_id \
         WHERE e.community_path LIKE $1 AND i.created_at >= $2 AND i.created_at < $3 \
         GROUP BY i.estate_id, CASE WHEN i.assignee_kind = 'company' THEN i.assignee_id END",
    )
    .bind::<Text, _>(format!("/{county_id}/%"))
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(until)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.fact.estate_id.clone(), r.assignee_id, r.fact))
        .collect())
}

/// Joint monthly meetings of each estate of a county held in [from, until) whose minutes were
/// published: (estate, count).
pub fn meetings_held(
    conn: &mut AnyConnection,
    county_id: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        estate_id: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT m.estate_id, COUNT(*) AS n FROM meetings m \
         WHERE m.community_path LIKE $1 AND m.kind = 'joint_monthly' AND m.estate_id IS NOT NULL \
           AND m.starts_at >= $2 AND m.starts_at < $3 \
           AND EXISTS (SELECT 1 FROM minutes x WHERE x.meeting_id = m.id AND x.published_at IS NOT NULL) \
         GROUP BY m.estate_id",
    )
    .bind::<Text, _>(format!("/{county_id}/%"))
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(until)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.estate_id, r.n)).collect())
}

/// `$first, $first+1, ...` for an IN list.
fn placeholders(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first of `company_ids` with a contract (current or past) at an estate of the county.
pub fn company_in_county(
    conn: &mut AnyConnection,
    company_ids: &[String],
    county_id: &str,
) -> AppResult<Option<String>> {
    use super::schema::{estates, service_contracts};
    if company_ids.is_empty() {
        return Ok(None);
    }
    Ok(service_contracts::table
        .inner_join(estates::table)
        .filter(service_contracts::company_id.eq_any(company_ids))
        .filter(estates::community_path.like(format!("/{county_id}/%")))
        .select(service_contracts::company_id)
        .order(service_contracts::company_id.asc())
        .first(conn)
        .optional()?)
}

/// Whether any of `estate_ids` lies in the county.
pub fn any_estate_in_county(conn: &mut AnyConnection, estate_ids: &[String], county_id: &str) -> AppResult<bool> {
    use super::schema::estates;
    if estate_ids.is_empty() {
        return Ok(false);
    }
    Ok(estates::table
        .filter(estates::id.eq_any(estate_ids))
        .filter(estates::community_path.like(format!("/{county_id}/%")))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Holds a campaign for the transaction: shared by a command that adds an input, exclusive by
/// a step of the campaign (open, close, score, publish, an appeal's decision), so that no input
/// lands beside a step — none after the close. On PostgreSQL an advisory lock held to the end of
/// the transaction (a row lock `FOR SHARE` would write each input's lock into the campaign's row
/// and make concurrent answers queue on it: measured at a sixth of the rate); SQLite serialises
/// every write transaction anyway.
pub fn hold_campaign(conn: &mut AnyConnection, id: &str, exclusive: bool) -> AppResult<()> {
    if let AnyConnection::Postgresql(c) = conn {
        let lock = if exclusive {
            "pg_advisory_xact_lock"
        } else {
            "pg_advisory_xact_lock_shared"
        };
        // The two-key form: its own key space, apart from the migration and sealer locks; 15 names
        // "rating campaigns".
        diesel::sql_query(format!("SELECT {lock}(15, hashtext($1))"))
            .bind::<Text, _>(id)
            .execute(c)?;
    }
    Ok(())
}

/// The contracts of these estates that overlap the period (as `contracts_in`).
pub fn contracts_of_estates(
    conn: &mut AnyConnection,
    estate_ids: &[&str],
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<ContractFact>> {
    use super::schema::service_contracts as s;
    let q = s::table.inner_join(companies::table).into_boxed();
    let rows: Vec<(String, String, NaiveDate, Option<NaiveDate>, String)> =
        super::filter_in!(q, s::estate_id, estate_ids)
            .filter(s::starts_on.le(until))
            .filter(s::ends_on.is_null().or(s::ends_on.ge(from)))
            .order((s::starts_on.asc(), s::company_id.asc()))
            .select((
                s::company_id,
                s::estate_id,
                s::starts_on,
                s::ends_on,
                companies::party_coverage,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(company_id, estate_id, starts_on, ends_on, party_coverage)| ContractFact {
                company_id,
                estate_id,
                starts_on,
                ends_on,
                party_coverage,
            },
        )
        .collect())
}

/// Inserts many responses at once (a benchmark's or an import's seeding; answers go through
/// `put_response` otherwise).
pub fn insert_responses(conn: &mut AnyConnection, rows: &[ResponseRow]) -> AppResult<()> {
    super::insert_batch!(conn, rating_responses::table, rows)?;
    Ok(())
}
