//! Stored attempt counters (the rules are in domain::throttle). Kept in the database so that
//! every replica sees the same counts; counted under a row lock so that concurrent attempts
//! cannot both read the same count.

use diesel::prelude::*;

use super::schema::login_throttle;
use super::AnyConnection;
use crate::domain::throttle::{self, Counter, Gate, Limits, OnSuccess};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttle)]
struct Row {
    throttle_key: String,
    failures: i32,
    window_start: chrono::NaiveDateTime,
    locked_until: Option<chrono::NaiveDateTime>,
}

pub fn get(conn: &mut AnyConnection, key: &str) -> AppResult<Option<Counter>> {
    let row: Option<Row> = login_throttle::table
        .find(key)
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| Counter {
        failures: r.failures,
        window_start: r.window_start,
        locked_until: r.locked_until,
    }))
}

pub fn put(conn: &mut AnyConnection, key: &str, c: &Counter) -> AppResult<()> {
    let row = Row {
        throttle_key: key.to_string(),
        failures: c.failures,
        window_start: c.window_start,
        locked_until: c.locked_until,
    };
    let q = diesel::insert_into(login_throttle::table)
        .values(&row)
        .on_conflict(login_throttle::throttle_key)
        .do_update()
        .set(&row);
    super::each_backend!(conn, c => q.execute(c))?;
    Ok(())
}

/// Locks seen in the database, remembered in this process until they end, so that a flood from
/// a locked source is refused without a database round trip. A lock never ends early (nothing
/// lifts one), so a remembered lock is never wrong; a replica that has not seen it yet asks the
/// database, like before.
#[derive(Default)]
pub struct KnownLocks(std::sync::Mutex<std::collections::HashMap<String, chrono::NaiveDateTime>>);

/// Entries kept at most; past it, ended locks are dropped (and if that is not enough, all:
/// the database still has them).
const KNOWN_LOCKS_MAX: usize = 10_000;

impl KnownLocks {
    /// The end of a lock in force on any of `keys`.
    pub fn until(&self, keys: &[String], now: chrono::NaiveDateTime) -> Option<chrono::NaiveDateTime> {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().filter_map(|k| m.get(k)).copied().filter(|t| *t > now).max()
    }

    pub fn remember(&self, key: &str, until: chrono::NaiveDateTime, now: chrono::NaiveDateTime) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= KNOWN_LOCKS_MAX {
            m.retain(|_, t| *t > now);
            if m.len() >= KNOWN_LOCKS_MAX {
                m.clear();
            }
        }
        m.insert(key.to_string(), until);
    }
}

/// Counts one attempt on `key` and says whether it may go ahead — atomically: the row is
/// created if missing, then read under a lock (PostgreSQL `FOR UPDATE`; SQLite writes are
/// serialised anyway), then written back, in the caller's write transaction.
pub fn attempt(conn: &mut AnyConnection, key: &str, limits: &Limits, now: chrono::NaiveDateTime) -> AppResult<Gate> {
    let blank = Row {
        throttle_key: key.to_string(),
        failures: 0,
        window_start: now,
        locked_until: None,
    };
    let insert = diesel::insert_into(login_throttle::table)
        .values(&blank)
        .on_conflict(login_throttle::throttle_key)
        .do_nothing();
    super::each_backend!(conn, c => insert.execute(c))?;
    let row: Row = match conn {
        AnyConnection::Postgresql(c) => login_throttle::table
            .find(key)
            .select(Row::as_select())
            .for_update()
            .first(c)?,
        AnyConnection::Sqlite(c) => login_throttle::table.find(key).select(Row::as_select()).first(c)?,
    };
    let current = Counter {
        failures: row.failures,
        window_start: row.window_start,
        locked_until: row.locked_until,
    };
    let (next, gate) = throttle::attempt(Some(&current), limits, now);
    put(conn, key, &next)?;
    Ok(gate)
}

/// Applies a success to `key`'s count.
pub fn succeeded(conn: &mut AnyConnection, key: &str, on: OnSuccess) -> AppResult<()> {
    match throttle::after_success(get(conn, key)?.as_ref(), on) {
        Some(c) => put(conn, key, &c),
        None => clear(conn, key),
    }
}

pub fn clear(conn: &mut AnyConnection, key: &str) -> AppResult<()> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}
