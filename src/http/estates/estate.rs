//! Estates: registered under their community with the organisation responsible for them, listed, changed, counted.

use super::*;

pub struct EstatesApi;

#[OpenApi(tag = "ApiTags::Estates")]
impl EstatesApi {
    /// Register an estate in a community.
    ///
    /// Administrators, the bureau of the county, party organisations above the community.
    #[oai(path = "/estates", method = "post", operation_id = "createEstate")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewEstate>,
    ) -> ApiResult<EstateCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let ctx = state
            .db
            .command(move |c, trail| {
                let community = referenced_org(c, "community_id", &input.community_id, &[OrgKind::Community])?;
                let place = crate::http::scope::org_place(&community);
                let actor = check(&caller, &place, &Action::ManageRegistry(place.clone()))?;
                let kind = input.kind;
                let responsible_id = match &input.responsible_org_id {
                    Some(id) => id.clone(),
                    None => default_responsible(c, kind, &community)?,
                };
                let responsible = referenced_org(c, "responsible_org_id", &responsible_id, &[kind.responsible_kind()])?;
                if let Some(g) = &input.grid_id {
                    check_grid(c, "grid_id", g, &community.id)?;
                }
                let row = EstateRow {
                    id: ids::new_id(),
                    name: input.name.trim().into(),
                    kind: kind.as_str().into(),
                    community_id: community.id.clone(),
                    responsible_org_id: responsible.id.clone(),
                    community_path: community.path.clone(),
                    responsible_path: responsible.path.clone(),
                    self_managed: input.self_managed,
                    grid_id: input.grid_id.clone(),
                    address: input.address.clone(),
                    created_at: ids::now(),
                };
                db::estates::insert(c, &row)?;
                trail.record(&actor, "estate.create", "estate", &row.id, &serde_json::json!({ "name": row.name, "kind": row.kind, "community": row.community_id, "responsible": row.responsible_org_id }))?;
                estate_ctx(c, &caller, &row.id)
            })
            .await?;
        Ok(EstateCreated::Created(Json(estate_out(ctx)?)))
    }

    /// List the estates the caller's roles reach: an organisation's subtree, a committee's
    /// estate, a company's contracted estates, an owner's estates.
    ///
    /// Any authenticated caller; each sees only its own scope.
    #[oai(path = "/estates", method = "get", operation_id = "listEstates")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        kind: Query<Option<EstateKind>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Estate>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let kind = kind.0.map(|k| k.as_str());
        let (rows, contracts) = state
            .db
            .read(move |c| {
                let scope = estate_scope(c, &caller)?;
                let rows = db::estates::page(c, &scope, kind, after.as_deref(), paging::fetch(limit))?;
                let ids: Vec<String> = rows.iter().map(|e| e.id.clone()).collect();
                let contracts = db::estates::current_contracts(c, &ids, ids::today())?;
                Ok((rows, contracts))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |e| e.id.clone());
        let items = rows
            .into_iter()
            .map(|estate| {
                let company = contracts
                    .iter()
                    .find(|(e, _, _)| *e == estate.id)
                    .map(|(_, c, k)| (c.clone(), *k));
                estate_out(EstateCtx {
                    estate,
                    company,
                    caller_owns_here: false,
                })
            })
            .collect::<AppResult<_>>()?;
        Ok(Json(Page { items, next_cursor }))
    }

    /// Read an estate's public record.
    ///
    /// Whoever the estate is in scope for: its organisations, committee, serving company, owners.
    #[oai(path = "/estates/:id", method = "get", operation_id = "getEstate")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Estate>> {
        let caller = auth.caller().clone();
        let ctx = state
            .db
            .read(move |c| Ok(guard_estate(c, &caller, &id.0, Need::Public)?.0))
            .await?;
        Ok(Json(estate_out(ctx)?))
    }

    /// Change an estate's name, address, grid or self-management flag.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id", method = "patch", operation_id = "updateEstate")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<EstatePatch>,
    ) -> ApiResult<Json<Estate>> {
        let caller = auth.0.clone();
        let p = body.0;
        let ctx = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::Manage)?;
                if let Some(g) = p.grid_id.value() {
                    check_grid(c, "grid_id", g, &ctx.estate.community_id)?;
                }
                let changes = EstateChanges {
                    name: p.name.as_ref().map(|n| n.trim().to_string()),
                    address: p.address.clone().into(),
                    grid_id: p.grid_id.clone().into(),
                    self_managed: p.self_managed,
                };
                if changes.name.is_none() && changes.address.is_none() && changes.grid_id.is_none() && changes.self_managed.is_none() {
                    return Err(AppError::rule(codes::NOTHING_TO_CHANGE, "name at least one field to change"));
                }
                db::estates::update(c, &ctx.estate.id, &changes)?;
                trail.record(&actor, "estate.update", "estate", &ctx.estate.id, &serde_json::json!({ "name": p.name, "address": p.address.value(), "grid": p.grid_id.value(), "self_managed": p.self_managed }))?;
                estate_ctx(c, &caller, &ctx.estate.id)
            })
            .await?;
        Ok(Json(estate_out(ctx)?))
    }

    /// Area and headcount totals by the SPC rules, as a vote's roll would count them today.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/headcount", method = "get", operation_id = "estateHeadcount")]
    async fn headcount(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Count parking spaces as exclusive parts (default: no).
        include_parking: Query<Option<bool>>,
    ) -> ApiResult<Json<Headcount>> {
        let caller = auth.caller().clone();
        let parking = include_parking.0.unwrap_or(false);
        let inputs = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                db::estates::headcount_inputs(c, &ctx.estate.id, parking)
            })
            .await?;
        let voters = headcount::voters(&inputs);
        let totals = headcount::totals(&voters);
        let developer = voters.iter().find(|v| v.key == headcount::VoterKey::Developer);
        Ok(Json(Headcount {
            total_area_centi_m2: totals.total_area_centi,
            total_heads: totals.total_heads,
            units_counted: inputs.len() as u64,
            developer_units: developer.map_or(0, |d| d.unit_ids.len() as u64),
            developer_area_centi_m2: developer.map_or(0, |d| d.area_centi),
            buyers_with_several_units: voters
                .iter()
                .filter(|v| matches!(v.key, headcount::VoterKey::Owners(_)) && v.unit_ids.len() > 1)
                .count() as u64,
            parking_included: parking,
        }))
    }
}

/// The estate's organisation that is responsible by default for its kind.
pub(crate) fn default_responsible(
    conn: &mut AnyConnection,
    kind: EstateKind,
    community: &crate::db::orgs::OrgRow,
) -> AppResult<String> {
    let missing = |what: &str| {
        AppError::invalid(
            "responsible_org_id",
            reason::REQUIRED,
            format!("no {what} found: name the responsible organisation"),
        )
    };
    match kind {
        EstateKind::WorkUnit => Err(missing("work unit")),
        EstateKind::VillageBuilt => community.parent_id.clone().ok_or_else(|| missing("township")),
        EstateKind::Commercial => {
            // The housing bureau under the community's county (the first id of its path).
            let county = community
                .path
                .split('/')
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_string();
            let bureaus = db::orgs::page_within(conn, Some(&[county]), Some(OrgKind::HousingBureau.as_str()), None, 1)?;
            bureaus
                .into_iter()
                .next()
                .map(|b| b.id)
                .ok_or_else(|| missing("housing bureau in the county"))
        }
    }
}

pub(crate) fn check_grid(conn: &mut AnyConnection, field: &str, grid_id: &str, community_id: &str) -> AppResult<()> {
    let grid = db::orgs::get_grid(conn, grid_id)?
        .ok_or_else(|| AppError::invalid(field, reason::NOT_FOUND, "no grid with this id"))?;
    if grid.community_id != community_id {
        return Err(AppError::invalid(
            field,
            reason::WRONG_COMMUNITY,
            "the grid belongs to another community",
        ));
    }
    Ok(())
}
