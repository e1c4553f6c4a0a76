//! Rows as the API shows them.

use super::*;

pub fn estate_out(ctx: EstateCtx) -> AppResult<Estate> {
    let mode = ctx.management_mode();
    let e = ctx.estate;
    Ok(Estate {
        kind: e.kind()?,
        county_id: crate::domain::registry::county_of(&e.community_path),
        id: e.id,
        name: e.name,
        community_id: e.community_id,
        responsible_org_id: e.responsible_org_id,
        management_mode: mode,
        current_company_id: ctx.company.map(|(c, _)| c),
        self_managed: e.self_managed,
        grid_id: e.grid_id,
        address: e.address,
        created_at: e.created_at.and_utc(),
    })
}

pub(crate) fn holder_out(h: crate::db::owners::Holder) -> UnitHolder {
    UnitHolder {
        owner_id: h.owner_id,
        designated_voter: h.designated_voter,
    }
}

pub(crate) fn unit_out(u: impl Into<UnitListed>, holders: Vec<UnitHolder>) -> AppResult<Unit> {
    let u: UnitListed = u.into();
    let (area, source) = u.areas().best().unwrap_or((0, AreaSource::Contract));
    let sale_status = u.sale_status()?;
    Ok(Unit {
        kind: u.kind()?,
        id: u.id,
        building_id: u.building_id,
        entrance: u.entrance,
        number: u.number,
        area_centi_m2: area,
        area_source: source,
        area_registry_centi_m2: u.area_registry_centi,
        area_survey_centi_m2: u.area_survey_centi,
        area_contract_centi_m2: u.area_contract_centi,
        sale_status,
        developer_held: sale_status.developer_held(),
        owners: holders,
    })
}
