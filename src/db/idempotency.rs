//! Idempotency keys as stored: who sent which key for which request, and the answer it got.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = idempotency_keys, treat_none_as_null = true)]
pub struct KeyRow {
    pub scope: String,
    pub idem_key: String,
    /// SHA-256 of the request: method, path and query, content type, body.
    pub fingerprint: String,
    /// The answer's status; `None` while the first request runs.
    pub status: Option<i32>,
    /// The answer's headers worth replaying, as a JSON object.
    pub headers: Option<String>,
    pub body: Option<String>,
    pub created_at: NaiveDateTime,
    pub locked_until: NaiveDateTime,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Claim {
    /// Run it: this request now holds the key.
    Run,
    /// Answer with what the first request got.
    Replay(KeyRow),
    /// The key was used for another request.
    Reused,
    /// The first request with this key is still running.
    InProgress,
}

/// Looks the key up and takes it for this request when it is free: unknown, older than
/// `kept_since` (expired), or held by a request presumed dead (`locked_until` passed). Call in a
/// write transaction (the row is locked on PostgreSQL; SQLite serialises writers).
pub fn claim(
    conn: &mut AnyConnection,
    new: &KeyRow,
    kept_since: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<Claim> {
    let existing: Option<KeyRow> = super::first_for_change!(
        conn,
        idempotency_keys::table
            .find((&new.scope, &new.idem_key))
            .select(KeyRow::as_select())
    )?;
    match existing {
        Some(row) if row.created_at >= kept_since => {
            if row.fingerprint != new.fingerprint {
                Ok(Claim::Reused)
            } else if row.status.is_some() {
                Ok(Claim::Replay(row))
            } else if row.locked_until > now {
                Ok(Claim::InProgress)
            } else {
                save(conn, new)?;
                Ok(Claim::Run)
            }
        }
        Some(_) => {
            save(conn, new)?;
            Ok(Claim::Run)
        }
        None => {
            // Two first requests at once: the second insert fails on the key and is answered
            // as a conflict by the caller's retry of `claim` (see `http::idempotency`).
            diesel::insert_into(idempotency_keys::table).values(new).execute(conn)?;
            Ok(Claim::Run)
        }
    }
}

fn save(conn: &mut AnyConnection, row: &KeyRow) -> AppResult<()> {
    diesel::update(idempotency_keys::table.find((&row.scope, &row.idem_key)))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// Records the answer of the request that holds the key.
pub fn complete(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    status: i32,
    headers: &str,
    body: &str,
) -> AppResult<()> {
    diesel::update(idempotency_keys::table.find((scope, key)))
        .set((
            idempotency_keys::status.eq(status),
            idempotency_keys::headers.eq(headers),
            idempotency_keys::body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Lets the key go (the request failed in a way worth retrying: 5xx, 429, or an answer not kept).
pub fn release(conn: &mut AnyConnection, scope: &str, key: &str) -> AppResult<()> {
    diesel::delete(idempotency_keys::table.find((scope, key))).execute(conn)?;
    Ok(())
}

/// Forgets keys older than `kept_since`.
pub fn purge(conn: &mut AnyConnection, kept_since: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(kept_since))).execute(conn)?)
}
