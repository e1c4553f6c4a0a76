//! Owners' votes (表决) under Civil Code Art. 278: announcement with notice, the roll frozen at
//! opening (totals and fingerprint published), online and paper ballots with receipts, turnout
//! for the convenor while open, and the tally by area AND heads when closed. Also the
//! major-matter procedure (重大事项): mobilise → three-party proposal → community review → vote.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::committees::estate_rules;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::{check, estate_ctx, EstateCtx};
use super::security::{AnyAuth, BearerAuth, Caller};
use super::ApiTags;
use crate::db::votes::{
    HistoryRow, NewBallot, NotRecorded, OptionRow, ProposalRow, RollRow, TieResolutionRow, VoteRow,
};
use crate::db::{self, audit, AnyConnection};
use crate::domain::committee::TieRule;
use crate::domain::headcount;
use crate::domain::policy::{authorize, Action, Place};
use crate::domain::vetting::{CandidateStatus, ElectionStatus};
use crate::domain::voting::{
    self, CandidateOutcome, Category, Channel, Choice, Convenor, Figures, Outcome, ProposalParty, ProposalStatus,
    Support, VoteKind, VoteStatus,
};
use crate::domain::{ids, window};
use crate::error::{codes, reason, AppError, AppResult};
use crate::AppState;

pub struct VotesApi;

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    /// Matter category of Civil Code Art. 278, 1–9: 1 rules of procedure (议事规则), 2 management
    /// covenant (管理规约), 3 electing the owners' committee (选举业委会), 4 hiring or dismissing the
    /// property company (选聘解聘物业), 5 using the maintenance fund (使用维修资金), 6 raising it
    /// (筹集维修资金), 7 rebuilding (改建重建), 8 changing the use of common parts (改变共有部分用途),
    /// 9 other major matters (其他重大事项). 6–8 need three quarters; the others more than half.
    #[oai(validator(minimum(value = "1"), maximum(value = "9")))]
    pub category: i32,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub question: String,
    pub kind: VoteKind,
    /// For elections: the vetting election whose final list is on the ballot.
    #[oai(validator(max_length = 64))]
    pub election_id: Option<String>,
    /// For major matters: the approved proposal this vote decides.
    #[oai(validator(max_length = 64))]
    pub proposal_id: Option<String>,
    /// A run-off (kind `election`): the closed election vote whose tie it resolves (where the
    /// county resolves ties by run-off). The ballot holds the tied candidates only.
    #[oai(validator(max_length = 64))]
    pub runoff_of: Option<String>,
    /// With `runoff_of`: the place tied, `seat` or `alternate:N`, as the result names it.
    #[oai(validator(max_length = 20))]
    pub runoff_place: Option<String>,
    pub convenor: Convenor,
    /// Whether parking spaces count as exclusive parts in this vote (default: no).
    #[serde(default)]
    #[oai(default)]
    pub include_parking: bool,
    /// The day a paper notice (公告) was posted, if earlier than this announcement: kept for
    /// information only. The notice period (the county's, at least 15 days) runs from when the
    /// vote is announced here, the day of announcement not counted: announced on day D, it may
    /// open from 00:00 (China Standard Time) of day D + notice days + 1.
    pub notice_posted_on: Option<NaiveDate>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

#[derive(Object)]
pub struct VoteOption {
    pub option_id: String,
    pub label: String,
}

#[derive(Object)]
pub struct Vote {
    pub id: String,
    pub estate_id: String,
    pub category: i32,
    pub title: String,
    pub question: String,
    pub kind: VoteKind,
    #[oai(skip_serializing_if_is_none)]
    pub seats: Option<i32>,
    pub options: Vec<VoteOption>,
    #[oai(skip_serializing_if_is_none)]
    pub proposal_id: Option<String>,
    pub convenor: Convenor,
    pub include_parking: bool,
    /// The notice date stated (information), or the day of announcement.
    pub notice_posted_on: NaiveDate,
    /// When the vote was announced in redprop: the notice period runs from here.
    pub announced_at: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub extension_reason: Option<String>,
    pub status: VoteStatus,
    /// Published when the roll is frozen at opening.
    #[oai(skip_serializing_if_is_none)]
    pub roll_fingerprint: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub total_area_centi_m2: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub total_heads: Option<i64>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotInput {
    /// The roll entry (voter) this ballot is for. Needed only when the caller casts the ballots
    /// of several voters — e.g. their own unit, and a unit held with co-owners who designated
    /// them: legally two buyers, two ballots. `GET /votes/{id}/my-ballot` lists them.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub voter_id: Option<String>,
    /// For a question.
    pub choice: Option<Choice>,
    /// For an election: the chosen candidates (option ids), at most the seats; none is a blank
    /// ballot, which counts as voting.
    #[oai(validator(max_items = 31))]
    pub selections: Option<Vec<String>>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperBallotInput {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub voter_id: String,
    pub choice: Option<Choice>,
    #[oai(validator(max_items = 31))]
    pub selections: Option<Vec<String>>,
    /// Reference to the signed paper ballot (its scan).
    #[oai(validator(min_length = 1, max_length = 200))]
    pub paper_ref: String,
}

#[derive(Object)]
pub struct Receipt {
    pub ballot_id: String,
    pub voter_id: String,
    /// SHA-256 of the canonical ballot record; it appears in the published list when counted.
    pub receipt: String,
    pub cast_at: DateTime<Utc>,
    /// online or paper.
    pub channel: String,
}

/// One voter (roll entry) whose ballot the caller casts.
#[derive(Object)]
pub struct MyBallot {
    pub voter_id: String,
    /// The voter's weight: the area of its units (hundredths of m²), and how many units.
    pub area_centi_m2: i64,
    pub unit_count: i32,
    #[oai(skip_serializing_if_is_none)]
    pub current: Option<Receipt>,
    /// Every ballot cast for this voter, oldest first (the last one counts).
    pub history: Vec<Receipt>,
}

/// Every voter whose ballot the caller casts in a vote, in voter-id order.
#[derive(Object)]
pub struct MyBallots {
    pub entries: Vec<MyBallot>,
}

#[derive(Object)]
pub struct RollEntry {
    pub voter_id: String,
    /// `owners:<ids>`, `developer` or `unit:<id>`.
    pub voter_key: String,
    pub area_centi_m2: i64,
    pub unit_count: i32,
    #[oai(skip_serializing_if_is_none)]
    pub designated_owner_id: Option<String>,
}

#[derive(Object)]
pub struct Turnout {
    pub total_area_centi_m2: i64,
    pub total_heads: i64,
    pub voted_area_centi_m2: i64,
    pub voted_heads: i64,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub closes_at: DateTime<Utc>,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub reason: String,
}

/// A fraction, exact: numerator over denominator, plus basis points rounded down for display.
#[derive(Object)]
pub struct Fraction {
    pub numerator: i64,
    pub denominator: i64,
    pub basis_points: i64,
}

fn fraction(n: i64, d: i64) -> Fraction {
    Fraction {
        numerator: n,
        denominator: d,
        basis_points: ((n as i128 * 10_000).checked_div(d as i128).unwrap_or(0)) as i64,
    }
}

#[derive(Object)]
pub struct Tally {
    pub total_area_centi_m2: i64,
    pub total_heads: i64,
    pub voted_area_centi_m2: i64,
    pub voted_heads: i64,
    pub yes_area_centi_m2: i64,
    pub yes_heads: i64,
    pub no_area_centi_m2: i64,
    pub no_heads: i64,
    pub abstain_area_centi_m2: i64,
    pub abstain_heads: i64,
    pub participation_area: Fraction,
    pub participation_heads: Fraction,
    pub approval_area: Fraction,
    pub approval_heads: Fraction,
}

#[derive(Object)]
pub struct CandidateResult {
    pub option_id: String,
    pub label: String,
    /// Area and heads of the voters who chose this candidate.
    pub yes_area_centi_m2: i64,
    pub yes_heads: i64,
    pub result: CandidateOutcome,
    /// For alternates: their place in the order of filling vacancies (tied alternates share it).
    #[oai(skip_serializing_if_is_none)]
    pub alternate_rank: Option<i32>,
}

/// A tie at the boundary of an election, undecided until resolved by the county's rule.
#[derive(Object)]
pub struct TieOut {
    /// `seat` (the last seat or seats) or `alternate:N` (the N-th alternate place).
    pub place: String,
    /// The tied candidates (option ids).
    pub candidates: Vec<String>,
    /// How many of them the place holds.
    pub places: i32,
}

/// Participation, by area and heads.
#[derive(Object)]
pub struct ResultTurnout {
    pub total_area_centi_m2: i64,
    pub total_heads: i64,
    pub voted_area_centi_m2: i64,
    pub voted_heads: i64,
    pub participation_area: Fraction,
    pub participation_heads: Fraction,
}

#[derive(Object)]
pub struct VoteResult {
    pub vote_id: String,
    pub category: i32,
    /// For elections: passed when at least one is elected (or a seat is tied).
    pub outcome: Outcome,
    /// Who voted, by area and heads.
    pub turnout: ResultTurnout,
    /// Questions only: yes, no and abstain, by area and heads, and the approval.
    #[oai(skip_serializing_if_is_none)]
    pub tally: Option<Tally>,
    /// Elections: every candidate's support and result (empty for a question).
    pub candidates: Vec<CandidateResult>,
    /// Elections: ties at the boundary still to be resolved (empty when decided, and for a
    /// question).
    pub ties: Vec<TieOut>,
    /// Elections only: whether every seat and alternate place is decided.
    #[oai(skip_serializing_if_is_none)]
    pub decided: Option<bool>,
    pub roll_fingerprint: String,
    /// Receipts of every counted ballot, sorted.
    pub receipts: Vec<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieResolutionInput {
    /// The tied place, as the result names it: `seat` or `alternate:N`.
    #[oai(validator(min_length = 1, max_length = 20))]
    pub place: String,
    pub method: TieRule,
    /// `runoff`: the closed run-off vote (announced with `runoff_of` and `runoff_place`).
    #[oai(validator(max_length = 64))]
    pub runoff_vote_id: Option<String>,
    /// `lots`: the tied candidates (option ids) in the order drawn; the first take the places.
    #[oai(validator(max_items = 31))]
    pub order: Option<Vec<String>>,
    /// `lots`: who drew the lots.
    #[oai(validator(max_length = 100))]
    pub drawn_by: Option<String>,
    /// `lots`: the witness present.
    #[oai(validator(max_length = 100))]
    pub witness: Option<String>,
}

#[derive(ApiResponse)]
pub enum VoteCreated {
    /// Announced.
    #[oai(status = 201)]
    Created(Json<Vote>),
}

#[derive(ApiResponse)]
pub enum BallotAccepted {
    /// Accepted; keep the receipt.
    #[oai(status = 201)]
    Created(Json<Receipt>),
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 10000))]
    pub summary: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "9")))]
    pub category: i32,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    pub party: ProposalParty,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalReview {
    pub approved: bool,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub reasons: String,
}

#[derive(Object)]
pub struct Proposal {
    pub id: String,
    pub estate_id: String,
    pub title: String,
    pub summary: String,
    pub category: i32,
    pub status: ProposalStatus,
    pub mobilised_by: String,
    pub mobilised_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub branch_endorsed_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub committee_endorsed_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub company_endorsed_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub reviewed_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub reviewed_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub review_reasons: Option<String>,
}

#[derive(ApiResponse)]
pub enum ProposalCreated {
    /// Mobilised.
    #[oai(status = 201)]
    Created(Json<Proposal>),
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn vote_out(conn: &mut AnyConnection, v: VoteRow) -> AppResult<Vote> {
    let options = db::votes::options_of(conn, &v.id)?
        .into_iter()
        .map(|o| VoteOption {
            option_id: o.option_id,
            label: o.label,
        })
        .collect();
    Ok(Vote {
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

fn receipt_out(h: &HistoryRow) -> Receipt {
    Receipt {
        ballot_id: h.id.clone(),
        voter_id: h.voter_id.clone(),
        receipt: h.receipt.clone(),
        cast_at: utc(h.cast_at),
        channel: h.channel.clone(),
    }
}

/// The roll entry a ballot is for: the one named, or the caller's only one. An owner who casts
/// the ballots of several voters must name one: the answer lists them.
fn choose_entry(entries: Vec<RollRow>, named: Option<&str>) -> AppResult<RollRow> {
    let listed = || {
        entries
            .iter()
            .map(|e| {
                crate::error::FieldError::new(
                    "voter_id",
                    reason::YOUR_VOTER,
                    format!("{}: {} unit(s), {} centi-m²", e.voter_id, e.unit_count, e.area_centi),
                )
            })
            .collect::<Vec<_>>()
    };
    match named {
        Some(v) => match entries.iter().find(|e| e.voter_id == v) {
            Some(e) => Ok(e.clone()),
            None => Err(AppError::Unprocessable {
                code: codes::NOT_YOUR_VOTER,
                detail: "you do not cast this voter's ballot; yours are listed".into(),
                errors: listed(),
            }),
        },
        None if entries.len() == 1 => Ok(entries.into_iter().next().expect("one entry")),
        None => Err(AppError::Unprocessable {
            code: codes::AMBIGUOUS_VOTER,
            detail: "you cast the ballots of several voters: name the one this ballot is for in `voter_id`".into(),
            errors: listed(),
        }),
    }
}

/// A vote with its estate, visible to the caller (404 otherwise).
fn load(conn: &mut AnyConnection, caller: &Caller, vote_id: &str) -> AppResult<(VoteRow, EstateCtx)> {
    let v = db::votes::get(conn, vote_id)?.ok_or(AppError::NotFound { what: "vote" })?;
    let ctx = estate_ctx(conn, caller, &v.estate_id)?;
    check(caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
    Ok((v, ctx))
}

/// The receipt of a ballot: SHA-256 over its canonical record.
fn receipt(
    vote_id: &str,
    voter_id: &str,
    ballot_id: &str,
    choice: &str,
    selections: &str,
    cast_at: NaiveDateTime,
) -> String {
    let canonical = serde_json::json!([vote_id, voter_id, ballot_id, choice, selections, ids::rfc3339(cast_at)]);
    crate::crypto::sha256_hex(canonical.to_string())
}

/// Checks a ballot's content against the vote and returns (choice, selections).
fn ballot_content(
    v: &VoteRow,
    options: &[OptionRow],
    choice: Option<Choice>,
    selections: Option<Vec<String>>,
) -> AppResult<(String, Vec<String>)> {
    match (v.kind()?, choice, selections) {
        (VoteKind::Question, Some(c), None) => Ok((c.as_str().into(), Vec::new())),
        (VoteKind::Question, _, _) => Err(AppError::invalid(
            "choice",
            reason::REQUIRED,
            "answer with a choice: yes, no or abstain",
        )),
        (VoteKind::Election, None, Some(mut s)) => {
            s.sort();
            s.dedup();
            if s.len() > v.seats.unwrap_or(0) as usize {
                return Err(AppError::invalid(
                    "selections",
                    reason::TOO_MANY,
                    "choose at most as many candidates as there are seats",
                ));
            }
            if let Some(bad) = s.iter().find(|x| !options.iter().any(|o| &o.option_id == *x)) {
                return Err(AppError::invalid(
                    "selections",
                    reason::NOT_A_CANDIDATE,
                    format!("{bad} is not on the ballot"),
                ));
            }
            Ok((VoteKind::Election.as_str().into(), s))
        }
        _ => Err(AppError::invalid(
            "selections",
            reason::REQUIRED,
            "an election ballot lists its selections",
        )),
    }
}

/// A ballot for a voter of an open vote, ready to be recorded with the event that audits it.
/// (Whether a paper ballot prevails is decided as it is written: `db::votes::record`.)
fn new_ballot(
    v: &VoteRow,
    entry: &RollRow,
    content: (String, Vec<String>),
    paper_ref: Option<String>,
    actor: audit::Actor,
) -> AppResult<NewBallot> {
    let now = ids::now();
    v.status_at(now)
        .cast()
        .map_err(|_| AppError::from(NotRecorded::Closed))?;
    let (choice, selections) = content;
    let joined = selections.join(",");
    let id = ids::new_id();
    let h = HistoryRow {
        receipt: receipt(&v.id, &entry.voter_id, &id, &choice, &joined, now),
        id,
        vote_id: v.id.clone(),
        voter_id: entry.voter_id.clone(),
        choice,
        selections: joined,
        channel: if paper_ref.is_some() {
            Channel::Paper
        } else {
            Channel::Online
        }
        .as_str()
        .into(),
        paper_ref: paper_ref.clone(),
        cast_by: actor.actor_id.clone(),
        cast_at: now,
    };
    let (action, change) = match paper_ref {
        None => (
            "ballot.cast",
            serde_json::json!({ "voter": h.voter_id, "receipt": h.receipt }),
        ),
        Some(r) => (
            "ballot.paper",
            serde_json::json!({ "voter": h.voter_id, "paper_ref": r, "receipt": h.receipt }),
        ),
    };
    Ok(NewBallot {
        event: audit::Event {
            actor,
            action,
            target_type: "vote",
            target_id: v.id.clone(),
            change,
        },
        history: h,
        selections,
    })
}

/// The figures of a vote's current ballots (aggregate queries) against its frozen totals.
fn figures(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<Figures> {
    let mut f = Figures {
        total_area: v.total_area.unwrap_or(0),
        total_heads: v.total_heads.unwrap_or(0),
        ..Figures::default()
    };
    for (choice, heads, area) in db::votes::tally(conn, &v.id)? {
        match choice.as_str() {
            "yes" => (f.yes_heads, f.yes_area) = (heads, area),
            "no" => (f.no_heads, f.no_area) = (heads, area),
            // Election ballots count toward participation; their support is per candidate.
            _ => (f.abstain_heads, f.abstain_area) = (f.abstain_heads + heads, f.abstain_area + area),
        }
    }
    Ok(f)
}

fn convene(caller: &Caller, ctx: &EstateCtx) -> AppResult<audit::Actor> {
    check(caller, &ctx.place(), &Action::ConveneVote(ctx.place()))
}

fn proposal_out(p: ProposalRow) -> AppResult<Proposal> {
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

#[OpenApi(tag = "ApiTags::Votes")]
impl VotesApi {
    /// Announce a vote of the owners: its matter category, question or candidates, times and
    /// convenor. It may open no earlier than the county's notice period after the notice was posted.
    ///
    /// The estate's committee, party organisations above it (street office/township), administrators.
    #[oai(path = "/estates/:id/votes", method = "post", operation_id = "announceVote")]
    async fn announce(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewVote>,
    ) -> ApiResult<VoteCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let category =
            Category::from_number(input.category).ok_or_else(|| AppError::invalid("category", reason::RANGE, "1–9"))?;
        if input.closes_at <= input.opens_at {
            return Err(AppError::invalid("closes_at", reason::BEFORE_OPENING, "a vote closes after it opens").into());
        }
        if input.notice_posted_on.is_some_and(|d| d > ids::today()) {
            return Err(AppError::invalid(
                "notice_posted_on",
                reason::FUTURE,
                "a stated notice date cannot be in the future",
            )
            .into());
        }
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let rules = estate_rules(c, &ctx)?;
                // The notice runs from now, never from a date typed in (RULES.md §7).
                let announced = ids::now();
                let earliest = window::end(announced, rules.vote_notice_days);
                if input.opens_at.naive_utc() < earliest {
                    return Err(AppError::invalid("opens_at", reason::NOTICE_TOO_SHORT, format!("announced today, the vote may open at {} at the earliest ({} full days of notice)", ids::rfc3339(earliest), rules.vote_notice_days)));
                }
                let vote_id = ids::new_id();
                let mut options = Vec::new();
                let mut seats = None;
                let mut election_id = input.election_id.clone();
                match (input.kind, &input.election_id) {
                    (VoteKind::Election, None) if input.runoff_of.is_some() => {
                        if category != Category::CommitteeElection {
                            return Err(AppError::invalid("category", reason::ELECTION, "a run-off of a committee election is category 3"));
                        }
                        let orig_id = input.runoff_of.clone().unwrap_or_default();
                        let place_text = input.runoff_place.clone().ok_or_else(|| AppError::invalid("runoff_place", reason::REQUIRED, "name the tied place: seat or alternate:N"))?;
                        let place = voting::Place::parse(&place_text).ok_or_else(|| AppError::invalid("runoff_place", reason::FORMAT, "seat or alternate:N"))?;
                        let orig = db::votes::get(c, &orig_id)?
                            .filter(|o| o.estate_id == ctx.estate.id && o.kind().is_ok_and(|k| k == VoteKind::Election))
                            .ok_or_else(|| AppError::invalid("runoff_of", reason::NOT_FOUND, "no election vote of this estate with this id"))?;
                        if rules.tie_rule != TieRule::Runoff {
                            return Err(AppError::rule(codes::TIES_BY_LOTS, "this county resolves election ties by lots drawn in public, not by a run-off"));
                        }
                        let (outcome, _, orig_options) = election_outcome(c, &orig)?;
                        let tie = unresolved_tie(&outcome, &place)?;
                        for cand in &tie.candidates {
                            let label = orig_options.iter().find(|o| &o.option_id == cand).map(|o| o.label.clone()).unwrap_or_default();
                            options.push(OptionRow { vote_id: vote_id.clone(), option_id: cand.clone(), label, position: options.len() as i32 });
                        }
                        seats = Some(tie.places as i32);
                        election_id = orig.election_id.clone();
                    }
                    (VoteKind::Election, Some(eid)) => {
                        voting::election_ballot(category, true)?;
                        let e = db::vetting::get_election(c, eid)?.ok_or_else(|| AppError::invalid("election_id", reason::NOT_FOUND, "no election with this id"))?;
                        let com = db::committees::get(c, &e.committee_id)?.ok_or_else(|| AppError::invalid("election_id", reason::NOT_FOUND, "no election with this id"))?;
                        let here = com.estate_id == ctx.estate.id;
                        voting::election_ballot(category, here && e.status()? == ElectionStatus::Final)?;
                        for (i, cand) in db::vetting::candidates_of(c, &e.id)?.into_iter().filter(|x| x.status().is_ok_and(CandidateStatus::on_final_list)).enumerate() {
                            let name = db::owners::get(c, &cand.owner_id)?.map(|o| o.name).unwrap_or_default();
                            options.push(OptionRow { vote_id: vote_id.clone(), option_id: cand.id, label: name, position: i as i32 });
                        }
                        if options.is_empty() {
                            return Err(AppError::invalid("election_id", reason::NO_CANDIDATES, "the final list is empty"));
                        }
                        seats = Some(e.seats);
                    }
                    (VoteKind::Election, None) => return Err(AppError::invalid("election_id", reason::REQUIRED, "an election vote names its election")),
                    (VoteKind::Question, Some(_)) => return Err(AppError::invalid("election_id", reason::NOT_ALLOWED, "only election votes name an election")),
                    (VoteKind::Question, None) => {}
                }
                if input.runoff_of.is_some() && (input.kind != VoteKind::Election || input.election_id.is_some()) {
                    return Err(AppError::invalid("runoff_of", reason::NOT_ALLOWED, "a run-off is an election vote that names the tied vote, not an election"));
                }
                if let Some(pid) = &input.proposal_id {
                    let p = db::votes::get_proposal(c, pid)?.ok_or_else(|| AppError::invalid("proposal_id", reason::NOT_FOUND, "no proposal with this id"))?;
                    if p.estate_id != ctx.estate.id || p.category != input.category {
                        return Err(AppError::invalid("proposal_id", reason::MISMATCH, "the proposal belongs to another estate or category"));
                    }
                    p.status()?.to_vote()?;
                }
                let row = VoteRow {
                    id: vote_id,
                    estate_id: ctx.estate.id.clone(),
                    category: input.category,
                    title: input.title.clone(),
                    question: input.question.clone(),
                    kind: input.kind.as_str().into(),
                    seats,
                    election_id,
                    proposal_id: input.proposal_id.clone(),
                    convenor: input.convenor.as_str().into(),
                    include_parking: input.include_parking,
                    notice_posted_on: input.notice_posted_on.unwrap_or(ids::local_date(announced)),
                    opens_at: ids::truncate_micros(input.opens_at.naive_utc()),
                    closes_at: ids::truncate_micros(input.closes_at.naive_utc()),
                    extension_reason: None,
                    opened_at: None,
                    roll_fingerprint: None,
                    total_area: None,
                    total_heads: None,
                    created_by: actor.actor_id.clone(),
                    created_at: announced,
                    runoff_of: input.runoff_of.clone(),
                    runoff_place: input.runoff_place.clone(),
                };
                db::votes::insert(c, &row)?;
                db::votes::insert_options(c, &options)?;
                trail.record(&actor, "vote.announce", "vote", &row.id, &serde_json::json!({ "estate": row.estate_id, "category": row.category, "kind": row.kind, "opens_at": row.opens_at, "closes_at": row.closes_at }))?;
                vote_out(c, row)
            })
            .await?;
        Ok(VoteCreated::Created(Json(out)))
    }

    /// An estate's votes, newest first.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/votes", method = "get", operation_id = "listVotes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Vote>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                db::votes::of_estate(c, &ctx.estate.id)?
                    .into_iter()
                    .map(|v| vote_out(c, v))
                    .collect()
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }

    /// A vote: status, and once open the frozen roll's totals and fingerprint.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id", method = "get", operation_id = "getVote")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Open the vote: the roll is frozen from the registry by the SPC rules and its totals and
    /// fingerprint are published.
    ///
    /// The convenor (the estate's committee, party organisations above it, administrators).
    #[oai(path = "/votes/:id/opening", method = "post", operation_id = "openVote")]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .command(move |c, trail| {
                let (mut v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let now = ids::now();
                v.status_at(now).open(v.opens_at, v.closes_at, now)?;
                let inputs = db::estates::headcount_inputs(c, &v.estate_id, v.include_parking)?;
                let voters = headcount::voters(&inputs);
                let totals = headcount::totals(&voters);
                let rows: Vec<RollRow> = voters
                    .iter()
                    .map(|x| RollRow {
                        vote_id: v.id.clone(),
                        voter_id: ids::new_id(),
                        voter_key: x.key.canonical(),
                        area_centi: x.area_centi,
                        unit_count: x.unit_ids.len() as i32,
                        designated_owner_id: x.designated_owner_id.clone(),
                    })
                    .collect();
                db::votes::insert_roll(c, &rows)?;
                v.opened_at = Some(now);
                v.roll_fingerprint = Some(headcount::fingerprint(&voters));
                v.total_area = Some(totals.total_area_centi);
                v.total_heads = Some(totals.total_heads);
                db::votes::save(c, &v)?;
                trail.record(&actor, "vote.open", "vote", &v.id, &serde_json::json!({ "fingerprint": v.roll_fingerprint, "total_area": v.total_area, "total_heads": v.total_heads }))?;
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Cast (or change) one's ballot while the vote is open; the last ballot counts.
    ///
    /// An owner who casts a voter's ballot on the roll (the designated co-owner).
    #[oai(path = "/votes/:id/ballots", method = "post", operation_id = "castBallot")]
    async fn ballot(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<BallotInput>,
    ) -> ApiResult<BallotAccepted> {
        let caller = auth.0.clone();
        let input = body.0;
        let owners = caller.principal.owner_ids();
        if owners.is_empty() {
            return Err(AppError::forbidden().into());
        }
        // The checks need only the frozen roll (kept in memory, see `db::rolls`); the write is
        // queued for the batch writer, which checks the closing time again as it writes.
        let (roll, entries) = state
            .rolls
            .context(&state.db, &id.0, &owners)
            .await?
            // The roll decides who votes here; no roll entry means not visible to this owner.
            .ok_or(AppError::NotFound { what: "vote" })?;
        // The roll decides who votes: the caller holds an entry of it (owns here, as frozen).
        let place = Place {
            estate_ids: vec![&roll.vote.estate_id],
            caller_owns_here: !entries.is_empty(),
            ..Place::default()
        };
        let actor = caller.may(&Action::CastBallot(place))?;
        let entry = choose_entry(entries, input.voter_id.as_deref())?;
        let content = ballot_content(&roll.vote, &roll.options, input.choice, input.selections)?;
        let ballot = new_ballot(&roll.vote, &entry, content, None, actor)?;
        let out = receipt_out(&ballot.history);
        state.ballots.submit(ballot).await?;
        Ok(BallotAccepted::Created(Json(out)))
    }

    /// Enter a signed paper ballot collected door to door, with a reference to its scan. A paper
    /// ballot prevails over online ones for the same voter.
    ///
    /// The convenor.
    #[oai(
        path = "/votes/:id/paper-ballots",
        method = "post",
        operation_id = "enterPaperBallot"
    )]
    async fn paper(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<PaperBallotInput>,
    ) -> ApiResult<BallotAccepted> {
        let caller = auth.0.clone();
        let input = body.0;
        // Not a command: a ballot carries its own audit event, which the ballot writer appends
        // with it (as for online ballots).
        let out = state
            .db
            .write(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let entry = db::votes::entry(c, &v.id, &input.voter_id)?
                    .ok_or_else(|| AppError::invalid("voter_id", reason::NOT_ON_ROLL, "no such voter on the roll"))?;
                let options = db::votes::options_of(c, &v.id)?;
                let content = ballot_content(&v, &options, input.choice, input.selections)?;
                let ballot = new_ballot(&v, &entry, content, Some(input.paper_ref), actor)?;
                db::votes::record_ballots(c, std::slice::from_ref(&ballot))?
                    .pop()
                    .unwrap_or(Ok(()))?;
                Ok(receipt_out(&ballot.history))
            })
            .await?;
        Ok(BallotAccepted::Created(Json(out)))
    }

    /// The caller's ballots, one per voter (roll entry) whose ballot the caller casts: for each,
    /// the one that counts and every earlier one, with receipts.
    ///
    /// An owner on the roll.
    #[oai(path = "/votes/:id/my-ballot", method = "get", operation_id = "myBallot")]
    async fn my_ballot(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<MyBallots>> {
        let owners = auth.0.principal.owner_ids();
        let out = state
            .db
            .read(move |c| {
                let entries = db::votes::entries_for_owners(c, &id.0, &owners)?;
                if entries.is_empty() {
                    return Err(AppError::NotFound { what: "vote" });
                }
                let mut out = Vec::new();
                for entry in entries {
                    let history = db::votes::history(c, &id.0, &entry.voter_id)?;
                    let current = db::votes::current(c, &id.0, &entry.voter_id)?;
                    out.push(MyBallot {
                        current: current
                            .and_then(|cur| history.iter().find(|h| h.id == cur.ballot_id).map(receipt_out)),
                        history: history.iter().map(receipt_out).collect(),
                        voter_id: entry.voter_id,
                        area_centi_m2: entry.area_centi,
                        unit_count: entry.unit_count,
                    });
                }
                Ok(MyBallots { entries: out })
            })
            .await?;
        Ok(Json(out))
    }

    /// The frozen roll (voters with their areas): for entering paper ballots and checking.
    ///
    /// The convenor and whoever may see the estate's personal data.
    #[oai(path = "/votes/:id/roll", method = "get", operation_id = "voteRoll")]
    async fn roll(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<RollEntry>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                if authorize(&caller.principal, &Action::ConveneVote(ctx.place())).is_err() {
                    check(&caller, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                }
                db::votes::roll_page(c, &v.id, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |r| r.voter_id.clone());
        let items = rows
            .into_iter()
            .map(|r| RollEntry {
                voter_id: r.voter_id,
                voter_key: r.voter_key,
                area_centi_m2: r.area_centi,
                unit_count: r.unit_count,
                designated_owner_id: r.designated_owner_id,
            })
            .collect();
        Ok(Json(Page { items, next_cursor }))
    }

    /// Turnout so far: how many have voted, by area and heads — never how.
    ///
    /// The convenor.
    #[oai(path = "/votes/:id/turnout", method = "get", operation_id = "voteTurnout")]
    async fn turnout(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Turnout>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                convene(&caller, &ctx)?;
                let f = figures(c, &v)?;
                Ok(Turnout {
                    total_area_centi_m2: f.total_area,
                    total_heads: f.total_heads,
                    voted_area_centi_m2: f.voted_area(),
                    voted_heads: f.voted_heads(),
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// Extend the closing time, once, with a reason (e.g. turnout is short).
    ///
    /// The convenor.
    #[oai(path = "/votes/:id/extension", method = "post", operation_id = "extendVote")]
    async fn extend(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Extension>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                v.status_at(ids::now()).extend(v.extension_reason.is_some())?;
                let new_close = ids::truncate_micros(input.closes_at.naive_utc());
                if new_close <= v.closes_at {
                    return Err(AppError::invalid(
                        "closes_at",
                        reason::NOT_LATER,
                        "an extension moves the closing time later",
                    ));
                }
                let old = v.closes_at;
                v.closes_at = new_close;
                v.extension_reason = Some(input.reason.clone());
                db::votes::save(c, &v)?;
                trail.record(
                    &actor,
                    "vote.extend",
                    "vote",
                    &v.id,
                    &serde_json::json!({ "from": old, "to": new_close, "reason": input.reason }),
                )?;
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// The result, published when the vote closes: every figure by area and heads, the fractions,
    /// the outcome, the roll's fingerprint and the receipts of the counted ballots.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id/result", method = "get", operation_id = "voteResult")]
    async fn result(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<VoteResult>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                result_of(c, &v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record how a tie at the boundary of a closed election (the last seat, or an alternate
    /// place) was resolved, by the county's rule: the result of a run-off vote among the tied
    /// candidates (`runoff`, with `runoff_vote_id`), or lots drawn in public (`lots`, with the
    /// order drawn, who drew and a witness). The seat tie comes first. Once recorded, the result
    /// shows the place decided.
    ///
    /// The convenor (the estate's committee, party organisations above it, administrators).
    #[oai(path = "/votes/:id/tie-resolutions", method = "post", operation_id = "resolveTie")]
    async fn resolve_tie(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<TieResolutionInput>,
    ) -> ApiResult<Json<VoteResult>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                v.status_at(ids::now()).result()?;
                if v.kind()? != VoteKind::Election {
                    return Err(AppError::conflict(codes::NO_TIE_HERE, "only an election's result has ties"));
                }
                let place = voting::Place::parse(&input.place).ok_or_else(|| AppError::invalid("place", reason::FORMAT, "seat or alternate:N"))?;
                let (outcome, _, _) = election_outcome(c, &v)?;
                let tie = unresolved_tie(&outcome, &place)?;
                let rule = estate_rules(c, &ctx)?.tie_rule;
                let now = ids::now();
                let mut row = TieResolutionRow {
                    id: ids::new_id(),
                    vote_id: v.id.clone(),
                    place: place.as_text(),
                    method: String::new(),
                    winners: String::new(),
                    runoff_vote_id: None,
                    drawn_by: None,
                    witness: None,
                    drawn_at: None,
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: now,
                };
                let order = match (input.method, rule) {
                    (TieRule::Lots, TieRule::Lots) => {
                        let order = input.order.clone().ok_or_else(|| AppError::invalid("order", reason::REQUIRED, "the tied candidates in the order drawn"))?;
                        let (mut a, mut b) = (order.clone(), tie.candidates.clone());
                        a.sort();
                        b.sort();
                        if a != b {
                            return Err(AppError::invalid("order", reason::NOT_THE_TIED, "the order lists exactly the tied candidates, each once"));
                        }
                        let drawn_by = input.drawn_by.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| AppError::invalid("drawn_by", reason::REQUIRED, "who drew the lots"))?;
                        let witness = input.witness.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| AppError::invalid("witness", reason::REQUIRED, "lots are drawn in public, with a witness"))?;
                        if witness.trim() == drawn_by.trim() {
                            return Err(AppError::invalid("witness", reason::SAME_PERSON, "the witness is not the one who drew"));
                        }
                        row.drawn_by = Some(drawn_by);
                        row.witness = Some(witness);
                        row.drawn_at = Some(now);
                        order
                    }
                    (TieRule::Runoff, TieRule::Runoff) => {
                        let rid = input.runoff_vote_id.clone().ok_or_else(|| AppError::invalid("runoff_vote_id", reason::REQUIRED, "the run-off vote"))?;
                        let r = db::votes::get(c, &rid)?
                            .filter(|r| r.runoff_of.as_deref() == Some(&v.id) && r.runoff_place.as_deref() == Some(&place.as_text()))
                            .ok_or_else(|| AppError::invalid("runoff_vote_id", reason::NOT_A_RUNOFF, "no run-off of this vote at this place"))?;
                        if r.status_at(now) != VoteStatus::Closed {
                            return Err(AppError::conflict(codes::RUNOFF_NOT_CLOSED, "the run-off has not closed"));
                        }
                        if !voting::quorum_met(&figures(c, &r)?) {
                            return Err(AppError::rule(codes::RUNOFF_FAILED_QUORUM, "the run-off did not reach two thirds of area and heads; hold another"));
                        }
                        let options = db::votes::options_of(c, &r.id)?;
                        let supports = supports_of(c, &r, &options)?;
                        row.runoff_vote_id = Some(r.id.clone());
                        voting::runoff_order(&supports, tie.places)
                            .ok_or_else(|| AppError::rule(codes::RUNOFF_TIED, "the run-off tied again; hold another"))?
                    }
                    (_, rule) => {
                        return Err(AppError::invalid("method", reason::NOT_THE_COUNTY_RULE, format!("this county resolves ties by {}", rule.as_str())));
                    }
                };
                row.method = input.method.as_str().into();
                row.winners = order.join(",");
                db::votes::insert_tie_resolution(c, &row)?;
                trail.record(&actor, "vote.tie_resolved", "vote", &v.id, &serde_json::json!({ "place": row.place, "method": row.method, "order": order, "runoff": row.runoff_vote_id, "witness": row.witness }))?;
                result_of(c, &v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Mobilise a major matter (重大事项), e.g. a differentiated fee standard: the owners'
    /// committee starts the procedure.
    ///
    /// The estate's committee; administrators.
    #[oai(path = "/estates/:id/proposals", method = "post", operation_id = "mobiliseProposal")]
    async fn propose(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewProposal>,
    ) -> ApiResult<ProposalCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::MobiliseProposal(ctx.place()))?;
                let row = ProposalRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    title: input.title.clone(),
                    summary: input.summary.clone(),
                    category: input.category,
                    status: ProposalStatus::Mobilised.as_str().into(),
                    mobilised_by: actor.actor_id.clone(),
                    mobilised_at: ids::now(),
                    branch_endorsed_by: None,
                    branch_endorsed_at: None,
                    committee_endorsed_by: None,
                    committee_endorsed_at: None,
                    company_endorsed_by: None,
                    company_endorsed_at: None,
                    reviewed_by: None,
                    reviewed_at: None,
                    review_reasons: None,
                };
                db::votes::insert_proposal(c, &row)?;
                trail.record(
                    &actor,
                    "proposal.mobilise",
                    "proposal",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "title": row.title, "category": row.category }),
                )?;
                proposal_out(row)
            })
            .await?;
        Ok(ProposalCreated::Created(Json(out)))
    }

    /// Endorse the proposal as one of the three parties: the estate party branch, the owners'
    /// committee, the property company. With all three it is proposed.
    ///
    /// Each party for itself: a party organisation above the estate, its committee, its serving company.
    #[oai(
        path = "/proposals/:id/endorsements",
        method = "post",
        operation_id = "endorseProposal"
    )]
    async fn endorse(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Endorsement>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.caller().clone();
        let party = body.0.party;
        let out = state
            .db
            .command(move |c, trail| {
                let mut p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::EndorseProposal(ctx.place(), party))?;
                let status = p.status()?;
                status.endorse(false)?;
                let now = Some(ids::now());
                let who = Some(caller.principal.actor_id().to_string());
                match party {
                    ProposalParty::EstatePartyBranch => (p.branch_endorsed_by, p.branch_endorsed_at) = (who, now),
                    ProposalParty::OwnersCommittee => (p.committee_endorsed_by, p.committee_endorsed_at) = (who, now),
                    ProposalParty::PropertyCompany => (p.company_endorsed_by, p.company_endorsed_at) = (who, now),
                }
                let all_three = p.branch_endorsed_at.is_some()
                    && p.committee_endorsed_at.is_some()
                    && p.company_endorsed_at.is_some();
                p.set_status(status.endorse(all_three)?);
                db::votes::save_proposal(c, &p)?;
                trail.record(
                    &actor,
                    "proposal.endorse",
                    "proposal",
                    &p.id,
                    &serde_json::json!({ "party": format!("{party:?}") }),
                )?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }

    /// The community party committee's review of a proposed major matter: approved (it may go to
    /// a vote) or rejected with reasons (it returns to the committee).
    ///
    /// Party organisations above the estate.
    #[oai(path = "/proposals/:id/review", method = "post", operation_id = "reviewProposal")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ProposalReview>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let mut p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::ReviewProposal(ctx.place()))?;
                let reviewed = p.status()?.review(input.approved)?;
                p.set_status(reviewed);
                p.reviewed_by = Some(actor.actor_id.clone());
                p.reviewed_at = Some(ids::now());
                p.review_reasons = Some(input.reasons.clone());
                db::votes::save_proposal(c, &p)?;
                trail.record(
                    &actor,
                    "proposal.review",
                    "proposal",
                    &p.id,
                    &serde_json::json!({ "approved": input.approved, "reasons": input.reasons }),
                )?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }

    /// A proposal with every step: who and when.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/proposals/:id", method = "get", operation_id = "getProposal")]
    async fn proposal(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Proposal>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let p = db::votes::get_proposal(c, &id.0)?.ok_or(AppError::NotFound { what: "proposal" })?;
                let ctx = estate_ctx(c, &caller, &p.estate_id)?;
                check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                proposal_out(p)
            })
            .await?;
        Ok(Json(out))
    }
}

/// The published result of a closed vote (computed from its frozen roll and final ballots, so
/// every reading gives the same figures).
/// A closed election vote's outcome with its supports and options, applying the tie
/// resolutions recorded for it.
pub fn election_outcome(
    conn: &mut AnyConnection,
    v: &VoteRow,
) -> AppResult<(voting::ElectionOutcome, Vec<Support>, Vec<OptionRow>)> {
    let f = figures(conn, v)?;
    let options = db::votes::options_of(conn, &v.id)?;
    let supports = supports_of(conn, v, &options)?;
    let resolved: Vec<Vec<String>> = db::votes::tie_resolutions(conn, &v.id)?
        .iter()
        .map(|r| r.order())
        .collect();
    let outcome = voting::elect(v.seats.unwrap_or(0) as usize, &f, &supports, &resolved);
    Ok((outcome, supports, options))
}

/// Each candidate's support (heads and area of the voters who chose them).
fn supports_of(conn: &mut AnyConnection, v: &VoteRow, options: &[OptionRow]) -> AppResult<Vec<Support>> {
    let support: Vec<(String, i64, i64)> = db::votes::selection_tally(conn, &v.id)?;
    Ok(options
        .iter()
        .map(|o| {
            let (h, a) = support
                .iter()
                .find(|(id, _, _)| *id == o.option_id)
                .map(|(_, h, a)| (*h, *a))
                .unwrap_or((0, 0));
            Support {
                candidate_id: o.option_id.clone(),
                yes_area: a,
                yes_heads: h,
            }
        })
        .collect())
}

/// The unresolved tie at `place`, or why there is none to resolve.
fn unresolved_tie(outcome: &voting::ElectionOutcome, place: &voting::Place) -> AppResult<voting::Tie> {
    if !matches!(place, voting::Place::Seat) && outcome.ties.iter().any(|t| t.place == voting::Place::Seat) {
        return Err(AppError::conflict(
            codes::SEAT_TIE_FIRST,
            "resolve the tie for the last seat first: it decides who the alternates are",
        ));
    }
    outcome
        .ties
        .iter()
        .find(|t| &t.place == place)
        .cloned()
        .ok_or_else(|| AppError::conflict(codes::NO_TIE_HERE, "the result has no unresolved tie at this place"))
}

pub fn result_of(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<VoteResult> {
    v.status_at(ids::now()).result()?;
    let category =
        Category::from_number(v.category).ok_or_else(|| AppError::Internal("stored category out of range".into()))?;
    let f = figures(conn, v)?;
    let mut candidates = Vec::new();
    let mut ties = Vec::new();
    let mut decided = None;
    let kind = v.kind()?;
    let outcome = if kind == VoteKind::Election {
        let (e, supports, options) = election_outcome(conn, v)?;
        let label = |id: &str| {
            options
                .iter()
                .find(|o| o.option_id == id)
                .map(|o| o.label.clone())
                .unwrap_or_default()
        };
        for s in &supports {
            let tied = e
                .ties
                .iter()
                .any(|t| t.place == voting::Place::Seat && t.candidates.contains(&s.candidate_id));
            let rank = e.alternates.iter().position(|g| g.contains(&s.candidate_id));
            let (result, alternate_rank) = if e.elected.contains(&s.candidate_id) {
                (CandidateOutcome::Elected, None)
            } else if tied {
                (CandidateOutcome::TiedForSeat, None)
            } else if let Some(r) = rank {
                // The place of the first of the rank's group (ties share it).
                let place = e.alternates[..r].iter().map(Vec::len).sum::<usize>() + 1;
                (CandidateOutcome::Alternate, Some(place as i32))
            } else {
                (CandidateOutcome::NotElected, None)
            };
            candidates.push(CandidateResult {
                option_id: s.candidate_id.clone(),
                label: label(&s.candidate_id),
                yes_area_centi_m2: s.yes_area,
                yes_heads: s.yes_heads,
                result,
                alternate_rank,
            });
        }
        for t in &e.ties {
            ties.push(TieOut {
                place: t.place.as_text(),
                candidates: t.candidates.clone(),
                places: t.places as i32,
            });
        }
        decided = Some(e.decided());
        e.outcome()
    } else {
        voting::outcome(category, &f)
    };
    let turnout = ResultTurnout {
        total_area_centi_m2: f.total_area,
        total_heads: f.total_heads,
        voted_area_centi_m2: f.voted_area(),
        voted_heads: f.voted_heads(),
        participation_area: fraction(f.voted_area(), f.total_area),
        participation_heads: fraction(f.voted_heads(), f.total_heads),
    };
    // An election's ballots choose candidates: yes/no/abstain figures do not apply to it.
    let tally = (kind != VoteKind::Election).then(|| Tally {
        total_area_centi_m2: f.total_area,
        total_heads: f.total_heads,
        voted_area_centi_m2: f.voted_area(),
        voted_heads: f.voted_heads(),
        yes_area_centi_m2: f.yes_area,
        yes_heads: f.yes_heads,
        no_area_centi_m2: f.no_area,
        no_heads: f.no_heads,
        abstain_area_centi_m2: f.abstain_area,
        abstain_heads: f.abstain_heads,
        participation_area: fraction(f.voted_area(), f.total_area),
        participation_heads: fraction(f.voted_heads(), f.total_heads),
        approval_area: fraction(f.yes_area, f.voted_area()),
        approval_heads: fraction(f.yes_heads, f.voted_heads()),
    });
    Ok(VoteResult {
        vote_id: v.id.clone(),
        category: v.category,
        outcome,
        turnout,
        tally,
        candidates,
        ties,
        decided,
        roll_fingerprint: v.roll_fingerprint.clone().unwrap_or_default(),
        receipts: db::votes::receipts(conn, &v.id)?,
    })
}
