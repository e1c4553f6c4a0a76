//! What the party-members-and-volunteers operations take and answer.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use serde::{Deserialize, Serialize};

use crate::domain::registry::{OrgKind, PartyPost};
use crate::domain::service::{
    ActivityStatus, ConfirmedAs, NominatorKind, ReportStatus, SelectionKind, SelectionStatus, ServiceKind, SignupStatus,
};
use crate::http::paging::Page;

// Settings.

/// One item of the county's standard for service stations.
#[derive(Object, Serialize, Deserialize, Clone)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct StandardItem {
    /// A short code, unique in the standard (letters, digits, `_`).
    #[oai(validator(min_length = 1, max_length = 32, pattern = "^[a-z0-9_]+$"))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
}

/// Points per hour of service, whole points (the county's table).
#[derive(Object, Serialize, Deserialize, Clone, Copy)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PointsPerHour {
    /// For a confirmed service order.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub order: u32,
    /// For serving at an activity, confirmed by the community.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub activity: u32,
}

/// A county's settings for party members and volunteers.
#[derive(Object, Serialize, Deserialize, Clone)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    /// The standard a service station meets item by item ("八有" unless the county sets its own).
    #[oai(validator(min_items = 1, max_items = 20))]
    pub standard: Vec<StandardItem>,
    /// Points follow this table: points = minutes × per hour ÷ 60, rounded down, per record.
    pub points_per_hour: PointsPerHour,
    /// The most households linked to one member (包联; 2 unless set).
    #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
    pub households_per_member: u32,
}

// Report-ins.

/// A party member reporting in to the community where they live.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewMemberReport {
    /// The owner record reporting in: the caller's own (named when it has several); the
    /// community, recording a report on someone's behalf, may name an owner of the community.
    #[oai(validator(max_length = 64))]
    pub owner_id: Option<String>,
    /// The member's name, when the community records a member who is not an owner here.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: Option<String>,
    /// Their own party organisation, when it is registered here (it then reads their yearly service).
    #[oai(validator(max_length = 64))]
    pub own_org_id: Option<String>,
    /// Their own party organisation's name (在职党员所在党组织).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub own_org_name: String,
    /// What they can do (维修, 法律咨询, 医疗 ...), each in at most 30 characters.
    #[oai(validator(max_items = 10, unique_items))]
    pub skills: Vec<String>,
    /// When they can serve (周末上午, 工作日晚上 ...).
    #[oai(validator(max_length = 200))]
    pub availability: String,
}

/// One member an organisation brings.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct OrgMember {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// Each in at most 30 characters.
    #[oai(validator(max_items = 10, unique_items))]
    pub skills: Vec<String>,
    #[oai(validator(max_length = 200))]
    pub availability: String,
}

/// An organisation reporting in to a community (机关党组织到社区报到), with the members it brings.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewOrgReport {
    /// The organisation reporting in (a department, or a party organisation outside the community).
    #[oai(validator(min_length = 1, max_length = 64))]
    pub org_id: String,
    #[oai(validator(min_items = 1, max_items = 500))]
    pub members: Vec<OrgMember>,
}

/// A household linked to a member (包联), shown only to the community and the member.
#[derive(Object)]
pub struct HouseholdLink {
    pub unit_id: String,
    pub estate_id: String,
    /// Building, entrance and number, as the registry has them.
    pub label: String,
}

/// A party member's report-in and placement.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberReport {
    pub id: String,
    pub community_id: String,
    pub name: String,
    /// The owner record, when the member is an owner here.
    pub owner_id: Option<String>,
    /// The organisation's report-in that brought them.
    pub org_report_id: Option<String>,
    pub own_org_id: Option<String>,
    pub own_org_name: String,
    pub skills: Vec<String>,
    pub availability: String,
    pub status: ReportStatus,
    /// Where the community placed them: an estate's (grid) party branch or a building party group.
    pub placement_org_id: Option<String>,
    pub placement_org_name: Option<String>,
    pub estate_id: Option<String>,
    pub post: Option<PartyPost>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
    pub reported_at: DateTime<Utc>,
    /// How many households are linked to them.
    pub household_count: u32,
    /// The households themselves: for the community and the member only.
    pub households: Option<Vec<HouseholdLink>>,
}

#[derive(ApiResponse)]
pub enum MemberReportCreated {
    #[oai(status = 201)]
    Created(Json<MemberReport>),
}

/// An organisation's report-in.
#[derive(Object)]
pub struct OrgReport {
    pub id: String,
    pub community_id: String,
    pub org_id: String,
    pub org_name: String,
    pub reported_at: DateTime<Utc>,
    pub members: Vec<MemberReport>,
}

#[derive(ApiResponse)]
pub enum OrgReportCreated {
    #[oai(status = 201)]
    Created(Json<OrgReport>),
}

/// Where the community places a member.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// An estate party branch (grid party branch) or building party group of the community.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub placement_org_id: String,
    /// The estate they serve in, of the community.
    #[oai(validator(max_length = 64))]
    pub estate_id: Option<String>,
    /// Their post at the end of the chain: unit head (单元长) or central household (党员中心户).
    pub post: Option<PartyPost>,
}

/// Why the community declines a report.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DeclineReport {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// The households linked to a member (replacing those linked before).
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct HouseholdLinks {
    #[oai(validator(max_items = 50, unique_items))]
    pub unit_ids: Vec<String>,
}

/// A node of a community's chain: the community, an estate party branch or a building group,
/// with the members placed in it (no households).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChainNode {
    pub org_id: String,
    pub parent_id: Option<String>,
    pub kind: OrgKind,
    pub name: String,
    pub members: Vec<ChainMember>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChainMember {
    pub id: String,
    pub name: String,
    pub post: Option<PartyPost>,
    pub estate_id: Option<String>,
    pub household_count: u32,
}

/// A community's placement chain (五级组织体系), top down: each node names its parent.
#[derive(Object)]
pub struct PlacementChain {
    pub community_id: String,
    pub community_name: String,
    pub nodes: Vec<ChainNode>,
    /// Reports the community has not acted on.
    pub awaiting: u32,
}

// Hours.

/// One confirmed service.
#[derive(Object)]
pub struct ServiceRecord {
    pub id: String,
    pub kind: ServiceKind,
    /// The ledger item or the activity.
    pub source_id: String,
    pub minutes: i32,
    pub points: i64,
    pub served_on: NaiveDate,
    pub confirmed_as: ConfirmedAs,
    pub confirmed_at: DateTime<Utc>,
}

/// A member's or a team's year of service.
#[derive(Object)]
pub struct ServiceYear {
    pub name: String,
    pub year: i32,
    pub services: i64,
    pub minutes: i64,
    /// Hours, one decimal (minutes ÷ 60, rounded down to the tenth).
    pub hours: String,
    pub points: i64,
    /// The year's records, newest first, 50 a page.
    pub records: Page<ServiceRecord>,
}

/// The caller's own service at home.
#[derive(Object)]
pub struct MyService {
    /// Their report-ins, newest first, with the households linked to them.
    pub reports: Vec<MemberReport>,
    pub year: ServiceYear,
}

/// One person or team who served at an activity.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActivityServer {
    /// A reporting member of the community (placed).
    #[oai(validator(max_length = 64))]
    pub member_id: Option<String>,
    /// A volunteer team of the community.
    #[oai(validator(max_length = 64))]
    pub team_id: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub minutes: u32,
}

/// The community confirms who served at an activity, and for how long (once, after it ends).
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActivityService {
    #[oai(validator(min_items = 1, max_items = 200))]
    pub servers: Vec<ActivityServer>,
}

/// What the community recorded.
#[derive(Object)]
pub struct ServiceRecorded {
    pub records: u32,
    pub minutes: i64,
    pub points: i64,
}

/// One member's year, for their own party organisation.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberYear {
    pub member_id: String,
    pub name: String,
    pub community_id: String,
    pub community_name: String,
    pub status: ReportStatus,
    pub services: i64,
    pub minutes: i64,
    pub hours: String,
    pub points: i64,
}

/// The yearly report to a member's own party organisation of its members' service at home.
#[derive(Object)]
pub struct MembersServiceReport {
    pub org_id: String,
    pub year: i32,
    pub members: Page<MemberYear>,
}

// Stations.

/// A service station (党群服务站) of a community.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewStation {
    /// The station's code, unique in the county.
    #[oai(validator(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9-]+$"))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub address: String,
    /// When it is open (周一至周五 9:00–17:00 ...).
    #[oai(validator(min_length = 1, max_length = 200))]
    pub opening_hours: String,
    /// The estate it is in, of the community.
    #[oai(validator(max_length = 64))]
    pub estate_id: Option<String>,
}

/// Evidence for one item of the standard: a note, photos or documents (the caller's uploads).
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    #[oai(validator(max_length = 500))]
    pub note: String,
    #[oai(validator(max_items = 9, unique_items))]
    pub attachment_ids: Vec<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StationItem {
    pub code: String,
    pub name: String,
    pub evidenced: bool,
    pub note: Option<String>,
    pub attachment_ids: Vec<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Station {
    pub id: String,
    pub community_id: String,
    pub estate_id: Option<String>,
    pub code: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    /// The county's standard, item by item (evidence for officials only; the public sees
    /// whether each item is met).
    pub items: Vec<StationItem>,
    pub meets_standard: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum StationCreated {
    #[oai(status = 201)]
    Created(Json<Station>),
}

// Activities.

/// An activity, announced ahead.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    #[oai(validator(max_length = 64))]
    pub station_id: Option<String>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub title: String,
    #[oai(validator(max_length = 2000))]
    pub description: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub place: String,
    /// After now.
    pub starts_at: DateTime<Utc>,
    /// After the start, within 7 days of it.
    pub ends_at: DateTime<Utc>,
    /// How many residents it takes; those beyond wait.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub cap: u32,
}

/// A resident's sign-up.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivitySignup {
    pub id: String,
    pub activity_id: String,
    pub status: SignupStatus,
    /// On the waiting list: the place in it (1 is next).
    pub waiting_position: Option<u32>,
    /// The resident's name: in the organiser's list only.
    pub name: Option<String>,
    pub signed_at: DateTime<Utc>,
    pub admitted_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
pub enum SignupCreated {
    #[oai(status = 201)]
    Created(Json<ActivitySignup>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Activity {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    pub station_id: Option<String>,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cap: i32,
    pub admitted: i32,
    pub waiting: i32,
    pub checked_in: i32,
    pub status: ActivityStatus,
    pub announced_at: DateTime<Utc>,
    /// The community recorded who served.
    pub service_recorded: bool,
    /// The caller's sign-up, if any.
    pub my_signup: Option<ActivitySignup>,
}

#[derive(ApiResponse)]
pub enum ActivityCreated {
    #[oai(status = 201)]
    Created(Json<Activity>),
}

// Selections.

#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewSelection {
    pub kind: SelectionKind,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub title: String,
    #[oai(validator(max_length = 2000))]
    pub description: String,
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub year: i32,
    /// Days the shortlist is published for objections: 7 unless set (7–10).
    #[oai(validator(minimum(value = "7"), maximum(value = "10")))]
    pub publicity_days: Option<u32>,
}

/// A nomination: a person who serves estates (a company's staff member, a volunteer) or a
/// company's or estate's project.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewSelectionNomination {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub nominee_name: String,
    /// The company the nominee works for (a company's own nominations are always its own).
    #[oai(validator(max_length = 64))]
    pub company_id: Option<String>,
    /// The estate the nominee serves.
    #[oai(validator(max_length = 64))]
    pub estate_id: Option<String>,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SelectionNomination {
    pub id: String,
    pub selection_id: String,
    pub nominee_name: String,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub estate_id: Option<String>,
    pub reason: String,
    pub nominator_kind: NominatorKind,
    pub shortlisted: bool,
    /// An objection against it was upheld.
    pub disqualified: bool,
    pub winner: bool,
    pub created_at: DateTime<Utc>,
    /// The caller made it.
    pub mine: bool,
}

#[derive(ApiResponse)]
pub enum NominationCreated {
    #[oai(status = 201)]
    Created(Json<SelectionNomination>),
}

#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Shortlist {
    #[oai(validator(min_items = 1, max_items = 200, unique_items))]
    pub nomination_ids: Vec<String>,
}

/// A signed objection to a shortlisted nomination.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewShortlistObjection {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub nomination_id: String,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub text: String,
    /// The objector's signature: their name as they sign.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub signature: String,
}

#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ObjectionVerdict {
    /// Upheld: the nomination is disqualified.
    pub upheld: bool,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub answer: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ShortlistObjection {
    pub id: String,
    pub selection_id: String,
    pub nomination_id: String,
    /// The signature: for the organiser and the objector.
    pub signature: Option<String>,
    pub text: String,
    pub filed_at: DateTime<Utc>,
    pub answer_due: NaiveDate,
    pub upheld: Option<bool>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub mine: bool,
}

#[derive(ApiResponse)]
pub enum ObjectionCreated {
    #[oai(status = 201)]
    Created(Json<ShortlistObjection>),
}

#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SelectionDecision {
    #[oai(validator(min_items = 1, max_items = 200, unique_items))]
    pub winner_ids: Vec<String>,
    /// The decision as published (who decided, on what basis).
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub decision: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Selection {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub kind: SelectionKind,
    pub title: String,
    pub description: String,
    pub year: i32,
    pub status: SelectionStatus,
    pub publicity_days: i32,
    pub created_at: DateTime<Utc>,
    pub shortlisted_at: Option<DateTime<Utc>>,
    /// The first instant after the publicity (objections are taken before it).
    pub publicity_ends_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision: Option<String>,
    /// The shortlist (published) with the winners once decided.
    pub shortlist: Vec<SelectionNomination>,
    /// The objections the caller may see: the organiser all, an objector theirs. Answers to all
    /// are published with the shortlist, without signatures.
    pub objections: Vec<ShortlistObjection>,
}

#[derive(ApiResponse)]
pub enum SelectionCreated {
    #[oai(status = 201)]
    Created(Json<Selection>),
}

// Figures.

/// The figures of an area for a year.
#[derive(Object, Default)]
pub struct ServiceFigures {
    pub org_id: String,
    pub org_name: String,
    pub year: i32,
    /// Members whose report-in stands (reported or placed).
    pub members_reported: i64,
    pub members_placed: i64,
    pub stations: i64,
    /// Stations with evidence for every item of the county's standard.
    pub stations_meeting_standard: i64,
    /// Activities held or to come in the year (not cancelled).
    pub activities: i64,
    /// Residents checked in at them.
    pub people_served: i64,
    /// Confirmed services (orders and activities) and their hours and points.
    pub services: i64,
    pub minutes: i64,
    pub hours: String,
    pub points: i64,
    /// Community by community (for an area above a community).
    pub communities: Vec<CommunityFigures>,
}

#[derive(Object, Default, Clone)]
pub struct CommunityFigures {
    pub community_id: String,
    pub name: String,
    pub members_reported: i64,
    pub members_placed: i64,
    pub stations: i64,
    pub stations_meeting_standard: i64,
    pub activities: i64,
    pub people_served: i64,
    pub services: i64,
    pub minutes: i64,
    pub points: i64,
}

// The notice board's part.

/// An activity to come, on the notice board.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardActivity {
    pub id: String,
    pub title: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cap: i32,
    pub admitted: i32,
    pub waiting: i32,
}

/// A selection's shortlist in publicity, or its results, on the notice board.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardSelection {
    pub id: String,
    pub title: String,
    pub kind: SelectionKind,
    pub status: SelectionStatus,
    pub org_name: String,
    pub publicity_ends_at: Option<DateTime<Utc>>,
    /// The shortlisted (in publicity) or the winners (decided): the nominee and their company.
    pub names: Vec<String>,
    pub decision: Option<String>,
}
