//! The shape of the registry: kinds of organisations and where each may stand in the tree,
//! kinds of estates and who is responsible for each by default, management modes, and the
//! party-building coverage of companies (两个覆盖).

/// Kinds of organisation. The administrative chain (county → township/street → community) and
/// the party chain below a community (grid party branch → building party group) share one tree,
/// so that "an organisation and everything below it" is one subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgKind {
    County,
    Township,
    Street,
    Community,
    GridPartyBranch,
    BuildingPartyGroup,
    HousingBureau,
    IndustryPartyCommittee,
    WorkUnit,
    /// A county department that vets candidates or supplies negative-list evidence (派出所,
    /// 纪委监委, 信访局, ...), identified by a department code the county's rules name.
    Department,
}

impl OrgKind {
    pub const ALL: [OrgKind; 10] = [
        OrgKind::Department,
        OrgKind::County,
        OrgKind::Township,
        OrgKind::Street,
        OrgKind::Community,
        OrgKind::GridPartyBranch,
        OrgKind::BuildingPartyGroup,
        OrgKind::HousingBureau,
        OrgKind::IndustryPartyCommittee,
        OrgKind::WorkUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::County => "county",
            OrgKind::Township => "township",
            OrgKind::Street => "street",
            OrgKind::Community => "community",
            OrgKind::GridPartyBranch => "grid_party_branch",
            OrgKind::BuildingPartyGroup => "building_party_group",
            OrgKind::HousingBureau => "housing_bureau",
            OrgKind::IndustryPartyCommittee => "industry_party_committee",
            OrgKind::WorkUnit => "work_unit",
            OrgKind::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

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

pub fn path_within(path: &str, ancestor_id: &str) -> bool {
    path.contains(&format!("/{ancestor_id}/"))
}

/// The three kinds of estate in Huguan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstateKind {
    /// 商品房小区 (大产权): the housing bureau is responsible.
    Commercial,
    /// 村建小区: the township party committee is responsible.
    VillageBuilt,
    /// 单位家属小区: the work unit is responsible.
    WorkUnit,
}

impl EstateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EstateKind::Commercial => "commercial",
            EstateKind::VillageBuilt => "village_built",
            EstateKind::WorkUnit => "work_unit",
        }
    }

    pub fn parse(s: &str) -> Option<EstateKind> {
        [EstateKind::Commercial, EstateKind::VillageBuilt, EstateKind::WorkUnit]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The kind of organisation responsible for an estate of this kind.
    pub fn responsible_kind(self) -> OrgKind {
        match self {
            EstateKind::Commercial => OrgKind::HousingBureau,
            EstateKind::VillageBuilt => OrgKind::Township,
            EstateKind::WorkUnit => OrgKind::WorkUnit,
        }
    }
}

/// How an estate is managed, derived from its contracts and its self-management flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagementMode {
    /// A property company under contract (物业服务合同).
    Contracted,
    /// Entrusted to a neighbouring company (代管).
    Entrusted,
    /// Self-managed by the property management committee (物管会自管).
    SelfManaged,
    /// None: counts against "zero estates without management" (物业清零).
    None,
}

impl ManagementMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ManagementMode::Contracted => "contracted",
            ManagementMode::Entrusted => "entrusted",
            ManagementMode::SelfManaged => "self_managed",
            ManagementMode::None => "none",
        }
    }

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractKind {
    Service,
    Entrusted,
}

impl ContractKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractKind::Service => "service",
            ContractKind::Entrusted => "entrusted",
        }
    }

    pub fn parse(s: &str) -> Option<ContractKind> {
        match s {
            "service" => Some(ContractKind::Service),
            "entrusted" => Some(ContractKind::Entrusted),
            _ => None,
        }
    }
}

/// A contract is current on `day` when it has started and not ended (both days included).
pub fn contract_current(
    starts_on: chrono::NaiveDate,
    ends_on: Option<chrono::NaiveDate>,
    day: chrono::NaiveDate,
) -> bool {
    starts_on <= day && ends_on.is_none_or(|e| day <= e)
}

/// Party-building coverage of a company (两个覆盖).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyCoverage {
    OwnBranch,
    JointBranch,
    Instructor,
    None,
}

impl PartyCoverage {
    pub const ALL: [PartyCoverage; 4] = [
        PartyCoverage::OwnBranch,
        PartyCoverage::JointBranch,
        PartyCoverage::Instructor,
        PartyCoverage::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyCoverage::OwnBranch => "own_branch",
            PartyCoverage::JointBranch => "joint_branch",
            PartyCoverage::Instructor => "instructor",
            PartyCoverage::None => "none",
        }
    }

    /// The English name, or the Chinese terms of county spreadsheets.
    pub fn parse(s: &str) -> Option<PartyCoverage> {
        match s.trim() {
            "own_branch" | "单独党支部" | "独立党支部" => Some(PartyCoverage::OwnBranch),
            "joint_branch" | "联合党支部" => Some(PartyCoverage::JointBranch),
            "instructor" | "党建指导员" => Some(PartyCoverage::Instructor),
            "none" | "无" => Some(PartyCoverage::None),
            _ => None,
        }
    }
}

/// A party member's post at the end of the five-level chain (五级组织体系).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyPost {
    /// 党员单元长: a party member leading one entrance.
    UnitLeader,
    /// 党员中心户: a party-member household others turn to.
    CentralHousehold,
}

impl PartyPost {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyPost::UnitLeader => "unit_leader",
            PartyPost::CentralHousehold => "central_household",
        }
    }

    pub fn parse(s: &str) -> Option<PartyPost> {
        match s {
            "unit_leader" => Some(PartyPost::UnitLeader),
            "central_household" => Some(PartyPost::CentralHousehold),
            _ => None,
        }
    }
}

/// Only party members hold party posts.
pub fn check_party_post(party_member: bool, post: Option<PartyPost>) -> Result<(), &'static str> {
    match (party_member, post) {
        (false, Some(_)) => Err("only a party member can hold a party post"),
        _ => Ok(()),
    }
}

/// Sale and delivery status of a unit; the developer holds it until delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaleStatus {
    Unsold,
    SoldUndelivered,
    Delivered,
}

impl SaleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Unsold => "unsold",
            SaleStatus::SoldUndelivered => "sold_undelivered",
            SaleStatus::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<SaleStatus> {
        match s.trim() {
            "unsold" | "未售" => Some(SaleStatus::Unsold),
            "sold_undelivered" | "已售未交付" | "未交付" => Some(SaleStatus::SoldUndelivered),
            "delivered" | "已交付" => Some(SaleStatus::Delivered),
            _ => None,
        }
    }

    pub fn developer_held(self) -> bool {
        self != SaleStatus::Delivered
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Residential,
    Commercial,
    Parking,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Residential => "residential",
            UnitKind::Commercial => "commercial",
            UnitKind::Parking => "parking",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        match s.trim() {
            "residential" | "住宅" => Some(UnitKind::Residential),
            "commercial" | "商业" | "商铺" => Some(UnitKind::Commercial),
            "parking" | "车位" | "车库" => Some(UnitKind::Parking),
            _ => None,
        }
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
