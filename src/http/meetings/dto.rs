//! The meetings' requests and answers.

use super::*;

/// A party to invite.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewParty {
    pub kind: PartyKind,
    /// The organisation, committee, company or department (none for a named person).
    #[oai(validator(max_length = 64))]
    pub party_id: Option<String>,
    /// The person's name; for an organisation, its name is taken from the registry if absent.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewAgendaItem {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    /// A ledger item of the meeting's scope, tabled for discussion.
    #[oai(validator(max_length = 64))]
    pub ledger_item_id: Option<String>,
    /// A major-matter proposal of the meeting's estate.
    #[oai(validator(max_length = 64))]
    pub proposal_id: Option<String>,
}

/// A meeting to convene.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    /// The convening organisation: the community's party organisation or one above it.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub convenor_org_id: String,
    /// The estate the meeting is about; without it, `community_id` names the community.
    #[oai(validator(max_length = 64))]
    pub estate_id: Option<String>,
    #[oai(validator(max_length = 64))]
    pub community_id: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub place: String,
    #[oai(validator(min_items = 1, max_items = 100))]
    pub parties: Vec<NewParty>,
    #[oai(validator(min_items = 1, max_items = 100))]
    pub agenda: Vec<NewAgendaItem>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MeetingParty {
    pub id: String,
    pub kind: PartyKind,
    pub party_id: Option<String>,
    pub name: String,
    pub attendance: Attendance,
    pub represented_by: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgendaItem {
    /// 1 is the first.
    pub seq: i32,
    pub title: String,
    pub ledger_item_id: Option<String>,
    pub proposal_id: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Meeting {
    pub id: String,
    pub kind: MeetingKind,
    pub convenor_org_id: String,
    pub estate_id: Option<String>,
    pub community_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub parties: Vec<MeetingParty>,
    pub agenda: Vec<AgendaItem>,
    /// Whether the parties a meeting of this kind needs attended (for a joint meeting: the
    /// community party organisation, the committee and the company).
    pub quorum: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum MeetingCreated {
    /// Convened.
    #[oai(status = 201)]
    Created(
        Json<Meeting>,
        /// The version of the record as stored, as its GET answers it: send it as `If-Match`
        /// to change what was just made without reading it again.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AttendanceOf {
    /// The meeting party.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub party_id: String,
    pub attendance: Attendance,
    /// Who represented the party (with `represented`).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub represented_by: Option<String>,
}

/// Attendance of some or all invited parties.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    #[oai(validator(min_items = 1, max_items = 100))]
    pub parties: Vec<AttendanceOf>,
}

/// A party's answer to minutes out for confirmation.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MinutesAnswer {
    pub party_id: String,
    /// A request for correction (the minutes went back to draft), or a confirmation.
    pub correction: bool,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
}

/// One version of a meeting's minutes.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Minutes {
    pub id: String,
    pub meeting_id: String,
    pub version: i32,
    /// The version this one corrects.
    pub previous_id: Option<String>,
    pub status: MinutesStatus,
    pub content: MinutesContent,
    /// SHA-256 of the published content (hex).
    pub fingerprint: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The answers of the current round of confirmation, and all earlier requests for correction.
    pub answers: Vec<MinutesAnswer>,
    /// The attending parties whose confirmation is still missing.
    pub waiting_for: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum MinutesCreated {
    /// Drafted.
    #[oai(status = 201)]
    Created(
        Json<Minutes>,
        /// The version of the record as stored, as its GET answers it: send it as `If-Match`
        /// to change what was just made without reading it again.
        #[oai(header = "ETag")]
        String,
    ),
}

/// A party's answer.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// The attending party the caller answers for.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub party_id: String,
    /// true asks for a correction (a comment says what); false confirms.
    pub correction: bool,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub comment: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ActionStep {
    pub step: String,
    pub note: Option<String>,
    /// The evidence of a progress note or a report of done.
    pub attachment_ids: Vec<String>,
    pub actor_id: String,
    pub actor_role: String,
    pub at: DateTime<Utc>,
}

/// An action item (督办事项).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ActionItem {
    pub id: String,
    pub meeting_id: String,
    pub minutes_id: String,
    /// The decision's place in the minutes (1 is the first).
    pub decision: i32,
    pub title: String,
    pub responsible_party_id: String,
    /// Who that party is: its kind and name, as invited to the meeting.
    pub responsible_kind: PartyKind,
    pub responsible_name: String,
    /// The organisation, company or department behind that party, if it is one.
    pub responsible_org_id: Option<String>,
    /// The meeting it was decided at, and its estate (absent for a community-wide meeting).
    pub meeting_title: String,
    pub estate_id: Option<String>,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// Not done after its due day (computed when read).
    pub overdue: bool,
    pub ledger_item_ids: Vec<String>,
    pub steps: Vec<ActionStep>,
    pub reported_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActionNote {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub note: String,
    /// Evidence (photos, documents) uploaded beforehand with `POST /attachments` by the caller.
    #[oai(default, validator(max_items = 9, unique_items))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// The convenor's review of a reported action item.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActionReview {
    /// true accepts it as done; false sends it back (a comment says why).
    pub accept: bool,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub comment: Option<String>,
}
