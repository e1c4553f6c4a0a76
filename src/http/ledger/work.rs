//! The steps after the report: the community dispatches; the assignee accepts or declines,
//! notes progress, reports done with evidence; the reporter confirms and rates, or reopens.
//! Each is one command through `act`: load, ask the policy as whom, apply the domain's step,
//! save, append the step and the audit event.

use super::*;

pub struct WorkApi;

/// Whose step it is.
#[derive(Clone, Copy)]
enum Who {
    Dispatcher,
    Assignee,
    Reporter,
}

/// Runs one step on an item as one command and answers with the item as the caller sees it.
async fn act<F>(
    state: &AppState,
    caller: Caller,
    id: String,
    who: Who,
    step: Step,
    apply: F,
) -> ApiResult<Json<LedgerItem>>
where
    F: FnOnce(&mut AnyConnection, &Caller, &mut ItemCtx, NaiveDateTime) -> AppResult<Said> + Send + 'static,
{
    let (row, seen) = state
        .db
        .command(move |c, trail| {
            let mut ctx = ItemCtx::load_for_change(c, &caller, &id)?;
            let before = ctx.item.clone();
            let actor = match who {
                Who::Dispatcher => ctx.as_dispatcher(&caller)?,
                Who::Assignee => ctx.as_assignee(&caller)?,
                Who::Reporter => ctx.as_reporter(&caller)?,
            };
            let now = ids::now();
            let said = apply(c, &caller, &mut ctx, now)?;
            ctx.item.updated_at = now;
            db::ledger::save(c, &before, &ctx.item)?;
            record_step(c, &actor, &ctx.item, step, &said, now)?;
            trail.record(
                &actor,
                audit_action(step),
                "ledger_item",
                &ctx.item.id,
                &serde_json::json!({
                    "status": ctx.item.status,
                    "assignee_kind": ctx.item.assignee_kind,
                    "assignee": ctx.item.assignee_id,
                    "rating": said.rating,
                    "attachments": said.files,
                }),
            )?;
            if step == Step::Dispatch {
                trail.publish(dispatched(&ctx));
            }
            if let Some(n) = step_notice(&ctx, step) {
                trail.notify(n);
            }
            // How the caller sees the item now (a dispatcher who is not an official of the
            // estate does not exist; an assignee that declined no longer sees it as one).
            let seen = ctx.seen_as(&caller)?.unwrap_or(Seen::Assignee);
            Ok((ctx.item, seen))
        })
        .await?;
    Ok(Json(item_out(row, seen, ids::now())?))
}

/// The webhook event of a dispatch: to the county, and to the company when it is the assignee.
/// Ids and deadlines only: the integrator reads the item (and what it may see of the reporter)
/// through the API.
fn dispatched(ctx: &ItemCtx) -> crate::db::webhooks::Outbound {
    let item = &ctx.item;
    let company = (item.assignee_kind.as_deref() == Some(AssigneeKind::Company.as_str()))
        .then(|| item.assignee_id.clone())
        .flatten();
    crate::db::webhooks::Outbound::new(
        crate::domain::webhook::WebhookEvent::LedgerItemDispatched,
        Some(crate::domain::registry::county_of(&ctx.estate.estate.community_path)),
        company,
        &item.id,
        crate::http::events::data(&crate::http::events::LedgerItemDispatchedData {
            ledger_item_id: item.id.clone(),
            estate_id: item.estate_id.clone(),
            category: item.category.clone(),
            assignee_kind: item.assignee_kind.clone(),
            assignee_id: item.assignee_id.clone(),
            accept_due: item.accept_due.map(ids::rfc3339),
            done_due: item.done_due.map(ids::rfc3339),
        }),
    )
}

/// The notice of a step to whom it concerns: a dispatch to the taker and the reporter; the
/// taker's steps to the reporter; the reporter's confirmation or reopening to the taker.
fn step_notice(ctx: &ItemCtx, step: Step) -> Option<crate::db::notices::Raise> {
    use crate::domain::notice::{Addressee, NoticeKind};
    use crate::http::notices::raise::{self, About};
    let item = &ctx.item;
    let taker = match (
        item.assignee_kind.as_deref().and_then(AssigneeKind::parse),
        &item.assignee_id,
    ) {
        (Some(AssigneeKind::Company), Some(id)) => Some(Addressee::Company(id.clone())),
        (Some(AssigneeKind::Department), Some(id)) => Some(Addressee::Org(id.clone())),
        (Some(AssigneeKind::PartyMember), Some(id)) => Some(Addressee::Owner(id.clone())),
        // A volunteer team is the community's: its notices go to the community.
        (Some(AssigneeKind::VolunteerTeam), Some(_)) => Some(Addressee::Org(ctx.estate.estate.community_id.clone())),
        _ => None,
    };
    let reporter = (item.reporter_type == "user").then(|| Addressee::User(item.reporter_id.clone()));
    let to: Vec<Addressee> = match step {
        Step::Dispatch => taker.into_iter().chain(reporter).collect(),
        Step::Accept | Step::Decline | Step::Progress | Step::Done => reporter.into_iter().collect(),
        Step::Confirm | Step::Reopen => taker.into_iter().collect(),
        Step::Report => vec![],
    };
    if to.is_empty() {
        return None;
    }
    let about = About::new(
        NoticeKind::LedgerStep,
        &item.id,
        format!("问题办理进展：{}", item.title),
        format!("「{}」：{}。", step.label(), item.title),
        format!("/web/ledger/{}", item.id),
    );
    Some(raise::to(&ctx.estate.estate, to, about))
}

/// The audit log's name of a step.
fn audit_action(step: Step) -> &'static str {
    match step {
        Step::Report => "ledger.report",
        Step::Dispatch => "ledger.dispatch",
        Step::Accept => "ledger.accept",
        Step::Decline => "ledger.decline",
        Step::Progress => "ledger.progress",
        Step::Done => "ledger.done",
        Step::Confirm => "ledger.confirm",
        Step::Reopen => "ledger.reopen",
    }
}

/// `ledger::closable` with the item's open action items.
fn no_open_actions(conn: &mut AnyConnection, item: &ItemRow) -> AppResult<()> {
    Ok(ledger::closable(db::meetings::open_actions_of_item(conn, &item.id)?)?)
}

/// The status shown now (a resolved item whose window ran out reads as confirmed).
fn shown(ctx: &ItemCtx, now: NaiveDateTime) -> AppResult<ItemStatus> {
    Ok(ctx.item.status()?.shown(ctx.item.confirm_by, now))
}

/// Checks that `id` can take an item of the estate as `kind`.
fn check_assignee(conn: &mut AnyConnection, ctx: &EstateCtx, kind: AssigneeKind, id: &str) -> AppResult<()> {
    let absent = |what: &str| AppError::invalid("assignee_id", reason::NOT_FOUND, format!("no such {what}"));
    match kind {
        AssigneeKind::Company => match &ctx.company {
            None => {
                return Err(AppError::rule(
                    codes::NO_CONTRACT_IN_FORCE,
                    "the estate has no property company under contract today",
                ))
            }
            Some((company, _)) if company != id => {
                return Err(AppError::invalid(
                    "assignee_id",
                    reason::INVALID,
                    "only the company under contract for the estate takes its items",
                ))
            }
            Some(_) => {}
        },
        AssigneeKind::PartyMember => {
            let owner = db::owners::get(conn, id)?.ok_or_else(|| absent("owner"))?;
            if !owner.party_member {
                return Err(AppError::rule(
                    codes::NOT_A_PARTY_MEMBER,
                    "the owner is not a party member",
                ));
            }
            // A party member of the estate's community: holds a unit in one of its estates.
            let here =
                !db::owners::holding_in_community(conn, std::slice::from_ref(&owner.id), &ctx.estate.community_id)?
                    .is_empty();
            if !here {
                return Err(AppError::rule(
                    codes::NOT_A_PARTY_MEMBER,
                    "the party member holds no unit in the estate's community",
                ));
            }
        }
        AssigneeKind::VolunteerTeam => {
            let team = db::ledger::team(conn, id)?.ok_or_else(|| absent("volunteer team"))?;
            if team.community_id != ctx.estate.community_id {
                return Err(AppError::invalid(
                    "assignee_id",
                    reason::INVALID,
                    "the team belongs to another community",
                ));
            }
        }
        AssigneeKind::Department => {
            let org = db::orgs::get(conn, id)?.ok_or_else(|| absent("department"))?;
            let county = county_of(&ctx.estate.community_path);
            if org.kind()? != crate::domain::registry::OrgKind::Department || county_of(&org.path) != county {
                return Err(AppError::invalid(
                    "assignee_id",
                    reason::INVALID,
                    "not a department organisation of the estate's county",
                ));
            }
        }
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Ledger")]
impl WorkApi {
    /// Dispatch an item (派单) to a party member of the community, a volunteer team of the
    /// community, the company under contract, or a department of the county; an item not yet
    /// accepted may be dispatched again to someone else. The due times follow the county's
    /// service level for the category, from now.
    ///
    /// Party organisations over the estate's community (the community's or above), administrators.
    #[oai(
        path = "/ledger-items/:id/dispatch",
        method = "post",
        operation_id = "dispatchLedgerItem"
    )]
    async fn dispatch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Dispatch>,
    ) -> ApiResult<Json<LedgerItem>> {
        let b = body.0;
        act(
            &state,
            auth.0,
            id.0,
            Who::Dispatcher,
            Step::Dispatch,
            move |c, _, ctx, now| {
                let next = shown(ctx, now)?.dispatch()?;
                check_assignee(c, &ctx.estate, b.assignee_kind, &b.assignee_id)?;
                let (level, _) = service_level(c, &ctx.estate, ctx.item.category()?)?;
                let (accept_due, done_due) = level.due(now);
                let i = &mut ctx.item;
                i.set_status(next);
                i.assignee_kind = Some(b.assignee_kind.as_str().into());
                i.assignee_id = Some(b.assignee_id);
                i.dispatched_at = Some(now);
                i.accept_due = Some(accept_due);
                i.done_due = Some(done_due);
                Ok(Said {
                    note: b.note,
                    ..Said::default()
                })
            },
        )
        .await
    }

    /// Accept an item dispatched to the caller (接单).
    ///
    /// The assignee only: the company (a person or its API key), the department, the party
    /// member, a member of the team.
    #[oai(
        path = "/ledger-items/:id/accept",
        method = "post",
        operation_id = "acceptLedgerItem"
    )]
    async fn accept(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<LedgerItem>> {
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Assignee,
            Step::Accept,
            |_, _, ctx, now| {
                let next = shown(ctx, now)?.accept()?;
                ctx.item.set_status(next);
                ctx.item.accepted_at = Some(now);
                Ok(Said::default())
            },
        )
        .await
    }

    /// Decline an item dispatched to the caller, with a reason: it goes back to the community
    /// to be dispatched again.
    ///
    /// The assignee only.
    #[oai(
        path = "/ledger-items/:id/decline",
        method = "post",
        operation_id = "declineLedgerItem"
    )]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Reason>,
    ) -> ApiResult<Json<LedgerItem>> {
        let reason = body.0.reason;
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Assignee,
            Step::Decline,
            move |_, _, ctx, now| {
                let next = shown(ctx, now)?.decline()?;
                let i = &mut ctx.item;
                i.set_status(next);
                i.assignee_kind = None;
                i.assignee_id = None;
                i.dispatched_at = None;
                i.accept_due = None;
                i.done_due = None;
                Ok(Said {
                    note: Some(reason),
                    ..Said::default()
                })
            },
        )
        .await
    }

    /// Note progress on an accepted item, optionally with photos.
    ///
    /// The assignee only.
    #[oai(
        path = "/ledger-items/:id/progress",
        method = "post",
        operation_id = "noteLedgerProgress"
    )]
    async fn progress(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Note>,
    ) -> ApiResult<Json<LedgerItem>> {
        let b = body.0;
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Assignee,
            Step::Progress,
            move |c, caller, ctx, now| {
                shown(ctx, now)?.note_progress()?;
                Ok(Said {
                    note: Some(b.note),
                    files: own_files(c, caller, &b.attachment_ids)?,
                    ..Said::default()
                })
            },
        )
        .await
    }

    /// Report an accepted item done, with evidence (at least one photo or document); an item
    /// tabled at a meeting only when the action items following it up are done. The reporter
    /// then has the county's confirmation window (7 days unless set) to confirm or
    /// reopen; after it, the item closes as confirmed.
    ///
    /// The assignee only.
    #[oai(
        path = "/ledger-items/:id/done",
        method = "post",
        operation_id = "reportLedgerItemDone"
    )]
    async fn done(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Done>,
    ) -> ApiResult<Json<LedgerItem>> {
        let b = body.0;
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Assignee,
            Step::Done,
            move |c, caller, ctx, now| {
                let next = shown(ctx, now)?.report_done()?;
                no_open_actions(c, &ctx.item)?;
                let files = own_files(c, caller, &b.attachment_ids)?;
                let (_, confirm_days) = service_level(c, &ctx.estate, ctx.item.category()?)?;
                ctx.item.service_minutes =
                    crate::http::volunteers::hours::minutes_for_done(&ctx.item, b.service_minutes)?;
                ctx.item.set_status(next);
                ctx.item.resolved_at = Some(now);
                ctx.item.confirm_by = Some(ledger::confirm_by(now, confirm_days));
                Ok(Said {
                    note: Some(b.note),
                    files,
                    ..Said::default()
                })
            },
        )
        .await
    }

    /// Confirm a resolved item and rate its handling (1–5) — for an item tabled at a meeting,
    /// once the action items following it up are done.
    ///
    /// The reporter only (the same account or key; for a company's report, the company).
    #[oai(
        path = "/ledger-items/:id/confirm",
        method = "post",
        operation_id = "confirmLedgerItem"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Confirm>,
    ) -> ApiResult<Json<LedgerItem>> {
        let b = body.0;
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Reporter,
            Step::Confirm,
            move |c, caller, ctx, now| {
                let next = shown(ctx, now)?.confirm()?;
                no_open_actions(c, &ctx.item)?;
                ctx.item.set_status(next);
                ctx.item.confirmed_at = Some(now);
                ctx.item.rating = Some(b.rating);
                crate::http::volunteers::hours::record_order(c, caller, ctx, now)?;
                Ok(Said {
                    note: b.comment,
                    rating: Some(b.rating),
                    ..Said::default()
                })
            },
        )
        .await
    }

    /// Reopen a resolved item, with a reason: it goes back to its assignee, whose service
    /// level runs again from now.
    ///
    /// The reporter only.
    #[oai(
        path = "/ledger-items/:id/reopen",
        method = "post",
        operation_id = "reopenLedgerItem"
    )]
    async fn reopen(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Reopening>,
    ) -> ApiResult<Json<LedgerItem>> {
        let Reopening { reason, attachment_ids } = body.0;
        let caller = auth.caller().clone();
        act(
            &state,
            caller.clone(),
            id.0,
            Who::Reporter,
            Step::Reopen,
            move |c, _, ctx, now| {
                let files = own_files(c, &caller, &attachment_ids)?;
                let next = shown(ctx, now)?.reopen()?;
                let (level, _) = service_level(c, &ctx.estate, ctx.item.category()?)?;
                let (_, done_due) = level.due(now);
                let i = &mut ctx.item;
                i.set_status(next);
                i.resolved_at = None;
                i.confirm_by = None;
                i.done_due = Some(done_due);
                Ok(Said {
                    note: Some(reason),
                    files,
                    ..Said::default()
                })
            },
        )
        .await
    }
}
