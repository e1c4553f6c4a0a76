//! Service hours and points (RULES.md §11). Nothing is self-declared alone: an order's minutes,
//! reported by the party member or team with "done", become hours only when the resident served
//! confirms it (explicitly, within the ledger's confirmation window, counted from server time);
//! an activity's are recorded by the community after it ends. Points follow the county's table.
//! A member's or a team's year is readable and exportable.

use super::reports::{load_member, utc};
use super::views::members_out;
use super::*;
use crate::db::ledger::ItemRow;
use crate::db::service::RecordRow;
use crate::domain::ids;
use crate::domain::ledger::AssigneeKind;
use crate::domain::service::{self, ConfirmedAs, ServiceKind};
use crate::error::reason;
use crate::http::ledger::ItemCtx;
use crate::http::money::MoneyFile;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::BearerAuth;
use crate::AppState;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

pub struct HoursApi;

/// Whose hours a record counts to: a reporting member, an owner party member who has not
/// reported in (a resident of the estate), or a volunteer team.
pub(crate) enum Subject<'a> {
    Member(&'a str),
    Owner(&'a str),
    Team(&'a str),
}

impl Subject<'_> {
    pub fn key(&self) -> String {
        match self {
            Subject::Member(id) => format!("member:{id}"),
            Subject::Owner(id) => format!("owner:{id}"),
            Subject::Team(id) => format!("team:{id}"),
        }
    }
}

/// The minutes an assignee reports with "done": only for an order a party member or a volunteer
/// team took (a company's or a department's work is not volunteer service).
pub(crate) fn minutes_for_done(item: &ItemRow, minutes: Option<u32>) -> AppResult<Option<i32>> {
    let volunteer = matches!(
        item.assignee_kind.as_deref().and_then(AssigneeKind::parse),
        Some(AssigneeKind::PartyMember | AssigneeKind::VolunteerTeam)
    );
    match minutes {
        Some(_) if !volunteer => Err(AppError::invalid(
            "service_minutes",
            reason::NOT_ALLOWED,
            "service minutes are reported for an order a party member or a volunteer team took",
        )),
        m => Ok(m.map(|m| m.min(service::MAX_MINUTES) as i32)),
    }
}

/// On the reporter's confirmation of an order a party member or a team took: its minutes become
/// hours, unless the one confirming is the one who served (then nothing is recorded).
pub(crate) fn record_order(
    conn: &mut AnyConnection,
    caller: &Caller,
    ctx: &ItemCtx,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let item = &ctx.item;
    let (Some(minutes), Some(kind), Some(taker)) = (
        item.service_minutes,
        item.assignee_kind.as_deref().and_then(AssigneeKind::parse),
        item.assignee_id.as_deref(),
    ) else {
        return Ok(());
    };
    if !service::records_hours(ctx.caller_is_assignee(), true) {
        return Ok(());
    }
    let community = &ctx.estate.estate.community_id;
    let member = match kind {
        AssigneeKind::PartyMember => db::service::standing_of_owner(conn, &[taker.to_string()], community)?
            .filter(|m| m.status().ok() == Some(crate::domain::service::ReportStatus::Placed)),
        _ => None,
    };
    let subject = match (kind, &member) {
        (AssigneeKind::PartyMember, Some(m)) => Subject::Member(&m.id),
        (AssigneeKind::PartyMember, None) => Subject::Owner(taker),
        (AssigneeKind::VolunteerTeam, _) => Subject::Team(taker),
        _ => return Ok(()),
    };
    let county = crate::domain::registry::county_of(&ctx.estate.estate.community_path);
    let table = figures::county_settings(conn, &county)?.points_table();
    let row = RecordRow {
        id: ids::new_id(),
        county_id: county,
        community_path: ctx.estate.estate.community_path.clone(),
        subject: subject.key(),
        kind: ServiceKind::Order.as_str().into(),
        source_id: item.id.clone(),
        minutes,
        points: table.points(ServiceKind::Order, minutes as u32),
        served_on: ids::local_date(item.resolved_at.unwrap_or(now)),
        confirmed_as: ConfirmedAs::Resident.as_str().into(),
        confirmed_by: caller.principal.actor_id().to_string(),
        confirmed_at: now,
    };
    db::service::insert_records(conn, &[row])?;
    Ok(())
}

/// Hours as people read them: one decimal, rounded down.
pub(crate) fn hours_text(minutes: i64) -> String {
    let tenths = minutes * 10 / 60;
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn record_out(r: RecordRow) -> AppResult<ServiceRecord> {
    Ok(ServiceRecord {
        kind: db::terms::stored(&r.kind)?,
        confirmed_as: db::terms::stored(&r.confirmed_as)?,
        id: r.id,
        source_id: r.source_id,
        minutes: r.minutes,
        points: r.points,
        served_on: r.served_on,
        confirmed_at: utc(r.confirmed_at),
    })
}

/// A year of the subjects' records: totals and a page of records.
fn year_of(
    conn: &mut AnyConnection,
    name: String,
    subjects: &[String],
    year: i32,
    before: Option<&str>,
    limit: i64,
) -> AppResult<ServiceYear> {
    let (from, until) = year_days(year)?;
    let totals = db::service::totals_of(conn, subjects, from, until)?;
    let (services, minutes, points) = totals
        .iter()
        .fold((0, 0, 0), |(n, m, p), (_, a, b, c)| (n + a, m + b, p + c));
    let rows = db::service::records_page(conn, subjects, from, until, before, paging::fetch(limit))?;
    let (rows, next_cursor) = paging::page(rows, limit, |r| r.id.clone());
    Ok(ServiceYear {
        name,
        year,
        services,
        minutes,
        hours: hours_text(minutes),
        points,
        records: Page {
            items: rows.into_iter().map(record_out).collect::<AppResult<_>>()?,
            next_cursor,
        },
    })
}

/// A member's subjects: their report, and their owner record's orders taken before they reported in.
fn member_subjects(m: &crate::db::service::MemberRow) -> Vec<String> {
    let mut s = vec![Subject::Member(&m.id).key()];
    if let Some(o) = &m.owner_id {
        s.push(Subject::Owner(o).key());
    }
    s
}

/// A volunteer team the caller may read the service of: the community's officials, its members.
fn team_for(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<crate::db::ledger::TeamRow> {
    let not_found = || AppError::NotFound { what: "volunteer team" };
    let team = db::ledger::team(conn, id)?.ok_or_else(not_found)?;
    let area = AreaCtx::load(conn, caller, &team.community_id)?;
    let official = authorize(&caller.principal, &Action::ViewServiceFigures(area.office_place())).is_ok();
    let member = db::ledger::teams_of_owners(conn, &caller.principal.owner_ids())?.contains(&team.id);
    if !official && !member {
        return Err(not_found());
    }
    Ok(team)
}

/// The year's records as a workbook.
fn workbook(name: &str, y: &ServiceYear, rows: Vec<RecordRow>) -> AppResult<Vec<u8>> {
    use crate::http::ratings::export::{self, Cell, Sheet};
    let summary = Sheet {
        name: "汇总",
        headers: ["姓名/队伍", "年度", "服务次数", "服务时长(小时)", "积分"]
            .map(String::from)
            .to_vec(),
        rows: vec![vec![
            Cell::Text(name.to_string()),
            Cell::Int(y.year as i64),
            Cell::Int(y.services),
            Cell::Text(y.hours.clone()),
            Cell::Int(y.points),
        ]],
    };
    let records = Sheet {
        name: "服务记录",
        headers: ["服务日期", "类型", "时长(分钟)", "积分", "确认方", "确认时间"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                let kind = ServiceKind::parse(&r.kind).map_or("", |k| k.label());
                let by = ConfirmedAs::parse(&r.confirmed_as).map_or("", |k| k.label());
                vec![
                    Cell::Text(r.served_on.to_string()),
                    Cell::Text(kind.into()),
                    Cell::Int(r.minutes as i64),
                    Cell::Int(r.points),
                    Cell::Text(by.into()),
                    Cell::Text(crate::http::notices::raise::local(r.confirmed_at)),
                ]
            })
            .collect(),
    };
    export::xlsx(&[summary, records])
}

fn file(bytes: Vec<u8>, name: String) -> MoneyFile {
    MoneyFile::File(
        poem_openapi::payload::Binary(bytes),
        crate::http::ratings::XLSX.into(),
        crate::http::attachments::content_disposition(&name).replacen("inline", "attachment", 1),
    )
}

/// The records of a year, all of them (an export).
fn all_records(conn: &mut AnyConnection, subjects: &[String], year: i32) -> AppResult<Vec<RecordRow>> {
    let (from, until) = year_days(year)?;
    db::service::records_page(conn, subjects, from, until, None, i64::MAX)
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl HoursApi {
    /// A member's year of service: hours and points by record, newest first (the current year
    /// unless named).
    ///
    /// The community and the officials over it, the member, their own party organisation.
    #[oai(
        path = "/member-reports/:id/service",
        method = "get",
        operation_id = "getMemberService"
    )]
    async fn member_year(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ServiceYear>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (m, _, _) = load_member(c, &caller, &id.0, false)?;
                year_of(
                    c,
                    m.name.clone(),
                    &member_subjects(&m),
                    year_or_this(year.0),
                    before.as_deref(),
                    limit,
                )
            })
            .await?;
        Ok(Json(out))
    }

    /// A member's year as a workbook (汇总 + 服务记录).
    ///
    /// As `GET /member-reports/{id}/service`.
    #[oai(
        path = "/member-reports/:id/service/export",
        method = "get",
        operation_id = "exportMemberService"
    )]
    async fn member_export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
    ) -> ApiResult<MoneyFile> {
        let caller = auth.0;
        let (bytes, name) = state
            .db
            .read(move |c| {
                let (m, _, _) = load_member(c, &caller, &id.0, false)?;
                let year = year_or_this(year.0);
                let subjects = member_subjects(&m);
                let y = year_of(c, m.name.clone(), &subjects, year, None, 1)?;
                let rows = all_records(c, &subjects, year)?;
                Ok((workbook(&m.name, &y, rows)?, format!("service-{}-{year}.xlsx", m.id)))
            })
            .await?;
        Ok(file(bytes, name))
    }

    /// A volunteer team's year of service.
    ///
    /// The community's officials and those over it; the team's members.
    #[oai(
        path = "/volunteer-teams/:id/service",
        method = "get",
        operation_id = "getTeamService"
    )]
    async fn team_year(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ServiceYear>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let team = team_for(c, &caller, &id.0)?;
                let subjects = [Subject::Team(&team.id).key()];
                year_of(
                    c,
                    team.name.clone(),
                    &subjects,
                    year_or_this(year.0),
                    before.as_deref(),
                    limit,
                )
            })
            .await?;
        Ok(Json(out))
    }

    /// A volunteer team's year as a workbook.
    ///
    /// As `GET /volunteer-teams/{id}/service`.
    #[oai(
        path = "/volunteer-teams/:id/service/export",
        method = "get",
        operation_id = "exportTeamService"
    )]
    async fn team_export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
    ) -> ApiResult<MoneyFile> {
        let caller = auth.0;
        let (bytes, name) = state
            .db
            .read(move |c| {
                let team = team_for(c, &caller, &id.0)?;
                let year = year_or_this(year.0);
                let subjects = [Subject::Team(&team.id).key()];
                let y = year_of(c, team.name.clone(), &subjects, year, None, 1)?;
                let rows = all_records(c, &subjects, year)?;
                Ok((
                    workbook(&team.name, &y, rows)?,
                    format!("service-{}-{year}.xlsx", team.id),
                ))
            })
            .await?;
        Ok(file(bytes, name))
    }

    /// The caller's own service at home: their report-ins (with the households linked to them)
    /// and their year of hours and points.
    ///
    /// Owners.
    #[oai(path = "/me/service", method = "get", operation_id = "getMyService")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<MyService>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let owners = caller.principal.owner_ids();
                if owners.is_empty() {
                    return Err(AppError::forbidden());
                }
                let reports = db::service::reports_of_owners(c, &owners)?;
                let mut subjects: Vec<String> = owners.iter().map(|o| Subject::Owner(o).key()).collect();
                subjects.extend(reports.iter().map(|m| Subject::Member(&m.id).key()));
                let name = match reports.first() {
                    Some(m) => m.name.clone(),
                    None => db::owners::get(c, &owners[0])?.map(|o| o.name).unwrap_or_default(),
                };
                let year = year_of(c, name, &subjects, year_or_this(year.0), before.as_deref(), limit)?;
                Ok(MyService {
                    reports: members_out(c, reports, true)?,
                    year,
                })
            })
            .await?;
        Ok(Json(out))
    }
}

/// Records for those who served at an activity, confirmed by the community (`activities.rs`).
pub(crate) fn activity_records(
    conn: &mut AnyConnection,
    area: &AreaCtx,
    activity: &crate::db::service::ActivityRow,
    servers: &[ActivityServer],
    confirmed_by: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<Vec<RecordRow>> {
    let table = figures::county_settings(conn, &area.county_id())?.points_table();
    let mut rows: Vec<RecordRow> = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        let field = "servers";
        let subject = match (&s.member_id, &s.team_id) {
            (Some(m), None) => {
                let ok = db::service::member(conn, m)?.is_some_and(|r| {
                    r.community_id == area.org.id
                        && r.status().ok() == Some(crate::domain::service::ReportStatus::Placed)
                });
                if !ok {
                    return Err(AppError::invalid(
                        field,
                        reason::WRONG_COMMUNITY,
                        format!("server {}: not a placed member of this community", i + 1),
                    ));
                }
                Subject::Member(m).key()
            }
            (None, Some(t)) => {
                if db::ledger::team(conn, t)?.is_none_or(|t| t.community_id != area.org.id) {
                    return Err(AppError::invalid(
                        field,
                        reason::WRONG_COMMUNITY,
                        format!("server {}: not a volunteer team of this community", i + 1),
                    ));
                }
                Subject::Team(t).key()
            }
            _ => {
                return Err(AppError::invalid(
                    field,
                    reason::CONFLICT,
                    format!("server {}: name a member or a team (one of the two)", i + 1),
                ))
            }
        };
        if rows.iter().any(|r| r.subject == subject) {
            return Err(AppError::invalid(
                field,
                reason::DUPLICATE,
                format!("server {}: named twice", i + 1),
            ));
        }
        rows.push(RecordRow {
            id: ids::new_id(),
            county_id: area.county_id(),
            community_path: area.org.path.clone(),
            subject,
            kind: ServiceKind::Activity.as_str().into(),
            source_id: activity.id.clone(),
            minutes: s.minutes as i32,
            points: table.points(ServiceKind::Activity, s.minutes),
            served_on: ids::local_date(activity.starts_at),
            confirmed_as: ConfirmedAs::Community.as_str().into(),
            confirmed_by: confirmed_by.to_string(),
            confirmed_at: now,
        });
    }
    Ok(rows)
}
