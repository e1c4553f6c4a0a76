//! Property tests of the rules, against brute force and against the lifecycles' own tables:
//! random inputs (many near the legal boundaries, where small figures land on them exactly)
//! checked against a second, independently written statement of the same rule.

use proptest::prelude::*;

use super::committee::{CommitteeKind, CommitteeStatus};
use super::headcount::{self, UnitInput, VoterKey};
use super::lifecycle::Refused;
use super::term::Term;
use super::vetting::ElectionStatus;
use super::voting::{self, Category, Choice, Figures, Outcome};

/// `cases` random cases; a failure prints its shrunk input and is not written to a file (the
/// project's top level holds only what it must).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Art. 278: the outcome of a vote.

/// One voter of a brute-force tally: an area and a ballot, or none.
fn voter(max_area: i64) -> impl Strategy<Value = (i64, Option<Choice>)> {
    let choice = prop_oneof![
        Just(None),
        Just(Some(Choice::Yes)),
        Just(Some(Choice::No)),
        Just(Some(Choice::Abstain))
    ];
    (1..=max_area, choice)
}

/// Voters of an estate: a few with small areas (figures land exactly on 2/3, 1/2 and 3/4), or
/// many with large ones (the products far beyond i32).
fn electorate() -> impl Strategy<Value = Vec<(i64, Option<Choice>)>> {
    prop_oneof![
        prop::collection::vec(voter(4), 0..13),
        prop::collection::vec(voter(1_000_000_000_000), 1..40),
    ]
}

/// The figures, added up one voter at a time.
fn tally(voters: &[(i64, Option<Choice>)]) -> Figures {
    let mut f = Figures {
        total_area: voters.iter().map(|v| v.0).sum(),
        total_heads: voters.len() as i64,
        ..Figures::default()
    };
    for (area, choice) in voters {
        let (a, h) = match choice {
            None => continue,
            Some(Choice::Yes) => (&mut f.yes_area, &mut f.yes_heads),
            Some(Choice::No) => (&mut f.no_area, &mut f.no_heads),
            Some(Choice::Abstain) => (&mut f.abstain_area, &mut f.abstain_heads),
        };
        *a += area;
        *h += 1;
    }
    f
}

/// Art. 278 stated again with the smallest whole numbers that meet each fraction (ceiling and
/// floor division) instead of cross-multiplication.
fn oracle(category: Category, f: &Figures) -> Outcome {
    // Non-negative figures: (n + d - 1) / d is the ceiling of n / d.
    let ceil = |n: i128, d: i128| (n + d - 1) / d;
    let at_least_two_thirds = |part: i64, whole: i64| part as i128 >= ceil(2 * whole as i128, 3);
    let voted = (
        f.yes_area + f.no_area + f.abstain_area,
        f.yes_heads + f.no_heads + f.abstain_heads,
    );
    if f.total_heads == 0 || !at_least_two_thirds(voted.0, f.total_area) || !at_least_two_thirds(voted.1, f.total_heads)
    {
        return Outcome::FailedQuorum;
    }
    let three_quarters = |yes: i64, of: i64| yes as i128 >= ceil(3 * of as i128, 4);
    let more_than_half = |yes: i64, of: i64| yes > of / 2;
    let approves = match category.number() {
        6..=8 => three_quarters(f.yes_area, voted.0) && three_quarters(f.yes_heads, voted.1),
        _ => more_than_half(f.yes_area, voted.0) && more_than_half(f.yes_heads, voted.1),
    };
    if approves {
        Outcome::Passed
    } else {
        Outcome::Rejected
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn art_278_matches_brute_force(voters in electorate(), n in 1..=9i32) {
        let category = Category::from_number(n).unwrap();
        let f = tally(&voters);
        prop_assert_eq!(voting::outcome(category, &f), oracle(category, &f), "{:?}", f);
    }

    /// Who counts: one head per owner or set of co-owners however many units they hold, one
    /// for all the developer's units, one per delivered unit with no owner on record; every
    /// unit in exactly one voter; areas add up.
    #[test]
    fn headcount_matches_brute_force(
        units in prop::collection::vec(
            (1..100_000i64, any::<bool>(), prop::collection::vec(0..4usize, 0..3)),
            0..30,
        )
    ) {
        const PEOPLE: [&str; 4] = ["a", "b", "c", "d"];
        let inputs: Vec<UnitInput> = units
            .iter()
            .enumerate()
            .map(|(i, (area, dev, owners))| UnitInput {
                unit_id: format!("u{i}"),
                area_centi: *area,
                developer_held: *dev,
                owner_ids: owners.iter().map(|o| PEOPLE[*o].to_string()).collect(),
                designated_owner_id: None,
            })
            .collect();
        let voters = headcount::voters(&inputs);
        let totals = headcount::totals(&voters);

        let mut heads = std::collections::BTreeSet::new();
        for u in &inputs {
            let mut set: Vec<&str> = u.owner_ids.iter().map(String::as_str).collect();
            set.sort();
            set.dedup();
            heads.insert(match (u.developer_held, set.is_empty()) {
                (true, _) => "developer".to_string(),
                (false, true) => format!("unit {}", u.unit_id),
                (false, false) => set.join("+"),
            });
        }
        prop_assert_eq!(totals.total_heads, heads.len() as i64);
        prop_assert_eq!(totals.total_area_centi, inputs.iter().map(|u| u.area_centi).sum::<i64>());
        let mut placed: Vec<&String> = voters.iter().flat_map(|v| &v.unit_ids).collect();
        placed.sort();
        let mut all: Vec<&String> = inputs.iter().map(|u| &u.unit_id).collect();
        all.sort();
        prop_assert_eq!(placed, all);
        prop_assert!(voters.iter().filter(|v| v.key == VoterKey::Developer).count() <= 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Lifecycles: random sequences of steps never reach a state the table does not allow, and a
// refusal because of the state names the state it was in.

/// A refusal "not now" names the current status.
fn names_current<S: Term>(r: &Refused, now: S) -> Result<(), TestCaseError> {
    if let Refused::NotNow { now: named, .. } = r {
        prop_assert_eq!(*named, now.name());
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum ElectionStep {
    Nominate,
    Screen,
    Review,
    Publish,
    Finalize { over: bool, unanswered: usize },
}

fn election_step() -> impl Strategy<Value = ElectionStep> {
    prop_oneof![
        Just(ElectionStep::Nominate),
        Just(ElectionStep::Screen),
        Just(ElectionStep::Review),
        Just(ElectionStep::Publish),
        (any::<bool>(), 0..2usize).prop_map(|(over, unanswered)| ElectionStep::Finalize { over, unanswered }),
    ]
}

#[derive(Clone, Debug)]
enum CommitteeStep {
    RecordElection,
    Appoint,
    File { authority: u8 },
    FirstMeeting,
    Vacancy,
    StandDown,
    HandOver,
    End { past_term: bool },
}

fn committee_step() -> impl Strategy<Value = CommitteeStep> {
    prop_oneof![
        Just(CommitteeStep::RecordElection),
        Just(CommitteeStep::Appoint),
        (0..2u8).prop_map(|authority| CommitteeStep::File { authority }),
        Just(CommitteeStep::FirstMeeting),
        Just(CommitteeStep::Vacancy),
        Just(CommitteeStep::StandDown),
        Just(CommitteeStep::HandOver),
        any::<bool>().prop_map(|past_term| CommitteeStep::End { past_term }),
    ]
}

/// The committee's edges, written out: (from, to) pairs a step may take.
fn committee_edge_allowed(kind: CommitteeKind, from: CommitteeStatus, to: CommitteeStatus) -> bool {
    use CommitteeStatus::*;
    if from == to {
        return true;
    }
    let owners = kind == CommitteeKind::OwnersCommittee;
    matches!(
        (from, to),
        (Preparing, Elected) if owners
    ) || matches!((from, to), (Preparing, Active) if !owners)
        || matches!((from, to), (Elected, Filed | Active) | (Filed, Active | Elected))
        || (!from.ended() && matches!(to, Dissolving | Dissolved | TermEnded))
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn election_lifecycle(steps in prop::collection::vec(election_step(), 0..20)) {
        let mut s = ElectionStatus::Nominating;
        for step in steps {
            let before = s;
            let r = match step {
                ElectionStep::Nominate => s.nominate().map(|()| s),
                ElectionStep::Screen => s.screen(),
                ElectionStep::Review => s.review().map(|()| s),
                ElectionStep::Publish => s.publish(),
                ElectionStep::Finalize { over, unanswered } => {
                    let r = s.finalize(over, unanswered);
                    if r.is_ok() {
                        // Final only once the window ran out and every objection was answered.
                        prop_assert!(over && unanswered == 0);
                    }
                    r
                }
            };
            match r {
                Ok(next) => {
                    let forward = ElectionStatus::ALL.iter().position(|x| *x == next).unwrap()
                        .checked_sub(ElectionStatus::ALL.iter().position(|x| *x == before).unwrap());
                    // One step at a time, never back.
                    prop_assert!(matches!(forward, Some(0 | 1)), "{:?} -> {:?}", before, next);
                    s = next;
                }
                Err(e) => names_current(&e, before)?,
            }
        }
    }

    #[test]
    fn committee_lifecycle(
        owners in any::<bool>(),
        steps in prop::collection::vec(committee_step(), 0..25),
    ) {
        let kind = if owners { CommitteeKind::OwnersCommittee } else { CommitteeKind::PropertyManagementCommittee };
        let mut s = CommitteeStatus::form(kind, &[]).unwrap();
        let (mut filed, mut met) = ([false; 2], false);
        for step in steps {
            let before = s;
            let r = match step {
                CommitteeStep::RecordElection => s.record_election(kind),
                CommitteeStep::Appoint => s.appoint(kind),
                CommitteeStep::File { authority } => s.file(kind).map(|()| {
                    filed[authority as usize] = true;
                    s.settle(filed == [true; 2], met)
                }),
                CommitteeStep::FirstMeeting => s.first_meeting(kind, met).map(|()| {
                    met = true;
                    s.settle(filed == [true; 2], met)
                }),
                CommitteeStep::Vacancy => s.vacancy().map(|()| s),
                CommitteeStep::StandDown => Ok(s.stand_down()),
                CommitteeStep::HandOver => s.hand_over(),
                CommitteeStep::End { past_term } => s.end(past_term),
            };
            match r {
                Ok(next) => {
                    prop_assert!(committee_edge_allowed(kind, before, next), "{:?}: {:?} -> {:?}", kind, before, next);
                    // An elected owners' committee is active only once filed with both
                    // authorities and after its first meeting.
                    if owners && next == CommitteeStatus::Active && before != CommitteeStatus::Active {
                        prop_assert!(filed == [true; 2] && met);
                    }
                    s = next;
                }
                Err(e) => {
                    names_current(&e, before)?;
                    prop_assert_eq!(s, before);
                }
            }
            if before.ended() {
                prop_assert_eq!(s, before, "an ended committee stays ended");
            }
        }
    }
}
