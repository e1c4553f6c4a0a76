//! Sessions: one row per token family. A login starts a family; each refresh rotates its refresh
//! token (generation + 1). What a presented token means is decided in `domain::session`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::sessions;
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub refresh_generation: i64,
    /// Secret per session from which every generation's refresh token is derived (a MAC under
    /// the server key); never sent to anyone.
    pub refresh_nonce: String,
    /// When the family last moved to a new generation.
    pub rotated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, s: &SessionRow) -> AppResult<()> {
    diesel::insert_into(sessions::table).values(s).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<SessionRow>> {
    Ok(sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Moves the family to the next refresh token, only if it is still at `from_generation`
/// (so two concurrent refreshes with the same token cannot both succeed).
pub fn rotate(conn: &mut AnyConnection, id: &str, from_generation: i64, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::refresh_generation.eq(from_generation))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::refresh_generation.eq(from_generation + 1),
        sessions::rotated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Revokes every live family of a user except `keep` (the caller's own, on password change).
pub fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let q = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null());
    let n = match keep {
        Some(k) => diesel::update(q.filter(sessions::id.ne(k)))
            .set(sessions::revoked_at.eq(now))
            .execute(conn)?,
        None => diesel::update(q).set(sessions::revoked_at.eq(now)).execute(conn)?,
    };
    Ok(n)
}
