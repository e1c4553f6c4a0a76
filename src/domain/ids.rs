//! Identifiers and instants as the whole service makes them.

use chrono::{NaiveDateTime, Timelike};

/// A new opaque id: a UUIDv7 (time-ordered, so inserts stay index-friendly).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, in UTC, truncated to microseconds: PostgreSQL keeps microseconds, so anything that is
/// hashed (audit events) must not carry nanoseconds that one backend would drop.
pub fn now() -> NaiveDateTime {
    truncate_micros(crate::clock::now())
}

pub fn truncate_micros(t: NaiveDateTime) -> NaiveDateTime {
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}

/// Today's date in China Standard Time (UTC+8, no daylight saving): the calendar of contracts,
/// deadlines and notices.
pub fn today() -> chrono::NaiveDate {
    local_date(now())
}

/// The date in China Standard Time (UTC+8, no daylight saving) of an instant kept in UTC: the one
/// conversion from instants to the calendar days that windows and deadlines count.
pub fn local_date(t: NaiveDateTime) -> chrono::NaiveDate {
    (t + china_offset()).date()
}

/// 00:00 China Standard Time of `day`, as a UTC instant: the inverse of `local_date`.
pub fn start_of_local_day(day: chrono::NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN) - china_offset()
}

/// China Standard Time is UTC+8 all year.
fn china_offset() -> chrono::Duration {
    chrono::Duration::hours(8)
}

/// RFC 3339 with a `Z`, microsecond precision: the one textual form of an instant.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_has_no_sub_microsecond_part() {
        assert_eq!(now().nanosecond() % 1_000, 0);
    }

    #[test]
    fn ids_are_unique_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert!(a < b);
    }
}
