//! The request and response bodies of this capability, as the spec shows them.

use super::*;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
pub struct Estate {
    pub id: String,
    pub name: String,
    pub kind: EstateKind,
    /// The county it is in (its rating campaigns: `GET /orgs/{county_id}/rating-campaigns`).
    pub county_id: String,
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
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewBuilding {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    #[oai(validator(max_length = 64))]
    pub grid_id: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Building {
    pub id: String,
    pub estate_id: String,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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

/// One change of a unit's area for one source.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitHolder {
    pub owner_id: String,
    /// The co-owner who casts the unit's one ballot.
    pub designated_voter: bool,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_registry_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_survey_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_contract_centi_m2: Option<i64>,
    pub sale_status: SaleStatus,
    /// Unsold or not yet delivered: held by the developer.
    pub developer_held: bool,
    /// Current owners.
    pub owners: Vec<UnitHolder>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
