//! Joint meetings (联席会议) and their minutes (RULES.md §5): the community party organisation
//! convenes the estate's parties; attendance is taken per invited party; the convenor drafts the
//! minutes, every attending party confirms them (or asks for a correction), and only then are
//! they published — and frozen: a correction after publication is a new version that supersedes
//! the old one, never an edit. Decisions create action items (督办事项) followed to done.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::lifecycle::Refused;
use crate::error::codes;
use crate::term_enum;

term_enum!(
    /// What kind of meeting.
    MeetingKind, "a meeting's kind (会议类型)", {
        /// The monthly joint meeting of the community party organisation, the estate's party
        /// branch, its committee and its company.
        JointMonthly = "joint_monthly", "联席会议";
        /// The quarterly party-building joint meeting.
        PartyBuildingQuarterly = "party_building_quarterly", "一季一议";
        /// An ad hoc meeting on one matter.
        AdHoc = "ad_hoc", "一事一商";
        /// A multi-party council with departments.
        Council = "council", "议事会";
    }
);

term_enum!(
    /// Who a meeting invites.
    PartyKind, "an invited party (参会方)", {
        /// A party organisation (the community's, the estate's branch).
        PartyOrg = "party_org", "党组织";
        /// The estate's owners' committee or property management committee.
        Committee = "committee", "业委会/物管会";
        /// The property company.
        Company = "company", "物业服务企业";
        /// A county department.
        Department = "department", "职能部门";
        /// A named person (a grid worker, a police officer, an owners' representative).
        Person = "person", "个人";
    }
);

term_enum!(
    /// Whether an invited party came.
    Attendance, "a party's attendance (出席情况)", {
        /// Invited; attendance not yet recorded.
        Invited = "invited", "已邀请";
        Present = "present", "出席";
        Absent = "absent", "缺席";
        /// Present through a representative (named).
        Represented = "represented", "委托出席";
    }
);

impl Attendance {
    /// Whether the party took part (and so confirms the minutes).
    pub fn attended(self) -> bool {
        matches!(self, Attendance::Present | Attendance::Represented)
    }
}

/// The parties a monthly joint meeting needs present unless its county says otherwise: the
/// community party organisation, the committee (or 物管会) and the company.
pub const JOINT_QUORUM_DEFAULT: [PartyKind; 3] = [PartyKind::PartyOrg, PartyKind::Committee, PartyKind::Company];

/// Whether a meeting had its quorum: a joint meeting needs a party of each kind in
/// `joint_quorum` (its county's setting) present or represented; other kinds need someone
/// present.
pub fn quorum(kind: MeetingKind, attending: &[PartyKind], joint_quorum: &[PartyKind]) -> bool {
    match kind {
        MeetingKind::JointMonthly => !attending.is_empty() && joint_quorum.iter().all(|k| attending.contains(k)),
        _ => !attending.is_empty(),
    }
}

term_enum!(
    /// Where a version of the minutes stands.
    MinutesStatus, "a version of the minutes (会议纪要状态)", {
        /// The convenor writes it.
        Draft = "draft", "草稿";
        /// Sent to the attending parties, who confirm or ask for a correction.
        Confirming = "confirming", "待确认";
        /// Confirmed by every attending party and published: frozen.
        Published = "published", "已发布";
        /// Published, then replaced by a later published version.
        Superseded = "superseded", "已更正";
    }
);

impl MinutesStatus {
    /// The convenor edits a draft (and only a draft: sent minutes go back to draft through a
    /// party's correction request; published ones are corrected by a new version).
    pub fn edit(self) -> Result<MinutesStatus, Refused> {
        match self {
            MinutesStatus::Draft => Ok(MinutesStatus::Draft),
            now => Err(Refused::not_now(codes::MINUTES_NOT_DRAFT, now, "editing the minutes")),
        }
    }

    /// The convenor sends the draft to the attending parties.
    pub fn send(self) -> Result<MinutesStatus, Refused> {
        match self {
            MinutesStatus::Draft => Ok(MinutesStatus::Confirming),
            now => Err(Refused::not_now(
                codes::MINUTES_NOT_DRAFT,
                now,
                "sending the minutes for confirmation",
            )),
        }
    }

    /// An attending party confirms, or asks for a correction (which returns them to draft and
    /// clears the confirmations given so far: the parties confirm the text they read).
    pub fn answer(self, correction: bool) -> Result<MinutesStatus, Refused> {
        match self {
            MinutesStatus::Confirming if correction => Ok(MinutesStatus::Draft),
            MinutesStatus::Confirming => Ok(MinutesStatus::Confirming),
            now => Err(Refused::not_now(
                codes::MINUTES_NOT_CONFIRMING,
                now,
                "answering the minutes",
            )),
        }
    }

    /// The convenor publishes, once every attending party has confirmed.
    pub fn publish(self, unconfirmed: usize) -> Result<MinutesStatus, Refused> {
        match self {
            MinutesStatus::Confirming if unconfirmed == 0 => Ok(MinutesStatus::Published),
            MinutesStatus::Confirming => Err(Refused::conflict(
                codes::MINUTES_NOT_CONFIRMED,
                format!("{unconfirmed} attending part(ies) have not confirmed the minutes"),
            )),
            now => Err(Refused::not_now(
                codes::MINUTES_NOT_CONFIRMING,
                now,
                "publishing the minutes",
            )),
        }
    }

    /// A correction of published minutes: a new version starts as a draft; this one stays
    /// published until the new one is, then is superseded.
    pub fn correct(self) -> Result<MinutesStatus, Refused> {
        match self {
            MinutesStatus::Published => Ok(MinutesStatus::Draft),
            now => Err(Refused::not_now(
                codes::MINUTES_NOT_PUBLISHED,
                now,
                "correcting the minutes",
            )),
        }
    }
}

term_enum!(
    /// Where an action item (督办事项) stands.
    ActionStatus, "an action item's status (督办状态)", {
        /// Being worked on by the responsible party.
        Open = "open", "督办中";
        /// Reported done; the convenor accepts or sends it back.
        Reported = "reported", "待验收";
        /// Accepted as done.
        Done = "done", "已办结";
    }
);

impl ActionStatus {
    pub fn note_progress(self) -> Result<ActionStatus, Refused> {
        match self {
            ActionStatus::Open => Ok(ActionStatus::Open),
            now => Err(Refused::not_now(codes::ACTION_NOT_OPEN, now, "noting progress")),
        }
    }

    pub fn report_done(self) -> Result<ActionStatus, Refused> {
        match self {
            ActionStatus::Open => Ok(ActionStatus::Reported),
            now => Err(Refused::not_now(
                codes::ACTION_NOT_OPEN,
                now,
                "reporting the action item done",
            )),
        }
    }

    /// The convenor accepts the report, or sends it back.
    pub fn review(self, accept: bool) -> Result<ActionStatus, Refused> {
        match self {
            ActionStatus::Reported if accept => Ok(ActionStatus::Done),
            ActionStatus::Reported => Ok(ActionStatus::Open),
            now => Err(Refused::not_now(
                codes::ACTION_NOT_REPORTED,
                now,
                "reviewing the action item",
            )),
        }
    }
}

/// Attendance and minutes record a meeting that took place: nothing of it is recorded before it
/// starts (`now` is server time).
pub fn under_way(starts_at: NaiveDateTime, now: NaiveDateTime) -> Result<(), Refused> {
    if now < starts_at {
        return Err(Refused::rule(
            codes::MEETING_NOT_STARTED,
            format!(
                "the meeting starts at {} UTC; record its attendance and minutes after that",
                starts_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    Ok(())
}

/// Whether an action item is overdue on `today` (China Standard Time): not done after its due day.
pub fn action_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status != ActionStatus::Done && today > due_on
}

/// The first and last day of a calendar month or quarter.
type Period = (NaiveDate, NaiveDate);

fn period(first: NaiveDate, months: u32) -> Period {
    let (y, m) = (first.year(), first.month0() + months);
    let next = NaiveDate::from_ymd_opt(y + (m / 12) as i32, m % 12 + 1, 1).expect("a first of the month");
    (first, next.pred_opt().expect("a day before the first"))
}

/// The calendar month of `day`.
pub fn month_of(day: NaiveDate) -> Period {
    period(day.with_day(1).expect("every month has a first"), 1)
}

/// The calendar quarter of `day`.
pub fn quarter_of(day: NaiveDate) -> Period {
    let first = NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).expect("a quarter's first day");
    period(first, 3)
}

/// The cadence of RULES.md §5: a joint meeting every calendar month for each estate, a
/// party-building joint meeting every quarter for each community. Other kinds have none.
pub fn cadence(kind: MeetingKind) -> Option<fn(NaiveDate) -> Period> {
    match kind {
        MeetingKind::JointMonthly => Some(month_of),
        MeetingKind::PartyBuildingQuarterly => Some(quarter_of),
        _ => None,
    }
}

/// A period's meeting of a cadence: the period's last day, the day a meeting of it was held
/// (on record with published minutes), and whether the period is over without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owed {
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// The meetings of `kind` a scope owes on `today` (China Standard Time), for the period before
/// today's and for today's own: each with the day its meeting was held (`held`: the days of
/// meetings on record), or overdue once the period is over without one. A scope owes a meeting
/// only for a period it existed for from its first day (`since`, the day it was registered): an
/// estate registered on the 27th owes none that month.
pub fn meetings_owed(kind: MeetingKind, since: NaiveDate, held: &[NaiveDate], today: NaiveDate) -> Vec<Owed> {
    let Some(period_of) = cadence(kind) else {
        return Vec::new();
    };
    let current = period_of(today);
    let previous = period_of(current.0.pred_opt().expect("a day before the period"));
    [previous, current]
        .into_iter()
        .filter(|(first, _)| *first >= since)
        .map(|(first, last)| {
            let done_on = held.iter().filter(|d| first <= **d && **d <= last).min().copied();
            Owed {
                due_on: last,
                done_on,
                overdue: done_on.is_none() && today > last,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The periods of `meetings_owed` still without a meeting: (last day, overdue).
    fn missing_meetings(
        kind: MeetingKind,
        since: NaiveDate,
        held: &[NaiveDate],
        today: NaiveDate,
    ) -> Vec<(NaiveDate, bool)> {
        meetings_owed(kind, since, held, today)
            .into_iter()
            .filter(|o| o.done_on.is_none())
            .map(|o| (o.due_on, o.overdue))
            .collect()
    }

    #[test]
    fn nothing_is_recorded_before_the_meeting_starts() {
        let start = d("2026-12-04").and_hms_opt(6, 30, 0).unwrap();
        let second = chrono::Duration::seconds(1);
        assert!(matches!(
            under_way(start, start - second),
            Err(Refused::Rule { code, .. }) if code == codes::MEETING_NOT_STARTED
        ));
        assert!(under_way(start, start).is_ok());
        assert!(under_way(start, start + second).is_ok());
    }

    #[test]
    fn months_and_quarters_are_calendar_periods() {
        assert_eq!(month_of(d("2026-02-14")), (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(month_of(d("2026-12-31")), (d("2026-12-01"), d("2026-12-31")));
        assert_eq!(quarter_of(d("2026-11-27")), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(quarter_of(d("2027-01-01")), (d("2027-01-01"), d("2027-03-31")));
    }

    #[test]
    fn a_month_without_a_joint_meeting_is_owed_and_overdue_once_over() {
        let k = MeetingKind::JointMonthly;
        let since = d("2026-01-15");
        // 10 March: February had none (overdue), March has none yet (due 31 March).
        assert_eq!(
            missing_meetings(k, since, &[], d("2026-03-10")),
            vec![(d("2026-02-28"), true), (d("2026-03-31"), false)]
        );
        // A meeting on the last day of February counts for February; one on 1 March for March.
        assert_eq!(
            missing_meetings(k, since, &[d("2026-02-28")], d("2026-03-10")),
            vec![(d("2026-03-31"), false)]
        );
        assert_eq!(
            missing_meetings(k, since, &[d("2026-03-01")], d("2026-03-10")),
            vec![(d("2026-02-28"), true)]
        );
        // Registered on 1 March, it owes March only; on 2 March, nothing yet; on 1 February, both.
        assert_eq!(
            missing_meetings(k, d("2026-03-01"), &[], d("2026-03-10")),
            vec![(d("2026-03-31"), false)]
        );
        assert!(missing_meetings(k, d("2026-03-02"), &[], d("2026-03-10")).is_empty());
        assert_eq!(missing_meetings(k, d("2026-02-01"), &[], d("2026-03-10")).len(), 2);
        assert_eq!(missing_meetings(k, d("2026-02-02"), &[], d("2026-03-10")).len(), 1);
        assert!(missing_meetings(MeetingKind::AdHoc, since, &[], d("2026-03-10")).is_empty());
    }

    #[test]
    fn a_met_period_keeps_the_day_it_was_met() {
        let k = MeetingKind::JointMonthly;
        let owed = meetings_owed(k, d("2026-01-01"), &[d("2026-02-20"), d("2026-02-03")], d("2026-03-10"));
        assert_eq!(
            owed,
            vec![
                Owed {
                    due_on: d("2026-02-28"),
                    done_on: Some(d("2026-02-03")),
                    overdue: false
                },
                Owed {
                    due_on: d("2026-03-31"),
                    done_on: None,
                    overdue: false
                },
            ]
        );
        // Met on the last day of the month: on time, not overdue the day after.
        let owed = meetings_owed(k, d("2026-01-01"), &[d("2026-02-28")], d("2026-03-01"));
        assert_eq!(
            owed[0],
            Owed {
                due_on: d("2026-02-28"),
                done_on: Some(d("2026-02-28")),
                overdue: false
            }
        );
    }

    #[test]
    fn a_quarter_without_a_party_building_meeting_is_owed() {
        let k = MeetingKind::PartyBuildingQuarterly;
        assert_eq!(
            missing_meetings(k, d("2026-01-01"), &[d("2026-02-03")], d("2026-04-01")),
            vec![(d("2026-06-30"), false)]
        );
        assert_eq!(
            missing_meetings(k, d("2026-01-01"), &[], d("2026-04-01")),
            vec![(d("2026-03-31"), true), (d("2026-06-30"), false)]
        );
    }

    #[test]
    fn a_joint_meeting_needs_the_three_parties() {
        use PartyKind::*;
        let q = &JOINT_QUORUM_DEFAULT;
        assert!(quorum(MeetingKind::JointMonthly, &[PartyOrg, Committee, Company], q));
        assert!(!quorum(
            MeetingKind::JointMonthly,
            &[PartyOrg, Committee, Department],
            q
        ));
        assert!(!quorum(MeetingKind::JointMonthly, &[], q));
        assert!(quorum(MeetingKind::AdHoc, &[Person], q));
        assert!(!quorum(MeetingKind::Council, &[], q));
    }

    #[test]
    fn a_county_sets_its_own_joint_quorum() {
        use PartyKind::*;
        // A county that asks only for the party organisation and the committee…
        let q = &[PartyOrg, Committee];
        assert!(quorum(MeetingKind::JointMonthly, &[PartyOrg, Committee], q));
        assert!(!quorum(MeetingKind::JointMonthly, &[PartyOrg, Company], q));
        // …or that adds a department.
        let q = &[PartyOrg, Committee, Company, Department];
        assert!(!quorum(MeetingKind::JointMonthly, &[PartyOrg, Committee, Company], q));
        assert!(quorum(
            MeetingKind::JointMonthly,
            &[PartyOrg, Committee, Company, Department],
            q
        ));
        // Even with nothing required, a meeting nobody attended had no quorum.
        assert!(!quorum(MeetingKind::JointMonthly, &[], &[]));
    }

    #[test]
    fn minutes_are_published_only_when_all_confirmed_and_then_frozen() {
        use MinutesStatus::*;
        assert_eq!(Draft.send(), Ok(Confirming));
        assert!(Confirming.edit().is_err());
        assert!(matches!(Confirming.publish(1), Err(Refused::Conflict { .. })));
        assert_eq!(Confirming.publish(0), Ok(Published));
        assert!(Draft.publish(0).is_err());
        assert_eq!(Confirming.answer(true), Ok(Draft));
        assert_eq!(Confirming.answer(false), Ok(Confirming));
        for s in [Draft, Published, Superseded] {
            assert!(s.answer(false).is_err());
        }
        for s in [Confirming, Published, Superseded] {
            assert!(s.edit().is_err(), "{s:?}");
        }
        assert_eq!(Published.correct(), Ok(Draft));
        for s in [Draft, Confirming, Superseded] {
            assert!(s.correct().is_err());
        }
    }

    #[test]
    fn action_items_follow_report_and_review() {
        use ActionStatus::*;
        assert_eq!(Open.report_done(), Ok(Reported));
        assert_eq!(Reported.review(false), Ok(Open));
        assert_eq!(Reported.review(true), Ok(Done));
        assert!(Open.review(true).is_err());
        assert!(Done.report_done().is_err());
        assert!(Reported.note_progress().is_err());
        let due = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert!(!action_overdue(Open, due, due));
        assert!(action_overdue(Open, due, due.succ_opt().unwrap()));
        assert!(action_overdue(Reported, due, due.succ_opt().unwrap()));
        assert!(!action_overdue(Done, due, due.succ_opt().unwrap()));
    }
}
