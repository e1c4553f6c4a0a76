//! Deadlines overdue, told to the offices that answer for them (RULES.md §10, issue 30): a
//! committee's filing, first meeting, re-election or handover, a joint meeting owed, a statement
//! of accounts owed — to its community and to the county's bureau; an action item past its day
//! and not done — to the responsible party, the meeting's convenor and the community. Each is
//! told once, when first found overdue. `sweep` runs hourly in the server (and on demand in
//! tests).

use std::collections::HashMap;

use crate::db::{self, audit, Db};
use crate::domain::ids;
use crate::domain::notice::{Addressee, NoticeKind};
use crate::error::AppResult;
use crate::http::committees::{deadline_items, DeadlineItem};
use crate::http::notices::raise::{self, About};

/// The matter of an overdue deadline: what, whose, and its due day (a deadline moved later is
/// a new matter).
fn subject(i: &DeadlineItem) -> String {
    let whose = i
        .committee_id
        .as_deref()
        .or(i.estate_id.as_deref())
        .unwrap_or(i.community_id.as_str());
    format!("{}:{whose}:{}", i.deadline.kind.as_str(), i.deadline.due_on)
}

/// Raises a notice for each deadline found overdue and not yet told; returns how many.
pub async fn sweep(db: &Db) -> AppResult<usize> {
    db.command(|c, trail| {
        let today = ids::today();
        let mut raised = 0;
        for county in db::orgs::counties(c)? {
            let items = deadline_items(c, &county, true, today)?;
            let subjects: Vec<String> = items.iter().map(subject).collect();
            let told = db::notices::raised(c, NoticeKind::DeadlineOverdue, &subjects)?;
            let mut estates = HashMap::new();
            for (item, key) in items.iter().zip(subjects) {
                if told.contains(&key) {
                    continue;
                }
                let estate = match &item.estate_id {
                    Some(e) => {
                        if !estates.contains_key(e) {
                            estates.insert(e.clone(), db::estates::get(c, e)?);
                        }
                        estates[e].as_ref().map(|r: &db::estates::EstateRow| r.name.clone())
                    }
                    None => None,
                };
                let what = item.deadline.kind.label();
                let about = About::new(
                    NoticeKind::DeadlineOverdue,
                    &key,
                    match &estate {
                        Some(name) => format!("事项逾期：{name} {what}"),
                        None => format!("事项逾期：{what}"),
                    },
                    format!("应于 {} 前完成，至今未完成。", item.deadline.due_on),
                    match &item.estate_id {
                        Some(e) => format!("/web/console/estates/{e}"),
                        None => "/web/console".to_string(),
                    },
                );
                let to = [
                    Addressee::Org(item.community_id.clone()),
                    Addressee::Org(county.id.clone()),
                ];
                let mut r = raise::to_county(&county.id, to, about);
                r.estate_id = item.estate_id.clone();
                trail.notify(r);
                raised += 1;
            }
            raised += overdue_actions(c, trail, &county.id, today)?;
        }
        if raised == 0 {
            trail.unchanged();
        } else {
            trail.record(
                &audit::Actor::system("notice.overdue"),
                "notice.overdue",
                "notice",
                "deadlines",
                &serde_json::json!({ "raised": raised, "on": today }),
            )?;
        }
        Ok(raised)
    })
    .await
}

/// The action items of a county's meetings past their day and not done, each told once.
fn overdue_actions(
    c: &mut db::AnyConnection,
    trail: &mut audit::Trail,
    county_id: &str,
    today: chrono::NaiveDate,
) -> AppResult<usize> {
    use crate::domain::meeting::PartyKind;
    let communities: std::collections::BTreeSet<String> = db::estates::all_within(c, county_id)?
        .into_iter()
        .map(|e| e.community_id)
        .collect();
    let mut late = Vec::new();
    for community in communities {
        let of = db::meetings::ActionsOf::Community(community);
        late.extend(db::meetings::actions_page(
            c,
            &of,
            Some(true),
            None,
            today,
            None,
            10_000,
        )?);
    }
    let subjects: Vec<String> = late.iter().map(|a| format!("action:{}:{}", a.id, a.due_on)).collect();
    let told = db::notices::raised(c, NoticeKind::DeadlineOverdue, &subjects)?;
    let meeting_ids: Vec<String> = late.iter().map(|a| a.meeting_id.clone()).collect();
    let parties = db::meetings::parties_of_meetings(c, &meeting_ids)?;
    let mut raised = 0;
    for (a, key) in late.iter().zip(subjects) {
        if told.contains(&key) {
            continue;
        }
        let Some(m) = db::meetings::get(c, &a.meeting_id)? else {
            continue;
        };
        let responsible = parties.iter().find(|p| p.id == a.responsible_party_id).and_then(|p| {
            let id = p.party_id.clone()?;
            match p.kind().ok()? {
                PartyKind::Company => Some(Addressee::Company(id)),
                PartyKind::PartyOrg | PartyKind::Department => Some(Addressee::Org(id)),
                _ => None,
            }
        });
        let to = responsible.into_iter().chain([
            Addressee::Org(m.convenor_org_id.clone()),
            Addressee::Org(m.community_id.clone()),
        ]);
        let about = About::new(
            NoticeKind::DeadlineOverdue,
            &key,
            format!("督办事项逾期：{}", a.title),
            format!(
                "会议「{}」决定的督办事项应于 {} 前完成，至今未完成。",
                m.title, a.due_on
            ),
            format!("/web/meetings/{}", m.id),
        );
        let mut r = raise::to_county(county_id, to, about);
        r.estate_id = m.estate_id.clone();
        trail.notify(r);
        raised += 1;
    }
    Ok(raised)
}
