//! The meetings owed (RULES.md §5): a joint meeting each calendar month for each estate, a
//! party-building joint meeting each quarter for each community, shown in the deadlines list —
//! outstanding ones, and met ones with the day of the meeting that met them (a meeting counts
//! once its minutes are published).

use super::*;
use crate::db::estates::EstateRow;
use crate::domain::committee::DeadlineKind;
use crate::domain::registry::OrgKind;
use crate::http::committees::{DeadlineItem, DeadlineOut};

/// The meetings the estates (and their communities) under `org` owe on `today`: for the
/// previous period and the current one, each without such a meeting held by now.
pub(crate) fn meetings_owed(
    conn: &mut AnyConnection,
    org: &OrgRow,
    estates: &[EstateRow],
    today: NaiveDate,
) -> AppResult<Vec<DeadlineItem>> {
    let mut communities: Vec<String> = estates.iter().map(|e| e.community_id.clone()).collect();
    if org.kind()? == OrgKind::Community {
        communities.push(org.id.clone());
    }
    communities.sort();
    communities.dedup();
    // From the first day of the previous quarter (never later than the previous month's) to now.
    let previous_quarter = meeting::quarter_of(meeting::quarter_of(today).0.pred_opt().unwrap_or(today)).0;
    let (from, now) = (ids::start_of_local_day(previous_quarter), ids::now());
    let local = |t: NaiveDateTime| ids::local_date(t);
    let mut out = Vec::new();

    let monthly = db::meetings::held(conn, MeetingKind::JointMonthly, &communities, from, now)?;
    for e in estates {
        let held: Vec<NaiveDate> = monthly
            .iter()
            .filter(|(estate, _, _)| estate.as_deref() == Some(e.id.as_str()))
            .map(|(_, _, at)| local(*at))
            .collect();
        for o in meeting::meetings_owed(MeetingKind::JointMonthly, local(e.created_at), &held, today) {
            out.push(owed(
                DeadlineKind::JointMeeting,
                Some(e.id.clone()),
                e.community_id.clone(),
                o,
            ));
        }
    }

    let quarterly = db::meetings::held(conn, MeetingKind::PartyBuildingQuarterly, &communities, from, now)?;
    for community in &communities {
        let Some(row) = db::orgs::get(conn, community)? else {
            continue;
        };
        let held: Vec<NaiveDate> = quarterly
            .iter()
            .filter(|(_, c, _)| c == community)
            .map(|(_, _, at)| local(*at))
            .collect();
        for o in meeting::meetings_owed(MeetingKind::PartyBuildingQuarterly, local(row.created_at), &held, today) {
            out.push(owed(DeadlineKind::PartyBuildingMeeting, None, community.clone(), o));
        }
    }
    Ok(out)
}

fn owed(kind: DeadlineKind, estate_id: Option<String>, community_id: String, o: meeting::Owed) -> DeadlineItem {
    DeadlineItem {
        committee_id: None,
        estate_id,
        community_id,
        deadline: DeadlineOut {
            kind,
            due_on: o.due_on,
            done_on: o.done_on,
            overdue: o.overdue,
        },
    }
}
