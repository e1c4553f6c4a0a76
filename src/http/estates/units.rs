//! Units (专有部分) with their legal areas by source, and the history of area changes.

use super::*;
use crate::http::etag::{self, Tagged};
use poem_openapi::param::Header;

pub struct UnitsApi;

/// A unit as shown, with the tag of its row as stored.
fn unit_tagged(c: &mut AnyConnection, id: &str) -> AppResult<(Unit, String)> {
    let unit = db::estates::get_unit(c, id)?.ok_or(AppError::NotFound { what: "unit" })?;
    let tag = etag::of(&unit);
    let holders = db::owners::holders_of_units(c, std::slice::from_ref(&unit.id))?
        .into_iter()
        .map(holder_out)
        .collect();
    Ok((unit_out(unit, holders)?, tag))
}

#[OpenApi(tag = "ApiTags::Estates")]
impl UnitsApi {
    /// Record a unit's areas per source — typically the register's area when the certificate
    /// is issued, beside the contract's it was registered with. Every change is kept in the
    /// unit's area history and the audit log. Votes already open keep their frozen rolls; the
    /// next roll counts the new best area.
    ///
    /// Administrators, the bureau, party organisations above the estate. With `If-Match` (the
    /// unit's `ETag`), refused (412) if the unit changed since it was read.
    #[oai(path = "/units/:id", method = "patch", operation_id = "updateUnit")]
    async fn update_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The `ETag` of the unit as read (optional).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonBody<UnitChanges>,
    ) -> ApiResult<Tagged<Unit>> {
        let caller = auth.0.clone();
        let b = body.0;
        let given = recorded(
            b.area_registry_centi_m2,
            b.area_survey_centi_m2,
            b.area_contract_centi_m2,
        );
        if given.best().is_none() {
            return Err(AppError::invalid("area_registry_centi_m2", reason::REQUIRED, "give at least one area").into());
        }
        let out = state
            .db
            .command(move |c, trail| {
                let unit = db::estates::get_unit_for_change(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let (_, actor) = guard_estate(c, &caller, &unit.estate_id, Need::Manage)?;
                etag::check(if_match.0.as_deref(), &etag::of(&unit), false)?;
                let changes = db::estates::change_areas(c, &unit, &given, &actor.actor_id, ids::now())?;
                if changes.is_empty() {
                    // The areas given are the ones recorded: an idempotent repeat.
                    trail.unchanged();
                } else {
                    let what: Vec<serde_json::Value> = changes
                        .iter()
                        .map(|ch| serde_json::json!({ "source": ch.source, "from": ch.old_area_centi, "to": ch.new_area_centi }))
                        .collect();
                    trail.record(&actor, "unit.areas", "unit", &unit.id, &serde_json::json!({ "changes": what }))?;
                }
                unit_tagged(c, &unit.id)
            })
            .await?;
        Ok(Tagged::new(out.0, out.1))
    }

    /// One unit with its areas by source and its holders, and its `ETag`.
    ///
    /// Whoever may see the estate's personal data (administrators, the bureau, party
    /// organisations above the estate, its committee).
    #[oai(path = "/units/:id", method = "get", operation_id = "getUnit")]
    async fn get_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Unit>> {
        let caller = auth.0.clone();
        let (unit, tag) = state
            .db
            .read(move |c| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                guard_estate(c, &caller, &unit.estate_id, Need::Private)?;
                unit_tagged(c, &unit.id)
            })
            .await?;
        Ok(Tagged::new(unit, tag))
    }

    /// A unit's area history: every change of a recorded area, oldest first.
    ///
    /// Whoever may see the estate's personal data (administrators, the bureau, party
    /// organisations above the estate, its committee).
    #[oai(
        path = "/units/:id/area-changes",
        method = "get",
        operation_id = "listUnitAreaChanges"
    )]
    async fn area_changes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<AreaChange>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                guard_estate(c, &caller, &unit.estate_id, Need::Private)?;
                db::estates::area_changes(c, &unit.id)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter()
                .map(|r| {
                    Ok(AreaChange {
                        source: stored(&r.source)?,
                        old_area_centi_m2: r.old_area_centi,
                        new_area_centi_m2: r.new_area_centi,
                        changed_by: r.changed_by,
                        changed_at: r.changed_at.and_utc(),
                    })
                })
                .collect::<AppResult<_>>()?,
        )))
    }

    /// Register one unit (专有部分) with its legal area and its source.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/units", method = "post", operation_id = "createUnit")]
    async fn create_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewUnit>,
    ) -> ApiResult<UnitCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let mut areas = recorded(
            input.area_registry_centi_m2,
            input.area_survey_centi_m2,
            input.area_contract_centi_m2,
        );
        match (input.area_centi_m2, input.area_source) {
            (Some(a), Some(s)) => {
                let source = s;
                if areas.get(source).is_some_and(|b| b != a) {
                    return Err(AppError::invalid(
                        "area_centi_m2",
                        reason::CONFLICT,
                        "differs from the area given for the same source",
                    )
                    .into());
                }
                areas.set(source, a);
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(AppError::invalid("area_source", reason::REQUIRED, "an area comes with its source").into())
            }
            (None, Some(_)) => {
                return Err(AppError::invalid("area_centi_m2", reason::REQUIRED, "a source comes with its area").into())
            }
        }
        if areas.best().is_none() {
            return Err(AppError::invalid(
                "area_centi_m2",
                reason::REQUIRED,
                "a unit needs an area: from the register, a survey or the contract",
            )
            .into());
        }
        if [areas.registry, areas.survey, areas.contract]
            .iter()
            .flatten()
            .any(|a| *a > MAX_UNIT_AREA_CENTI)
        {
            return Err(AppError::invalid("area_centi_m2", reason::TOO_LARGE, "larger than any unit can be").into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                let building = db::estates::get_building(c, &input.building_id)?
                    .filter(|b| b.estate_id == ctx.estate.id)
                    .ok_or_else(|| AppError::invalid("building_id", reason::NOT_FOUND, "no building with this id in the estate"))?;
                let kind = input.kind;
                let status = input.sale_status;
                let row = UnitRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    building_id: building.id,
                    entrance: input.entrance.trim().into(),
                    number: input.number.trim().into(),
                    kind: kind.as_str().into(),
                    area_registry_centi: areas.registry,
                    area_survey_centi: areas.survey,
                    area_contract_centi: areas.contract,
                    sale_status: status.as_str().into(),
                    created_at: ids::now(),
                };
                db::estates::insert_units(c, std::slice::from_ref(&row)).map_err(|e| match e {
                    AppError::Conflict { .. } => AppError::conflict(codes::UNIT_EXISTS, "the building already has a unit with this entrance and number"),
                    other => other,
                })?;
                trail.record(&actor, "unit.create", "unit", &row.id, &serde_json::json!({ "estate": row.estate_id, "building": row.building_id, "entrance": row.entrance, "number": row.number, "registry": areas.registry, "survey": areas.survey, "contract": areas.contract }))?;
                Ok(row)
            })
            .await?;
        Ok(UnitCreated::Created(Json(unit_out(row, vec![])?)))
    }

    /// List an estate's units with their areas and current owners, by building, then room
    /// number (compared as text), then id; `building_id` keeps one building's.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[oai(path = "/estates/:id/units", method = "get", operation_id = "listUnits")]
    async fn list_units(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only this building's units.
        #[oai(validator(max_length = 64))]
        building_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> ApiResult<crate::http::json::FastJson<Page<Unit>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<Keys<3>>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Private)?;
                let after = after
                    .as_ref()
                    .map(|Keys([b, n, id])| [b.as_str(), n.as_str(), id.as_str()]);
                db::estates::units_page(c, &ctx.estate.id, building_id.0.as_deref(), after, paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |(u, _)| Keys::join([&u.building_id, &u.number, &u.id]));
        let items = rows
            .into_iter()
            .map(|(u, holders)| unit_out(u, holders.into_iter().map(holder_out).collect()))
            .collect::<AppResult<_>>()?;
        Ok(crate::http::json::FastJson(Page { items, next_cursor }))
    }
}

/// The areas per source of a request, as recorded.
pub(crate) fn recorded(registry: Option<i64>, survey: Option<i64>, contract: Option<i64>) -> RecordedAreas {
    RecordedAreas {
        registry,
        survey,
        contract,
    }
}
