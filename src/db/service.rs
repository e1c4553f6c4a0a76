//! Party members and volunteers at home (RULES.md §11): report-ins and placements, the
//! households linked to a member, service records (hours and points), stations and their
//! evidence, activities and sign-ups, selections with nominations and objections, each county's
//! settings. Rules in `domain::service`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::orgs::segment_pattern;
use super::schema::{
    activities, activity_signups, member_households, member_reports, org_reports, selection_nominations,
    selection_objections, selections, service_records, service_settings, station_evidence, stations,
};
use super::AnyConnection;
use crate::domain::service::{
    ActivityStatus, NominatorKind, ReportStatus, SelectionKind, SelectionStatus, SignupStatus,
};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = org_reports)]
pub struct OrgReportRow {
    pub id: String,
    pub county_id: String,
    pub community_id: String,
    pub community_path: String,
    pub org_id: String,
    pub org_name: String,
    pub members: i32,
    pub reported_by: String,
    pub reported_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = member_reports, treat_none_as_null = true)]
pub struct MemberRow {
    pub id: String,
    pub county_id: String,
    pub community_id: String,
    pub community_path: String,
    pub owner_id: Option<String>,
    pub org_report_id: Option<String>,
    pub name: String,
    pub own_org_id: Option<String>,
    pub own_org_name: String,
    /// The skills, as a JSON array of text.
    pub skills: String,
    pub availability: String,
    pub status: String,
    pub placement_org_id: Option<String>,
    pub estate_id: Option<String>,
    pub post: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decline_reason: Option<String>,
    pub reported_by: String,
    pub reported_at: NaiveDateTime,
}
super::terms::term_columns!(MemberRow { status, set_status: ReportStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_records)]
pub struct RecordRow {
    pub id: String,
    pub county_id: String,
    pub community_path: String,
    /// `member:{id}`, `owner:{id}` or `team:{id}` (`http::service::hours::Subject`).
    pub subject: String,
    pub kind: String,
    pub source_id: String,
    pub minutes: i32,
    pub points: i64,
    pub served_on: NaiveDate,
    pub confirmed_as: String,
    pub confirmed_by: String,
    pub confirmed_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = stations, treat_none_as_null = true)]
pub struct StationRow {
    pub id: String,
    pub county_id: String,
    pub community_id: String,
    pub community_path: String,
    pub estate_id: Option<String>,
    pub code: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = station_evidence)]
pub struct EvidenceRow {
    pub station_id: String,
    pub item_code: String,
    pub note: String,
    /// The attachment ids, as a JSON array.
    pub attachments: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true)]
pub struct ActivityRow {
    pub id: String,
    pub county_id: String,
    pub community_id: String,
    pub community_path: String,
    pub station_id: Option<String>,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub cap: i32,
    pub admitted: i32,
    pub waiting: i32,
    pub checked_in: i32,
    /// The next sign-up's place in the order of signing (the waiting list moves up in it).
    pub next_seq: i32,
    pub status: String,
    pub created_by: String,
    pub announced_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    /// When the community recorded the hours of those who served.
    pub served_at: Option<NaiveDateTime>,
}
super::terms::term_columns!(ActivityRow { status, set_status: ActivityStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activity_signups, treat_none_as_null = true)]
pub struct SignupRow {
    pub id: String,
    pub activity_id: String,
    pub owner_id: String,
    pub status: String,
    pub seq: i32,
    pub signed_at: NaiveDateTime,
    pub admitted_at: Option<NaiveDateTime>,
    pub checked_in_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
}
super::terms::term_columns!(SignupRow { status, set_status: SignupStatus; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = selections, treat_none_as_null = true)]
pub struct SelectionRow {
    pub id: String,
    pub county_id: String,
    pub org_id: String,
    pub org_path: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub year: i32,
    pub publicity_days: i32,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub shortlisted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision: Option<String>,
}
super::terms::term_columns!(SelectionRow { status, set_status: SelectionStatus; kind, set_kind: SelectionKind; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = selection_nominations, treat_none_as_null = true)]
pub struct NominationRow {
    pub id: String,
    pub selection_id: String,
    pub nominee_name: String,
    pub company_id: Option<String>,
    pub estate_id: Option<String>,
    pub reason: String,
    pub nominator_kind: String,
    pub nominator_id: String,
    pub nominated_by: String,
    pub created_at: NaiveDateTime,
    pub shortlisted: bool,
    pub disqualified: bool,
    pub winner: bool,
}
super::terms::term_columns!(NominationRow { nominator_kind, set_nominator_kind: NominatorKind; });

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = selection_objections, treat_none_as_null = true)]
pub struct ObjectionRow {
    pub id: String,
    pub selection_id: String,
    pub nomination_id: String,
    pub owner_id: String,
    pub signature: String,
    pub text: String,
    pub filed_by: String,
    pub filed_at: NaiveDateTime,
    pub answer_due: NaiveDate,
    pub upheld: Option<bool>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
}

// Settings.

pub fn settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<Option<String>> {
    Ok(service_settings::table
        .find(county_id)
        .select(service_settings::settings)
        .first(conn)
        .optional()?)
}

pub fn save_settings(conn: &mut AnyConnection, county_id: &str, json: &str, at: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(service_settings::table.find(county_id))
        .set((service_settings::settings.eq(json), service_settings::updated_at.eq(at)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(service_settings::table)
            .values((
                service_settings::county_id.eq(county_id),
                service_settings::settings.eq(json),
                service_settings::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// Report-ins.

pub fn insert_org_report(conn: &mut AnyConnection, row: &OrgReportRow) -> AppResult<()> {
    diesel::insert_into(org_reports::table).values(row).execute(conn)?;
    Ok(())
}

pub fn org_report(conn: &mut AnyConnection, id: &str) -> AppResult<Option<OrgReportRow>> {
    Ok(org_reports::table
        .find(id)
        .select(OrgReportRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_members(conn: &mut AnyConnection, rows: &[MemberRow]) -> AppResult<()> {
    super::insert_batch!(conn, member_reports::table, rows)?;
    Ok(())
}

pub fn member(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MemberRow>> {
    Ok(member_reports::table
        .find(id)
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn member_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<MemberRow>> {
    Ok(super::first_for_change!(
        conn,
        member_reports::table.find(id).select(MemberRow::as_select())
    )?)
}

pub fn save_member(conn: &mut AnyConnection, row: &MemberRow) -> AppResult<()> {
    diesel::update(member_reports::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// The standing report (reported or placed) of an owner to a community, if any.
pub fn standing_of_owner(
    conn: &mut AnyConnection,
    owner_ids: &[String],
    community_id: &str,
) -> AppResult<Option<MemberRow>> {
    Ok(member_reports::table
        .filter(member_reports::owner_id.eq_any(owner_ids))
        .filter(member_reports::community_id.eq(community_id))
        .filter(member_reports::status.eq_any([ReportStatus::Reported.as_str(), ReportStatus::Placed.as_str()]))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every report of these owners (anywhere), newest first.
pub fn reports_of_owners(conn: &mut AnyConnection, owner_ids: &[String]) -> AppResult<Vec<MemberRow>> {
    Ok(member_reports::table
        .filter(member_reports::owner_id.eq_any(owner_ids))
        .order(member_reports::id.desc())
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// A community's reports, newest first, after the cursor; of one status when named.
pub fn members_page(
    conn: &mut AnyConnection,
    community_id: &str,
    status: Option<ReportStatus>,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<MemberRow>> {
    let mut q = member_reports::table
        .filter(member_reports::community_id.eq(community_id))
        .order(member_reports::id.desc())
        .limit(limit)
        .select(MemberRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(member_reports::status.eq(s.as_str()));
    }
    if let Some(b) = before {
        q = q.filter(member_reports::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// The placed members of a community (for its chain), in name order.
pub fn placed_in(conn: &mut AnyConnection, community_id: &str) -> AppResult<Vec<MemberRow>> {
    Ok(member_reports::table
        .filter(member_reports::community_id.eq(community_id))
        .filter(member_reports::status.eq(ReportStatus::Placed.as_str()))
        .order((member_reports::name.asc(), member_reports::id.asc()))
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// The members whose own party organisation is `org_id`, newest first, after the cursor.
pub fn members_of_own_org(
    conn: &mut AnyConnection,
    org_id: &str,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<MemberRow>> {
    let mut q = member_reports::table
        .filter(member_reports::own_org_id.eq(org_id))
        .order(member_reports::id.desc())
        .limit(limit)
        .select(MemberRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(member_reports::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// How many households each member is linked to.
pub fn household_counts(conn: &mut AnyConnection, member_ids: &[String]) -> AppResult<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for chunk in member_ids.chunks(super::BATCH_ROWS) {
        out.extend(
            member_households::table
                .filter(member_households::member_id.eq_any(chunk))
                .group_by(member_households::member_id)
                .select((member_households::member_id, diesel::dsl::count_star()))
                .load::<(String, i64)>(conn)?,
        );
    }
    Ok(out)
}

pub fn households(conn: &mut AnyConnection, member_id: &str) -> AppResult<Vec<String>> {
    Ok(member_households::table
        .filter(member_households::member_id.eq(member_id))
        .order(member_households::unit_id.asc())
        .select(member_households::unit_id)
        .load(conn)?)
}

pub fn set_households(
    conn: &mut AnyConnection,
    member_id: &str,
    unit_ids: &[String],
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::delete(member_households::table.filter(member_households::member_id.eq(member_id))).execute(conn)?;
    let rows: Vec<_> = unit_ids
        .iter()
        .map(|u| {
            (
                member_households::member_id.eq(member_id.to_string()),
                member_households::unit_id.eq(u.clone()),
                member_households::linked_at.eq(at),
            )
        })
        .collect();
    super::insert_batch!(conn, member_households::table, rows)?;
    Ok(())
}

// Service records.

/// Inserts records; one already there for the same source and subject is left as it is (a
/// confirmation is recorded once).
pub fn insert_records(conn: &mut AnyConnection, rows: &[RecordRow]) -> AppResult<usize> {
    let mut n = 0;
    for r in rows {
        n += super::each_backend!(conn, c => diesel::insert_into(service_records::table)
            .values(r)
            .on_conflict((service_records::kind, service_records::source_id, service_records::subject))
            .do_nothing()
            .execute(c))?;
    }
    Ok(n)
}

/// The records of subjects in a year (by the day served), newest first, after the cursor.
pub fn records_page(
    conn: &mut AnyConnection,
    subjects: &[String],
    from: NaiveDate,
    until: NaiveDate,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<RecordRow>> {
    let mut q = service_records::table
        .filter(service_records::subject.eq_any(subjects))
        .filter(service_records::served_on.between(from, until))
        .order(service_records::id.desc())
        .limit(limit)
        .select(RecordRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(service_records::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// `SUM` of an integer column as a BIGINT, 0 for no rows (PostgreSQL's `SUM(bigint)` is a
/// NUMERIC; the cast keeps both backends at i64).
fn total(column: &'static str) -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql::<diesel::sql_types::BigInt>(match column {
        "minutes" => "CAST(COALESCE(SUM(minutes), 0) AS BIGINT)",
        _ => "CAST(COALESCE(SUM(points), 0) AS BIGINT)",
    })
}

/// Per subject among `subjects`: (subject, services, minutes, points) in the days given.
pub fn totals_of(
    conn: &mut AnyConnection,
    subjects: &[String],
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<(String, i64, i64, i64)>> {
    let mut out = Vec::new();
    for chunk in subjects.chunks(super::BATCH_ROWS) {
        out.extend(
            service_records::table
                .filter(service_records::subject.eq_any(chunk))
                .filter(service_records::served_on.between(from, until))
                .group_by(service_records::subject)
                .select((
                    service_records::subject,
                    diesel::dsl::count_star(),
                    total("minutes"),
                    total("points"),
                ))
                .load::<(String, i64, i64, i64)>(conn)?,
        );
    }
    Ok(out)
}

/// Records under an organisation in the days given: (services, minutes, points).
pub fn totals_within(
    conn: &mut AnyConnection,
    org_id: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<(i64, i64, i64)> {
    Ok(service_records::table
        .filter(service_records::community_path.like(segment_pattern(org_id)))
        .filter(service_records::served_on.between(from, until))
        .select((diesel::dsl::count_star(), total("minutes"), total("points")))
        .first(conn)?)
}

// Stations.

pub fn insert_station(conn: &mut AnyConnection, row: &StationRow) -> AppResult<()> {
    diesel::insert_into(stations::table).values(row).execute(conn)?;
    Ok(())
}

pub fn station(conn: &mut AnyConnection, id: &str) -> AppResult<Option<StationRow>> {
    Ok(stations::table
        .find(id)
        .select(StationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_station(conn: &mut AnyConnection, row: &StationRow) -> AppResult<()> {
    diesel::update(stations::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

pub fn station_code_taken(conn: &mut AnyConnection, county_id: &str, code: &str, other_than: &str) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        stations::table
            .filter(stations::county_id.eq(county_id))
            .filter(stations::code.eq(code))
            .filter(stations::id.ne(other_than)),
    ))
    .get_result(conn)?)
}

/// The stations under an organisation (a community's, or all of a county's), by code.
pub fn stations_page(
    conn: &mut AnyConnection,
    org_id: &str,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<StationRow>> {
    let mut q = stations::table
        .filter(stations::community_path.like(segment_pattern(org_id)))
        .order(stations::id.asc())
        .limit(limit)
        .select(StationRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(stations::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

/// (station, community path) of every station under an organisation.
pub fn stations_within(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<(String, String)>> {
    Ok(stations::table
        .filter(stations::community_path.like(segment_pattern(org_id)))
        .select((stations::id, stations::community_path))
        .load(conn)?)
}

pub fn evidence_of(conn: &mut AnyConnection, station_ids: &[String]) -> AppResult<Vec<EvidenceRow>> {
    let mut out = Vec::new();
    for chunk in station_ids.chunks(super::BATCH_ROWS) {
        out.extend(
            station_evidence::table
                .filter(station_evidence::station_id.eq_any(chunk))
                .order((station_evidence::station_id.asc(), station_evidence::item_code.asc()))
                .select(EvidenceRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// (station, item) of the evidence of every station under an organisation.
pub fn evidence_within(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<(String, String)>> {
    Ok(station_evidence::table
        .inner_join(stations::table.on(stations::id.eq(station_evidence::station_id)))
        .filter(stations::community_path.like(segment_pattern(org_id)))
        .select((station_evidence::station_id, station_evidence::item_code))
        .load(conn)?)
}

pub fn put_evidence(conn: &mut AnyConnection, row: &EvidenceRow) -> AppResult<()> {
    let n = diesel::update(station_evidence::table.find((&row.station_id, &row.item_code)))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(station_evidence::table).values(row).execute(conn)?;
    }
    Ok(())
}

// Activities.

pub fn insert_activity(conn: &mut AnyConnection, row: &ActivityRow) -> AppResult<()> {
    diesel::insert_into(activities::table).values(row).execute(conn)?;
    Ok(())
}

pub fn activity(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ActivityRow>> {
    Ok(activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()?)
}

/// The activity locked for change: sign-ups of one activity run one after the other, so the
/// cap is counted exactly (SQLite has one writer; PostgreSQL locks the row).
pub fn activity_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ActivityRow>> {
    Ok(super::first_for_change!(
        conn,
        activities::table.find(id).select(ActivityRow::as_select())
    )?)
}

pub fn save_activity(conn: &mut AnyConnection, row: &ActivityRow) -> AppResult<()> {
    diesel::update(activities::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Activities of communities (by id), latest start first, after the cursor (start, id).
pub fn activities_page(
    conn: &mut AnyConnection,
    community_ids: &[String],
    upcoming_from: Option<NaiveDateTime>,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<ActivityRow>> {
    let mut q = activities::table
        .filter(activities::community_id.eq_any(community_ids))
        .order((activities::starts_at.desc(), activities::id.desc()))
        .limit(limit)
        .select(ActivityRow::as_select())
        .into_boxed();
    if let Some(t) = upcoming_from {
        q = q.filter(activities::starts_at.gt(t));
    }
    if let Some((at, id)) = before {
        q = q.filter(
            activities::starts_at
                .lt(at)
                .or(activities::starts_at.eq(at).and(activities::id.lt(id))),
        );
    }
    Ok(q.load(conn)?)
}

/// Activities under an organisation that were not cancelled and started in the days given:
/// (community path, station, checked in).
pub fn activities_within(
    conn: &mut AnyConnection,
    org_id: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(String, Option<String>, i32)>> {
    Ok(activities::table
        .filter(activities::community_path.like(segment_pattern(org_id)))
        .filter(activities::starts_at.ge(from))
        .filter(activities::starts_at.lt(until))
        .filter(activities::status.ne(ActivityStatus::Cancelled.as_str()))
        .select((
            activities::community_path,
            activities::station_id,
            activities::checked_in,
        ))
        .load(conn)?)
}

pub fn insert_signup(conn: &mut AnyConnection, row: &SignupRow) -> AppResult<()> {
    diesel::insert_into(activity_signups::table).values(row).execute(conn)?;
    Ok(())
}

pub fn signup(conn: &mut AnyConnection, id: &str) -> AppResult<Option<SignupRow>> {
    Ok(activity_signups::table
        .find(id)
        .select(SignupRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn signup_of(conn: &mut AnyConnection, activity_id: &str, owner_ids: &[String]) -> AppResult<Option<SignupRow>> {
    Ok(activity_signups::table
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::owner_id.eq_any(owner_ids))
        .order(activity_signups::seq.desc())
        .select(SignupRow::as_select())
        .first(conn)
        .optional()?)
}

/// The sign-ups of these owners for these activities.
pub fn signups_of_owners(
    conn: &mut AnyConnection,
    activity_ids: &[String],
    owner_ids: &[String],
) -> AppResult<Vec<SignupRow>> {
    Ok(activity_signups::table
        .filter(activity_signups::activity_id.eq_any(activity_ids))
        .filter(activity_signups::owner_id.eq_any(owner_ids))
        .select(SignupRow::as_select())
        .load(conn)?)
}

pub fn save_signup(conn: &mut AnyConnection, row: &SignupRow) -> AppResult<()> {
    diesel::update(activity_signups::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// The first on the waiting list (the earliest signed up).
pub fn first_waiting(conn: &mut AnyConnection, activity_id: &str) -> AppResult<Option<SignupRow>> {
    Ok(activity_signups::table
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::status.eq(SignupStatus::Waiting.as_str()))
        .order(activity_signups::seq.asc())
        .select(SignupRow::as_select())
        .first(conn)
        .optional()?)
}

/// An activity's sign-ups in the order of signing, with the owner's name, after the cursor.
pub fn signups_page(
    conn: &mut AnyConnection,
    activity_id: &str,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Vec<(SignupRow, String)>> {
    use super::schema::owners;
    let mut q = activity_signups::table
        .inner_join(owners::table.on(owners::id.eq(activity_signups::owner_id)))
        .filter(activity_signups::activity_id.eq(activity_id))
        .order(activity_signups::seq.asc())
        .limit(limit)
        .select((SignupRow::as_select(), owners::name))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(activity_signups::seq.gt(a));
    }
    Ok(q.load(conn)?)
}

/// The owners whose sign-ups stand (admitted, waiting, checked in), for a cancellation's notice.
pub fn standing_signups(conn: &mut AnyConnection, activity_id: &str) -> AppResult<Vec<SignupRow>> {
    Ok(activity_signups::table
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::status.ne(SignupStatus::Cancelled.as_str()))
        .select(SignupRow::as_select())
        .load(conn)?)
}

pub fn cancel_signups(conn: &mut AnyConnection, activity_id: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(
        activity_signups::table
            .filter(activity_signups::activity_id.eq(activity_id))
            .filter(activity_signups::status.ne(SignupStatus::Cancelled.as_str())),
    )
    .set((
        activity_signups::status.eq(SignupStatus::Cancelled.as_str()),
        activity_signups::cancelled_at.eq(at),
    ))
    .execute(conn)?;
    Ok(())
}

// Selections.

pub fn insert_selection(conn: &mut AnyConnection, row: &SelectionRow) -> AppResult<()> {
    diesel::insert_into(selections::table).values(row).execute(conn)?;
    Ok(())
}

pub fn selection(conn: &mut AnyConnection, id: &str) -> AppResult<Option<SelectionRow>> {
    Ok(selections::table
        .find(id)
        .select(SelectionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn selection_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<SelectionRow>> {
    Ok(super::first_for_change!(
        conn,
        selections::table.find(id).select(SelectionRow::as_select())
    )?)
}

pub fn save_selection(conn: &mut AnyConnection, row: &SelectionRow) -> AppResult<()> {
    diesel::update(selections::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Selections organised by an organisation or one below it, newest first.
pub fn selections_page(
    conn: &mut AnyConnection,
    org_id: &str,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<SelectionRow>> {
    let mut q = selections::table
        .filter(selections::org_path.like(segment_pattern(org_id)))
        .order(selections::id.desc())
        .limit(limit)
        .select(SelectionRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(selections::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Selections in publicity or decided whose organiser's path is one of `org_ids`' chain, for
/// an estate's notice board: the newest `limit`.
pub fn public_selections(conn: &mut AnyConnection, org_ids: &[String], limit: i64) -> AppResult<Vec<SelectionRow>> {
    Ok(selections::table
        .filter(selections::org_id.eq_any(org_ids))
        .filter(selections::status.ne(SelectionStatus::Nominating.as_str()))
        .order(selections::id.desc())
        .limit(limit)
        .select(SelectionRow::as_select())
        .load(conn)?)
}

pub fn insert_nomination(conn: &mut AnyConnection, row: &NominationRow) -> AppResult<()> {
    diesel::insert_into(selection_nominations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn nomination(conn: &mut AnyConnection, id: &str) -> AppResult<Option<NominationRow>> {
    Ok(selection_nominations::table
        .find(id)
        .select(NominationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_nomination(conn: &mut AnyConnection, row: &NominationRow) -> AppResult<()> {
    diesel::update(selection_nominations::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn nominations_of(conn: &mut AnyConnection, selection_id: &str) -> AppResult<Vec<NominationRow>> {
    Ok(selection_nominations::table
        .filter(selection_nominations::selection_id.eq(selection_id))
        .order(selection_nominations::id.asc())
        .select(NominationRow::as_select())
        .load(conn)?)
}

/// How many winners of selections decided in the days given name each of these companies.
pub fn winners_of_companies(
    conn: &mut AnyConnection,
    company_ids: &[String],
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<(String, i64)>> {
    let rows: Vec<Option<String>> = selection_nominations::table
        .inner_join(selections::table.on(selections::id.eq(selection_nominations::selection_id)))
        .filter(selection_nominations::company_id.eq_any(company_ids))
        .filter(selection_nominations::winner.eq(true))
        .filter(selections::decided_at.ge(from))
        .filter(selections::decided_at.lt(until))
        .select(selection_nominations::company_id)
        .load(conn)?;
    let mut counts = std::collections::BTreeMap::<String, i64>::new();
    for c in rows.into_iter().flatten() {
        *counts.entry(c).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

pub fn insert_objection(conn: &mut AnyConnection, row: &ObjectionRow) -> AppResult<()> {
    diesel::insert_into(selection_objections::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn objection_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ObjectionRow>> {
    Ok(super::first_for_change!(
        conn,
        selection_objections::table.find(id).select(ObjectionRow::as_select())
    )?)
}

pub fn save_objection(conn: &mut AnyConnection, row: &ObjectionRow) -> AppResult<()> {
    diesel::update(selection_objections::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn objections_of(conn: &mut AnyConnection, selection_id: &str) -> AppResult<Vec<ObjectionRow>> {
    Ok(selection_objections::table
        .filter(selection_objections::selection_id.eq(selection_id))
        .order(selection_objections::id.asc())
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// Members reported under an organisation: (community path, status).
pub fn members_within(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<(String, String, i64)>> {
    Ok(member_reports::table
        .filter(member_reports::community_path.like(segment_pattern(org_id)))
        .group_by((member_reports::community_path, member_reports::status))
        .select((
            member_reports::community_path,
            member_reports::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// The current holdings of these owners: (owner, the estate's community path).
pub fn holdings(conn: &mut AnyConnection, owner_ids: &[String]) -> AppResult<Vec<(String, String)>> {
    use super::schema::{estates, ownerships};
    Ok(ownerships::table
        .inner_join(estates::table.on(estates::id.eq(ownerships::estate_id)))
        .filter(ownerships::owner_id.eq_any(owner_ids))
        .filter(ownerships::ended_at.is_null())
        .select((ownerships::owner_id, estates::community_path))
        .distinct()
        .load(conn)?)
}

/// The estates of a community.
pub fn estates_of_community(conn: &mut AnyConnection, community_id: &str) -> AppResult<Vec<super::estates::EstateRow>> {
    use super::schema::estates;
    Ok(estates::table
        .filter(estates::community_id.eq(community_id))
        .order(estates::id.asc())
        .select(super::estates::EstateRow::as_select())
        .load(conn)?)
}

/// The members an organisation's report-in brought, in the order given.
pub fn members_of_org_report(conn: &mut AnyConnection, report_id: &str) -> AppResult<Vec<MemberRow>> {
    Ok(member_reports::table
        .filter(member_reports::org_report_id.eq(report_id))
        .order(member_reports::id.asc())
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// How many of a community's reports wait for it.
pub fn count_awaiting(conn: &mut AnyConnection, community_id: &str) -> AppResult<i64> {
    Ok(member_reports::table
        .filter(member_reports::community_id.eq(community_id))
        .filter(member_reports::status.eq(ReportStatus::Reported.as_str()))
        .count()
        .get_result(conn)?)
}

/// How many wait ahead of the sign-up numbered `seq`.
pub fn waiting_ahead(conn: &mut AnyConnection, activity_id: &str, seq: i32) -> AppResult<i64> {
    Ok(activity_signups::table
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::status.eq(SignupStatus::Waiting.as_str()))
        .filter(activity_signups::seq.lt(seq))
        .count()
        .get_result(conn)?)
}

/// Records under an organisation in the days given, per community: (path, services, minutes, points).
pub fn records_within(
    conn: &mut AnyConnection,
    org_id: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<(String, i64, i64, i64)>> {
    Ok(service_records::table
        .filter(service_records::community_path.like(segment_pattern(org_id)))
        .filter(service_records::served_on.between(from, until))
        .group_by(service_records::community_path)
        .select((
            service_records::community_path,
            diesel::dsl::count_star(),
            total("minutes"),
            total("points"),
        ))
        .load(conn)?)
}
