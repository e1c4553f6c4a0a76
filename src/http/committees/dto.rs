//! The request and response bodies of this capability, as the spec shows them.

use super::*;

#[derive(Object, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub affiliation: Affiliation,
    /// Required for owners: an owner holding a unit in the estate.
    #[oai(validator(max_length = 64))]
    pub owner_id: Option<String>,
    /// Required for everyone who is not an owner.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// Defaults to the owner record's flag for owners.
    pub party_member: Option<bool>,
    /// Member of the community's "two committees" (社区两委), cross-appointed (交叉任职).
    #[serde(default)]
    #[oai(default)]
    pub two_committees: bool,
    /// Grid party branch secretary (网格党支部书记).
    #[serde(default)]
    #[oai(default)]
    pub grid_secretary: bool,
    /// Votes received (elections): ranks the alternates.
    #[oai(validator(minimum(value = "0")))]
    pub votes: Option<i64>,
    /// Leads the preparatory group (must be the street office or township).
    #[serde(default)]
    #[oai(default)]
    pub leader: bool,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewCommittee {
    pub kind: CommitteeKind,
    /// Term in years (the county's range, default 3–5).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub term_years: i32,
    /// The preparatory group (筹备组) of a first owners' committee election.
    #[serde(default)]
    #[oai(default, validator(max_items = 31))]
    pub preparatory_group: Vec<MemberInput>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ElectionResult {
    /// The vetting election whose final list (after joint review and publicity) the owners
    /// voted on: everyone recorded here must be a qualified candidate of it.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub election_id: String,
    /// Day of the election.
    pub elected_on: NaiveDate,
    /// Elected members (owners).
    #[oai(validator(min_items = 1, max_items = 31))]
    pub members: Vec<MemberInput>,
    /// Unelected candidates with at least half the votes, who fill vacancies in vote order.
    #[serde(default)]
    #[oai(default, validator(max_items = 31))]
    pub alternates: Vec<MemberInput>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct CarryElection {
    /// The closed election vote (not a run-off) of this committee's election.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub vote_id: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub appointed_on: NaiveDate,
    /// The first member is the chair, from the street office or township.
    #[oai(validator(min_items = 1, max_items = 31))]
    pub members: Vec<MemberInput>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub authority: FilingAuthority,
    pub filed_on: NaiveDate,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct FirstMeeting {
    pub held_on: NaiveDate,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub chair_member_id: String,
    #[serde(default)]
    #[oai(default, validator(max_items = 3))]
    pub vice_chair_member_ids: Vec<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Vacancy {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub member_id: String,
    pub date: NaiveDate,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub date: NaiveDate,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    pub date: NaiveDate,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Member {
    pub id: String,
    #[oai(skip_serializing_if_is_none)]
    pub owner_id: Option<String>,
    pub name: String,
    pub affiliation: Affiliation,
    pub role: MemberRole,
    #[oai(skip_serializing_if_is_none)]
    pub alternate_rank: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub votes: Option<i64>,
    pub party_member: bool,
    pub two_committees: bool,
    pub grid_secretary: bool,
    pub started_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub ended_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub end_reason: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadlineOut {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PartyBuilding {
    pub members: u32,
    pub party_members: u32,
    /// A party group (党小组) is formed with at least 3 party members.
    pub party_group: bool,
    /// Party-member share in whole percent, rounded down.
    pub party_share_percent: u32,
    pub target_percent: u32,
    pub meets_target: bool,
    /// Members cross-appointed (双向进入、交叉任职): two-committees members or grid secretaries.
    pub cross_appointed: u32,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Committee {
    pub id: String,
    pub estate_id: String,
    pub kind: CommitteeKind,
    pub status: CommitteeStatus,
    pub term_years: i32,
    pub seats: i32,
    #[oai(skip_serializing_if_is_none)]
    pub formed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub term_ends_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub filed_bureau_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub filed_street_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub first_meeting_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub ended_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub end_reason: Option<String>,
    /// Serving members fell below half the seats or below the minimum.
    pub by_election_required: bool,
    /// Within the last 3 months of the term with no re-election started.
    pub reelection_warning: bool,
    pub deadlines: Vec<DeadlineOut>,
    /// Serving members, then alternates in rank order, then the preparatory group.
    pub members: Vec<Member>,
    /// Members who have left (history).
    pub former_members: Vec<Member>,
    pub party_building: PartyBuilding,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadlineItem {
    /// The committee, for a committee's deadline.
    pub committee_id: Option<String>,
    /// The estate (none for a community's quarterly meeting).
    pub estate_id: Option<String>,
    pub community_id: String,
    #[oai(flatten)]
    pub deadline: DeadlineOut,
}

/// A county's committee and vetting rules; every field as in RULES.md §3–4.
#[derive(Object, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    pub oc_min: u32,
    pub oc_max: u32,
    pub small_estate_households: u32,
    pub small_estate_min: u32,
    pub term_min_years: u32,
    pub term_max_years: u32,
    pub prep_owner_share_num: u32,
    pub prep_owner_share_den: u32,
    pub prep_members_barred_from_first: bool,
    pub pmc_min: u32,
    pub party_target_percent: u32,
    pub publicity_days: u32,
    pub objection_answer_days: u32,
    #[oai(validator(max_items = 20))]
    pub required_departments: Vec<String>,
    /// Days between a vote's notice and its opening (15–60).
    pub vote_notice_days: u32,
    /// How a tie at the last seat or an alternate place of an election is resolved: `runoff`
    /// (a run-off vote among the tied, the default) or `lots` (drawn in public with a witness).
    #[oai(default)]
    #[serde(default)]
    pub tie_rule: TieRule,
}

#[derive(ApiResponse)]
pub enum CommitteeCreated {
    /// Created.
    #[oai(status = 201)]
    Created(
        Json<Committee>,
        /// The version of the record as stored, as its GET answers it: send it as `If-Match`
        /// to change what was just made without reading it again.
        #[oai(header = "ETag")]
        String,
    ),
}
