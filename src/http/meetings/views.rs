//! Meeting rows as the API shows them.

use super::*;

/// The parties a monthly joint meeting in this community's county needs for its quorum.
pub(crate) fn joint_quorum(conn: &mut AnyConnection, community_path: &str) -> AppResult<Vec<PartyKind>> {
    let county = crate::http::committees::county_of(community_path);
    Ok(crate::http::ledger::county_settings(conn, &county)?.joint_meeting_quorum)
}

/// A meeting as shown, its quorum judged against `joint_quorum` (its county's setting).
pub(crate) fn meeting_out<'a>(
    m: &MeetingRow,
    invited: impl IntoIterator<Item = &'a PartyRow>,
    agenda: Vec<AgendaRow>,
    joint_quorum: &[PartyKind],
) -> AppResult<Meeting> {
    let mut attending = Vec::new();
    let mut parties = Vec::new();
    for p in invited {
        let attendance = p.attendance()?;
        if attendance.attended() {
            attending.push(p.kind()?);
        }
        parties.push(MeetingParty {
            id: p.id.clone(),
            kind: p.kind()?,
            party_id: p.party_id.clone(),
            name: p.name.clone(),
            attendance,
            represented_by: p.represented_by.clone(),
        });
    }
    Ok(Meeting {
        id: m.id.clone(),
        kind: m.kind()?,
        convenor_org_id: m.convenor_org_id.clone(),
        estate_id: m.estate_id.clone(),
        community_id: m.community_id.clone(),
        title: m.title.clone(),
        starts_at: m.starts_at.and_utc(),
        place: m.place.clone(),
        quorum: meeting::quorum(m.kind()?, &attending, joint_quorum),
        parties,
        agenda: agenda
            .into_iter()
            .map(|a| AgendaItem {
                seq: a.seq,
                title: a.title,
                ledger_item_id: a.ledger_item_id,
                proposal_id: a.proposal_id,
            })
            .collect(),
        created_at: m.created_at.and_utc(),
    })
}

/// The attending parties that confirm (organisations: a named person signs on paper).
pub(crate) fn confirming_parties(ctx: &MeetingCtx) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for (p, _) in &ctx.parties {
        if p.attendance()?.attended() && p.party_id.is_some() && p.kind()? != PartyKind::Person {
            out.push(p.id.clone());
        }
    }
    Ok(out)
}

/// The parties still to confirm in the current round.
pub(crate) fn waiting_for(ctx: &MeetingCtx, m: &MinutesRow, answers: &[AnswerRow]) -> AppResult<Vec<String>> {
    if m.status()? != MinutesStatus::Confirming {
        return Ok(Vec::new());
    }
    Ok(confirming_parties(ctx)?
        .into_iter()
        .filter(|p| {
            !answers
                .iter()
                .any(|a| a.round == m.round && &a.party_id == p && !a.correction)
        })
        .collect())
}

pub(crate) fn minutes_out(ctx: &MeetingCtx, m: MinutesRow, answers: Vec<AnswerRow>) -> AppResult<Minutes> {
    let waiting = waiting_for(ctx, &m, &answers)?;
    let content: MinutesContent =
        serde_json::from_str(&m.content).map_err(|e| AppError::Internal(format!("stored minutes: {e}")))?;
    let round = m.round;
    Ok(Minutes {
        status: m.status()?,
        id: m.id,
        meeting_id: m.meeting_id,
        version: m.version,
        previous_id: m.previous_id,
        content,
        fingerprint: m.fingerprint,
        published_at: m.published_at.map(|t| t.and_utc()),
        answers: answers
            .into_iter()
            .filter(|a| a.round == round || a.correction)
            .map(|a| MinutesAnswer {
                party_id: a.party_id,
                correction: a.correction,
                comment: a.comment,
                answered_at: a.answered_at.and_utc(),
            })
            .collect(),
        waiting_for: waiting,
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    })
}

/// Action items as shown, with their ledger items and steps (two queries for all of them).
pub(crate) fn actions_out(conn: &mut AnyConnection, rows: Vec<ActionRow>) -> AppResult<Vec<ActionItem>> {
    let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
    let ledger = db::meetings::ledger_of_actions(conn, &ids)?;
    let steps = db::meetings::steps_of_actions(conn, &ids)?;
    let mut meeting_ids: Vec<String> = rows.iter().map(|a| a.meeting_id.clone()).collect();
    meeting_ids.sort();
    meeting_ids.dedup();
    let meetings: std::collections::HashMap<String, MeetingRow> = db::meetings::get_many(conn, &meeting_ids)?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let parties: std::collections::HashMap<String, PartyRow> = db::meetings::parties_of_meetings(conn, &meeting_ids)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let today = ids::today();
    rows.into_iter()
        .map(|a| {
            let status = a.status()?;
            let party = parties
                .get(&a.responsible_party_id)
                .ok_or(AppError::NotFound { what: "meeting party" })?;
            let meeting = meetings
                .get(&a.meeting_id)
                .ok_or(AppError::NotFound { what: "meeting" })?;
            Ok(ActionItem {
                responsible_kind: party.kind()?,
                responsible_name: party.name.clone(),
                responsible_org_id: party.party_id.clone(),
                meeting_title: meeting.title.clone(),
                estate_id: meeting.estate_id.clone(),
                overdue: meeting::action_overdue(status, a.due_on, today),
                status,
                ledger_item_ids: ledger
                    .iter()
                    .filter(|(action, _)| *action == a.id)
                    .map(|(_, l)| l.clone())
                    .collect(),
                steps: steps
                    .iter()
                    .filter(|s| s.action_id == a.id)
                    .map(|s| ActionStep {
                        step: s.step.clone(),
                        note: s.note.clone(),
                        attachment_ids: serde_json::from_str(&s.attachments).unwrap_or_default(),
                        actor_id: s.actor_id.clone(),
                        actor_role: s.actor_role.clone(),
                        at: s.at.and_utc(),
                    })
                    .collect(),
                id: a.id,
                meeting_id: a.meeting_id,
                minutes_id: a.minutes_id,
                decision: a.decision,
                title: a.title,
                responsible_party_id: a.responsible_party_id,
                due_on: a.due_on,
                reported_at: a.reported_at.map(|t| t.and_utc()),
                done_at: a.done_at.map(|t| t.and_utc()),
            })
        })
        .collect()
}
