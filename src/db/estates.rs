//! Estates, buildings and units, and the facts about an estate that scope checks need.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::orgs::segment_pattern;
use super::schema::{buildings, estates, ownerships, service_contracts, units};
use super::AnyConnection;
use crate::domain::area::RecordedAreas;
use crate::domain::headcount::UnitInput;
use crate::domain::registry::ContractKind;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = estates)]
pub struct EstateRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub community_id: String,
    pub responsible_org_id: String,
    pub community_path: String,
    pub responsible_path: String,
    pub self_managed: bool,
    pub grid_id: Option<String>,
    pub address: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = buildings)]
pub struct BuildingRow {
    pub id: String,
    pub estate_id: String,
    pub name: String,
    pub grid_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: String,
    pub estate_id: String,
    pub building_id: String,
    pub entrance: String,
    pub number: String,
    pub kind: String,
    pub area_registry_centi: Option<i64>,
    pub area_survey_centi: Option<i64>,
    pub area_contract_centi: Option<i64>,
    pub sale_status: String,
    pub created_at: NaiveDateTime,
}

/// A unit as the API shows it: every column but the creation time, whose text SQLite would
/// have to parse for each row of a page and which no view shows.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitListed {
    pub id: String,
    pub building_id: String,
    pub entrance: String,
    pub number: String,
    pub kind: String,
    pub area_registry_centi: Option<i64>,
    pub area_survey_centi: Option<i64>,
    pub area_contract_centi: Option<i64>,
    pub sale_status: String,
}

impl From<UnitRow> for UnitListed {
    fn from(u: UnitRow) -> Self {
        UnitListed {
            id: u.id,
            building_id: u.building_id,
            entrance: u.entrance,
            number: u.number,
            kind: u.kind,
            area_registry_centi: u.area_registry_centi,
            area_survey_centi: u.area_survey_centi,
            area_contract_centi: u.area_contract_centi,
            sale_status: u.sale_status,
        }
    }
}

impl UnitListed {
    pub fn areas(&self) -> RecordedAreas {
        RecordedAreas {
            registry: self.area_registry_centi,
            survey: self.area_survey_centi,
            contract: self.area_contract_centi,
        }
    }
}

impl UnitRow {
    pub fn areas(&self) -> RecordedAreas {
        RecordedAreas {
            registry: self.area_registry_centi,
            survey: self.area_survey_centi,
            contract: self.area_contract_centi,
        }
    }
}

pub fn insert(conn: &mut AnyConnection, e: &EstateRow) -> AppResult<()> {
    diesel::insert_into(estates::table).values(e).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<EstateRow>> {
    Ok(estates::table
        .find(id)
        .select(EstateRow::as_select())
        .first(conn)
        .optional()?)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = estates)]
pub struct EstateChanges {
    pub name: Option<String>,
    pub address: Option<Option<String>>,
    pub grid_id: Option<Option<String>>,
    pub self_managed: Option<bool>,
}

pub fn update(conn: &mut AnyConnection, id: &str, c: &EstateChanges) -> AppResult<()> {
    diesel::update(estates::table.find(id)).set(c).execute(conn)?;
    Ok(())
}

/// Which estates a list may show: all, or those under some organisations plus some by id.
#[derive(Clone, Debug, Default)]
pub struct EstateScope {
    pub all: bool,
    /// Estates whose community or responsible organisation lies under one of these.
    pub within: Vec<String>,
    /// These estates (committees, serving companies, owners).
    pub ids: Vec<String>,
}

pub fn page(
    conn: &mut AnyConnection,
    scope: &EstateScope,
    kind: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<EstateRow>> {
    let mut q = estates::table
        .select(EstateRow::as_select())
        .order(estates::id.asc())
        .limit(limit)
        .into_boxed();
    if !scope.all {
        let mut cond: Box<dyn BoxableExpression<estates::table, _, SqlType = Bool>> =
            Box::new(estates::id.eq_any(scope.ids.clone()));
        for r in &scope.within {
            let pat = segment_pattern(r);
            cond = Box::new(
                cond.or(estates::community_path.like(pat.clone()))
                    .or(estates::responsible_path.like(pat)),
            );
        }
        q = q.filter(cond);
    }
    if let Some(k) = kind {
        q = q.filter(estates::kind.eq(k.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(estates::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Every estate under an organisation (for coverage figures).
pub fn all_within(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<EstateRow>> {
    let pat = segment_pattern(org_id);
    Ok(estates::table
        .filter(
            estates::community_path
                .like(pat.clone())
                .or(estates::responsible_path.like(pat)),
        )
        .select(EstateRow::as_select())
        .load(conn)?)
}

pub fn insert_building(conn: &mut AnyConnection, b: &BuildingRow) -> AppResult<()> {
    diesel::insert_into(buildings::table).values(b).execute(conn)?;
    Ok(())
}

pub fn buildings_of(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<BuildingRow>> {
    Ok(buildings::table
        .filter(buildings::estate_id.eq(estate_id))
        .order(buildings::name.asc())
        .select(BuildingRow::as_select())
        .load(conn)?)
}

pub fn get_building(conn: &mut AnyConnection, id: &str) -> AppResult<Option<BuildingRow>> {
    Ok(buildings::table
        .find(id)
        .select(BuildingRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts many rows in chunks that stay under SQLite's bound-parameter limit.
pub fn insert_units(conn: &mut AnyConnection, rows: &[UnitRow]) -> AppResult<()> {
    super::insert_batch!(conn, units::table, rows)?;
    Ok(())
}

pub fn insert_buildings(conn: &mut AnyConnection, rows: &[BuildingRow]) -> AppResult<()> {
    super::insert_batch!(conn, buildings::table, rows)?;
    Ok(())
}

/// `get_unit`, locked for a change.
pub fn get_unit_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<UnitRow>> {
    Ok(super::first_for_change!(
        conn,
        units::table.find(id).select(UnitRow::as_select())
    )?)
}

pub fn get_unit(conn: &mut AnyConnection, id: &str) -> AppResult<Option<UnitRow>> {
    Ok(units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?)
}

/// A page of an estate's units by building, then room number, then id (`units_estate`), all or
/// one building's, each with its current holders; `after` is the last row's (building, number,
/// id). One statement: the page of ids is a subquery walked from the index, its holders joined.
pub fn units_page(
    conn: &mut AnyConnection,
    estate_id: &str,
    building_id: Option<&str>,
    after: Option<[&str; 3]>,
    limit: i64,
) -> AppResult<Vec<(UnitListed, Vec<super::owners::Holder>)>> {
    use super::fragment::Fragment;
    use super::owners::Holder;
    use super::schema::ownerships;
    use diesel::sql_types::Bool;
    // No cursor is "after ('', '', '')": every key is a non-empty text.
    let [b, n, id] = after.unwrap_or(["", "", ""]);
    let mut page = Fragment::<Bool>::new("units.id IN (SELECT p.id FROM units p WHERE p.estate_id = ").text(estate_id);
    if let Some(building) = building_id {
        page = page.sql(" AND p.building_id = ").text(building);
    }
    let page = page
        .sql(" AND (p.building_id, p.number, p.id) > (")
        .text(b)
        .sql(", ")
        .text(n)
        .sql(", ")
        .text(id)
        .sql(") ORDER BY p.building_id, p.number, p.id");
    // The whole estate's page writes its limit into the text (`Fragment::limit`: PostgreSQL then
    // keeps one plan, 0.46 ms of its CPU a request instead of 0.82); one building's binds it, as
    // PostgreSQL's one plan for that statement read more of the building than the page (0.77–0.86
    // ms against 0.51 when planned per call, measured with scripts/bench/lists).
    let page = match building_id {
        None => page.limit(limit),
        Some(_) => page.sql(" LIMIT ").big_int(limit),
    }
    .sql(")");
    let rows: Vec<(UnitListed, Option<Holder>)> = units::table
        .left_join(ownerships::table.on(ownerships::unit_id.eq(units::id).and(ownerships::ended_at.is_null())))
        .filter(page)
        .order((
            units::building_id.asc(),
            units::number.asc(),
            units::id.asc(),
            ownerships::owner_id.nullable().asc(),
        ))
        .select((UnitListed::as_select(), Option::<Holder>::as_select()))
        .load(conn)?;
    let mut out: Vec<(UnitListed, Vec<Holder>)> = Vec::with_capacity(rows.len());
    for (unit, holder) in rows {
        match out.last_mut() {
            Some((last, holders)) if last.id == unit.id => holders.extend(holder),
            _ => out.push((unit, holder.into_iter().collect())),
        }
    }
    Ok(out)
}

pub fn count_units(conn: &mut AnyConnection, estate_id: &str, kind: &str) -> AppResult<i64> {
    Ok(units::table
        .filter(units::estate_id.eq(estate_id))
        .filter(units::kind.eq(kind))
        .count()
        .get_result(conn)?)
}

/// (building name, entrance, number) of every unit of an estate, to find rows of an import that
/// are already registered.
/// One change of a unit's recorded area for one source.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::unit_area_changes)]
pub struct AreaChangeRow {
    pub id: String,
    pub unit_id: String,
    pub source: String,
    pub old_area_centi: Option<i64>,
    pub new_area_centi: Option<i64>,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

/// Sets the areas `given` (per source; sources not given stay) on a unit, keeping a history row
/// for every area that changes. Returns the changes (none if nothing differs). Votes already
/// open keep their frozen rolls; the next roll counts the new best area.
pub fn change_areas(
    conn: &mut AnyConnection,
    unit: &UnitRow,
    given: &RecordedAreas,
    by: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<AreaChangeRow>> {
    use crate::domain::area::AreaSource;
    let before = unit.areas();
    let mut changes = Vec::new();
    for source in [AreaSource::Registry, AreaSource::Survey, AreaSource::Contract] {
        let (old, new) = (before.get(source), given.get(source));
        if new.is_some() && new != old {
            changes.push(AreaChangeRow {
                id: crate::domain::ids::new_id(),
                unit_id: unit.id.clone(),
                source: source.as_str().into(),
                old_area_centi: old,
                new_area_centi: new,
                changed_by: by.into(),
                changed_at: now,
            });
        }
    }
    if changes.is_empty() {
        return Ok(changes);
    }
    let after = before.merge_over(given);
    diesel::update(units::table.find(&unit.id))
        .set((
            units::area_registry_centi.eq(after.registry),
            units::area_survey_centi.eq(after.survey),
            units::area_contract_centi.eq(after.contract),
        ))
        .execute(conn)?;
    super::insert_batch!(conn, super::schema::unit_area_changes::table, changes)?;
    Ok(changes)
}

/// A unit's area history, oldest first.
pub fn area_changes(conn: &mut AnyConnection, unit_id: &str) -> AppResult<Vec<AreaChangeRow>> {
    use super::schema::unit_area_changes as c;
    Ok(c::table
        .filter(c::unit_id.eq(unit_id))
        .order((c::changed_at.asc(), c::id.asc()))
        .select(AreaChangeRow::as_select())
        .load(conn)?)
}

/// Every unit of an estate by (building name, entrance, number).
pub fn units_by_key(
    conn: &mut AnyConnection,
    estate_id: &str,
) -> AppResult<std::collections::HashMap<(String, String, String), UnitRow>> {
    let rows: Vec<(String, UnitRow)> = units::table
        .inner_join(buildings::table)
        .filter(units::estate_id.eq(estate_id))
        .select((buildings::name, UnitRow::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(b, u)| ((b, u.entrance.clone(), u.number.clone()), u))
        .collect())
}

pub fn unit_keys(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<(String, String, String)>> {
    Ok(units::table
        .inner_join(buildings::table)
        .filter(units::estate_id.eq(estate_id))
        .select((buildings::name, units::entrance, units::number))
        .load(conn)?)
}

/// The company serving an estate under a contract in force, and the contract's kind.
pub type CompanyInForce = (String, ContractKind);

/// The join condition "a contract of the estate in force on `day`".
macro_rules! in_force_on {
    ($day:expr) => {
        service_contracts::estate_id
            .eq(estates::id)
            .and(service_contracts::starts_on.le($day))
            .and(
                service_contracts::ends_on
                    .is_null()
                    .or(service_contracts::ends_on.ge($day)),
            )
    };
}

fn company_in_force(contract: Option<(String, String)>) -> AppResult<Option<CompanyInForce>> {
    contract
        .map(|(company, kind)| Ok((company, super::terms::stored::<ContractKind>(&kind)?)))
        .transpose()
}

/// An estate with the company whose contract is in force on `day` (the latest started), in one
/// round trip: every estate-scoped request starts here.
pub fn get_with_contract(
    conn: &mut AnyConnection,
    id: &str,
    day: NaiveDate,
) -> AppResult<Option<(EstateRow, Option<CompanyInForce>)>> {
    let row: Option<(EstateRow, Option<(String, String)>)> = estates::table
        .left_join(service_contracts::table.on(in_force_on!(day)))
        .filter(estates::id.eq(id))
        .order(service_contracts::starts_on.desc())
        .select((
            EstateRow::as_select(),
            (service_contracts::company_id, service_contracts::kind).nullable(),
        ))
        .first(conn)
        .optional()?;
    row.map(|(estate, contract)| Ok((estate, company_in_force(contract)?)))
        .transpose()
}

/// `get_with_contract` for many estates in one round trip (batched lookups), by estate id.
pub fn get_many_with_contract(
    conn: &mut AnyConnection,
    ids: &[&str],
    day: NaiveDate,
) -> AppResult<std::collections::HashMap<String, (EstateRow, Option<CompanyInForce>)>> {
    let q = estates::table
        .left_join(service_contracts::table.on(in_force_on!(day)))
        // The latest started first: the first row of an estate is the one kept.
        .order((estates::id, service_contracts::starts_on.desc()))
        .select((
            EstateRow::as_select(),
            (service_contracts::company_id, service_contracts::kind).nullable(),
        ))
        .into_boxed();
    let rows: Vec<(EstateRow, Option<(String, String)>)> = super::filter_in!(q, estates::id, ids).load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (estate, contract) in rows {
        if !out.contains_key(&estate.id) {
            out.insert(estate.id.clone(), (estate, company_in_force(contract)?));
        }
    }
    Ok(out)
}

/// The current company and contract kind of each estate on `day` (the latest-starting contract
/// wins if several overlap).
pub fn current_contracts(
    conn: &mut AnyConnection,
    estate_ids: &[String],
    day: NaiveDate,
) -> AppResult<Vec<(String, String, ContractKind)>> {
    let rows: Vec<(String, String, String, NaiveDate)> = service_contracts::table
        .filter(service_contracts::estate_id.eq_any(estate_ids))
        .filter(service_contracts::starts_on.le(day))
        .filter(
            service_contracts::ends_on
                .is_null()
                .or(service_contracts::ends_on.ge(day)),
        )
        .order((service_contracts::estate_id.asc(), service_contracts::starts_on.desc()))
        .select((
            service_contracts::estate_id,
            service_contracts::company_id,
            service_contracts::kind,
            service_contracts::starts_on,
        ))
        .load(conn)?;
    let mut out: Vec<(String, String, ContractKind)> = Vec::new();
    for (estate, company, kind, _) in rows {
        if out.last().is_some_and(|(e, _, _)| *e == estate) {
            continue;
        }
        if let Some(k) = ContractKind::parse(&kind) {
            out.push((estate, company, k));
        }
    }
    Ok(out)
}

/// Estates that `company_id` serves on `day`.
pub fn served_by(conn: &mut AnyConnection, company_id: &str, day: NaiveDate) -> AppResult<Vec<String>> {
    let candidates: Vec<String> = service_contracts::table
        .filter(service_contracts::company_id.eq(company_id))
        .select(service_contracts::estate_id)
        .distinct()
        .load(conn)?;
    Ok(current_contracts(conn, &candidates, day)?
        .into_iter()
        .filter(|(_, c, _)| c == company_id)
        .map(|(e, _, _)| e)
        .collect())
}

/// Estates where one of these owners currently holds a unit.
pub fn held_by(conn: &mut AnyConnection, owner_ids: &[String]) -> AppResult<Vec<String>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ownerships::table
        .inner_join(units::table)
        .filter(ownerships::owner_id.eq_any(owner_ids))
        .filter(ownerships::ended_at.is_null())
        .select(units::estate_id)
        .distinct()
        .load(conn)?)
}

/// The first of `owner_ids` (in id order) that holds a unit of the estate now.
pub fn holder_in(conn: &mut AnyConnection, owner_ids: &[String], estate_id: &str) -> AppResult<Option<String>> {
    if owner_ids.is_empty() {
        return Ok(None);
    }
    Ok(ownerships::table
        .inner_join(units::table)
        .filter(ownerships::owner_id.eq_any(owner_ids))
        .filter(ownerships::ended_at.is_null())
        .filter(units::estate_id.eq(estate_id))
        .select(ownerships::owner_id)
        .order(ownerships::owner_id.asc())
        .first(conn)
        .optional()?)
}

/// Which of `owner_ids` hold a unit now in which of `estate_ids`: (owner, estate) pairs, for
/// many requests' `holder_in` at once.
pub fn holders_among(
    conn: &mut AnyConnection,
    owner_ids: &[&str],
    estate_ids: &[&str],
) -> AppResult<Vec<(String, String)>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = ownerships::table
        .inner_join(units::table)
        .filter(ownerships::ended_at.is_null())
        .select((ownerships::owner_id, units::estate_id))
        .distinct()
        .into_boxed();
    let q = super::filter_in!(q, ownerships::owner_id, owner_ids);
    Ok(super::filter_in!(q, units::estate_id, estate_ids).load(conn)?)
}

/// Everything the headcount rule needs: each unit's counted area, whether the developer holds
/// it, and its current owners. Two queries, however large the estate.
pub fn headcount_inputs(conn: &mut AnyConnection, estate_id: &str, include_parking: bool) -> AppResult<Vec<UnitInput>> {
    let rows: Vec<UnitRow> = units::table
        .filter(units::estate_id.eq(estate_id))
        .select(UnitRow::as_select())
        .load(conn)?;
    let owned: Vec<(String, String, bool)> = ownerships::table
        .inner_join(units::table)
        .filter(units::estate_id.eq(estate_id))
        .filter(ownerships::ended_at.is_null())
        .select((ownerships::unit_id, ownerships::owner_id, ownerships::designated_voter))
        .load(conn)?;
    let mut owners: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    let mut designated: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (u, o, d) in owned {
        if d {
            designated.insert(u.clone(), o.clone());
        }
        owners.entry(u).or_default().push(o);
    }
    Ok(rows
        .into_iter()
        .filter(|u| include_parking || u.kind().map_or(true, |k| k.counts_by_default()))
        .filter_map(|u| {
            let (area, _) = u.areas().best()?;
            Some(UnitInput {
                developer_held: u.sale_status().map_or(true, |s| s.developer_held()),
                owner_ids: owners.remove(&u.id).unwrap_or_default(),
                designated_owner_id: designated.remove(&u.id),
                unit_id: u.id,
                area_centi: area,
            })
        })
        .collect())
}

super::terms::term_columns!(EstateRow {
    kind, set_kind: crate::domain::registry::EstateKind;
});

super::terms::term_columns!(UnitRow {
    kind, set_kind: crate::domain::registry::UnitKind;
    sale_status, set_sale_status: crate::domain::registry::SaleStatus;
});
super::terms::term_columns!(UnitListed {
    kind, set_kind: crate::domain::registry::UnitKind;
    sale_status, set_sale_status: crate::domain::registry::SaleStatus;
});
