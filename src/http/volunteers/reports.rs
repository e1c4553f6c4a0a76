//! Report-ins (双报到): a resident party member reports to their community (or the community
//! records it for them), an organisation reports in with the members it brings; the community
//! places each member down the chain (estate party branch, building group, unit head or central
//! household) and links households to them. Household links are shown to the community and the
//! member only; the chain (names and posts) to whoever sees the community.

use super::views::{member_out, members_out, org_report_out};
use super::*;
use crate::db::service::{MemberRow, OrgReportRow};
use crate::domain::ids;
use crate::domain::notice::{Addressee, NoticeKind};
use crate::domain::service::ReportStatus;
use crate::error::{codes, reason};
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::{AnyAuth, BearerAuth};
use crate::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

pub struct ReportsApi;

pub(super) fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Skills are a JSON array of short texts.
fn skills_text(skills: &[String]) -> AppResult<String> {
    if let Some(s) = skills.iter().find(|s| s.trim().is_empty() || s.chars().count() > 30) {
        return Err(AppError::invalid(
            "skills",
            reason::LENGTH,
            format!("a skill is 1 to 30 characters: `{s}`"),
        ));
    }
    Ok(serde_json::to_string(skills).unwrap_or_else(|_| "[]".into()))
}

/// How the caller stands to a member's report.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SeenAs {
    /// The community and the officials over it.
    Community,
    /// The member themself.
    Member,
    /// Their own party organisation.
    OwnOrg,
}

/// A member's report with its community, as the caller may see it (404 otherwise).
pub(super) fn load_member(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    for_change: bool,
) -> AppResult<(MemberRow, AreaCtx, SeenAs)> {
    let not_found = || AppError::NotFound { what: "member report" };
    let m = if for_change {
        db::service::member_for_change(conn, id)?
    } else {
        db::service::member(conn, id)?
    }
    .ok_or_else(not_found)?;
    let area = AreaCtx::load(conn, caller, &m.community_id)?;
    let p = &caller.principal;
    let seen = if authorize(p, &Action::ViewServiceFigures(area.office_place())).is_ok() {
        SeenAs::Community
    } else if m.owner_id.as_deref().is_some_and(|o| p.is_owner(o)) {
        SeenAs::Member
    } else if own_org_reads(conn, caller, m.own_org_id.as_deref())? {
        SeenAs::OwnOrg
    } else {
        return Err(not_found());
    };
    Ok((m, area, seen))
}

/// Whether the caller speaks for the member's own party organisation.
fn own_org_reads(conn: &mut AnyConnection, caller: &Caller, org_id: Option<&str>) -> AppResult<bool> {
    let Some(org) = org_id.map(|id| db::orgs::get(conn, id)).transpose()?.flatten() else {
        return Ok(false);
    };
    Ok(authorize(&caller.principal, &Action::ReadMembersService(own_org_place(&org))).is_ok())
}

/// The own organisation a report names must exist (it will read the member's service).
fn check_own_org(conn: &mut AnyConnection, id: Option<&str>) -> AppResult<()> {
    if let Some(id) = id {
        if db::orgs::get(conn, id)?.is_none() {
            return Err(AppError::invalid(
                "own_org_id",
                reason::NOT_FOUND,
                "no organisation with this id",
            ));
        }
    }
    Ok(())
}

/// The notice of a decision to an owner who reported in.
fn decided_notice(area: &AreaCtx, m: &MemberRow, title: &str) -> Option<crate::db::notices::Raise> {
    let owner = m.owner_id.clone()?;
    let about = crate::http::notices::raise::About::new(
        NoticeKind::ReportDecided,
        &m.id,
        title.to_string(),
        format!("您向{}的报到：{}。", area.org.name, title),
        "/web/service".to_string(),
    );
    Some(crate::http::notices::raise::to_county(
        &area.county_id(),
        [Addressee::Owner(owner)],
        about,
    ))
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl ReportsApi {
    /// Report in to the community where one lives (双报到): one's own party organisation,
    /// skills and when one can serve. One standing report per person per community.
    ///
    /// An owner of a unit in the community, for themself; the community (its party
    /// organisation, those above it), for a member, named as an owner of the community or by name.
    #[oai(
        path = "/communities/:id/member-reports",
        method = "post",
        operation_id = "reportMemberIn"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewMemberReport>,
    ) -> ApiResult<MemberReportCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (area, actor) = area_for(c, &caller, &id.0, Acts::ReportIn, false)?;
                let area = area.community()?;
                let for_self = actor.role == Role::Owner.as_str();
                let (owner_id, name) = if for_self {
                    if b.name.is_some() {
                        return Err(AppError::invalid(
                            "name",
                            reason::NOT_ALLOWED,
                            "an owner reports in under their own name",
                        ));
                    }
                    let owner = match &b.owner_id {
                        Some(o) if area.owners_here.contains(o) => o.clone(),
                        Some(_) => {
                            return Err(AppError::invalid(
                                "owner_id",
                                reason::NOT_ALLOWED,
                                "not one of the caller's owner records here",
                            ))
                        }
                        None => area.owners_here.first().cloned().ok_or_else(AppError::forbidden)?,
                    };
                    let name = db::owners::get(c, &owner)?.map(|o| o.name).unwrap_or_default();
                    (Some(owner), name)
                } else {
                    match (&b.owner_id, &b.name) {
                        (Some(o), None) => {
                            let held = db::owners::holding_in_community(c, std::slice::from_ref(o), &area.org.id)?;
                            if held.is_empty() {
                                return Err(AppError::invalid(
                                    "owner_id",
                                    reason::NOT_AN_OWNER_HERE,
                                    "the owner holds no unit in the community",
                                ));
                            }
                            let name = db::owners::get(c, o)?.map(|o| o.name).unwrap_or_default();
                            (Some(o.clone()), name)
                        }
                        (None, Some(n)) => (None, n.clone()),
                        _ => {
                            return Err(AppError::invalid(
                                "owner_id",
                                reason::CONFLICT,
                                "name the member: an owner of the community, or a name (one of the two)",
                            ))
                        }
                    }
                };
                if let Some(o) = &owner_id {
                    if db::service::standing_of_owner(c, std::slice::from_ref(o), &area.org.id)?.is_some() {
                        return Err(AppError::conflict(
                            codes::ALREADY_REPORTED,
                            "the owner's report-in to this community stands",
                        ));
                    }
                }
                check_own_org(c, b.own_org_id.as_deref())?;
                let now = ids::now();
                let row = MemberRow {
                    id: ids::new_id(),
                    county_id: area.county_id(),
                    community_id: area.org.id.clone(),
                    community_path: area.org.path.clone(),
                    owner_id,
                    org_report_id: None,
                    name,
                    own_org_id: b.own_org_id,
                    own_org_name: b.own_org_name,
                    skills: skills_text(&b.skills)?,
                    availability: b.availability,
                    status: ReportStatus::Reported.as_str().into(),
                    placement_org_id: None,
                    estate_id: None,
                    post: None,
                    decided_by: None,
                    decided_at: None,
                    decline_reason: None,
                    reported_by: actor.actor_id.clone(),
                    reported_at: now,
                };
                db::service::insert_members(c, std::slice::from_ref(&row))?;
                trail.record(
                    &actor,
                    "member_report.create",
                    "member_report",
                    &row.id,
                    &serde_json::json!({ "community": row.community_id, "own_org": row.own_org_id }),
                )?;
                member_out(c, row, true)
            })
            .await?;
        Ok(MemberReportCreated::Created(Json(out)))
    }

    /// An organisation reports in to a community (机关党组织到社区报到) with the members it brings;
    /// each member is a report the community places.
    ///
    /// The organisation's people: its party organisation (or those above it) or, for a
    /// department, the department's users.
    #[oai(path = "/communities/:id/org-reports", method = "post", operation_id = "reportOrgIn")]
    async fn report_org(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewOrgReport>,
    ) -> ApiResult<OrgReportCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let community = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind == OrgKind::Community.as_str())
                    .ok_or(AppError::NotFound { what: "community" })?;
                let org = db::orgs::get(c, &b.org_id)?
                    .ok_or_else(|| AppError::invalid("org_id", reason::NOT_FOUND, "no organisation with this id"))?;
                let actor = caller.may(&Action::ReportOrgIn(own_org_place(&org)))?;
                if org.id == community.id || path_within(&org.path, &community.id) {
                    return Err(AppError::invalid(
                        "org_id",
                        reason::NOT_ALLOWED,
                        "an organisation of the community itself does not report in to it",
                    ));
                }
                // Both in one county: a community of another county is not visible to the caller.
                if crate::domain::registry::county_of(&org.path) != crate::domain::registry::county_of(&community.path)
                {
                    return Err(AppError::NotFound { what: "community" });
                }
                let now = ids::now();
                let report = OrgReportRow {
                    id: ids::new_id(),
                    county_id: crate::domain::registry::county_of(&community.path),
                    community_id: community.id.clone(),
                    community_path: community.path.clone(),
                    org_id: org.id.clone(),
                    org_name: org.name.clone(),
                    members: b.members.len() as i32,
                    reported_by: actor.actor_id.clone(),
                    reported_at: now,
                };
                db::service::insert_org_report(c, &report)?;
                let mut rows = Vec::new();
                for m in b.members {
                    rows.push(MemberRow {
                        id: ids::new_id(),
                        county_id: report.county_id.clone(),
                        community_id: community.id.clone(),
                        community_path: community.path.clone(),
                        owner_id: None,
                        org_report_id: Some(report.id.clone()),
                        name: m.name,
                        own_org_id: Some(org.id.clone()),
                        own_org_name: org.name.clone(),
                        skills: skills_text(&m.skills)?,
                        availability: m.availability,
                        status: ReportStatus::Reported.as_str().into(),
                        placement_org_id: None,
                        estate_id: None,
                        post: None,
                        decided_by: None,
                        decided_at: None,
                        decline_reason: None,
                        reported_by: actor.actor_id.clone(),
                        reported_at: now,
                    });
                }
                db::service::insert_members(c, &rows)?;
                trail.record(
                    &actor,
                    "org_report.create",
                    "org_report",
                    &report.id,
                    &serde_json::json!({ "community": community.id, "org": org.id, "members": rows.len() }),
                )?;
                let members = members_out(c, rows, false)?;
                Ok(org_report_out(report, members))
            })
            .await?;
        Ok(OrgReportCreated::Created(Json(out)))
    }

    /// An organisation's report-in with its members.
    ///
    /// The community and the officials over it; the organisation that reported in.
    #[oai(path = "/org-reports/:id", method = "get", operation_id = "getOrgReport")]
    async fn get_org_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<OrgReport>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let not_found = || AppError::NotFound {
                    what: "organisation report",
                };
                let r = db::service::org_report(c, &id.0)?.ok_or_else(not_found)?;
                let area = AreaCtx::load(c, &caller, &r.community_id)?;
                let community = authorize(&caller.principal, &Action::ViewServiceFigures(area.office_place())).is_ok();
                if !community && !own_org_reads(c, &caller, Some(&r.org_id))? {
                    return Err(not_found());
                }
                let rows = db::service::members_of_org_report(c, &r.id)?;
                let members = members_out(c, rows, false)?;
                Ok(org_report_out(r, members))
            })
            .await?;
        Ok(Json(out))
    }

    /// A community's report-ins, newest first; of one status when named.
    ///
    /// The community and the officials over it (party organisations, the bureau).
    #[oai(
        path = "/communities/:id/member-reports",
        method = "get",
        operation_id = "listMemberReports"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// Only reports of this status.
        status: Query<Option<ReportStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<MemberReport>>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewServiceFigures, true)?;
                let area = area.community()?;
                let rows =
                    db::service::members_page(c, &area.org.id, status.0, before.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |m| m.id.clone());
                Ok(Page {
                    items: members_out(c, rows, false)?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// One report-in; its households for the community and the member only.
    ///
    /// The community and the officials over it, the member, their own party organisation.
    #[oai(path = "/member-reports/:id", method = "get", operation_id = "getMemberReport")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<MemberReport>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let (m, area, seen) = load_member(c, &caller, &id.0, false)?;
                let households = match seen {
                    SeenAs::Member => true,
                    SeenAs::Community => {
                        authorize(&caller.principal, &Action::ManageService(area.office_place())).is_ok()
                    }
                    SeenAs::OwnOrg => false,
                };
                member_out(c, m, households)
            })
            .await?;
        Ok(Json(out))
    }

    /// Accept a report and place the member (or place them again): an estate party branch or a
    /// building party group of the community, the estate, a post at the end of the chain.
    ///
    /// The community (its party organisation, those above it).
    #[oai(path = "/member-reports/:id/place", method = "post", operation_id = "placeMember")]
    async fn place(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Placement>,
    ) -> ApiResult<Json<MemberReport>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut m, area, _) = load_member(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                let next = m.status()?.place()?;
                let org = db::orgs::get(c, &b.placement_org_id)?
                    .filter(|o| {
                        path_within(&o.path, &area.org.id)
                            && (o.kind == OrgKind::GridPartyBranch.as_str()
                                || o.kind == OrgKind::BuildingPartyGroup.as_str())
                    })
                    .ok_or_else(|| {
                        AppError::invalid(
                            "placement_org_id",
                            reason::WRONG_COMMUNITY,
                            "an estate party branch or building party group of this community",
                        )
                    })?;
                if let Some(e) = &b.estate_id {
                    if db::estates::get(c, e)?.is_none_or(|e| e.community_id != area.org.id) {
                        return Err(AppError::invalid(
                            "estate_id",
                            reason::WRONG_COMMUNITY,
                            "not an estate of this community",
                        ));
                    }
                }
                let first = m.status()? == ReportStatus::Reported;
                m.set_status(next);
                m.placement_org_id = Some(org.id.clone());
                m.estate_id = b.estate_id;
                m.post = b.post.map(|p| p.as_str().to_string());
                m.decided_by = Some(actor.actor_id.clone());
                m.decided_at = Some(ids::now());
                db::service::save_member(c, &m)?;
                trail.record(
                    &actor,
                    "member_report.place",
                    "member_report",
                    &m.id,
                    &serde_json::json!({ "placement": org.id, "estate": m.estate_id, "post": m.post }),
                )?;
                if first {
                    if let Some(n) = decided_notice(&area, &m, &format!("已接收，安排在{}", org.name)) {
                        trail.notify(n);
                    }
                }
                member_out(c, m, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// Decline a report the community has not acted on, with its reason.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/member-reports/:id/decline",
        method = "post",
        operation_id = "declineMemberReport"
    )]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<DeclineReport>,
    ) -> ApiResult<Json<MemberReport>> {
        let caller = auth.0;
        let reason_text = body.0.reason;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut m, area, _) = load_member(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                let next = m.status()?.decline()?;
                m.set_status(next);
                m.decline_reason = Some(reason_text);
                m.decided_by = Some(actor.actor_id.clone());
                m.decided_at = Some(ids::now());
                db::service::save_member(c, &m)?;
                trail.record(
                    &actor,
                    "member_report.decline",
                    "member_report",
                    &m.id,
                    &serde_json::json!({}),
                )?;
                if let Some(n) = decided_notice(&area, &m, "未予接收") {
                    trail.notify(n);
                }
                member_out(c, m, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// End a member's service here (moved away, withdrew): the record and its hours stay; the
    /// household links end.
    ///
    /// The member themself; the community.
    #[oai(
        path = "/member-reports/:id/withdraw",
        method = "post",
        operation_id = "withdrawMemberReport"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<MemberReport>> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut m, area, seen) = load_member(c, &caller, &id.0, true)?;
                let actor = match seen {
                    SeenAs::Member => caller.actor_as(Role::Owner.as_str()),
                    _ => caller.may(&Action::ManageService(area.office_place()))?,
                };
                let next = m.status()?.withdraw()?;
                m.set_status(next);
                db::service::save_member(c, &m)?;
                db::service::set_households(c, &m.id, &[], ids::now())?;
                trail.record(
                    &actor,
                    "member_report.withdraw",
                    "member_report",
                    &m.id,
                    &serde_json::json!({}),
                )?;
                member_out(c, m, seen != SeenAs::OwnOrg)
            })
            .await?;
        Ok(Json(out))
    }

    /// Link households to a placed member (包联), replacing the links before: units of the
    /// community, at most the county's number per member (2 unless set). Never published.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/member-reports/:id/households",
        method = "put",
        operation_id = "linkHouseholds"
    )]
    async fn households(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<HouseholdLinks>,
    ) -> ApiResult<Json<MemberReport>> {
        let caller = auth.0;
        let units = body.0.unit_ids;
        let out = state
            .db
            .command(move |c, trail| {
                let (m, area, _) = load_member(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                if m.status()? != ReportStatus::Placed {
                    return Err(AppError::conflict(
                        codes::REPORT_CLOSED,
                        "households are linked to a placed member",
                    ));
                }
                let settings = figures::county_settings(c, &area.county_id())?;
                if units.len() > settings.households_per_member as usize {
                    return Err(AppError::invalid(
                        "unit_ids",
                        reason::TOO_MANY,
                        format!("at most {} households per member", settings.households_per_member),
                    ));
                }
                for u in &units {
                    let unit = db::estates::get_unit(c, u)?;
                    let here = match unit {
                        Some(unit) => {
                            db::estates::get(c, &unit.estate_id)?.is_some_and(|e| e.community_id == area.org.id)
                        }
                        None => false,
                    };
                    if !here {
                        return Err(AppError::invalid(
                            "unit_ids",
                            reason::WRONG_COMMUNITY,
                            format!("`{u}` is not a unit of this community"),
                        ));
                    }
                }
                db::service::set_households(c, &m.id, &units, ids::now())?;
                // The audit names how many, not which: the links are not published.
                trail.record(
                    &actor,
                    "member_report.households",
                    "member_report",
                    &m.id,
                    &serde_json::json!({ "households": units.len() }),
                )?;
                member_out(c, m, true)
            })
            .await?;
        Ok(Json(out))
    }

    /// A community's placement chain (五级组织体系), top down: the community, its estate party
    /// branches and building groups, the members placed in each with their posts (the names
    /// are public, as posted in the estates; the households are not).
    ///
    /// Whoever sees the community: its officials, owners, committees, the companies serving it.
    #[oai(
        path = "/communities/:id/placement-chain",
        method = "get",
        operation_id = "getPlacementChain"
    )]
    async fn chain(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<PlacementChain>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewPublic, false)?;
                let area = area.community()?;
                let orgs = db::orgs::page_within(c, Some(std::slice::from_ref(&area.org.id)), None, None, 10_000)?;
                let placed = db::service::placed_in(c, &area.org.id)?;
                let ids: Vec<String> = placed.iter().map(|m| m.id.clone()).collect();
                let counts: std::collections::HashMap<String, i64> =
                    db::service::household_counts(c, &ids)?.into_iter().collect();
                let mut nodes = Vec::new();
                for o in orgs.into_iter().filter(|o| {
                    o.kind == OrgKind::Community.as_str()
                        || o.kind == OrgKind::GridPartyBranch.as_str()
                        || o.kind == OrgKind::BuildingPartyGroup.as_str()
                }) {
                    let members = placed
                        .iter()
                        .filter(|m| m.placement_org_id.as_deref() == Some(o.id.as_str()))
                        .map(|m| {
                            Ok(ChainMember {
                                id: m.id.clone(),
                                name: m.name.clone(),
                                post: m.post.as_deref().map(db::terms::stored).transpose()?,
                                estate_id: m.estate_id.clone(),
                                household_count: counts.get(&m.id).copied().unwrap_or(0) as u32,
                            })
                        })
                        .collect::<AppResult<_>>()?;
                    nodes.push(ChainNode {
                        kind: db::terms::stored(&o.kind)?,
                        parent_id: if o.id == area.org.id { None } else { o.parent_id.clone() },
                        org_id: o.id,
                        name: o.name,
                        members,
                    });
                }
                // Top down: the community first, then by depth.
                nodes.sort_by_key(|n| (n.parent_id.is_some(), n.kind != OrgKind::GridPartyBranch));
                let awaiting = db::service::count_awaiting(c, &area.org.id)? as u32;
                Ok(PlacementChain {
                    community_id: area.org.id.clone(),
                    community_name: area.org.name.clone(),
                    nodes,
                    awaiting,
                })
            })
            .await?;
        Ok(Json(out))
    }
}
