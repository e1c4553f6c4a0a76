//! A county's settings (the station standard, the points table, households per member), the
//! figures of an area (members reported and placed, stations and those meeting the standard,
//! activities and people served, hours and points — per community), and the yearly report of
//! members' service to their own party organisation.

use super::hours::hours_text;
use super::*;
use crate::domain::ids;
use crate::domain::service::{self, PointsTable, ReportStatus};
use crate::error::reason;
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::BearerAuth;
use crate::AppState;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use std::collections::{BTreeMap, HashMap, HashSet};

pub struct FiguresApi;

impl ServiceSettings {
    pub fn defaults() -> ServiceSettings {
        ServiceSettings {
            standard: service::EIGHT_HAVES
                .iter()
                .map(|i| StandardItem {
                    code: i.code.into(),
                    name: i.name.into(),
                })
                .collect(),
            points_per_hour: PointsPerHour {
                order: PointsTable::DEFAULT.order_per_hour,
                activity: PointsTable::DEFAULT.activity_per_hour,
            },
            households_per_member: 2,
        }
    }

    pub fn points_table(&self) -> PointsTable {
        PointsTable {
            order_per_hour: self.points_per_hour.order,
            activity_per_hour: self.points_per_hour.activity,
        }
    }
}

/// A county's settings (its own, or the defaults).
pub(crate) fn county_settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<ServiceSettings> {
    match db::service::settings(conn, county_id)? {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("stored service settings: {e}")))
        }
        None => Ok(ServiceSettings::defaults()),
    }
}

/// The county an organisation path names, loaded as a county (404 for any other organisation).
fn county_area(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    acts: Acts,
) -> AppResult<(AreaCtx, db::audit::Actor)> {
    let (area, actor) = area_for(conn, caller, id, acts, true)?;
    if area.org.kind != OrgKind::County.as_str() {
        return Err(AppError::NotFound { what: "county" });
    }
    Ok((area, actor))
}

/// The figures of an area: grouped in the database by community, added up here.
fn figures_of(conn: &mut AnyConnection, area: &AreaCtx, year: i32) -> AppResult<ServiceFigures> {
    let (from, until) = year_days(year)?;
    let standard: Vec<String> = county_settings(conn, &area.county_id())?
        .standard
        .into_iter()
        .map(|i| i.code)
        .collect();
    let mut by: BTreeMap<String, CommunityFigures> = BTreeMap::new();
    // A community path ends in the community's id: `/county/street/community/`.
    let community_of = |path: &str| {
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    for (path, status, n) in db::service::members_within(conn, &area.org.id)? {
        let f = by.entry(community_of(&path)).or_default();
        match ReportStatus::parse(&status) {
            Some(ReportStatus::Placed) => {
                f.members_placed += n;
                f.members_reported += n;
            }
            Some(ReportStatus::Reported) => f.members_reported += n,
            _ => {}
        }
    }
    let stations = db::service::stations_within(conn, &area.org.id)?;
    let mut evidenced: HashMap<String, HashSet<String>> = HashMap::new();
    for (station, item) in db::service::evidence_within(conn, &area.org.id)? {
        evidenced.entry(station).or_default().insert(item);
    }
    for (station, path) in &stations {
        let f = by.entry(community_of(path)).or_default();
        f.stations += 1;
        let have = evidenced.get(station);
        if standard.iter().all(|code| have.is_some_and(|h| h.contains(code))) {
            f.stations_meeting_standard += 1;
        }
    }
    let start = ids::start_of_local_day(from);
    let end = ids::start_of_local_day(until + chrono::Duration::days(1));
    for (path, _, checked_in) in db::service::activities_within(conn, &area.org.id, start, end)? {
        let f = by.entry(community_of(&path)).or_default();
        f.activities += 1;
        f.people_served += checked_in as i64;
    }
    for (path, n, minutes, points) in db::service::records_within(conn, &area.org.id, from, until)? {
        let f = by.entry(community_of(&path)).or_default();
        f.services += n;
        f.minutes += minutes;
        f.points += points;
    }
    let mut out = ServiceFigures {
        org_id: area.org.id.clone(),
        org_name: area.org.name.clone(),
        year,
        ..ServiceFigures::default()
    };
    let names: HashMap<String, String> = db::orgs::names(conn, &by.keys().cloned().collect::<Vec<_>>())?;
    for (id, mut f) in by {
        out.members_reported += f.members_reported;
        out.members_placed += f.members_placed;
        out.stations += f.stations;
        out.stations_meeting_standard += f.stations_meeting_standard;
        out.activities += f.activities;
        out.people_served += f.people_served;
        out.services += f.services;
        out.minutes += f.minutes;
        out.points += f.points;
        f.name = names.get(&id).cloned().unwrap_or_default();
        f.community_id = id;
        out.communities.push(f);
    }
    out.hours = hours_text(out.minutes);
    Ok(out)
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl FiguresApi {
    /// A county's settings for party members and volunteers (its own, or the defaults).
    ///
    /// Whoever sees the county.
    #[oai(
        path = "/orgs/:id/service-settings",
        method = "get",
        operation_id = "getServiceSettings"
    )]
    async fn settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<ServiceSettings>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = county_area(c, &caller, &id.0, Acts::ViewPublic)?;
                county_settings(c, &area.org.id)
            })
            .await?;
        Ok(Json(out))
    }

    /// Set a county's station standard, points table and households per member. Records keep
    /// the points they were given.
    ///
    /// The bureau of the county, administrators.
    #[oai(
        path = "/orgs/:id/service-settings",
        method = "put",
        operation_id = "putServiceSettings"
    )]
    async fn put_settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<ServiceSettings>,
    ) -> ApiResult<Json<ServiceSettings>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (area, actor) = county_area(c, &caller, &id.0, Acts::ManageServiceSettings)?;
                let mut seen = HashSet::new();
                if let Some(dup) = b.standard.iter().find(|i| !seen.insert(i.code.clone())) {
                    return Err(AppError::invalid(
                        "standard",
                        reason::DUPLICATE,
                        format!("the code `{}` is given twice", dup.code),
                    ));
                }
                let json = serde_json::to_string(&b).map_err(|e| AppError::Internal(e.to_string()))?;
                db::service::save_settings(c, &area.org.id, &json, ids::now())?;
                trail.record(
                    &actor,
                    "service.settings",
                    "organisation",
                    &area.org.id,
                    &serde_json::to_value(&b).unwrap_or_default(),
                )?;
                Ok(b)
            })
            .await?;
        Ok(Json(out))
    }

    /// The figures of an area (a county, a street or township, a community) for a year:
    /// members reported and placed, stations and those meeting the standard, activities and the
    /// residents checked in, confirmed services with their hours and points — community by community.
    ///
    /// The bureau, the party organisations at or above the area, administrators.
    #[oai(
        path = "/orgs/:id/service-figures",
        method = "get",
        operation_id = "getServiceFigures"
    )]
    async fn figures(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The organisation.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
    ) -> ApiResult<Json<ServiceFigures>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewServiceFigures, true)?;
                let year = year_or_this(year.0);
                figures_of(c, &area, year)
            })
            .await?;
        Ok(Json(out))
    }

    /// The yearly report to a party organisation of its members' service where they live
    /// (在职党员到社区报到服务情况): each member reported in, their community, services, hours and
    /// points; newest report first.
    ///
    /// The organisation's own people (its party organisation or those above it; a
    /// department's users), administrators.
    #[oai(
        path = "/orgs/:id/members-service",
        method = "get",
        operation_id = "getMembersServiceReport"
    )]
    async fn members_service(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The member's own party organisation.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// The year (this one unless named).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<MembersServiceReport>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &id.0)?.ok_or(AppError::NotFound { what: "organisation" })?;
                if authorize(&caller.principal, &Action::ReadMembersService(own_org_place(&org))).is_err() {
                    return Err(AppError::NotFound { what: "organisation" });
                }
                let year = year_or_this(year.0);
                let (from, until) = year_days(year)?;
                let rows = db::service::members_of_own_org(c, &org.id, before.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |m| m.id.clone());
                let mut subjects = Vec::new();
                for m in &rows {
                    subjects.push(format!("member:{}", m.id));
                    if let Some(o) = &m.owner_id {
                        subjects.push(format!("owner:{o}"));
                    }
                }
                let totals: HashMap<String, (i64, i64, i64)> = db::service::totals_of(c, &subjects, from, until)?
                    .into_iter()
                    .map(|(s, n, m, p)| (s, (n, m, p)))
                    .collect();
                let communities: Vec<String> = rows.iter().map(|m| m.community_id.clone()).collect();
                let names = db::orgs::names(c, &communities)?;
                let mut items = Vec::new();
                for m in rows {
                    let mut t = totals.get(&format!("member:{}", m.id)).copied().unwrap_or_default();
                    if let Some(o) = m.owner_id.as_ref().and_then(|o| totals.get(&format!("owner:{o}"))) {
                        t = (t.0 + o.0, t.1 + o.1, t.2 + o.2);
                    }
                    items.push(MemberYear {
                        status: m.status()?,
                        member_id: m.id,
                        name: m.name,
                        community_name: names.get(&m.community_id).cloned().unwrap_or_default(),
                        community_id: m.community_id,
                        services: t.0,
                        minutes: t.1,
                        hours: hours_text(t.1),
                        points: t.2,
                    });
                }
                Ok(MembersServiceReport {
                    org_id: org.id,
                    year,
                    members: Page { items, next_cursor },
                })
            })
            .await?;
        Ok(Json(out))
    }
}
