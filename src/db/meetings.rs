//! Joint meetings: the meeting, its invited parties and agenda, versions of its minutes with the
//! parties' answers, and the action items its decisions create.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    action_item_ledger, action_items, action_steps, agenda_items, meeting_parties, meetings, minutes, minutes_answers,
};
use super::AnyConnection;
use crate::domain::meeting::{ActionStatus, Attendance, MeetingKind, MinutesStatus, PartyKind};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    pub id: String,
    pub kind: String,
    pub convenor_org_id: String,
    pub estate_id: Option<String>,
    pub community_id: String,
    pub community_path: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}
super::terms::term_columns!(MeetingRow { kind, set_kind: MeetingKind; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = meeting_parties, treat_none_as_null = true)]
pub struct PartyRow {
    pub id: String,
    pub meeting_id: String,
    pub kind: String,
    pub party_id: Option<String>,
    pub name: String,
    pub attendance: String,
    pub represented_by: Option<String>,
}
super::terms::term_columns!(PartyRow {
    kind, set_kind: PartyKind;
    attendance, set_attendance: Attendance;
});

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = agenda_items)]
pub struct AgendaRow {
    pub id: String,
    pub meeting_id: String,
    pub seq: i32,
    pub title: String,
    pub ledger_item_id: Option<String>,
    pub proposal_id: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = minutes, treat_none_as_null = true)]
pub struct MinutesRow {
    pub id: String,
    pub meeting_id: String,
    pub version: i32,
    pub previous_id: Option<String>,
    pub status: String,
    pub content: String,
    pub fingerprint: Option<String>,
    pub round: i32,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
super::terms::term_columns!(MinutesRow { status, set_status: MinutesStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = minutes_answers)]
pub struct AnswerRow {
    pub id: String,
    pub minutes_id: String,
    pub party_id: String,
    pub correction: bool,
    pub comment: Option<String>,
    pub round: i32,
    pub actor_id: String,
    pub answered_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = action_items, treat_none_as_null = true)]
pub struct ActionRow {
    pub id: String,
    pub meeting_id: String,
    pub minutes_id: String,
    pub decision: i32,
    pub title: String,
    pub responsible_party_id: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub reported_at: Option<NaiveDateTime>,
    pub done_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
super::terms::term_columns!(ActionRow { status, set_status: ActionStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = action_steps)]
pub struct ActionStepRow {
    pub id: String,
    pub action_id: String,
    pub step: String,
    pub note: Option<String>,
    pub actor_id: String,
    pub actor_role: String,
    pub at: NaiveDateTime,
    /// The evidence, a JSON array of attachment ids.
    pub attachments: String,
}

pub fn insert(conn: &mut AnyConnection, m: &MeetingRow, parties: &[PartyRow], agenda: &[AgendaRow]) -> AppResult<()> {
    diesel::insert_into(meetings::table).values(m).execute(conn)?;
    for p in parties {
        diesel::insert_into(meeting_parties::table).values(p).execute(conn)?;
    }
    for a in agenda {
        diesel::insert_into(agenda_items::table).values(a).execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MeetingRow>> {
    Ok(meetings::table
        .find(id)
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()?)
}

/// Locks a meeting's row until the transaction ends (PostgreSQL; SQLite serialises writers), so
/// that changes to it and its parties run one after the other.
pub fn lock(conn: &mut AnyConnection, id: &str) -> AppResult<()> {
    let _: Option<String> = super::first_for_change!(conn, meetings::table.find(id).select(meetings::id))?;
    Ok(())
}

pub fn parties(conn: &mut AnyConnection, meeting_id: &str) -> AppResult<Vec<PartyRow>> {
    Ok(meeting_parties::table
        .filter(meeting_parties::meeting_id.eq(meeting_id))
        .order(meeting_parties::id.asc())
        .select(PartyRow::as_select())
        .load(conn)?)
}

/// The invited parties of several meetings, in one query.
/// Meetings by id (those that exist).
pub fn get_many(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<MeetingRow>> {
    Ok(meetings::table
        .filter(meetings::id.eq_any(ids))
        .select(MeetingRow::as_select())
        .load(conn)?)
}

pub fn parties_of_meetings(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<PartyRow>> {
    Ok(meeting_parties::table
        .filter(meeting_parties::meeting_id.eq_any(ids))
        .order(meeting_parties::id.asc())
        .select(PartyRow::as_select())
        .load(conn)?)
}

/// The agendas of several meetings, in one query.
pub fn agenda_of_meetings(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<AgendaRow>> {
    Ok(agenda_items::table
        .filter(agenda_items::meeting_id.eq_any(ids))
        .order((agenda_items::meeting_id.asc(), agenda_items::seq.asc()))
        .select(AgendaRow::as_select())
        .load(conn)?)
}

pub fn save_party(conn: &mut AnyConnection, p: &PartyRow) -> AppResult<()> {
    diesel::update(meeting_parties::table.find(&p.id))
        .set(p)
        .execute(conn)?;
    Ok(())
}

pub fn agenda(conn: &mut AnyConnection, meeting_id: &str) -> AppResult<Vec<AgendaRow>> {
    Ok(agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting_id))
        .order(agenda_items::seq.asc())
        .select(AgendaRow::as_select())
        .load(conn)?)
}

/// A page of an estate's (or a community's) meetings, latest first, before `(starts_at, id)`.
pub fn page(
    conn: &mut AnyConnection,
    estate_id: Option<&str>,
    community_id: &str,
    before: Option<(NaiveDateTime, &str)>,
    limit: i64,
) -> AppResult<Vec<MeetingRow>> {
    let mut q = meetings::table
        .select(MeetingRow::as_select())
        .order((meetings::starts_at.desc(), meetings::id.desc()))
        .limit(limit)
        .into_boxed();
    q = match estate_id {
        Some(e) => q.filter(meetings::estate_id.eq(e.to_string())),
        None => q.filter(meetings::community_id.eq(community_id.to_string())),
    };
    if let Some((at, id)) = before {
        q = q.filter(
            meetings::starts_at
                .lt(at)
                .or(meetings::starts_at.eq(at).and(meetings::id.lt(id.to_string()))),
        );
    }
    Ok(q.load(conn)?)
}

/// When the meetings of `kind` in these communities that are on record (published minutes) began,
/// from `from` until `until`: (estate, community, start). For the cadence of the deadlines list.
pub fn held(
    conn: &mut AnyConnection,
    kind: MeetingKind,
    community_ids: &[String],
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(Option<String>, String, NaiveDateTime)>> {
    // Held means on record: a meeting counts once minutes of it are published (a version
    // superseded by a correction was published too), not when it is convened.
    let on_record = minutes::table
        .filter(minutes::meeting_id.eq(meetings::id))
        .filter(minutes::published_at.is_not_null());
    Ok(meetings::table
        .filter(meetings::community_id.eq_any(community_ids))
        .filter(meetings::kind.eq(kind.as_str()))
        .filter(meetings::starts_at.ge(from))
        .filter(meetings::starts_at.le(until))
        .filter(diesel::dsl::exists(on_record))
        .select((meetings::estate_id, meetings::community_id, meetings::starts_at))
        .load(conn)?)
}

/// The meetings of these communities begun in `[from, until)`, with their invited parties:
/// (meeting id, meeting kind, estate, party kind, party id, attendance), one row per party.
#[allow(clippy::type_complexity)]
pub fn attendance_in(
    conn: &mut AnyConnection,
    community_ids: &[String],
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(String, String, Option<String>, String, Option<String>, String)>> {
    Ok(meetings::table
        .inner_join(meeting_parties::table.on(meeting_parties::meeting_id.eq(meetings::id)))
        .filter(meetings::community_id.eq_any(community_ids))
        .filter(meetings::starts_at.ge(from))
        .filter(meetings::starts_at.lt(until))
        .select((
            meetings::id,
            meetings::kind,
            meetings::estate_id,
            meeting_parties::kind,
            meeting_parties::party_id,
            meeting_parties::attendance,
        ))
        .load(conn)?)
}

pub fn insert_minutes(conn: &mut AnyConnection, m: &MinutesRow) -> AppResult<()> {
    diesel::insert_into(minutes::table).values(m).execute(conn)?;
    Ok(())
}

pub fn save_minutes(conn: &mut AnyConnection, m: &MinutesRow) -> AppResult<()> {
    diesel::update(minutes::table.find(&m.id)).set(m).execute(conn)?;
    Ok(())
}

/// A version of the minutes about to change, locked for the transaction (`first_for_change`).
pub fn get_minutes_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MinutesRow>> {
    Ok(super::first_for_change!(
        conn,
        minutes::table.find(id).select(MinutesRow::as_select())
    )?)
}

pub fn get_minutes(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MinutesRow>> {
    Ok(minutes::table
        .find(id)
        .select(MinutesRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every version of a meeting's minutes, oldest first.
pub fn versions(conn: &mut AnyConnection, meeting_id: &str) -> AppResult<Vec<MinutesRow>> {
    Ok(minutes::table
        .filter(minutes::meeting_id.eq(meeting_id))
        .order(minutes::version.asc())
        .select(MinutesRow::as_select())
        .load(conn)?)
}

pub fn insert_answer(conn: &mut AnyConnection, a: &AnswerRow) -> AppResult<()> {
    diesel::insert_into(minutes_answers::table).values(a).execute(conn)?;
    Ok(())
}

/// The answers to a version, every round, oldest first.
pub fn answers(conn: &mut AnyConnection, minutes_id: &str) -> AppResult<Vec<AnswerRow>> {
    Ok(minutes_answers::table
        .filter(minutes_answers::minutes_id.eq(minutes_id))
        .order(minutes_answers::id.asc())
        .select(AnswerRow::as_select())
        .load(conn)?)
}

pub fn insert_action(conn: &mut AnyConnection, a: &ActionRow, ledger_items: &[String]) -> AppResult<()> {
    diesel::insert_into(action_items::table).values(a).execute(conn)?;
    for l in ledger_items {
        diesel::insert_into(action_item_ledger::table)
            .values((
                action_item_ledger::action_id.eq(&a.id),
                action_item_ledger::ledger_item_id.eq(l),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn save_action(conn: &mut AnyConnection, a: &ActionRow) -> AppResult<()> {
    diesel::update(action_items::table.find(&a.id)).set(a).execute(conn)?;
    Ok(())
}

pub fn get_action(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ActionRow>> {
    Ok(action_items::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?)
}

/// An action item about to change, locked for the transaction (`first_for_change`).
pub fn get_action_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ActionRow>> {
    Ok(super::first_for_change!(
        conn,
        action_items::table.find(id).select(ActionRow::as_select())
    )?)
}

pub fn actions_of_meeting(conn: &mut AnyConnection, meeting_id: &str) -> AppResult<Vec<ActionRow>> {
    Ok(action_items::table
        .filter(action_items::meeting_id.eq(meeting_id))
        .order(action_items::id.asc())
        .select(ActionRow::as_select())
        .load(conn)?)
}

/// Whose action items a list holds.
#[derive(Clone, Debug)]
pub enum ActionsOf {
    /// Decided at the meetings of one estate.
    Estate(String),
    /// Decided at any meeting of one community (the community's own and its estates').
    Community(String),
    /// Carried out by one of these organisations, committees, companies or departments.
    Responsible(Vec<String>),
}

/// A page of action items by due day, then id, after `(due_on, id)`: only the overdue ones on
/// `today` (not done, due before it) with `overdue = true`, only the others with `false`; only
/// those in `status` when given.
pub fn actions_page(
    conn: &mut AnyConnection,
    of: &ActionsOf,
    overdue: Option<bool>,
    status: Option<ActionStatus>,
    today: NaiveDate,
    after: Option<(NaiveDate, &str)>,
    limit: i64,
) -> AppResult<Vec<ActionRow>> {
    let mut q = action_items::table
        .inner_join(meetings::table)
        .inner_join(meeting_parties::table)
        .select(ActionRow::as_select())
        .order((action_items::due_on.asc(), action_items::id.asc()))
        .limit(limit)
        .into_boxed();
    q = match of {
        ActionsOf::Estate(e) => q.filter(meetings::estate_id.eq(e.clone())),
        ActionsOf::Community(c) => q.filter(meetings::community_id.eq(c.clone())),
        ActionsOf::Responsible(ids) => q.filter(meeting_parties::party_id.eq_any(ids.clone())),
    };
    let late = action_items::status
        .ne(ActionStatus::Done.as_str())
        .and(action_items::due_on.lt(today));
    match overdue {
        Some(true) => q = q.filter(late),
        Some(false) => q = q.filter(diesel::dsl::not(late)),
        None => {}
    }
    if let Some(s) = status {
        q = q.filter(action_items::status.eq(s.as_str()));
    }
    if let Some((due, id)) = after {
        q = q.filter(
            action_items::due_on
                .gt(due)
                .or(action_items::due_on.eq(due).and(action_items::id.gt(id.to_string()))),
        );
    }
    Ok(q.load(conn)?)
}

/// The ledger items the action items `ids` follow up: (action, ledger item), in one query.
pub fn ledger_of_actions(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<(String, String)>> {
    Ok(action_item_ledger::table
        .filter(action_item_ledger::action_id.eq_any(ids))
        .order((
            action_item_ledger::action_id.asc(),
            action_item_ledger::ledger_item_id.asc(),
        ))
        .select((action_item_ledger::action_id, action_item_ledger::ledger_item_id))
        .load(conn)?)
}

/// How many action items following up a ledger item are not done.
pub fn open_actions_of_item(conn: &mut AnyConnection, ledger_item_id: &str) -> AppResult<i64> {
    Ok(action_item_ledger::table
        .inner_join(action_items::table)
        .filter(action_item_ledger::ledger_item_id.eq(ledger_item_id))
        .filter(action_items::status.ne(ActionStatus::Done.as_str()))
        .count()
        .get_result(conn)?)
}

pub fn add_action_step(conn: &mut AnyConnection, s: &ActionStepRow) -> AppResult<()> {
    diesel::insert_into(action_steps::table).values(s).execute(conn)?;
    Ok(())
}

/// The steps of the action items `ids`, oldest first, in one query.
pub fn steps_of_actions(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<ActionStepRow>> {
    Ok(action_steps::table
        .filter(action_steps::action_id.eq_any(ids))
        .order(action_steps::id.asc())
        .select(ActionStepRow::as_select())
        .load(conn)?)
}
