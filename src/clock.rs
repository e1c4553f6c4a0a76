//! The service's one clock. Every "now" of the service — the instant an act is recorded, today's
//! date in China Standard Time, the expiry of a token — reads `now()`, never the database's
//! clock and never the system clock directly.
//!
//! In normal operation it is the system clock. With `REDPROP_TEST_CLOCK=1` an administrator may
//! move it forward (`POST /api/v1/test-clock/advance`), so that a 15-day notice or a 7-day
//! publicity can be exercised without waiting for days. The offset belongs to one `AppState`
//! (tests run many apps in one process): the request middleware makes it the clock of the
//! request's task, and the database helper carries it to the thread that runs the query.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, Utc};

/// A clock: the system clock plus an offset that only moves forward.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// A clock that starts `seconds` behind the system clock and is then only moved forward:
    /// `redprop demo` records a year of history through the API, starting a year ago.
    pub fn behind(seconds: i64) -> Clock {
        Clock {
            offset_micros: Arc::new(AtomicI64::new(-seconds.max(0).saturating_mul(1_000_000))),
        }
    }

    pub fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `seconds` (never back: an instant already recorded stays in
    /// the past). Returns the new now.
    pub fn advance(&self, seconds: i64) -> NaiveDateTime {
        self.offset_micros
            .fetch_add(seconds.max(0).saturating_mul(1_000_000), Ordering::Relaxed);
        self.now()
    }

    /// Seconds the clock runs ahead of the system clock.
    pub fn offset_secs(&self) -> i64 {
        self.offset_micros.load(Ordering::Relaxed) / 1_000_000
    }

    /// Runs `f` with this clock as the current thread's clock (for work handed to another
    /// thread: a database query, a batch writer).
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let previous = THREAD_CLOCK.with(|c| c.replace(Some(self.clone())));
        let out = f();
        THREAD_CLOCK.with(|c| *c.borrow_mut() = previous);
        out
    }

    /// Makes this clock the current thread's clock for good (a thread of its own).
    pub fn adopt(&self) {
        THREAD_CLOCK.with(|c| *c.borrow_mut() = Some(self.clone()));
    }

    /// Runs a future with this clock as its task's clock.
    pub async fn scope<F: std::future::Future>(&self, f: F) -> F::Output {
        TASK_CLOCK.scope(self.clone(), f).await
    }
}

thread_local! {
    static THREAD_CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

tokio::task_local! {
    static TASK_CLOCK: Clock;
}

/// The clock in force here: the task's, else the thread's, else the system clock.
pub fn current() -> Clock {
    TASK_CLOCK
        .try_with(Clock::clone)
        .ok()
        .or_else(|| THREAD_CLOCK.with(|c| c.borrow().clone()))
        .unwrap_or_default()
}

/// Now, by the clock in force.
pub fn now() -> NaiveDateTime {
    match TASK_CLOCK.try_with(Clock::now) {
        Ok(t) => t,
        Err(_) => THREAD_CLOCK.with(|c| c.borrow().as_ref().map_or_else(|| Utc::now().naive_utc(), Clock::now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_only_moves_forward_and_only_where_it_is_used() {
        let c = Clock::default();
        let before = c.now();
        c.advance(86_400);
        c.advance(-86_400 * 30);
        assert!(c.now() - before >= Duration::seconds(86_400));
        assert_eq!(c.offset_secs(), 86_400);
        // The thread's clock only while it runs.
        let inside = c.run(now);
        assert!(inside - Utc::now().naive_utc() >= Duration::seconds(86_399));
        assert!(now() - Utc::now().naive_utc() < Duration::seconds(1));
    }
}
