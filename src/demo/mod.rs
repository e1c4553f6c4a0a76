//! `redprop demo`: a county shaped like the seed articles, for trying the API. Pingshun's grid
//! figures (4 first-level, 17 second-level, 121 third-level grids under 4 community party
//! committees), estates of Huguan's three kinds, the five sample companies with their
//! party-building coverage, and one estate (和园小区) with its 240 units and owners imported from
//! the sample spreadsheet.

pub mod history;

use chrono::NaiveDate;

use crate::db::companies::{CompanyRow, ContractRow};
use crate::db::estates::EstateRow;
use crate::db::orgs::{GridRow, OrgRow};
use crate::db::users::{GrantRow, UserRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::policy::Role;
use crate::domain::registry::{child_path, ContractKind, EstateKind, OrgKind, PartyCoverage};
use crate::domain::{ids, unit_import};
use crate::error::{codes, AppError, AppResult};
use crate::AppState;

const HEYUAN: &[u8] = include_bytes!("heyuan-units.csv");

const COMPANIES: [(&str, &str, &str); 5] = [
    ("长治市和顺物业服务有限公司", "91140400M9198T3X56", "单独党支部"),
    ("平顺县青羊物业管理有限公司", "911404253W8RHHJY6T", "联合党支部"),
    ("壶关县凤凰城物业服务有限公司", "91140427MX63A8PP4Q", "党建指导员"),
    ("武乡县阳光物业服务有限公司", "91140429KJ6D1U0C3L", "无"),
    ("山西红盾物业管理有限公司", "91140000B1U5U1YE0Y", "单独党支部"),
];

/// Second-level grids per community (17 in all) and third-level grids per second-level one
/// (121 in all), as in Pingshun.
const SECOND_LEVEL: [usize; 4] = [5, 4, 4, 4];
const THIRD_LEVEL_TOTAL: usize = 121;

#[derive(Debug)]
pub struct DemoSummary {
    pub county_id: String,
    /// (name, id) of every estate loaded.
    pub estate_ids: Vec<(String, String)>,
    pub heyuan_estate_id: String,
    /// 和园小区's community and the company serving it.
    pub heyuan_community_id: String,
    pub heyuan_company_id: String,
    pub organisations: usize,
    pub grids: usize,
    pub estates: usize,
    pub companies: usize,
    pub units: usize,
    /// One account per role, to sign in as each at once (passwords shown once, by the CLI).
    pub accounts: Vec<DemoAccount>,
}

/// A sign-in of the demo: what the person is, the username and the password (random).
#[derive(Debug)]
pub struct DemoAccount {
    pub who: &'static str,
    pub username: String,
    pub password: String,
}

/// A random password of 16 letters and digits (no look-alikes), to be printed once.
fn password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// One account with one role: (who, username, role, scope).
fn accounts(conn: &mut AnyConnection, wanted: &[(&'static str, &str, Role, String)]) -> AppResult<Vec<DemoAccount>> {
    let mut out = Vec::new();
    for (who, username, role, scope) in wanted {
        let password = password();
        let user = UserRow {
            id: ids::new_id(),
            username: (*username).into(),
            display_name: (*who).into(),
            password_hash: crate::crypto::hash_password(&password),
            disabled: false,
            created_at: ids::now(),
            password_changed_at: ids::now(),
        };
        db::users::insert(conn, &user)?;
        db::users::insert_grant(
            conn,
            &GrantRow {
                id: ids::new_id(),
                user_id: user.id.clone(),
                role: role.as_str().into(),
                scope_id: scope.clone(),
                created_at: ids::now(),
            },
        )?;
        out.push(DemoAccount {
            who,
            username: (*username).into(),
            password,
        });
    }
    Ok(out)
}

fn org(conn: &mut AnyConnection, parent: Option<&OrgRow>, kind: OrgKind, name: &str) -> AppResult<OrgRow> {
    let id = ids::new_id();
    let row = OrgRow {
        path: child_path(parent.map(|p| p.path.as_str()), &id),
        id,
        parent_id: parent.map(|p| p.id.clone()),
        kind: kind.as_str().into(),
        name: name.into(),
        created_at: ids::now(),
        department_code: None,
    };
    db::orgs::insert(conn, &row)?;
    Ok(row)
}

fn grid(
    conn: &mut AnyConnection,
    community: &OrgRow,
    parent: Option<&GridRow>,
    level: i32,
    name: String,
) -> AppResult<GridRow> {
    let row = GridRow {
        id: ids::new_id(),
        community_id: community.id.clone(),
        parent_id: parent.map(|p| p.id.clone()),
        level,
        name,
        party_branch_id: None,
        created_at: ids::now(),
    };
    db::orgs::insert_grid(conn, &row)?;
    Ok(row)
}

fn estate(
    conn: &mut AnyConnection,
    name: &str,
    kind: EstateKind,
    community: &OrgRow,
    responsible: &OrgRow,
    grid: Option<&GridRow>,
    self_managed: bool,
) -> AppResult<EstateRow> {
    let row = EstateRow {
        id: ids::new_id(),
        name: name.into(),
        kind: kind.as_str().into(),
        community_id: community.id.clone(),
        responsible_org_id: responsible.id.clone(),
        community_path: community.path.clone(),
        responsible_path: responsible.path.clone(),
        self_managed,
        grid_id: grid.map(|g| g.id.clone()),
        address: None,
        created_at: ids::now(),
    };
    db::estates::insert(conn, &row)?;
    Ok(row)
}

/// Loads the demo county into an empty registry, in one transaction.
pub fn load(state: &AppState) -> AppResult<DemoSummary> {
    let rows = unit_import::parse(HEYUAN).map_err(|e| AppError::Internal(format!("demo spreadsheet: {e:?}")))?;
    let hasher = state.id_hasher.clone();
    state.db.write_blocking(|c| {
        if !db::orgs::page_within(c, None, None, None, 1)?.is_empty() {
            return Err(AppError::conflict(
                codes::NOT_EMPTY,
                "the registry already has organisations; the demo loads only into an empty one",
            ));
        }
        let mut orgs = 0;
        let mut count = |r: OrgRow| {
            orgs += 1;
            r
        };
        let county = count(org(c, None, OrgKind::County, "平顺县")?);
        let bureau = count(org(
            c,
            Some(&county),
            OrgKind::HousingBureau,
            "平顺县住房和城乡建设管理局",
        )?);
        count(org(
            c,
            Some(&bureau),
            OrgKind::IndustryPartyCommittee,
            "平顺县物业行业党委",
        )?);
        let town = count(org(c, Some(&county), OrgKind::Township, "青羊镇")?);
        let work_unit = count(org(c, Some(&county), OrgKind::WorkUnit, "平顺县供电公司")?);
        let mut communities = Vec::new();
        for name in ["东街社区", "西街社区", "南街社区", "北街社区"] {
            let community = count(org(c, Some(&town), OrgKind::Community, name)?);
            let branch = count(org(
                c,
                Some(&community),
                OrgKind::GridPartyBranch,
                &format!("{name}第一网格党支部"),
            )?);
            count(org(
                c,
                Some(&branch),
                OrgKind::BuildingPartyGroup,
                &format!("{name}1号楼党小组"),
            )?);
            communities.push(community);
        }

        let mut grids = 0;
        let mut third_left = THIRD_LEVEL_TOTAL;
        let mut second_left: usize = SECOND_LEVEL.iter().sum();
        let mut first_grids = Vec::new();
        for (community, seconds) in communities.iter().zip(SECOND_LEVEL) {
            let g1 = grid(c, community, None, 1, format!("{}一级网格", community.name))?;
            grids += 1;
            for j in 0..seconds {
                let g2 = grid(
                    c,
                    community,
                    Some(&g1),
                    2,
                    format!("{}二级网格{}", community.name, j + 1),
                )?;
                grids += 1;
                // Spread the third-level grids as evenly as the figures allow.
                let thirds = third_left.div_ceil(second_left);
                for k in 0..thirds {
                    grid(
                        c,
                        community,
                        Some(&g2),
                        3,
                        format!("{}三级网格{}-{}", community.name, j + 1, k + 1),
                    )?;
                    grids += 1;
                }
                third_left -= thirds;
                second_left -= 1;
            }
            first_grids.push(g1);
        }

        let heyuan = estate(
            c,
            "和园小区",
            EstateKind::Commercial,
            &communities[0],
            &bureau,
            Some(&first_grids[0]),
            false,
        )?;
        let estates = [
            heyuan.clone(),
            estate(
                c,
                "青羊花园",
                EstateKind::Commercial,
                &communities[1],
                &bureau,
                Some(&first_grids[1]),
                false,
            )?,
            estate(
                c,
                "南街村建小区",
                EstateKind::VillageBuilt,
                &communities[2],
                &town,
                Some(&first_grids[2]),
                true,
            )?,
            estate(
                c,
                "北街村民小区",
                EstateKind::VillageBuilt,
                &communities[3],
                &town,
                None,
                false,
            )?,
            estate(
                c,
                "供电公司家属院",
                EstateKind::WorkUnit,
                &communities[3],
                &work_unit,
                Some(&first_grids[3]),
                false,
            )?,
        ];

        let mut companies = Vec::new();
        for (name, code, coverage) in COMPANIES {
            let row = CompanyRow {
                id: ids::new_id(),
                name: name.into(),
                credit_code: code.into(),
                party_coverage: PartyCoverage::from_sheet(coverage)
                    .unwrap_or(PartyCoverage::None)
                    .as_str()
                    .into(),
                contact_name: None,
                contact_phone: None,
                created_at: ids::now(),
                county_id: Some(county.id.clone()),
            };
            db::companies::insert(c, &row)?;
            companies.push(row);
        }
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");
        for (estate, company, kind) in [
            (&estates[0], &companies[0], ContractKind::Service),
            (&estates[1], &companies[1], ContractKind::Service),
            (&estates[4], &companies[1], ContractKind::Entrusted),
        ] {
            db::companies::insert_contract(
                c,
                &ContractRow {
                    id: ids::new_id(),
                    company_id: company.id.clone(),
                    estate_id: estate.id.clone(),
                    kind: kind.as_str().into(),
                    starts_on: start,
                    ends_on: None,
                    created_at: ids::now(),
                },
            )?;
        }
        let report = db::unit_import::apply(c, &heyuan.id, &rows, &hasher, "demo", ids::now())?
            .map_err(|e| AppError::Internal(format!("demo import: {e:?}")))?;
        // A department of the county that reviews committee candidates.
        let department = {
            let id = ids::new_id();
            let row = OrgRow {
                path: child_path(Some(&county.path), &id),
                id,
                parent_id: Some(county.id.clone()),
                kind: OrgKind::Department.as_str().into(),
                name: "平顺县民政局".into(),
                created_at: ids::now(),
                department_code: Some("civil_affairs".into()),
            };
            db::orgs::insert(c, &row)?;
            row
        };
        orgs += 1;
        // An owner of 和园小区 the web tests leave alone (the 100th by id).
        let owner = db::owners::page_in_estate(c, &heyuan.id, None, None, 100)?
            .pop()
            .ok_or_else(|| AppError::Internal("the demo estate has no owners".into()))?;
        let accounts = accounts(
            c,
            &[
                ("住建局", "demo-bureau", Role::Bureau, county.id.clone()),
                (
                    "社区党组织（东街社区）",
                    "demo-party",
                    Role::PartyOrg,
                    communities[0].id.clone(),
                ),
                (
                    "业委会（和园小区）",
                    "demo-committee",
                    Role::Committee,
                    heyuan.id.clone(),
                ),
                (
                    "物业企业（和顺物业）",
                    "demo-company",
                    Role::Company,
                    companies[0].id.clone(),
                ),
                (
                    "县直部门（民政局）",
                    "demo-department",
                    Role::Department,
                    department.id.clone(),
                ),
                ("业主（和园小区）", "demo-owner", Role::Owner, owner.id.clone()),
            ],
        )?;
        audit::append(
            c,
            &audit::Actor::system("cli:demo"),
            "demo.load",
            "org",
            &county.id,
            &serde_json::json!({ "estates": estates.len(), "units": report.units }),
        )?;
        Ok(DemoSummary {
            county_id: county.id,
            estate_ids: estates.iter().map(|e| (e.name.clone(), e.id.clone())).collect(),
            heyuan_community_id: heyuan.community_id.clone(),
            heyuan_company_id: companies[0].id.clone(),
            heyuan_estate_id: heyuan.id,
            organisations: orgs,
            grids,
            estates: estates.len(),
            companies: companies.len(),
            units: report.units,
            accounts,
        })
    })
}
