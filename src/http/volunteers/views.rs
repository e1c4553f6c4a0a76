//! How report-ins read in the API: one or a page of them (two queries for the lot), the
//! households linked to a member, an organisation's report-in.

use super::reports::utc;
use super::*;
use crate::db::service::{MemberRow, OrgReportRow};

/// Reports as the API shows them, in two queries for the lot (household counts, placement
/// names); households listed only when `households` (the community, the member).
pub(super) fn members_out(
    conn: &mut AnyConnection,
    rows: Vec<MemberRow>,
    households: bool,
) -> AppResult<Vec<MemberReport>> {
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let counts: std::collections::HashMap<String, i64> =
        db::service::household_counts(conn, &ids)?.into_iter().collect();
    let places: Vec<String> = rows.iter().filter_map(|m| m.placement_org_id.clone()).collect();
    let names = db::orgs::names(conn, &places)?;
    rows.into_iter()
        .map(|m| {
            let links = if households {
                Some(household_links(conn, &m.id)?)
            } else {
                None
            };
            let count = counts.get(&m.id).copied().unwrap_or(0) as u32;
            let name = m.placement_org_id.as_ref().and_then(|p| names.get(p).cloned());
            report_out(m, links, count, name)
        })
        .collect()
}

/// One report as the API shows it (`members_out` for one).
pub(super) fn member_out(conn: &mut AnyConnection, m: MemberRow, households: bool) -> AppResult<MemberReport> {
    Ok(members_out(conn, vec![m], households)?.remove(0))
}

/// The households linked to a member, labelled as the registry has them.
fn household_links(conn: &mut AnyConnection, member_id: &str) -> AppResult<Vec<HouseholdLink>> {
    let mut out = Vec::new();
    for u in db::service::households(conn, member_id)? {
        if let Some(unit) = db::estates::get_unit(conn, &u)? {
            let building = db::estates::get_building(conn, &unit.building_id)?
                .map(|b| b.name)
                .unwrap_or_default();
            out.push(HouseholdLink {
                label: format!("{building} {}单元 {}", unit.entrance, unit.number),
                unit_id: unit.id,
                estate_id: unit.estate_id,
            });
        }
    }
    Ok(out)
}

fn report_out(
    m: MemberRow,
    links: Option<Vec<HouseholdLink>>,
    household_count: u32,
    placement_org_name: Option<String>,
) -> AppResult<MemberReport> {
    Ok(MemberReport {
        status: m.status()?,
        post: m.post.as_deref().map(db::terms::stored).transpose()?,
        skills: serde_json::from_str(&m.skills).unwrap_or_default(),
        id: m.id,
        community_id: m.community_id,
        name: m.name,
        owner_id: m.owner_id,
        org_report_id: m.org_report_id,
        own_org_id: m.own_org_id,
        own_org_name: m.own_org_name,
        availability: m.availability,
        placement_org_id: m.placement_org_id,
        placement_org_name,
        estate_id: m.estate_id,
        decided_at: m.decided_at.map(utc),
        decline_reason: m.decline_reason,
        reported_at: utc(m.reported_at),
        household_count,
        households: links,
    })
}

pub(super) fn org_report_out(r: OrgReportRow, members: Vec<MemberReport>) -> OrgReport {
    OrgReport {
        id: r.id,
        community_id: r.community_id,
        org_id: r.org_id,
        org_name: r.org_name,
        reported_at: utc(r.reported_at),
        members,
    }
}
