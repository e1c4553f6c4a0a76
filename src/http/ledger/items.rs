//! Reporting items, reading one with its history, and the three lists: an estate's (officials),
//! one's own reports, and what is dispatched to oneself.

use super::*;

pub struct ItemsApi;

/// The filters the lists share.
fn filter(
    status: Option<ItemStatus>,
    category: Option<Category>,
    assignee_id: Option<String>,
    overdue: Option<bool>,
) -> db::ledger::Filter {
    db::ledger::Filter {
        status,
        category,
        assignee_id,
        overdue,
    }
}

/// Reads a page of `whose` items, each shown as `seen` (or as a list decides per item).
async fn list(
    state: &AppState,
    whose: db::ledger::Whose,
    filter: db::ledger::Filter,
    seen: Seen,
    limit: Option<u32>,
    cursor: Option<String>,
) -> ApiResult<FastJson<Page<LedgerItem>>> {
    let limit = paging::limit(limit);
    let before = paging::decode_cursor::<String>(cursor.as_deref())?;
    let now = ids::now();
    let rows = state
        .db
        .read(move |c| db::ledger::page(c, &whose, &filter, before.as_deref(), now, paging::fetch(limit)))
        .await?;
    let (rows, next_cursor) = paging::page(rows, limit, |i| i.id.clone());
    Ok(FastJson(Page {
        items: rows
            .into_iter()
            .map(|i| item_out(i, seen, now))
            .collect::<AppResult<_>>()?,
        next_cursor,
    }))
}

/// The name a report is shown under: an owner's own name, a person's display name, a key's
/// company.
fn reporter_name(conn: &mut AnyConnection, caller: &Caller, role: Role, estate_id: &str) -> AppResult<String> {
    let p = &caller.principal;
    if role == Role::Owner {
        for owner in p.owner_ids() {
            if db::owners::estates_of(conn, &owner)?.iter().any(|e| e == estate_id) {
                if let Some(o) = db::owners::get(conn, &owner)? {
                    return Ok(o.name);
                }
            }
        }
    }
    if let crate::domain::policy::Actor::User { id, .. } = &p.actor {
        if let Some(u) = db::users::by_id(conn, id)? {
            return Ok(u.display_name);
        }
    }
    match p.company_ids().first() {
        Some(company) => Ok(db::companies::get(conn, company)?.map(|c| c.name).unwrap_or_default()),
        None => Ok(String::new()),
    }
}

#[OpenApi(tag = "ApiTags::Ledger")]
impl ItemsApi {
    /// Report a problem to an estate's ledger (问题台账), with photos uploaded beforehand
    /// (`POST /attachments`). The reporter's name is withheld from the assignee unless
    /// `show_reporter_to_company`.
    ///
    /// The estate's owners, party organisations over it (grid workers among them), its
    /// committee, the company under contract (a person or its API key), administrators.
    #[oai(
        path = "/estates/:id/ledger-items",
        method = "post",
        operation_id = "reportLedgerItem"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ReportItem>,
    ) -> ApiResult<ItemReported> {
        let caller = auth.caller().clone();
        let b = body.0;
        let row = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::ReportLedgerItem(ctx.place()))?;
                let role = db::terms::stored::<Role>(&actor.role)?;
                let (building_id, unit_id) = placed(c, &ctx, b.building_id, b.unit_id)?;
                let files = own_files(c, &caller, &b.attachment_ids)?;
                let now = ids::now();
                let row = ItemRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    building_id,
                    unit_id,
                    category: b.category.as_str().into(),
                    title: b.title.trim().to_string(),
                    description: b.description,
                    reporter_type: actor.actor_type.clone(),
                    reporter_id: actor.actor_id.clone(),
                    reporter_role: actor.role.clone(),
                    reporter_company_id: (role == Role::Company)
                        .then(|| ctx.company.as_ref().map(|(c, _)| c.clone()))
                        .flatten(),
                    reporter_name: reporter_name(c, &caller, role, &ctx.estate.id)?,
                    show_reporter: b.show_reporter_to_company,
                    status: ItemStatus::Reported.as_str().into(),
                    assignee_kind: None,
                    assignee_id: None,
                    dispatched_at: None,
                    accept_due: None,
                    done_due: None,
                    accepted_at: None,
                    resolved_at: None,
                    confirm_by: None,
                    confirmed_at: None,
                    rating: None,
                    service_minutes: None,
                    created_at: now,
                    updated_at: now,
                };
                db::ledger::insert(c, &row)?;
                let said = Said {
                    files,
                    ..Said::default()
                };
                record_step(c, &actor, &row, Step::Report, &said, now)?;
                trail.record(
                    &actor,
                    "ledger.report",
                    "ledger_item",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "category": row.category, "attachments": said.files }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(ItemReported::Created(Json(item_out(row, Seen::Reporter, ids::now())?)))
    }

    /// Read a ledger item with its whole history.
    ///
    /// Officials over the estate and its committee, the reporter, the assignee (who sees the
    /// reporter only if allowed).
    #[oai(path = "/ledger-items/:id", method = "get", operation_id = "getLedgerItem")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<LedgerItemDetail>> {
        let caller = auth.caller().clone();
        let ctx = state
            .db
            .read(move |c| {
                let ctx = ItemCtx::load(c, &caller, &id.0)?;
                let seen = ctx.visible(&caller)?;
                let steps = db::ledger::steps(c, &ctx.item.id)?;
                // Who took it, by name, for the item and each dispatch of its history.
                let mut names = std::collections::HashMap::new();
                let taken = steps
                    .iter()
                    .map(|s| (s.assignee_kind.clone(), s.assignee_id.clone()))
                    .chain(std::iter::once((
                        ctx.item.assignee_kind.clone(),
                        ctx.item.assignee_id.clone(),
                    )));
                for (kind, id) in taken {
                    if let (Some(kind), Some(id)) = (kind, id) {
                        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id.clone()) {
                            e.insert(assignee_name(c, &kind, &id)?);
                        }
                    }
                }
                Ok((ctx.item, seen, steps, names))
            })
            .await?;
        let (ctx, seen, steps, names) = (ctx.0, ctx.1, ctx.2, ctx.3);
        let name_of = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned().flatten());
        let hide = seen.hides_reporter(&ctx);
        let reporter_id = ctx.reporter_id.clone();
        let assignee_name = name_of(&ctx.assignee_id);
        Ok(Json(LedgerItemDetail {
            item: LedgerItem {
                assignee_name,
                ..item_out(ctx, seen, ids::now())?
            },
            steps: steps
                .into_iter()
                .map(|s| {
                    let name = name_of(&s.assignee_id);
                    Ok(LedgerStep {
                        assignee_name: name,
                        ..step_out(s, hide, &reporter_id)?
                    })
                })
                .collect::<AppResult<_>>()?,
        }))
    }

    /// List an estate's ledger, newest first, with filters.
    ///
    /// Administrators, the bureau, party organisations over the estate, its committee.
    #[oai(path = "/estates/:id/ledger-items", method = "get", operation_id = "listLedgerItems")]
    #[allow(clippy::too_many_arguments)]
    async fn list_estate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only items in this status (as read now: `confirmed` includes those confirmed by default).
        status: Query<Option<ItemStatus>>,
        /// Only items of this category.
        category: Query<Option<Category>>,
        /// Only items dispatched to this assignee.
        #[oai(validator(max_length = 64))]
        assignee_id: Query<Option<String>>,
        /// Only overdue items (true) or only the others (false).
        overdue: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<FastJson<Page<LedgerItem>>> {
        let caller = auth.0.clone();
        let estate = state
            .db
            .lookup(move |c| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                check(&caller, &ctx.place(), &Action::ViewLedger(ctx.place()))?;
                Ok(ctx.estate.id)
            })
            .await?;
        list(
            &state,
            db::ledger::Whose::Estate(estate),
            filter(status.0, category.0, assignee_id.0, overdue.0),
            Seen::Official,
            limit.0,
            cursor.0,
        )
        .await
    }

    /// List the items the caller reported (for a company, every report of the company), newest first.
    ///
    /// Every signed-in person and every company key.
    #[oai(
        path = "/ledger-items/reported",
        method = "get",
        operation_id = "listReportedLedgerItems"
    )]
    async fn list_reported(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only items in this status (as read now).
        status: Query<Option<ItemStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<FastJson<Page<LedgerItem>>> {
        let p = &auth.caller().principal;
        let whose = db::ledger::Whose::ReportedBy {
            actor_id: p.actor_id().to_string(),
            companies: p.company_ids(),
        };
        list(
            &state,
            whose,
            filter(status.0, None, None, None),
            Seen::Reporter,
            limit.0,
            cursor.0,
        )
        .await
    }

    /// List the items dispatched to the caller — its company, its department, itself as a
    /// party member, or a volunteer team it belongs to — newest first. Reporters who did not
    /// allow it are withheld.
    ///
    /// Every signed-in person and every company key.
    #[oai(
        path = "/ledger-items/assigned",
        method = "get",
        operation_id = "listAssignedLedgerItems"
    )]
    async fn list_assigned(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only items in this status (as read now).
        status: Query<Option<ItemStatus>>,
        /// Only overdue items (true) or only the others (false).
        overdue: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<FastJson<Page<LedgerItem>>> {
        let p = auth.caller().principal.clone();
        let owners = p.owner_ids();
        let teams = state
            .db
            .lookup(move |c| db::ledger::teams_of_owners(c, &owners))
            .await?;
        let mut ids_ = p.assignee_ids();
        ids_.extend(teams);
        list(
            &state,
            db::ledger::Whose::AssignedTo(ids_),
            filter(status.0, None, None, overdue.0),
            Seen::Assignee,
            limit.0,
            cursor.0,
        )
        .await
    }
}

/// The building and unit a report names, checked to be the estate's (a unit implies its building).
fn placed(
    conn: &mut AnyConnection,
    ctx: &EstateCtx,
    building_id: Option<String>,
    unit_id: Option<String>,
) -> AppResult<(Option<String>, Option<String>)> {
    let unit = match unit_id {
        Some(u) => Some(
            db::estates::get_unit(conn, &u)?
                .filter(|x| x.estate_id == ctx.estate.id)
                .ok_or_else(|| AppError::invalid("unit_id", reason::NOT_FOUND, "no such unit in this estate"))?,
        ),
        None => None,
    };
    let building = match (building_id, &unit) {
        (Some(b), Some(u)) if b != u.building_id => {
            return Err(AppError::invalid(
                "building_id",
                reason::INVALID,
                "the unit is in another building",
            ))
        }
        (Some(b), _) => Some(
            db::estates::get_building(conn, &b)?
                .filter(|x| x.estate_id == ctx.estate.id)
                .ok_or_else(|| AppError::invalid("building_id", reason::NOT_FOUND, "no such building in this estate"))?
                .id,
        ),
        (None, Some(u)) => Some(u.building_id.clone()),
        (None, None) => None,
    };
    Ok((building, unit.map(|u| u.id)))
}
