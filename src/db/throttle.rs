//! Stored login-failure counters (the rules are in domain::throttle). Kept in the database so
//! that every replica sees the same counts.

use diesel::prelude::*;

use super::schema::login_throttle;
use super::AnyConnection;
use crate::domain::throttle::Counter;
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

pub fn clear(conn: &mut AnyConnection, key: &str) -> AppResult<()> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}
