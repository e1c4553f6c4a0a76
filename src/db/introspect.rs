//! What tables and columns a database has, in one backend-neutral shape, so a test can prove that
//! both migration folders end with the same schema.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::AnyConnection;
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

/// table -> [(column, nullable)], sorted; diesel's own bookkeeping table left out.
pub fn columns(conn: &mut AnyConnection) -> AppResult<BTreeMap<String, Vec<(String, bool)>>> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'"
        }
        AnyConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'"
        }
    };
    let rows: Vec<Column> = diesel::sql_query(sql).load(conn)?;
    let mut out: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for r in rows {
        out.entry(r.table_name).or_default().push((r.column_name, r.nullable));
    }
    for cols in out.values_mut() {
        cols.sort();
    }
    Ok(out)
}
