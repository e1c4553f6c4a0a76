//! The request and response bodies of this capability, as the spec shows them.

use super::*;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
pub struct VoteOption {
    pub option_id: String,
    pub label: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
    /// The proof of the vote's announcement, as totals only (owners reached on their page,
    /// texts taken and delivered, owners without a mobile number, paper notices): no one's name.
    /// Owner by owner: `GET /notices/{notice_id}/proof`.
    #[oai(skip_serializing_if_is_none)]
    pub notice: Option<crate::http::notices::NoticeTotals>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
pub struct MyBallots {
    pub entries: Vec<MyBallot>,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct RollEntry {
    pub voter_id: String,
    /// `owners:<ids>`, `developer` or `unit:<id>`.
    pub voter_key: String,
    pub area_centi_m2: i64,
    pub unit_count: i32,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designated_owner_id: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Turnout {
    pub total_area_centi_m2: i64,
    pub total_heads: i64,
    pub voted_area_centi_m2: i64,
    pub voted_heads: i64,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub closes_at: DateTime<Utc>,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub reason: String,
}

/// A fraction, exact: numerator over denominator, plus basis points rounded down for display.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Fraction {
    pub numerator: i64,
    pub denominator: i64,
    pub basis_points: i64,
}

/// A share the rules require (Civil Code Art. 278): `numerator/denominator` of the whole, reached
/// at it or, with `strictly_more`, only above it ("more than half").
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RequiredShare {
    pub numerator: i64,
    pub denominator: i64,
    pub strictly_more: bool,
}

impl From<crate::domain::voting::Share> for RequiredShare {
    fn from(s: crate::domain::voting::Share) -> Self {
        RequiredShare {
            numerator: s.numerator,
            denominator: s.denominator,
            strictly_more: s.strictly_more,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
pub struct ResultTurnout {
    pub total_area_centi_m2: i64,
    pub total_heads: i64,
    pub voted_area_centi_m2: i64,
    pub voted_heads: i64,
    pub participation_area: Fraction,
    pub participation_heads: Fraction,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
    /// Participation required of the total, by area and by heads (2/3).
    pub participation_required: RequiredShare,
    /// Approval required of the voters, by area and by heads: more than half, or at least 3/4
    /// for categories 6–8. For an election, a candidate's support against the voters.
    pub approval_required: RequiredShare,
}

/// A counted ballot's receipt: each voter's last ballot (a signed paper ballot prevails).
#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CountedReceipt {
    /// SHA-256 of the canonical ballot record, as the ballot's answer gave it.
    pub receipt: String,
    /// online or paper.
    pub channel: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    pub party: ProposalParty,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct ProposalReview {
    pub approved: bool,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub reasons: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
