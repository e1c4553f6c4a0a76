//! Uses of the maintenance fund (维修资金使用): proposed with what, where, the estimate and the
//! buildings that bear it; decided by the owners' vote of category 5 that passed (linked, not
//! retyped) or, for an emergency on the county's list, applied for by the committee or the
//! community and approved by the bureau; carried out and settled with invoices. Each step is
//! published to the estate's owners as it happens.

use super::*;
use crate::domain::webhook::WebhookEvent;

pub struct FundApi;

fn use_out(u: FundUseRow) -> AppResult<FundUse> {
    Ok(FundUse {
        kind: u.kind()?,
        status: u.status()?,
        emergency: u.emergency.as_deref().map(db::terms::stored).transpose()?,
        applied_as: db::terms::stored(&u.applied_role)?,
        building_ids: json_list(&u.building_ids),
        invoice_ids: json_list(&u.invoices),
        id: u.id,
        estate_id: u.estate_id,
        title: u.title,
        location: u.location,
        description: u.description,
        estimate_fen: u.estimate_fen,
        vote_id: u.basis_vote_id,
        applied_at: utc(u.applied_at),
        decided_at: u.decided_at.map(utc),
        decision_note: u.decision_note,
        settled_fen: u.settled_fen,
        settled_at: u.settled_at.map(utc),
    })
}

fn changed_event(ctx: &EstateCtx, u: &FundUseRow) -> Vec<db::webhooks::Outbound> {
    let data = crate::http::events::data(&crate::http::events::FundUseChangedData {
        fund_use_id: u.id.clone(),
        estate_id: u.estate_id.clone(),
        kind: u.kind.clone(),
        status: u.status.clone(),
        estimate_fen: u.estimate_fen,
        settled_fen: u.settled_fen,
    });
    db::webhooks::to_county_and_companies(
        WebhookEvent::FundUseChanged,
        &county_of(&ctx.estate.community_path),
        ctx.company.iter().map(|(c, _)| c.clone()),
        &u.id,
        &data,
    )
}

/// A use the caller may see, with its estate.
fn load(conn: &mut AnyConnection, caller: &Caller, id: &str, for_change: bool) -> AppResult<(FundUseRow, EstateCtx)> {
    let not_found = || AppError::NotFound { what: "fund use" };
    let u = if for_change {
        db::money::fund_use_for_change(conn, id)?
    } else {
        db::money::fund_use(conn, id)?
    }
    .ok_or_else(not_found)?;
    let (ctx, _) = estate_for(conn, caller, &u.estate_id, Acts::ViewAccounts).map_err(|e| match e {
        AppError::NotFound { .. } => not_found(),
        e => e,
    })?;
    Ok((u, ctx))
}

/// One step of a use: load it locked, ask the policy, apply the step, save, audit, publish.
async fn step(
    state: &AppState,
    caller: Caller,
    id: String,
    name: &'static str,
    apply: impl FnOnce(&mut AnyConnection, &Caller, &EstateCtx, &mut FundUseRow) -> AppResult<db::audit::Actor>
        + Send
        + 'static,
) -> AppResult<FundUse> {
    state
        .db
        .command(move |c, trail| {
            let (mut u, ctx) = load(c, &caller, &id, true)?;
            let actor = apply(c, &caller, &ctx, &mut u)?;
            db::money::save_use(c, &u)?;
            trail.record(
                &actor,
                name,
                "fund_use",
                &u.id,
                &serde_json::json!({ "status": u.status, "vote": u.basis_vote_id, "settled_fen": u.settled_fen }),
            )?;
            for e in changed_event(&ctx, &u) {
                trail.publish(e);
            }
            use_out(u)
        })
        .await
}

#[OpenApi(tag = "ApiTags::Money")]
impl FundApi {
    /// Propose a use of the maintenance fund (what, where, the estimate, the buildings whose
    /// units bear it by legal area), or apply for an emergency use: one of the county's list
    /// (`not_an_emergency_here` otherwise).
    ///
    /// An ordinary use: the committee, party organisations over the estate, the company under
    /// contract, administrators. An emergency: the committee or party organisations (the
    /// community), administrators.
    #[oai(path = "/estates/:id/fund-uses", method = "post", operation_id = "proposeFundUse")]
    async fn propose(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewFundUse>,
    ) -> ApiResult<FundUseCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let emergency = b.kind == FundUseKind::Emergency;
                let actor = check(
                    &caller,
                    &ctx.place(),
                    &Action::ProposeFundUse {
                        place: ctx.place(),
                        emergency,
                    },
                )?;
                match (emergency, b.emergency) {
                    (true, None) => {
                        return Err(AppError::invalid(
                            "emergency",
                            reason::REQUIRED,
                            "name the emergency, one of the county's list",
                        ))
                    }
                    (true, Some(e)) if !settings_of(c, &ctx)?.emergencies.contains(&e) => {
                        return Err(AppError::rule(
                            codes::NOT_AN_EMERGENCY_HERE,
                            format!("{} is not on the county's list of emergencies", e.as_str()),
                        ))
                    }
                    (false, Some(_)) => {
                        return Err(AppError::invalid(
                            "emergency",
                            reason::INVALID,
                            "only an emergency use names an emergency",
                        ))
                    }
                    _ => {}
                }
                let buildings: Vec<String> =
                    db::estates::buildings_of(c, &ctx.estate.id)?.into_iter().map(|b| b.id).collect();
                if let Some(unknown) = b.building_ids.iter().find(|x| !buildings.contains(x)) {
                    return Err(AppError::invalid(
                        "building_ids",
                        reason::NOT_FOUND,
                        format!("no building {unknown} in this estate"),
                    ));
                }
                let u = FundUseRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    kind: b.kind.as_str().into(),
                    emergency: b.emergency.map(|e| e.as_str().into()),
                    title: b.title.trim().into(),
                    location: b.location.trim().into(),
                    description: b.description,
                    estimate_fen: b.estimate_fen,
                    building_ids: serde_json::to_string(&b.building_ids).unwrap_or_else(|_| "[]".into()),
                    status: FundUseStatus::Proposed.as_str().into(),
                    basis_vote_id: None,
                    applied_by: actor.actor_id.clone(),
                    applied_role: actor.role.clone(),
                    applied_at: ids::now(),
                    decided_by: None,
                    decided_at: None,
                    decision_note: None,
                    settled_fen: None,
                    invoices: "[]".into(),
                    settled_by: None,
                    settled_at: None,
                };
                db::money::insert_use(c, &u)?;
                trail.record(
                    &actor,
                    "fund_use.propose",
                    "fund_use",
                    &u.id,
                    &serde_json::json!({ "estate": u.estate_id, "kind": u.kind, "emergency": u.emergency, "estimate_fen": u.estimate_fen }),
                )?;
                for e in changed_event(&ctx, &u) {
                    trail.publish(e);
                }
                use_out(u)
            })
            .await?;
        Ok(FundUseCreated::Created(Json(out)))
    }

    /// An estate's uses of the fund, the latest first.
    ///
    /// Whoever may see the estate's accounts.
    #[oai(path = "/estates/:id/fund-uses", method = "get", operation_id = "listFundUses")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<FundUse>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (ctx, _) = estate_for(c, &caller, &id.0, Acts::ViewAccounts)?;
                db::money::uses_page(c, &ctx.estate.id, before.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |u| u.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(use_out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// One use of the fund.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/fund-uses/:id", method = "get", operation_id = "getFundUse")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<FundUse>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| use_out(load(c, &caller, &id.0, false)?.0))
            .await?;
        Ok(Json(out))
    }

    /// What each unit bears of a use: the estimate (or the settled cost, once settled) shared
    /// by legal area among the units of the buildings named (the whole estate if none), to the fen.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/fund-uses/:id/shares", method = "get", operation_id = "listFundUseShares")]
    async fn shares(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<FundShare>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<usize>(cursor.0.as_deref())?.unwrap_or(0);
        let out = state
            .db
            .read(move |c| {
                let (u, _) = load(c, &caller, &id.0, false)?;
                let units = units_of(c, &u.estate_id, &json_list(&u.building_ids))?;
                let areas: Vec<i64> = units.iter().map(|x| x.area.unwrap_or(0)).collect();
                let shares = money::apportion(Fen(u.settled_fen.unwrap_or(u.estimate_fen)), &areas);
                let items: Vec<FundShare> = units
                    .into_iter()
                    .zip(shares)
                    .skip(after)
                    .take(limit as usize)
                    .map(|(x, s)| FundShare {
                        area_centi_m2: x.area.unwrap_or(0),
                        unit_id: x.id,
                        building_id: x.building_id,
                        number: x.number,
                        share_fen: s.0,
                    })
                    .collect();
                let total = areas.len();
                let next = after + items.len();
                Ok(Page {
                    items,
                    next_cursor: (next < total).then(|| paging::encode_cursor(&next.to_string())),
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// The owners decided an ordinary use: link the vote of category 5 of this estate that
    /// closed and passed (`fund_basis_invalid` for any other vote).
    ///
    /// The estate's committee, party organisations over it, administrators.
    #[oai(path = "/fund-uses/:id/decision", method = "post", operation_id = "decideFundUse")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<FundDecision>,
    ) -> ApiResult<Json<FundUse>> {
        let vote_id = body.0.vote_id;
        let out = step(&state, auth.0, id.0, "fund_use.decide", move |c, caller, ctx, u| {
            let actor = check(caller, &ctx.place(), &Action::RecordMoneyDecision(ctx.place()))?;
            let basis = vote_basis(c, &u.estate_id, &vote_id, "vote_id")?;
            let next = u.status()?.decide(u.kind()?, basis)?;
            u.set_status(next);
            u.basis_vote_id = Some(vote_id);
            u.decided_by = Some(actor.actor_id.clone());
            u.decided_at = Some(ids::now());
            Ok(actor)
        })
        .await?;
        Ok(Json(out))
    }

    /// The county approves or refuses an emergency application; it is published to the
    /// estate's owners at once.
    ///
    /// The county's bureau, administrators.
    #[oai(path = "/fund-uses/:id/approval", method = "post", operation_id = "approveFundUse")]
    async fn approve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<FundApproval>,
    ) -> ApiResult<Json<FundUse>> {
        let b = body.0;
        let out = step(&state, auth.0, id.0, "fund_use.approve", move |_, caller, ctx, u| {
            let actor = check(caller, &ctx.place(), &Action::ApproveFundUse(ctx.place()))?;
            let next = u.status()?.approve(u.kind()?, b.approve)?;
            u.set_status(next);
            u.decided_by = Some(actor.actor_id.clone());
            u.decided_at = Some(ids::now());
            u.decision_note = b.note;
            Ok(actor)
        })
        .await?;
        Ok(Json(out))
    }

    /// Withdraw a use before it is decided.
    ///
    /// As for proposing it.
    #[oai(
        path = "/fund-uses/:id/withdrawal",
        method = "post",
        operation_id = "withdrawFundUse"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<FundUse>> {
        let out = step(
            &state,
            auth.caller().clone(),
            id.0,
            "fund_use.withdraw",
            |_, caller, ctx, u| {
                let actor = check(
                    caller,
                    &ctx.place(),
                    &Action::ProposeFundUse {
                        place: ctx.place(),
                        emergency: u.kind()? == FundUseKind::Emergency,
                    },
                )?;
                u.set_status(u.status()?.withdraw()?);
                Ok(actor)
            },
        )
        .await?;
        Ok(Json(out))
    }

    /// Settle a use carried out: the final cost (no more than the estimate decided) with its
    /// invoices.
    ///
    /// The company under contract today (its people or its API key), the estate's committee,
    /// party organisations over it, administrators.
    #[oai(path = "/fund-uses/:id/settlement", method = "post", operation_id = "settleFundUse")]
    async fn settle(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The use.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<FundSettlement>,
    ) -> ApiResult<Json<FundUse>> {
        let b = body.0;
        let out = step(
            &state,
            auth.caller().clone(),
            id.0,
            "fund_use.settle",
            move |c, caller, ctx, u| {
                let actor = check(caller, &ctx.place(), &Action::KeepAccounts(ctx.place()))
                    .or_else(|_| check(caller, &ctx.place(), &Action::RecordMoneyDecision(ctx.place())))?;
                let files = crate::http::attachments::uploaded_by_caller(c, caller, "invoice_ids", &b.invoice_ids)?;
                let next = u
                    .status()?
                    .settle(Fen(u.estimate_fen), Fen(b.amount_fen), files.len())?;
                u.set_status(next);
                u.settled_fen = Some(b.amount_fen);
                u.invoices = serde_json::to_string(&files).unwrap_or_else(|_| "[]".into());
                u.settled_by = Some(actor.actor_id.clone());
                u.settled_at = Some(ids::now());
                if let Some(note) = b.note {
                    u.decision_note = Some(match u.decision_note.take() {
                        Some(n) => format!("{n}\n{note}"),
                        None => note,
                    });
                }
                db::attachments::reference(c, &files, FUND_USE, &u.id)?;
                Ok(actor)
            },
        )
        .await?;
        Ok(Json(out))
    }
}
