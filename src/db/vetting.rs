//! The negative-list catalogue and records, elections, candidates, reviews and objections.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{candidate_reviews, candidates, elections, negative_items, negative_records, objections};
use super::AnyConnection;
use crate::domain::ids;
use crate::domain::vetting::DEFAULT_CATALOGUE;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = negative_items)]
pub struct ItemRow {
    pub id: String,
    pub county_id: String,
    pub code: String,
    pub text: String,
    pub legal_basis: String,
    pub evidence_department: String,
    pub duration_months: Option<i32>,
    pub enabled: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = negative_records, treat_none_as_null = true)]
pub struct RecordRow {
    pub id: String,
    pub county_id: String,
    pub owner_id: String,
    pub item_code: String,
    pub evidence_ref: String,
    pub department_id: String,
    pub recorded_by: String,
    pub effective_from: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = elections, treat_none_as_null = true)]
pub struct ElectionRow {
    pub id: String,
    pub committee_id: String,
    pub seats: i32,
    pub status: String,
    pub published_on: Option<NaiveDate>,
    pub publicity_ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    /// When the list was published, as recorded: the publicity window runs from here.
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = candidates, treat_none_as_null = true)]
pub struct CandidateRow {
    pub id: String,
    pub election_id: String,
    pub owner_id: String,
    pub nominated_by: String,
    pub nominator_id: String,
    pub party_member: bool,
    pub status: String,
    pub screening: Option<String>,
    pub reasons: Option<String>,
    pub screened_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = candidate_reviews)]
pub struct ReviewRow {
    pub id: String,
    pub candidate_id: String,
    pub department_code: String,
    pub passed: bool,
    pub reason: String,
    pub reviewer_id: String,
    pub decided_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = objections, treat_none_as_null = true)]
pub struct ObjectionRow {
    pub id: String,
    pub candidate_id: String,
    pub filed_by: String,
    pub statement: String,
    pub filed_on: NaiveDate,
    pub answer_due_on: NaiveDate,
    pub answer: Option<String>,
    pub upheld: Option<bool>,
    pub answered_by: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// The county's catalogue; the defaults of RULES.md are written on first use.
pub fn catalogue(conn: &mut AnyConnection, county_id: &str) -> AppResult<Vec<ItemRow>> {
    let rows: Vec<ItemRow> = negative_items::table
        .filter(negative_items::county_id.eq(county_id))
        .order(negative_items::code.asc())
        .select(ItemRow::as_select())
        .load(conn)?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let defaults: Vec<ItemRow> = DEFAULT_CATALOGUE
        .iter()
        .map(|d| ItemRow {
            id: ids::new_id(),
            county_id: county_id.into(),
            code: d.code.into(),
            text: d.text.into(),
            legal_basis: d.legal_basis.into(),
            evidence_department: d.evidence_department.into(),
            duration_months: d.duration_months.map(|m| m as i32),
            enabled: d.enabled,
            updated_at: ids::now(),
        })
        .collect();
    super::insert_batch!(conn, negative_items::table, &defaults)?;
    Ok(defaults)
}

pub fn set_item_enabled(
    conn: &mut AnyConnection,
    county_id: &str,
    code: &str,
    enabled: bool,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        negative_items::table
            .filter(negative_items::county_id.eq(county_id))
            .filter(negative_items::code.eq(code)),
    )
    .set((negative_items::enabled.eq(enabled), negative_items::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_record(conn: &mut AnyConnection, r: &RecordRow) -> AppResult<()> {
    diesel::insert_into(negative_records::table).values(r).execute(conn)?;
    Ok(())
}

pub fn get_record(conn: &mut AnyConnection, id: &str) -> AppResult<Option<RecordRow>> {
    Ok(negative_records::table
        .find(id)
        .select(RecordRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_record(conn: &mut AnyConnection, r: &RecordRow) -> AppResult<()> {
    diesel::update(negative_records::table.find(&r.id))
        .set(r)
        .execute(conn)?;
    Ok(())
}

pub fn records_of(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Vec<RecordRow>> {
    Ok(negative_records::table
        .filter(negative_records::owner_id.eq(owner_id))
        .order(negative_records::effective_from.desc())
        .select(RecordRow::as_select())
        .load(conn)?)
}

pub fn insert_election(conn: &mut AnyConnection, e: &ElectionRow) -> AppResult<()> {
    diesel::insert_into(elections::table).values(e).execute(conn)?;
    Ok(())
}

pub fn get_election(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ElectionRow>> {
    Ok(elections::table
        .find(id)
        .select(ElectionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_election(conn: &mut AnyConnection, e: &ElectionRow) -> AppResult<()> {
    diesel::update(elections::table.find(&e.id)).set(e).execute(conn)?;
    Ok(())
}

/// The elections under joint review (`screening`) of the estates of one county, with their
/// estate: (election, estate id, estate name).
pub fn under_review_in_county(
    conn: &mut AnyConnection,
    county_id: &str,
) -> AppResult<Vec<(ElectionRow, String, String)>> {
    use super::schema::{committees, estates};
    // Elections under review are few at any time: take them all, then keep the county's.
    let rows: Vec<(ElectionRow, String)> = elections::table
        .inner_join(committees::table)
        .filter(elections::status.eq(crate::domain::vetting::ElectionStatus::Screening.as_str()))
        .order(elections::created_at)
        .select((ElectionRow::as_select(), committees::estate_id))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|(_, e)| e.as_str()).collect();
    let names: std::collections::HashMap<String, String> = estates::table
        .filter(estates::id.eq_any(&ids))
        .filter(estates::community_path.like(format!("/{county_id}/%")))
        .select((estates::id, estates::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(e, estate)| {
            let name = names.get(&estate)?.clone();
            Some((e, estate, name))
        })
        .collect())
}

pub fn elections_of(conn: &mut AnyConnection, committee_id: &str) -> AppResult<Vec<ElectionRow>> {
    Ok(elections::table
        .filter(elections::committee_id.eq(committee_id))
        .select(ElectionRow::as_select())
        .load(conn)?)
}

/// (committee, opened at) of every election of these committees, in one query.
pub fn election_starts(conn: &mut AnyConnection, committee_ids: &[String]) -> AppResult<Vec<(String, NaiveDateTime)>> {
    Ok(elections::table
        .filter(elections::committee_id.eq_any(committee_ids))
        .select((elections::committee_id, elections::created_at))
        .load(conn)?)
}

pub fn insert_candidate(conn: &mut AnyConnection, c: &CandidateRow) -> AppResult<()> {
    diesel::insert_into(candidates::table).values(c).execute(conn)?;
    Ok(())
}

pub fn get_candidate(conn: &mut AnyConnection, id: &str) -> AppResult<Option<CandidateRow>> {
    Ok(candidates::table
        .find(id)
        .select(CandidateRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_candidate(conn: &mut AnyConnection, c: &CandidateRow) -> AppResult<()> {
    diesel::update(candidates::table.find(&c.id)).set(c).execute(conn)?;
    Ok(())
}

pub fn candidates_of(conn: &mut AnyConnection, election_id: &str) -> AppResult<Vec<CandidateRow>> {
    Ok(candidates::table
        .filter(candidates::election_id.eq(election_id))
        .order(candidates::created_at.asc())
        .select(CandidateRow::as_select())
        .load(conn)?)
}

pub fn insert_review(conn: &mut AnyConnection, r: &ReviewRow) -> AppResult<()> {
    diesel::insert_into(candidate_reviews::table).values(r).execute(conn)?;
    Ok(())
}

pub fn reviews_of(conn: &mut AnyConnection, candidate_ids: &[String]) -> AppResult<Vec<ReviewRow>> {
    Ok(candidate_reviews::table
        .filter(candidate_reviews::candidate_id.eq_any(candidate_ids))
        .order(candidate_reviews::decided_at.asc())
        .select(ReviewRow::as_select())
        .load(conn)?)
}

pub fn insert_objection(conn: &mut AnyConnection, o: &ObjectionRow) -> AppResult<()> {
    diesel::insert_into(objections::table).values(o).execute(conn)?;
    Ok(())
}

pub fn get_objection(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ObjectionRow>> {
    Ok(objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_objection(conn: &mut AnyConnection, o: &ObjectionRow) -> AppResult<()> {
    diesel::update(objections::table.find(&o.id)).set(o).execute(conn)?;
    Ok(())
}

pub fn objections_of(conn: &mut AnyConnection, candidate_ids: &[String]) -> AppResult<Vec<ObjectionRow>> {
    Ok(objections::table
        .filter(objections::candidate_id.eq_any(candidate_ids))
        .order(objections::filed_on.asc())
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// The enabled negative-list items of a county with a record about `owner_id` in force on `on`
/// (RULES.md §4; the rule of "in force" is `domain::vetting::in_force`).
pub fn blocking_items(
    conn: &mut AnyConnection,
    county_id: &str,
    owner_id: &str,
    on: NaiveDate,
) -> AppResult<Vec<String>> {
    let enabled: Vec<String> = catalogue(conn, county_id)?
        .into_iter()
        .filter(|i| i.enabled)
        .map(|i| i.code)
        .collect();
    let mut codes: Vec<String> = records_of(conn, owner_id)?
        .into_iter()
        .filter(|r| {
            r.county_id == county_id
                && enabled.contains(&r.item_code)
                && crate::domain::vetting::in_force(r.effective_from, r.expires_on, on)
        })
        .map(|r| r.item_code)
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

super::terms::term_columns!(ElectionRow {
    status, set_status: crate::domain::vetting::ElectionStatus;
});

super::terms::term_columns!(CandidateRow {
    status, set_status: crate::domain::vetting::CandidateStatus;
    nominated_by, set_nominated_by: crate::domain::vetting::NominatedBy;
});
