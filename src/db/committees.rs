//! Committees, their members, and a county's committee rules.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{committee_members, committees, county_rules};
use super::AnyConnection;
use crate::domain::committee::CommitteeRules;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committees, treat_none_as_null = true)]
pub struct CommitteeRow {
    pub id: String,
    pub estate_id: String,
    pub kind: String,
    pub status: String,
    pub term_years: i32,
    pub seats: i32,
    pub formed_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    pub filed_bureau_on: Option<NaiveDate>,
    pub filed_street_on: Option<NaiveDate>,
    pub first_meeting_on: Option<NaiveDate>,
    pub handover_due_on: Option<NaiveDate>,
    pub handed_over_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub by_election_required: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committee_members, treat_none_as_null = true)]
pub struct MemberRow {
    pub id: String,
    pub committee_id: String,
    pub owner_id: Option<String>,
    pub name: String,
    pub affiliation: String,
    pub role: String,
    pub alternate_rank: Option<i32>,
    pub votes: Option<i64>,
    pub party_member: bool,
    pub two_committees: bool,
    pub grid_secretary: bool,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, c: &CommitteeRow) -> AppResult<()> {
    diesel::insert_into(committees::table).values(c).execute(conn)?;
    Ok(())
}

/// Writes back the whole row (state changes go through the domain, then here).
pub fn save(conn: &mut AnyConnection, c: &CommitteeRow) -> AppResult<()> {
    diesel::update(committees::table.find(&c.id)).set(c).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<CommitteeRow>> {
    Ok(committees::table
        .find(id)
        .select(CommitteeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn of_estate(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<CommitteeRow>> {
    Ok(committees::table
        .filter(committees::estate_id.eq(estate_id))
        .order(committees::created_at.desc())
        .select(CommitteeRow::as_select())
        .load(conn)?)
}

/// Committees of many estates (for coverage and deadlines), not ended.
pub fn live_of_estates(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<CommitteeRow>> {
    let mut out = Vec::new();
    for chunk in estate_ids.chunks(500) {
        let rows: Vec<CommitteeRow> = committees::table
            .filter(committees::estate_id.eq_any(chunk))
            .filter(committees::status.ne_all(["dissolved", "term_ended"]))
            .select(CommitteeRow::as_select())
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

pub fn insert_members(conn: &mut AnyConnection, rows: &[MemberRow]) -> AppResult<()> {
    super::insert_batch!(conn, committee_members::table, rows)?;
    Ok(())
}

pub fn save_member(conn: &mut AnyConnection, m: &MemberRow) -> AppResult<()> {
    diesel::update(committee_members::table.find(&m.id))
        .set(m)
        .execute(conn)?;
    Ok(())
}

/// All members ever, in order of role then rank then start.
pub fn members(conn: &mut AnyConnection, committee_id: &str) -> AppResult<Vec<MemberRow>> {
    Ok(committee_members::table
        .filter(committee_members::committee_id.eq(committee_id))
        .order((committee_members::started_on.asc(), committee_members::id.asc()))
        .select(MemberRow::as_select())
        .load(conn)?)
}

pub fn members_of_many(conn: &mut AnyConnection, committee_ids: &[String]) -> AppResult<Vec<MemberRow>> {
    Ok(committee_members::table
        .filter(committee_members::committee_id.eq_any(committee_ids))
        .filter(committee_members::ended_on.is_null())
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// The county's rules, or the defaults if it has set none.
pub fn rules(conn: &mut AnyConnection, county_id: &str) -> AppResult<CommitteeRules> {
    let stored: Option<String> = county_rules::table
        .find(county_id)
        .select(county_rules::rules)
        .first(conn)
        .optional()?;
    match stored {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("stored rules unreadable: {e}")))
        }
        None => Ok(CommitteeRules::default()),
    }
}

pub fn put_rules(
    conn: &mut AnyConnection,
    county_id: &str,
    rules: &CommitteeRules,
    now: NaiveDateTime,
) -> AppResult<()> {
    let json = serde_json::to_string(rules).map_err(AppError::internal)?;
    let q = diesel::insert_into(county_rules::table)
        .values((
            county_rules::county_id.eq(county_id),
            county_rules::rules.eq(&json),
            county_rules::updated_at.eq(now),
        ))
        .on_conflict(county_rules::county_id)
        .do_update()
        .set((county_rules::rules.eq(&json), county_rules::updated_at.eq(now)));
    super::each_backend!(conn, c => q.execute(c))?;
    Ok(())
}

super::terms::term_columns!(CommitteeRow {
    kind, set_kind: crate::domain::committee::CommitteeKind;
    status, set_status: crate::domain::committee::CommitteeStatus;
});

super::terms::term_columns!(MemberRow {
    affiliation, set_affiliation: crate::domain::committee::Affiliation;
    role, set_role: crate::domain::committee::MemberRole;
});
