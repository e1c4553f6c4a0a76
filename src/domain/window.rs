//! Time windows (RULES.md §7). A window that protects someone's right — the notice before a vote
//! or assembly, the publicity of a candidate list and its objections, the publication of a
//! rating and its appeal — runs from the moment the act is recorded in redprop (server time),
//! never from a date the actor states. Counting follows Civil Code Art. 201 and 203: the day of
//! the act is not counted; a window of N days recorded on day D (China Standard Time) runs from
//! D+1 through the end (24:00) of D+N. This module is the one place that counts them.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::ids::local_date;

/// The last day inside a window of `days` days that starts with an act recorded at `recorded_at`.
pub fn last_day(recorded_at: NaiveDateTime, days: u32) -> NaiveDate {
    local_date(recorded_at) + Duration::days(days as i64)
}

/// The first instant (UTC) after the window: 00:00 China Standard Time of the day after its last.
pub fn end(recorded_at: NaiveDateTime, days: u32) -> NaiveDateTime {
    after_day(last_day(recorded_at, days))
}

/// The first instant (UTC) after a window whose last day is `last` (24:00 of that day, CST).
pub fn after_day(last: NaiveDate) -> NaiveDateTime {
    start_of_local_day(last + Duration::days(1))
}

/// Whether `now` is inside the window (the act has been recorded and the window not run out).
pub fn is_open(recorded_at: NaiveDateTime, days: u32, now: NaiveDateTime) -> bool {
    recorded_at <= now && now < end(recorded_at, days)
}

/// Whether the window has run out at `now`.
pub fn has_ended(recorded_at: NaiveDateTime, days: u32, now: NaiveDateTime) -> bool {
    now >= end(recorded_at, days)
}

pub use super::ids::start_of_local_day;

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant given in China Standard Time.
    fn cst(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap() - Duration::hours(8)
    }

    #[test]
    fn a_seven_day_window_recorded_on_the_first_ends_with_the_eighth() {
        // Recorded 2026-11-01 at 23:59 CST: the day of the act is not counted; days 2–8 are.
        let at = cst("2026-11-01 23:59:00");
        assert_eq!(last_day(at, 7), NaiveDate::from_ymd_opt(2026, 11, 8).unwrap());
        // The last minute of D+N is inside; the first minute of D+N+1 is outside.
        assert!(is_open(at, 7, cst("2026-11-08 23:59:00")));
        assert!(is_open(at, 7, cst("2026-11-08 23:59:59")));
        assert!(!is_open(at, 7, cst("2026-11-09 00:00:00")));
        assert!(!is_open(at, 7, cst("2026-11-09 00:01:00")));
        assert!(has_ended(at, 7, cst("2026-11-09 00:00:00")));
        assert!(!has_ended(at, 7, cst("2026-11-08 23:59:59")));
        // Recorded just after midnight CST (still the previous day in UTC): the same counting.
        let early = cst("2026-11-01 00:00:30");
        assert_eq!(last_day(early, 7), NaiveDate::from_ymd_opt(2026, 11, 8).unwrap());
        assert_eq!(end(early, 7), cst("2026-11-09 00:00:00"));
        // Nothing is open before the act is recorded.
        assert!(!is_open(at, 7, cst("2026-11-01 23:58:59")));
    }

    #[test]
    fn fifteen_days_of_notice() {
        let at = cst("2026-03-01 10:00:00");
        assert_eq!(end(at, 15), cst("2026-03-17 00:00:00"));
    }
}
