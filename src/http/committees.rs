//! Committees: owners' committees (业主委员会) from preparatory group to election, filing, first
//! meeting, vacancies and term end; property management committees (物业管理委员会) appointed
//! where none exists and dissolved with a handover when an owners' committee is elected.

use std::collections::HashMap;

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::paging::Page;
use super::problem::ApiResult;
use super::scope::{check, estate_ctx, guard_estate, org_place, EstateCtx, Need};
use super::security::{AnyAuth, BearerAuth, Caller};
use super::ApiTags;
use crate::db::committees::{CommitteeRow, MemberRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::committee::{
    self as rules, Affiliation, CommitteeFacts, CommitteeKind, CommitteeRules, CommitteeStatus, DeadlineKind,
    FilingAuthority, MemberRole, TieRule,
};
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::domain::registry::{OrgKind, UnitKind};
use crate::domain::vetting::{CandidateStatus, ElectionStatus};
use crate::domain::voting::VoteKind;
use crate::error::{codes, reason, AppError, AppResult};
use crate::AppState;

pub struct CommitteesApi;

#[derive(Object, Deserialize, Clone)]
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
#[serde(deny_unknown_fields)]
pub struct CarryElection {
    /// The closed election vote (not a run-off) of this committee's election.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub vote_id: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub appointed_on: NaiveDate,
    /// The first member is the chair, from the street office or township.
    #[oai(validator(min_items = 1, max_items = 31))]
    pub members: Vec<MemberInput>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub authority: FilingAuthority,
    pub filed_on: NaiveDate,
}

#[derive(Object, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct Vacancy {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub member_id: String,
    pub date: NaiveDate,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub date: NaiveDate,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    pub date: NaiveDate,
}

#[derive(Object)]
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
pub struct DeadlineOut {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Object)]
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
pub struct DeadlineItem {
    pub committee_id: String,
    pub estate_id: String,
    #[oai(flatten)]
    pub deadline: DeadlineOut,
}

/// A county's committee and vetting rules; every field as in RULES.md §3–4.
#[derive(Object, Deserialize, Clone)]
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

impl From<CommitteeRules> for RulesBody {
    fn from(r: CommitteeRules) -> Self {
        RulesBody {
            oc_min: r.oc_min,
            oc_max: r.oc_max,
            small_estate_households: r.small_estate_households,
            small_estate_min: r.small_estate_min,
            term_min_years: r.term_min_years,
            term_max_years: r.term_max_years,
            prep_owner_share_num: r.prep_owner_share_num,
            prep_owner_share_den: r.prep_owner_share_den,
            prep_members_barred_from_first: r.prep_members_barred_from_first,
            pmc_min: r.pmc_min,
            party_target_percent: r.party_target_percent,
            publicity_days: r.publicity_days,
            objection_answer_days: r.objection_answer_days,
            required_departments: r.required_departments,
            vote_notice_days: r.vote_notice_days,
            tie_rule: r.tie_rule,
        }
    }
}

impl From<RulesBody> for CommitteeRules {
    fn from(r: RulesBody) -> Self {
        CommitteeRules {
            oc_min: r.oc_min,
            oc_max: r.oc_max,
            small_estate_households: r.small_estate_households,
            small_estate_min: r.small_estate_min,
            term_min_years: r.term_min_years,
            term_max_years: r.term_max_years,
            prep_owner_share_num: r.prep_owner_share_num,
            prep_owner_share_den: r.prep_owner_share_den,
            prep_members_barred_from_first: r.prep_members_barred_from_first,
            pmc_min: r.pmc_min,
            party_target_percent: r.party_target_percent,
            publicity_days: r.publicity_days,
            objection_answer_days: r.objection_answer_days,
            required_departments: r.required_departments,
            vote_notice_days: r.vote_notice_days,
            tie_rule: r.tie_rule,
        }
    }
}

#[derive(ApiResponse)]
pub enum CommitteeCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Committee>),
}

/// The county an estate (or organisation) belongs to: the first id of its path.
pub fn county_of(path: &str) -> String {
    path.split('/').find(|s| !s.is_empty()).unwrap_or_default().to_string()
}

pub fn estate_rules(conn: &mut AnyConnection, ctx: &EstateCtx) -> AppResult<CommitteeRules> {
    db::committees::rules(conn, &county_of(&ctx.estate.community_path))
}

fn facts(c: &CommitteeRow, reelection_started_on: Option<NaiveDate>) -> CommitteeFacts {
    CommitteeFacts {
        formed_on: c.formed_on,
        term_ends_on: c.term_ends_on,
        filed_on: match (c.filed_bureau_on, c.filed_street_on) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        },
        first_meeting_on: c.first_meeting_on,
        handover_due_on: c.handover_due_on,
        handed_over_on: c.handed_over_on,
        reelection_started_on,
    }
}

fn member_out(m: MemberRow) -> AppResult<Member> {
    Ok(Member {
        affiliation: m.affiliation()?,
        role: m.role()?,
        id: m.id,
        owner_id: m.owner_id,
        name: m.name,
        alternate_rank: m.alternate_rank,
        votes: m.votes,
        party_member: m.party_member,
        two_committees: m.two_committees,
        grid_secretary: m.grid_secretary,
        started_on: m.started_on,
        ended_on: m.ended_on,
        end_reason: m.end_reason,
    })
}

/// The party-building figures of the serving members.
pub fn party_building(members: &[MemberRow], target_percent: u32) -> PartyBuilding {
    let serving: Vec<&MemberRow> = members
        .iter()
        .filter(|m| m.ended_on.is_none() && m.role().is_ok_and(MemberRole::seated))
        .collect();
    let n = serving.len() as u32;
    let party = serving.iter().filter(|m| m.party_member).count() as u32;
    let cross = serving.iter().filter(|m| m.two_committees || m.grid_secretary).count() as u32;
    let f = rules::party_figures(n, party, cross, target_percent);
    PartyBuilding {
        members: f.members,
        party_members: f.party_members,
        party_group: f.party_group,
        party_share_percent: f.share_percent,
        target_percent,
        meets_target: f.meets_target,
        cross_appointed: f.cross_appointed,
    }
}

/// The day a re-election started for each committee in office: the first election opened for it
/// (a committee in preparation holds its first election, which is no re-election). One query.
fn reelections(conn: &mut AnyConnection, committees: &[CommitteeRow]) -> AppResult<HashMap<String, NaiveDate>> {
    let in_office: Vec<String> = committees
        .iter()
        .filter(|c| c.status().is_ok_and(|s| s != CommitteeStatus::Preparing))
        .map(|c| c.id.clone())
        .collect();
    let mut out: HashMap<String, NaiveDate> = HashMap::new();
    for (committee, at) in db::vetting::election_starts(conn, &in_office)? {
        let day = at.date();
        out.entry(committee).and_modify(|d| *d = (*d).min(day)).or_insert(day);
    }
    Ok(out)
}

fn committee_out(conn: &mut AnyConnection, c: CommitteeRow, r: &CommitteeRules) -> AppResult<Committee> {
    let today = ids::today();
    let all = db::committees::members(conn, &c.id)?;
    let reelection = reelections(conn, std::slice::from_ref(&c))?.remove(&c.id);
    let f = facts(&c, reelection);
    let deadlines = rules::deadlines(c.kind()?, &f)
        .into_iter()
        .map(|d| DeadlineOut {
            kind: d.kind,
            due_on: d.due_on,
            done_on: d.done_on,
            overdue: d.overdue(today),
        })
        .collect();
    let party = party_building(&all, r.party_target_percent);
    let (mut current, former): (Vec<MemberRow>, Vec<MemberRow>) = all.into_iter().partition(|m| m.ended_on.is_none());
    let order = |m: &MemberRow| m.role().map_or((u8::MAX, 0), |r| r.order(m.alternate_rank));
    current.sort_by_key(order);
    Ok(Committee {
        status: c.status()?.shown(c.term_ends_on, today),
        kind: c.kind()?,
        reelection_warning: rules::reelection_warning(&f, today),
        deadlines,
        members: current.into_iter().map(member_out).collect::<AppResult<_>>()?,
        former_members: former.into_iter().map(member_out).collect::<AppResult<_>>()?,
        party_building: party,
        id: c.id,
        estate_id: c.estate_id,
        term_years: c.term_years,
        seats: c.seats,
        formed_on: c.formed_on,
        term_ends_on: c.term_ends_on,
        filed_bureau_on: c.filed_bureau_on,
        filed_street_on: c.filed_street_on,
        first_meeting_on: c.first_meeting_on,
        ended_on: c.ended_on,
        end_reason: c.end_reason,
        by_election_required: c.by_election_required,
    })
}

/// The owner ids of the qualified candidates of a final election list of this committee.
fn final_list(conn: &mut AnyConnection, com: &CommitteeRow, election_id: &str, field: &str) -> AppResult<Vec<String>> {
    let e = db::vetting::get_election(conn, election_id)?
        .filter(|e| e.committee_id == com.id)
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no election of this committee with this id"))?;
    if e.status()? != ElectionStatus::Final {
        return Err(AppError::invalid(
            field,
            reason::NOT_FINAL,
            "the candidate list of this election is not final yet",
        ));
    }
    Ok(db::vetting::candidates_of(conn, &e.id)?
        .into_iter()
        .filter(|c| c.status().is_ok_and(CandidateStatus::on_final_list))
        .map(|c| c.owner_id)
        .collect())
}

/// Records an owners' committee's election: members and ranked alternates (all eligible), the
/// preparatory group dissolved, the term set, and a property management committee's handover.
#[allow(clippy::too_many_arguments)]
fn record_election(
    c: &mut AnyConnection,
    trail: &mut audit::Trail,
    mut com: CommitteeRow,
    ctx: &EstateCtx,
    actor: &audit::Actor,
    members_in: &[MemberInput],
    alternates_in: &[MemberInput],
    ranks: &[i32],
    on: NaiveDate,
) -> AppResult<Committee> {
    let elected = com.status()?.record_election(com.kind()?)?;
    let r = estate_rules(c, ctx)?;
    rules::check_oc_size(members_in.len() as u32, households(c, &ctx.estate.id)?, &r)
        .map_err(|m| AppError::invalid("members", reason::SIZE, m))?;
    if members_in
        .iter()
        .chain(alternates_in)
        .any(|m| m.affiliation != Affiliation::Owner)
    {
        return Err(AppError::invalid(
            "members",
            reason::NOT_AN_OWNER,
            "members and alternates of an owners' committee are owners",
        ));
    }
    let previous = db::committees::members(c, &com.id)?;
    if r.prep_members_barred_from_first {
        let group: Vec<&String> = previous.iter().filter_map(|m| m.owner_id.as_ref()).collect();
        if members_in
            .iter()
            .any(|m| m.owner_id.as_ref().is_some_and(|o| group.contains(&o)))
        {
            return Err(AppError::rule(
                codes::PREPARATORY_MEMBER_ELECTED,
                "members of the preparatory group may not sit on the first committee here",
            ));
        }
    }
    let mut members = member_rows(
        c,
        "members",
        &com,
        members_in,
        |_, _| (MemberRole::Member, None),
        on,
        Eligibility::Checked,
    )?;
    let alts = member_rows(
        c,
        "alternates",
        &com,
        alternates_in,
        |i, _| (MemberRole::Alternate, ranks.get(i).copied()),
        on,
        Eligibility::Checked,
    )?;
    members.extend(alts);
    let mut owners: Vec<&String> = members.iter().filter_map(|m| m.owner_id.as_ref()).collect();
    let n = owners.len();
    owners.sort();
    owners.dedup();
    if owners.len() != n {
        return Err(AppError::invalid(
            "alternates",
            reason::DUPLICATE,
            "an owner is both member and alternate",
        ));
    }
    // The preparatory group's work ends with the election.
    for mut g in previous.into_iter().filter(|m| m.ended_on.is_none()) {
        g.ended_on = Some(on);
        g.end_reason = Some("preparatory group dissolved at the election".into());
        db::committees::save_member(c, &g)?;
    }
    db::committees::insert_members(c, &members)?;
    com.set_status(elected);
    com.seats = members_in.len() as i32;
    com.formed_on = Some(on);
    com.term_ends_on = Some(rules::term_end(on, com.term_years as u32));
    db::committees::save(c, &com)?;
    // A property management committee stands down, handing over within 10 days.
    for mut pmc in db::committees::live_of_estates(c, std::slice::from_ref(&com.estate_id))?
        .into_iter()
        .filter(|x| x.kind().is_ok_and(|k| k == CommitteeKind::PropertyManagementCommittee))
    {
        pmc.set_status(pmc.status()?.stand_down());
        pmc.handover_due_on = Some(rules::add_days(on, rules::HANDOVER_DAYS));
        db::committees::save(c, &pmc)?;
        trail.record(
            actor,
            "committee.dissolving",
            "committee",
            &pmc.id,
            &serde_json::json!({ "successor": com.id, "handover_due": pmc.handover_due_on }),
        )?;
    }
    trail.record(
        actor,
        "committee.elected",
        "committee",
        &com.id,
        &serde_json::json!({ "on": on, "members": members_in.len(), "alternates": alternates_in.len() }),
    )?;
    respond(c, com, ctx)
}

/// Whether the owners among the members must meet the candidate eligibility (RULES.md §4, last
/// paragraph): preparatory group owners' representatives, elected members and alternates do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Eligibility {
    Checked,
    NotChecked,
}

/// Turns member inputs into rows; owners must hold a unit in the estate, and where `eligibility`
/// says so be adults with no negative-list record in force today.
fn member_rows(
    conn: &mut AnyConnection,
    field: &str,
    committee: &CommitteeRow,
    inputs: &[MemberInput],
    role: impl Fn(usize, &MemberInput) -> (MemberRole, Option<i32>),
    on: NaiveDate,
    eligibility: Eligibility,
) -> AppResult<Vec<MemberRow>> {
    let holders = db::estates::headcount_inputs(conn, &committee.estate_id, true)?;
    let county_id = match db::estates::get(conn, &committee.estate_id)? {
        Some(e) => county_of(&e.community_path),
        None => String::new(),
    };
    let mut rows = Vec::new();
    for (i, m) in inputs.iter().enumerate() {
        let (name, party) = match (&m.affiliation, &m.owner_id) {
            (Affiliation::Owner, Some(owner_id)) => {
                // A missing owner and an owner elsewhere get the same answer: nothing is told
                // about people outside the estate.
                let not_here = || {
                    AppError::invalid(
                        &format!("{field}[{i}].owner_id"),
                        reason::NOT_AN_OWNER_HERE,
                        "the person holds no unit in this estate",
                    )
                };
                if !holders.iter().any(|u| u.owner_ids.contains(owner_id)) {
                    return Err(not_here());
                }
                let owner = db::owners::get(conn, owner_id)?.ok_or_else(not_here)?;
                if eligibility == Eligibility::Checked {
                    let today = ids::today();
                    let blocking = db::vetting::blocking_items(conn, &county_id, &owner.id, today)?;
                    rules::eligibility(true, owner.birth_date, today, &blocking).map_err(|why| {
                        AppError::invalid(&format!("{field}[{i}].owner_id"), why.code(), why.message())
                    })?;
                }
                (owner.name, m.party_member.unwrap_or(owner.party_member))
            }
            (Affiliation::Owner, None) => {
                return Err(AppError::invalid(
                    &format!("{field}[{i}].owner_id"),
                    reason::REQUIRED,
                    "an owner member names the owner record",
                ))
            }
            (_, _) => match &m.name {
                Some(n) => (n.trim().to_string(), m.party_member.unwrap_or(false)),
                None => {
                    return Err(AppError::invalid(
                        &format!("{field}[{i}].name"),
                        reason::REQUIRED,
                        "a member who is not an owner needs a name",
                    ))
                }
            },
        };
        let (role, rank) = role(i, m);
        rows.push(MemberRow {
            id: ids::new_id(),
            committee_id: committee.id.clone(),
            owner_id: m.owner_id.clone(),
            name,
            affiliation: m.affiliation.as_str().into(),
            role: role.as_str().into(),
            alternate_rank: rank,
            votes: m.votes,
            party_member: party,
            two_committees: m.two_committees,
            grid_secretary: m.grid_secretary,
            started_on: on,
            ended_on: None,
            end_reason: None,
            created_at: ids::now(),
        });
    }
    let mut owners: Vec<&String> = rows.iter().filter_map(|r| r.owner_id.as_ref()).collect();
    let n = owners.len();
    owners.sort();
    owners.dedup();
    if owners.len() != n {
        return Err(AppError::invalid(
            field,
            reason::DUPLICATE,
            "the same owner appears twice",
        ));
    }
    Ok(rows)
}

/// Households for the small-estate rule: residential units of the estate.
fn households(conn: &mut AnyConnection, estate_id: &str) -> AppResult<u32> {
    Ok(db::estates::count_units(conn, estate_id, UnitKind::Residential.as_str())? as u32)
}

/// Loads a committee with its estate and the caller's right to `need` on it.
fn guard(
    conn: &mut AnyConnection,
    caller: &Caller,
    committee_id: &str,
    manage: bool,
) -> AppResult<(CommitteeRow, EstateCtx, audit::Actor)> {
    let c = db::committees::get(conn, committee_id)?.ok_or(AppError::NotFound { what: "committee" })?;
    let ctx = estate_ctx(conn, caller, &c.estate_id)?;
    let action = if manage {
        Action::ManageCommittee(ctx.place())
    } else {
        Action::ViewPublic(ctx.place())
    };
    let actor = check(caller, &ctx.place(), &action)?;
    Ok((c, ctx, actor))
}

fn respond(conn: &mut AnyConnection, c: CommitteeRow, ctx: &EstateCtx) -> AppResult<Committee> {
    let r = estate_rules(conn, ctx)?;
    committee_out(conn, c, &r)
}

/// Recomputes the status of an owners' committee from its facts: filed when both filings are
/// in, active when also the first meeting has been held.
/// After a filing or the first meeting: the status the recorded facts give.
fn settle_status(c: &mut CommitteeRow) -> AppResult<()> {
    let filed = c.filed_bureau_on.is_some() && c.filed_street_on.is_some();
    let next = c.status()?.settle(filed, c.first_meeting_on.is_some());
    c.set_status(next);
    Ok(())
}

#[OpenApi(tag = "ApiTags::Committees")]
impl CommitteesApi {
    /// A county's committee and vetting rules (the defaults of RULES.md until changed).
    ///
    /// Administrators, the bureau and party organisations of the county.
    #[oai(
        path = "/orgs/:id/committee-rules",
        method = "get",
        operation_id = "getCommitteeRules"
    )]
    async fn get_rules(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<RulesBody>> {
        let caller = auth.0.clone();
        let r = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
                    .ok_or(AppError::NotFound { what: "county" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                db::committees::rules(c, &org.id)
            })
            .await?;
        Ok(Json(r.into()))
    }

    /// Change a county's committee and vetting rules. Past decisions are not re-evaluated.
    ///
    /// Administrators and the bureau of the county.
    #[oai(
        path = "/orgs/:id/committee-rules",
        method = "put",
        operation_id = "putCommitteeRules"
    )]
    async fn put_rules(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<RulesBody>,
    ) -> ApiResult<Json<RulesBody>> {
        let caller = auth.0.clone();
        let r: CommitteeRules = body.0.into();
        r.check()
            .map_err(|e| AppError::invalid(e.setting, reason::OUT_OF_RANGE, e.message))?;
        let stored = r.clone();
        state
            .db
            .command(move |c, trail| {
                let org = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
                    .ok_or(AppError::NotFound { what: "county" })?;
                let actor = check(&caller, &org_place(&org), &Action::ManageCountyRules(org_place(&org)))?;
                db::committees::put_rules(c, &org.id, &stored, ids::now())?;
                trail.record(
                    &actor,
                    "county.rules",
                    "org",
                    &org.id,
                    &serde_json::to_value(&stored).unwrap_or_default(),
                )
            })
            .await?;
        Ok(Json(r.into()))
    }

    /// Form a committee for an estate: an owners' committee starts with its preparatory group
    /// (筹备组); a property management committee is then appointed.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/committees", method = "post", operation_id = "createCommittee")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewCommittee>,
    ) -> ApiResult<CommitteeCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageCommittee(ctx.place()))?;
                let r = estate_rules(c, &ctx)?;
                let kind = input.kind;
                if kind == CommitteeKind::OwnersCommittee {
                    rules::check_term(input.term_years as u32, &r)
                        .map_err(|m| AppError::invalid("term_years", reason::OUT_OF_RANGE, m))?;
                }
                let live = db::committees::live_of_estates(c, std::slice::from_ref(&ctx.estate.id))?
                    .iter()
                    .map(|x| Ok((x.kind()?, x.status()?)))
                    .collect::<AppResult<Vec<_>>>()?;
                let status = CommitteeStatus::form(kind, &live)?;
                let row = CommitteeRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    kind: kind.as_str().into(),
                    status: status.as_str().into(),
                    term_years: input.term_years,
                    seats: 0,
                    formed_on: None,
                    term_ends_on: None,
                    filed_bureau_on: None,
                    filed_street_on: None,
                    first_meeting_on: None,
                    handover_due_on: None,
                    handed_over_on: None,
                    ended_on: None,
                    end_reason: None,
                    by_election_required: false,
                    created_at: ids::now(),
                };
                if !input.preparatory_group.is_empty() {
                    if kind != CommitteeKind::OwnersCommittee {
                        return Err(AppError::invalid(
                            "preparatory_group",
                            reason::NOT_ALLOWED,
                            "only an owners' committee election has a preparatory group",
                        ));
                    }
                    let g = &input.preparatory_group;
                    let leaders: Vec<&MemberInput> = g.iter().filter(|m| m.leader).collect();
                    let led = leaders.len() == 1 && leaders[0].affiliation == Affiliation::StreetOffice;
                    let owners = g.iter().filter(|m| m.affiliation == Affiliation::Owner).count() as u32;
                    rules::check_preparatory_group(g.len() as u32, owners, led, &r)
                        .map_err(|m| AppError::invalid("preparatory_group", reason::COMPOSITION, m))?;
                }
                db::committees::insert(c, &row)?;
                let group = member_rows(
                    c,
                    "preparatory_group",
                    &row,
                    &input.preparatory_group,
                    |_, m| {
                        (
                            if m.leader {
                                MemberRole::GroupLeader
                            } else {
                                MemberRole::GroupMember
                            },
                            None,
                        )
                    },
                    ids::today(),
                    Eligibility::Checked,
                )?;
                db::committees::insert_members(c, &group)?;
                trail.record(
                    &actor,
                    "committee.create",
                    "committee",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "kind": row.kind, "group": group.len() }),
                )?;
                respond(c, row, &ctx)
            })
            .await?;
        Ok(CommitteeCreated::Created(Json(out)))
    }

    /// Record the result of an owners' committee election held on paper outside redprop: the
    /// members and the alternates, who must all be qualified candidates of the election's final
    /// list, adults, and free of negative-list records. (An election voted in redprop is carried
    /// over with `carryElection` instead, without retyping.) A property management committee of
    /// the estate starts its 10-day handover.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/election-result",
        method = "post",
        operation_id = "recordElection"
    )]
    async fn elect(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ElectionResult>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let finalists = final_list(c, &com, &input.election_id, "election_id")?;
                for (field, list) in [("members", &input.members), ("alternates", &input.alternates)] {
                    for (i, m) in list.iter().enumerate() {
                        if m.owner_id.as_ref().is_some_and(|o| !finalists.contains(o)) {
                            return Err(AppError::invalid(
                                &format!("{field}[{i}].owner_id"),
                                reason::NOT_ON_FINAL_LIST,
                                "not a qualified candidate of this election's final list",
                            ));
                        }
                    }
                }
                let mut alternates = input.alternates.clone();
                alternates.sort_by_key(|a| std::cmp::Reverse(a.votes.unwrap_or(0)));
                let ranks: Vec<i32> = (1..=alternates.len() as i32).collect();
                let out = record_election(
                    c,
                    trail,
                    com,
                    &ctx,
                    &actor,
                    &input.members,
                    &alternates,
                    &ranks,
                    input.elected_on,
                )?;
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// Carry a closed election vote's result into the committee in one step: the elected
    /// candidates become members, the alternates follow in vote order. Every tie at the
    /// boundary must have been resolved (`resolveTie`) and the vote must have reached its
    /// quorum. A property management committee of the estate starts its 10-day handover.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/election-result/from-vote",
        method = "post",
        operation_id = "carryElection"
    )]
    async fn carry(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<CarryElection>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let vote_id = body.0.vote_id;
        let out = state
            .db
            .command(move |c, trail| {
                let (com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let v = db::votes::get(c, &vote_id)?
                    .filter(|v| {
                        v.kind().is_ok_and(|k| k == VoteKind::Election)
                            && v.runoff_of.is_none()
                            && v.estate_id == com.estate_id
                    })
                    .ok_or_else(|| {
                        AppError::invalid(
                            "vote_id",
                            reason::NOT_FOUND,
                            "no election vote of this estate with this id",
                        )
                    })?;
                let election_id = v.election_id.clone().unwrap_or_default();
                final_list(c, &com, &election_id, "vote_id")?;
                let result = crate::http::votes::result_of(c, &v)?;
                let (outcome, supports, _) = crate::http::votes::election_outcome(c, &v)?;
                if !outcome.quorum_met {
                    return Err(AppError::rule(
                        codes::ELECTION_FAILED_QUORUM,
                        "the election did not reach two thirds of area and heads: no one is elected",
                    ));
                }
                if !outcome.decided() {
                    let places: Vec<String> = outcome.ties.iter().map(|t| t.place.as_text()).collect();
                    return Err(AppError::rule(
                        codes::TIE_UNRESOLVED,
                        format!("resolve the ties first ({}) by the county's rule", places.join(", ")),
                    ));
                }
                let candidates = db::vetting::candidates_of(c, &election_id)?;
                let member = |cand_id: &String| -> AppResult<MemberInput> {
                    let cand = candidates
                        .iter()
                        .find(|x| &x.id == cand_id)
                        .ok_or_else(|| AppError::Internal("a ballot option is not a candidate".into()))?;
                    Ok(MemberInput {
                        affiliation: Affiliation::Owner,
                        owner_id: Some(cand.owner_id.clone()),
                        name: None,
                        party_member: None,
                        two_committees: false,
                        grid_secretary: false,
                        votes: supports
                            .iter()
                            .find(|s| &s.candidate_id == cand_id)
                            .map(|s| s.yes_heads),
                        leader: false,
                    })
                };
                let members = outcome.elected.iter().map(member).collect::<AppResult<Vec<_>>>()?;
                let alternates = outcome
                    .alternates
                    .iter()
                    .flatten()
                    .map(member)
                    .collect::<AppResult<Vec<_>>>()?;
                let ranks: Vec<i32> = (1..=alternates.len() as i32).collect();
                let on = crate::domain::ids::local_date(v.closes_at);
                let out = record_election(c, trail, com, &ctx, &actor, &members, &alternates, &ranks, on)?;
                trail.record(
                    &actor,
                    "committee.carried",
                    "committee",
                    &out.id,
                    &serde_json::json!({ "vote": v.id, "outcome": result.outcome }),
                )?;
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// Appoint a property management committee (chair from the street office or township).
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/appointment",
        method = "post",
        operation_id = "appointCommittee"
    )]
    async fn appoint(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Appointment>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let appointed = com.status()?.appoint(com.kind()?)?;
                let r = estate_rules(c, &ctx)?;
                rules::check_pmc_size(input.members.len() as u32, &r)
                    .map_err(|m| AppError::invalid("members", reason::SIZE, m))?;
                if input.members[0].affiliation != Affiliation::StreetOffice {
                    return Err(AppError::invalid(
                        "members[0].affiliation",
                        reason::CHAIR,
                        "the chair comes from the street office or township",
                    ));
                }
                let on = input.appointed_on;
                let rows = member_rows(
                    c,
                    "members",
                    &com,
                    &input.members,
                    |i, _| (if i == 0 { MemberRole::Chair } else { MemberRole::Member }, None),
                    on,
                    Eligibility::NotChecked,
                )?;
                db::committees::insert_members(c, &rows)?;
                com.set_status(appointed);
                com.seats = rows.len() as i32;
                com.formed_on = Some(on);
                com.term_ends_on = Some(rules::term_end(on, com.term_years as u32));
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.appointed",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": on, "members": rows.len() }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record a filing (备案) of an owners' committee with the bureau or the street office.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/filings", method = "post", operation_id = "recordFiling")]
    async fn filing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Filing>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.file(com.kind()?)?;
                if com.formed_on.is_some_and(|f| input.filed_on < f) {
                    return Err(AppError::invalid(
                        "filed_on",
                        reason::BEFORE_ELECTION,
                        "a committee is filed after its election",
                    ));
                }
                match input.authority {
                    FilingAuthority::HousingBureau => com.filed_bureau_on = Some(input.filed_on),
                    FilingAuthority::StreetOffice => com.filed_street_on = Some(input.filed_on),
                }
                settle_status(&mut com)?;
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.filed",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "authority": format!("{:?}", input.authority), "on": input.filed_on }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record the first meeting, where the chair and vice-chairs are chosen.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/first-meeting",
        method = "post",
        operation_id = "recordFirstMeeting"
    )]
    async fn first_meeting(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<FirstMeeting>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.first_meeting(com.kind()?, com.first_meeting_on.is_some())?;
                if com.formed_on.is_some_and(|f| input.held_on < f) {
                    return Err(AppError::invalid("held_on", reason::BEFORE_ELECTION, "the first meeting follows the election"));
                }
                let mut members = db::committees::members(c, &com.id)?;
                let seated = |m: &MemberRow| m.ended_on.is_none() && m.role().is_ok_and(|r| r == MemberRole::Member);
                if !members.iter().any(|m| m.id == input.chair_member_id && seated(m)) {
                    return Err(AppError::invalid("chair_member_id", reason::NOT_A_MEMBER, "the chair is one of the elected members"));
                }
                if input.vice_chair_member_ids.iter().any(|v| *v == input.chair_member_id || !members.iter().any(|m| m.id == *v && seated(m))) {
                    return Err(AppError::invalid("vice_chair_member_ids", reason::NOT_A_MEMBER, "vice-chairs are other elected members"));
                }
                for m in members.iter_mut() {
                    let role = if m.id == input.chair_member_id {
                        MemberRole::Chair
                    } else if input.vice_chair_member_ids.contains(&m.id) {
                        MemberRole::ViceChair
                    } else {
                        continue;
                    };
                    m.set_role(role);
                    db::committees::save_member(c, m)?;
                }
                com.first_meeting_on = Some(input.held_on);
                settle_status(&mut com)?;
                db::committees::save(c, &com)?;
                trail.record(&actor, "committee.first_meeting", "committee", &com.id, &serde_json::json!({ "on": input.held_on, "chair": input.chair_member_id, "vice_chairs": input.vice_chair_member_ids }))?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// A member leaves. The first alternate in vote order fills the seat; when too few remain
    /// (below half the seats, or below the minimum size) a by-election is required.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/vacancies", method = "post", operation_id = "recordVacancy")]
    async fn vacancy(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Vacancy>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                com.status()?.vacancy()?;
                let members = db::committees::members(c, &com.id)?;
                let mut leaving = members
                    .iter()
                    .find(|m| m.id == input.member_id && m.ended_on.is_none() && m.role().is_ok_and(MemberRole::seated))
                    .cloned()
                    .ok_or_else(|| AppError::invalid("member_id", reason::NOT_A_MEMBER, "no serving member with this id"))?;
                leaving.ended_on = Some(input.date);
                leaving.end_reason = Some(input.reason.clone());
                db::committees::save_member(c, &leaving)?;
                let alternates: Vec<&MemberRow> = members
                    .iter()
                    .filter(|m| m.role().is_ok_and(|r| r == MemberRole::Alternate) && m.ended_on.is_none())
                    .collect();
                let ranks: Vec<Option<i32>> = alternates.iter().map(|m| m.alternate_rank).collect();
                let next = rules::next_alternate(&ranks).map(|i| alternates[i].clone());
                let mut filled_by = None;
                if let Some(mut alt) = next {
                    // The alternate's time as alternate ends; the seat starts now (history kept).
                    alt.ended_on = Some(input.date);
                    alt.end_reason = Some("filled a vacancy".into());
                    db::committees::save_member(c, &alt)?;
                    let seated = MemberRow { id: ids::new_id(), role: MemberRole::Member.as_str().into(), alternate_rank: None, started_on: input.date, ended_on: None, end_reason: None, created_at: ids::now(), ..alt };
                    filled_by = Some(seated.id.clone());
                    db::committees::insert_members(c, std::slice::from_ref(&seated))?;
                }
                let serving = db::committees::members(c, &com.id)?.iter().filter(|m| m.ended_on.is_none() && m.role().is_ok_and(MemberRole::seated)).count() as u32;
                let r = estate_rules(c, &ctx)?;
                let min = rules::by_election_min(com.kind()?, com.seats as u32, &r);
                com.by_election_required = rules::by_election_required(serving, com.seats as u32, min);
                db::committees::save(c, &com)?;
                trail.record(&actor, "committee.vacancy", "committee", &com.id, &serde_json::json!({ "member": leaving.id, "on": input.date, "filled_by": filled_by, "by_election": com.by_election_required }))?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// A property management committee hands over to the owners' committee: it is dissolved.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/committees/:id/handover", method = "post", operation_id = "recordHandover")]
    async fn handover(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Handover>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let on = body.0.date;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let dissolved = com.status()?.hand_over()?;
                com.handed_over_on = Some(on);
                com.set_status(dissolved);
                com.ended_on = Some(on);
                com.end_reason = Some("handed over to the elected owners' committee".into());
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.handover",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": on }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// Dissolve a committee (e.g. dismissed by the owners' assembly) or close it at the end of its term.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(
        path = "/committees/:id/dissolution",
        method = "post",
        operation_id = "dissolveCommittee"
    )]
    async fn dissolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Ending>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut com, ctx, actor) = guard(c, &caller, &id.0, true)?;
                let past_term = com.term_ends_on.is_some_and(|e| input.date > e);
                let ended = com.status()?.end(past_term)?;
                com.set_status(ended);
                com.ended_on = Some(input.date);
                com.end_reason = Some(input.reason.clone());
                db::committees::save(c, &com)?;
                trail.record(
                    &actor,
                    "committee.ended",
                    "committee",
                    &com.id,
                    &serde_json::json!({ "on": input.date, "reason": input.reason, "status": com.status }),
                )?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// A committee: roster (published), status, deadlines, party-building figures.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/committees/:id", method = "get", operation_id = "getCommittee")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Committee>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (com, ctx, _) = guard(c, &caller, &id.0, false)?;
                respond(c, com, &ctx)
            })
            .await?;
        Ok(Json(out))
    }

    /// An estate's committees, newest first.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/committees", method = "get", operation_id = "listCommittees")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Committee>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                let r = estate_rules(c, &ctx)?;
                db::committees::of_estate(c, &ctx.estate.id)?
                    .into_iter()
                    .map(|x| committee_out(c, x, &r))
                    .collect()
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }

    /// Deadlines of the committees under an organisation: filing within 30 days of the election,
    /// first meeting within 7, re-election starting 6 months before the term ends, handover
    /// within 10 days. Overdue ones first.
    ///
    /// Administrators, the bureau and party organisations at or above `org_id`.
    #[oai(path = "/deadlines", method = "get", operation_id = "listDeadlines")]
    async fn deadlines(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(min_length = 1, max_length = 64))] org_id: Query<String>,
        /// Only the overdue ones.
        overdue: Query<Option<bool>>,
    ) -> ApiResult<Json<Page<DeadlineItem>>> {
        let caller = auth.0.clone();
        let only_overdue = overdue.0.unwrap_or(false);
        let out = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &org_id.0)?.ok_or(AppError::NotFound { what: "organisation" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                let estates: Vec<String> = db::estates::all_within(c, &org.id)?.into_iter().map(|e| e.id).collect();
                let today = ids::today();
                let mut items = Vec::new();
                let committees = db::committees::live_of_estates(c, &estates)?;
                let started = reelections(c, &committees)?;
                for com in committees {
                    for d in rules::deadlines(com.kind()?, &facts(&com, started.get(&com.id).copied())) {
                        let overdue = d.overdue(today);
                        if d.done_on.is_some() || (only_overdue && !overdue) {
                            continue;
                        }
                        items.push(DeadlineItem {
                            committee_id: com.id.clone(),
                            estate_id: com.estate_id.clone(),
                            deadline: DeadlineOut {
                                kind: d.kind,
                                due_on: d.due_on,
                                done_on: d.done_on,
                                overdue,
                            },
                        });
                    }
                }
                items.sort_by_key(|i| (!i.deadline.overdue, i.deadline.due_on));
                Ok(items)
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }
}
