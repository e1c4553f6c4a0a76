//! The owners' satisfaction survey under load: the facts an answer is checked against, looked
//! up for many answers at once, and answers written in batches (`batcher`), like ballots.
//!
//! Why: a county's owners answer the survey in the same weeks, on their phones, as they vote.
//! Answered one transaction each (lock, campaign, estate, contracts, owner, upsert, audit) an
//! answer cost a dozen round trips; batched, a few statements serve every answer that arrived
//! meanwhile.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::audit::{self, Actor};
use super::estates::{self, CompanyInForce, EstateRow};
use super::ratings::{self, CampaignRow, ContractFact, ResponseRow};
use super::schema::{rating_campaigns, rating_responses};
use super::AnyConnection;
use crate::domain::ids;
use crate::domain::rating::{self, CampaignStep};
use crate::error::{AppError, AppResult};

/// What to look up for one answer: the estate, and which of the caller's owner records hold a
/// unit there.
pub struct SurveyQuery {
    pub estate_id: String,
    pub owner_ids: Vec<String>,
    /// The campaign's period: the contracts that overlap it decide the company rated.
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// The facts of one `SurveyQuery`, as the database holds them now.
pub struct SurveyFacts {
    /// The estate with the company in force today (`None`: no such estate).
    pub estate: Option<(EstateRow, Option<CompanyInForce>)>,
    /// The first (in id order) of the caller's owner records that holds a unit of the estate.
    pub holder: Option<String>,
    /// The estate's contracts overlapping the period.
    pub contracts: Vec<ContractFact>,
}

/// Looks up the facts of many answers with three queries (the batched reader of
/// `AppState::survey_facts`).
pub fn survey_facts(conn: &mut AnyConnection, queries: &[SurveyQuery]) -> AppResult<Vec<AppResult<SurveyFacts>>> {
    let mut estate_ids: Vec<&str> = queries.iter().map(|q| q.estate_id.as_str()).collect();
    estate_ids.sort_unstable();
    estate_ids.dedup();
    let mut owner_ids: Vec<&str> = queries
        .iter()
        .flat_map(|q| q.owner_ids.iter().map(String::as_str))
        .collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let (Some(from), Some(until)) = (
        queries.iter().map(|q| q.from).min(),
        queries.iter().map(|q| q.until).max(),
    ) else {
        return Ok(Vec::new());
    };
    let estates = estates::get_many_with_contract(conn, &estate_ids, ids::today())?;
    let holders: HashSet<(String, String)> = estates::holders_among(conn, &owner_ids, &estate_ids)?
        .into_iter()
        .collect();
    // The union of the periods; `scoring::eligible` counts only the days within each campaign's.
    let contracts = ratings::contracts_of_estates(conn, &estate_ids, from, until)?;
    Ok(queries
        .iter()
        .map(|q| {
            Ok(SurveyFacts {
                estate: estates.get(&q.estate_id).cloned(),
                holder: q
                    .owner_ids
                    .iter()
                    .filter(|o| holders.contains(&((*o).clone(), q.estate_id.clone())))
                    .min()
                    .cloned(),
                contracts: contracts
                    .iter()
                    .filter(|c| c.estate_id == q.estate_id)
                    .cloned()
                    .collect(),
            })
        })
        .collect())
}

/// An answer checked by its request, to be written.
pub struct NewResponse {
    pub row: ResponseRow,
    pub actor: Actor,
    /// The campaign's notice period (its frozen configuration), for its status now.
    pub notice_days: u32,
}

/// Writes a batch of answers (the batch writer of `AppState::responses`): for each, whether it
/// replaced the owner's earlier response, or why it was refused.
///
/// Every campaign of the batch is held shared, as any input holds it (`ratings::hold_campaign`),
/// and its status is read under that hold: an answer that was checked while the survey was open
/// is refused if the campaign has been closed since.
pub fn record_responses(conn: &mut AnyConnection, items: &[NewResponse]) -> AppResult<Vec<AppResult<bool>>> {
    let mut campaign_ids: Vec<&str> = items.iter().map(|n| n.row.campaign_id.as_str()).collect();
    campaign_ids.sort_unstable();
    campaign_ids.dedup();
    for id in &campaign_ids {
        ratings::hold_campaign(conn, id, false)?;
    }
    let campaigns: HashMap<String, CampaignRow> = rating_campaigns::table
        .filter(rating_campaigns::id.eq_any(&campaign_ids))
        .select(CampaignRow::as_select())
        .load::<CampaignRow>(conn)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let now = ids::now();
    let mut outcomes: Vec<AppResult<bool>> = items
        .iter()
        .map(|n| {
            let c = campaigns.get(&n.row.campaign_id).ok_or(AppError::NotFound {
                what: "rating campaign",
            })?;
            rating::step(
                rating::status_now(c.status()?, c.published_at, n.notice_days, now),
                CampaignStep::Collect,
            )?;
            Ok(false)
        })
        .collect();
    // One upsert cannot touch a row twice: an owner's second answer in the batch goes in the
    // next round, after the first, as it arrived.
    let mut pending: Vec<usize> = (0..items.len()).filter(|&i| outcomes[i].is_ok()).collect();
    while !pending.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) = pending.into_iter().partition(|&i| {
            let r = &items[i].row;
            seen.insert((&r.campaign_id, &r.estate_id, &r.owner_id))
        });
        let rows: Vec<&ResponseRow> = round.iter().map(|&i| &items[i].row).collect();
        for (&i, replaced) in round.iter().zip(upsert(conn, &rows)?) {
            outcomes[i] = Ok(replaced);
        }
        pending = later;
    }
    // The log says that an owner answered, never what.
    let events: Vec<audit::Event> = items
        .iter()
        .zip(&outcomes)
        .filter_map(|(n, outcome)| {
            let replaced = *outcome.as_ref().ok()?;
            Some(audit::Event {
                actor: n.actor.clone(),
                action: "rating.survey.answer",
                target_type: "rating_campaign",
                target_id: n.row.campaign_id.clone(),
                change: serde_json::json!({ "estate": n.row.estate_id, "replaced": replaced }),
            })
        })
        .collect();
    audit::append_many(conn, &events.iter().collect::<Vec<_>>())?;
    Ok(outcomes)
}

/// Makes these rows their owners' responses (each key at most once); whether each replaced one.
fn upsert(conn: &mut AnyConnection, rows: &[&ResponseRow]) -> AppResult<Vec<bool>> {
    macro_rules! upsert {
        ($values:expr) => {
            diesel::insert_into(rating_responses::table)
                .values($values)
                .on_conflict((
                    rating_responses::campaign_id,
                    rating_responses::estate_id,
                    rating_responses::owner_id,
                ))
                .do_update()
                .set((
                    rating_responses::company_id.eq(excluded(rating_responses::company_id)),
                    rating_responses::answers.eq(excluded(rating_responses::answers)),
                    rating_responses::comment.eq(excluded(rating_responses::comment)),
                    rating_responses::submitted_at.eq(excluded(rating_responses::submitted_at)),
                    // The owner's own answer replaces a paper one entered for them.
                    rating_responses::channel.eq(excluded(rating_responses::channel)),
                    rating_responses::entered_by.eq(excluded(rating_responses::entered_by)),
                    rating_responses::paper_ref.eq(excluded(rating_responses::paper_ref)),
                ))
        };
    }
    match conn {
        // One statement per chunk. A row that an ON CONFLICT update wrote carries the writing
        // transaction in `xmax`; a fresh insert carries 0 — exact even beside another writer.
        AnyConnection::Postgresql(c) => {
            let mut replaced: HashMap<(String, String, String), bool> = HashMap::new();
            for chunk in rows.chunks(super::BATCH_ROWS) {
                let values: Vec<ResponseRow> = chunk.iter().map(|r| (*r).clone()).collect();
                let written: Vec<(String, String, String, bool)> = upsert!(&values)
                    .returning((
                        rating_responses::campaign_id,
                        rating_responses::estate_id,
                        rating_responses::owner_id,
                        diesel::dsl::sql::<diesel::sql_types::Bool>("xmax <> 0"),
                    ))
                    .get_results(c)?;
                replaced.extend(written.into_iter().map(|(c, e, o, r)| ((c, e, o), r)));
            }
            rows.iter()
                .map(|r| {
                    replaced
                        .get(&(r.campaign_id.clone(), r.estate_id.clone(), r.owner_id.clone()))
                        .copied()
                        .ok_or_else(|| AppError::Internal("a survey answer was not written".into()))
                })
                .collect()
        }
        // SQLite writes one transaction at a time, so looking first is exact; a cached
        // single-row statement in-process costs microseconds.
        AnyConnection::Sqlite(c) => rows
            .iter()
            .map(|r| {
                let existed = rating_responses::table
                    .find((&r.campaign_id, &r.estate_id, &r.owner_id))
                    .select(rating_responses::owner_id)
                    .first::<String>(c)
                    .optional()?
                    .is_some();
                upsert!(*r).execute(c)?;
                Ok(existed)
            })
            .collect(),
    }
}
