//! Rows as the API shows them.

use super::*;

pub(crate) fn item_out(i: ItemRow) -> NegativeItem {
    NegativeItem {
        code: i.code,
        text: i.text,
        legal_basis: i.legal_basis,
        evidence_department: i.evidence_department,
        duration_months: i.duration_months,
        enabled: i.enabled,
    }
}

pub(crate) fn record_out(r: RecordRow) -> NegativeRecord {
    let in_force_today = vetting::in_force(r.effective_from, r.expires_on, ids::today());
    NegativeRecord {
        id: r.id,
        owner_id: r.owner_id,
        item_code: r.item_code,
        evidence_ref: r.evidence_ref,
        department_id: r.department_id,
        effective_from: r.effective_from,
        expires_on: r.expires_on,
        in_force_today,
    }
}

pub(crate) fn split(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|x| x.split('\n').filter(|p| !p.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

pub(crate) fn candidate_out(
    conn: &mut AnyConnection,
    c: CandidateRow,
    reviews: &[ReviewRow],
    objections: &[ObjectionRow],
) -> AppResult<Candidate> {
    let name = db::owners::names(conn, std::slice::from_ref(&c.owner_id))?
        .remove(&c.owner_id)
        .unwrap_or_default();
    candidate_with_name(c, name, reviews, objections)
}

/// The view of a candidate whose name is already known (lists fetch names in one query).
pub(crate) fn candidate_with_name(
    c: CandidateRow,
    name: String,
    reviews: &[ReviewRow],
    objections: &[ObjectionRow],
) -> AppResult<Candidate> {
    Ok(Candidate {
        status: c.status()?,
        nominated_by: c.nominated_by()?,
        screening_hits: c
            .screening
            .as_deref()
            .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default(),
        reasons: split(&c.reasons),
        reviews: reviews
            .iter()
            .filter(|r| r.candidate_id == c.id)
            .map(|r| ReviewOut {
                department_code: r.department_code.clone(),
                passed: r.passed,
                reason: r.reason.clone(),
                reviewer_id: r.reviewer_id.clone(),
                decided_at: r.decided_at.and_utc(),
            })
            .collect(),
        objections: objections
            .iter()
            .filter(|o| o.candidate_id == c.id)
            .map(|o| objection_out(o.clone()))
            .collect(),
        id: c.id,
        election_id: c.election_id,
        owner_id: c.owner_id,
        name,
        party_member: c.party_member,
    })
}

pub(crate) fn objection_out(o: ObjectionRow) -> ObjectionOut {
    ObjectionOut {
        id: o.id,
        candidate_id: o.candidate_id,
        filed_on: o.filed_on,
        answer_due_on: o.answer_due_on,
        statement: o.statement,
        answer: o.answer,
        upheld: o.upheld,
        answered_on: o.answered_on,
    }
}

pub(crate) fn election_out(conn: &mut AnyConnection, e: ElectionRow, everything: bool) -> AppResult<Election> {
    let mut cands = db::vetting::candidates_of(conn, &e.id)?;
    if !everything {
        // Owners see the published list: qualified candidates, nothing about the others.
        cands.retain(|c| e.published_on.is_some() && c.status().is_ok_and(CandidateStatus::on_final_list));
    }
    let ids: Vec<String> = cands.iter().map(|c| c.id.clone()).collect();
    let (reviews, objections) = if everything {
        (
            db::vetting::reviews_of(conn, &ids)?,
            db::vetting::objections_of(conn, &ids)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let owners: Vec<String> = cands.iter().map(|c| c.owner_id.clone()).collect();
    let mut names = db::owners::names(conn, &owners)?;
    let candidates = cands
        .into_iter()
        .map(|c| {
            let name = names.remove(&c.owner_id).unwrap_or_default();
            candidate_with_name(c, name, &reviews, &objections)
        })
        .collect::<AppResult<_>>()?;
    Ok(Election {
        status: e.status()?,
        id: e.id,
        committee_id: e.committee_id,
        seats: e.seats,
        published_on: e.published_on,
        published_at: e.published_at.map(|t| t.and_utc()),
        publicity_ends_on: e.publicity_ends_on,
        candidates,
    })
}
