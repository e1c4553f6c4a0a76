//! How a tie at the boundary of an election (the last seat, or an alternate place) is resolved
//! (RULES.md §3): never by an order the software chooses; by the county's rule only — a run-off
//! vote among the tied candidates, or lots drawn in public by one person before a witness who is
//! someone else — and the seat tie first, since it decides who the alternates are.

use super::committee::TieRule;
use super::lifecycle::Refused;
use super::voting::{self, ElectionOutcome, Figures, Place, Support, Tie, VoteKind, VoteStatus};
use crate::error::{codes, reason};

/// The tie at `place` still to be resolved in a closed vote's outcome.
pub fn unresolved(kind: VoteKind, outcome: &ElectionOutcome, place: &Place) -> Result<Tie, Refused> {
    if kind != VoteKind::Election {
        return Err(Refused::conflict(
            codes::NO_TIE_HERE,
            "only an election's result has ties",
        ));
    }
    if *place != Place::Seat && outcome.ties.iter().any(|t| t.place == Place::Seat) {
        return Err(Refused::conflict(
            codes::SEAT_TIE_FIRST,
            "resolve the tie for the last seat first: it decides who the alternates are",
        ));
    }
    outcome
        .ties
        .iter()
        .find(|t| &t.place == place)
        .cloned()
        .ok_or_else(|| Refused::conflict(codes::NO_TIE_HERE, "the result has no unresolved tie at this place"))
}

/// The method chosen must be the county's.
pub fn by_county_rule(chosen: TieRule, county: TieRule) -> Result<(), Refused> {
    if chosen == county {
        Ok(())
    } else {
        Err(Refused::field(
            "method",
            reason::NOT_THE_COUNTY_RULE,
            format!("this county resolves ties by {}", county.as_str()),
        ))
    }
}

/// A run-off vote is held only where the county resolves ties by run-off.
pub fn may_hold_runoff(county: TieRule) -> Result<(), Refused> {
    match county {
        TieRule::Runoff => Ok(()),
        TieRule::Lots => Err(Refused::rule(
            codes::TIES_BY_LOTS,
            "this county resolves election ties by lots drawn in public, not by a run-off",
        )),
    }
}

/// Lots drawn in public: the order drawn lists exactly the tied candidates, each once; who drew
/// and the witness are named and are not the same person. The order, the drawer and the
/// witness as recorded.
pub fn by_lots(
    tie: &Tie,
    order: Option<&[String]>,
    drawn_by: Option<&str>,
    witness: Option<&str>,
) -> Result<(Vec<String>, String, String), Refused> {
    let order =
        order.ok_or_else(|| Refused::field("order", reason::REQUIRED, "the tied candidates in the order drawn"))?;
    let (mut a, mut b) = (order.to_vec(), tie.candidates.clone());
    a.sort();
    b.sort();
    if a != b {
        return Err(Refused::field(
            "order",
            reason::NOT_THE_TIED,
            "the order lists exactly the tied candidates, each once",
        ));
    }
    let named = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let drawn_by = named(drawn_by).ok_or_else(|| Refused::field("drawn_by", reason::REQUIRED, "who drew the lots"))?;
    let witness = named(witness)
        .ok_or_else(|| Refused::field("witness", reason::REQUIRED, "lots are drawn in public, with a witness"))?;
    if witness == drawn_by {
        return Err(Refused::field(
            "witness",
            reason::SAME_PERSON,
            "the witness is not the one who drew",
        ));
    }
    Ok((order.to_vec(), drawn_by, witness))
}

/// A run-off decides once it has closed, reached the quorum of two thirds by area and by heads,
/// and not tied again where it matters: the order of the tied candidates.
pub fn by_runoff(
    status: VoteStatus,
    figures: &Figures,
    supports: &[Support],
    places: usize,
) -> Result<Vec<String>, Refused> {
    if status != VoteStatus::Closed {
        return Err(Refused::not_now(
            codes::RUNOFF_NOT_CLOSED,
            status,
            "resolving a tie by this run-off",
        ));
    }
    if !voting::quorum_met(figures) {
        return Err(Refused::rule(
            codes::RUNOFF_FAILED_QUORUM,
            "the run-off did not reach two thirds of area and heads; hold another",
        ));
    }
    voting::runoff_order(supports, places)
        .ok_or_else(|| Refused::rule(codes::RUNOFF_TIED, "the run-off tied again; hold another"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tie(place: Place, candidates: &[&str]) -> Tie {
        Tie {
            place,
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            places: 1,
        }
    }

    fn outcome(ties: Vec<Tie>) -> ElectionOutcome {
        ElectionOutcome {
            quorum_met: true,
            elected: vec![],
            alternates: vec![],
            ties,
        }
    }

    #[test]
    fn the_seat_tie_comes_first_and_a_question_has_none() {
        let both = outcome(vec![
            tie(Place::Seat, &["a", "b"]),
            tie(Place::Alternate(1), &["c", "d"]),
        ]);
        let code = |r: Result<Tie, Refused>| r.unwrap_err().code();
        assert_eq!(
            code(unresolved(VoteKind::Election, &both, &Place::Alternate(1))),
            "seat_tie_first"
        );
        assert_eq!(
            unresolved(VoteKind::Election, &both, &Place::Seat).unwrap().candidates,
            ["a", "b"]
        );
        let alternate_only = outcome(vec![tie(Place::Alternate(1), &["c", "d"])]);
        assert!(unresolved(VoteKind::Election, &alternate_only, &Place::Alternate(1)).is_ok());
        assert_eq!(
            code(unresolved(VoteKind::Election, &alternate_only, &Place::Alternate(2))),
            "no_tie_here"
        );
        assert_eq!(code(unresolved(VoteKind::Question, &both, &Place::Seat)), "no_tie_here");
    }

    #[test]
    fn lots_need_exactly_the_tied_a_drawer_and_another_witness() {
        let t = tie(Place::Seat, &["a", "b"]);
        let order = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = by_lots(&t, Some(&order(&["b", "a"])), Some("张三"), Some("李四")).unwrap();
        assert_eq!(ok, (order(&["b", "a"]), "张三".into(), "李四".into()));
        let code = |r: Result<(Vec<String>, String, String), Refused>| r.unwrap_err().code();
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a"])), Some("张三"), Some("李四"))),
            "not_the_tied"
        );
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a", "b", "c"])), Some("张三"), Some("李四"))),
            "not_the_tied"
        );
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a", "a"])), Some("张三"), Some("李四"))),
            "not_the_tied"
        );
        assert_eq!(code(by_lots(&t, None, Some("张三"), Some("李四"))), "required");
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a", "b"])), Some(" "), Some("李四"))),
            "required"
        );
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a", "b"])), Some("张三"), None)),
            "required"
        );
        assert_eq!(
            code(by_lots(&t, Some(&order(&["a", "b"])), Some("张三"), Some(" 张三 "))),
            "same_person"
        );
    }

    #[test]
    fn a_runoff_decides_once_closed_with_quorum_and_no_new_tie() {
        let s = |id: &str, heads: i64| Support {
            candidate_id: id.into(),
            yes_area: heads * 100,
            yes_heads: heads,
        };
        // Two thirds of 9 heads and 900 m² voted: 6 and 600 (at the boundary).
        let f = |voted: i64| Figures {
            total_area: 900,
            total_heads: 9,
            abstain_area: voted * 100,
            abstain_heads: voted,
            ..Figures::default()
        };
        let supports = [s("a", 2), s("b", 4)];
        assert_eq!(by_runoff(VoteStatus::Closed, &f(6), &supports, 1).unwrap(), ["b", "a"]);
        let code = |r: Result<Vec<String>, Refused>| r.unwrap_err().code();
        assert_eq!(
            code(by_runoff(VoteStatus::Closed, &f(5), &supports, 1)),
            "runoff_failed_quorum"
        );
        assert_eq!(
            code(by_runoff(VoteStatus::Open, &f(6), &supports, 1)),
            "runoff_not_closed"
        );
        assert_eq!(
            code(by_runoff(VoteStatus::Closed, &f(6), &[s("a", 3), s("b", 3)], 1)),
            "runoff_tied"
        );
        assert_eq!(
            code(by_county_rule(TieRule::Lots, TieRule::Runoff).map(|_| vec![])),
            "not_the_county_rule"
        );
        assert!(by_county_rule(TieRule::Lots, TieRule::Lots).is_ok());
        assert_eq!(code(may_hold_runoff(TieRule::Lots).map(|_| vec![])), "ties_by_lots");
        assert!(may_hold_runoff(TieRule::Runoff).is_ok());
    }
}
