//! Action items (督办事项): the responsible party notes progress and reports done; the convenor
//! accepts or sends back. A ledger item an action item follows up closes only when it is done.

use super::*;

pub struct ActionItemsApi;

/// Whose step it is.
#[derive(Clone, Copy)]
enum Who {
    Responsible,
    Convenor,
}

/// One step on an action item, as one command.
async fn act<F>(
    state: &AppState,
    caller: Caller,
    id: String,
    who: Who,
    step: &'static str,
    note: Option<String>,
    apply: F,
) -> ApiResult<Json<ActionItem>>
where
    F: FnOnce(&mut ActionRow, NaiveDateTime) -> AppResult<()> + Send + 'static,
{
    Ok(Json(
        state
            .db
            .command(move |c, trail| {
                let mut a = db::meetings::get_action(c, &id)?.ok_or(AppError::NotFound { what: "action item" })?;
                let ctx = MeetingCtx::load(c, &caller, &a.meeting_id)?;
                if ctx.visible(&caller)? == Seen::Public {
                    return Err(AppError::NotFound { what: "action item" });
                }
                let actor = match who {
                    Who::Responsible => ctx.as_party(&caller, &a.responsible_party_id)?,
                    Who::Convenor => ctx.as_convenor(&caller)?,
                };
                let now = ids::now();
                apply(&mut a, now)?;
                a.updated_at = now;
                db::meetings::save_action(c, &a)?;
                db::meetings::add_action_step(
                    c,
                    &ActionStepRow {
                        id: ids::new_id(),
                        action_id: a.id.clone(),
                        step: step.into(),
                        note,
                        actor_id: actor.actor_id.clone(),
                        actor_role: actor.role.clone(),
                        at: now,
                    },
                )?;
                trail.record(
                    &actor,
                    step,
                    "action_item",
                    &a.id,
                    &serde_json::json!({ "status": a.status }),
                )?;
                let ledger = db::meetings::ledger_of_action(c, &a.id)?;
                let steps = db::meetings::action_steps(c, &a.id)?;
                action_out(a, ledger, steps)
            })
            .await?,
    ))
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl ActionItemsApi {
    /// A meeting's action items, with their steps; `overdue` is computed when read.
    ///
    /// The convenor's side, officials over the scope, its committee, the invited parties.
    #[oai(
        path = "/meetings/:id/action-items",
        method = "get",
        operation_id = "listActionItems"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<ActionItem>>> {
        let caller = auth.caller().clone();
        let items = state
            .db
            .read(move |c| {
                let ctx = MeetingCtx::load(c, &caller, &id.0)?;
                if ctx.visible(&caller)? == Seen::Public {
                    return Err(AppError::forbidden());
                }
                let mut out = Vec::new();
                for a in db::meetings::actions_of_meeting(c, &ctx.meeting.id)? {
                    let ledger = db::meetings::ledger_of_action(c, &a.id)?;
                    let steps = db::meetings::action_steps(c, &a.id)?;
                    out.push(action_out(a, ledger, steps)?);
                }
                Ok(out)
            })
            .await?;
        Ok(Json(Page::whole(items)))
    }

    /// Note progress on an open action item.
    ///
    /// The responsible party's people.
    #[oai(
        path = "/action-items/:id/progress",
        method = "post",
        operation_id = "noteActionProgress"
    )]
    async fn progress(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ActionNote>,
    ) -> ApiResult<Json<ActionItem>> {
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Responsible,
            "action.progress",
            Some(body.0.note),
            |a, _| {
                a.status()?.note_progress()?;
                Ok(())
            },
        )
        .await
    }

    /// Report an action item done; the convenor then accepts it or sends it back.
    ///
    /// The responsible party's people.
    #[oai(path = "/action-items/:id/done", method = "post", operation_id = "reportActionDone")]
    async fn done(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ActionNote>,
    ) -> ApiResult<Json<ActionItem>> {
        act(
            &state,
            auth.caller().clone(),
            id.0,
            Who::Responsible,
            "action.done",
            Some(body.0.note),
            |a, now| {
                let next = a.status()?.report_done()?;
                a.set_status(next);
                a.reported_at = Some(now);
                Ok(())
            },
        )
        .await
    }

    /// Accept a reported action item as done, or send it back with a comment.
    ///
    /// The convenor's side.
    #[oai(
        path = "/action-items/:id/review",
        method = "post",
        operation_id = "reviewActionItem"
    )]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ActionReview>,
    ) -> ApiResult<Json<ActionItem>> {
        let b = body.0;
        if !b.accept && b.comment.is_none() {
            return Err(AppError::invalid("comment", reason::REQUIRED, "say why it is sent back").into());
        }
        let accept = b.accept;
        let step = if accept { "action.accept" } else { "action.send_back" };
        act(&state, auth.0, id.0, Who::Convenor, step, b.comment, move |a, now| {
            let next = a.status()?.review(accept)?;
            a.set_status(next);
            if next == ActionStatus::Done {
                a.done_at = Some(now);
            } else {
                a.reported_at = None;
            }
            Ok(())
        })
        .await
    }
}
