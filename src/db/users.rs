//! Accounts and their role grants.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::batcher::Lookup;
use super::schema::{role_grants, sessions, users};
use super::{AnyConnection, Db};
use crate::domain::ids;
use crate::domain::policy::{Grant, Role};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub password_changed_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = role_grants)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub scope_id: String,
    pub created_at: NaiveDateTime,
}

impl GrantRow {
    /// The policy's view of a stored grant; rows with an unknown role are skipped by callers.
    pub fn to_grant(&self) -> Option<Grant> {
        Some(Grant {
            role: Role::parse(&self.role)?,
            scope_id: (!self.scope_id.is_empty()).then(|| self.scope_id.clone()),
        })
    }
}

pub fn insert(conn: &mut AnyConnection, user: &UserRow) -> AppResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn)?;
    Ok(())
}

pub fn insert_grant(conn: &mut AnyConnection, grant: &GrantRow) -> AppResult<()> {
    diesel::insert_into(role_grants::table).values(grant).execute(conn)?;
    Ok(())
}

pub fn delete_grant(conn: &mut AnyConnection, user_id: &str, grant_id: &str) -> AppResult<bool> {
    let n = diesel::delete(
        role_grants::table
            .filter(role_grants::id.eq(grant_id))
            .filter(role_grants::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// The account of an owner record (the one account with the `owner` role scoped to it).
pub fn account_of_owner(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Option<UserRow>> {
    Ok(role_grants::table
        .inner_join(users::table)
        .filter(role_grants::role.eq(Role::Owner.as_str()))
        .filter(role_grants::scope_id.eq(owner_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of `owner_ids` have an account.
pub fn owners_with_accounts(
    conn: &mut AnyConnection,
    owner_ids: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    let mut with = std::collections::HashSet::new();
    for chunk in owner_ids.chunks(500) {
        with.extend(
            role_grants::table
                .filter(role_grants::role.eq(Role::Owner.as_str()))
                .filter(role_grants::scope_id.eq_any(chunk))
                .select(role_grants::scope_id)
                .load::<String>(conn)?,
        );
    }
    Ok(with)
}

/// How many enabled accounts other than `user_id` hold the admin role.
pub fn enabled_admins_other_than(conn: &mut AnyConnection, user_id: &str) -> AppResult<i64> {
    Ok(role_grants::table
        .inner_join(users::table)
        .filter(role_grants::role.eq(Role::Admin.as_str()))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(user_id))
        .select(diesel::dsl::count(users::id).aggregate_distinct())
        .first(conn)?)
}

pub fn by_username(conn: &mut AnyConnection, username: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// A page of users in id order, after the cursor.
pub fn page(conn: &mut AnyConnection, after: Option<&str>, limit: i64) -> AppResult<Vec<UserRow>> {
    let mut q = users::table
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(users::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

pub fn grants_of(conn: &mut AnyConnection, user_id: &str) -> AppResult<Vec<GrantRow>> {
    Ok(role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .order(role_grants::id.asc())
        .select(GrantRow::as_select())
        .load(conn)?)
}

/// Grants of several users at once (one query for a page of users, not one per user).
pub fn grants_of_many(conn: &mut AnyConnection, user_ids: &[String]) -> AppResult<Vec<GrantRow>> {
    Ok(role_grants::table
        .filter(role_grants::user_id.eq_any(user_ids))
        .order(role_grants::id.asc())
        .select(GrantRow::as_select())
        .load(conn)?)
}

pub fn set_password(conn: &mut AnyConnection, id: &str, hash: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::password_changed_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn set_disabled(conn: &mut AnyConnection, id: &str, disabled: bool) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    Ok(())
}

/// Which of these sessions are live: not revoked, not expired, their user enabled. Checked on
/// every authenticated request (one query for many requests when batched, see `SessionCheck`).
pub fn live_sessions(
    conn: &mut AnyConnection,
    session_ids: &[String],
    now: NaiveDateTime,
) -> AppResult<HashSet<String>> {
    let q = sessions::table
        .inner_join(users::table)
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select(sessions::id);
    // One session is the common case: a plain `=` keeps the prepared statement cached.
    Ok(match session_ids {
        [one] => q.filter(sessions::id.eq(one)).load::<String>(conn)?,
        many => q.filter(sessions::id.eq_any(many)).load::<String>(conn)?,
    }
    .into_iter()
    .collect())
}

/// Answers "is this session live?" for the authentication of every request: on PostgreSQL
/// the questions of concurrent requests go to the database together (`Lookup`). Every request
/// is checked against the database as it is now — nothing is cached, so a revoked session stops
/// working at once on every replica.
#[derive(Clone)]
pub struct SessionCheck(Lookup<String, bool>);

impl SessionCheck {
    pub fn new(db: Db) -> SessionCheck {
        SessionCheck(Lookup::start("redprop-sessions", db, live_batch))
    }

    pub async fn is_live(&self, session_id: String) -> AppResult<bool> {
        self.0.get(session_id).await
    }
}

fn live_batch(conn: &mut AnyConnection, session_ids: &[String]) -> AppResult<Vec<AppResult<bool>>> {
    let live = live_sessions(conn, session_ids, ids::now())?;
    Ok(session_ids.iter().map(|s| Ok(live.contains(s))).collect())
}

super::terms::term_columns!(GrantRow {
    role, set_role: crate::domain::policy::Role;
});
