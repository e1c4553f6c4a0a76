//! Ledger rows as the API shows them.

use super::*;

pub(crate) fn item_out(i: ItemRow, seen: Seen, now: NaiveDateTime) -> AppResult<LedgerItem> {
    let stored = i.status()?;
    let status = stored.shown(i.confirm_by, now);
    let reporter = if seen.hides_reporter(&i) {
        None
    } else {
        Some(Reporter {
            name: i.reporter_name.clone(),
            role: db::terms::stored(&i.reporter_role)?,
        })
    };
    let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
    Ok(LedgerItem {
        category: i.category()?,
        overdue: ledger::overdue(stored, i.accept_due, i.done_due, now),
        confirmed_by_default: stored == ItemStatus::Resolved && status == ItemStatus::Confirmed,
        assignee_kind: i.assignee_kind.as_deref().map(db::terms::stored).transpose()?,
        status,
        reporter,
        id: i.id,
        estate_id: i.estate_id,
        building_id: i.building_id,
        unit_id: i.unit_id,
        title: i.title,
        description: i.description,
        show_reporter_to_company: i.show_reporter,
        service_minutes: i.service_minutes,
        assignee_id: i.assignee_id,
        assignee_name: None,
        dispatched_at: utc(i.dispatched_at),
        accept_due_at: utc(i.accept_due),
        done_due_at: utc(i.done_due),
        accepted_at: utc(i.accepted_at),
        resolved_at: utc(i.resolved_at),
        confirm_by: utc(i.confirm_by),
        confirmed_at: utc(i.confirmed_at),
        rating: i.rating,
        created_at: i.created_at.and_utc(),
        updated_at: i.updated_at.and_utc(),
    })
}

pub(crate) fn step_out(s: StepRow, hide_reporter: bool, reporter_id: &str) -> AppResult<LedgerStep> {
    let hidden = hide_reporter && s.actor_id == reporter_id;
    Ok(LedgerStep {
        step: db::terms::stored(&s.step)?,
        status: db::terms::stored(&s.status)?,
        assignee_kind: s.assignee_kind.as_deref().map(db::terms::stored).transpose()?,
        attachment_ids: serde_json::from_str(&s.attachments).map_err(|e| AppError::Internal(e.to_string()))?,
        actor_id: (!hidden).then_some(s.actor_id),
        actor_role: s.actor_role,
        id: s.id,
        assignee_id: s.assignee_id,
        assignee_name: None,
        note: s.note,
        rating: s.rating,
        at: s.at.and_utc(),
    })
}

pub(crate) fn team_out(t: TeamRow, members: Vec<String>) -> VolunteerTeam {
    VolunteerTeam {
        id: t.id,
        community_id: t.community_id,
        name: t.name,
        member_owner_ids: members,
        created_at: t.created_at.and_utc(),
    }
}
