//! Who may do what. Every "may X do Y on Z" of the service is decided here; handlers describe
//! the action and ask, they never inspect roles themselves.

use crate::term_enum;

use std::fmt;

use super::vetting::NominatedBy;
use super::voting::ProposalParty;

term_enum!(
    /// The roles of RULES.md's users, each granted with a scope (none for `admin`).
    #[derive(PartialOrd, Ord)]
    Role, "a role (角色), granted with a scope (none for `admin`)", {
        /// System administrator.
        Admin = "admin", "系统管理员";
        /// Housing bureau (住建局), county-wide; scope: the county.
        Bureau = "bureau", "住建局";
        /// A party organisation (乡镇党委/社区党委/网格党支部) and everything below it; scope: the organisation.
        PartyOrg = "party_org", "党组织";
        /// An estate's owners' committee or property management committee; scope: the estate.
        Committee = "committee", "业委会/物管会";
        /// A property company (物业服务企业); scope: the company.
        Company = "company", "物业服务企业";
        /// An owner (业主); scope: the owner record.
        Owner = "owner", "业主";
        /// A county department (派出所, 纪委监委, 信访局, ...) that records negative-list evidence
        /// and reviews candidates; scope: the department organisation.
        Department = "department", "县直部门";
    }
);

impl Role {
    /// Whether a grant of this role must name what it is limited to.
    pub fn needs_scope(self) -> bool {
        self != Role::Admin
    }

    /// What a grant of this role must be scoped to. A grant pointing at nothing, or at the wrong
    /// kind of place (a committee grant on a county), is refused when it is made.
    pub fn scope_kind(self) -> ScopeKind {
        use crate::domain::registry::OrgKind::*;
        match self {
            Role::Admin => ScopeKind::Nothing,
            Role::Bureau => ScopeKind::Org(&[County]),
            Role::PartyOrg => ScopeKind::Org(&[
                Township,
                Street,
                Community,
                GridPartyBranch,
                BuildingPartyGroup,
                IndustryPartyCommittee,
            ]),
            Role::Department => ScopeKind::Org(&[Department]),
            Role::Committee => ScopeKind::Estate,
            Role::Company => ScopeKind::Company,
            Role::Owner => ScopeKind::Owner,
        }
    }
}

/// The kind of record a role's grant is scoped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Nothing,
    /// An organisation of one of these kinds.
    Org(&'static [crate::domain::registry::OrgKind]),
    Estate,
    Company,
    Owner,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// `None` only for `admin`.
    pub scope_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A person logged in; `session_id` names the token family.
    User { id: String, session_id: String },
    /// An integration calling with an API key.
    ApiKey { id: String },
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn actor_type(&self) -> &'static str {
        match self.actor {
            Actor::User { .. } => "user",
            Actor::ApiKey { .. } => "api_key",
        }
    }

    pub fn actor_id(&self) -> &str {
        match &self.actor {
            Actor::User { id, .. } | Actor::ApiKey { id } => id,
        }
    }

    /// The scopes of this caller's grants of one role (owner ids for `Owner`, and so on).
    pub fn scopes(&self, role: Role) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.scope_id.clone())
            .collect()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The owner records this caller is (an account may be several owners' — co-owners who
    /// share one login are not allowed, but one person may hold units under two records).
    pub fn owner_ids(&self) -> Vec<String> {
        self.scopes(Role::Owner)
    }

    /// Whether this caller is the owner `owner_id`.
    pub fn is_owner(&self, owner_id: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Owner && g.scope_id.as_deref() == Some(owner_id))
    }

    /// The companies this caller speaks for (a company's people, or its API key).
    pub fn company_ids(&self) -> Vec<String> {
        self.scopes(Role::Company)
    }

    /// Everyone a ledger item dispatched to could be this caller: its companies, its
    /// departments and its owner records (the volunteer teams of those owners are added by
    /// whoever knows them).
    pub fn assignee_ids(&self) -> Vec<String> {
        let mut ids = self.company_ids();
        ids.extend(self.department_ids());
        ids.extend(self.owner_ids());
        ids
    }

    /// The department organisations this caller speaks for.
    pub fn department_ids(&self) -> Vec<String> {
        self.scopes(Role::Department)
    }

    /// The party organisations this caller's grants are scoped to.
    pub fn party_org_ids(&self) -> Vec<String> {
        self.scopes(Role::PartyOrg)
    }

    /// The estates whose committee this caller speaks for.
    pub fn committee_estates(&self) -> Vec<String> {
        self.scopes(Role::Committee)
    }
}

/// Which organisations' subtrees a caller may browse without naming one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgReach {
    /// Every organisation (administrators).
    All,
    /// The subtrees of these organisations (the bureau's county, a party organisation's own).
    Within(Vec<String>),
}

/// Where a caller's grants let it browse the organisation tree; `Denied` when nowhere.
pub fn org_reach(p: &Principal) -> Result<OrgReach, Denied> {
    if p.has_role(Role::Admin) {
        return Ok(OrgReach::All);
    }
    let mut roots = p.scopes(Role::Bureau);
    roots.extend(p.scopes(Role::PartyOrg));
    if roots.is_empty() {
        Err(Denied)
    } else {
        Ok(OrgReach::Within(roots))
    }
}

/// The county a company registered by this caller belongs to when none is named: a bureau
/// user's own county, if it has exactly one.
pub fn own_county(p: &Principal) -> Option<String> {
    match p.scopes(Role::Bureau).as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// The department a negative-list record is recorded for: a department user's own; an
/// administrator must name one (`Ok(None)`); anyone else is denied.
pub fn acting_department(p: &Principal) -> Result<Option<String>, Denied> {
    match p.department_ids().into_iter().next() {
        Some(own) => Ok(Some(own)),
        None if p.has_role(Role::Admin) => Ok(None),
        None => Err(Denied),
    }
}

/// Whether a caller sees an owner's phone in clear: administrators, and the owner themself
/// (everyone else who may see the owner sees it masked).
pub fn sees_owner_in_clear(p: &Principal, owner_id: &str) -> bool {
    p.has_role(Role::Admin) || p.is_owner(owner_id)
}

/// Which nominations a role may make (RULES.md §4): the party organisation's (by the party,
/// the bureau or an administrator acting for it); an owner's for themself or jointly.
pub fn may_nominate(role: Role, by: NominatedBy) -> bool {
    matches!(
        (by, role),
        (NominatedBy::PartyOrg, Role::Admin | Role::Bureau | Role::PartyOrg)
            | (NominatedBy::SelfNomination | NominatedBy::OwnersJointly, Role::Owner)
    )
}

/// Where a target stands, as far as scopes are concerned. Built by the caller of `authorize`
/// from the database; the decision itself stays here.
#[derive(Clone, Debug, Default)]
pub struct Place<'a> {
    /// Materialised paths (`/county/township/community/`) of the organisations the target
    /// belongs to; for an estate, its community and its responsible organisation. Empty for
    /// targets that belong to no organisation (companies, accounts).
    pub org_paths: Vec<&'a str>,
    /// The estates the target belongs to, for committee scopes: the estate itself, or the
    /// estates a company has (or had) a contract with.
    pub estate_ids: Vec<&'a str>,
    /// The company: the target's own (a company record, an API key) or the one serving the estate.
    pub company_id: Option<&'a str>,
    /// Whether the caller belongs here as an owner: one of its owner records currently holds a
    /// unit in one of `estate_ids`; for a ledger item's assignee, it is the party member the
    /// item is dispatched to, or a member of the team.
    pub caller_owns_here: bool,
    /// Department organisations entitled to act here (e.g. the county's departments with the
    /// code a review needs).
    pub department_ids: Vec<&'a str>,
}

impl Place<'_> {
    pub fn nowhere() -> Place<'static> {
        Place::default()
    }
}

/// What a caller wants to do. Later capabilities add their actions here.
#[derive(Clone, Debug)]
pub enum Action<'a> {
    /// Create accounts, grant and revoke roles, list accounts.
    ManageAccounts,
    /// Issue an API key for a company. The place is the company's home: the county where it is
    /// registered (a key acts for the company everywhere, so only its home county's bureau, an
    /// administrator or the company's own people may mint one — never a key itself).
    IssueApiKey(Place<'a>),
    /// List or read a company's API keys (metadata only; the secret is never shown again);
    /// the company's home place.
    ViewApiKeys(Place<'a>),
    /// Revoke a company's API key; the company's home place.
    RevokeApiKey(Place<'a>),
    /// Read and verify the audit log.
    ReadAudit,
    /// Move the test clock (only served with `REDPROP_TEST_CLOCK=1`).
    ManageTestClock,
    /// Create organisations and grids under a place (the parent's path), estates, buildings,
    /// units, owners and ownerships; import spreadsheets.
    ManageRegistry(Place<'a>),
    /// See an organisation or estate and its public data (no personal data).
    ViewPublic(Place<'a>),
    /// See personal data in an estate: owners, their units, masked phones.
    ViewPrivate(Place<'a>),
    /// Issue an owner's one-time activation code.
    IssueActivationCode(Place<'a>),
    /// Register a company in a county (the county's place).
    RegisterCompany(Place<'a>),
    /// Record a service contract for an estate (the estate's place).
    ManageContracts(Place<'a>),
    /// See a company's registry record. The place is where the company belongs: its home county
    /// and the estates (and so the counties) of its contracts.
    ViewCompany(Place<'a>),
    /// See a company's contact details in clear (the same place as `ViewCompany`).
    ViewCompanyContacts(Place<'a>),
    /// See a service contract: whoever sees its estate, and the company that holds it.
    ViewContract { estate: Place<'a>, company: Place<'a> },
    /// See coverage figures of an organisation's subtree.
    ViewCoverage(Place<'a>),
    /// Form committees and record their elections, appointments, filings, meetings, vacancies.
    ManageCommittee(Place<'a>),
    /// Change a county's committee rules and negative-list catalogue.
    ManageCountyRules(Place<'a>),
    /// Record (or end) a negative-list record about a person.
    RecordNegative(Place<'a>),
    /// Read negative-list records (the person reads their own through `is_self` checks).
    ViewNegativeRecords(Place<'a>),
    /// Open an election, screen candidates, publish the list, answer objections, finalise.
    ManageElection(Place<'a>),
    /// Nominate a candidate (party organisations; owners for themselves or jointly).
    Nominate(Place<'a>),
    /// Give a department's review of a candidate.
    ReviewCandidate(Place<'a>),
    /// File a signed objection to a published candidate.
    FileObjection(Place<'a>),
    /// Convene a vote, open it, enter paper ballots, watch turnout, extend it once.
    ConveneVote(Place<'a>),
    /// Cast one's own ballot.
    CastBallot(Place<'a>),
    /// Mobilise a major-matter proposal (the owners' committee of the estate).
    MobiliseProposal(Place<'a>),
    /// Endorse a major-matter proposal as one of its three parties: each party for itself only.
    EndorseProposal(Place<'a>, ProposalParty),
    /// The community party committee's review of a proposal.
    ReviewProposal(Place<'a>),
    /// Report a problem to an estate's ledger: its owners, party organisations (grid workers
    /// among them), its committee, and the company under contract.
    ReportLedgerItem(Place<'a>),
    /// Read an estate's whole ledger: officials over it and its committee.
    ViewLedger(Place<'a>),
    /// Dispatch an estate's ledger items, and keep the community's volunteer teams: the
    /// community party organisation or one above it.
    DispatchLedgerItem(Place<'a>),
    /// Enter the paper questionnaire of an owner who cannot answer the rating survey online:
    /// the community party organisation (its staff) or one above it.
    EnterPaperSurvey(Place<'a>),
    /// Work an item as its assignee (accept, decline, note progress, report done). The place is
    /// the assignee's: the company, the department, or (as `caller_owns_here`) the party member
    /// or a member of the team.
    WorkLedgerItem(Place<'a>),
    /// Confirm or reopen an item: only its reporter, the same account or key, or for a
    /// company's report, the company.
    ConfirmLedgerItem {
        reporter_id: &'a str,
        reporter_company_id: Option<&'a str>,
        /// The role the item was reported under (recorded for the confirmation too).
        reporter_role: Role,
    },
    /// Set a county's service levels and confirmation window (the county's place).
    ManageLedgerSettings(Place<'a>),
    /// Convene a meeting, take attendance, draft and publish its minutes, review its action
    /// items: a party organisation at or above the convenor (the convenor's place).
    ConveneMeeting(Place<'a>),
    /// Read a meeting, its draft minutes and action items: officials over its scope and its
    /// estate's committee (invited parties are asked as `SpeakForParty`).
    ViewMeeting(Place<'a>),
    /// Speak for an invited party (confirm the minutes, work an action item): the party
    /// organisation's people (or those above it), the committee, the company, the department.
    SpeakForParty(Place<'a>),
    /// Open and run a county's rating campaigns: configure, open, close, score, publish, award
    /// bonuses and record vetoes; read every input and unpublished result (the county's place).
    ManageRatings(Place<'a>),
    /// Inspect an estate for a campaign (the estate's place): the bureau and party organisations.
    InspectForRating(Place<'a>),
    /// The owners' committee's evaluation of its estate's company (the estate's place).
    EvaluateForRating(Place<'a>),
    /// Answer the satisfaction survey for an estate where one holds a unit.
    AnswerRatingSurvey(Place<'a>),
    /// Appeal one's own published results, and read them with one's appeals (the company's place).
    AppealRating(Place<'a>),
    /// Decide an appeal: the bureau, but never an account that scored the appealing company in
    /// the campaign (an inspection, an evaluation, a bonus or a veto) — the reviewer is not a rater.
    ReviewRatingAppeal { place: Place<'a>, scorers: &'a [String] },
    /// Register and look after webhook endpoints and their deliveries. A company's endpoints:
    /// the place names only the company (its own people and keys; not the bureau, since the
    /// events are the company's). A county's: the county's place (its bureau).
    ManageWebhooks(Place<'a>),
    /// Keep an estate's accounts (RULES.md §9): fee standards, entries of common income,
    /// statements and their corrections, answers to owners' questions, settlements of fund uses.
    /// The company under contract today (its people and its keys); where no company serves (a
    /// self-managed estate), its committee; administrators.
    KeepAccounts(Place<'a>),
    /// Read an estate's accounts in full (entries with counterparties, every statement line,
    /// questions, uses of the fund): whoever sees the estate — its owners, committee, party
    /// organisations, bureau and its company.
    ViewAccounts(Place<'a>),
    /// Record an owners' decision on money (the company's share of common income, the vote an
    /// ordinary use of the fund rests on): the committee, party organisations over the estate.
    RecordMoneyDecision(Place<'a>),
    /// Propose a use of the maintenance fund. An emergency use is applied for by the committee
    /// or the community (party organisations); an ordinary use may also be proposed by the company.
    ProposeFundUse { place: Place<'a>, emergency: bool },
    /// Approve or refuse an emergency use of the fund: the county's bureau.
    ApproveFundUse(Place<'a>),
    /// Ask a question on a published statement: the estate's owners.
    AskAboutAccounts(Place<'a>),
    /// Set a county's money settings (cadence, answer window, emergencies): its bureau.
    ManageMoneySettings(Place<'a>),
    /// Read the proof of a notice owner by owner (names, channels, what the provider answered)
    /// and record a paper notice posted in the estate: the estate's committee, the party
    /// organisations over it (the community), the bureau, administrators.
    ProveNotice(Place<'a>),
    /// Set a county's daily cap on texts, see its count, and list and retry its failed or unsent
    /// deliveries: its bureau, administrators.
    ManageNotices(Place<'a>),
    /// Connect an office's work-group robot: a committee for its estate, a party organisation for
    /// itself and those below it, the bureau for its county's offices, administrators.
    ManageWorkGroup(Place<'a>),
    /// Report in to a community (双报到): a resident party member for themself; the community
    /// records one on a member's behalf.
    ReportIn(Place<'a>),
    /// Report an organisation in to a community, with its members (机关党组织报到): the
    /// organisation's own people (at the organisation's place).
    ReportOrgIn(Place<'a>),
    /// Run a community's party members and volunteers: accept and place report-ins, link
    /// households, keep stations and their evidence, run activities and record their hours.
    ManageService(Place<'a>),
    /// Read the service figures (and the members' chain) of an organisation's area.
    ViewServiceFigures(Place<'a>),
    /// Read the yearly service of the members whose own party organisation this is.
    ReadMembersService(Place<'a>),
    /// Sign up for a community's activity, for themself.
    SignUpForActivity(Place<'a>),
    /// Set a county's points table and station standard.
    ManageServiceSettings(Place<'a>),
    /// Run a selection ("最美物业人"): publish the shortlist, answer objections, decide.
    RunSelection(Place<'a>),
    /// Nominate for a selection: companies (their staff), committees, residents, party organisations.
    NominateForSelection(Place<'a>),
    /// File a signed objection to a shortlist.
    ObjectToShortlist(Place<'a>),
}

#[derive(Debug, PartialEq, Eq)]
pub struct Denied;

/// Whether a grant reaches a place.
fn reaches(g: &Grant, place: &Place<'_>) -> bool {
    let scope = g.scope_id.as_deref();
    match g.role {
        Role::Admin => true,
        // The bureau is county-wide: places in its county. A place in no organisation (a company
        // registered before companies had a home county, with no contract) is nobody's county.
        Role::Bureau => place
            .org_paths
            .iter()
            .any(|p| scope.is_some_and(|s| crate::domain::registry::path_within(p, s))),
        Role::PartyOrg => place
            .org_paths
            .iter()
            .any(|p| scope.is_some_and(|s| crate::domain::registry::path_within(p, s))),
        Role::Committee => scope.is_some_and(|s| place.estate_ids.contains(&s)),
        Role::Company => place.company_id.is_some() && place.company_id == scope,
        Role::Owner => place.caller_owns_here,
        Role::Department => scope.is_some_and(|s| place.department_ids.contains(&s)),
    }
}

/// Decides whether `p` may do `action`; on success names the role under which it may, which the
/// audit log records.
pub fn authorize(p: &Principal, action: &Action<'_>) -> Result<Role, Denied> {
    use Role::*;
    let (roles, place): (&[Role], Place<'_>) = match action {
        Action::ManageAccounts | Action::ReadAudit | Action::ManageTestClock => (&[Admin], Place::nowhere()),
        // A key may look after its company's keys but not mint new ones: a leaked key must not
        // be able to make itself permanent.
        Action::IssueApiKey(place) => match p.actor {
            Actor::User { .. } => (&[Admin, Bureau, Company], place.clone()),
            Actor::ApiKey { .. } => (&[Admin, Bureau], place.clone()),
        },
        Action::ViewApiKeys(place) | Action::RevokeApiKey(place) => (&[Admin, Bureau, Company], place.clone()),
        Action::RegisterCompany(place) | Action::ManageContracts(place) => (&[Admin, Bureau], place.clone()),
        // Everyone who works with a company where it works: the bureaus of its counties, the
        // party organisations, committees and owners of its estates, and the company itself.
        Action::ViewCompany(place) => (&[Admin, Bureau, PartyOrg, Committee, Owner, Company], place.clone()),
        Action::ViewCompanyContacts(place) => (&[Admin, Bureau, Company], place.clone()),
        Action::ViewContract { estate, company } => match authorize(p, &Action::ViewPublic(estate.clone())) {
            Ok(role) => return Ok(role),
            Err(Denied) => (&[Company], company.clone()),
        },
        Action::ManageRegistry(place) | Action::ViewCoverage(place) => (&[Admin, Bureau, PartyOrg], place.clone()),
        Action::ViewPrivate(place) | Action::IssueActivationCode(place) => {
            (&[Admin, Bureau, PartyOrg, Committee], place.clone())
        }
        Action::ViewPublic(place) => (&[Admin, Bureau, PartyOrg, Committee, Company, Owner], place.clone()),
        Action::ManageCommittee(place) | Action::ManageElection(place) => (&[Admin, Bureau, PartyOrg], place.clone()),
        Action::ManageCountyRules(place) => (&[Admin, Bureau], place.clone()),
        Action::RecordNegative(place) => (&[Admin, Department], place.clone()),
        Action::ViewNegativeRecords(place) => (&[Admin, Bureau, Department], place.clone()),
        Action::Nominate(place) => (&[Admin, Bureau, PartyOrg, Owner], place.clone()),
        // Only the department itself speaks for the department: not even an administrator.
        Action::ReviewCandidate(place) => (&[Department], place.clone()),
        Action::FileObjection(place) | Action::CastBallot(place) => (&[Owner], place.clone()),
        Action::ConveneVote(place) => (&[Admin, PartyOrg, Committee], place.clone()),
        Action::MobiliseProposal(place) => (&[Admin, Committee], place.clone()),
        Action::EndorseProposal(place, party) => (
            match party {
                ProposalParty::EstatePartyBranch => &[PartyOrg],
                ProposalParty::OwnersCommittee => &[Committee],
                ProposalParty::PropertyCompany => &[Company],
            },
            place.clone(),
        ),
        Action::ReviewProposal(place) => (&[PartyOrg], place.clone()),
        Action::ReportLedgerItem(place) => (&[Admin, PartyOrg, Committee, Company, Owner], place.clone()),
        Action::ViewLedger(place) => (&[Admin, Bureau, PartyOrg, Committee], place.clone()),
        Action::DispatchLedgerItem(place) | Action::EnterPaperSurvey(place) => (&[Admin, PartyOrg], place.clone()),
        // Only the assignee itself: not even an administrator takes an order for someone else.
        Action::WorkLedgerItem(place) => (&[Company, Department, Owner], place.clone()),
        Action::ConfirmLedgerItem {
            reporter_id,
            reporter_company_id,
            reporter_role,
        } => {
            if p.actor_id() == *reporter_id {
                return Ok(*reporter_role);
            }
            let company = Place {
                company_id: *reporter_company_id,
                ..Place::default()
            };
            return [Company]
                .iter()
                .copied()
                .find(|r| p.grants.iter().any(|g| g.role == *r && reaches(g, &company)))
                .ok_or(Denied);
        }
        Action::ManageLedgerSettings(place) => (&[Admin, Bureau], place.clone()),
        Action::ConveneMeeting(place) => (&[Admin, PartyOrg], place.clone()),
        Action::ViewMeeting(place) => (&[Admin, Bureau, PartyOrg, Committee], place.clone()),
        Action::SpeakForParty(place) => (&[PartyOrg, Committee, Company, Department], place.clone()),
        Action::ManageRatings(place) => (&[Admin, Bureau], place.clone()),
        Action::InspectForRating(place) => (&[Admin, Bureau, PartyOrg], place.clone()),
        Action::EvaluateForRating(place) => (&[Committee], place.clone()),
        Action::AnswerRatingSurvey(place) => (&[Owner], place.clone()),
        Action::AppealRating(place) => (&[Company], place.clone()),
        Action::ReviewRatingAppeal { place, scorers } => {
            if scorers.iter().any(|s| s == p.actor_id()) {
                return Err(Denied);
            }
            (&[Admin, Bureau], place.clone())
        }
        Action::ManageWebhooks(place) => (&[Admin, Bureau, Company], place.clone()),
        Action::KeepAccounts(place) => (
            if place.company_id.is_some() {
                &[Admin, Company]
            } else {
                &[Admin, Committee]
            },
            place.clone(),
        ),
        Action::ViewAccounts(place) => (&[Admin, Bureau, PartyOrg, Committee, Company, Owner], place.clone()),
        Action::RecordMoneyDecision(place) => (&[Admin, PartyOrg, Committee], place.clone()),
        Action::ProposeFundUse { place, emergency } => (
            if *emergency {
                &[Admin, PartyOrg, Committee]
            } else {
                &[Admin, PartyOrg, Committee, Company]
            },
            place.clone(),
        ),
        Action::ApproveFundUse(place) | Action::ManageMoneySettings(place) => (&[Admin, Bureau], place.clone()),
        Action::AskAboutAccounts(place) => (&[Owner], place.clone()),
        Action::ProveNotice(place) => (&[Admin, Bureau, PartyOrg, Committee], place.clone()),
        Action::ManageNotices(place) => (&[Admin, Bureau], place.clone()),
        Action::ManageWorkGroup(place) => (&[Admin, Bureau, PartyOrg, Committee], place.clone()),
        Action::ReportIn(place) => (&[Admin, PartyOrg, Owner], place.clone()),
        Action::ReportOrgIn(place) | Action::ReadMembersService(place) => {
            (&[Admin, PartyOrg, Department], place.clone())
        }
        Action::ManageService(place) => (&[Admin, PartyOrg], place.clone()),
        Action::RunSelection(place) => (&[Admin, Bureau, PartyOrg], place.clone()),
        Action::ViewServiceFigures(place) => (&[Admin, Bureau, PartyOrg], place.clone()),
        Action::SignUpForActivity(place) | Action::ObjectToShortlist(place) => (&[Owner], place.clone()),
        Action::ManageServiceSettings(place) => (&[Admin, Bureau], place.clone()),
        Action::NominateForSelection(place) => (&[Admin, PartyOrg, Committee, Company, Owner], place.clone()),
    };
    roles
        .iter()
        .copied()
        .find(|r| p.grants.iter().any(|g| g.role == *r && reaches(g, &place)))
        .ok_or(Denied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(grants: &[(Role, Option<&str>)]) -> Principal {
        Principal {
            actor: Actor::User {
                id: "u".into(),
                session_id: "s".into(),
            },
            grants: grants
                .iter()
                .map(|(r, s)| Grant {
                    role: *r,
                    scope_id: s.map(str::to_string),
                })
                .collect(),
        }
    }

    #[test]
    fn the_company_keeps_the_accounts_and_without_one_the_committee() {
        let served = Place {
            estate_ids: vec!["e"],
            company_id: Some("c"),
            ..Place::default()
        };
        let alone = Place {
            company_id: None,
            ..served.clone()
        };
        let company = who(&[(Role::Company, Some("c"))]);
        let committee = who(&[(Role::Committee, Some("e"))]);
        assert!(authorize(&company, &Action::KeepAccounts(served.clone())).is_ok());
        assert!(authorize(&committee, &Action::KeepAccounts(served)).is_err());
        assert!(authorize(&committee, &Action::KeepAccounts(alone.clone())).is_ok());
        assert!(authorize(&company, &Action::KeepAccounts(alone)).is_err());
    }

    #[test]
    fn the_reviewer_of_an_appeal_is_not_one_who_scored() {
        let county = Place {
            org_paths: vec!["/c/"],
            ..Place::default()
        };
        let bureau = who(&[(Role::Bureau, Some("c"))]);
        let review = |scorers: &[String]| {
            authorize(
                &bureau,
                &Action::ReviewRatingAppeal {
                    place: county.clone(),
                    scorers,
                },
            )
        };
        assert_eq!(review(&["someone".into()]), Ok(Role::Bureau));
        assert_eq!(review(&["u".into()]), Err(Denied));
        let other = who(&[(Role::Bureau, Some("d"))]);
        assert_eq!(
            authorize(
                &other,
                &Action::ReviewRatingAppeal {
                    place: county.clone(),
                    scorers: &[]
                }
            ),
            Err(Denied)
        );
    }

    #[test]
    fn only_admin_manages_accounts_and_reads_audit() {
        assert_eq!(
            authorize(&who(&[(Role::Admin, None)]), &Action::ManageAccounts),
            Ok(Role::Admin)
        );
        assert_eq!(
            authorize(&who(&[(Role::Bureau, Some("c"))]), &Action::ManageAccounts),
            Err(Denied)
        );
        assert_eq!(
            authorize(&who(&[(Role::Owner, Some("o"))]), &Action::ReadAudit),
            Err(Denied)
        );
    }

    fn company_home<'a>(county_path: &'a str, id: &'a str) -> Place<'a> {
        Place {
            org_paths: vec![county_path],
            company_id: Some(id),
            ..Place::default()
        }
    }

    #[test]
    fn keys_follow_the_company_home_county() {
        let home = company_home("/county-a/", "c1");
        let own = who(&[(Role::Company, Some("c1"))]);
        assert_eq!(authorize(&own, &Action::ViewApiKeys(home.clone())), Ok(Role::Company));
        assert_eq!(authorize(&own, &Action::IssueApiKey(home.clone())), Ok(Role::Company));
        let other = who(&[(Role::Company, Some("c2"))]);
        assert_eq!(authorize(&other, &Action::ViewApiKeys(home.clone())), Err(Denied));
        assert_eq!(
            authorize(
                &who(&[(Role::Bureau, Some("county-a"))]),
                &Action::IssueApiKey(home.clone())
            ),
            Ok(Role::Bureau)
        );
        // Another county's bureau reaches neither the keys nor the company's home.
        let bureau_b = who(&[(Role::Bureau, Some("county-b"))]);
        assert_eq!(authorize(&bureau_b, &Action::IssueApiKey(home.clone())), Err(Denied));
        assert_eq!(authorize(&bureau_b, &Action::RevokeApiKey(home.clone())), Err(Denied));
        // A company nobody registered in a county is nobody's: only administrators.
        let homeless = Place {
            company_id: Some("c1"),
            ..Place::default()
        };
        assert_eq!(authorize(&bureau_b, &Action::ViewApiKeys(homeless)), Err(Denied));
        // A key itself may list and revoke its company's keys, never mint one.
        let key = Principal {
            actor: Actor::ApiKey { id: "k".into() },
            grants: vec![Grant {
                role: Role::Company,
                scope_id: Some("c1".into()),
            }],
        };
        assert_eq!(authorize(&key, &Action::RevokeApiKey(home.clone())), Ok(Role::Company));
        assert_eq!(authorize(&key, &Action::IssueApiKey(home)), Err(Denied));
    }

    #[test]
    fn a_company_is_seen_where_it_works() {
        let place = Place {
            org_paths: vec!["/county-a/", "/county-b/town/comm/"],
            estate_ids: vec!["e1"],
            company_id: Some("c1"),
            caller_owns_here: false,
            department_ids: vec![],
        };
        let view = Action::ViewCompany(place.clone());
        for g in [
            (Role::Bureau, Some("county-a")),
            (Role::Bureau, Some("county-b")),
            (Role::PartyOrg, Some("comm")),
            (Role::Committee, Some("e1")),
            (Role::Company, Some("c1")),
        ] {
            assert!(authorize(&who(&[g]), &view).is_ok(), "{g:?}");
        }
        for g in [
            (Role::Bureau, Some("county-c")),
            (Role::PartyOrg, Some("other")),
            (Role::Committee, Some("e2")),
            (Role::Company, Some("c2")),
            (Role::Owner, Some("o")),
            (Role::Department, Some("d")),
        ] {
            assert_eq!(authorize(&who(&[g]), &view), Err(Denied), "{g:?}");
        }
        let contacts = Action::ViewCompanyContacts(place);
        assert!(authorize(&who(&[(Role::Bureau, Some("county-b"))]), &contacts).is_ok());
        assert_eq!(
            authorize(&who(&[(Role::Committee, Some("e1"))]), &contacts),
            Err(Denied)
        );
    }

    #[test]
    fn scopes_follow_the_organisation_tree() {
        let community = "/county/town/comm/";
        let estate = Place {
            org_paths: vec![community],
            estate_ids: vec!["e1"],
            company_id: Some("c1"),
            caller_owns_here: false,
            department_ids: vec![],
        };
        let view = Action::ViewPrivate(estate.clone());
        assert_eq!(
            authorize(&who(&[(Role::PartyOrg, Some("town"))]), &view),
            Ok(Role::PartyOrg)
        );
        assert_eq!(
            authorize(&who(&[(Role::PartyOrg, Some("comm"))]), &view),
            Ok(Role::PartyOrg)
        );
        assert_eq!(authorize(&who(&[(Role::PartyOrg, Some("other"))]), &view), Err(Denied));
        assert_eq!(
            authorize(&who(&[(Role::Bureau, Some("county"))]), &view),
            Ok(Role::Bureau)
        );
        assert_eq!(authorize(&who(&[(Role::Bureau, Some("county-2"))]), &view), Err(Denied));
        assert_eq!(
            authorize(&who(&[(Role::Committee, Some("e1"))]), &view),
            Ok(Role::Committee)
        );
        assert_eq!(authorize(&who(&[(Role::Committee, Some("e2"))]), &view), Err(Denied));
        // The serving company sees public data, never personal data.
        assert_eq!(authorize(&who(&[(Role::Company, Some("c1"))]), &view), Err(Denied));
        assert_eq!(
            authorize(
                &who(&[(Role::Company, Some("c1"))]),
                &Action::ViewPublic(estate.clone())
            ),
            Ok(Role::Company)
        );
        assert_eq!(
            authorize(
                &who(&[(Role::Company, Some("c2"))]),
                &Action::ViewPublic(estate.clone())
            ),
            Err(Denied)
        );
        // Committees do not create registry records.
        assert_eq!(
            authorize(
                &who(&[(Role::Committee, Some("e1"))]),
                &Action::ManageRegistry(estate.clone())
            ),
            Err(Denied)
        );
        // An owner sees the public data of an estate where they hold a unit.
        let mine = Place {
            caller_owns_here: true,
            ..estate.clone()
        };
        assert_eq!(
            authorize(&who(&[(Role::Owner, Some("o1"))]), &Action::ViewPublic(mine)),
            Ok(Role::Owner)
        );
        assert_eq!(
            authorize(&who(&[(Role::Owner, Some("o1"))]), &Action::ViewPublic(estate)),
            Err(Denied)
        );
    }

    #[test]
    fn roles_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
