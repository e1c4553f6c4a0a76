//! A county's service levels and confirmation window; a community's volunteer teams.

use super::*;
use crate::db::orgs::OrgRow;
use crate::domain::registry::OrgKind;
use crate::http::scope::org_place;

pub struct LedgerSettingsApi;

/// An organisation of one of `kinds` (404 otherwise).
fn org_of_kind(conn: &mut AnyConnection, id: &str, kinds: &[OrgKind]) -> AppResult<OrgRow> {
    db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| kinds.contains(&k)))
        .ok_or(AppError::NotFound { what: "organisation" })
}

/// An organisation of one of `kinds` that the caller may see (404 otherwise).
fn org_of(conn: &mut AnyConnection, caller: &Caller, id: &str, kinds: &[OrgKind]) -> AppResult<OrgRow> {
    let org = org_of_kind(conn, id, kinds)?;
    check(caller, &org_place(&org), &Action::ViewPublic(org_place(&org)))?;
    Ok(org)
}

#[OpenApi(tag = "ApiTags::Ledger")]
impl LedgerSettingsApi {
    /// A county's ledger settings: the service level of each category and the confirmation
    /// window (the defaults — 24 hours, 7 days, 7 days — until the county sets its own).
    ///
    /// Every signed-in person and every company key: service levels are published, so that
    /// owners know what to expect and assignees what is expected of them.
    #[oai(
        path = "/orgs/:id/ledger-settings",
        method = "get",
        operation_id = "getLedgerSettings"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<LedgerSettings>> {
        let _signed_in = auth;
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let county = org_of_kind(c, &id.0, &[OrgKind::County])?;
                    county_settings(c, &county.id)
                })
                .await?,
        ))
    }

    /// Set a county's ledger settings. Items already dispatched keep their due times; the new
    /// levels apply from the next dispatch.
    ///
    /// Administrators and the county's bureau.
    #[oai(
        path = "/orgs/:id/ledger-settings",
        method = "put",
        operation_id = "setLedgerSettings"
    )]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<LedgerSettings>,
    ) -> ApiResult<Json<LedgerSettings>> {
        let caller = auth.0;
        let mut settings = body.0;
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = settings.service_levels.iter().find(|l| !seen.insert(l.category)) {
            return Err(AppError::invalid(
                "service_levels",
                reason::INVALID,
                format!("{} is listed twice", dup.category.as_str()),
            )
            .into());
        }
        if settings.joint_meeting_quorum.contains(&PartyKind::Person) {
            return Err(AppError::invalid(
                "joint_meeting_quorum",
                reason::INVALID,
                "a named person cannot be required for a quorum; name the kinds of organisation",
            )
            .into());
        }
        settings
            .service_levels
            .sort_by_key(|l| Category::ALL.iter().position(|c| *c == l.category));
        let out = settings.clone();
        state
            .db
            .command(move |c, trail| {
                let county = org_of(c, &caller, &id.0, &[OrgKind::County])?;
                let actor = check(
                    &caller,
                    &org_place(&county),
                    &Action::ManageLedgerSettings(org_place(&county)),
                )?;
                let json = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
                db::ledger::put_settings(c, &county.id, &json, ids::now())?;
                trail.record(
                    &actor,
                    "ledger.settings",
                    "organisation",
                    &county.id,
                    &serde_json::to_value(&settings).unwrap_or_default(),
                )?;
                Ok(())
            })
            .await?;
        Ok(Json(out))
    }

    /// Form a volunteer team (志愿服务队) of the community's owners, to take ledger items.
    ///
    /// Party organisations over the community, administrators.
    #[oai(
        path = "/orgs/:id/volunteer-teams",
        method = "post",
        operation_id = "createVolunteerTeam"
    )]
    async fn create_team(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewTeam>,
    ) -> ApiResult<TeamCreated> {
        let caller = auth.0;
        let b = body.0;
        let (team, members) = state
            .db
            .command(move |c, trail| {
                let community = org_of(c, &caller, &id.0, &[OrgKind::Community])?;
                let actor = check(
                    &caller,
                    &org_place(&community),
                    &Action::DispatchLedgerItem(org_place(&community)),
                )?;
                let name = b.name.trim().to_string();
                if db::ledger::teams_of_community(c, &community.id)?
                    .iter()
                    .any(|t| t.name == name)
                {
                    return Err(AppError::invalid(
                        "name",
                        reason::INVALID,
                        "the community has a team of this name",
                    ));
                }
                let members = members_of(c, &community, b.member_owner_ids)?;
                let team = TeamRow {
                    id: ids::new_id(),
                    community_id: community.id.clone(),
                    name,
                    created_at: ids::now(),
                };
                db::ledger::insert_team(c, &team, &members)?;
                trail.record(
                    &actor,
                    "volunteer_team.create",
                    "volunteer_team",
                    &team.id,
                    &serde_json::json!({ "community": team.community_id, "members": members.len() }),
                )?;
                Ok((team, members))
            })
            .await?;
        Ok(TeamCreated::Created(Json(team_out(team, members))))
    }

    /// A community's volunteer teams with their members.
    ///
    /// Administrators, the bureau and party organisations over the community.
    #[oai(
        path = "/orgs/:id/volunteer-teams",
        method = "get",
        operation_id = "listVolunteerTeams"
    )]
    async fn list_teams(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<VolunteerTeam>>> {
        let caller = auth.0;
        let teams = state
            .db
            .read(move |c| {
                let community = org_of(c, &caller, &id.0, &[OrgKind::Community])?;
                check(
                    &caller,
                    &org_place(&community),
                    &Action::ViewCoverage(org_place(&community)),
                )?;
                let mut out = Vec::new();
                for t in db::ledger::teams_of_community(c, &community.id)? {
                    let members = db::ledger::members(c, &t.id)?;
                    out.push(team_out(t, members));
                }
                Ok(out)
            })
            .await?;
        Ok(Json(Page::whole(teams)))
    }

    /// Replace a volunteer team's members.
    ///
    /// Party organisations over the community, administrators.
    #[oai(
        path = "/volunteer-teams/:id/members",
        method = "put",
        operation_id = "setVolunteerTeamMembers"
    )]
    async fn set_members(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<TeamMembers>,
    ) -> ApiResult<Json<VolunteerTeam>> {
        let caller = auth.0;
        let given = body.0.member_owner_ids;
        let (team, members) = state
            .db
            .command(move |c, trail| {
                let team = db::ledger::team(c, &id.0)?.ok_or(AppError::NotFound { what: "volunteer team" })?;
                let community = org_of(c, &caller, &team.community_id, &[OrgKind::Community])
                    .map_err(|_| AppError::NotFound { what: "volunteer team" })?;
                let actor = check(
                    &caller,
                    &org_place(&community),
                    &Action::DispatchLedgerItem(org_place(&community)),
                )?;
                let members = members_of(c, &community, given)?;
                db::ledger::set_members(c, &team.id, &members)?;
                trail.record(
                    &actor,
                    "volunteer_team.members",
                    "volunteer_team",
                    &team.id,
                    &serde_json::json!({ "members": members.len() }),
                )?;
                Ok((team, members))
            })
            .await?;
        Ok(Json(team_out(team, members)))
    }
}

/// The owners given, each checked to hold a unit in one of the community's estates.
fn members_of(conn: &mut AnyConnection, community: &OrgRow, mut given: Vec<String>) -> AppResult<Vec<String>> {
    let here = db::owners::holding_in_community(conn, &given, &community.id)?;
    if let Some(i) = given.iter().position(|o| !here.contains(o)) {
        return Err(AppError::invalid(
            &format!("member_owner_ids[{i}]"),
            reason::NOT_FOUND,
            "no owner of this community with this id",
        ));
    }
    given.sort();
    Ok(given)
}
