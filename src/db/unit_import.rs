//! Writes a validated spreadsheet (domain::unit_import) into one estate: buildings, units,
//! owners (matched by keyed ID hash across estates), co-owners and ownerships, with multi-row
//! inserts inside the caller's one transaction. Rows that clash with what is already
//! registered are reported like any other bad row, and then nothing is written.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::estates::{self, BuildingRow, UnitRow};
use super::owners::{self, OwnerRow, OwnershipRow};
use super::AnyConnection;
use crate::crypto::IdHasher;
use crate::domain::identity::{birth_date, last4};
use crate::domain::ids::new_id;
use crate::domain::unit_import::{ImportRow, OwnerKind, RowError};
use crate::error::AppResult;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub units: usize,
    /// Units already registered whose areas the file updated (a later source's area).
    pub units_updated: usize,
    pub buildings_created: usize,
    pub owners_created: usize,
    pub owners_matched: usize,
    pub ownerships: usize,
}

/// Rows written by an import from which the tables' statistics are refreshed.
const ANALYZE_OVER: usize = 500;

/// Imports `rows` into `estate_id`; `Ok(Err(errors))` when a row clashes with the registry.
pub fn apply(
    conn: &mut AnyConnection,
    estate_id: &str,
    rows: &[ImportRow],
    hasher: &IdHasher,
    changed_by: &str,
    now: NaiveDateTime,
) -> AppResult<Result<ImportReport, Vec<RowError>>> {
    let mut errors = Vec::new();
    // A row for a unit already registered may only bring its areas (the register's area
    // arriving after the contract's): the same sale status and owner, or no owner columns.
    let existing = estates::units_by_key(conn, estate_id)?;
    let mut updates: Vec<(&UnitRow, &ImportRow)> = Vec::new();
    for r in rows {
        let Some(unit) = existing.get(&(r.building.clone(), r.entrance.clone(), r.number.clone())) else {
            continue;
        };
        let holder_hashes: Vec<String> = owners::holders_of_units(conn, std::slice::from_ref(&unit.id))?
            .into_iter()
            .filter(|o| o.designated_voter)
            .filter_map(|o| owners::get(conn, &o.owner_id).ok().flatten().and_then(|x| x.id_hash))
            .collect();
        let same_owner = match &r.owner {
            None => r.co_owners.is_empty(),
            Some(o) => holder_hashes.contains(&hasher.hash(&o.id_number)),
        };
        if unit.sale_status().ok() != Some(r.sale_status) || !same_owner {
            errors.push(RowError::new(
                r.row,
                "房号",
                "this unit is already registered in the estate: a row for it may only update its areas (with the same owner and sale status)",
                "该房屋已在本小区登记：它的行只能更新面积（业主和销售状态须相同）",
            ));
        } else {
            updates.push((unit, r));
        }
    }
    let rows: Vec<ImportRow> = rows
        .iter()
        .filter(|r| !existing.contains_key(&(r.building.clone(), r.entrance.clone(), r.number.clone())))
        .cloned()
        .collect();
    let rows = rows.as_slice();

    // Owners with ID numbers: match the registered ones, create the rest.
    let hashes: HashMap<&str, String> = rows
        .iter()
        .filter_map(|r| r.owner.as_ref())
        .map(|o| (o.id_number.as_str(), hasher.hash(&o.id_number)))
        .collect();
    let wanted: Vec<String> = hashes.values().cloned().collect();
    let mut by_hash: HashMap<String, OwnerRow> = owners::by_id_hashes(conn, &wanted)?
        .into_iter()
        .filter_map(|o| Some((o.id_hash.clone()?, o)))
        .collect();
    let owners_matched = by_hash.len();
    let mut new_owners: Vec<OwnerRow> = Vec::new();
    for r in rows {
        let Some(o) = &r.owner else { continue };
        let hash = &hashes[o.id_number.as_str()];
        match by_hash.get(hash) {
            Some(found) if found.name != o.name => {
                errors.push(RowError::new(
                    r.row,
                    "业主姓名",
                    "this ID number is registered under another name",
                    "该身份证号已以另一个姓名登记",
                ));
            }
            Some(_) => {}
            None => {
                let row = OwnerRow {
                    id: new_id(),
                    kind: o.kind.as_str().into(),
                    name: o.name.clone(),
                    id_hash: Some(hash.clone()),
                    id_last4: Some(last4(&o.id_number)),
                    phone: o.phone.clone(),
                    party_member: o.party_member,
                    party_org_id: None,
                    party_post: None,
                    introduced_with: None,
                    created_at: now,
                    birth_date: match o.kind {
                        OwnerKind::Natural => birth_date(&o.id_number),
                        OwnerKind::Legal => None,
                    },
                };
                by_hash.insert(hash.clone(), row.clone());
                new_owners.push(row);
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok(Err(errors));
    }

    // Co-owners have only a name: the same name beside the same owner is the same person, so a
    // couple holding two units stays one buyer.
    let principal_ids: Vec<String> = by_hash.values().map(|o| o.id.clone()).collect();
    let mut co_owner: HashMap<(String, String), String> = owners::introduced_with(conn, &principal_ids)?
        .into_iter()
        .filter_map(|o| Some(((o.introduced_with.clone()?, o.name.clone()), o.id)))
        .collect();

    // Buildings.
    let mut building_ids: HashMap<String, String> = estates::buildings_of(conn, estate_id)?
        .into_iter()
        .map(|b| (b.name, b.id))
        .collect();
    let mut new_buildings = Vec::new();
    for r in rows {
        if !building_ids.contains_key(&r.building) {
            let b = BuildingRow {
                id: new_id(),
                estate_id: estate_id.into(),
                name: r.building.clone(),
                grid_id: None,
                created_at: now,
            };
            building_ids.insert(b.name.clone(), b.id.clone());
            new_buildings.push(b);
        }
    }

    let mut units = Vec::with_capacity(rows.len());
    let mut holdings = Vec::new();
    for r in rows {
        let unit_id = new_id();
        let areas = (r.areas.registry, r.areas.survey, r.areas.contract);
        units.push(UnitRow {
            id: unit_id.clone(),
            estate_id: estate_id.into(),
            building_id: building_ids[&r.building].clone(),
            entrance: r.entrance.clone(),
            number: r.number.clone(),
            kind: r.kind.as_str().into(),
            area_registry_centi: areas.0,
            area_survey_centi: areas.1,
            area_contract_centi: areas.2,
            sale_status: r.sale_status.as_str().into(),
            created_at: now,
        });
        let Some(o) = &r.owner else { continue };
        let principal_row = &by_hash[&hashes[o.id_number.as_str()]];
        let (principal, principal_name) = (principal_row.id.clone(), principal_row.name.clone());
        holdings.push(OwnershipRow {
            id: new_id(),
            unit_id: unit_id.clone(),
            owner_id: principal.clone(),
            designated_voter: true,
            started_at: now,
            ended_at: None,
            estate_id: estate_id.into(),
            // Copied from the owners below, once they are all written.
            party_member: false,
            owner_name: principal_name.clone(),
        });
        for name in &r.co_owners {
            let key = (principal.clone(), name.clone());
            let id = match co_owner.get(&key) {
                Some(id) => id.clone(),
                None => {
                    let row = OwnerRow {
                        id: new_id(),
                        kind: "natural".into(),
                        name: name.clone(),
                        id_hash: None,
                        id_last4: None,
                        phone: None,
                        party_member: false,
                        party_org_id: None,
                        party_post: None,
                        introduced_with: Some(principal.clone()),
                        created_at: now,
                        birth_date: None,
                    };
                    co_owner.insert(key, row.id.clone());
                    let id = row.id.clone();
                    new_owners.push(row);
                    id
                }
            };
            holdings.push(OwnershipRow {
                id: new_id(),
                unit_id: unit_id.clone(),
                owner_id: id,
                designated_voter: false,
                started_at: now,
                ended_at: None,
                estate_id: estate_id.into(),
                party_member: false,
                owner_name: name.clone(),
            });
        }
    }

    estates::insert_buildings(conn, &new_buildings)?;
    estates::insert_units(conn, &units)?;
    owners::insert_many(conn, &new_owners)?;
    owners::insert_ownerships(conn, &holdings)?;
    if !holdings.is_empty() {
        owners::copy_party_membership(conn, estate_id)?;
    }
    // A bulk import can grow these tables many times over: plans must not start from before.
    if units.len() + holdings.len() >= ANALYZE_OVER {
        super::analyze(conn, &["buildings", "units", "owners", "ownerships"])?;
    }
    let mut units_updated = 0;
    for (unit, r) in updates {
        if !estates::change_areas(conn, unit, &r.areas, changed_by, now)?.is_empty() {
            units_updated += 1;
        }
    }
    Ok(Ok(ImportReport {
        units: units.len(),
        units_updated,
        buildings_created: new_buildings.len(),
        owners_created: new_owners.len(),
        owners_matched,
        ownerships: holdings.len(),
    }))
}
