//! Votes, their frozen rolls, ballots and tallies. Tallies are aggregate queries over the
//! current ballots joined with the roll: no ballot is loaded into memory to count it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{ballot_history, ballot_selections, current_ballots, proposals, roll_entries, vote_options, votes};
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = votes, treat_none_as_null = true)]
pub struct VoteRow {
    pub id: String,
    pub estate_id: String,
    pub category: i32,
    pub title: String,
    pub question: String,
    pub kind: String,
    pub seats: Option<i32>,
    pub election_id: Option<String>,
    pub proposal_id: Option<String>,
    pub convenor: String,
    pub include_parking: bool,
    pub notice_posted_on: NaiveDate,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub extension_reason: Option<String>,
    pub opened_at: Option<NaiveDateTime>,
    pub roll_fingerprint: Option<String>,
    pub total_area: Option<i64>,
    pub total_heads: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = vote_options)]
pub struct OptionRow {
    pub vote_id: String,
    pub option_id: String,
    pub label: String,
    pub position: i32,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = roll_entries)]
pub struct RollRow {
    pub vote_id: String,
    pub voter_id: String,
    pub voter_key: String,
    pub area_centi: i64,
    pub unit_count: i32,
    pub designated_owner_id: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = current_ballots)]
pub struct CurrentRow {
    pub vote_id: String,
    pub voter_id: String,
    pub ballot_id: String,
    pub choice: String,
    pub channel: String,
    pub receipt: String,
    pub cast_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ballot_history)]
pub struct HistoryRow {
    pub id: String,
    pub vote_id: String,
    pub voter_id: String,
    pub choice: String,
    pub selections: String,
    pub channel: String,
    pub paper_ref: Option<String>,
    pub cast_by: String,
    pub receipt: String,
    pub cast_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = proposals, treat_none_as_null = true)]
pub struct ProposalRow {
    pub id: String,
    pub estate_id: String,
    pub title: String,
    pub summary: String,
    pub category: i32,
    pub status: String,
    pub mobilised_by: String,
    pub mobilised_at: NaiveDateTime,
    pub branch_endorsed_by: Option<String>,
    pub branch_endorsed_at: Option<NaiveDateTime>,
    pub committee_endorsed_by: Option<String>,
    pub committee_endorsed_at: Option<NaiveDateTime>,
    pub company_endorsed_by: Option<String>,
    pub company_endorsed_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_reasons: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<()> {
    diesel::insert_into(votes::table).values(v).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<VoteRow>> {
    Ok(votes::table
        .find(id)
        .select(VoteRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<()> {
    diesel::update(votes::table.find(&v.id)).set(v).execute(conn)?;
    Ok(())
}

pub fn of_estate(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<VoteRow>> {
    Ok(votes::table
        .filter(votes::estate_id.eq(estate_id))
        .order(votes::created_at.desc())
        .select(VoteRow::as_select())
        .load(conn)?)
}

pub fn insert_options(conn: &mut AnyConnection, rows: &[OptionRow]) -> AppResult<()> {
    super::insert_batch!(conn, vote_options::table, rows)?;
    Ok(())
}

pub fn options_of(conn: &mut AnyConnection, vote_id: &str) -> AppResult<Vec<OptionRow>> {
    Ok(vote_options::table
        .filter(vote_options::vote_id.eq(vote_id))
        .order(vote_options::position.asc())
        .select(OptionRow::as_select())
        .load(conn)?)
}

pub fn insert_roll(conn: &mut AnyConnection, rows: &[RollRow]) -> AppResult<()> {
    super::insert_batch!(conn, roll_entries::table, rows)?;
    Ok(())
}

/// The roll entry whose ballot one of these owners casts.
pub fn entry_for_owner(conn: &mut AnyConnection, vote_id: &str, owner_ids: &[String]) -> AppResult<Option<RollRow>> {
    // One owner record is the common case: a plain `=` keeps the prepared statement cached.
    if let [one] = owner_ids {
        return Ok(roll_entries::table
            .filter(roll_entries::vote_id.eq(vote_id))
            .filter(roll_entries::designated_owner_id.eq(one))
            .select(RollRow::as_select())
            .first(conn)
            .optional()?);
    }
    Ok(roll_entries::table
        .filter(roll_entries::vote_id.eq(vote_id))
        .filter(roll_entries::designated_owner_id.eq_any(owner_ids))
        .select(RollRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn entry(conn: &mut AnyConnection, vote_id: &str, voter_id: &str) -> AppResult<Option<RollRow>> {
    Ok(roll_entries::table
        .find((vote_id, voter_id))
        .select(RollRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn roll_page(conn: &mut AnyConnection, vote_id: &str, after: Option<&str>, limit: i64) -> AppResult<Vec<RollRow>> {
    let mut q = roll_entries::table
        .filter(roll_entries::vote_id.eq(vote_id.to_string()))
        .order(roll_entries::voter_id.asc())
        .limit(limit)
        .select(RollRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(roll_entries::voter_id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

pub fn current(conn: &mut AnyConnection, vote_id: &str, voter_id: &str) -> AppResult<Option<CurrentRow>> {
    Ok(current_ballots::table
        .find((vote_id, voter_id))
        .select(CurrentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn history(conn: &mut AnyConnection, vote_id: &str, voter_id: &str) -> AppResult<Vec<HistoryRow>> {
    Ok(ballot_history::table
        .filter(ballot_history::vote_id.eq(vote_id))
        .filter(ballot_history::voter_id.eq(voter_id))
        .order(ballot_history::cast_at.asc())
        .select(HistoryRow::as_select())
        .load(conn)?)
}

/// Records a ballot: appended to the history, and made the voter's current ballot (an upsert on
/// the voter's key, so concurrent ballots of one voter leave exactly one).
pub fn cast(conn: &mut AnyConnection, h: &HistoryRow, selections: &[String]) -> AppResult<()> {
    diesel::insert_into(ballot_history::table).values(h).execute(conn)?;
    let cur = CurrentRow {
        vote_id: h.vote_id.clone(),
        voter_id: h.voter_id.clone(),
        ballot_id: h.id.clone(),
        choice: h.choice.clone(),
        channel: h.channel.clone(),
        receipt: h.receipt.clone(),
        cast_at: h.cast_at,
    };
    let q = diesel::insert_into(current_ballots::table)
        .values(&cur)
        .on_conflict((current_ballots::vote_id, current_ballots::voter_id))
        .do_update()
        .set(&cur);
    super::each_backend!(conn, c => q.execute(c))?;
    if h.choice == "election" {
        diesel::delete(
            ballot_selections::table
                .filter(ballot_selections::vote_id.eq(&h.vote_id))
                .filter(ballot_selections::voter_id.eq(&h.voter_id)),
        )
        .execute(conn)?;
        let rows: Vec<(String, String, String)> = selections
            .iter()
            .map(|o| (h.vote_id.clone(), h.voter_id.clone(), o.clone()))
            .collect();
        let values: Vec<_> = rows
            .iter()
            .map(|(v, w, o)| {
                (
                    ballot_selections::vote_id.eq(v),
                    ballot_selections::voter_id.eq(w),
                    ballot_selections::option_id.eq(o),
                )
            })
            .collect();
        if !values.is_empty() {
            super::insert_batch!(conn, ballot_selections::table, values)?;
        }
    }
    Ok(())
}

/// (choice, heads, area) over current ballots.
pub fn tally(conn: &mut AnyConnection, vote_id: &str) -> AppResult<Vec<(String, i64, i64)>> {
    Ok(current_ballots::table
        .inner_join(
            roll_entries::table.on(roll_entries::vote_id
                .eq(current_ballots::vote_id)
                .and(roll_entries::voter_id.eq(current_ballots::voter_id))),
        )
        .filter(current_ballots::vote_id.eq(vote_id))
        .group_by(current_ballots::choice)
        .select((
            current_ballots::choice,
            count_star(),
            sql::<BigInt>("CAST(COALESCE(SUM(roll_entries.area_centi), 0) AS BIGINT)"),
        ))
        .load(conn)?)
}

/// (option, heads, area) over current election selections.
pub fn selection_tally(conn: &mut AnyConnection, vote_id: &str) -> AppResult<Vec<(String, i64, i64)>> {
    Ok(ballot_selections::table
        .inner_join(
            roll_entries::table.on(roll_entries::vote_id
                .eq(ballot_selections::vote_id)
                .and(roll_entries::voter_id.eq(ballot_selections::voter_id))),
        )
        .filter(ballot_selections::vote_id.eq(vote_id))
        .group_by(ballot_selections::option_id)
        .select((
            ballot_selections::option_id,
            count_star(),
            sql::<BigInt>("CAST(COALESCE(SUM(roll_entries.area_centi), 0) AS BIGINT)"),
        ))
        .load(conn)?)
}

/// Receipts of the counted ballots, sorted: the list an owner checks their receipt against.
pub fn receipts(conn: &mut AnyConnection, vote_id: &str) -> AppResult<Vec<String>> {
    Ok(current_ballots::table
        .filter(current_ballots::vote_id.eq(vote_id))
        .order(current_ballots::receipt.asc())
        .select(current_ballots::receipt)
        .load(conn)?)
}

pub fn insert_proposal(conn: &mut AnyConnection, p: &ProposalRow) -> AppResult<()> {
    diesel::insert_into(proposals::table).values(p).execute(conn)?;
    Ok(())
}

pub fn get_proposal(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ProposalRow>> {
    Ok(proposals::table
        .find(id)
        .select(ProposalRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_proposal(conn: &mut AnyConnection, p: &ProposalRow) -> AppResult<()> {
    diesel::update(proposals::table.find(&p.id)).set(p).execute(conn)?;
    Ok(())
}
