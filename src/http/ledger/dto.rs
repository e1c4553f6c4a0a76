//! The ledger's requests and answers.

use super::*;

/// A problem reported to an estate's ledger.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReportItem {
    pub category: Category,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub description: String,
    /// The building concerned, if one is.
    #[oai(validator(max_length = 64))]
    pub building_id: Option<String>,
    /// The unit concerned, if one is (its building is then implied).
    #[oai(validator(max_length = 64))]
    pub unit_id: Option<String>,
    /// Photos or documents uploaded by the reporter (`POST /attachments`).
    #[oai(default, validator(max_items = 9, unique_items))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
    /// Whether the reporter's name may be shown to the assignee (the property company among
    /// them); by default it is withheld.
    #[oai(default)]
    #[serde(default)]
    pub show_reporter_to_company: bool,
}

/// The community hands an item to someone.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Dispatch {
    pub assignee_kind: AssigneeKind,
    /// The owner (party member), volunteer team, company (the one under contract) or department.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub assignee_id: String,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// Why a resolved item is reopened ("没修好，重新办理"), with photos of what is still wrong.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
    /// Photos uploaded beforehand with `POST /attachments` by the reporter.
    #[oai(default, validator(max_items = 9, unique_items))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// A reason, required (declining).
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
}

/// A note, optionally with files (progress).
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub note: String,
    #[oai(default, validator(max_items = 9, unique_items))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// The assignee reports the item done, with evidence: at least one photo or document.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Done {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub note: String,
    #[oai(validator(min_items = 1, max_items = 9, unique_items))]
    pub attachment_ids: Vec<String>,
    /// Minutes of service, for an order taken by a party member or a volunteer team (RULES.md
    /// §11): they become hours only when the resident served confirms.
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub service_minutes: Option<u32>,
}

/// The reporter confirms and rates the handling.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// 1 (poor) to 5 (excellent).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub rating: i32,
    #[oai(validator(max_length = 2000))]
    pub comment: Option<String>,
}

/// Who reported an item (withheld from an assignee unless the reporter allowed it).
#[derive(Object, Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Reporter {
    pub name: String,
    /// The role the item was reported under.
    pub role: Role,
}

/// A ledger item.
#[derive(Object, Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerItem {
    pub id: String,
    pub estate_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    pub category: Category,
    pub title: String,
    pub description: String,
    /// Absent when withheld from the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    pub show_reporter_to_company: bool,
    /// Minutes of service the party member or team reported with "done" (hours once confirmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_minutes: Option<i32>,
    /// The status at the time of reading (a resolved item whose confirmation window ran out
    /// reads as confirmed).
    pub status: ItemStatus,
    /// Confirmed because the reporter did not answer within the window.
    pub confirmed_by_default: bool,
    /// Not accepted, or not done, within the county's service level (computed when read).
    pub overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_kind: Option<AssigneeKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<String>,
    /// Who took it, by name (the company, department, team or party member): in the item's
    /// own read (`GET /ledger-items/{id}`), not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_name: Option<String>,
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispatched_at: Option<DateTime<Utc>>,
    /// From this instant an unaccepted item is overdue.
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_due_at: Option<DateTime<Utc>>,
    /// From this instant an item not reported done is overdue.
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_due_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// From this instant a resolved item counts as confirmed by default.
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_by: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::http::json::rfc3339::option::serialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The reporter's rating of the handling, 1–5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<i32>,
    #[serde(serialize_with = "crate::http::json::rfc3339::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
}

/// One step of an item's history.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerStep {
    pub id: String,
    pub step: Step,
    /// The item's status after the step.
    pub status: ItemStatus,
    /// Who took it (absent for the reporter's steps when the reporter is withheld).
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub assignee_kind: Option<AssigneeKind>,
    pub assignee_id: Option<String>,
    /// Whom a dispatch went to, by name.
    pub assignee_name: Option<String>,
    pub note: Option<String>,
    pub rating: Option<i32>,
    pub attachment_ids: Vec<String>,
    pub at: DateTime<Utc>,
}

/// An item with its whole history.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerItemDetail {
    pub item: LedgerItem,
    /// Oldest first.
    pub steps: Vec<LedgerStep>,
}

#[derive(ApiResponse)]
pub enum ItemReported {
    /// Entered in the ledger.
    #[oai(status = 201)]
    Created(Json<LedgerItem>),
}

/// One category's service level.
#[derive(Object, Serialize, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CategoryLevel {
    pub category: Category,
    /// Hours from dispatch to acceptance (1–720).
    #[oai(validator(minimum(value = "1"), maximum(value = "720")))]
    pub accept_hours: u32,
    /// Days from dispatch to done, counted as every window (the day of dispatch not counted; 1–365).
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    pub done_days: u32,
}

/// A county's ledger settings: service levels (categories not listed have 24 hours and 7 days)
/// and the days a reporter has to confirm a resolved item before it closes as confirmed.
#[derive(Object, Serialize, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    #[oai(validator(max_items = 10))]
    pub service_levels: Vec<CategoryLevel>,
    /// 1–60 days; 7 unless set.
    #[oai(validator(minimum(value = "1"), maximum(value = "60")))]
    pub confirm_days: u32,
    /// The kinds of party that must attend (present or represented) for a monthly joint
    /// meeting to have its quorum: the community party organisation, the committee and the
    /// company unless set. A named person cannot be required.
    #[oai(default = "default_joint_quorum", validator(max_items = 4, unique_items))]
    #[serde(default = "default_joint_quorum")]
    pub joint_meeting_quorum: Vec<PartyKind>,
}

fn default_joint_quorum() -> Vec<PartyKind> {
    crate::domain::meeting::JOINT_QUORUM_DEFAULT.to_vec()
}

impl LedgerSettings {
    pub fn defaults() -> LedgerSettings {
        LedgerSettings {
            service_levels: Category::ALL
                .iter()
                .map(|c| CategoryLevel {
                    category: *c,
                    accept_hours: ServiceLevel::DEFAULT.accept_hours,
                    done_days: ServiceLevel::DEFAULT.done_days,
                })
                .collect(),
            confirm_days: ledger::CONFIRM_DAYS_DEFAULT,
            joint_meeting_quorum: default_joint_quorum(),
        }
    }

    pub fn level(&self, category: Category) -> ServiceLevel {
        self.service_levels
            .iter()
            .find(|l| l.category == category)
            .map_or(ServiceLevel::DEFAULT, |l| ServiceLevel {
                accept_hours: l.accept_hours,
                done_days: l.done_days,
            })
    }
}

/// A community's volunteer team (志愿服务队) of owners.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Owners in the team.
    #[oai(default, validator(max_items = 500, unique_items))]
    #[serde(default)]
    pub member_owner_ids: Vec<String>,
}

/// A team's members, replaced as a whole.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TeamMembers {
    #[oai(validator(max_items = 500, unique_items))]
    pub member_owner_ids: Vec<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VolunteerTeam {
    pub id: String,
    pub community_id: String,
    pub name: String,
    pub member_owner_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum TeamCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<VolunteerTeam>),
}
