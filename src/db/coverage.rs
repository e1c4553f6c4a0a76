//! Aggregates behind the coverage dashboard.

use diesel::prelude::*;

use super::orgs::{segment_pattern, GridRow};
use super::schema::{buildings, estates, grids, organisations, owners, ownerships, units};
use super::AnyConnection;
use crate::error::AppResult;

/// (owner, owner's party post, building's grid, estate's grid).
pub type Holding = (String, Option<String>, Option<String>, Option<String>);

/// Every current holding of a party member in these estates.
pub fn party_member_holdings(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<Holding>> {
    let mut out = Vec::new();
    for chunk in estate_ids.chunks(500) {
        let rows: Vec<Holding> = ownerships::table
            .inner_join(owners::table)
            .inner_join(units::table.inner_join(buildings::table.inner_join(estates::table)))
            .filter(estates::id.eq_any(chunk))
            .filter(owners::party_member.eq(true))
            .filter(ownerships::ended_at.is_null())
            .select((owners::id, owners::party_post, buildings::grid_id, estates::grid_id))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Every grid of every community under an organisation.
pub fn grids_within(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<GridRow>> {
    let communities = organisations::table
        .filter(organisations::path.like(segment_pattern(org_id)))
        .filter(organisations::kind.eq("community"))
        .select(organisations::id);
    Ok(grids::table
        .filter(grids::community_id.eq_any(communities))
        .order((grids::level.asc(), grids::id.asc()))
        .select(GridRow::as_select())
        .load(conn)?)
}
