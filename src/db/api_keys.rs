//! API keys of integrations. Only a SHA-256 of the key is stored (keys are 256-bit random, so a
//! fast hash is safe and keeps the per-request check cheap); the prefix is shown for recognition.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::api_keys;
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// `last_used_at` is written at most once a minute per key, so integrations calling often do
/// not turn every read into a write.
pub const LAST_USED_GRANULARITY_SECS: i64 = 60;

pub fn insert(conn: &mut AnyConnection, k: &ApiKeyRow) -> AppResult<()> {
    diesel::insert_into(api_keys::table).values(k).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<ApiKeyRow>> {
    Ok(api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn active_by_hash(conn: &mut AnyConnection, key_hash: &str) -> AppResult<Option<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn page_for_company(
    conn: &mut AnyConnection,
    company_id: &str,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<ApiKeyRow>> {
    let mut q = api_keys::table
        .filter(api_keys::company_id.eq(company_id.to_string()))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(api_keys::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

pub fn revoke(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn touch(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}
