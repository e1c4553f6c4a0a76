//! The request and response bodies of this capability, as the spec shows them.

use super::*;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NegativeItem {
    pub code: String,
    pub text: String,
    pub legal_basis: String,
    /// Which department supplies the evidence.
    pub evidence_department: String,
    /// How long a record stays in force; absent: until ended (e.g. corrected, delisted).
    #[oai(skip_serializing_if_is_none)]
    pub duration_months: Option<i32>,
    pub enabled: bool,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ItemSwitch {
    pub enabled: bool,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub owner_id: String,
    #[oai(validator(min_length = 1, max_length = 10))]
    pub item_code: String,
    /// Reference to the evidence (case number, document number); not the evidence itself.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub evidence_ref: String,
    pub effective_from: NaiveDate,
    /// Last day in force; defaults from the item's duration.
    pub expires_on: Option<NaiveDate>,
    /// The recording department; only administrators name it, a department records as itself.
    #[oai(validator(max_length = 64))]
    pub department_id: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct RecordEnd {
    /// Last day in force (e.g. the day the violation was corrected).
    pub date: NaiveDate,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NegativeRecord {
    pub id: String,
    pub owner_id: String,
    pub item_code: String,
    pub evidence_ref: String,
    pub department_id: String,
    pub effective_from: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub expires_on: Option<NaiveDate>,
    pub in_force_today: bool,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewElection {
    /// Seats to fill.
    #[oai(validator(minimum(value = "1"), maximum(value = "31")))]
    pub seats: i32,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Nomination {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub owner_id: String,
    pub nominated_by: NominatedBy,
    /// For joint nominations: the supporting owners (the caller's owner record is added).
    #[serde(default)]
    #[oai(default, validator(max_items = 200))]
    pub supporter_owner_ids: Vec<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct OnDay {
    /// A date stated for information only (e.g. the day the list went up on the notice board).
    /// The screening and the review look at today's records, and every window runs from when
    /// this is recorded in redprop: a date typed here shortens nothing.
    pub date: Option<NaiveDate>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub passed: bool,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub statement: String,
    /// The objector's name as signature: objections are written and signed (实名).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub signature: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ObjectionAnswer {
    pub upheld: bool,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub answer: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewOut {
    pub department_code: String,
    pub passed: bool,
    pub reason: String,
    pub reviewer_id: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObjectionOut {
    pub id: String,
    pub candidate_id: String,
    pub filed_on: NaiveDate,
    pub answer_due_on: NaiveDate,
    pub statement: String,
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub upheld: Option<bool>,
    #[oai(skip_serializing_if_is_none)]
    pub answered_on: Option<NaiveDate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Candidate {
    pub id: String,
    pub election_id: String,
    pub owner_id: String,
    pub name: String,
    pub nominated_by: NominatedBy,
    pub party_member: bool,
    pub status: CandidateStatus,
    /// Negative-list items found in force at screening.
    pub screening_hits: Vec<String>,
    /// Why the candidate is not qualified (or was disqualified).
    pub reasons: Vec<String>,
    pub reviews: Vec<ReviewOut>,
    pub objections: Vec<ObjectionOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Election {
    pub id: String,
    pub committee_id: String,
    pub seats: i32,
    pub status: ElectionStatus,
    /// The date stated when publishing (information only).
    #[oai(skip_serializing_if_is_none)]
    pub published_on: Option<NaiveDate>,
    /// When the list was published, as recorded: the publicity window runs from here.
    #[oai(skip_serializing_if_is_none)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Last day (China Standard Time) objections are accepted: publication day + the county's
    /// publicity days, the day of publication not counted (Civil Code Art. 201).
    #[oai(skip_serializing_if_is_none)]
    pub publicity_ends_on: Option<NaiveDate>,
    /// Everyone for organisers; for owners, the published qualified list only.
    pub candidates: Vec<Candidate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ElectionFigures {
    pub candidates: u32,
    pub screened: u32,
    /// Candidates with a record in force, by negative-list item.
    pub flagged_by_item: BTreeMap<String, u32>,
    /// Rejections by department.
    pub rejected_by_department: BTreeMap<String, u32>,
    pub qualified: u32,
    pub disqualified_by_objection: u32,
    pub party_members: u32,
    /// Share of party members among candidates, whole percent rounded down.
    pub party_share_percent: u32,
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}
