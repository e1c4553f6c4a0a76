//! Throttling of guesses (logins, activation codes). Attempts are counted per key in a window
//! *before* their outcome is known, in the same atomic step that decides whether they may go
//! ahead — so a burst of simultaneous guesses cannot overshoot a limit. A success gives its
//! attempt back. Past a first limit each attempt is slowed; past a second, keys that lock are
//! refused for a while. Unknown usernames are counted exactly like known ones, so the answers
//! never tell whether an account exists.
//!
//! Keys (`http::auth`): per (username, source) — locks, so one address cannot guess a person's
//! password; per source — locks, looser, since a community office shares one address; per
//! username from everywhere — only slows, never locks, so that nobody can lock a person (the
//! administrator) out by failing on purpose from another address.

use chrono::{Duration, NaiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Attempts in the window after which each further attempt is delayed.
    pub slow_after: i32,
    /// Attempts allowed in the window; one more locks the key. `None`: never locks.
    pub lock_after: Option<i32>,
    pub window_secs: i64,
    pub lock_secs: i64,
    /// Delay added per attempt beyond `slow_after`, capped at `max_delay_ms`.
    pub delay_step_ms: u64,
    pub max_delay_ms: u64,
}

/// One username from one source: 3 free tries, then slower ones, then 15 minutes locked.
pub const PER_ACCOUNT_AND_SOURCE: Limits = Limits {
    slow_after: 3,
    lock_after: Some(5),
    window_secs: 900,
    lock_secs: 900,
    delay_step_ms: 250,
    max_delay_ms: 2000,
};

/// One source address, whatever the usernames: looser, since an office shares one address.
pub const PER_SOURCE: Limits = Limits {
    slow_after: 10,
    lock_after: Some(50),
    window_secs: 900,
    lock_secs: 900,
    delay_step_ms: 100,
    max_delay_ms: 2000,
};

/// One username from every source: slowed, never locked.
pub const PER_USERNAME: Limits = Limits {
    slow_after: 5,
    lock_after: None,
    window_secs: 900,
    lock_secs: 0,
    delay_step_ms: 250,
    max_delay_ms: 3000,
};

/// Activation codes from one source: codes are long, so few honest mistakes happen.
pub const ACTIVATION_PER_SOURCE: Limits = Limits {
    slow_after: 3,
    lock_after: Some(20),
    window_secs: 900,
    lock_secs: 900,
    delay_step_ms: 250,
    max_delay_ms: 2000,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    /// Attempts counted in the window (successes give theirs back).
    pub failures: i32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead, after waiting this long.
    Open { delay_ms: u64 },
    /// Refused; retry after this many seconds. `newly`: this attempt is the one that locked it.
    Locked { retry_after_secs: u64, newly: bool },
}

fn fresh(now: NaiveDateTime) -> Counter {
    Counter {
        failures: 0,
        window_start: now,
        locked_until: None,
    }
}

/// The counter as it stands at `now`: a lock in force, or the window's count, or nothing.
fn live(counter: Option<&Counter>, limits: &Limits, now: NaiveDateTime) -> Counter {
    match counter {
        Some(c) if c.locked_until.is_some_and(|t| t > now) => c.clone(),
        Some(c) if c.locked_until.is_none() && now - c.window_start < Duration::seconds(limits.window_secs) => {
            c.clone()
        }
        _ => fresh(now),
    }
}

/// Counts one attempt and says whether it may go ahead; returns the counter to store.
pub fn attempt(counter: Option<&Counter>, limits: &Limits, now: NaiveDateTime) -> (Counter, Gate) {
    let mut c = live(counter, limits, now);
    if let Some(until) = c.locked_until {
        let secs = (until - now).num_seconds().max(1) as u64;
        return (
            c,
            Gate::Locked {
                retry_after_secs: secs,
                newly: false,
            },
        );
    }
    if limits.lock_after.is_some_and(|n| c.failures >= n) {
        c.locked_until = Some(now + Duration::seconds(limits.lock_secs));
        return (
            c,
            Gate::Locked {
                retry_after_secs: limits.lock_secs as u64,
                newly: true,
            },
        );
    }
    c.failures += 1;
    let over = (c.failures - limits.slow_after).max(0) as u64;
    let delay_ms = (over * limits.delay_step_ms).min(limits.max_delay_ms);
    (c, Gate::Open { delay_ms })
}

/// What a success does to a key's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSuccess {
    /// Start over (the person got in: their mistakes are forgiven).
    Reset,
    /// Give back this attempt only (a shared address keeps the count of the others' failures).
    GiveBack,
}

pub fn after_success(counter: Option<&Counter>, on: OnSuccess) -> Option<Counter> {
    match on {
        OnSuccess::Reset => None,
        OnSuccess::GiveBack => counter.map(|c| Counter {
            failures: (c.failures - 1).max(0),
            ..c.clone()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc()
    }

    /// The counter and the last gate after `n` attempts at t0.
    fn tries(n: i32, limits: &Limits) -> (Option<Counter>, Gate) {
        let mut c = None;
        let mut g = Gate::Open { delay_ms: 0 };
        for _ in 0..n {
            let (next, gate) = attempt(c.as_ref(), limits, t0());
            c = Some(next);
            g = gate;
        }
        (c, g)
    }

    #[test]
    fn slowed_from_the_limit_on() {
        let l = PER_ACCOUNT_AND_SOURCE;
        assert_eq!(tries(l.slow_after, &l).1, Gate::Open { delay_ms: 0 });
        assert_eq!(
            tries(l.slow_after + 1, &l).1,
            Gate::Open {
                delay_ms: l.delay_step_ms
            }
        );
    }

    #[test]
    fn locked_one_past_the_limit_and_not_before() {
        let l = PER_ACCOUNT_AND_SOURCE;
        let n = l.lock_after.unwrap();
        assert!(matches!(tries(n, &l).1, Gate::Open { .. }));
        assert_eq!(
            tries(n + 1, &l).1,
            Gate::Locked {
                retry_after_secs: l.lock_secs as u64,
                newly: true
            }
        );
        assert_eq!(
            tries(n + 2, &l).1,
            Gate::Locked {
                retry_after_secs: l.lock_secs as u64,
                newly: false
            }
        );
    }

    #[test]
    fn a_username_alone_is_never_locked() {
        let (_, g) = tries(1000, &PER_USERNAME);
        assert_eq!(
            g,
            Gate::Open {
                delay_ms: PER_USERNAME.max_delay_ms
            }
        );
    }

    #[test]
    fn lock_ends_and_window_expires() {
        let l = PER_ACCOUNT_AND_SOURCE;
        let (c, _) = tries(l.lock_after.unwrap() + 1, &l);
        let just_before = t0() + Duration::seconds(l.lock_secs - 1);
        let at = t0() + Duration::seconds(l.lock_secs);
        assert!(matches!(
            attempt(c.as_ref(), &l, just_before).1,
            Gate::Locked {
                retry_after_secs: 1,
                ..
            }
        ));
        let (after, gate) = attempt(c.as_ref(), &l, at);
        assert_eq!(gate, Gate::Open { delay_ms: 0 });
        assert_eq!(after.failures, 1);
        assert_eq!(after.locked_until, None);
    }

    #[test]
    fn successes_give_back() {
        let (c, _) = tries(3, &PER_SOURCE);
        assert_eq!(after_success(c.as_ref(), OnSuccess::GiveBack).unwrap().failures, 2);
        assert_eq!(after_success(c.as_ref(), OnSuccess::Reset), None);
    }
}
