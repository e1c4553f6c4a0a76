//! The problem ledger: items, their steps, the county's service levels, volunteer teams.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    estates, ledger_items, ledger_settings, ledger_steps, ledger_tallies, volunteer_team_members, volunteer_teams,
};
use super::AnyConnection;
use crate::domain::ledger::{AssigneeKind, Category, ItemFacts, ItemStatus, Mark, Measure};
use crate::domain::registry::county_of;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ledger_items, treat_none_as_null = true)]
pub struct ItemRow {
    pub id: String,
    pub estate_id: String,
    pub building_id: Option<String>,
    pub unit_id: Option<String>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub reporter_type: String,
    pub reporter_id: String,
    pub reporter_role: String,
    pub reporter_company_id: Option<String>,
    pub reporter_name: String,
    pub show_reporter: bool,
    pub status: String,
    pub assignee_kind: Option<String>,
    pub assignee_id: Option<String>,
    pub dispatched_at: Option<NaiveDateTime>,
    pub accept_due: Option<NaiveDateTime>,
    pub done_due: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub confirm_by: Option<NaiveDateTime>,
    pub confirmed_at: Option<NaiveDateTime>,
    pub rating: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Minutes of service a party member or a volunteer team reported with "done" (hours are
    /// recorded only when the resident confirms, `http::service::hours`).
    pub service_minutes: Option<i32>,
}

super::terms::term_columns!(ItemRow {
    category, set_category: Category;
    status, set_status: ItemStatus;
});

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_steps)]
pub struct StepRow {
    pub id: String,
    pub item_id: String,
    pub step: String,
    pub status: String,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_role: String,
    pub assignee_kind: Option<String>,
    pub assignee_id: Option<String>,
    pub note: Option<String>,
    pub rating: Option<i32>,
    /// The ids of the files attached to this step, as a JSON array.
    pub attachments: String,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, row: &ItemRow) -> AppResult<()> {
    diesel::insert_into(ledger_items::table).values(row).execute(conn)?;
    retally(conn, None, Some(row))
}

/// Many items at once (a migration from a county's old ledger, a benchmark's seed).
pub fn insert_many(conn: &mut AnyConnection, rows: &[ItemRow]) -> AppResult<()> {
    super::insert_batch!(conn, ledger_items::table, rows)?;
    let mut changes = Tallies::default();
    for row in rows {
        changes.add(conn, row, 1)?;
    }
    changes.write(conn)
}

/// Writes back an item changed from `old` (as read by `get_for_change` in this transaction),
/// moving its marks in the tallies.
pub fn save(conn: &mut AnyConnection, old: &ItemRow, row: &ItemRow) -> AppResult<()> {
    diesel::update(ledger_items::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    retally(conn, Some(old), Some(row))
}

/// What the figures need of an item as stored.
fn facts_of(row: &ItemRow) -> AppResult<ItemFacts> {
    Ok(ItemFacts {
        category: row.category()?,
        status: row.status()?,
        assignee_kind: row
            .assignee_kind
            .as_deref()
            .map(super::terms::stored::<AssigneeKind>)
            .transpose()?,
        created_at: row.created_at,
        dispatched_at: row.dispatched_at,
        accept_due: row.accept_due,
        done_due: row.done_due,
        accepted_at: row.accepted_at,
        resolved_at: row.resolved_at,
    })
}

/// Changes to the running tallies, per county and mark, gathered before they are written.
#[derive(Default)]
struct Tallies {
    changes: HashMap<(String, Mark), i64>,
    /// The county of each estate met so far.
    counties: HashMap<String, String>,
}

impl Tallies {
    /// Adds `sign` × the marks of `row` (+1 for its new state, −1 for its old).
    fn add(&mut self, conn: &mut AnyConnection, row: &ItemRow, sign: i64) -> AppResult<()> {
        let county = match self.counties.get(&row.estate_id) {
            Some(c) => c.clone(),
            None => {
                let path: String = estates::table
                    .find(&row.estate_id)
                    .select(estates::community_path)
                    .first(conn)?;
                let c = county_of(&path);
                self.counties.insert(row.estate_id.clone(), c.clone());
                c
            }
        };
        for m in crate::domain::ledger::marks(&facts_of(row)?) {
            *self.changes.entry((county.clone(), m)).or_default() += sign;
        }
        Ok(())
    }

    /// Writes the changes in the order of their keys: two transactions that move the same
    /// tallies lock them in the same order, so they wait for each other and never deadlock.
    fn write(self, conn: &mut AnyConnection) -> AppResult<()> {
        use ledger_tallies as t;
        let mut rows: Vec<_> = self
            .changes
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((county, m), n)| {
                let (measure, hours) = m.measure.stored();
                let kind = m.assignee_kind.map_or("", |k| k.as_str());
                ((county, m.day, m.category.as_str(), kind, measure, hours), n)
            })
            .collect();
        rows.sort_unstable();
        for ((county, day, category, kind, measure, hours), n) in rows {
            let row = (
                t::county_id.eq(county),
                t::day.eq(day),
                t::category.eq(category),
                t::assignee_kind.eq(kind),
                t::measure.eq(measure),
                t::hours.eq(hours),
                t::n.eq(n),
            );
            super::each_backend!(conn, c => diesel::insert_into(t::table)
                .values(row.clone())
                .on_conflict((t::county_id, t::day, t::category, t::assignee_kind, t::measure, t::hours))
                .do_update()
                .set(t::n.eq(t::n + diesel::upsert::excluded(t::n)))
                .execute(c))?;
        }
        Ok(())
    }
}

/// Moves an item's marks in its county's tallies from its `old` state to its `new` one, in the
/// transaction that changes it.
fn retally(conn: &mut AnyConnection, old: Option<&ItemRow>, new: Option<&ItemRow>) -> AppResult<()> {
    let mut changes = Tallies::default();
    if let Some(old) = old {
        changes.add(conn, old, -1)?;
    }
    if let Some(new) = new {
        changes.add(conn, new, 1)?;
    }
    changes.write(conn)
}

/// Refills the tallies from the items (when the tallies are new, after a restore that lost them):
/// the items are read a page at a time.
pub fn rebuild_tallies(conn: &mut AnyConnection) -> AppResult<()> {
    diesel::delete(ledger_tallies::table).execute(conn)?;
    let mut changes = Tallies::default();
    let mut after = String::new();
    loop {
        let rows: Vec<ItemRow> = ledger_items::table
            .filter(ledger_items::id.gt(&after))
            .order(ledger_items::id.asc())
            .limit(2_000)
            .select(ItemRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        for row in &rows {
            changes.add(conn, row, 1)?;
        }
    }
    changes.write(conn)
}

/// The marks of the counties' items on the days `from` to `until` (both included), with how many
/// items made each.
pub fn tallies(
    conn: &mut AnyConnection,
    counties: &[String],
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<(Mark, i64)>> {
    use ledger_tallies as t;
    let rows: Vec<(NaiveDate, String, String, String, i64, i64)> = t::table
        .filter(t::county_id.eq_any(counties))
        .filter(t::day.ge(from))
        .filter(t::day.le(until))
        .select((t::day, t::category, t::assignee_kind, t::measure, t::hours, t::n))
        .load(conn)?;
    rows.into_iter()
        .map(|(day, category, kind, measure, hours, n)| {
            Ok((
                Mark {
                    day,
                    category: super::terms::stored(&category)?,
                    assignee_kind: (!kind.is_empty())
                        .then(|| super::terms::stored::<AssigneeKind>(&kind))
                        .transpose()?,
                    measure: Measure::from_stored(&measure, hours)
                        .ok_or_else(|| AppError::Internal(format!("stored tally measure {measure}")))?,
                },
                n,
            ))
        })
        .collect()
}

/// An item about to change, locked for the transaction (`first_for_change`).
pub fn get_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ItemRow>> {
    Ok(super::first_for_change!(
        conn,
        ledger_items::table.find(id).select(ItemRow::as_select())
    )?)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ItemRow>> {
    Ok(ledger_items::table
        .find(id)
        .select(ItemRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn add_step(conn: &mut AnyConnection, row: &StepRow) -> AppResult<()> {
    diesel::insert_into(ledger_steps::table).values(row).execute(conn)?;
    Ok(())
}

/// An item's steps, oldest first.
pub fn steps(conn: &mut AnyConnection, item_id: &str) -> AppResult<Vec<StepRow>> {
    Ok(ledger_steps::table
        .filter(ledger_steps::item_id.eq(item_id))
        .order(ledger_steps::id.asc())
        .select(StepRow::as_select())
        .load(conn)?)
}

/// Whose items a list holds.
#[derive(Clone, Debug)]
pub enum Whose {
    /// One estate's.
    Estate(String),
    /// Reported by this account or key, or by one of these companies.
    ReportedBy { actor_id: String, companies: Vec<String> },
    /// Dispatched to one of these assignees (companies, departments, owners, teams).
    AssignedTo(Vec<String>),
}

/// What else a list keeps.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<ItemStatus>,
    pub category: Option<Category>,
    pub assignee_id: Option<String>,
    pub overdue: Option<bool>,
}

/// Whether an item is overdue at `now`: the SQL of `domain::ledger::overdue` (dispatched and
/// not accepted by its accept due time, or accepted and not done by its done due time).
#[allow(clippy::type_complexity)]
fn late(
    now: NaiveDateTime,
) -> diesel::dsl::Or<
    diesel::dsl::And<
        diesel::dsl::Eq<ledger_items::status, &'static str>,
        diesel::dsl::LtEq<ledger_items::accept_due, NaiveDateTime>,
    >,
    diesel::dsl::And<
        diesel::dsl::Eq<ledger_items::status, &'static str>,
        diesel::dsl::LtEq<ledger_items::done_due, NaiveDateTime>,
    >,
> {
    use ledger_items as l;
    l::status
        .eq(ItemStatus::Dispatched.as_str())
        .and(l::accept_due.le(now))
        .or(l::status.eq(ItemStatus::InProgress.as_str()).and(l::done_due.le(now)))
}

/// How many of the estates' items are overdue at `now` (from `ledger_items_open` alone).
pub fn overdue_count(conn: &mut AnyConnection, estates: &[String], now: NaiveDateTime) -> AppResult<i64> {
    use ledger_items as l;
    Ok(l::table
        .filter(l::estate_id.eq_any(estates))
        .filter(l::status.eq_any([ItemStatus::Dispatched.as_str(), ItemStatus::InProgress.as_str()]))
        .filter(late(now))
        .count()
        .get_result(conn)?)
}

/// A page of items, newest first (ids are time-ordered), after the cursor `before` (the last
/// id of the previous page). Each list walks an index in this order (`ledger_items_estate`,
/// `_estate_status`, `_assignee`, `_reporter`): the page's cost, not the ledger's.
pub fn page(
    conn: &mut AnyConnection,
    whose: &Whose,
    filter: &Filter,
    before: Option<&str>,
    now: NaiveDateTime,
    limit: i64,
) -> AppResult<Vec<ItemRow>> {
    use ledger_items as l;
    let mut q = l::table
        .select(ItemRow::as_select())
        .order(l::id.desc())
        .limit(limit)
        .into_boxed();
    q = match whose {
        Whose::Estate(e) => q.filter(l::estate_id.eq(e.clone())),
        Whose::ReportedBy { actor_id, companies } => q.filter(
            l::reporter_id
                .eq(actor_id.clone())
                .nullable()
                .or(l::reporter_company_id.eq_any(companies.clone())),
        ),
        Whose::AssignedTo(ids) => q.filter(l::assignee_id.eq_any(ids.clone())),
    };
    if let Some(b) = before {
        q = q.filter(l::id.lt(b.to_string()));
    }
    // The status a reader sees: a resolved item whose window ran out is confirmed.
    match filter.status {
        Some(ItemStatus::Resolved) => {
            q = q
                .filter(l::status.eq(ItemStatus::Resolved.as_str()))
                .filter(l::confirm_by.gt(now));
        }
        Some(ItemStatus::Confirmed) => {
            q = q.filter(l::status.eq_any([ItemStatus::Confirmed.as_str(), ItemStatus::Resolved.as_str()]));
            q = q.filter(
                l::status
                    .eq(ItemStatus::Confirmed.as_str())
                    .nullable()
                    .or(l::confirm_by.le(now)),
            );
        }
        Some(s) => q = q.filter(l::status.eq(s.as_str())),
        None => {}
    }
    if let Some(c) = filter.category {
        q = q.filter(l::category.eq(c.as_str()));
    }
    if let Some(a) = &filter.assignee_id {
        q = q.filter(l::assignee_id.eq(a.clone()));
    }
    match filter.overdue {
        Some(true) => q = q.filter(late(now)),
        Some(false) => q = q.filter(diesel::dsl::not(late(now))),
        None => {}
    }
    Ok(q.load(conn)?)
}

/// The facts the figures need of the items of `estates` (only those dispatched to `assignee`,
/// if given) that were reported, dispatched, accepted or resolved in `[from, until)`, or are
/// open now.
pub fn facts(
    conn: &mut AnyConnection,
    estates: &[String],
    assignee: Option<&str>,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<ItemFacts>> {
    use ledger_items as l;
    let between = |c: l::created_at| c.ge(from).and(c.lt(until));
    let mut q = l::table
        .filter(l::estate_id.eq_any(estates))
        .filter(
            between(l::created_at)
                .nullable()
                .or(l::dispatched_at.ge(from).and(l::dispatched_at.lt(until)))
                .or(l::accepted_at.ge(from).and(l::accepted_at.lt(until)))
                .or(l::resolved_at.ge(from).and(l::resolved_at.lt(until)))
                .or(l::status
                    .eq_any([ItemStatus::Dispatched.as_str(), ItemStatus::InProgress.as_str()])
                    .nullable()),
        )
        .select(ItemRow::as_select())
        .into_boxed();
    if let Some(a) = assignee {
        q = q.filter(l::assignee_id.eq(a.to_string()));
    }
    let rows: Vec<ItemRow> = q.load(conn)?;
    rows.iter().map(facts_of).collect()
}

/// A county's ledger settings as stored (JSON), if it set any.
pub fn settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<Option<String>> {
    Ok(ledger_settings::table
        .find(county_id)
        .select(ledger_settings::settings)
        .first(conn)
        .optional()?)
}

pub fn put_settings(conn: &mut AnyConnection, county_id: &str, json: &str, now: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(ledger_settings::table.find(county_id))
        .set((ledger_settings::settings.eq(json), ledger_settings::updated_at.eq(now)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(ledger_settings::table)
            .values((
                ledger_settings::county_id.eq(county_id),
                ledger_settings::settings.eq(json),
                ledger_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = volunteer_teams)]
pub struct TeamRow {
    pub id: String,
    pub community_id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_team(conn: &mut AnyConnection, team: &TeamRow, members: &[String]) -> AppResult<()> {
    diesel::insert_into(volunteer_teams::table).values(team).execute(conn)?;
    set_members(conn, &team.id, members)
}

/// Replaces a team's members.
pub fn set_members(conn: &mut AnyConnection, team_id: &str, members: &[String]) -> AppResult<()> {
    diesel::delete(volunteer_team_members::table.filter(volunteer_team_members::team_id.eq(team_id))).execute(conn)?;
    for m in members {
        diesel::insert_into(volunteer_team_members::table)
            .values((
                volunteer_team_members::team_id.eq(team_id),
                volunteer_team_members::owner_id.eq(m),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn team(conn: &mut AnyConnection, id: &str) -> AppResult<Option<TeamRow>> {
    Ok(volunteer_teams::table
        .find(id)
        .select(TeamRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn teams_of_community(conn: &mut AnyConnection, community_id: &str) -> AppResult<Vec<TeamRow>> {
    Ok(volunteer_teams::table
        .filter(volunteer_teams::community_id.eq(community_id))
        .order(volunteer_teams::name.asc())
        .select(TeamRow::as_select())
        .load(conn)?)
}

pub fn members(conn: &mut AnyConnection, team_id: &str) -> AppResult<Vec<String>> {
    Ok(volunteer_team_members::table
        .filter(volunteer_team_members::team_id.eq(team_id))
        .order(volunteer_team_members::owner_id.asc())
        .select(volunteer_team_members::owner_id)
        .load(conn)?)
}

/// The teams these owners are members of.
pub fn teams_of_owners(conn: &mut AnyConnection, owner_ids: &[String]) -> AppResult<Vec<String>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(volunteer_team_members::table
        .filter(volunteer_team_members::owner_id.eq_any(owner_ids))
        .select(volunteer_team_members::team_id)
        .distinct()
        .load(conn)?)
}
