//! Rows as the API shows them.

use super::*;

pub(crate) fn fraction(n: i64, d: i64) -> Fraction {
    Fraction {
        numerator: n,
        denominator: d,
        basis_points: ((n as i128 * 10_000).checked_div(d as i128).unwrap_or(0)) as i64,
    }
}

pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub(crate) fn vote_out(conn: &mut AnyConnection, v: VoteRow) -> AppResult<Vote> {
    let options = db::votes::options_of(conn, &v.id)?
        .into_iter()
        .map(|o| VoteOption {
            option_id: o.option_id,
            label: o.label,
        })
        .collect();
    let notice = crate::http::notices::statutory_totals(conn, &v.id)?;
    Ok(Vote {
        notice,
        status: v.status_at(ids::now()),
        kind: v.kind()?,
        convenor: v.convenor()?,
        options,
        id: v.id,
        estate_id: v.estate_id,
        category: v.category,
        title: v.title,
        question: v.question,
        seats: v.seats,
        proposal_id: v.proposal_id,
        include_parking: v.include_parking,
        notice_posted_on: v.notice_posted_on,
        announced_at: utc(v.created_at),
        opens_at: utc(v.opens_at),
        closes_at: utc(v.closes_at),
        extension_reason: v.extension_reason,
        roll_fingerprint: v.roll_fingerprint,
        total_area_centi_m2: v.total_area,
        total_heads: v.total_heads,
    })
}

pub(crate) fn receipt_out(h: &HistoryRow) -> Receipt {
    Receipt {
        ballot_id: h.id.clone(),
        voter_id: h.voter_id.clone(),
        receipt: h.receipt.clone(),
        cast_at: utc(h.cast_at),
        channel: h.channel.clone(),
    }
}

pub(crate) fn proposal_out(p: ProposalRow) -> AppResult<Proposal> {
    Ok(Proposal {
        status: p.status()?,
        id: p.id,
        estate_id: p.estate_id,
        title: p.title,
        summary: p.summary,
        category: p.category,
        mobilised_by: p.mobilised_by,
        mobilised_at: utc(p.mobilised_at),
        branch_endorsed_at: p.branch_endorsed_at.map(utc),
        committee_endorsed_at: p.committee_endorsed_at.map(utc),
        company_endorsed_at: p.company_endorsed_at.map(utc),
        reviewed_by: p.reviewed_by,
        reviewed_at: p.reviewed_at.map(utc),
        review_reasons: p.review_reasons,
    })
}
