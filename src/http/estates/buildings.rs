//! Buildings of an estate.

use super::*;

pub struct BuildingsApi;

#[OpenApi(tag = "ApiTags::Estates")]
impl BuildingsApi {
    /// Add a building to an estate.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/buildings", method = "post", operation_id = "createBuilding")]
    async fn create_building(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewBuilding>,
    ) -> ApiResult<BuildingCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let row = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                if let Some(g) = &input.grid_id {
                    check_grid(c, "grid_id", g, &ctx.estate.community_id)?;
                }
                let name = input.name.trim().to_string();
                if db::estates::buildings_of(c, &ctx.estate.id)?
                    .iter()
                    .any(|b| b.name == name)
                {
                    return Err(AppError::conflict(
                        codes::BUILDING_EXISTS,
                        "the estate already has a building of this name",
                    ));
                }
                let row = BuildingRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    name,
                    grid_id: input.grid_id,
                    created_at: ids::now(),
                };
                db::estates::insert_building(c, &row)?;
                trail.record(
                    &actor,
                    "building.create",
                    "building",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "name": row.name }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(BuildingCreated::Created(Json(Building {
            id: row.id,
            estate_id: row.estate_id,
            name: row.name,
            grid_id: row.grid_id,
        })))
    }

    /// List an estate's buildings.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/buildings", method = "get", operation_id = "listBuildings")]
    async fn list_buildings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Building>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                db::estates::buildings_of(c, &ctx.estate.id)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter()
                .map(|b| Building {
                    id: b.id,
                    estate_id: b.estate_id,
                    name: b.name,
                    grid_id: b.grid_id,
                })
                .collect(),
        )))
    }
}
