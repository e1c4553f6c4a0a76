//! Owners' joint decisions (业主共同决定事项), Civil Code Art. 278, exactly (RULES.md §1):
//! participation AND approval, by area AND by heads, with integer cross-multiplication only;
//! the lifecycle of a vote and of a major-matter proposal (RULES.md §5).

use chrono::NaiveDateTime;

use super::lifecycle::Refused;
use crate::error::{codes, reason};
use crate::term_enum;

/// The nine matter categories of Art. 278 (the numbers are the article's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// 1 制定和修改业主大会议事规则
    AssemblyRules = 1,
    /// 2 制定和修改管理规约
    ManagementCovenant = 2,
    /// 3 选举业主委员会或者更换业主委员会成员
    CommitteeElection = 3,
    /// 4 选聘和解聘物业服务企业或者其他管理人
    HireOrDismissManager = 4,
    /// 5 使用建筑物及其附属设施的维修资金
    UseMaintenanceFund = 5,
    /// 6 筹集建筑物及其附属设施的维修资金
    RaiseMaintenanceFund = 6,
    /// 7 改建、重建建筑物及其附属设施
    RebuildOrReconstruct = 7,
    /// 8 改变共有部分的用途或者利用共有部分从事经营活动
    ChangeUseOfCommonParts = 8,
    /// 9 有关共有和共同管理权利的其他重大事项
    OtherMajorMatters = 9,
}

impl Category {
    pub fn from_number(n: i32) -> Option<Category> {
        use Category::*;
        Some(match n {
            1 => AssemblyRules,
            2 => ManagementCovenant,
            3 => CommitteeElection,
            4 => HireOrDismissManager,
            5 => UseMaintenanceFund,
            6 => RaiseMaintenanceFund,
            7 => RebuildOrReconstruct,
            8 => ChangeUseOfCommonParts,
            9 => OtherMajorMatters,
            _ => return None,
        })
    }

    pub fn number(self) -> i32 {
        self as i32
    }

    /// Categories 6–8 need three quarters of the voters, by area and by heads.
    pub fn needs_three_quarters(self) -> bool {
        matches!(
            self,
            Category::RaiseMaintenanceFund | Category::RebuildOrReconstruct | Category::ChangeUseOfCommonParts
        )
    }
}

term_enum!(
    /// How a ballot was cast.
    Channel, "how a ballot was cast (投票方式)", {
        Online = "online", "线上";
        /// A signed paper ballot, entered by the convenor.
        Paper = "paper", "纸质";
    }
);

impl Channel {
    /// A signed paper ballot prevails (RULES.md §1): once one is a voter's current ballot, only
    /// another paper ballot replaces it; an online ballot never does. (`db::votes::record`
    /// applies this in the upsert's condition, so two concurrent ballots cannot both win.)
    pub fn replaces(self, current: Channel) -> bool {
        current != Channel::Paper || self == Channel::Paper
    }
}

/// The receipt of a ballot: SHA-256 over its canonical record (what an owner keeps to find
/// their ballot among the counted ones, and what ties the stored ballot to its audit event).
pub fn receipt(
    vote_id: &str,
    voter_id: &str,
    ballot_id: &str,
    choice: &str,
    selections: &str,
    cast_at: NaiveDateTime,
) -> String {
    let canonical = serde_json::json!([
        vote_id,
        voter_id,
        ballot_id,
        choice,
        selections,
        super::ids::rfc3339(cast_at)
    ]);
    crate::crypto::sha256_hex(canonical.to_string())
}

/// The audit event of a recorded ballot: its action and the change it digests (the voter and
/// the receipt, and a paper ballot's reference). `db::ballot_audit` recomputes it from the
/// stored ballot to find a ballot changed or removed behind the log's back.
pub fn audited_ballot(voter_id: &str, receipt: &str, paper_ref: Option<&str>) -> (&'static str, serde_json::Value) {
    match paper_ref {
        None => (
            "ballot.cast",
            serde_json::json!({ "voter": voter_id, "receipt": receipt }),
        ),
        Some(r) => (
            "ballot.paper",
            serde_json::json!({ "voter": voter_id, "paper_ref": r, "receipt": receipt }),
        ),
    }
}

/// Whether a ballot arriving at `now` is taken: before the closing time as it stands when the
/// ballot is written (it may have been extended meanwhile). `db::votes::record` checks this in
/// the writing transaction.
pub fn before_closing(closes_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now < closes_at
}

term_enum!(
    /// What a vote asks.
    VoteKind, "what a vote asks (表决类型): one question (事项表决), or a committee election (选举)", {
        /// One question: yes, no or abstain.
        Question = "question", "事项表决";
        /// A committee election (category 3): choose up to `seats` of the final candidate list.
        Election = "election", "选举";
    }
);

term_enum!(
    /// Who convenes the owners' assembly that votes.
    Convenor, "who convenes the vote (召集人)", {
        OwnersCommittee = "owners_committee", "业主委员会";
        PropertyManagementCommittee = "property_management_committee", "物业管理委员会";
        StreetOffice = "street_office", "街道办事处/乡镇人民政府";
    }
);

term_enum!(
    /// An owner's answer to a question.
    Choice, "an answer to a question (表决意见); abstaining counts as voting, not as agreeing", {
        Yes = "yes", "同意";
        No = "no", "反对";
        Abstain = "abstain", "弃权";
    }
);

term_enum!(
    /// Where a candidate stands in an election's result.
    CandidateOutcome, "a candidate's result (选举结果)", {
        Elected = "elected", "当选";
        /// Tied exactly with others for the last seat(s): undecided until the tie is resolved.
        TiedForSeat = "tied_for_seat", "平票待定";
        /// An alternate, filling vacancies in vote order.
        Alternate = "alternate", "候补委员";
        NotElected = "not_elected", "未当选";
    }
);

term_enum!(
    /// The three parties whose joint proposal a major matter needs (RULES.md §5).
    ProposalParty, "a party to a major-matter proposal (三方)", {
        /// A party organisation of the estate's community.
        EstatePartyBranch = "estate_party_branch", "小区党支部";
        OwnersCommittee = "owners_committee", "业主委员会";
        /// The property company serving the estate.
        PropertyCompany = "property_company", "物业服务企业";
    }
);

term_enum!(
    /// Where a vote stands, from its times (never stored: derived from the opening and closing).
    VoteStatus, "where a vote stands (表决状态), derived from when it opened and when it closes", {
        Announced = "announced", "已公告";
        Open = "open", "投票中";
        Closed = "closed", "已结束";
    }
);

impl VoteStatus {
    /// The status at `now`: announced until opened (the roll frozen), open until it closes.
    pub fn at(opened_at: Option<NaiveDateTime>, closes_at: NaiveDateTime, now: NaiveDateTime) -> VoteStatus {
        match opened_at {
            None => VoteStatus::Announced,
            Some(_) if now < closes_at => VoteStatus::Open,
            Some(_) => VoteStatus::Closed,
        }
    }

    /// A vote opens at its announced time, not before, and before it closes, once.
    pub fn open(self, opens_at: NaiveDateTime, closes_at: NaiveDateTime, now: NaiveDateTime) -> Result<(), Refused> {
        match self {
            VoteStatus::Announced if now < opens_at => Err(Refused::rule(
                codes::TOO_EARLY,
                "the vote opens at its announced time, not before",
            )),
            VoteStatus::Announced if now >= closes_at => {
                Err(Refused::rule(codes::TOO_LATE, "the closing time has passed"))
            }
            VoteStatus::Announced => Ok(()),
            now => Err(Refused::not_now(codes::ALREADY_OPEN, now, "opening the vote")),
        }
    }

    /// Ballots are taken while the vote is open.
    pub fn cast(self) -> Result<(), Refused> {
        match self {
            VoteStatus::Open => Ok(()),
            now => Err(Refused::not_now(codes::VOTE_NOT_OPEN, now, "casting a ballot")),
        }
    }

    /// An open vote is extended once, to a later closing time.
    pub fn extend(self, extended_before: bool) -> Result<(), Refused> {
        match self {
            VoteStatus::Open if extended_before => Err(Refused::not_now(
                codes::ALREADY_EXTENDED,
                self,
                "extending the vote again",
            )),
            VoteStatus::Open => Ok(()),
            now => Err(Refused::not_now(codes::VOTE_NOT_OPEN, now, "extending the vote")),
        }
    }

    /// The result is published when the vote closes.
    pub fn result(self) -> Result<(), Refused> {
        match self {
            VoteStatus::Closed => Ok(()),
            now => Err(Refused::not_now(codes::VOTE_NOT_CLOSED, now, "reading the result")),
        }
    }
}

term_enum!(
    /// Where a major-matter proposal stands (RULES.md §5).
    ProposalStatus, "where a major-matter proposal stands (重大事项): mobilised by the owners' committee, proposed once all three parties endorsed it, then approved or rejected by the community party committee", {
        Mobilised = "mobilised", "已动员";
        Proposed = "proposed", "三方已提议";
        Approved = "approved", "审核通过";
        Rejected = "rejected", "审核未通过";
    }
);

impl ProposalStatus {
    /// An endorsement; with all three parties' it is proposed. Endorsements come before review.
    pub fn endorse(self, all_three_endorsed: bool) -> Result<ProposalStatus, Refused> {
        match self {
            ProposalStatus::Mobilised if all_three_endorsed => Ok(ProposalStatus::Proposed),
            ProposalStatus::Mobilised => Ok(ProposalStatus::Mobilised),
            now => Err(Refused::not_now(
                codes::PROPOSAL_NOT_MOBILISED,
                now,
                "endorsing the proposal",
            )),
        }
    }

    /// The community party committee reviews a proposal all three parties endorsed.
    pub fn review(self, approved: bool) -> Result<ProposalStatus, Refused> {
        match self {
            ProposalStatus::Proposed if approved => Ok(ProposalStatus::Approved),
            ProposalStatus::Proposed => Ok(ProposalStatus::Rejected),
            now => Err(Refused::not_now(
                codes::PROPOSAL_NOT_PROPOSED,
                now,
                "reviewing the proposal",
            )),
        }
    }

    /// A major matter goes to the owners' vote only once approved: no step may be skipped.
    pub fn to_vote(self) -> Result<(), Refused> {
        match self {
            ProposalStatus::Approved => Ok(()),
            _ => Err(Refused::rule(
                codes::PROPOSAL_NOT_APPROVED,
                "a major matter goes to the vote only after the community party committee approved it",
            )),
        }
    }
}

/// An election vote is a category-3 vote (electing the owners' committee) over a final
/// candidate list.
pub fn election_ballot(category: Category, list_final: bool) -> Result<(), Refused> {
    if category != Category::CommitteeElection {
        return Err(Refused::field(
            "category",
            reason::ELECTION,
            "a committee election is category 3",
        ));
    }
    if !list_final {
        return Err(Refused::field(
            "election_id",
            reason::NOT_FINAL,
            "the ballot takes the final candidate list of an election of this estate",
        ));
    }
    Ok(())
}

/// Figures of a tally, by area (hundredths of m²) and by heads. "Voted" is every valid ballot:
/// yes, no and abstain. Owners who did not vote are never counted as voting or agreeing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub total_area: i64,
    pub total_heads: i64,
    pub yes_area: i64,
    pub yes_heads: i64,
    pub no_area: i64,
    pub no_heads: i64,
    pub abstain_area: i64,
    pub abstain_heads: i64,
}

impl Figures {
    pub fn voted_area(&self) -> i64 {
        self.yes_area + self.no_area + self.abstain_area
    }

    pub fn voted_heads(&self) -> i64 {
        self.yes_heads + self.no_heads + self.abstain_heads
    }
}

term_enum!(
    Outcome, "the outcome of a vote (表决结果): passed (通过), failed for want of participation (参与不足), rejected (未通过)", {
        Passed = "passed", "通过";
        /// Participation below two thirds of area or of heads.
        FailedQuorum = "failed_quorum", "参与不足";
        /// Quorum met, approval not met.
        Rejected = "rejected", "未通过";
    }
);

/// A share the rules require of a whole: `numerator/denominator`, reached at it, or only above
/// it (`strictly_more`: "more than half"). Integer arithmetic (i128), exact whatever the sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub numerator: i64,
    pub denominator: i64,
    pub strictly_more: bool,
}

impl Share {
    pub fn met(self, part: i64, whole: i64) -> bool {
        let (left, right) = (
            part as i128 * self.denominator as i128,
            whole as i128 * self.numerator as i128,
        );
        if self.strictly_more {
            left > right
        } else {
            left >= right
        }
    }
}

/// Participation, every category: voted >= 2/3 of the total, by area AND by heads.
pub const PARTICIPATION: Share = Share {
    numerator: 2,
    denominator: 3,
    strictly_more: false,
};

/// Approval among the voters: categories 6–8 at least 3/4; the others more than half.
pub fn approval(category: Category) -> Share {
    if category.needs_three_quarters() {
        Share {
            numerator: 3,
            denominator: 4,
            strictly_more: false,
        }
    } else {
        Share {
            numerator: 1,
            denominator: 2,
            strictly_more: true,
        }
    }
}

/// Participation met by area AND by heads (and there is someone to count).
pub fn quorum_met(f: &Figures) -> bool {
    PARTICIPATION.met(f.voted_area(), f.total_area)
        && PARTICIPATION.met(f.voted_heads(), f.total_heads)
        && f.total_heads > 0
}

/// Approval met by area AND by heads.
pub fn approved(category: Category, f: &Figures) -> bool {
    let share = approval(category);
    share.met(f.yes_area, f.voted_area()) && share.met(f.yes_heads, f.voted_heads())
}

pub fn outcome(category: Category, f: &Figures) -> Outcome {
    if !quorum_met(f) {
        Outcome::FailedQuorum
    } else if approved(category, f) {
        Outcome::Passed
    } else {
        Outcome::Rejected
    }
}

/// A candidate's support in a committee election (category 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    pub candidate_id: String,
    pub yes_area: i64,
    pub yes_heads: i64,
}

/// Where a tie stands: at the last seat(s), or at an alternate place (1 is the first alternate).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Seat,
    Alternate(usize),
}

impl Place {
    pub fn as_text(&self) -> String {
        match self {
            Place::Seat => "seat".into(),
            Place::Alternate(n) => format!("alternate:{n}"),
        }
    }

    pub fn parse(s: &str) -> Option<Place> {
        match s {
            "seat" => Some(Place::Seat),
            _ => s
                .strip_prefix("alternate:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n >= 1)
                .map(Place::Alternate),
        }
    }
}

/// Candidates with exactly the same support (heads and area) competing for `places` places:
/// no ordering chosen by the software decides between them (RULES.md §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tie {
    pub place: Place,
    pub candidates: Vec<String>,
    /// How many of them the place holds (seats left for a seat tie; 1 for an alternate place).
    pub places: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionOutcome {
    /// Quorum of the election as a whole.
    pub quorum_met: bool,
    /// Elected, decided (a seat tie's candidates are not among them until it is resolved).
    pub elected: Vec<String>,
    /// Alternates in vote order; a place held by several candidates is an unresolved tie.
    pub alternates: Vec<Vec<String>>,
    /// Unresolved ties, seat first.
    pub ties: Vec<Tie>,
}

impl ElectionOutcome {
    /// The outcome of an election vote: it failed without quorum; it passed when at least one
    /// is elected or the seats are tied (the tie decides who); otherwise no one was elected.
    pub fn outcome(&self) -> Outcome {
        if !self.quorum_met {
            Outcome::FailedQuorum
        } else if self.elected.is_empty() && self.ties.iter().all(|t| t.place != Place::Seat) {
            Outcome::Rejected
        } else {
            Outcome::Passed
        }
    }

    /// Whether every seat and alternate place is decided.
    pub fn decided(&self) -> bool {
        self.ties.is_empty()
    }
}

/// Candidates grouped by equal support (heads, then area), strongest first. An order recorded
/// for a group (a run-off or lots drawn: `resolved`) splits it into that order.
fn ranked_groups(candidates: Vec<&Support>, resolved: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut sorted = candidates;
    sorted.sort_by_key(|s| std::cmp::Reverse((s.yes_heads, s.yes_area)));
    let mut groups: Vec<Vec<&Support>> = Vec::new();
    for s in sorted {
        match groups.last_mut() {
            Some(g) if (g[0].yes_heads, g[0].yes_area) == (s.yes_heads, s.yes_area) => g.push(s),
            _ => groups.push(vec![s]),
        }
    }
    let mut out = Vec::new();
    for g in groups {
        let mut ids: Vec<String> = g.iter().map(|s| s.candidate_id.clone()).collect();
        ids.sort();
        let order = resolved.iter().find(|o| {
            let mut set = o.to_vec();
            set.sort();
            set == ids
        });
        match order {
            Some(o) if ids.len() > 1 => out.extend(o.iter().map(|id| vec![id.clone()])),
            _ => out.push(ids),
        }
    }
    out
}

/// RULES.md §3: a candidate is elected with the support of more than half of the voters by area
/// AND by heads (category 3); seats go to such candidates in order of support (heads, then
/// area). Alternates are the unelected candidates with at least half, in the same order.
/// Candidates tied exactly at the boundary (the last seats, or an alternate place) are left
/// undecided and reported as a tie, unless `resolved` holds the order a run-off or lots gave
/// that group.
pub fn elect(seats: usize, total: &Figures, supports: &[Support], resolved: &[Vec<String>]) -> ElectionOutcome {
    let quorum = quorum_met(total);
    let (va, vh) = (total.voted_area() as i128, total.voted_heads() as i128);
    // Elected: more than half of the voters, by area and heads (the approval of category 3).
    let share = approval(Category::CommitteeElection);
    let majority =
        |s: &Support| share.met(s.yes_area, total.voted_area()) && share.met(s.yes_heads, total.voted_heads());
    let half = |s: &Support| {
        let (ya, yh) = (s.yes_area as i128, s.yes_heads as i128);
        ya * 2 >= va && yh * 2 >= vh && vh > 0
    };
    let mut out = ElectionOutcome {
        quorum_met: quorum,
        elected: Vec::new(),
        alternates: Vec::new(),
        ties: Vec::new(),
    };
    if !quorum {
        return out;
    }
    let by_id = |id: &str| supports.iter().find(|s| s.candidate_id == id);
    let mut runners_up: Vec<&Support> = Vec::new();
    let mut seats_left = seats;
    for group in ranked_groups(supports.iter().filter(|s| majority(s)).collect(), resolved) {
        if seats_left == 0 {
            runners_up.extend(group.iter().filter_map(|id| by_id(id)));
        } else if group.len() <= seats_left {
            seats_left -= group.len();
            out.elected.extend(group);
        } else {
            // The group straddles the last seat(s): undecided until resolved.
            out.ties.push(Tie {
                place: Place::Seat,
                candidates: group,
                places: seats_left,
            });
            seats_left = 0;
        }
    }
    runners_up.extend(supports.iter().filter(|s| !majority(s) && half(s)));
    let mut place = 1;
    for group in ranked_groups(runners_up, resolved) {
        if group.len() > 1 {
            out.ties.push(Tie {
                place: Place::Alternate(place),
                candidates: group.clone(),
                places: 1,
            });
        }
        place += group.len();
        out.alternates.push(group);
    }
    out
}

/// The order of a run-off among tied candidates: by support (heads, then area), with no
/// threshold (they all met it in the election). `None` when the run-off ties again where it
/// matters (within the first `places`, or across its boundary).
pub fn runoff_order(supports: &[Support], places: usize) -> Option<Vec<String>> {
    let groups = ranked_groups(supports.iter().collect(), &[]);
    let mut decided = 0;
    let mut order = Vec::new();
    for g in groups {
        if decided < places && g.len() > 1 {
            return None;
        }
        decided += g.len();
        order.extend(g);
    }
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_prevails_and_closing_is_exclusive() {
        use Channel::*;
        assert!(Online.replaces(Online));
        assert!(Paper.replaces(Online));
        assert!(Paper.replaces(Paper));
        assert!(!Online.replaces(Paper));
        let t = |s: i64| {
            chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
                .unwrap()
                .naive_utc()
        };
        assert!(before_closing(t(10), t(9)));
        assert!(!before_closing(t(10), t(10)));
        assert!(!before_closing(t(10), t(11)));
    }

    /// 300 heads, 30000 area; voters split as given.
    fn fig(yes: (i64, i64), no: (i64, i64), abstain: (i64, i64)) -> Figures {
        Figures {
            total_area: 30000,
            total_heads: 300,
            yes_area: yes.0,
            yes_heads: yes.1,
            no_area: no.0,
            no_heads: no.1,
            abstain_area: abstain.0,
            abstain_heads: abstain.1,
        }
    }

    #[test]
    fn quorum_is_two_thirds_of_area_and_of_heads() {
        // Exactly 2/3: 20000 area and 200 heads.
        assert!(quorum_met(&fig((20000, 200), (0, 0), (0, 0))));
        // One below in area, or one below in heads: no quorum.
        assert!(!quorum_met(&fig((19999, 200), (0, 0), (0, 0))));
        assert!(!quorum_met(&fig((20000, 199), (0, 0), (0, 0))));
        // Abstentions and noes count toward participation.
        assert!(quorum_met(&fig((1, 1), (9999, 99), (10000, 100))));
    }

    #[test]
    fn simple_majority_is_strictly_more_than_half_of_voters() {
        let c = Category::HireOrDismissManager;
        // Voted: 20000 area, 200 heads. Half is 10000 / 100: not enough; one more passes.
        assert_eq!(outcome(c, &fig((10000, 101), (10000, 99), (0, 0))), Outcome::Rejected);
        assert_eq!(outcome(c, &fig((10001, 100), (9999, 100), (0, 0))), Outcome::Rejected);
        assert_eq!(outcome(c, &fig((10001, 101), (9999, 99), (0, 0))), Outcome::Passed);
        // Abstentions are in the denominator and are not yes.
        assert_eq!(outcome(c, &fig((10001, 101), (0, 0), (9999, 99))), Outcome::Passed);
        assert_eq!(outcome(c, &fig((10000, 100), (0, 0), (10000, 100))), Outcome::Rejected);
    }

    #[test]
    fn three_quarters_for_categories_6_to_8() {
        for c in [
            Category::RaiseMaintenanceFund,
            Category::RebuildOrReconstruct,
            Category::ChangeUseOfCommonParts,
        ] {
            // Voted 20000 / 200: three quarters is 15000 / 150 (included).
            assert_eq!(outcome(c, &fig((15000, 150), (5000, 50), (0, 0))), Outcome::Passed);
            assert_eq!(outcome(c, &fig((14999, 150), (5001, 50), (0, 0))), Outcome::Rejected);
            assert_eq!(outcome(c, &fig((15000, 149), (5000, 51), (0, 0))), Outcome::Rejected);
            assert_eq!(outcome(c, &fig((15001, 151), (4999, 49), (0, 0))), Outcome::Passed);
        }
        // The same split passes a simple-majority category.
        assert_eq!(
            outcome(Category::OtherMajorMatters, &fig((14999, 149), (5001, 51), (0, 0))),
            Outcome::Passed
        );
    }

    #[test]
    fn no_quorum_wins_over_approval() {
        assert_eq!(
            outcome(Category::AssemblyRules, &fig((19999, 199), (0, 0), (0, 0))),
            Outcome::FailedQuorum
        );
        assert_eq!(
            outcome(Category::AssemblyRules, &Figures::default()),
            Outcome::FailedQuorum
        );
    }

    #[test]
    fn categories_by_number() {
        for n in 1..=9 {
            assert_eq!(Category::from_number(n).unwrap().number(), n);
        }
        assert_eq!(Category::from_number(0), None);
        assert_eq!(Category::from_number(10), None);
        assert!(!Category::UseMaintenanceFund.needs_three_quarters());
        assert!(Category::RaiseMaintenanceFund.needs_three_quarters());
    }

    fn sup(id: &str, a: i64, h: i64) -> Support {
        Support {
            candidate_id: id.into(),
            yes_area: a,
            yes_heads: h,
        }
    }

    #[test]
    fn elections_rank_and_keep_alternates() {
        let total = fig((0, 0), (0, 0), (20000, 200)); // voted 20000 / 200
        let out = elect(
            2,
            &total,
            &[
                sup("a", 15000, 150),
                sup("b", 10001, 101),
                sup("c", 12000, 120),
                sup("d", 10000, 100),
                sup("e", 9999, 100),
            ],
            &[],
        );
        assert_eq!(out.elected, vec!["a", "c"]);
        // b has a majority but no seat is left; d has exactly half; e is below half by area.
        assert_eq!(out.alternates, vec![vec!["b".to_string()], vec!["d".to_string()]]);
        assert!(out.decided());
        let no_quorum = elect(2, &fig((0, 0), (0, 0), (100, 1)), &[sup("a", 100, 1)], &[]);
        assert!(no_quorum.elected.is_empty() && !no_quorum.quorum_met);
    }

    #[test]
    fn more_than_half_by_area_and_heads_at_the_boundary() {
        let total = fig((0, 0), (0, 0), (20000, 200));
        // Heads exactly half, area more: not elected (an alternate); one more head: elected.
        let out = elect(
            3,
            &total,
            &[sup("a", 10001, 100), sup("b", 10001, 101), sup("c", 10000, 101)],
            &[],
        );
        assert_eq!(out.elected, vec!["b"]);
        // Alternates in order of support: heads first (c: 101), then area.
        assert_eq!(out.alternates.concat(), vec!["c", "a"]);
    }

    #[test]
    fn a_tie_for_the_last_seat_is_marked_not_broken() {
        let total = fig((0, 0), (0, 0), (20000, 200));
        let supports = [
            sup("a", 15000, 150),
            sup("y", 12000, 120),
            sup("x", 12000, 120),
            sup("z", 11000, 110),
        ];
        let out = elect(2, &total, &supports, &[]);
        assert_eq!(out.elected, vec!["a"]);
        assert_eq!(
            out.ties,
            vec![Tie {
                place: Place::Seat,
                candidates: vec!["x".into(), "y".into()],
                places: 1
            }]
        );
        // The tied pair holds the seat and the first alternate place between them; z follows.
        assert_eq!(out.alternates, vec![vec!["z".to_string()]]);
        assert!(!out.decided());
        // Resolved (lots drew y, then x): y is elected, x is the first alternate.
        let done = elect(2, &total, &supports, &[vec!["y".into(), "x".into()]]);
        assert_eq!(done.elected, vec!["a", "y"]);
        assert_eq!(done.alternates.concat(), vec!["x", "z"]);
        assert!(done.decided());
        // Equal heads but different area is no tie: area decides.
        let by_area = elect(1, &total, &[sup("p", 12001, 120), sup("q", 12000, 120)], &[]);
        assert_eq!(by_area.elected, vec!["p"]);
        assert!(by_area.decided());
    }

    #[test]
    fn a_tie_among_alternates_is_marked_at_its_place() {
        let total = fig((0, 0), (0, 0), (20000, 200));
        let out = elect(
            1,
            &total,
            &[sup("a", 15000, 150), sup("b", 10000, 100), sup("c", 10000, 100)],
            &[],
        );
        assert_eq!(out.elected, vec!["a"]);
        assert_eq!(out.ties[0].place, Place::Alternate(1));
        assert_eq!(out.alternates, vec![vec!["b".to_string(), "c".to_string()]]);
    }

    #[test]
    fn runoffs_order_or_tie_again() {
        assert_eq!(
            runoff_order(&[sup("x", 500, 5), sup("y", 600, 6)], 1),
            Some(vec!["y".to_string(), "x".to_string()])
        );
        assert_eq!(runoff_order(&[sup("x", 500, 5), sup("y", 500, 5)], 1), None);
        assert_eq!(Place::parse(&Place::Alternate(3).as_text()), Some(Place::Alternate(3)));
        assert_eq!(Place::parse("seat"), Some(Place::Seat));
        assert_eq!(Place::parse("alternate:0"), None);
    }
}
