//! Votes, their frozen rolls, ballots and tallies. Tallies are aggregate queries over the
//! current ballots joined with the roll: no ballot is loaded into memory to count it.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::audit;
use super::schema::{ballot_history, ballot_selections, current_ballots, proposals, roll_entries, vote_options, votes};
use super::AnyConnection;
use crate::domain::voting::{self, Channel};
use crate::error::{codes, AppError, AppResult};

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
    /// A run-off: the vote whose tie it resolves, and at which place (`seat`, `alternate:N`).
    pub runoff_of: Option<String>,
    pub runoff_place: Option<String>,
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
#[diesel(table_name = current_ballots, treat_none_as_default_value = false)]
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
// NULL, not DEFAULT, for a missing paper reference: SQLite can then insert many rows at once.
#[diesel(table_name = ballot_history, treat_none_as_default_value = false)]
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

/// A roll this large refreshes the statistics of the roll table (PostgreSQL), so that the
/// plans of its lists and tallies start from its real size.
const ANALYZE_ROLL_OVER: usize = 1000;

pub fn insert_roll(conn: &mut AnyConnection, rows: &[RollRow]) -> AppResult<()> {
    super::insert_batch!(conn, roll_entries::table, rows)?;
    if rows.len() >= ANALYZE_ROLL_OVER {
        super::analyze(conn, &["roll_entries"])?;
    }
    Ok(())
}

/// How a tie of an election vote was resolved: the order of the tied candidates.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::tie_resolutions)]
pub struct TieResolutionRow {
    pub id: String,
    pub vote_id: String,
    pub place: String,
    /// `runoff` or `lots`.
    pub method: String,
    /// The tied candidates (option ids) in the order decided, comma-separated.
    pub winners: String,
    pub runoff_vote_id: Option<String>,
    pub drawn_by: Option<String>,
    pub witness: Option<String>,
    pub drawn_at: Option<NaiveDateTime>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl TieResolutionRow {
    pub fn order(&self) -> Vec<String> {
        self.winners
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

pub fn tie_resolutions(conn: &mut AnyConnection, vote_id: &str) -> AppResult<Vec<TieResolutionRow>> {
    use super::schema::tie_resolutions as t;
    Ok(t::table
        .filter(t::vote_id.eq(vote_id))
        .order(t::recorded_at.asc())
        .select(TieResolutionRow::as_select())
        .load(conn)?)
}

pub fn insert_tie_resolution(conn: &mut AnyConnection, r: &TieResolutionRow) -> AppResult<()> {
    use super::schema::tie_resolutions as t;
    diesel::insert_into(t::table).values(r).execute(conn)?;
    Ok(())
}

pub fn entries_for_owners(conn: &mut AnyConnection, vote_id: &str, owner_ids: &[String]) -> AppResult<Vec<RollRow>> {
    Ok(roll_entries::table
        .filter(roll_entries::vote_id.eq(vote_id))
        .filter(roll_entries::designated_owner_id.eq_any(owner_ids))
        .order(roll_entries::voter_id.asc())
        .select(RollRow::as_select())
        .load(conn)?)
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

/// A ballot ready to be recorded, with the audit event that records it.
#[derive(Clone, Debug)]
pub struct NewBallot {
    pub history: HistoryRow,
    /// Election ballots: the chosen candidates (sorted, distinct).
    pub selections: Vec<String>,
    pub event: audit::Event,
}

/// Why a checked ballot was not recorded after all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRecorded {
    /// The vote closed before the ballot reached the database.
    Closed,
    /// A signed paper ballot is recorded for this voter and prevails over online ones.
    PaperPrevails,
}

impl From<NotRecorded> for AppError {
    fn from(why: NotRecorded) -> AppError {
        match why {
            NotRecorded::Closed => {
                AppError::conflict(codes::VOTE_NOT_OPEN, "ballots are accepted only while the vote is open")
            }
            NotRecorded::PaperPrevails => AppError::conflict(
                codes::PAPER_BALLOT_RECORDED,
                "a signed paper ballot has been recorded for this voter and prevails",
            ),
        }
    }
}

/// Records a batch of ballots (the batch writer of `AppState::ballots`): each ballot's outcome.
pub fn record_ballots(conn: &mut AnyConnection, ballots: &[NewBallot]) -> AppResult<Vec<AppResult<()>>> {
    Ok(record(conn, ballots)?
        .into_iter()
        .map(|r| r.map_err(AppError::from))
        .collect())
}

/// Records ballots, any number, with a few multi-row statements (see `batcher`): each becomes
/// its voter's current ballot (an upsert on the voter's key, so concurrent ballots of one voter
/// leave exactly one), is appended to the history, and is audited.
///
/// The rule for online and paper ballots (`voting::Channel::replaces`) is applied in the upsert's
/// condition: a signed paper ballot prevails — once one is current, online ballots are refused
/// for that voter; a paper ballot entered after an online one replaces it.
pub fn record(conn: &mut AnyConnection, ballots: &[NewBallot]) -> AppResult<Vec<Result<(), NotRecorded>>> {
    // The closing time as it is now, inside the writing transaction: it may have been extended
    // since the ballots were checked, and no ballot is written once the vote has closed.
    let mut vote_ids: Vec<&str> = ballots.iter().map(|b| b.history.vote_id.as_str()).collect();
    vote_ids.sort_unstable();
    vote_ids.dedup();
    let closing: HashMap<String, NaiveDateTime> = votes::table
        .filter(votes::id.eq_any(&vote_ids))
        .select((votes::id, votes::closes_at))
        .load(conn)?
        .into_iter()
        .collect();
    let now = crate::domain::ids::now();
    let mut outcomes: Vec<Result<(), NotRecorded>> = ballots
        .iter()
        .map(|b| match closing.get(&b.history.vote_id) {
            Some(closes_at) if voting::before_closing(*closes_at, now) => Ok(()),
            _ => Err(NotRecorded::Closed),
        })
        .collect();
    // One upsert cannot touch a row twice: a voter's second ballot in the batch goes in the next
    // round, after the first, as it would have arrived.
    let mut pending: Vec<usize> = (0..ballots.len()).filter(|&i| outcomes[i].is_ok()).collect();
    while !pending.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) = pending
            .into_iter()
            .partition(|&i| seen.insert((&ballots[i].history.vote_id, &ballots[i].history.voter_id)));
        let accepted = record_round(conn, &round.iter().map(|&i| &ballots[i]).collect::<Vec<_>>())?;
        for (&i, ok) in round.iter().zip(accepted) {
            if !ok {
                outcomes[i] = Err(NotRecorded::PaperPrevails);
            }
        }
        pending = later;
    }
    Ok(outcomes)
}

/// Makes these rows their voters' current ballots unless a paper ballot prevails; returns the
/// keys of the rows written.
fn upsert_current(conn: &mut AnyConnection, rows: &[CurrentRow]) -> AppResult<Vec<(String, String)>> {
    use diesel::query_dsl::methods::FilterDsl;
    use diesel::upsert::excluded;
    // The statement, for one row or many.
    macro_rules! upsert {
        ($values:expr) => {
            diesel::insert_into(current_ballots::table)
                .values($values)
                .on_conflict((current_ballots::vote_id, current_ballots::voter_id))
                .do_update()
                .set((
                    current_ballots::ballot_id.eq(excluded(current_ballots::ballot_id)),
                    current_ballots::choice.eq(excluded(current_ballots::choice)),
                    current_ballots::channel.eq(excluded(current_ballots::channel)),
                    current_ballots::receipt.eq(excluded(current_ballots::receipt)),
                    current_ballots::cast_at.eq(excluded(current_ballots::cast_at)),
                ))
                // `Channel::replaces`, in SQL so that it holds under concurrency: a current paper
                // ballot is replaced only by another paper one.
                .filter(
                    current_ballots::channel
                        .ne(Channel::Paper.as_str())
                        .or(excluded(current_ballots::channel).eq(Channel::Paper.as_str())),
                )
                .returning((current_ballots::vote_id, current_ballots::voter_id))
        };
    }
    let mut written = Vec::with_capacity(rows.len());
    match conn {
        // One statement per chunk: a round trip saved per row.
        AnyConnection::Postgresql(c) => {
            for chunk in rows.chunks(super::BATCH_ROWS) {
                written.extend(upsert!(chunk).get_results::<(String, String)>(c)?);
            }
        }
        // Diesel has no multi-row upsert with a condition for SQLite; a cached single-row
        // statement in-process costs microseconds.
        AnyConnection::Sqlite(c) => {
            for row in rows {
                written.extend(upsert!(row).get_result::<(String, String)>(c).optional()?);
            }
        }
    }
    Ok(written)
}

/// One round of `record`, each voter at most once; returns which ballots were accepted.
fn record_round(conn: &mut AnyConnection, round: &[&NewBallot]) -> AppResult<Vec<bool>> {
    let current: Vec<CurrentRow> = round
        .iter()
        .map(|b| {
            let h = &b.history;
            CurrentRow {
                vote_id: h.vote_id.clone(),
                voter_id: h.voter_id.clone(),
                ballot_id: h.id.clone(),
                choice: h.choice.clone(),
                channel: h.channel.clone(),
                receipt: h.receipt.clone(),
                cast_at: h.cast_at,
            }
        })
        .collect();
    let written: HashSet<(String, String)> = upsert_current(conn, &current)?.into_iter().collect();
    let accepted: Vec<bool> = round
        .iter()
        .map(|b| written.contains(&(b.history.vote_id.clone(), b.history.voter_id.clone())))
        .collect();
    let kept: Vec<&NewBallot> = round
        .iter()
        .zip(&accepted)
        .filter(|(_, ok)| **ok)
        .map(|(b, _)| *b)
        .collect();
    let history: Vec<HistoryRow> = kept.iter().map(|b| b.history.clone()).collect();
    super::insert_batch!(conn, ballot_history::table, history)?;
    for b in kept.iter().filter(|b| b.history.choice == "election") {
        let h = &b.history;
        diesel::delete(
            ballot_selections::table
                .filter(ballot_selections::vote_id.eq(&h.vote_id))
                .filter(ballot_selections::voter_id.eq(&h.voter_id)),
        )
        .execute(conn)?;
        let values: Vec<_> = b
            .selections
            .iter()
            .map(|o| {
                (
                    ballot_selections::vote_id.eq(&h.vote_id),
                    ballot_selections::voter_id.eq(&h.voter_id),
                    ballot_selections::option_id.eq(o),
                )
            })
            .collect();
        super::insert_batch!(conn, ballot_selections::table, values)?;
    }
    let events: Vec<&audit::Event> = kept.iter().map(|b| &b.event).collect();
    audit::append_many(conn, &events)?;
    Ok(accepted)
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

/// A page of the receipts of the counted ballots, in receipt order after `after`, with each
/// ballot's channel (`current_ballots_receipt`): the list an owner checks their receipt against.
pub fn receipts_page(
    conn: &mut AnyConnection,
    vote_id: &str,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<(String, String)>> {
    let mut q = current_ballots::table
        .filter(current_ballots::vote_id.eq(vote_id.to_string()))
        .order(current_ballots::receipt.asc())
        .select((current_ballots::receipt, current_ballots::channel))
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(current_ballots::receipt.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

/// One counted ballot's receipt and channel, if the receipt is among those counted.
pub fn counted_receipt(conn: &mut AnyConnection, vote_id: &str, receipt: &str) -> AppResult<Option<(String, String)>> {
    Ok(current_ballots::table
        .filter(current_ballots::vote_id.eq(vote_id))
        .filter(current_ballots::receipt.eq(receipt))
        .select((current_ballots::receipt, current_ballots::channel))
        .first(conn)
        .optional()?)
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

super::terms::term_columns!(VoteRow {
    kind, set_kind: crate::domain::voting::VoteKind;
    convenor, set_convenor: crate::domain::voting::Convenor;
});

super::terms::term_columns!(ProposalRow {
    status, set_status: crate::domain::voting::ProposalStatus;
});

super::terms::term_columns!(TieResolutionRow {
    method, set_method: crate::domain::committee::TieRule;
});

impl VoteRow {
    /// Where the vote stands at `now` (derived from when it opened and closes; never stored).
    pub fn status_at(&self, now: NaiveDateTime) -> crate::domain::voting::VoteStatus {
        crate::domain::voting::VoteStatus::at(self.opened_at, self.closes_at, now)
    }
}
