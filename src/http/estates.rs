//! Estates (小区) of three kinds, their buildings and units, spreadsheet import, and the
//! headcount and area totals that votes will stand on.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::{CsvBody, JsonBody};
use super::orgs::referenced_org;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::{check, estate_ctx, estate_scope, guard_estate, EstateCtx, Need};
use super::security::{AnyAuth, BearerAuth, Caller};
use super::ApiTags;
use crate::db::estates::{BuildingRow, EstateChanges, EstateRow, UnitRow};
use crate::db::terms::stored;
use crate::db::{self, audit, AnyConnection};
use crate::domain::area::{AreaSource, RecordedAreas, MAX_UNIT_AREA_CENTI};
use crate::domain::headcount;
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::domain::registry::{EstateKind, ManagementMode, OrgKind, SaleStatus, UnitKind};
use crate::domain::unit_import;
use crate::error::{codes, reason, AppError, AppResult, FieldError};
use crate::AppState;

pub struct EstatesApi;

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEstate {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    pub kind: EstateKind,
    /// The community (社区) the estate lies in.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub community_id: String,
    /// Defaults by kind: commercial → the county's housing bureau; village-built → the
    /// community's township. Required for work-unit estates (the work unit).
    #[oai(validator(max_length = 64))]
    pub responsible_org_id: Option<String>,
    /// Self-managed by a property management committee (物管会自管) when no company serves it.
    #[serde(default)]
    #[oai(default)]
    pub self_managed: bool,
    #[oai(validator(max_length = 64))]
    pub grid_id: Option<String>,
    #[oai(validator(max_length = 200))]
    pub address: Option<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstatePatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// `null` clears it; absent leaves it.
    #[oai(validator(max_length = 200))]
    #[serde(default)]
    pub address: MaybeUndefined<String>,
    /// `null` clears it (the estate is in no grid); absent leaves it.
    #[oai(validator(max_length = 64))]
    #[serde(default)]
    pub grid_id: MaybeUndefined<String>,
    pub self_managed: Option<bool>,
}

#[derive(Object)]
pub struct Estate {
    pub id: String,
    pub name: String,
    pub kind: EstateKind,
    pub community_id: String,
    pub responsible_org_id: String,
    /// Derived from the current contract and the self-management flag.
    pub management_mode: ManagementMode,
    /// The company serving the estate today, from its contracts.
    #[oai(skip_serializing_if_is_none)]
    pub current_company_id: Option<String>,
    pub self_managed: bool,
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBuilding {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    #[oai(validator(max_length = 64))]
    pub grid_id: Option<String>,
}

#[derive(Object)]
pub struct Building {
    pub id: String,
    pub estate_id: String,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub building_id: String,
    /// Entrance (单元); empty if the building has none.
    #[serde(default)]
    #[oai(default, validator(max_length = 30))]
    pub entrance: String,
    /// Room number (房号).
    #[oai(validator(min_length = 1, max_length = 30))]
    pub number: String,
    pub kind: UnitKind,
    /// An area in hundredths of a square metre (10232 = 102.32 m²), with its source; or give
    /// the areas per source below (at least one area in all).
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_centi_m2: Option<i64>,
    pub area_source: Option<AreaSource>,
    /// The real-estate register's area (不动产登记), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_registry_centi_m2: Option<i64>,
    /// The survey's area (实测), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_survey_centi_m2: Option<i64>,
    /// The purchase contract's area (合同), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_contract_centi_m2: Option<i64>,
    pub sale_status: SaleStatus,
}

/// A change to a unit: areas per source (a source given replaces that source's area; others
/// stay). The register's area typically arrives when the certificate is issued. The area that
/// counts is the register's, else the survey's, else the contract's (SPC interpretation Art. 8).
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitChanges {
    /// The real-estate register's area (不动产登记), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_registry_centi_m2: Option<i64>,
    /// The survey's area (实测), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_survey_centi_m2: Option<i64>,
    /// The purchase contract's area (合同), hundredths of m².
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub area_contract_centi_m2: Option<i64>,
}

/// The areas per source of a request, as recorded.
fn recorded(registry: Option<i64>, survey: Option<i64>, contract: Option<i64>) -> RecordedAreas {
    RecordedAreas {
        registry,
        survey,
        contract,
    }
}

/// One change of a unit's area for one source.
#[derive(Object)]
pub struct AreaChange {
    pub source: AreaSource,
    #[oai(skip_serializing_if_is_none)]
    pub old_area_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub new_area_centi_m2: Option<i64>,
    /// Who changed it (account id, or `cli:import`/`demo`).
    pub changed_by: String,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
pub struct UnitHolder {
    pub owner_id: String,
    /// The co-owner who casts the unit's one ballot.
    pub designated_voter: bool,
}

#[derive(Object)]
pub struct Unit {
    pub id: String,
    pub building_id: String,
    pub entrance: String,
    pub number: String,
    pub kind: UnitKind,
    /// The area that counts (best source), in hundredths of m².
    pub area_centi_m2: i64,
    pub area_source: AreaSource,
    #[oai(skip_serializing_if_is_none)]
    pub area_registry_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub area_survey_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub area_contract_centi_m2: Option<i64>,
    pub sale_status: SaleStatus,
    /// Unsold or not yet delivered: held by the developer.
    pub developer_held: bool,
    /// Current owners.
    pub owners: Vec<UnitHolder>,
}

#[derive(Object)]
pub struct ImportReport {
    /// Units created.
    pub units: u64,
    /// Units already registered whose areas the file updated (e.g. the register's area
    /// arriving after the contract's); each change is kept in the unit's area history.
    pub units_updated: u64,
    pub buildings_created: u64,
    pub owners_created: u64,
    /// Owners already registered (matched by ID number), e.g. from another estate.
    pub owners_matched: u64,
    pub ownerships: u64,
}

/// Totals by the SPC rules (法释〔2009〕7号 Arts. 8–9): what a vote's roll would count today.
#[derive(Object)]
pub struct Headcount {
    /// Sum of the counted units' areas (best source), hundredths of m².
    pub total_area_centi_m2: i64,
    /// Voters: one per owner or set of co-owners, plus one for all developer-held units.
    pub total_heads: i64,
    pub units_counted: u64,
    pub developer_units: u64,
    pub developer_area_centi_m2: i64,
    /// Buyers holding more than one unit (each counted once).
    pub buyers_with_several_units: u64,
    pub parking_included: bool,
}

#[derive(ApiResponse)]
pub enum EstateCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Estate>),
}

#[derive(ApiResponse)]
pub enum BuildingCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Building>),
}

#[derive(ApiResponse)]
pub enum UnitCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Unit>),
}

#[derive(ApiResponse)]
pub enum Imported {
    /// Every row was valid and has been imported.
    #[oai(status = 201)]
    Created(Json<ImportReport>),
}

pub fn estate_out(ctx: EstateCtx) -> AppResult<Estate> {
    let mode = ctx.management_mode();
    let e = ctx.estate;
    Ok(Estate {
        kind: e.kind()?,
        id: e.id,
        name: e.name,
        community_id: e.community_id,
        responsible_org_id: e.responsible_org_id,
        management_mode: mode,
        current_company_id: ctx.company.map(|(c, _)| c),
        self_managed: e.self_managed,
        grid_id: e.grid_id,
        address: e.address,
        created_at: e.created_at.and_utc(),
    })
}

fn unit_out(u: UnitRow, holders: Vec<UnitHolder>) -> AppResult<Unit> {
    let (area, source) = u.areas().best().unwrap_or((0, AreaSource::Contract));
    let sale_status = u.sale_status()?;
    Ok(Unit {
        kind: u.kind()?,
        id: u.id,
        building_id: u.building_id,
        entrance: u.entrance,
        number: u.number,
        area_centi_m2: area,
        area_source: source,
        area_registry_centi_m2: u.area_registry_centi,
        area_survey_centi_m2: u.area_survey_centi,
        area_contract_centi_m2: u.area_contract_centi,
        sale_status,
        developer_held: sale_status.developer_held(),
        owners: holders,
    })
}

/// The estate's organisation that is responsible by default for its kind.
fn default_responsible(
    conn: &mut AnyConnection,
    kind: EstateKind,
    community: &crate::db::orgs::OrgRow,
) -> AppResult<String> {
    let missing = |what: &str| {
        AppError::invalid(
            "responsible_org_id",
            reason::REQUIRED,
            format!("no {what} found: name the responsible organisation"),
        )
    };
    match kind {
        EstateKind::WorkUnit => Err(missing("work unit")),
        EstateKind::VillageBuilt => community.parent_id.clone().ok_or_else(|| missing("township")),
        EstateKind::Commercial => {
            // The housing bureau under the community's county (the first id of its path).
            let county = community
                .path
                .split('/')
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_string();
            let bureaus = db::orgs::page_within(conn, Some(&[county]), Some(OrgKind::HousingBureau.as_str()), None, 1)?;
            bureaus
                .into_iter()
                .next()
                .map(|b| b.id)
                .ok_or_else(|| missing("housing bureau in the county"))
        }
    }
}

fn check_grid(conn: &mut AnyConnection, field: &str, grid_id: &str, community_id: &str) -> AppResult<()> {
    let grid = db::orgs::get_grid(conn, grid_id)?
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no grid with this id"))?;
    if grid.community_id != community_id {
        return Err(AppError::invalid(
            field,
            reason::WRONG_COMMUNITY,
            "the grid belongs to another community",
        ));
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Estates")]
impl EstatesApi {
    /// Register an estate in a community.
    ///
    /// Administrators, the bureau of the county, party organisations above the community.
    #[oai(path = "/estates", method = "post", operation_id = "createEstate")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewEstate>,
    ) -> ApiResult<EstateCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let ctx = state
            .db
            .command(move |c, trail| {
                let community = referenced_org(c, "community_id", &input.community_id, &[OrgKind::Community])?;
                let place = super::scope::org_place(&community);
                let actor = check(&caller, &place, &Action::ManageRegistry(place.clone()))?;
                let kind = input.kind;
                let responsible_id = match &input.responsible_org_id {
                    Some(id) => id.clone(),
                    None => default_responsible(c, kind, &community)?,
                };
                let responsible = referenced_org(c, "responsible_org_id", &responsible_id, &[kind.responsible_kind()])?;
                if let Some(g) = &input.grid_id {
                    check_grid(c, "grid_id", g, &community.id)?;
                }
                let row = EstateRow {
                    id: ids::new_id(),
                    name: input.name.trim().into(),
                    kind: kind.as_str().into(),
                    community_id: community.id.clone(),
                    responsible_org_id: responsible.id.clone(),
                    community_path: community.path.clone(),
                    responsible_path: responsible.path.clone(),
                    self_managed: input.self_managed,
                    grid_id: input.grid_id.clone(),
                    address: input.address.clone(),
                    created_at: ids::now(),
                };
                db::estates::insert(c, &row)?;
                trail.record(&actor, "estate.create", "estate", &row.id, &serde_json::json!({ "name": row.name, "kind": row.kind, "community": row.community_id, "responsible": row.responsible_org_id }))?;
                estate_ctx(c, &caller, &row.id)
            })
            .await?;
        Ok(EstateCreated::Created(Json(estate_out(ctx)?)))
    }

    /// List the estates the caller's roles reach: an organisation's subtree, a committee's
    /// estate, a company's contracted estates, an owner's estates.
    ///
    /// Any authenticated caller; each sees only its own scope.
    #[oai(path = "/estates", method = "get", operation_id = "listEstates")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        kind: Query<Option<EstateKind>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Estate>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let kind = kind.0.map(|k| k.as_str());
        let (rows, contracts) = state
            .db
            .read(move |c| {
                let scope = estate_scope(c, &caller)?;
                let rows = db::estates::page(c, &scope, kind, after.as_deref(), paging::fetch(limit))?;
                let ids: Vec<String> = rows.iter().map(|e| e.id.clone()).collect();
                let contracts = db::estates::current_contracts(c, &ids, ids::today())?;
                Ok((rows, contracts))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |e| e.id.clone());
        let items = rows
            .into_iter()
            .map(|estate| {
                let company = contracts
                    .iter()
                    .find(|(e, _, _)| *e == estate.id)
                    .map(|(_, c, k)| (c.clone(), *k));
                estate_out(EstateCtx {
                    estate,
                    company,
                    caller_owns_here: false,
                })
            })
            .collect::<AppResult<_>>()?;
        Ok(Json(Page { items, next_cursor }))
    }

    /// Read an estate's public record.
    ///
    /// Whoever the estate is in scope for: its organisations, committee, serving company, owners.
    #[oai(path = "/estates/:id", method = "get", operation_id = "getEstate")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Estate>> {
        let caller = auth.caller().clone();
        let ctx = state
            .db
            .read(move |c| Ok(guard_estate(c, &caller, &id.0, Need::Public)?.0))
            .await?;
        Ok(Json(estate_out(ctx)?))
    }

    /// Change an estate's name, address, grid or self-management flag.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id", method = "patch", operation_id = "updateEstate")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<EstatePatch>,
    ) -> ApiResult<Json<Estate>> {
        let caller = auth.0.clone();
        let p = body.0;
        let ctx = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                if let Some(g) = p.grid_id.value() {
                    check_grid(c, "grid_id", g, &ctx.estate.community_id)?;
                }
                let changes = EstateChanges {
                    name: p.name.as_ref().map(|n| n.trim().to_string()),
                    address: p.address.clone().into(),
                    grid_id: p.grid_id.clone().into(),
                    self_managed: p.self_managed,
                };
                if changes.name.is_none() && changes.address.is_none() && changes.grid_id.is_none() && changes.self_managed.is_none() {
                    return Err(AppError::rule(codes::NOTHING_TO_CHANGE, "name at least one field to change"));
                }
                db::estates::update(c, &ctx.estate.id, &changes)?;
                trail.record(&actor, "estate.update", "estate", &ctx.estate.id, &serde_json::json!({ "name": p.name, "address": p.address.value(), "grid": p.grid_id.value(), "self_managed": p.self_managed }))?;
                estate_ctx(c, &caller, &ctx.estate.id)
            })
            .await?;
        Ok(Json(estate_out(ctx)?))
    }

    /// Add a building to an estate.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/buildings", method = "post", operation_id = "createBuilding")]
    async fn create_building(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewBuilding>,
    ) -> ApiResult<BuildingCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let row = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                if let Some(g) = &input.grid_id {
                    check_grid(c, "grid_id", g, &ctx.estate.community_id)?;
                }
                let name = input.name.trim().to_string();
                if db::estates::buildings_of(c, &ctx.estate.id)?
                    .iter()
                    .any(|b| b.name == name)
                {
                    return Err(AppError::conflict(
                        codes::BUILDING_EXISTS,
                        "the estate already has a building of this name",
                    ));
                }
                let row = BuildingRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    name,
                    grid_id: input.grid_id,
                    created_at: ids::now(),
                };
                db::estates::insert_building(c, &row)?;
                trail.record(
                    &actor,
                    "building.create",
                    "building",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "name": row.name }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(BuildingCreated::Created(Json(Building {
            id: row.id,
            estate_id: row.estate_id,
            name: row.name,
            grid_id: row.grid_id,
        })))
    }

    /// List an estate's buildings.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/buildings", method = "get", operation_id = "listBuildings")]
    async fn list_buildings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Building>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                db::estates::buildings_of(c, &ctx.estate.id)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter()
                .map(|b| Building {
                    id: b.id,
                    estate_id: b.estate_id,
                    name: b.name,
                    grid_id: b.grid_id,
                })
                .collect(),
        )))
    }

    /// Record a unit's areas per source — typically the register's area when the certificate
    /// is issued, beside the contract's it was registered with. Every change is kept in the
    /// unit's area history and the audit log. Votes already open keep their frozen rolls; the
    /// next roll counts the new best area.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/units/:id", method = "patch", operation_id = "updateUnit")]
    async fn update_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<UnitChanges>,
    ) -> ApiResult<Json<Unit>> {
        let caller = auth.0.clone();
        let b = body.0;
        let given = recorded(
            b.area_registry_centi_m2,
            b.area_survey_centi_m2,
            b.area_contract_centi_m2,
        );
        if given.best().is_none() {
            return Err(AppError::invalid("area_registry_centi_m2", reason::REQUIRED, "give at least one area").into());
        }
        let out = state
            .db
            .command(move |c, trail| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let (_, actor) = guard_estate(c, &caller, &unit.estate_id, Need::Manage)?;
                let changes = db::estates::change_areas(c, &unit, &given, &actor.actor_id, ids::now())?;
                if !changes.is_empty() {
                    let what: Vec<serde_json::Value> = changes
                        .iter()
                        .map(|ch| serde_json::json!({ "source": ch.source, "from": ch.old_area_centi, "to": ch.new_area_centi }))
                        .collect();
                    trail.record(&actor, "unit.areas", "unit", &unit.id, &serde_json::json!({ "changes": what }))?;
                }
                let unit = db::estates::get_unit(c, &unit.id)?.ok_or(AppError::NotFound { what: "unit" })?;
                let holders = db::owners::current_of_units(c, std::slice::from_ref(&unit.id))?
                    .into_iter()
                    .map(|o| UnitHolder {
                        owner_id: o.owner_id,
                        designated_voter: o.designated_voter,
                    })
                    .collect();
                unit_out(unit, holders)
            })
            .await?;
        Ok(Json(out))
    }

    /// A unit's area history: every change of a recorded area, oldest first.
    ///
    /// Whoever may see the estate's personal data (administrators, the bureau, party
    /// organisations above the estate, its committee).
    #[oai(
        path = "/units/:id/area-changes",
        method = "get",
        operation_id = "listUnitAreaChanges"
    )]
    async fn area_changes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<AreaChange>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                guard_estate(c, &caller, &unit.estate_id, Need::Private)?;
                db::estates::area_changes(c, &unit.id)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter()
                .map(|r| {
                    Ok(AreaChange {
                        source: stored(&r.source)?,
                        old_area_centi_m2: r.old_area_centi,
                        new_area_centi_m2: r.new_area_centi,
                        changed_by: r.changed_by,
                        changed_at: r.changed_at.and_utc(),
                    })
                })
                .collect::<AppResult<_>>()?,
        )))
    }

    /// Register one unit (专有部分) with its legal area and its source.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/units", method = "post", operation_id = "createUnit")]
    async fn create_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewUnit>,
    ) -> ApiResult<UnitCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let mut areas = recorded(
            input.area_registry_centi_m2,
            input.area_survey_centi_m2,
            input.area_contract_centi_m2,
        );
        match (input.area_centi_m2, input.area_source) {
            (Some(a), Some(s)) => {
                let source = s;
                if areas.get(source).is_some_and(|b| b != a) {
                    return Err(AppError::invalid(
                        "area_centi_m2",
                        reason::CONFLICT,
                        "differs from the area given for the same source",
                    )
                    .into());
                }
                areas.set(source, a);
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(AppError::invalid("area_source", reason::REQUIRED, "an area comes with its source").into())
            }
            (None, Some(_)) => {
                return Err(AppError::invalid("area_centi_m2", reason::REQUIRED, "a source comes with its area").into())
            }
        }
        if areas.best().is_none() {
            return Err(AppError::invalid(
                "area_centi_m2",
                reason::REQUIRED,
                "a unit needs an area: from the register, a survey or the contract",
            )
            .into());
        }
        if [areas.registry, areas.survey, areas.contract]
            .iter()
            .flatten()
            .any(|a| *a > MAX_UNIT_AREA_CENTI)
        {
            return Err(AppError::invalid("area_centi_m2", reason::TOO_LARGE, "larger than any unit can be").into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                let building = db::estates::get_building(c, &input.building_id)?
                    .filter(|b| b.estate_id == ctx.estate.id)
                    .ok_or_else(|| AppError::invalid("building_id", reason::NOT_FOUND, "no building with this id in the estate"))?;
                let kind = input.kind;
                let status = input.sale_status;
                let row = UnitRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    building_id: building.id,
                    entrance: input.entrance.trim().into(),
                    number: input.number.trim().into(),
                    kind: kind.as_str().into(),
                    area_registry_centi: areas.registry,
                    area_survey_centi: areas.survey,
                    area_contract_centi: areas.contract,
                    sale_status: status.as_str().into(),
                    created_at: ids::now(),
                };
                db::estates::insert_units(c, std::slice::from_ref(&row)).map_err(|e| match e {
                    AppError::Conflict { .. } => AppError::conflict(codes::UNIT_EXISTS, "the building already has a unit with this entrance and number"),
                    other => other,
                })?;
                trail.record(&actor, "unit.create", "unit", &row.id, &serde_json::json!({ "estate": row.estate_id, "building": row.building_id, "entrance": row.entrance, "number": row.number, "registry": areas.registry, "survey": areas.survey, "contract": areas.contract }))?;
                Ok(row)
            })
            .await?;
        Ok(UnitCreated::Created(Json(unit_out(row, vec![])?)))
    }

    /// List an estate's units with their areas and current owners.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[oai(path = "/estates/:id/units", method = "get", operation_id = "listUnits")]
    async fn list_units(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Unit>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let (rows, holders) = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Private)?;
                let rows = db::estates::units_page(c, &ctx.estate.id, after.as_deref(), paging::fetch(limit))?;
                let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
                Ok((rows, db::owners::current_of_units(c, &ids)?))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |u| u.id.clone());
        let items = rows
            .into_iter()
            .map(|u| {
                let mine = holders
                    .iter()
                    .filter(|h| h.unit_id == u.id)
                    .map(|h| UnitHolder {
                        owner_id: h.owner_id.clone(),
                        designated_voter: h.designated_voter,
                    })
                    .collect();
                unit_out(u, mine)
            })
            .collect::<AppResult<_>>()?;
        Ok(Json(Page { items, next_cursor }))
    }

    /// Import units and owners from a county spreadsheet (CSV, UTF-8 with or without BOM, or
    /// GBK). Every row is validated; if any is bad, nothing is imported and the 422 problem lists
    /// every bad row with its column and reason.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/import", method = "post", operation_id = "importUnits")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: CsvBody,
    ) -> ApiResult<Imported> {
        let caller = auth.0.clone();
        let report = import_units(&state, Some(&caller), &id.0, body.0).await?;
        Ok(Imported::Created(Json(report)))
    }

    /// Area and headcount totals by the SPC rules, as a vote's roll would count them today.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/headcount", method = "get", operation_id = "estateHeadcount")]
    async fn headcount(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Count parking spaces as exclusive parts (default: no).
        include_parking: Query<Option<bool>>,
    ) -> ApiResult<Json<Headcount>> {
        let caller = auth.caller().clone();
        let parking = include_parking.0.unwrap_or(false);
        let inputs = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                db::estates::headcount_inputs(c, &ctx.estate.id, parking)
            })
            .await?;
        let voters = headcount::voters(&inputs);
        let totals = headcount::totals(&voters);
        let developer = voters.iter().find(|v| v.key == headcount::VoterKey::Developer);
        Ok(Json(Headcount {
            total_area_centi_m2: totals.total_area_centi,
            total_heads: totals.total_heads,
            units_counted: inputs.len() as u64,
            developer_units: developer.map_or(0, |d| d.unit_ids.len() as u64),
            developer_area_centi_m2: developer.map_or(0, |d| d.area_centi),
            buyers_with_several_units: voters
                .iter()
                .filter(|v| matches!(v.key, headcount::VoterKey::Owners(_)) && v.unit_ids.len() > 1)
                .count() as u64,
            parking_included: parking,
        }))
    }
}

/// Validates and imports a spreadsheet into an estate in one transaction; shared by the API
/// and `redprop import units` (which runs as the system, `caller` None).
pub async fn import_units(
    state: &AppState,
    caller: Option<&Caller>,
    estate_id: &str,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let digest = crate::crypto::sha256_hex(&bytes);
    let rows = tokio::task::spawn_blocking(move || unit_import::parse(&bytes))
        .await?
        .map_err(row_errors)?;
    let caller = caller.cloned();
    let estate_id = estate_id.to_string();
    let hasher = state.id_hasher.clone();
    let report = state
        .db
        .command(move |c, trail| {
            let actor = match &caller {
                Some(caller) => guard_estate(c, caller, &estate_id, Need::Manage)?.1,
                None => {
                    db::estates::get(c, &estate_id)?.ok_or(AppError::NotFound { what: "estate" })?;
                    audit::Actor::system("cli:import")
                }
            };
            let report = db::unit_import::apply(c, &estate_id, &rows, &hasher, &actor.actor_id, ids::now())?.map_err(row_errors)?;
            trail.record(&actor, "estate.import", "estate", &estate_id, &serde_json::json!({ "file_sha256": digest, "units": report.units, "units_updated": report.units_updated, "owners_created": report.owners_created }))?;
            Ok(report)
        })
        .await?;
    Ok(ImportReport {
        units: report.units as u64,
        units_updated: report.units_updated as u64,
        buildings_created: report.buildings_created as u64,
        owners_created: report.owners_created as u64,
        owners_matched: report.owners_matched as u64,
        ownerships: report.ownerships as u64,
    })
}

fn row_errors(errors: Vec<unit_import::RowError>) -> AppError {
    let n = errors.len();
    AppError::Unprocessable {
        code: codes::IMPORT_REJECTED,
        detail: format!("{n} row(s) have problems; nothing was imported"),
        errors: errors
            .into_iter()
            .map(|e| FieldError::at_row(e.row, e.column, e.message))
            .collect(),
    }
}
