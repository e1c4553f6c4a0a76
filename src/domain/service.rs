//! Party members and volunteers at home (RULES.md §11): a member's report-in (双报到) and placement
//! down the five-level chain, service hours and points (recorded only on a confirmation by
//! someone other than who served), service stations against the county's standard ("八有"),
//! activities with a cap and a waiting list, and selections ("最美物业人") with a shortlist
//! published for objections as in §4. Pure rules: no clock, no database.

use chrono::{NaiveDate, NaiveDateTime};

use super::ids::local_date;
use super::lifecycle::Refused;
use super::window;
use crate::error::{codes, reason};
use crate::term_enum;

term_enum!(
    /// Where a member's report-in stands.
    ReportStatus, "a party member's report-in status (报到状态)", {
        /// Reported to the community; waiting for it.
        Reported = "reported", "已报到待安排";
        /// Accepted and placed in the chain (estate party branch, building group, post).
        Placed = "placed", "已安排";
        /// Declined by the community, with its reason.
        Declined = "declined", "未接收";
        /// Left the community's service (moved away, or withdrew).
        Withdrawn = "withdrawn", "已退出";
    }
);

impl ReportStatus {
    /// The community places a member (or places them again, elsewhere).
    pub fn place(self) -> Result<ReportStatus, Refused> {
        match self {
            ReportStatus::Reported | ReportStatus::Placed => Ok(ReportStatus::Placed),
            now => Err(Refused::not_now(codes::REPORT_CLOSED, now, "placing the member")),
        }
    }

    /// The community declines a report it has not acted on.
    pub fn decline(self) -> Result<ReportStatus, Refused> {
        match self {
            ReportStatus::Reported => Ok(ReportStatus::Declined),
            now => Err(Refused::not_now(codes::REPORT_CLOSED, now, "declining the report")),
        }
    }

    /// The member leaves (or the community records that they left).
    pub fn withdraw(self) -> Result<ReportStatus, Refused> {
        match self {
            ReportStatus::Reported | ReportStatus::Placed => Ok(ReportStatus::Withdrawn),
            now => Err(Refused::not_now(codes::REPORT_CLOSED, now, "withdrawing")),
        }
    }

    /// Whether the report still stands (one standing report per person per community).
    pub fn standing(self) -> bool {
        matches!(self, ReportStatus::Reported | ReportStatus::Placed)
    }
}

term_enum!(
    /// What earned service hours.
    ServiceKind, "what earned service hours (服务类型)", {
        /// A service order of the ledger (党员接单), confirmed by the resident served.
        Order = "order", "服务工单";
        /// Serving at a community activity, confirmed by the community.
        Activity = "activity", "集体活动";
    }
);

term_enum!(
    /// Who confirmed the service that earned hours.
    ConfirmedAs, "who confirmed a service (确认方)", {
        /// The resident served (the order's reporter).
        Resident = "resident", "服务对象";
        /// The community, for a group activity.
        Community = "community", "社区";
    }
);

/// The most minutes one confirmation records for one person (a day of service).
pub const MAX_MINUTES: u32 = 24 * 60;

/// Points per hour of a service kind, whole points (the county's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointsTable {
    pub order_per_hour: u32,
    pub activity_per_hour: u32,
}

impl PointsTable {
    /// One point an hour (志愿服务 1 小时积 1 分), the common rule, unless the county sets others.
    pub const DEFAULT: PointsTable = PointsTable {
        order_per_hour: 1,
        activity_per_hour: 1,
    };
    /// The bounds a county may set.
    pub const PER_HOUR: (u32, u32) = (0, 100);

    /// Points for `minutes` of service: whole hours' worth, rounded down once, per record (a
    /// half-hour order earns half an hour's points only if the table gives at least 2 an hour).
    pub fn points(self, kind: ServiceKind, minutes: u32) -> i64 {
        let per_hour = match kind {
            ServiceKind::Order => self.order_per_hour,
            ServiceKind::Activity => self.activity_per_hour,
        };
        (minutes as i64 * per_hour as i64) / 60
    }
}

/// Whether a confirmation records hours: only when whoever confirms is not whoever served
/// (nothing is self-declared alone), and only an explicit confirmation — an order that closed
/// because its window ran out records none.
pub fn records_hours(confirmer_served: bool, explicit: bool) -> bool {
    explicit && !confirmer_served
}

/// One item of a county's standard for service stations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardItem {
    pub code: &'static str,
    pub name: &'static str,
}

/// "八有" (Wuxiang): a code, a sign, facilities, rules, a team, activities, services, support.
pub const EIGHT_HAVES: [StandardItem; 8] = [
    StandardItem {
        code: "code",
        name: "有编号",
    },
    StandardItem {
        code: "sign",
        name: "有标识",
    },
    StandardItem {
        code: "facilities",
        name: "有设施",
    },
    StandardItem {
        code: "rules",
        name: "有制度",
    },
    StandardItem {
        code: "team",
        name: "有队伍",
    },
    StandardItem {
        code: "activities",
        name: "有活动",
    },
    StandardItem {
        code: "services",
        name: "有服务",
    },
    StandardItem {
        code: "support",
        name: "有保障",
    },
];

/// A station meets the standard when every item of it has evidence.
pub fn meets_standard<'a>(standard: impl IntoIterator<Item = &'a str>, evidenced: &[&str]) -> bool {
    standard.into_iter().all(|code| evidenced.contains(&code))
}

term_enum!(
    /// Where an activity stands.
    ActivityStatus, "an activity's status (活动状态)", {
        /// Announced: open for sign-up until it starts.
        Announced = "announced", "报名中";
        /// Started or over (shown, never stored).
        Held = "held", "已举办";
        /// Called off by the community.
        Cancelled = "cancelled", "已取消";
    }
);

impl ActivityStatus {
    /// What a reader sees at `now`: an announced activity that has started is held.
    pub fn shown(self, starts_at: NaiveDateTime, now: NaiveDateTime) -> ActivityStatus {
        match self {
            ActivityStatus::Announced if now >= starts_at => ActivityStatus::Held,
            s => s,
        }
    }

    /// Sign-ups and their cancellations are taken until the activity starts.
    pub fn sign_up(self) -> Result<(), Refused> {
        match self {
            ActivityStatus::Announced => Ok(()),
            now => Err(Refused::not_now(codes::ACTIVITY_CLOSED, now, "signing up")),
        }
    }

    pub fn cancel(self) -> Result<ActivityStatus, Refused> {
        match self {
            ActivityStatus::Announced => Ok(ActivityStatus::Cancelled),
            now => Err(Refused::not_now(codes::ACTIVITY_CLOSED, now, "cancelling the activity")),
        }
    }
}

/// An activity is announced ahead: it starts after it is recorded (within a year), and ends
/// after it starts, at most 7 days later.
pub fn check_schedule(now: NaiveDateTime, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> Result<(), Refused> {
    if starts_at <= now {
        return Err(Refused::field(
            "starts_at",
            reason::NOT_AHEAD,
            "an activity is announced before it starts",
        ));
    }
    if starts_at - now > chrono::Duration::days(366) {
        return Err(Refused::field(
            "starts_at",
            reason::OUT_OF_RANGE,
            "an activity is announced at most a year ahead",
        ));
    }
    if ends_at <= starts_at || ends_at - starts_at > chrono::Duration::days(7) {
        return Err(Refused::field(
            "ends_at",
            reason::OUT_OF_RANGE,
            "an activity ends after it starts, within 7 days",
        ));
    }
    Ok(())
}

/// The cap an activity may have.
pub const CAP: (u32, u32) = (1, 10_000);

term_enum!(
    /// Where a resident's sign-up stands.
    SignupStatus, "a sign-up's status (报名状态)", {
        /// Has a place.
        Admitted = "admitted", "已报名";
        /// Beyond the cap: waits, in the order signed up, for a place to free.
        Waiting = "waiting", "候补";
        /// Checked in on the day.
        CheckedIn = "checked_in", "已签到";
        /// Cancelled by the resident (or with the activity).
        Cancelled = "cancelled", "已取消";
    }
);

/// A new sign-up: a place while fewer than `cap` are admitted, else the waiting list.
pub fn admit(admitted: i64, cap: i64) -> SignupStatus {
    if admitted < cap {
        SignupStatus::Admitted
    } else {
        SignupStatus::Waiting
    }
}

impl SignupStatus {
    /// Whether the sign-up holds one of the cap's places.
    pub fn holds_place(self) -> bool {
        matches!(self, SignupStatus::Admitted | SignupStatus::CheckedIn)
    }

    pub fn cancel(self) -> Result<SignupStatus, Refused> {
        match self {
            SignupStatus::Admitted | SignupStatus::Waiting => Ok(SignupStatus::Cancelled),
            now => Err(Refused::not_now(codes::SIGNUP_NOT_OPEN, now, "cancelling the sign-up")),
        }
    }

    /// Check-in: an admitted resident, on the activity's day (China Standard Time) only.
    pub fn check_in(self, starts_at: NaiveDateTime, now: NaiveDateTime) -> Result<SignupStatus, Refused> {
        if self != SignupStatus::Admitted {
            return Err(Refused::not_now(codes::SIGNUP_NOT_OPEN, self, "checking in"));
        }
        if local_date(now) != local_date(starts_at) {
            return Err(Refused::rule(
                codes::NOT_THE_ACTIVITY_DAY,
                "check-in is on the activity's day only (China Standard Time)",
            ));
        }
        Ok(SignupStatus::CheckedIn)
    }
}

term_enum!(
    /// A selection's kind.
    SelectionKind, "a kind of selection (评选类型)", {
        /// 最美物业人: people who serve estates.
        BestServiceWorker = "best_service_worker", "最美物业人";
        /// A "红色物业" brand: a company's or estate's project.
        RedPropertyBrand = "red_property_brand", "红色物业品牌";
        /// Any other the county runs (a skills contest's winners, a model party member ...).
        Other = "other", "其他评选";
    }
);

term_enum!(
    /// Where a selection stands.
    SelectionStatus, "a selection's status (评选状态)", {
        /// Taking nominations.
        Nominating = "nominating", "推荐中";
        /// The shortlist is published for objections (公示).
        Publicity = "publicity", "公示中";
        /// Decided; the results are published.
        Decided = "decided", "已公布结果";
    }
);

term_enum!(
    /// Who nominated.
    NominatorKind, "who nominated (推荐方)", {
        Company = "company", "物业服务企业";
        Committee = "committee", "业委会/物管会";
        Resident = "resident", "居民";
        PartyOrg = "party_org", "党组织";
    }
);

/// Days a shortlist is published: 7 unless the organiser sets up to 10 (as §4).
pub const PUBLICITY_DAYS: (u32, u32) = (7, 10);
/// Days to answer an objection, the day it is filed not counted.
pub const ANSWER_DAYS: u32 = 7;

impl SelectionStatus {
    pub fn nominate(self) -> Result<(), Refused> {
        match self {
            SelectionStatus::Nominating => Ok(()),
            now => Err(Refused::not_now(codes::SELECTION_NOT_NOMINATING, now, "nominating")),
        }
    }

    pub fn shortlist(self) -> Result<SelectionStatus, Refused> {
        match self {
            SelectionStatus::Nominating => Ok(SelectionStatus::Publicity),
            now => Err(Refused::not_now(
                codes::SELECTION_NOT_NOMINATING,
                now,
                "publishing the shortlist",
            )),
        }
    }

    /// Objections run while the shortlist is published: from when publication was recorded
    /// through 24:00 (CST) of its last day.
    pub fn object(self, published_at: NaiveDateTime, days: u32, now: NaiveDateTime) -> Result<(), Refused> {
        if self == SelectionStatus::Publicity && window::is_open(published_at, days, now) {
            Ok(())
        } else {
            Err(Refused::rule(
                codes::OBJECTION_WINDOW_CLOSED,
                "objections are accepted only while the shortlist is published",
            ))
        }
    }

    /// The decision comes after the publicity, with every objection answered.
    pub fn decide(
        self,
        published_at: NaiveDateTime,
        days: u32,
        now: NaiveDateTime,
        unanswered: usize,
    ) -> Result<SelectionStatus, Refused> {
        match self {
            SelectionStatus::Publicity if !window::has_ended(published_at, days, now) => Err(Refused::rule(
                codes::PUBLICITY_NOT_OVER,
                "the shortlist's publicity has not ended",
            )),
            SelectionStatus::Publicity if unanswered > 0 => Err(Refused::rule(
                codes::OBJECTIONS_UNANSWERED,
                "every objection must be answered first",
            )),
            SelectionStatus::Publicity => Ok(SelectionStatus::Decided),
            now => Err(Refused::not_now(codes::SELECTION_NOT_IN_PUBLICITY, now, "deciding")),
        }
    }
}

/// The last day to answer an objection filed at `filed_at`.
pub fn answer_due(filed_at: NaiveDateTime) -> NaiveDate {
    window::last_day(filed_at, ANSWER_DAYS)
}

/// The winners of a decision: each one shortlisted, none disqualified by an upheld objection.
pub fn check_winners(winners: &[(bool, bool)]) -> Result<(), Refused> {
    if winners.is_empty() {
        return Err(Refused::field("winners", reason::REQUIRED, "name at least one winner"));
    }
    if winners
        .iter()
        .any(|(shortlisted, disqualified)| !shortlisted || *disqualified)
    {
        return Err(Refused::rule(
            codes::NOT_ON_SHORTLIST,
            "a winner is a nomination on the shortlist that no upheld objection disqualified",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        // UTC; China Standard Time is 8 hours ahead.
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn the_cap_admits_exactly_that_many() {
        assert_eq!(admit(9, 10), SignupStatus::Admitted);
        assert_eq!(admit(10, 10), SignupStatus::Waiting);
        assert_eq!(admit(11, 10), SignupStatus::Waiting);
    }

    #[test]
    fn check_in_is_on_the_day_only() {
        // Starts 2026-12-10 09:00 CST = 01:00 UTC.
        let starts = at(10, 1, 0);
        let s = SignupStatus::Admitted;
        // 2026-12-09 23:59 CST (15:59 UTC on the 9th): the day before.
        assert!(s.check_in(starts, at(9, 15, 59)).is_err());
        // 2026-12-10 00:00 CST.
        assert_eq!(s.check_in(starts, at(9, 16, 0)), Ok(SignupStatus::CheckedIn));
        // 2026-12-10 23:59 CST.
        assert!(s.check_in(starts, at(10, 15, 59)).is_ok());
        // 2026-12-11 00:00 CST.
        assert!(s.check_in(starts, at(10, 16, 0)).is_err());
        assert!(SignupStatus::Waiting.check_in(starts, at(10, 1, 0)).is_err());
    }

    #[test]
    fn shortlist_objections_run_through_the_last_day() {
        // Published 2026-12-01 10:00 CST (02:00 UTC): the 7 days are 12-02 .. 12-08 (CST).
        let published = at(1, 2, 0);
        let s = SelectionStatus::Publicity;
        // 12-08 23:59 CST = 12-08 15:59 UTC: inside.
        assert!(s.object(published, 7, at(8, 15, 59)).is_ok());
        // 12-09 00:00 CST: outside.
        assert!(s.object(published, 7, at(8, 16, 0)).is_err());
        assert!(s.decide(published, 7, at(8, 15, 59), 0).is_err());
        assert_eq!(s.decide(published, 7, at(8, 16, 0), 0), Ok(SelectionStatus::Decided));
        assert!(s.decide(published, 7, at(8, 16, 0), 1).is_err());
    }

    #[test]
    fn points_round_down_once_per_record() {
        let t = PointsTable {
            order_per_hour: 2,
            activity_per_hour: 1,
        };
        assert_eq!(t.points(ServiceKind::Order, 29), 0);
        assert_eq!(t.points(ServiceKind::Order, 30), 1);
        assert_eq!(t.points(ServiceKind::Activity, 59), 0);
        assert_eq!(t.points(ServiceKind::Activity, 60), 1);
        assert_eq!(t.points(ServiceKind::Activity, 61), 1);
    }

    #[test]
    fn hours_need_someone_else_to_confirm() {
        assert!(records_hours(false, true));
        assert!(!records_hours(true, true));
        assert!(!records_hours(false, false));
    }

    #[test]
    fn a_station_meets_the_standard_with_every_item() {
        let codes: Vec<&str> = EIGHT_HAVES.iter().map(|i| i.code).collect();
        assert!(!meets_standard(codes.iter().copied(), &codes[..7]));
        assert!(meets_standard(codes.iter().copied(), &codes));
    }

    #[test]
    fn an_activity_is_announced_ahead() {
        let now = at(1, 0, 0);
        assert!(check_schedule(now, now, at(1, 2, 0)).is_err());
        assert!(check_schedule(now, at(1, 1, 0), at(1, 1, 0)).is_err());
        assert!(check_schedule(now, at(1, 1, 0), at(1, 3, 0)).is_ok());
        assert!(check_schedule(now, at(1, 1, 0), at(8, 1, 0)).is_ok());
        assert!(check_schedule(now, at(1, 1, 0), at(8, 1, 1)).is_err());
        let next_year = now + chrono::Duration::days(367);
        assert!(check_schedule(now, next_year, next_year + chrono::Duration::hours(1)).is_err());
    }
}
