//! The shape of the registry: kinds of organisations and where each may stand in the tree,
//! kinds of estates and who is responsible for each by default, management modes, and the
//! party-building coverage of companies (两个覆盖).

use super::term;
use crate::term_enum;

term_enum!(
    /// Kinds of organisation. The administrative chain (county → township/street → community) and
    /// the party chain below a community (grid party branch → building party group) share one tree,
    /// so that "an organisation and everything below it" is one subtree.
    OrgKind, "a kind of organisation (组织类型)", {
        County = "county", "县";
        Township = "township", "乡镇";
        Street = "street", "街道";
        Community = "community", "社区";
        GridPartyBranch = "grid_party_branch", "网格党支部";
        BuildingPartyGroup = "building_party_group", "楼栋党小组";
        HousingBureau = "housing_bureau", "住建局";
        IndustryPartyCommittee = "industry_party_committee", "物业行业党委";
        WorkUnit = "work_unit", "单位";
        /// A county department that vets candidates or supplies negative-list evidence (派出所,
        /// 纪委监委, 信访局, ...), identified by a department code the county's rules name.
        Department = "department", "县直部门";
    }
);

impl OrgKind {
    /// Which kinds may be this kind's parent; empty means it is a root.
    pub fn allowed_parents(self) -> &'static [OrgKind] {
        use OrgKind::*;
        match self {
            County => &[],
            Township | Street | HousingBureau | WorkUnit | Department => &[County],
            Community => &[Township, Street],
            GridPartyBranch => &[Community],
            BuildingPartyGroup => &[GridPartyBranch],
            IndustryPartyCommittee => &[HousingBureau],
        }
    }

    /// Party organisations, as opposed to administrative bodies: a township or community node
    /// also stands for its party committee (乡镇党委, 社区党委), as in the seeds.
    pub fn is_party(self) -> bool {
        use OrgKind::*;
        matches!(
            self,
            Township | Street | Community | GridPartyBranch | BuildingPartyGroup | IndustryPartyCommittee
        )
    }
}

/// Whether `kind` may be placed under a parent of `parent` (None: at the root).
pub fn check_parent(kind: OrgKind, parent: Option<OrgKind>) -> Result<(), String> {
    let allowed = kind.allowed_parents();
    match parent {
        None if allowed.is_empty() => Ok(()),
        None => Err(format!("a {} needs a parent organisation", kind.as_str())),
        Some(p) if allowed.contains(&p) => Ok(()),
        Some(p) => Err(format!(
            "a {} cannot stand under a {}; allowed: {}",
            kind.as_str(),
            p.as_str(),
            allowed.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Materialised path of a node: its ancestors' ids and its own, `/a/b/c/`. A subtree is every
/// path that starts with its root's path.
pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The county of a node: the root of its path (counties are the top of the tree).
pub fn county_of(path: &str) -> String {
    path.split('/').find(|s| !s.is_empty()).unwrap_or_default().to_string()
}

pub fn path_within(path: &str, ancestor_id: &str) -> bool {
    path.contains(&format!("/{ancestor_id}/"))
}

term_enum!(
    /// The three kinds of estate in Huguan.
    EstateKind, "a kind of estate (小区类型)", {
        /// 商品房小区 (大产权): the housing bureau is responsible.
        Commercial = "commercial", "商品房小区";
        /// 村建小区: the township party committee is responsible.
        VillageBuilt = "village_built", "村建小区";
        /// 单位家属小区: the work unit is responsible.
        WorkUnit = "work_unit", "单位家属小区";
    }
);

impl EstateKind {
    /// The kind of organisation responsible for an estate of this kind.
    pub fn responsible_kind(self) -> OrgKind {
        match self {
            EstateKind::Commercial => OrgKind::HousingBureau,
            EstateKind::VillageBuilt => OrgKind::Township,
            EstateKind::WorkUnit => OrgKind::WorkUnit,
        }
    }
}

term_enum!(
    /// How an estate is managed, derived from its contracts and its self-management flag.
    ManagementMode, "how an estate is managed (管理模式)", {
        /// A property company under contract (物业服务合同).
        Contracted = "contracted", "物业服务";
        /// Entrusted to a neighbouring company (代管).
        Entrusted = "entrusted", "代管";
        /// Self-managed by the property management committee (物管会自管).
        SelfManaged = "self_managed", "自管";
        /// None: counts against "zero estates without management" (物业清零).
        None = "none", "无物业管理";
    }
);

impl ManagementMode {
    /// A current contract decides; without one, the self-management flag; else none.
    pub fn derive(current_contract_kind: Option<ContractKind>, self_managed: bool) -> ManagementMode {
        match (current_contract_kind, self_managed) {
            (Some(ContractKind::Service), _) => ManagementMode::Contracted,
            (Some(ContractKind::Entrusted), _) => ManagementMode::Entrusted,
            (None, true) => ManagementMode::SelfManaged,
            (None, false) => ManagementMode::None,
        }
    }
}

term_enum!(
    ContractKind, "a kind of contract for an estate (合同类型): a service contract (物业服务合同) or an entrustment (代管协议)", {
        Service = "service", "物业服务合同";
        Entrusted = "entrusted", "代管协议";
    }
);

/// A contract is current on `day` when it has started and not ended (both days included).
pub fn contract_current(
    starts_on: chrono::NaiveDate,
    ends_on: Option<chrono::NaiveDate>,
    day: chrono::NaiveDate,
) -> bool {
    starts_on <= day && ends_on.is_none_or(|e| day <= e)
}

term_enum!(
    /// Party-building coverage of a company (两个覆盖).
    PartyCoverage, "party-building coverage of a company (两个覆盖)", {
        OwnBranch = "own_branch", "单独党支部";
        JointBranch = "joint_branch", "联合党支部";
        Instructor = "instructor", "党建指导员";
        None = "none", "无";
    }
);

impl PartyCoverage {
    /// A spreadsheet cell: the name, the Chinese term, or another word county offices use.
    pub fn from_sheet(cell: &str) -> Option<PartyCoverage> {
        term::from_sheet(cell, &[("独立党支部", PartyCoverage::OwnBranch)])
    }
}

term_enum!(
    /// A party member's post at the end of the five-level chain (五级组织体系).
    PartyPost, "a party member's post at the end of the five-level chain (五级组织体系)", {
        /// 党员单元长: a party member leading one entrance.
        UnitLeader = "unit_leader", "党员单元长";
        /// 党员中心户: a party-member household others turn to.
        CentralHousehold = "central_household", "党员中心户";
    }
);

/// Only party members hold party posts.
pub fn check_party_post(party_member: bool, post: Option<PartyPost>) -> Result<(), &'static str> {
    match (party_member, post) {
        (false, Some(_)) => Err("only a party member can hold a party post"),
        _ => Ok(()),
    }
}

term_enum!(
    /// Sale and delivery status of a unit; the developer holds it until delivery.
    SaleStatus, "sale and delivery of a unit (销售状态); the developer holds it until delivery", {
        Unsold = "unsold", "未售";
        SoldUndelivered = "sold_undelivered", "已售未交付";
        Delivered = "delivered", "已交付";
    }
);

impl SaleStatus {
    /// A spreadsheet cell: the name, the Chinese term, or another word county offices use.
    pub fn from_sheet(cell: &str) -> Option<SaleStatus> {
        term::from_sheet(cell, &[("未交付", SaleStatus::SoldUndelivered)])
    }

    pub fn developer_held(self) -> bool {
        self != SaleStatus::Delivered
    }
}

term_enum!(
    UnitKind, "a kind of unit (房屋类型)", {
        Residential = "residential", "住宅";
        Commercial = "commercial", "商业";
        Parking = "parking", "车位";
    }
);

impl UnitKind {
    /// A spreadsheet cell: the name, the Chinese term, or another word county offices use.
    pub fn from_sheet(cell: &str) -> Option<UnitKind> {
        term::from_sheet(cell, &[("商铺", UnitKind::Commercial), ("车库", UnitKind::Parking)])
    }

    /// Parking spaces are not exclusive parts for voting unless a scope says so (RULES.md §2).
    pub fn counts_by_default(self) -> bool {
        self != UnitKind::Parking
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn tree_shape() {
        assert!(check_parent(OrgKind::County, None).is_ok());
        assert!(check_parent(OrgKind::Community, Some(OrgKind::Township)).is_ok());
        assert!(check_parent(OrgKind::Community, Some(OrgKind::County)).is_err());
        assert!(check_parent(OrgKind::Township, None).is_err());
        assert!(check_parent(OrgKind::BuildingPartyGroup, Some(OrgKind::GridPartyBranch)).is_ok());
    }

    #[test]
    fn paths() {
        let county = child_path(None, "c");
        let town = child_path(Some(&county), "t");
        assert_eq!(town, "/c/t/");
        assert!(path_within(&town, "c"));
        assert!(path_within(&town, "t"));
        assert!(!path_within(&town, "x"));
        assert!(!path_within("/cc/t/", "c"), "ids match whole segments only");
    }

    #[test]
    fn contract_days_include_both_ends() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!contract_current(d("2026-01-02"), None, d("2026-01-01")));
        assert!(contract_current(d("2026-01-02"), None, d("2026-01-02")));
        assert!(contract_current(
            d("2026-01-02"),
            Some(d("2026-12-31")),
            d("2026-12-31")
        ));
        assert!(!contract_current(
            d("2026-01-02"),
            Some(d("2026-12-31")),
            d("2027-01-01")
        ));
    }

    #[test]
    fn management_mode_derivation() {
        assert_eq!(
            ManagementMode::derive(Some(ContractKind::Service), true),
            ManagementMode::Contracted
        );
        assert_eq!(
            ManagementMode::derive(Some(ContractKind::Entrusted), false),
            ManagementMode::Entrusted
        );
        assert_eq!(ManagementMode::derive(None, true), ManagementMode::SelfManaged);
        assert_eq!(ManagementMode::derive(None, false), ManagementMode::None);
    }
}
