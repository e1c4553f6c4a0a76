//! Organisations (one tree, materialised paths) and grids.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{grids, organisations};
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrgRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub path: String,
    pub created_at: NaiveDateTime,
    /// For department organisations: the code the county's rules name (police, discipline, ...).
    pub department_code: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = grids)]
pub struct GridRow {
    pub id: String,
    pub community_id: String,
    pub parent_id: Option<String>,
    pub level: i32,
    pub name: String,
    pub party_branch_id: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, o: &OrgRow) -> AppResult<()> {
    diesel::insert_into(organisations::table).values(o).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<OrgRow>> {
    Ok(organisations::table
        .find(id)
        .select(OrgRow::as_select())
        .first(conn)
        .optional()?)
}

/// `LIKE` pattern for "this id is a segment of the path". Ids are UUIDs, so they hold no
/// LIKE wildcards.
pub fn segment_pattern(id: &str) -> String {
    format!("%/{id}/%")
}

/// Organisations whose path runs through one of `roots` (all when `roots` is `None`), in id order
/// after the cursor.
pub fn page_within(
    conn: &mut AnyConnection,
    roots: Option<&[String]>,
    kind: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OrgRow>> {
    let mut q = organisations::table
        .select(OrgRow::as_select())
        .order(organisations::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(roots) = roots {
        let mut cond: Box<dyn BoxableExpression<organisations::table, _, SqlType = diesel::sql_types::Bool>> =
            Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"));
        for r in roots {
            cond = Box::new(cond.or(organisations::path.like(segment_pattern(r))));
        }
        q = q.filter(cond);
    }
    if let Some(k) = kind {
        q = q.filter(organisations::kind.eq(k.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(organisations::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

pub fn insert_grid(conn: &mut AnyConnection, g: &GridRow) -> AppResult<()> {
    diesel::insert_into(grids::table).values(g).execute(conn)?;
    Ok(())
}

pub fn get_grid(conn: &mut AnyConnection, id: &str) -> AppResult<Option<GridRow>> {
    Ok(grids::table
        .find(id)
        .select(GridRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn grids_of_community(conn: &mut AnyConnection, community_id: &str) -> AppResult<Vec<GridRow>> {
    Ok(grids::table
        .filter(grids::community_id.eq(community_id))
        .order((grids::level.asc(), grids::id.asc()))
        .select(GridRow::as_select())
        .load(conn)?)
}

super::terms::term_columns!(OrgRow {
    kind, set_kind: crate::domain::registry::OrgKind;
});

/// Every county (the organisations without a parent).
pub fn counties(conn: &mut AnyConnection) -> AppResult<Vec<OrgRow>> {
    Ok(organisations::table
        .filter(organisations::kind.eq(crate::domain::registry::OrgKind::County.as_str()))
        .order(organisations::id.asc())
        .select(OrgRow::as_select())
        .load(conn)?)
}

/// The names of organisations by id.
pub fn names(conn: &mut AnyConnection, ids: &[String]) -> AppResult<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(super::BATCH_ROWS) {
        out.extend(
            organisations::table
                .filter(organisations::id.eq_any(chunk))
                .select((organisations::id, organisations::name))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}
