//! Stored ballots against the audit log (issue 27). The chain proves the log was not changed;
//! this proves the ballots agree with it. Every recorded ballot has a history row whose receipt
//! is a hash of its content, and one audit event whose change digest covers the voter and the
//! receipt (`voting::audited_ballot`). So:
//! - a history row whose content no longer gives its receipt was changed (a choice altered);
//! - a history row without its audit event was changed or added behind the log's back;
//! - an audit event without its history row names a ballot deleted from the history;
//! - a counted ballot (`current_ballots`, `ballot_selections`) must be one of its voter's
//!   history rows as recorded.
//!
//! Read vote by vote, so memory stays that of the largest vote.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{audit_events, ballot_history, ballot_selections, current_ballots, votes};
use super::votes::{CurrentRow, HistoryRow};
use super::AnyConnection;
use crate::domain::{audit, voting};
use crate::error::AppResult;

/// The first disagreement found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub vote_id: String,
    /// The voter, when the stored ballot names one (a deleted ballot is known only by its event).
    pub voter_id: Option<String>,
    /// The history row or counted ballot concerned.
    pub ballot_id: Option<String>,
    /// The audit event concerned.
    pub audit_seq: Option<i64>,
    pub reason: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Ballot history rows checked.
    pub checked: i64,
    pub first_mismatch: Option<Mismatch>,
}

/// Checks every vote's ballots; stops at the first mismatch.
pub fn verify(conn: &mut AnyConnection) -> AppResult<Report> {
    let ids: Vec<String> = votes::table.select(votes::id).order(votes::id.asc()).load(conn)?;
    let mut checked = 0;
    for vote_id in ids {
        let (n, found) = check_vote(conn, &vote_id)?;
        checked += n;
        if found.is_some() {
            return Ok(Report {
                checked,
                first_mismatch: found,
            });
        }
    }
    Ok(Report {
        checked,
        first_mismatch: None,
    })
}

/// One vote's ballots: (history rows checked, the first mismatch).
fn check_vote(conn: &mut AnyConnection, vote_id: &str) -> AppResult<(i64, Option<Mismatch>)> {
    let mismatch = |voter: Option<&str>, ballot: Option<&str>, seq: Option<i64>, reason| Mismatch {
        vote_id: vote_id.to_string(),
        voter_id: voter.map(str::to_string),
        ballot_id: ballot.map(str::to_string),
        audit_seq: seq,
        reason,
    };
    let history: Vec<HistoryRow> = ballot_history::table
        .filter(ballot_history::vote_id.eq(vote_id))
        .order((ballot_history::cast_at.asc(), ballot_history::id.asc()))
        .select(HistoryRow::as_select())
        .load(conn)?;
    // The vote's ballot events (index audit_events_target_action), by what they digest.
    let events: Vec<(i64, String, String)> = audit_events::table
        .filter(audit_events::target_id.eq(vote_id))
        .filter(audit_events::action.eq_any(["ballot.cast", "ballot.paper"]))
        .select((audit_events::seq, audit_events::action, audit_events::change_digest))
        .order(audit_events::seq.asc())
        .load(conn)?;
    let mut audited: HashMap<(String, String), Vec<i64>> = HashMap::new();
    for (seq, action, digest) in events {
        audited.entry((action, digest)).or_default().push(seq);
    }
    let n = history.len() as i64;
    for h in &history {
        let recomputed = voting::receipt(&h.vote_id, &h.voter_id, &h.id, &h.choice, &h.selections, h.cast_at);
        if recomputed != h.receipt {
            let reason = "the ballot's content does not give its receipt: it was changed after it was cast";
            return Ok((n, Some(mismatch(Some(&h.voter_id), Some(&h.id), None, reason))));
        }
        let (action, change) = voting::audited_ballot(&h.voter_id, &h.receipt, h.paper_ref.as_deref());
        let key = (action.to_string(), audit::change_digest(&change));
        if audited.get_mut(&key).and_then(Vec::pop).is_none() {
            let reason = "the ballot has no audit event: it was changed or added behind the log's back";
            return Ok((n, Some(mismatch(Some(&h.voter_id), Some(&h.id), None, reason))));
        }
    }
    if let Some(seq) = audited.values().flatten().min() {
        let reason = "an audited ballot is missing from the ballot history: it was deleted";
        return Ok((n, Some(mismatch(None, None, Some(*seq), reason))));
    }
    let by_id: HashMap<&str, &HistoryRow> = history.iter().map(|h| (h.id.as_str(), h)).collect();
    let counted: Vec<CurrentRow> = current_ballots::table
        .filter(current_ballots::vote_id.eq(vote_id))
        .select(CurrentRow::as_select())
        .load(conn)?;
    let mut selections: HashMap<String, Vec<String>> = HashMap::new();
    for (voter, option) in ballot_selections::table
        .filter(ballot_selections::vote_id.eq(vote_id))
        .select((ballot_selections::voter_id, ballot_selections::option_id))
        .load::<(String, String)>(conn)?
    {
        selections.entry(voter).or_default().push(option);
    }
    for c in &counted {
        let agrees = by_id.get(c.ballot_id.as_str()).is_some_and(|h| {
            h.voter_id == c.voter_id
                && h.choice == c.choice
                && h.channel == c.channel
                && h.receipt == c.receipt
                && h.cast_at == c.cast_at
        });
        if !agrees {
            let reason = "the counted ballot is not its voter's ballot as recorded in the history";
            return Ok((n, Some(mismatch(Some(&c.voter_id), Some(&c.ballot_id), None, reason))));
        }
        let mut chosen = selections.remove(&c.voter_id).unwrap_or_default();
        chosen.sort();
        if chosen.join(",") != by_id[c.ballot_id.as_str()].selections {
            let reason = "the counted selections are not the ones of the ballot as recorded";
            return Ok((n, Some(mismatch(Some(&c.voter_id), Some(&c.ballot_id), None, reason))));
        }
    }
    if let Some(voter) = selections.keys().min() {
        let reason = "selections are counted for a voter without a counted ballot";
        return Ok((n, Some(mismatch(Some(voter), None, None, reason))));
    }
    Ok((n, None))
}
