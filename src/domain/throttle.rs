//! Login throttling: failures per username and per source address are counted in a window;
//! past a first limit each attempt is slowed, past a second the key is refused for a while.
//! Unknown usernames are counted exactly like known ones, so the answers never tell whether an
//! account exists.

use chrono::{Duration, NaiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Failures in the window after which each further attempt is delayed.
    pub slow_after: i32,
    /// Failures in the window that lock the key.
    pub lock_at: i32,
    pub window_secs: i64,
    pub lock_secs: i64,
    /// Delay added per failure beyond `slow_after`, capped at `max_delay_ms`.
    pub delay_step_ms: u64,
    pub max_delay_ms: u64,
}

/// Per username: a person mistyping gets 3 free tries, then slower ones, then a 15-minute lock.
pub const PER_USERNAME: Limits = Limits {
    slow_after: 3,
    lock_at: 5,
    window_secs: 900,
    lock_secs: 900,
    delay_step_ms: 250,
    max_delay_ms: 2000,
};

/// Per source address: looser, since a community office shares one address.
pub const PER_SOURCE: Limits = Limits {
    slow_after: 10,
    lock_at: 50,
    window_secs: 900,
    lock_secs: 900,
    delay_step_ms: 100,
    max_delay_ms: 2000,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    pub failures: i32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead, after waiting this long.
    Open { delay_ms: u64 },
    /// Refused; retry after this many seconds.
    Locked { retry_after_secs: u64 },
}

fn live(counter: Option<&Counter>, limits: &Limits, now: NaiveDateTime) -> Option<Counter> {
    let c = counter?;
    let locked = c.locked_until.is_some_and(|t| t > now);
    let in_window = now - c.window_start < Duration::seconds(limits.window_secs);
    (locked || in_window).then(|| c.clone())
}

/// Whether an attempt may proceed, given the key's counter.
pub fn gate(counter: Option<&Counter>, limits: &Limits, now: NaiveDateTime) -> Gate {
    let Some(c) = live(counter, limits, now) else {
        return Gate::Open { delay_ms: 0 };
    };
    if let Some(until) = c.locked_until.filter(|t| *t > now) {
        let secs = (until - now).num_seconds().max(1) as u64;
        return Gate::Locked { retry_after_secs: secs };
    }
    if c.failures >= limits.slow_after {
        let over = (c.failures - limits.slow_after + 1) as u64;
        return Gate::Open {
            delay_ms: (over * limits.delay_step_ms).min(limits.max_delay_ms),
        };
    }
    Gate::Open { delay_ms: 0 }
}

/// The counter after one more failure.
pub fn after_failure(counter: Option<&Counter>, limits: &Limits, now: NaiveDateTime) -> Counter {
    let mut c = match live(counter, limits, now) {
        Some(c) if c.locked_until.is_none_or(|t| t <= now) => c,
        Some(c) => return c,
        None => Counter {
            failures: 0,
            window_start: now,
            locked_until: None,
        },
    };
    c.failures += 1;
    if c.failures >= limits.lock_at {
        c.locked_until = Some(now + Duration::seconds(limits.lock_secs));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc()
    }

    fn fail_n(n: i32, limits: &Limits) -> Option<Counter> {
        let mut c = None;
        for _ in 0..n {
            c = Some(after_failure(c.as_ref(), limits, t0()));
        }
        c
    }

    #[test]
    fn slowed_from_the_limit_on() {
        let l = PER_USERNAME;
        assert_eq!(
            gate(fail_n(l.slow_after - 1, &l).as_ref(), &l, t0()),
            Gate::Open { delay_ms: 0 }
        );
        assert_eq!(
            gate(fail_n(l.slow_after, &l).as_ref(), &l, t0()),
            Gate::Open {
                delay_ms: l.delay_step_ms
            }
        );
    }

    #[test]
    fn locked_at_the_limit_and_not_before() {
        let l = PER_USERNAME;
        assert!(matches!(
            gate(fail_n(l.lock_at - 1, &l).as_ref(), &l, t0()),
            Gate::Open { .. }
        ));
        assert_eq!(
            gate(fail_n(l.lock_at, &l).as_ref(), &l, t0()),
            Gate::Locked {
                retry_after_secs: l.lock_secs as u64
            }
        );
    }

    #[test]
    fn lock_ends_and_window_expires() {
        let l = PER_USERNAME;
        let c = fail_n(l.lock_at, &l);
        let just_before = t0() + Duration::seconds(l.lock_secs - 1);
        let at = t0() + Duration::seconds(l.lock_secs);
        assert_eq!(gate(c.as_ref(), &l, just_before), Gate::Locked { retry_after_secs: 1 });
        assert_eq!(gate(c.as_ref(), &l, at), Gate::Open { delay_ms: 0 });
        // A failure after the window starts a fresh count.
        let fresh = after_failure(c.as_ref(), &l, at);
        assert_eq!(fresh.failures, 1);
        assert_eq!(fresh.locked_until, None);
    }
}
