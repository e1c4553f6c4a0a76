//! The counts of a closed vote, kept once they can no longer change, so that reading the result
//! of a 20,000-voter vote does not add up 20,000 ballots on every call.
//!
//! After a vote closes no ballot is taken (the writer's closing check, `voting::before_closing`),
//! and its roll was frozen when it opened: its counts are fixed. They are cached per process,
//! keyed by the vote's id (a UUIDv7, unique across databases), from a moment after the close
//! that is later than any write still in flight could commit; before that they are counted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Duration, NaiveDateTime};

use super::votes::{self, VoteRow};
use super::AnyConnection;
use crate::error::AppResult;

/// Counts per answer (yes/no/abstain) or per candidate: (key, heads, area).
pub type Counts = Arc<Vec<(String, i64, i64)>>;

/// Longer than any write transaction may run (a request is answered or cut off within
/// `REDPROP_REQUEST_TIMEOUT_SECS`, 60 s by default): a ballot accepted before the closing
/// instant is committed by then.
const SETTLED_AFTER: Duration = Duration::minutes(5);

/// Votes kept at most; the whole cache is dropped when full (each entry is a few rows).
const CAPACITY: usize = 4096;

/// The aggregate query a count runs (`votes::tally`, `votes::selection_tally`).
type Counter = fn(&mut AnyConnection, &str) -> AppResult<Vec<(String, i64, i64)>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Which {
    Choices,
    Selections,
}

type Cache = Mutex<HashMap<(String, Which), Counts>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Heads and area per answer of the vote's counted ballots (`votes::tally`).
pub fn choices(conn: &mut AnyConnection, v: &VoteRow, now: NaiveDateTime) -> AppResult<Counts> {
    counted(conn, v, now, Which::Choices, votes::tally)
}

/// Heads and area per candidate of an election vote's counted ballots (`votes::selection_tally`).
pub fn selections(conn: &mut AnyConnection, v: &VoteRow, now: NaiveDateTime) -> AppResult<Counts> {
    counted(conn, v, now, Which::Selections, votes::selection_tally)
}

fn counted(
    conn: &mut AnyConnection,
    v: &VoteRow,
    now: NaiveDateTime,
    which: Which,
    count: Counter,
) -> AppResult<Counts> {
    let settled = v.opened_at.is_some() && now >= v.closes_at + SETTLED_AFTER;
    if !settled {
        return Ok(Arc::new(count(conn, &v.id)?));
    }
    let key = (v.id.clone(), which);
    if let Some(c) = lock().get(&key) {
        return Ok(c.clone());
    }
    let counts = Arc::new(count(conn, &v.id)?);
    let mut map = lock();
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, counts.clone());
    Ok(counts)
}

fn lock() -> std::sync::MutexGuard<'static, HashMap<(String, Which), Counts>> {
    // A panic while holding the lock leaves a map that is still whole.
    cache().lock().unwrap_or_else(|e| e.into_inner())
}
