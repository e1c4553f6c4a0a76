//! Organisations (county, townships, communities, the party chain, bureau, work units) and
//! grids (一级/二级/三级网格).

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::{check, org_place};
use super::security::BearerAuth;
use super::ApiTags;
use crate::db::orgs::{GridRow, OrgRow};
use crate::db::{self};
use crate::domain::ids;
use crate::domain::policy::{self, Action, OrgReach};
use crate::domain::registry::{self, OrgKind};
use crate::error::{reason, AppError, AppResult};
use crate::AppState;

pub struct OrgsApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub kind: OrgKind,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Required for every kind but `county`.
    #[oai(validator(max_length = 64))]
    pub parent_id: Option<String>,
    /// For departments only, and required there: the code the county's rules name
    /// (e.g. `police`, `discipline`, `petitions`, `housing`, `community_party`).
    #[oai(validator(pattern = r"^[a-z_]{2,32}$"))]
    pub department_code: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Org {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub parent_id: Option<String>,
    /// Ids from the root down to this organisation.
    pub ancestors: Vec<String>,
    #[oai(skip_serializing_if_is_none)]
    pub department_code: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewGrid {
    /// The community the grid belongs to.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub community_id: String,
    /// 1, 2 or 3 (一级/二级/三级网格). Levels 2 and 3 need a parent one level up.
    #[oai(validator(minimum(value = "1"), maximum(value = "3")))]
    pub level: i32,
    #[oai(validator(max_length = 64))]
    pub parent_id: Option<String>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// The grid party branch (网格党支部) serving the grid, if any.
    #[oai(validator(max_length = 64))]
    pub party_branch_id: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Grid {
    pub id: String,
    pub community_id: String,
    pub level: i32,
    #[oai(skip_serializing_if_is_none)]
    pub parent_id: Option<String>,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub party_branch_id: Option<String>,
}

#[derive(ApiResponse)]
pub enum OrgCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Org>),
}

#[derive(ApiResponse)]
pub enum GridCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Grid>),
}

pub fn org_out(o: OrgRow) -> AppResult<Org> {
    let ancestors = o
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != o.id)
        .map(str::to_string)
        .collect();
    Ok(Org {
        kind: o.kind()?,
        id: o.id,
        name: o.name,
        parent_id: o.parent_id,
        ancestors,
        department_code: o.department_code,
        created_at: o.created_at.and_utc(),
    })
}

fn grid_out(g: GridRow) -> Grid {
    Grid {
        id: g.id,
        community_id: g.community_id,
        level: g.level,
        parent_id: g.parent_id,
        name: g.name,
        party_branch_id: g.party_branch_id,
    }
}

/// Loads an organisation that must exist and be of one of `kinds` (for references in bodies).
pub fn referenced_org(conn: &mut db::AnyConnection, field: &str, id: &str, kinds: &[OrgKind]) -> AppResult<OrgRow> {
    let org = db::orgs::get(conn, id)?
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no organisation with this id"))?;
    let kind = org.kind().ok();
    if !kinds.is_empty() && !kind.is_some_and(|k| kinds.contains(&k)) {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(AppError::invalid(
            field,
            reason::WRONG_KIND,
            format!("must be a {}", names.join(" or ")),
        ));
    }
    Ok(org)
}

#[OpenApi(tag = "ApiTags::Organisations")]
impl OrgsApi {
    /// Create an organisation under a parent (a county at the root).
    ///
    /// Counties: administrators. Others: administrators, the bureau of the county, and party
    /// organisations above the parent (or the parent itself).
    #[oai(path = "/orgs", method = "post", operation_id = "createOrg")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<NewOrg>) -> ApiResult<OrgCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let row = state
            .db
            .command(move |c, trail| {
                let kind = input.kind;
                let parent = match &input.parent_id {
                    Some(pid) => Some(referenced_org(c, "parent_id", pid, &[])?),
                    None => None,
                };
                let actor = match &parent {
                    Some(p) => check(&caller, &org_place(p), &Action::ManageRegistry(org_place(p)))?,
                    None => caller.may(&Action::ManageAccounts)?,
                };
                registry::check_parent(kind, parent.as_ref().and_then(|p| p.kind().ok()))
                    .map_err(|m| AppError::invalid("parent_id", reason::WRONG_PARENT, m))?;
                match (kind == OrgKind::Department, &input.department_code) {
                    (true, None) => {
                        return Err(AppError::invalid(
                            "department_code",
                            reason::REQUIRED,
                            "a department needs its code",
                        ))
                    }
                    (false, Some(_)) => {
                        return Err(AppError::invalid(
                            "department_code",
                            reason::NOT_ALLOWED,
                            "only departments have a code",
                        ))
                    }
                    _ => {}
                }
                let id = ids::new_id();
                let row = OrgRow {
                    path: registry::child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
                    id,
                    parent_id: input.parent_id.clone(),
                    kind: kind.as_str().into(),
                    name: input.name.trim().into(),
                    created_at: ids::now(),
                    department_code: input.department_code.clone(),
                };
                db::orgs::insert(c, &row)?;
                trail.record(
                    &actor,
                    "org.create",
                    "org",
                    &row.id,
                    &serde_json::json!({ "kind": row.kind, "name": row.name, "parent": row.parent_id }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(OrgCreated::Created(Json(org_out(row)?)))
    }

    /// List organisations: the subtree of `within` (itself included), or everything the caller's
    /// roles reach.
    ///
    /// Administrators, the bureau and party organisations, within their scope.
    #[oai(path = "/orgs", method = "get", operation_id = "listOrgs")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] within: Query<Option<String>>,
        kind: Query<Option<OrgKind>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Org>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let kind = kind.0.map(|k| k.as_str());
        let rows = state
            .db
            .read(move |c| {
                let roots: Option<Vec<String>> = match within.0 {
                    Some(w) => {
                        let org = db::orgs::get(c, &w)?.ok_or(AppError::NotFound { what: "organisation" })?;
                        check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                        Some(vec![w])
                    }
                    None => match policy::org_reach(&caller.principal).map_err(|_| AppError::forbidden())? {
                        OrgReach::All => None,
                        OrgReach::Within(roots) => Some(roots),
                    },
                };
                db::orgs::page_within(c, roots.as_deref(), kind, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |o| o.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(org_out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// Read one organisation.
    ///
    /// Administrators, the bureau and party organisations whose scope contains it.
    #[oai(path = "/orgs/:id", method = "get", operation_id = "getOrg")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Org>> {
        let caller = auth.0.clone();
        let org = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &id.0)?.ok_or(AppError::NotFound { what: "organisation" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                Ok(org)
            })
            .await?;
        Ok(Json(org_out(org)?))
    }

    /// Create a grid in a community: level 1 at the top, levels 2 and 3 under a grid one level up.
    ///
    /// Administrators, the bureau and party organisations above the community.
    #[oai(path = "/grids", method = "post", operation_id = "createGrid")]
    async fn create_grid(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewGrid>,
    ) -> ApiResult<GridCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let row = state
            .db
            .command(move |c, trail| {
                let community = referenced_org(c, "community_id", &input.community_id, &[OrgKind::Community])?;
                let actor = check(
                    &caller,
                    &org_place(&community),
                    &Action::ManageRegistry(org_place(&community)),
                )?;
                match (&input.parent_id, input.level) {
                    (None, 1) => {}
                    (None, _) => {
                        return Err(AppError::invalid(
                            "parent_id",
                            reason::REQUIRED,
                            "grids of level 2 and 3 need a parent grid",
                        ))
                    }
                    (Some(_), 1) => {
                        return Err(AppError::invalid(
                            "parent_id",
                            reason::NOT_ALLOWED,
                            "a level-1 grid has no parent",
                        ))
                    }
                    (Some(pid), level) => {
                        let parent = db::orgs::get_grid(c, pid)?
                            .ok_or_else(|| AppError::invalid("parent_id", reason::NOT_FOUND, "no grid with this id"))?;
                        if parent.community_id != community.id || parent.level != level - 1 {
                            return Err(AppError::invalid(
                                "parent_id",
                                reason::WRONG_PARENT,
                                "the parent must be a grid of the same community, one level up",
                            ));
                        }
                    }
                }
                if let Some(b) = &input.party_branch_id {
                    let branch = referenced_org(c, "party_branch_id", b, &[OrgKind::GridPartyBranch])?;
                    if !registry::path_within(&branch.path, &community.id) {
                        return Err(AppError::invalid(
                            "party_branch_id",
                            reason::WRONG_PARENT,
                            "the branch must belong to the same community",
                        ));
                    }
                }
                let row = GridRow {
                    id: ids::new_id(),
                    community_id: community.id,
                    parent_id: input.parent_id,
                    level: input.level,
                    name: input.name.trim().into(),
                    party_branch_id: input.party_branch_id,
                    created_at: ids::now(),
                };
                db::orgs::insert_grid(c, &row)?;
                trail.record(
                    &actor,
                    "grid.create",
                    "grid",
                    &row.id,
                    &serde_json::json!({ "community": row.community_id, "level": row.level, "name": row.name }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(GridCreated::Created(Json(grid_out(row))))
    }

    /// List a community's grids, level by level.
    ///
    /// Administrators, the bureau and party organisations whose scope contains the community.
    #[oai(path = "/grids", method = "get", operation_id = "listGrids")]
    async fn list_grids(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(min_length = 1, max_length = 64))] community_id: Query<String>,
    ) -> ApiResult<Json<Page<Grid>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let community = db::orgs::get(c, &community_id.0)?.ok_or(AppError::NotFound { what: "community" })?;
                check(
                    &caller,
                    &org_place(&community),
                    &Action::ViewCoverage(org_place(&community)),
                )?;
                db::orgs::grids_of_community(c, &community.id)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(grid_out).collect())))
    }
}
