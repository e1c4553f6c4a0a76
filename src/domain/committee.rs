//! Owners' committees (业主委员会) and property management committees (物业管理委员会):
//! composition rules, deadlines, alternates and party-building figures (RULES.md §3).
//! The numbers are a county's configuration (`CommitteeRules`), with the defaults of RULES.md.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::lifecycle::Refused;
use crate::error::{codes, reason, Reason};
use crate::term_enum;

/// A county's configurable rules for committees and their vetting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommitteeRules {
    /// Owners' committee size: at least, at most; always odd.
    pub oc_min: u32,
    pub oc_max: u32,
    /// Estates of at most this many households may have `small_estate_min` members (Hangzhou).
    pub small_estate_households: u32,
    pub small_estate_min: u32,
    /// Term of an owners' committee, in years: allowed range.
    pub term_min_years: u32,
    pub term_max_years: u32,
    /// Owners' representatives in a preparatory group: at least num/den of the group.
    pub prep_owner_share_num: u32,
    pub prep_owner_share_den: u32,
    /// Whether members of the preparatory group may not sit on the first committee (Shenzhen).
    pub prep_members_barred_from_first: bool,
    /// Property management committee: at least this many, odd (Guangzhou: 9).
    pub pmc_min: u32,
    /// Target share of party members, in percent (reported, never blocking).
    pub party_target_percent: u32,
    /// Days the qualified candidate list is published (7–10).
    pub publicity_days: u32,
    /// Days within which an objection is answered.
    pub objection_answer_days: u32,
    /// Departments whose review every candidate needs (codes of department organisations).
    pub required_departments: Vec<String>,
    /// Days between the notice of a vote and its opening (assembly notice: at least 15).
    pub vote_notice_days: u32,
    /// How a tie at the boundary of an election is resolved (RULES.md §3).
    pub tie_rule: TieRule,
}

term_enum!(
    /// How a county resolves a tie at the last seat or an alternate place of an election.
    #[derive(Default)]
    TieRule, "how a county resolves a tie at the last seat or an alternate place of an election (平票处理)", {
        /// A run-off vote among the tied candidates (the default).
        #[default]
        Runoff = "runoff", "重新投票";
        /// Lots drawn in public, recorded by the convenor with a witness.
        Lots = "lots", "公开抽签";
    }
);

impl Default for CommitteeRules {
    fn default() -> Self {
        CommitteeRules {
            oc_min: 5,
            oc_max: 11,
            small_estate_households: 100,
            small_estate_min: 3,
            term_min_years: 3,
            term_max_years: 5,
            prep_owner_share_num: 1,
            prep_owner_share_den: 2,
            prep_members_barred_from_first: false,
            pmc_min: 9,
            party_target_percent: 50,
            publicity_days: 7,
            objection_answer_days: 7,
            required_departments: ["community_party", "police", "discipline", "petitions", "housing"]
                .map(String::from)
                .to_vec(),
            vote_notice_days: 15,
            tie_rule: TieRule::Runoff,
        }
    }
}

/// A setting outside the range the law and RULES.md §3–§4 allow: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    pub setting: &'static str,
    pub message: String,
}

impl CommitteeRules {
    /// Checks that every setting lies inside its legal range (RULES.md §3, first paragraph: a
    /// county chooses inside the ranges, never outside) and that the settings agree.
    pub fn check(&self) -> Result<(), OutOfRange> {
        let odd = |n: u32| n % 2 == 1;
        let out = |setting: &'static str, message: String| Err(OutOfRange { setting, message });
        for (setting, n) in [("oc_min", self.oc_min), ("oc_max", self.oc_max)] {
            if !(5..=11).contains(&n) || !odd(n) {
                return out(
                    setting,
                    format!("an owners' committee has 5–11 members, an odd number: not {n}"),
                );
            }
        }
        if self.oc_min > self.oc_max {
            return out(
                "oc_min",
                format!("oc_min ({}) may not exceed oc_max ({})", self.oc_min, self.oc_max),
            );
        }
        if self.small_estate_households > 100 {
            return out(
                "small_estate_households",
                format!(
                    "the small-estate rule applies to estates of at most 100 households, not {}",
                    self.small_estate_households
                ),
            );
        }
        if !(self.small_estate_min == 3 || self.small_estate_min == self.oc_min) {
            return out(
                "small_estate_min",
                format!(
                    "a small estate's committee may have 3 members (or the usual minimum {}), not {}",
                    self.oc_min, self.small_estate_min
                ),
            );
        }
        for (setting, n) in [
            ("term_min_years", self.term_min_years),
            ("term_max_years", self.term_max_years),
        ] {
            if !(3..=5).contains(&n) {
                return out(setting, format!("a committee's term is 3–5 years, not {n}"));
            }
        }
        if self.term_min_years > self.term_max_years {
            return out("term_min_years", "term_min_years may not exceed term_max_years".into());
        }
        let share = (self.prep_owner_share_num, self.prep_owner_share_den);
        if share != (1, 2) && share != (2, 3) {
            return out(
                "prep_owner_share_num",
                format!(
                    "owners' representatives are at least 1/2 or 2/3 of a preparatory group, not {}/{}",
                    share.0, share.1
                ),
            );
        }
        if self.pmc_min < 9 || !odd(self.pmc_min) || self.pmc_min > 31 {
            return out(
                "pmc_min",
                format!(
                    "a property management committee has an odd number of at least 9 members, not {}",
                    self.pmc_min
                ),
            );
        }
        if self.party_target_percent > 100 {
            return out(
                "party_target_percent",
                format!("a share is 0–100 percent, not {}", self.party_target_percent),
            );
        }
        if !(7..=10).contains(&self.publicity_days) {
            return out(
                "publicity_days",
                format!(
                    "the candidate list is published for 7–10 days, not {}",
                    self.publicity_days
                ),
            );
        }
        if !(1..=7).contains(&self.objection_answer_days) {
            return out(
                "objection_answer_days",
                format!(
                    "objections are answered within 7 days at most (1–7), not {}",
                    self.objection_answer_days
                ),
            );
        }
        if !(15..=60).contains(&self.vote_notice_days) {
            return out(
                "vote_notice_days",
                format!(
                    "a vote or assembly is announced at least 15 days ahead (15–60), not {}",
                    self.vote_notice_days
                ),
            );
        }
        if self.required_departments.is_empty() {
            return out(
                "required_departments",
                "the joint review needs at least one department".into(),
            );
        }
        Ok(())
    }
}

term_enum!(
    /// Whom a member of a preparatory group or a property management committee comes from.
    Affiliation, "where a member comes from (成员来源)", {
        Owner = "owner", "业主";
        StreetOffice = "street_office", "街道办事处/乡镇人民政府";
        CommunityParty = "community_party", "社区党组织";
        ResidentsCommittee = "residents_committee", "居民委员会";
        HousingBureau = "housing_bureau", "住建局";
        Police = "police", "公安派出所";
        PropertyCompany = "property_company", "物业服务企业";
        Developer = "developer", "建设单位";
    }
);

term_enum!(
    /// The two authorities an elected owners' committee files with.
    FilingAuthority, "an authority an owners' committee files with (备案机关)", {
        HousingBureau = "housing_bureau", "县住建局";
        StreetOffice = "street_office", "街道办事处/乡镇人民政府";
    }
);

term_enum!(
    /// A member's place in a committee or its preparatory group.
    MemberRole, "a member's role (职务)", {
        Chair = "chair", "主任";
        ViceChair = "vice_chair", "副主任";
        Member = "member", "委员";
        /// An alternate, who fills a vacancy in rank order.
        Alternate = "alternate", "候补委员";
        GroupLeader = "group_leader", "筹备组组长";
        GroupMember = "group_member", "筹备组成员";
    }
);

impl MemberRole {
    /// Holds one of the committee's seats (not an alternate, not the preparatory group).
    pub fn seated(self) -> bool {
        matches!(self, MemberRole::Chair | MemberRole::ViceChair | MemberRole::Member)
    }

    /// The order members are listed in: chair, vice-chairs, members, alternates by rank, then
    /// the preparatory group.
    pub fn order(self, alternate_rank: Option<i32>) -> (u8, i32) {
        match self {
            MemberRole::Chair => (0, 0),
            MemberRole::ViceChair => (1, 0),
            MemberRole::Member => (2, 0),
            MemberRole::Alternate => (3, alternate_rank.unwrap_or(i32::MAX)),
            MemberRole::GroupLeader => (4, 0),
            MemberRole::GroupMember => (5, 0),
        }
    }
}

term_enum!(
    /// Where a committee stands.
    CommitteeStatus, "where a committee stands (业委会/物管会状态)", {
        /// An owners' committee's preparatory group works towards the election; a property
        /// management committee waits for its appointment.
        Preparing = "preparing", "筹备中";
        /// Elected, not yet filed with both authorities.
        Elected = "elected", "已选举";
        /// Filed with the housing bureau and the street office or township.
        Filed = "filed", "已备案";
        /// In office: filed and the first meeting held (a property management committee: appointed).
        Active = "active", "履职中";
        /// A property management committee standing down for an elected owners' committee.
        Dissolving = "dissolving", "移交中";
        Dissolved = "dissolved", "已解散";
        TermEnded = "term_ended", "任期届满";
    }
);

impl CommitteeStatus {
    /// A committee is formed (in preparation) unless the estate has one of its kind that has
    /// not ended, or — for a property management committee — an owners' committee in office.
    /// `live` are the estate's committees that have not ended.
    pub fn form(kind: CommitteeKind, live: &[(CommitteeKind, CommitteeStatus)]) -> Result<CommitteeStatus, Refused> {
        if let Some((_, now)) = live.iter().find(|(k, _)| *k == kind) {
            return Err(Refused::not_now(
                codes::COMMITTEE_EXISTS,
                *now,
                "forming a second committee of this kind",
            ));
        }
        if kind == CommitteeKind::PropertyManagementCommittee {
            if let Some((_, now)) = live
                .iter()
                .find(|(k, s)| *k == CommitteeKind::OwnersCommittee && *s != CommitteeStatus::Preparing)
            {
                return Err(Refused::not_now(
                    codes::OWNERS_COMMITTEE_EXISTS,
                    *now,
                    "forming a property management committee while an owners' committee is in office",
                ));
            }
        }
        Ok(CommitteeStatus::Preparing)
    }

    /// The status a reader sees: a committee in office past its term has ended even before
    /// anyone records it.
    pub fn shown(self, term_ends_on: Option<NaiveDate>, today: NaiveDate) -> CommitteeStatus {
        match (self, term_ends_on) {
            (CommitteeStatus::Elected | CommitteeStatus::Filed | CommitteeStatus::Active, Some(end)) if today > end => {
                CommitteeStatus::TermEnded
            }
            (s, _) => s,
        }
    }

    /// In office: it acts for the estate (counted in coverage, has vacancies).
    pub fn in_office(self) -> bool {
        matches!(
            self,
            CommitteeStatus::Elected | CommitteeStatus::Filed | CommitteeStatus::Active | CommitteeStatus::Dissolving
        )
    }

    /// Ended: nothing more happens to it.
    pub fn ended(self) -> bool {
        matches!(self, CommitteeStatus::Dissolved | CommitteeStatus::TermEnded)
    }

    /// An owners' committee in preparation records its election.
    pub fn record_election(self, kind: CommitteeKind) -> Result<CommitteeStatus, Refused> {
        match (kind, self) {
            (CommitteeKind::OwnersCommittee, CommitteeStatus::Preparing) => Ok(CommitteeStatus::Elected),
            (CommitteeKind::PropertyManagementCommittee, _) => Err(Refused::rule(
                codes::NOT_AN_OWNERS_COMMITTEE,
                "a property management committee is appointed, not elected",
            )),
            (_, now) => Err(Refused::not_now(
                codes::COMMITTEE_NOT_PREPARING,
                now,
                "recording an election",
            )),
        }
    }

    /// A property management committee in preparation is appointed, and is in office at once.
    pub fn appoint(self, kind: CommitteeKind) -> Result<CommitteeStatus, Refused> {
        match (kind, self) {
            (CommitteeKind::PropertyManagementCommittee, CommitteeStatus::Preparing) => Ok(CommitteeStatus::Active),
            (CommitteeKind::OwnersCommittee, _) => Err(Refused::rule(
                codes::NOT_A_PROPERTY_MANAGEMENT_COMMITTEE,
                "an owners' committee is elected, not appointed",
            )),
            (_, now) => Err(Refused::not_now(
                codes::COMMITTEE_NOT_PREPARING,
                now,
                "appointing the committee",
            )),
        }
    }

    /// An elected owners' committee is filed (again, for a change of filed facts).
    pub fn file(self, kind: CommitteeKind) -> Result<(), Refused> {
        match (kind, self) {
            (
                CommitteeKind::OwnersCommittee,
                CommitteeStatus::Elected | CommitteeStatus::Filed | CommitteeStatus::Active,
            ) => Ok(()),
            (CommitteeKind::PropertyManagementCommittee, _) => Err(Refused::rule(
                codes::NOT_AN_OWNERS_COMMITTEE,
                "only an elected owners' committee is filed",
            )),
            (_, now) => Err(Refused::not_now(
                codes::COMMITTEE_NOT_ELECTED,
                now,
                "filing the committee",
            )),
        }
    }

    /// The first meeting of an elected owners' committee is recorded once.
    pub fn first_meeting(self, kind: CommitteeKind, already: bool) -> Result<(), Refused> {
        match (kind, self) {
            (CommitteeKind::PropertyManagementCommittee, _) => Err(Refused::rule(
                codes::NOT_AN_OWNERS_COMMITTEE,
                "the first meeting is an owners' committee's",
            )),
            (_, _) if already => Err(Refused::not_now(
                codes::FIRST_MEETING_RECORDED,
                self,
                "recording the first meeting",
            )),
            (_, CommitteeStatus::Elected | CommitteeStatus::Filed) => Ok(()),
            (_, now) => Err(Refused::not_now(
                codes::COMMITTEE_NOT_ELECTED,
                now,
                "recording the first meeting",
            )),
        }
    }

    /// After filing or the first meeting: filed when both filings are in, active when also the
    /// first meeting has been held.
    pub fn settle(self, filed_with_both: bool, first_meeting_held: bool) -> CommitteeStatus {
        if !matches!(self, CommitteeStatus::Elected | CommitteeStatus::Filed) {
            return self;
        }
        match (filed_with_both, first_meeting_held) {
            (true, true) => CommitteeStatus::Active,
            (true, false) => CommitteeStatus::Filed,
            _ => CommitteeStatus::Elected,
        }
    }

    /// A member leaves: only a committee in office (not one standing down) has vacancies.
    pub fn vacancy(self) -> Result<(), Refused> {
        match self {
            CommitteeStatus::Elected | CommitteeStatus::Filed | CommitteeStatus::Active => Ok(()),
            now => Err(Refused::not_now(
                codes::COMMITTEE_NOT_IN_OFFICE,
                now,
                "recording a vacancy",
            )),
        }
    }

    /// A property management committee stands down when an owners' committee is elected.
    pub fn stand_down(self) -> CommitteeStatus {
        if self.ended() {
            self
        } else {
            CommitteeStatus::Dissolving
        }
    }

    /// A committee standing down hands over, and is dissolved.
    pub fn hand_over(self) -> Result<CommitteeStatus, Refused> {
        match self {
            CommitteeStatus::Dissolving => Ok(CommitteeStatus::Dissolved),
            now => Err(Refused::not_now(
                codes::COMMITTEE_NOT_STANDING_DOWN,
                now,
                "handing over",
            )),
        }
    }

    /// A committee ends: dissolved, or closed at the end of its term.
    pub fn end(self, past_term: bool) -> Result<CommitteeStatus, Refused> {
        if self.ended() {
            return Err(Refused::not_now(codes::COMMITTEE_ENDED, self, "ending the committee"));
        }
        Ok(if past_term {
            CommitteeStatus::TermEnded
        } else {
            CommitteeStatus::Dissolved
        })
    }
}

term_enum!(
    CommitteeKind, "a kind of committee: an owners' committee (业主委员会), elected by the owners' assembly, or a property management committee (物业管理委员会), appointed where none exists", {
        OwnersCommittee = "owners_committee", "业主委员会";
        PropertyManagementCommittee = "property_management_committee", "物业管理委员会";
    }
);

/// Size of an owners' committee: odd, between the minimum (lower for small estates) and maximum.
pub fn check_oc_size(members: u32, households: u32, r: &CommitteeRules) -> Result<(), String> {
    let min = if households <= r.small_estate_households {
        r.small_estate_min
    } else {
        r.oc_min
    };
    if members.is_multiple_of(2) {
        return Err(format!(
            "an owners' committee has an odd number of members, not {members}"
        ));
    }
    if members < min || members > r.oc_max {
        return Err(format!(
            "an owners' committee of this estate has {min}–{} members, not {members}",
            r.oc_max
        ));
    }
    Ok(())
}

/// Why a person may not hold a role in a committee's formation or in a committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligible {
    NotAnOwnerHere,
    /// No ID number on record: no birth date, so no proof of full civil capacity.
    NoIdNumber,
    NotAdult,
    /// Negative-list items with a record in force.
    NegativeList(Vec<String>),
}

impl Ineligible {
    pub fn code(&self) -> Reason {
        match self {
            Ineligible::NotAnOwnerHere => reason::NOT_AN_OWNER_HERE,
            Ineligible::NoIdNumber => reason::NOT_A_NATURAL_PERSON,
            Ineligible::NotAdult => reason::NOT_ADULT,
            Ineligible::NegativeList(_) => reason::NEGATIVE_LIST,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Ineligible::NotAnOwnerHere => "the person holds no unit in this estate".into(),
            Ineligible::NoIdNumber => "a natural person registered with an ID number is needed".into(),
            Ineligible::NotAdult => "must be an adult (full civil capacity)".into(),
            Ineligible::NegativeList(codes) => format!("negative-list record in force: {}", codes.join(", ")),
        }
    }
}

/// RULES.md §4, last paragraph: everyone who holds a role in a committee's formation or in a
/// committee — preparatory group owners' representatives, candidates, elected members,
/// alternates — is an adult owner of a unit in the estate with no negative-list record in force.
pub fn eligibility(
    holds_unit_here: bool,
    birth_date: Option<NaiveDate>,
    on: NaiveDate,
    blocking: &[String],
) -> Result<(), Ineligible> {
    if !holds_unit_here {
        return Err(Ineligible::NotAnOwnerHere);
    }
    match birth_date {
        None => return Err(Ineligible::NoIdNumber),
        Some(b) if age_on(b, on) < 18 => return Err(Ineligible::NotAdult),
        Some(_) => {}
    }
    if !blocking.is_empty() {
        return Err(Ineligible::NegativeList(blocking.to_vec()));
    }
    Ok(())
}

/// Size of a property management committee: odd, at least the minimum.
pub fn check_pmc_size(members: u32, r: &CommitteeRules) -> Result<(), String> {
    if members.is_multiple_of(2) || members < r.pmc_min {
        return Err(format!(
            "a property management committee has an odd number of at least {} members, not {members}",
            r.pmc_min
        ));
    }
    Ok(())
}

pub fn check_term(years: u32, r: &CommitteeRules) -> Result<(), String> {
    if years < r.term_min_years || years > r.term_max_years {
        return Err(format!(
            "the term is {}–{} years, not {years}",
            r.term_min_years, r.term_max_years
        ));
    }
    Ok(())
}

/// Preparatory group (筹备组): odd size, led by the street office or township, owners'
/// representatives at least the configured share (integer cross-multiplication).
pub fn check_preparatory_group(
    size: u32,
    owner_reps: u32,
    led_by_street_office: bool,
    r: &CommitteeRules,
) -> Result<(), String> {
    if size.is_multiple_of(2) || size == 0 {
        return Err(format!("a preparatory group has an odd number of members, not {size}"));
    }
    if !led_by_street_office {
        return Err("a preparatory group is led by the street office or township representative".into());
    }
    if owner_reps * r.prep_owner_share_den < size * r.prep_owner_share_num {
        return Err(format!(
            "owners' representatives must be at least {}/{} of the group: {owner_reps} of {size}",
            r.prep_owner_share_num, r.prep_owner_share_den
        ));
    }
    Ok(())
}

/// Whether a committee whose seats are `seats` needs a by-election with `serving` members left:
/// below half of the seats, or below the minimum size (RULES.md §3).
pub fn by_election_required(serving: u32, seats: u32, min: u32) -> bool {
    serving * 2 < seats || serving < min
}

/// The fewest members a committee may serve with before a by-election: an owners' committee,
/// the county's minimum (never more than the seats it was elected with); a property
/// management committee, the county's minimum for those.
pub fn by_election_min(kind: CommitteeKind, seats: u32, r: &CommitteeRules) -> u32 {
    match kind {
        CommitteeKind::OwnersCommittee => r.oc_min.min(seats),
        CommitteeKind::PropertyManagementCommittee => r.pmc_min,
    }
}

/// Which alternate fills a vacancy: the first by rank (the one elected with most votes), given
/// the ranks of the alternates still serving. `None` when there is none.
pub fn next_alternate(ranks: &[Option<i32>]) -> Option<usize> {
    (0..ranks.len()).min_by_key(|&i| ranks[i].unwrap_or(i32::MAX))
}

/// Calendar arithmetic on whole days and months (months clamp to the month's end).
pub fn add_days(d: NaiveDate, days: u32) -> NaiveDate {
    d + chrono::Duration::days(days as i64)
}

pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

pub fn sub_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(d)
}

/// The last day of a term that starts on `from` and lasts `years` (the day before the anniversary).
pub fn term_end(from: NaiveDate, years: u32) -> NaiveDate {
    add_months(from, years * 12) - chrono::Duration::days(1)
}

/// Deadlines of RULES.md §3, counted in days after the event ("within 30 days" includes day 30).
pub const FILING_DAYS: u32 = 30;
pub const FIRST_MEETING_DAYS: u32 = 7;
pub const HANDOVER_DAYS: u32 = 10;
/// Re-election starts this many months before the term ends; a warning is due at the latest this many.
pub const REELECTION_START_MONTHS: u32 = 6;
pub const REELECTION_WARN_MONTHS: u32 = 3;

term_enum!(
    DeadlineKind, "a committee's deadline (时限)", {
        Filing = "filing", "备案";
        FirstMeeting = "first_meeting", "首次会议";
        ReelectionStart = "reelection_start", "启动换届";
        Handover = "handover", "移交";
        /// An estate's monthly joint meeting (联席会议), for a month without one.
        JointMeeting = "joint_meeting", "每月联席会议";
        /// A community's quarterly party-building joint meeting (一季一议), for a quarter without one.
        PartyBuildingMeeting = "party_building_meeting", "一季一议";
        /// An estate's quarterly statement of common income (公共收益), for a period without one.
        IncomeStatement = "income_statement", "公共收益季度公示";
        /// An estate's statement of the maintenance fund (at least yearly), for a period without one.
        FundStatement = "fund_statement", "维修资金年度公示";
        /// An owner's question on a published statement, unanswered.
        StatementQuestion = "statement_question", "账目询问答复";
    }
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

impl Deadline {
    /// Overdue: not done and `today` is after the due day.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.done_on.is_none() && today > self.due_on
    }
}

/// The facts of a committee that its deadlines follow from.
#[derive(Clone, Debug, Default)]
pub struct CommitteeFacts {
    pub formed_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    /// Filing is complete when both the bureau and the street office/township have it.
    pub filed_on: Option<NaiveDate>,
    pub first_meeting_on: Option<NaiveDate>,
    pub handover_due_on: Option<NaiveDate>,
    pub handed_over_on: Option<NaiveDate>,
    /// A successor committee's election has started (re-election under way).
    pub reelection_started_on: Option<NaiveDate>,
}

/// Deadlines of an owners' committee (filing, first meeting, re-election) or of a property
/// management committee being replaced (handover).
pub fn deadlines(kind: CommitteeKind, f: &CommitteeFacts) -> Vec<Deadline> {
    let mut out = Vec::new();
    if kind == CommitteeKind::OwnersCommittee {
        if let Some(formed) = f.formed_on {
            out.push(Deadline {
                kind: DeadlineKind::Filing,
                due_on: add_days(formed, FILING_DAYS),
                done_on: f.filed_on,
            });
            out.push(Deadline {
                kind: DeadlineKind::FirstMeeting,
                due_on: add_days(formed, FIRST_MEETING_DAYS),
                done_on: f.first_meeting_on,
            });
        }
        if let Some(end) = f.term_ends_on {
            out.push(Deadline {
                kind: DeadlineKind::ReelectionStart,
                due_on: sub_months(end, REELECTION_START_MONTHS),
                done_on: f.reelection_started_on,
            });
        }
    }
    if let Some(due) = f.handover_due_on {
        out.push(Deadline {
            kind: DeadlineKind::Handover,
            due_on: due,
            done_on: f.handed_over_on,
        });
    }
    out
}

/// Whether the re-election warning is due: within the last `REELECTION_WARN_MONTHS` of the
/// term and no re-election started.
pub fn reelection_warning(f: &CommitteeFacts, today: NaiveDate) -> bool {
    match f.term_ends_on {
        Some(end) => {
            f.reelection_started_on.is_none() && today >= sub_months(end, REELECTION_WARN_MONTHS) && today <= end
        }
        None => false,
    }
}

/// Party-building figures of a committee (RULES.md §3; reported, never blocking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyFigures {
    pub members: u32,
    pub party_members: u32,
    /// A party group (党小组) is formed with at least 3 party members.
    pub party_group: bool,
    /// Party-member share in whole percent, rounded down.
    pub share_percent: u32,
    /// Whether the party-member share reaches the target: party * 100 >= target * members.
    pub meets_target: bool,
    pub cross_appointed: u32,
}

pub fn party_figures(members: u32, party_members: u32, cross_appointed: u32, target_percent: u32) -> PartyFigures {
    PartyFigures {
        members,
        party_members,
        party_group: party_members >= 3,
        share_percent: share_percent(party_members, members),
        meets_target: members > 0 && party_members * 100 >= target_percent * members,
        cross_appointed,
    }
}

/// `part` of `whole` in whole percent, rounded down (0 of nothing).
pub fn share_percent(part: u32, whole: u32) -> u32 {
    (part * 100).checked_div(whole).unwrap_or(0)
}

/// Age in whole years on `on` (for "full civil capacity": adult at 18).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn owners_committee_sizes() {
        let r = CommitteeRules::default();
        for (n, ok) in [
            (3, false),
            (4, false),
            (5, true),
            (6, false),
            (7, true),
            (11, true),
            (12, false),
            (13, false),
        ] {
            assert_eq!(check_oc_size(n, 240, &r).is_ok(), ok, "{n} members");
        }
        // Small estates (<= 100 households) may have 3; 101 households may not.
        assert!(check_oc_size(3, 100, &r).is_ok());
        assert!(check_oc_size(3, 101, &r).is_err());
        assert!(check_oc_size(1, 50, &r).is_err());
    }

    #[test]
    fn pmc_sizes_and_terms() {
        let r = CommitteeRules::default();
        assert!(check_pmc_size(7, &r).is_err());
        assert!(check_pmc_size(8, &r).is_err());
        assert!(check_pmc_size(9, &r).is_ok());
        assert!(check_pmc_size(10, &r).is_err());
        assert!(check_pmc_size(11, &r).is_ok());
        assert!(check_term(2, &r).is_err());
        assert!(check_term(3, &r).is_ok());
        assert!(check_term(5, &r).is_ok());
        assert!(check_term(6, &r).is_err());
    }

    #[test]
    fn preparatory_group_owner_share() {
        let r = CommitteeRules::default();
        // 7 members: 4 owners (>= 1/2) yes, 3 no.
        assert!(check_preparatory_group(7, 4, true, &r).is_ok());
        assert!(check_preparatory_group(7, 3, true, &r).is_err());
        assert!(check_preparatory_group(8, 4, true, &r).is_err());
        assert!(check_preparatory_group(7, 4, false, &r).is_err());
        let two_thirds = CommitteeRules {
            prep_owner_share_num: 2,
            prep_owner_share_den: 3,
            ..r
        };
        // 9 members: 6 owners is exactly 2/3, 5 is below.
        assert!(check_preparatory_group(9, 6, true, &two_thirds).is_ok());
        assert!(check_preparatory_group(9, 5, true, &two_thirds).is_err());
    }

    #[test]
    fn by_elections() {
        // 7 seats: 4 serving is more than half and not below 5? 4 < 5: by-election.
        assert!(by_election_required(4, 7, 5));
        assert!(!by_election_required(5, 7, 5));
        // 11 seats: 5 serving is below half (5*2 < 11); 6 is not.
        assert!(by_election_required(5, 11, 5));
        assert!(!by_election_required(6, 11, 5));
    }

    #[test]
    fn deadline_boundaries() {
        let f = CommitteeFacts {
            formed_on: Some(d("2026-03-01")),
            term_ends_on: Some(term_end(d("2026-03-01"), 5)),
            ..Default::default()
        };
        let ds = deadlines(CommitteeKind::OwnersCommittee, &f);
        let filing = ds.iter().find(|x| x.kind == DeadlineKind::Filing).unwrap();
        assert_eq!(filing.due_on, d("2026-03-31"));
        assert!(!filing.overdue(d("2026-03-31")), "day 30 is still in time");
        assert!(filing.overdue(d("2026-04-01")));
        let meeting = ds.iter().find(|x| x.kind == DeadlineKind::FirstMeeting).unwrap();
        assert_eq!(meeting.due_on, d("2026-03-08"));
        assert!(!meeting.overdue(d("2026-03-08")));
        assert!(meeting.overdue(d("2026-03-09")));
        assert_eq!(f.term_ends_on, Some(d("2031-02-28")));
        let re = ds.iter().find(|x| x.kind == DeadlineKind::ReelectionStart).unwrap();
        assert_eq!(re.due_on, d("2030-08-28"));
        assert!(!reelection_warning(&f, d("2030-11-27")));
        assert!(reelection_warning(&f, d("2030-11-28")));
        assert!(reelection_warning(&f, d("2031-02-28")));
        assert!(!reelection_warning(&f, d("2031-03-01")));
        let done = CommitteeFacts {
            filed_on: Some(d("2026-04-15")),
            ..f
        };
        assert!(!deadlines(CommitteeKind::OwnersCommittee, &done)[0].overdue(d("2026-05-01")));
    }

    #[test]
    fn party_group_and_target() {
        assert!(!party_figures(7, 2, 0, 50).party_group);
        assert!(party_figures(7, 3, 0, 50).party_group);
        // 50% of 7 is 3.5: 3 misses, 4 meets.
        assert!(!party_figures(7, 3, 0, 50).meets_target);
        assert!(party_figures(7, 4, 0, 50).meets_target);
        assert!(party_figures(10, 3, 0, 30).meets_target);
        assert!(!party_figures(0, 0, 0, 0).meets_target);
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(d("2008-11-27"), d("2026-11-26")), 17);
        assert_eq!(age_on(d("2008-11-27"), d("2026-11-27")), 18);
    }

    #[test]
    fn county_settings_stay_inside_the_legal_ranges() {
        let d = CommitteeRules::default;
        assert!(d().check().is_ok());
        let refused = |r: CommitteeRules| r.check().unwrap_err().setting;
        // One below, at, one above each boundary.
        assert_eq!(refused(CommitteeRules { oc_min: 3, ..d() }), "oc_min");
        assert_eq!(refused(CommitteeRules { oc_min: 4, ..d() }), "oc_min");
        assert!(CommitteeRules { oc_min: 5, ..d() }.check().is_ok());
        assert!(CommitteeRules { oc_max: 11, ..d() }.check().is_ok());
        assert_eq!(refused(CommitteeRules { oc_max: 13, ..d() }), "oc_max");
        assert_eq!(
            refused(CommitteeRules {
                oc_min: 9,
                oc_max: 7,
                ..d()
            }),
            "oc_min"
        );
        assert_eq!(
            refused(CommitteeRules {
                term_min_years: 2,
                ..d()
            }),
            "term_min_years"
        );
        assert_eq!(
            refused(CommitteeRules {
                term_min_years: 1,
                term_max_years: 2,
                ..d()
            }),
            "term_min_years"
        );
        assert!(CommitteeRules {
            term_min_years: 3,
            term_max_years: 5,
            ..d()
        }
        .check()
        .is_ok());
        assert_eq!(
            refused(CommitteeRules {
                term_max_years: 6,
                ..d()
            }),
            "term_max_years"
        );
        assert_eq!(refused(CommitteeRules { pmc_min: 7, ..d() }), "pmc_min");
        assert!(CommitteeRules { pmc_min: 9, ..d() }.check().is_ok());
        assert_eq!(refused(CommitteeRules { pmc_min: 10, ..d() }), "pmc_min");
        assert_eq!(
            refused(CommitteeRules {
                publicity_days: 6,
                ..d()
            }),
            "publicity_days"
        );
        assert!(CommitteeRules {
            publicity_days: 7,
            ..d()
        }
        .check()
        .is_ok());
        assert!(CommitteeRules {
            publicity_days: 10,
            ..d()
        }
        .check()
        .is_ok());
        assert_eq!(
            refused(CommitteeRules {
                publicity_days: 11,
                ..d()
            }),
            "publicity_days"
        );
        assert!(CommitteeRules {
            objection_answer_days: 7,
            ..d()
        }
        .check()
        .is_ok());
        assert_eq!(
            refused(CommitteeRules {
                objection_answer_days: 8,
                ..d()
            }),
            "objection_answer_days"
        );
        assert_eq!(
            refused(CommitteeRules {
                objection_answer_days: 0,
                ..d()
            }),
            "objection_answer_days"
        );
        assert_eq!(
            refused(CommitteeRules {
                vote_notice_days: 14,
                ..d()
            }),
            "vote_notice_days"
        );
        assert!(CommitteeRules {
            vote_notice_days: 15,
            ..d()
        }
        .check()
        .is_ok());
        assert!(CommitteeRules {
            prep_owner_share_num: 2,
            prep_owner_share_den: 3,
            ..d()
        }
        .check()
        .is_ok());
        assert_eq!(
            refused(CommitteeRules {
                prep_owner_share_num: 1,
                prep_owner_share_den: 3,
                ..d()
            }),
            "prep_owner_share_num"
        );
        assert_eq!(
            refused(CommitteeRules {
                small_estate_min: 1,
                ..d()
            }),
            "small_estate_min"
        );
    }
}
