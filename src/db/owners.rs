//! Owners, ownerships (with history: a transfer ends one and starts another) and owners'
//! one-time activation codes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{activation_codes, owners, ownerships};
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = owners)]
pub struct OwnerRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub id_hash: Option<String>,
    pub id_last4: Option<String>,
    pub phone: Option<String>,
    pub party_member: bool,
    pub party_org_id: Option<String>,
    pub party_post: Option<String>,
    pub introduced_with: Option<String>,
    pub created_at: NaiveDateTime,
    pub birth_date: Option<chrono::NaiveDate>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ownerships)]
pub struct OwnershipRow {
    pub id: String,
    pub unit_id: String,
    pub owner_id: String,
    pub designated_voter: bool,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    /// The unit's estate, copied (a unit never changes estate) so that an estate's owners are
    /// one index.
    pub estate_id: String,
    /// The owner's name (which never changes), copied for the estate's index of names.
    pub owner_name: String,
    /// The owner's party membership, copied for the estate's index of party members; written
    /// with the ownership and kept in step by `update` and `copy_party_membership`.
    pub party_member: bool,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = activation_codes)]
pub struct ActivationRow {
    pub id: String,
    pub owner_id: String,
    pub code_hash: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_many(conn: &mut AnyConnection, rows: &[OwnerRow]) -> AppResult<()> {
    super::insert_batch!(conn, owners::table, rows)?;
    Ok(())
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = owners)]
pub struct OwnerChanges {
    pub phone: Option<Option<String>>,
    pub party_member: Option<bool>,
    pub party_org_id: Option<Option<String>>,
    pub party_post: Option<Option<String>>,
}

pub fn update(conn: &mut AnyConnection, id: &str, c: &OwnerChanges) -> AppResult<()> {
    diesel::update(owners::table.find(id)).set(c).execute(conn)?;
    if let Some(p) = c.party_member {
        diesel::update(ownerships::table.filter(ownerships::owner_id.eq(id)))
            .set(ownerships::party_member.eq(p))
            .execute(conn)?;
    }
    Ok(())
}

/// Copies each owner's party membership onto the ownerships of an estate (after an import,
/// which may match owners registered elsewhere).
pub fn copy_party_membership(conn: &mut AnyConnection, estate_id: &str) -> AppResult<()> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    diesel::update(ownerships::table.filter(ownerships::estate_id.eq(estate_id)))
        .set(ownerships::party_member.eq(sql::<Bool>(
            "(SELECT o.party_member FROM owners o WHERE o.id = ownerships.owner_id)",
        )))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<OwnerRow>> {
    Ok(owners::table
        .find(id)
        .select(OwnerRow::as_select())
        .first(conn)
        .optional()?)
}

/// Names of many owners at once (for lists that show them).
pub fn names(conn: &mut AnyConnection, ids: &[String]) -> AppResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String)> = owners::table
        .filter(owners::id.eq_any(ids))
        .select((owners::id, owners::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Owners already registered under any of these keyed hashes.
pub fn by_id_hashes(conn: &mut AnyConnection, hashes: &[String]) -> AppResult<Vec<OwnerRow>> {
    let mut out = Vec::new();
    for chunk in hashes.chunks(500) {
        let found: Vec<OwnerRow> = owners::table
            .filter(owners::id_hash.eq_any(chunk))
            .select(OwnerRow::as_select())
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// Owners without an ID number who came in with one of these owners (co-owners named on rows).
pub fn introduced_with(conn: &mut AnyConnection, owner_ids: &[String]) -> AppResult<Vec<OwnerRow>> {
    let mut out = Vec::new();
    for chunk in owner_ids.chunks(500) {
        let found: Vec<OwnerRow> = owners::table
            .filter(owners::introduced_with.eq_any(chunk))
            .select(OwnerRow::as_select())
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

pub fn insert_ownerships(conn: &mut AnyConnection, rows: &[OwnershipRow]) -> AppResult<()> {
    super::insert_batch!(conn, ownerships::table, rows)?;
    Ok(())
}

/// Ends the unit's current ownerships (a transfer); returns how many ended.
pub fn end_current(conn: &mut AnyConnection, unit_id: &str, at: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(
        ownerships::table
            .filter(ownerships::unit_id.eq(unit_id))
            .filter(ownerships::ended_at.is_null()),
    )
    .set(ownerships::ended_at.eq(at))
    .execute(conn)?)
}

/// Ownerships of a unit, current first, then history, newest first.
pub fn of_unit(conn: &mut AnyConnection, unit_id: &str) -> AppResult<Vec<OwnershipRow>> {
    let mut rows: Vec<OwnershipRow> = ownerships::table
        .filter(ownerships::unit_id.eq(unit_id))
        .order(ownerships::started_at.desc())
        .select(OwnershipRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| r.ended_at.is_some());
    Ok(rows)
}

/// Who currently holds a unit: the columns a unit's view shows (not the ownership's times,
/// whose text SQLite would parse for every row of a page).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = super::schema::ownerships)]
pub struct Holder {
    pub unit_id: String,
    pub owner_id: String,
    pub designated_voter: bool,
}

/// Which of `owner_ids` currently hold a unit in one of the community's estates, in one query
/// (the estate is copied onto the ownership).
pub fn holding_in_community(
    conn: &mut AnyConnection,
    owner_ids: &[String],
    community_id: &str,
) -> AppResult<Vec<String>> {
    use super::schema::estates;
    Ok(ownerships::table
        .inner_join(estates::table.on(estates::id.eq(ownerships::estate_id)))
        .filter(ownerships::owner_id.eq_any(owner_ids))
        .filter(ownerships::ended_at.is_null())
        .filter(estates::community_id.eq(community_id))
        .select(ownerships::owner_id)
        .distinct()
        .load(conn)?)
}

/// The current holders of many units (a page of units), in one query.
pub fn holders_of_units(conn: &mut AnyConnection, unit_ids: &[String]) -> AppResult<Vec<Holder>> {
    Ok(ownerships::table
        .filter(ownerships::unit_id.eq_any(unit_ids))
        .filter(ownerships::ended_at.is_null())
        .select(Holder::as_select())
        .load(conn)?)
}

/// Current ownerships of an owner.
pub fn current_of_owner(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Vec<OwnershipRow>> {
    Ok(ownerships::table
        .filter(ownerships::owner_id.eq(owner_id))
        .filter(ownerships::ended_at.is_null())
        .select(OwnershipRow::as_select())
        .load(conn)?)
}

/// The units an owner currently holds, with where they are: (ownership, unit, building name,
/// estate name). One query, for the owner's own page.
pub fn current_with_units(
    conn: &mut AnyConnection,
    owner_id: &str,
) -> AppResult<Vec<(OwnershipRow, super::estates::UnitRow, String, String)>> {
    use super::schema::{buildings, estates, units};
    Ok(ownerships::table
        .inner_join(units::table.inner_join(buildings::table.inner_join(estates::table)))
        .filter(ownerships::owner_id.eq(owner_id))
        .filter(ownerships::ended_at.is_null())
        .order((estates::name, buildings::name, units::number))
        .select((
            OwnershipRow::as_select(),
            super::estates::UnitRow::as_select(),
            buildings::name,
            estates::name,
        ))
        .load(conn)?)
}

/// A page of the owners who currently hold units in an estate, in id order, read from the
/// estate's index of current ownerships (`ownerships_estate_current`, or with `party_member`
/// `ownerships_estate_party`): the page costs the same in a 300-unit and a 20,000-unit estate.
pub fn page_in_estate(
    conn: &mut AnyConnection,
    estate_id: &str,
    party_member: Option<bool>,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OwnerRow>> {
    use super::fragment::Fragment;
    use diesel::sql_types::Bool;
    // One round trip: the page of ids (walked from an index of the estate's current ownerships,
    // DISTINCT for co-owned units) is a subquery. No cursor is "after the empty id".
    let page = Fragment::<Bool>::new("owners.id IN (SELECT DISTINCT s.owner_id FROM ownerships s WHERE s.estate_id = ")
        .text(estate_id)
        .sql(" AND s.ended_at IS NULL AND s.owner_id > ")
        .text(after.unwrap_or_default())
        // `ownerships_estate_party` when asked for members (or not), else "AND TRUE".
        .sql(if party_member.is_some() {
            " AND s.party_member = "
        } else {
            " AND "
        })
        .bool(party_member.unwrap_or(true))
        .sql(" ORDER BY s.owner_id")
        .limit(limit)
        .sql(")");
    Ok(owners::table
        .filter(page)
        .select(OwnerRow::as_select())
        .order(owners::id.asc())
        .load(conn)?)
}

/// A page of an estate's current owners whose names start with `prefix`, in (name, id) order,
/// read from the estate's index of current ownerships by name (`ownerships_estate_name`, the
/// owner's name copied onto the ownership): the page costs the same in any estate. Names compare
/// by code point on both backends (the index is built so on PostgreSQL).
pub fn page_in_estate_by_name(
    conn: &mut AnyConnection,
    estate_id: &str,
    prefix: &str,
    party_member: Option<bool>,
    after: Option<(&str, &str)>,
    limit: i64,
) -> AppResult<Vec<OwnerRow>> {
    use super::fragment::Fragment;
    use diesel::sql_types::{Bool, Text};
    let (copied, name) = match conn.backend() {
        super::Backend::Postgres => ("(s.owner_name COLLATE \"C\")", "(owners.name COLLATE \"C\")"),
        super::Backend::Sqlite => ("s.owner_name", "owners.name"),
    };
    let end = successor(prefix).unwrap_or_else(|| format!("{prefix}\u{10FFFF}"));
    let (after_name, after_id) = after.unwrap_or_default();
    // GROUP BY, not DISTINCT: an owner of several units once, in the order of the index (which
    // DISTINCT could not sort by a column it does not return). No cursor is "after ''".
    let page = Fragment::<Bool>::new("owners.id IN (SELECT s.owner_id FROM ownerships s WHERE s.estate_id = ")
        .text(estate_id)
        .sql(format!(" AND s.ended_at IS NULL AND {copied} >= "))
        .text(prefix)
        .sql(format!(" AND {copied} < "))
        .text(end)
        .sql(format!(" AND ({copied} > "))
        .text(after_name)
        .sql(format!(" OR ({copied} = "))
        .text(after_name)
        .sql(" AND s.owner_id > ")
        .text(after_id)
        .sql(if party_member.is_some() {
            ")) AND s.party_member = "
        } else {
            ")) AND "
        })
        .bool(party_member.unwrap_or(true))
        .sql(format!(" GROUP BY {copied}, s.owner_id ORDER BY {copied}, s.owner_id"))
        .limit(limit)
        .sql(")");
    Ok(owners::table
        .filter(page)
        .select(OwnerRow::as_select())
        .order((Fragment::<Text>::new(name).asc(), owners::id.asc()))
        .load(conn)?)
}

/// The first string after every string that starts with `prefix`, in code-point order (the
/// last character moved on by one); None when there is none to move.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The community paths of the estates where an owner holds or has held a unit: where the
/// owner's records belong (its counties are the first segments).
pub fn estate_paths_ever(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Vec<String>> {
    use super::schema::{estates, units};
    let estate_ids: Vec<String> = ownerships::table
        .inner_join(units::table)
        .filter(ownerships::owner_id.eq(owner_id))
        .select(units::estate_id)
        .distinct()
        .load(conn)?;
    Ok(estates::table
        .filter(estates::id.eq_any(estate_ids))
        .select(estates::community_path)
        .distinct()
        .load(conn)?)
}

/// Estates where an owner currently holds a unit.
pub fn estates_of(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Vec<String>> {
    super::estates::held_by(conn, &[owner_id.to_string()])
}

pub fn insert_activation(conn: &mut AnyConnection, a: &ActivationRow) -> AppResult<()> {
    diesel::insert_into(activation_codes::table).values(a).execute(conn)?;
    Ok(())
}

/// An owner's activation codes, newest first.
pub fn activations_of(conn: &mut AnyConnection, owner_id: &str) -> AppResult<Vec<ActivationRow>> {
    Ok(activation_codes::table
        .filter(activation_codes::owner_id.eq(owner_id))
        .order(activation_codes::created_at.desc())
        .select(ActivationRow::as_select())
        .load(conn)?)
}

/// One owner's current holding of one unit, with where the unit is: a line of an estate's
/// activation list and of its printed slips.
#[derive(Clone, Debug, Queryable)]
pub struct Holding {
    pub ownership_id: String,
    pub owner_id: String,
    pub owner_name: String,
    pub unit_id: String,
    pub building_id: String,
    pub building_name: String,
    pub entrance: String,
    pub number: String,
}

/// The current holdings of an estate (or of one building), by building, room number and
/// ownership; `after` is the last row's (building, number, ownership) and `limit` bounds the
/// rows read.
pub fn holdings_in_estate(
    conn: &mut AnyConnection,
    estate_id: &str,
    building_id: Option<&str>,
    after: Option<[&str; 3]>,
    limit: i64,
) -> AppResult<Vec<Holding>> {
    use super::schema::{buildings, units};
    let mut q = ownerships::table
        .inner_join(units::table.inner_join(buildings::table))
        .filter(ownerships::estate_id.eq(estate_id.to_string()))
        .filter(ownerships::ended_at.is_null())
        .into_boxed();
    if let Some(b) = building_id {
        q = q.filter(units::building_id.eq(b.to_string()));
    }
    if let Some([b, n, o]) = after {
        let (b, n, o) = (b.to_string(), n.to_string(), o.to_string());
        q = q.filter(
            units::building_id
                .gt(b.clone())
                .or(units::building_id.eq(b.clone()).and(units::number.gt(n.clone())))
                .or(units::building_id
                    .eq(b)
                    .and(units::number.eq(n))
                    .and(ownerships::id.gt(o))),
        );
    }
    Ok(
        q.order((units::building_id.asc(), units::number.asc(), ownerships::id.asc()))
            .limit(limit)
            .select((
                ownerships::id,
                ownerships::owner_id,
                ownerships::owner_name,
                units::id,
                units::building_id,
                buildings::name,
                units::entrance,
                units::number,
            ))
            .load(conn)?,
    )
}

/// The newest activation code of each of `owner_ids` that has one.
pub fn latest_activations(
    conn: &mut AnyConnection,
    owner_ids: &[String],
) -> AppResult<std::collections::HashMap<String, ActivationRow>> {
    let mut latest = std::collections::HashMap::new();
    for chunk in owner_ids.chunks(500) {
        let rows: Vec<ActivationRow> = activation_codes::table
            .filter(activation_codes::owner_id.eq_any(chunk))
            .order((activation_codes::created_at.asc(), activation_codes::id.asc()))
            .select(ActivationRow::as_select())
            .load(conn)?;
        for r in rows {
            latest.insert(r.owner_id.clone(), r);
        }
    }
    Ok(latest)
}

/// Revokes an owner's outstanding codes (all, or one); returns how many.
pub fn revoke_activations(
    conn: &mut AnyConnection,
    owner_id: &str,
    only: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    let mut q = diesel::update(activation_codes::table)
        .filter(activation_codes::owner_id.eq(owner_id.to_string()))
        .filter(activation_codes::used_at.is_null())
        .filter(activation_codes::revoked_at.is_null())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(activation_codes::id.eq(id.to_string()));
    }
    Ok(q.set(activation_codes::revoked_at.eq(at)).execute(conn)?)
}

pub fn activation_by_hash(conn: &mut AnyConnection, hash: &str) -> AppResult<Option<ActivationRow>> {
    Ok(activation_codes::table
        .filter(activation_codes::code_hash.eq(hash))
        .select(ActivationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a code used, only if it still is unused, unrevoked and unexpired (so it works once even
/// under a race).
pub fn use_activation(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        activation_codes::table
            .filter(activation_codes::id.eq(id))
            .filter(activation_codes::used_at.is_null())
            .filter(activation_codes::revoked_at.is_null())
            .filter(activation_codes::expires_at.gt(at)),
    )
    .set(activation_codes::used_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

super::terms::term_columns!(OwnerRow {
    kind, set_kind: crate::domain::unit_import::OwnerKind;
});

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn the_successor_of_a_prefix_bounds_every_name_that_starts_with_it() {
        assert_eq!(successor("王").as_deref(), Some("玌"));
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        // U+D7FF is followed by the surrogates, which are no characters: U+E000 comes next.
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor(""), None);
        for name in ["王", "王小明", "王\u{10FFFE}"] {
            assert!(name >= "王" && name < successor("王").unwrap().as_str());
        }
    }
}
