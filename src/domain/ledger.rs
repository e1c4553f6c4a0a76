//! The problem ledger (问题台账, RULES.md §5): "residents order, the community dispatches, party
//! members take the order" (点单-派单-接单). An item is reported, dispatched to an assignee, accepted
//! (or declined back to the community), worked with progress notes, reported done with evidence,
//! then confirmed and rated by its reporter or reopened; an item its reporter leaves unconfirmed
//! closes as confirmed by default when the confirmation window runs out. Service levels (accept
//! within hours, done within days of the dispatch) make an item overdue; overdue is computed from
//! the stored due times and the server's clock, never stored.

use chrono::{Duration, NaiveDateTime};

use super::lifecycle::Refused;
use super::window;
use crate::error::codes;
use crate::term_enum;

term_enum!(
    /// What a ledger item is about.
    Category, "a ledger item's category (问题类别)", {
        /// Fees and charges.
        Fees = "fees", "物业收费";
        /// Parking.
        Parking = "parking", "停车管理";
        /// Environment and sanitation.
        Sanitation = "sanitation", "环境卫生";
        /// Facilities and repairs.
        Repairs = "repairs", "设施维修";
        /// Security.
        Security = "security", "治安安全";
        /// Greening.
        Greening = "greening", "绿化养护";
        /// Disputes between neighbours.
        Neighbours = "neighbours", "邻里纠纷";
        /// Elevators.
        Elevator = "elevator", "电梯";
        /// Water, power and heating.
        Utilities = "utilities", "水电暖";
        /// Anything else.
        Other = "other", "其他";
    }
);

term_enum!(
    /// Where a ledger item stands.
    ItemStatus, "a ledger item's status (台账事项状态)", {
        /// Reported (or declined, and so back with the community): waiting to be dispatched.
        Reported = "reported", "待派单";
        /// Dispatched to an assignee, who has not yet accepted.
        Dispatched = "dispatched", "已派单";
        /// Accepted: the assignee is working on it.
        InProgress = "in_progress", "处理中";
        /// Reported done; the reporter confirms or reopens before the window runs out.
        Resolved = "resolved", "待确认";
        /// Confirmed by the reporter, or by default when the window ran out.
        Confirmed = "confirmed", "已办结";
    }
);

term_enum!(
    /// Who an item is dispatched to.
    AssigneeKind, "who takes a ledger item (接单方)", {
        /// A party member: an owner with a party post (党员接单).
        PartyMember = "party_member", "党员";
        /// A community's volunteer team.
        VolunteerTeam = "volunteer_team", "志愿服务队";
        /// The property company under contract for the estate.
        Company = "company", "物业服务企业";
        /// A department organisation of the county.
        Department = "department", "职能部门";
    }
);

term_enum!(
    /// One step in an item's history.
    Step, "a step of a ledger item (办理环节)", {
        Report = "report", "上报";
        Dispatch = "dispatch", "派单";
        Accept = "accept", "接单";
        Decline = "decline", "退单";
        Progress = "progress", "进展";
        Done = "done", "办结上报";
        Confirm = "confirm", "确认评价";
        Reopen = "reopen", "重新办理";
    }
);

/// A county's service level for one category: accept within `accept_hours` of the dispatch,
/// report done within `done_days` days of it (counted as every window is, `domain::window`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceLevel {
    pub accept_hours: u32,
    pub done_days: u32,
}

impl ServiceLevel {
    /// 24 hours to accept, 7 days to be done, unless the county sets others.
    pub const DEFAULT: ServiceLevel = ServiceLevel {
        accept_hours: 24,
        done_days: 7,
    };
    /// The bounds a county may set: at least an hour and a day; at most a month and a year.
    pub const ACCEPT_HOURS: (u32, u32) = (1, 720);
    pub const DONE_DAYS: (u32, u32) = (1, 365);

    /// The due times of an item dispatched at `at`: the first instants at which it is overdue
    /// if not yet accepted, and if not yet reported done.
    pub fn due(self, at: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
        (
            at + Duration::hours(self.accept_hours as i64),
            window::end(at, self.done_days),
        )
    }
}

/// Days a reporter has to confirm or reopen a resolved item before it closes as confirmed.
pub const CONFIRM_DAYS_DEFAULT: u32 = 7;
/// The bounds a county may set for them.
pub const CONFIRM_DAYS: (u32, u32) = (1, 60);

/// The first instant at which an item resolved at `resolved_at` counts as confirmed by default.
pub fn confirm_by(resolved_at: NaiveDateTime, days: u32) -> NaiveDateTime {
    window::end(resolved_at, days)
}

/// A handling rating, 1–5.
pub const RATING: (i32, i32) = (1, 5);

impl ItemStatus {
    /// The status a reader sees at `now`: a resolved item whose confirmation window has run out
    /// is confirmed (by default) even before anyone records it.
    pub fn shown(self, confirm_by: Option<NaiveDateTime>, now: NaiveDateTime) -> ItemStatus {
        match (self, confirm_by) {
            (ItemStatus::Resolved, Some(by)) if now >= by => ItemStatus::Confirmed,
            (s, _) => s,
        }
    }

    /// The community dispatches an item waiting for it, or dispatches again one that its
    /// assignee has not accepted yet (to someone else).
    pub fn dispatch(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::Reported | ItemStatus::Dispatched => Ok(ItemStatus::Dispatched),
            now => Err(Refused::not_now(
                codes::ITEM_NOT_OPEN_FOR_DISPATCH,
                now,
                "dispatching the item",
            )),
        }
    }

    /// The assignee accepts.
    pub fn accept(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::Dispatched => Ok(ItemStatus::InProgress),
            now => Err(Refused::not_now(codes::ITEM_NOT_DISPATCHED, now, "accepting the item")),
        }
    }

    /// The assignee declines (with a reason): the item is the community's again.
    pub fn decline(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::Dispatched => Ok(ItemStatus::Reported),
            now => Err(Refused::not_now(codes::ITEM_NOT_DISPATCHED, now, "declining the item")),
        }
    }

    /// The assignee notes progress (the status stays).
    pub fn note_progress(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::InProgress => Ok(ItemStatus::InProgress),
            now => Err(Refused::not_now(codes::ITEM_NOT_IN_PROGRESS, now, "noting progress")),
        }
    }

    /// The assignee reports the item done.
    pub fn report_done(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::InProgress => Ok(ItemStatus::Resolved),
            now => Err(Refused::not_now(
                codes::ITEM_NOT_IN_PROGRESS,
                now,
                "reporting the item done",
            )),
        }
    }

    /// The reporter confirms (`self` is the status shown: a window that ran out confirmed it).
    pub fn confirm(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::Resolved => Ok(ItemStatus::Confirmed),
            now => Err(Refused::not_now(codes::ITEM_NOT_RESOLVED, now, "confirming the item")),
        }
    }

    /// The reporter reopens (with a reason): back to the assignee.
    pub fn reopen(self) -> Result<ItemStatus, Refused> {
        match self {
            ItemStatus::Resolved => Ok(ItemStatus::InProgress),
            now => Err(Refused::not_now(codes::ITEM_NOT_RESOLVED, now, "reopening the item")),
        }
    }
}

/// An item tabled at a meeting closes only when the action items following it up are done
/// (RULES.md §5: tabled, decided, assigned, followed until closed): until then it is neither
/// reported done nor confirmed.
pub fn closable(open_actions: i64) -> Result<(), Refused> {
    if open_actions > 0 {
        return Err(Refused::conflict(
            codes::ITEM_HAS_OPEN_ACTIONS,
            format!("{open_actions} action item(s) following up this item are not done"),
        ));
    }
    Ok(())
}

/// Whether an item is overdue at `now`: dispatched and not accepted when its accept time is up,
/// or accepted and not reported done when its done time is up (`ServiceLevel::due`).
pub fn overdue(
    status: ItemStatus,
    accept_due: Option<NaiveDateTime>,
    done_due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    match status {
        ItemStatus::Dispatched => accept_due.is_some_and(|d| now >= d),
        ItemStatus::InProgress => done_due.is_some_and(|d| now >= d),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn cst(d: &str, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            - Duration::hours(8)
    }

    #[test]
    fn every_step_is_refused_outside_its_status() {
        use ItemStatus::*;
        for s in ItemStatus::ALL.iter().copied() {
            assert_eq!(s.dispatch().is_ok(), matches!(s, Reported | Dispatched), "{s:?}");
            assert_eq!(s.accept().is_ok(), s == Dispatched, "{s:?}");
            assert_eq!(s.decline().is_ok(), s == Dispatched, "{s:?}");
            assert_eq!(s.note_progress().is_ok(), s == InProgress, "{s:?}");
            assert_eq!(s.report_done().is_ok(), s == InProgress, "{s:?}");
            assert_eq!(s.confirm().is_ok(), s == Resolved, "{s:?}");
            assert_eq!(s.reopen().is_ok(), s == Resolved, "{s:?}");
        }
        assert_eq!(Dispatched.decline(), Ok(Reported));
        assert_eq!(Resolved.reopen(), Ok(InProgress));
        match Confirmed.reopen() {
            Err(Refused::NotNow { now, code, .. }) => {
                assert_eq!(now, "confirmed");
                assert_eq!(code, codes::ITEM_NOT_RESOLVED);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_tabled_item_closes_only_with_its_action_items_done() {
        assert!(closable(0).is_ok());
        assert!(matches!(closable(1), Err(Refused::Conflict { code, .. }) if code == codes::ITEM_HAS_OPEN_ACTIONS));
    }

    #[test]
    fn an_unconfirmed_item_closes_when_its_window_runs_out() {
        // Resolved on 1 March (CST), 7 days: the last day inside is 8 March.
        let resolved = cst("2026-03-01", 10, 0);
        let by = confirm_by(resolved, 7);
        let shown = |now| ItemStatus::Resolved.shown(Some(by), now);
        assert_eq!(shown(cst("2026-03-08", 23, 59)), ItemStatus::Resolved);
        assert_eq!(shown(cst("2026-03-09", 0, 0)), ItemStatus::Confirmed);
        assert!(shown(cst("2026-03-09", 0, 0)).confirm().is_err());
        assert_eq!(
            ItemStatus::InProgress.shown(Some(by), cst("2027-01-01", 0, 0)),
            ItemStatus::InProgress
        );
    }

    #[test]
    fn overdue_at_the_service_levels_boundaries() {
        let at = cst("2026-03-01", 10, 0);
        let (accept_by, done_by) = ServiceLevel::DEFAULT.due(at);
        assert_eq!(accept_by, at + Duration::hours(24));
        assert_eq!(done_by, cst("2026-03-09", 0, 0));
        let d = ItemStatus::Dispatched;
        assert!(!overdue(
            d,
            Some(accept_by),
            Some(done_by),
            accept_by - Duration::seconds(1)
        ));
        assert!(overdue(d, Some(accept_by), Some(done_by), accept_by));
        assert!(overdue(
            d,
            Some(accept_by),
            Some(done_by),
            accept_by + Duration::seconds(1)
        ));
        let p = ItemStatus::InProgress;
        assert!(!overdue(p, Some(accept_by), Some(done_by), cst("2026-03-08", 23, 59)));
        assert!(!overdue(
            p,
            Some(accept_by),
            Some(done_by),
            done_by - Duration::seconds(1)
        ));
        assert!(overdue(p, Some(accept_by), Some(done_by), done_by));
        for s in [ItemStatus::Reported, ItemStatus::Resolved, ItemStatus::Confirmed] {
            assert!(!overdue(
                s,
                Some(accept_by),
                Some(done_by),
                done_by + Duration::days(30)
            ));
        }
    }
}

/// What the figures need of one ledger item.
#[derive(Clone, Debug)]
pub struct ItemFacts {
    pub category: Category,
    pub status: ItemStatus,
    pub assignee_kind: Option<AssigneeKind>,
    pub created_at: NaiveDateTime,
    pub dispatched_at: Option<NaiveDateTime>,
    pub accept_due: Option<NaiveDateTime>,
    pub done_due: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
}

/// A count per category or per assignee kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub received: i64,
    pub dispatched: i64,
    pub resolved: i64,
}

/// What an event in an item's life counts for in the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// Reported.
    Received,
    /// Dispatched (for the last time).
    Dispatched,
    /// Reported done.
    Resolved,
    /// Accepted this many whole hours after its dispatch.
    AcceptHours(i64),
    /// Reported done this many whole hours after it was reported.
    ResolveHours(i64),
}

impl Measure {
    /// The stored name and hours of a measure (`ledger_tallies.measure`, `.hours`).
    pub fn stored(self) -> (&'static str, i64) {
        match self {
            Measure::Received => ("received", 0),
            Measure::Dispatched => ("dispatched", 0),
            Measure::Resolved => ("resolved", 0),
            Measure::AcceptHours(h) => ("accept_hours", h),
            Measure::ResolveHours(h) => ("resolve_hours", h),
        }
    }

    pub fn from_stored(name: &str, hours: i64) -> Option<Measure> {
        Some(match name {
            "received" => Measure::Received,
            "dispatched" => Measure::Dispatched,
            "resolved" => Measure::Resolved,
            "accept_hours" => Measure::AcceptHours(hours),
            "resolve_hours" => Measure::ResolveHours(hours),
            _ => return None,
        })
    }
}

/// One event of an item as the figures count it: on which day (China Standard Time), of which
/// category, taken by which kind of assignee (for the dispatch and the resolution), what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mark {
    pub day: chrono::NaiveDate,
    pub category: Category,
    pub assignee_kind: Option<AssigneeKind>,
    pub measure: Measure,
}

/// The marks an item makes as it stands: its report, its (last) dispatch, its acceptance and
/// its resolution, each on the day it happened. The figures of a period are the marks of its
/// days, whether added up from the items or from the county's running tallies (`ledger_tallies`,
/// kept as each item changes: the marks of its new state less those of its old).
pub fn marks(i: &ItemFacts) -> Vec<Mark> {
    let mark = |t: NaiveDateTime, assignee_kind, measure| Mark {
        day: super::ids::local_date(t),
        category: i.category,
        assignee_kind,
        measure,
    };
    let mut out = vec![mark(i.created_at, None, Measure::Received)];
    if let Some(d) = i.dispatched_at {
        out.push(mark(d, i.assignee_kind, Measure::Dispatched));
        if let Some(a) = i.accepted_at {
            out.push(mark(a, None, Measure::AcceptHours((a - d).num_hours())));
        }
    }
    if let Some(r) = i.resolved_at {
        out.push(mark(r, i.assignee_kind, Measure::Resolved));
        out.push(mark(r, None, Measure::ResolveHours((r - i.created_at).num_hours())));
    }
    out
}

/// The ledger's figures for a period, as the seed articles report them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerFigures {
    /// Reported in the period.
    pub received: i64,
    /// Dispatched (for the last time) in the period.
    pub dispatched: i64,
    /// Reported done in the period (resolved, or since confirmed).
    pub resolved: i64,
    /// Open and overdue at `now`.
    pub overdue_now: i64,
    /// Median whole hours from dispatch to acceptance, of the items accepted in the period.
    pub median_accept_hours: Option<i64>,
    /// Median whole hours from report to done, of the items resolved in the period.
    pub median_resolve_hours: Option<i64>,
    /// Of the items resolved in the period, how many by party members (党员接单).
    pub resolved_by_party_members: i64,
    pub by_category: Vec<(Category, Counts)>,
    pub by_assignee: Vec<(AssigneeKind, Counts)>,
}

/// The median of counted values (the lower middle of an even count: a figure that was observed).
fn median(mut v: Vec<(i64, i64)>) -> Option<i64> {
    v.sort_unstable();
    let total: i64 = v.iter().map(|(_, n)| n).sum();
    let mut below = (total - 1) / 2;
    for (value, n) in v {
        if below < n {
            return Some(value);
        }
        below -= n;
    }
    None
}

/// The figures of counted marks (each with how many items made it), all of the period's days,
/// and the number of items overdue now.
pub fn figures_of(marks: impl IntoIterator<Item = (Mark, i64)>, overdue_now: i64) -> LedgerFigures {
    let mut f = LedgerFigures {
        overdue_now,
        by_category: Category::ALL.iter().map(|c| (*c, Counts::default())).collect(),
        by_assignee: AssigneeKind::ALL.iter().map(|k| (*k, Counts::default())).collect(),
        ..LedgerFigures::default()
    };
    let (mut accept, mut resolve) = (Vec::new(), Vec::new());
    for (m, n) in marks {
        let by_category = &mut f
            .by_category
            .iter_mut()
            .find(|(c, _)| *c == m.category)
            .expect("every category")
            .1;
        let by_kind = m
            .assignee_kind
            .and_then(|k| f.by_assignee.iter().position(|(x, _)| *x == k));
        match m.measure {
            Measure::Received => {
                f.received += n;
                by_category.received += n;
            }
            Measure::Dispatched => {
                f.dispatched += n;
                by_category.dispatched += n;
                if let Some(k) = by_kind {
                    f.by_assignee[k].1.dispatched += n;
                }
            }
            Measure::Resolved => {
                f.resolved += n;
                by_category.resolved += n;
                if let Some(k) = by_kind {
                    f.by_assignee[k].1.resolved += n;
                }
                if m.assignee_kind == Some(AssigneeKind::PartyMember) {
                    f.resolved_by_party_members += n;
                }
            }
            Measure::AcceptHours(h) => accept.push((h, n)),
            Measure::ResolveHours(h) => resolve.push((h, n)),
        }
    }
    f.median_accept_hours = median(accept);
    f.median_resolve_hours = median(resolve);
    f
}

/// The figures of `items` for the days `from` to `until` (both included), with the open items'
/// lateness at `now`.
pub fn figures(
    items: &[ItemFacts],
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
    now: NaiveDateTime,
) -> LedgerFigures {
    let marks = items
        .iter()
        .flat_map(marks)
        .filter(|m| from <= m.day && m.day <= until)
        .map(|m| (m, 1));
    let late = items
        .iter()
        .filter(|i| overdue(i.status, i.accept_due, i.done_due, now))
        .count();
    figures_of(marks, late as i64)
}

#[cfg(test)]
mod figures_tests {
    use super::*;

    fn at(h: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + Duration::hours(h)
    }

    fn item(
        category: Category,
        created: i64,
        dispatched: Option<i64>,
        accepted: Option<i64>,
        resolved: Option<i64>,
        kind: Option<AssigneeKind>,
    ) -> ItemFacts {
        let status = match (dispatched, accepted, resolved) {
            (_, _, Some(_)) => ItemStatus::Resolved,
            (_, Some(_), None) => ItemStatus::InProgress,
            (Some(_), None, None) => ItemStatus::Dispatched,
            _ => ItemStatus::Reported,
        };
        ItemFacts {
            category,
            status,
            assignee_kind: kind,
            created_at: at(created),
            dispatched_at: dispatched.map(at),
            accept_due: dispatched.map(|d| at(d + 24)),
            done_due: dispatched.map(|d| at(d + 24 * 7)),
            accepted_at: accepted.map(at),
            resolved_at: resolved.map(at),
        }
    }

    #[test]
    fn the_period_counts_each_event_in_it_and_medians_are_observed_values() {
        use AssigneeKind::*;
        let items = [
            item(Category::Repairs, 1, Some(2), Some(4), Some(30), Some(PartyMember)),
            item(Category::Repairs, 2, Some(3), Some(4), None, Some(Company)),
            item(Category::Parking, 5, Some(6), None, None, Some(Company)),
            // Reported before the period, resolved in it.
            item(Category::Fees, -10, Some(-9), Some(-8), Some(10), Some(Company)),
            // Reported after it.
            item(Category::Fees, 200, None, None, None, None),
        ];
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        // 1–5 March, China Standard Time: at(-8) is 00:00 on the 1st there.
        let f = figures(&items, day(1), day(5), at(100));
        assert_eq!((f.received, f.dispatched, f.resolved), (3, 3, 2));
        assert_eq!(f.resolved_by_party_members, 1);
        // Accepted in the period: after 2 h, 1 h and 1 h → 1 hour.
        assert_eq!(f.median_accept_hours, Some(1));
        // Resolved in the period: 29 h and 20 h after their reports → the lower middle.
        assert_eq!(f.median_resolve_hours, Some(20));
        // The parking item was not accepted within 24 hours of its dispatch.
        assert_eq!(f.overdue_now, 1);
        // A day earlier the fees item's acceptance falls out of the period.
        assert_eq!(figures(&items, day(2), day(5), at(100)).median_accept_hours, None);
        let repairs = &f.by_category.iter().find(|(c, _)| *c == Category::Repairs).unwrap().1;
        assert_eq!(
            *repairs,
            Counts {
                received: 2,
                dispatched: 2,
                resolved: 1
            }
        );
        let company = &f.by_assignee.iter().find(|(k, _)| *k == Company).unwrap().1;
        assert_eq!(
            *company,
            Counts {
                received: 0,
                dispatched: 2,
                resolved: 1
            }
        );
        assert_eq!(figures(&[], day(1), day(1), at(1)).median_accept_hours, None);
    }

    #[test]
    fn a_median_of_counted_values_is_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![(5, 1)]), Some(5));
        // 1, 1, 1, 9: the lower middle is 1.
        assert_eq!(median(vec![(9, 1), (1, 3)]), Some(1));
        // 1, 9: 1.
        assert_eq!(median(vec![(9, 1), (1, 1)]), Some(1));
        // 1, 9, 9: 9.
        assert_eq!(median(vec![(9, 2), (1, 1)]), Some(9));
        // Counts that cancelled out (a running tally at zero) count for nothing.
        assert_eq!(median(vec![(3, 0), (7, 1)]), Some(7));
    }

    #[test]
    fn an_items_marks_follow_its_last_dispatch_and_resolution() {
        use AssigneeKind::*;
        let mut i = item(Category::Elevator, 1, Some(2), Some(5), Some(50), Some(Company));
        let before = marks(&i);
        assert_eq!(before.len(), 5);
        // Reopened and dispatched again to a party member: the old dispatch and resolution go.
        i.resolved_at = None;
        i.accepted_at = None;
        i.dispatched_at = Some(at(60));
        i.assignee_kind = Some(PartyMember);
        let after = marks(&i);
        assert_eq!(after.len(), 2);
        assert!(after
            .iter()
            .any(|m| m.measure == Measure::Dispatched && m.assignee_kind == Some(PartyMember)));
        assert!(!after.iter().any(|m| m.measure == Measure::Resolved));
    }
}
