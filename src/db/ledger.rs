//! The problem ledger: items, their steps, the county's service levels, volunteer teams.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{ledger_items, ledger_settings, ledger_steps, volunteer_team_members, volunteer_teams};
use super::AnyConnection;
use crate::domain::ledger::{Category, ItemStatus};
use crate::error::AppResult;

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
    Ok(())
}

/// Many items at once (a migration from a county's old ledger, a benchmark's seed).
pub fn insert_many(conn: &mut AnyConnection, rows: &[ItemRow]) -> AppResult<()> {
    super::insert_batch!(conn, ledger_items::table, rows)?;
    Ok(())
}

pub fn save(conn: &mut AnyConnection, row: &ItemRow) -> AppResult<()> {
    diesel::update(ledger_items::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
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
    let late = l::status
        .eq(ItemStatus::Dispatched.as_str())
        .and(l::accept_due.le(now))
        .or(l::status.eq(ItemStatus::InProgress.as_str()).and(l::done_due.le(now)));
    match filter.overdue {
        Some(true) => q = q.filter(late),
        Some(false) => q = q.filter(diesel::dsl::not(late)),
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
) -> AppResult<Vec<crate::domain::ledger::ItemFacts>> {
    use crate::domain::ledger::{AssigneeKind, ItemFacts};
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
        .select((
            l::category,
            l::status,
            l::assignee_kind,
            l::created_at,
            l::dispatched_at,
            l::accept_due,
            l::done_due,
            l::accepted_at,
            l::resolved_at,
        ))
        .into_boxed();
    if let Some(a) = assignee {
        q = q.filter(l::assignee_id.eq(a.to_string()));
    }
    type Row = (
        String,
        String,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = q.load(conn)?;
    rows.into_iter()
        .map(
            |(category, status, kind, created_at, dispatched_at, accept_due, done_due, accepted_at, resolved_at)| {
                Ok(ItemFacts {
                    category: super::terms::stored(&category)?,
                    status: super::terms::stored(&status)?,
                    assignee_kind: kind.as_deref().map(super::terms::stored::<AssigneeKind>).transpose()?,
                    created_at,
                    dispatched_at,
                    accept_due,
                    done_due,
                    accepted_at,
                    resolved_at,
                })
            },
        )
        .collect()
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
