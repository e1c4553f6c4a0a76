//! Coverage figures for a county, township or community: the numbers the seed articles report.

use std::collections::{BTreeMap, HashMap, HashSet};

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::committees::party_building;
use super::problem::ApiResult;
use super::scope::{check, org_place};
use super::security::BearerAuth;
use super::ApiTags;
use crate::db;
use crate::domain::committee::{CommitteeKind, CommitteeStatus};
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::domain::registry::{EstateKind, ManagementMode, PartyCoverage, PartyPost};
use crate::error::AppError;
use crate::AppState;

pub struct CoverageApi;

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct EstatesByKind {
    pub commercial: u64,
    pub village_built: u64,
    pub work_unit: u64,
}

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct EstatesByManagement {
    pub contracted: u64,
    pub entrusted: u64,
    pub self_managed: u64,
    pub none: u64,
}

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct CompaniesByCoverage {
    pub own_branch: u64,
    pub joint_branch: u64,
    pub instructor: u64,
    pub none: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GridPartyMembers {
    pub grid_id: String,
    pub name: String,
    pub level: i32,
    /// Party members holding a unit in the grid (a building's grid, else its estate's).
    pub party_members: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Coverage {
    pub org_id: String,
    pub estates_total: u64,
    pub estates_by_kind: EstatesByKind,
    pub estates_by_management: EstatesByManagement,
    /// Estates with no management at all (物业清零 aims at zero).
    pub estates_without_management: u64,
    /// Their share in basis points (1/100 of a percent), rounded down.
    pub without_management_bp: u64,
    /// Companies serving estates here today, by party-building coverage (两个覆盖).
    pub companies_by_party_coverage: CompaniesByCoverage,
    pub party_members_by_grid: Vec<GridPartyMembers>,
    /// Party members holding units in estates and buildings not assigned to a grid.
    pub party_members_without_grid: u64,
    /// Party-member unit leaders (党员单元长) holding units here.
    pub unit_leaders: u64,
    /// Party-member central households (党员中心户) holding units here.
    pub central_households: u64,
    /// Committees in office (elected, filed or active owners' committees; active or standing-down
    /// property management committees).
    pub committees: CommitteeCoverage,
}

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct CommitteeCoverage {
    pub owners_committees: u64,
    pub property_management_committees: u64,
    /// Estates with a committee in office.
    pub estates_covered: u64,
    /// Their share of all estates in basis points, rounded down.
    pub coverage_bp: u64,
    /// Committees with a party group (党小组, >= 3 party members).
    pub party_groups: u64,
    pub members: u64,
    pub party_members: u64,
    /// Members cross-appointed (双向进入、交叉任职).
    pub cross_appointed: u64,
}

#[OpenApi(tag = "ApiTags::Coverage")]
impl CoverageApi {
    /// Coverage figures for an organisation's subtree.
    ///
    /// Administrators, the bureau of the county, party organisations at or above `org_id`.
    #[oai(path = "/coverage", method = "get", operation_id = "coverage")]
    async fn coverage(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(min_length = 1, max_length = 64))] org_id: Query<String>,
    ) -> ApiResult<Json<Coverage>> {
        let caller = auth.0.clone();
        let org_id = org_id.0;
        let out = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &org_id)?.ok_or(AppError::NotFound { what: "organisation" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                let estates = db::estates::all_within(c, &org.id)?;
                let ids: Vec<String> = estates.iter().map(|e| e.id.clone()).collect();
                let contracts = db::estates::current_contracts(c, &ids, ids::today())?;
                let by_estate: HashMap<&str, _> = contracts
                    .iter()
                    .map(|(e, co, k)| (e.as_str(), (co.as_str(), *k)))
                    .collect();
                let mut kinds = EstatesByKind::default();
                let mut modes = EstatesByManagement::default();
                for e in &estates {
                    match e.kind()? {
                        EstateKind::Commercial => kinds.commercial += 1,
                        EstateKind::VillageBuilt => kinds.village_built += 1,
                        EstateKind::WorkUnit => kinds.work_unit += 1,
                    }
                    match ManagementMode::derive(by_estate.get(e.id.as_str()).map(|(_, k)| *k), e.self_managed) {
                        ManagementMode::Contracted => modes.contracted += 1,
                        ManagementMode::Entrusted => modes.entrusted += 1,
                        ManagementMode::SelfManaged => modes.self_managed += 1,
                        ManagementMode::None => modes.none += 1,
                    }
                }
                let serving: Vec<String> = contracts
                    .iter()
                    .map(|(_, co, _)| co.clone())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                let mut companies = CompaniesByCoverage::default();
                for co in db::companies::get_many(c, &serving)? {
                    match co.party_coverage()? {
                        PartyCoverage::OwnBranch => companies.own_branch += 1,
                        PartyCoverage::JointBranch => companies.joint_branch += 1,
                        PartyCoverage::Instructor => companies.instructor += 1,
                        PartyCoverage::None => companies.none += 1,
                    }
                }
                let grids = db::coverage::grids_within(c, &org.id)?;
                let mut members: BTreeMap<String, HashSet<String>> = BTreeMap::new();
                let mut without_grid: HashSet<String> = HashSet::new();
                let mut posts: BTreeMap<String, HashSet<String>> = BTreeMap::new();
                for (owner, post, building_grid, estate_grid) in db::coverage::party_member_holdings(c, &ids)? {
                    if let Some(p) = post {
                        posts.entry(p).or_default().insert(owner.clone());
                    }
                    match building_grid.or(estate_grid) {
                        Some(g) => {
                            members.entry(g).or_default().insert(owner);
                        }
                        None => {
                            without_grid.insert(owner);
                        }
                    }
                }
                let total = estates.len() as u64;
                let mut committees = CommitteeCoverage::default();
                let in_office: Vec<_> = db::committees::live_of_estates(c, &ids)?
                    .into_iter()
                    .filter(|x| x.status().is_ok_and(CommitteeStatus::in_office))
                    .collect();
                let committee_members =
                    db::committees::members_of_many(c, &in_office.iter().map(|x| x.id.clone()).collect::<Vec<_>>())?;
                let mut covered: HashSet<&str> = HashSet::new();
                for com in &in_office {
                    match com.kind()? {
                        CommitteeKind::OwnersCommittee => committees.owners_committees += 1,
                        CommitteeKind::PropertyManagementCommittee => committees.property_management_committees += 1,
                    }
                    covered.insert(com.estate_id.as_str());
                    let mine: Vec<_> = committee_members
                        .iter()
                        .filter(|m| m.committee_id == com.id)
                        .cloned()
                        .collect();
                    let pb = party_building(&mine, 0);
                    committees.party_groups += pb.party_group as u64;
                    committees.members += pb.members as u64;
                    committees.party_members += pb.party_members as u64;
                    committees.cross_appointed += pb.cross_appointed as u64;
                }
                committees.estates_covered = covered.len() as u64;
                committees.coverage_bp = (committees.estates_covered * 10_000).checked_div(total).unwrap_or(0);
                Ok(Coverage {
                    org_id: org.id,
                    estates_total: total,
                    estates_without_management: modes.none,
                    without_management_bp: (modes.none * 10_000).checked_div(total).unwrap_or(0),
                    estates_by_kind: kinds,
                    estates_by_management: modes,
                    companies_by_party_coverage: companies,
                    party_members_by_grid: grids
                        .into_iter()
                        .map(|g| GridPartyMembers {
                            party_members: members.get(&g.id).map_or(0, |s| s.len() as u64),
                            grid_id: g.id,
                            name: g.name,
                            level: g.level,
                        })
                        .collect(),
                    party_members_without_grid: without_grid.len() as u64,
                    unit_leaders: posts.get(PartyPost::UnitLeader.as_str()).map_or(0, |s| s.len() as u64),
                    central_households: posts
                        .get(PartyPost::CentralHousehold.as_str())
                        .map_or(0, |s| s.len() as u64),
                    committees,
                })
            })
            .await?;
        Ok(Json(out))
    }
}
