//! Rows as the API shows them.

use super::*;

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

pub(crate) fn facts(c: &CommitteeRow, reelection_started_on: Option<NaiveDate>) -> CommitteeFacts {
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

pub(crate) fn member_out(m: MemberRow) -> AppResult<Member> {
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

/// The day (China Standard Time) a re-election started for each committee in office: the first
/// election opened for its next term, i.e. after the day it was formed. The elections that formed
/// it (a committee in preparation holds its first election, perhaps more than one) are no
/// re-election, or the deadline would be met by the committee's own formation. One query.
pub(crate) fn reelections(
    conn: &mut AnyConnection,
    committees: &[CommitteeRow],
) -> AppResult<HashMap<String, NaiveDate>> {
    let formed: HashMap<&str, NaiveDate> = committees
        .iter()
        .filter(|c| c.status().is_ok_and(|s| s != CommitteeStatus::Preparing))
        .filter_map(|c| Some((c.id.as_str(), c.formed_on?)))
        .collect();
    let in_office: Vec<String> = formed.keys().map(|id| id.to_string()).collect();
    let mut out: HashMap<String, NaiveDate> = HashMap::new();
    for (committee, at) in db::vetting::election_starts(conn, &in_office)? {
        let day = ids::local_date(at);
        if formed.get(committee.as_str()).is_none_or(|f| day <= *f) {
            continue;
        }
        out.entry(committee).and_modify(|d| *d = (*d).min(day)).or_insert(day);
    }
    Ok(out)
}

pub(crate) fn committee_out(conn: &mut AnyConnection, c: CommitteeRow, r: &CommitteeRules) -> AppResult<Committee> {
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
