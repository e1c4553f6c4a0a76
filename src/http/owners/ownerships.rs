//! Who owns which unit, and transfers.

use super::*;

pub struct OwnershipsApi;

#[OpenApi(tag = "ApiTags::Owners")]
impl OwnershipsApi {
    /// The units an owner currently holds, each with its estate, building, number and area.
    ///
    /// As for reading the owner.
    #[oai(path = "/owners/:id/ownerships", method = "get", operation_id = "listOwnerships")]
    async fn ownerships(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Ownership>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                if !is_self(&caller, &id.0) {
                    owner_guard(c, &caller, &id.0, Need::Private)?;
                }
                db::owners::current_with_units(c, &id.0)
            })
            .await?;
        let items = rows
            .into_iter()
            .map(|(o, u, building_name, estate_name)| {
                let area = crate::domain::area::RecordedAreas {
                    registry: u.area_registry_centi,
                    survey: u.area_survey_centi,
                    contract: u.area_contract_centi,
                }
                .best()
                .map(|(a, _)| a);
                Ownership {
                    unit: Some(OwnedUnit {
                        estate_id: u.estate_id,
                        estate_name,
                        building_name,
                        entrance: u.entrance,
                        number: u.number,
                        area_centi_m2: area,
                    }),
                    ..ownership_out(o)
                }
            })
            .collect();
        Ok(Json(Page::whole(items)))
    }

    /// Transfer a unit: its current ownerships end and the given owners hold it from now on.
    /// History is kept.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/units/:id/ownerships", method = "post", operation_id = "transferUnit")]
    async fn transfer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Transfer>,
    ) -> ApiResult<Transferred> {
        let caller = auth.0.clone();
        let input = body.0;
        let mut owner_ids = input.owner_ids.clone();
        owner_ids.sort();
        owner_ids.dedup();
        if !owner_ids.contains(&input.designated_voter_id) {
            return Err(
                AppError::invalid("designated_voter_id", reason::NOT_AN_OWNER, "must be one of owner_ids").into(),
            );
        }
        let rows = state
            .db
            .command(move |c, trail| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let ctx = estate_ctx(c, &caller, &unit.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageRegistry(ctx.place()))?;
                let mut party = Vec::with_capacity(owner_ids.len());
                for (i, o) in owner_ids.iter().enumerate() {
                    match db::owners::get(c, o)? {
                        Some(owner) => party.push((owner.party_member, owner.name)),
                        None => {
                            return Err(AppError::invalid(
                                &format!("owner_ids[{i}]"),
                                reason::NOT_FOUND,
                                "no owner with this id",
                            ))
                        }
                    }
                }
                let now = ids::now();
                let ended = db::owners::end_current(c, &unit.id, now)?;
                let rows: Vec<OwnershipRow> = owner_ids
                    .iter()
                    .zip(party)
                    .map(|(o, (party_member, owner_name))| OwnershipRow {
                        id: ids::new_id(),
                        unit_id: unit.id.clone(),
                        owner_id: o.clone(),
                        designated_voter: *o == input.designated_voter_id,
                        started_at: now,
                        ended_at: None,
                        estate_id: unit.estate_id.clone(),
                        party_member,
                        owner_name,
                    })
                    .collect();
                db::owners::insert_ownerships(c, &rows)?;
                trail.record(
                    &actor,
                    "unit.transfer",
                    "unit",
                    &unit.id,
                    &serde_json::json!({ "owners": owner_ids, "voter": input.designated_voter_id, "ended": ended }),
                )?;
                Ok(rows)
            })
            .await?;
        Ok(Transferred::Created(Json(
            rows.into_iter().map(ownership_out).collect(),
        )))
    }

    /// A unit's ownerships, current first, then history.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[oai(path = "/units/:id/ownerships", method = "get", operation_id = "unitOwnerships")]
    async fn unit_ownerships(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Ownership>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let ctx = estate_ctx(c, &caller, &unit.estate_id)?;
                check(&caller, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                db::owners::of_unit(c, &unit.id)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(ownership_out).collect())))
    }
}
