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
    (note, files): (Option<String>, Vec<String>),
    apply: F,
) -> ApiResult<Json<ActionItem>>
where
    F: FnOnce(&mut ActionRow, NaiveDateTime) -> AppResult<()> + Send + 'static,
{
    Ok(Json(
        state
            .db
            .command(move |c, trail| {
                let mut a =
                    db::meetings::get_action_for_change(c, &id)?.ok_or(AppError::NotFound { what: "action item" })?;
                let ctx = MeetingCtx::load(c, &caller, &a.meeting_id)?;
                if ctx.visible(&caller)? == Seen::Public {
                    return Err(AppError::NotFound { what: "action item" });
                }
                let actor = match who {
                    Who::Responsible => ctx.as_party(&caller, &a.responsible_party_id)?,
                    Who::Convenor => ctx.as_convenor(&caller)?,
                };
                let files = crate::http::ledger::own_files(c, &caller, &files)?;
                let now = ids::now();
                apply(&mut a, now)?;
                a.updated_at = now;
                db::meetings::save_action(c, &a)?;
                if a.status()? == ActionStatus::Done {
                    // Done before its day: nobody is told that it is due.
                    db::webhooks::cancel(c, &a.id, crate::domain::webhook::WebhookEvent::ActionItemDue)?;
                    db::notices::cancel(c, &a.id, crate::domain::notice::NoticeKind::ActionDue)?;
                }
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
                        attachments: serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()),
                    },
                )?;
                db::attachments::reference(c, &files, crate::http::attachments::ACTION_ITEM, &a.id)?;
                trail.record(
                    &actor,
                    step,
                    "action_item",
                    &a.id,
                    &serde_json::json!({ "status": a.status }),
                )?;
                actions_out(c, vec![a])?
                    .pop()
                    .ok_or(AppError::NotFound { what: "action item" })
            })
            .await?,
    ))
}

/// Whether the caller may see an action item (and so its evidence): whoever sees its meeting
/// beyond the public notice.
pub(crate) fn may_see_action(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<bool> {
    let Some(a) = db::meetings::get_action(conn, id)? else {
        return Ok(false);
    };
    match MeetingCtx::load(conn, caller, &a.meeting_id) {
        Ok(ctx) => Ok(ctx.visible(caller)? != Seen::Public),
        Err(AppError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Which action items a list keeps.
#[derive(Clone, Copy)]
struct Filter {
    overdue: Option<bool>,
    status: Option<ActionStatus>,
}

/// A page of action items, shown with their ledger items and steps: the overdue ones first (what
/// needs chasing), each part by due day. The cursor names the part it stopped in (`0` overdue,
/// `1` the rest), the due day and the id.
async fn page_of(
    state: &AppState,
    caller: Caller,
    of: Scope,
    filter: Filter,
    limit: Option<u32>,
    cursor: Option<String>,
) -> ApiResult<Json<Page<ActionItem>>> {
    let limit = paging::limit(limit);
    let after = match paging::decode_cursor::<paging::Keys<3>>(cursor.as_deref())? {
        Some(paging::Keys([part, due, id])) => Some((
            match part.as_str() {
                "0" => true,
                "1" => false,
                _ => return Err(paging::bad_cursor().into()),
            },
            NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|_| paging::bad_cursor())?,
            id,
        )),
        None => None,
    };
    let rows = state
        .db
        .read(move |c| {
            let of = match of {
                Scope::Estate(id) => {
                    let ctx = estate_ctx(c, &caller, &id)?;
                    crate::http::scope::check(&caller, &ctx.place(), &Action::ViewMeeting(ctx.place()))?;
                    db::meetings::ActionsOf::Estate(ctx.estate.id)
                }
                Scope::Community(id) => {
                    let org = db::orgs::get(c, &id)?
                        .filter(|o| o.kind().is_ok_and(|k| k == crate::domain::registry::OrgKind::Community))
                        .ok_or(AppError::NotFound { what: "community" })?;
                    crate::http::scope::check(&caller, &org_place(&org), &Action::ViewMeeting(org_place(&org)))?;
                    db::meetings::ActionsOf::Community(org.id)
                }
                Scope::Mine => {
                    let p = &caller.principal;
                    let mut ids = p.company_ids();
                    ids.extend(p.department_ids());
                    ids.extend(p.party_org_ids());
                    for estate in p.committee_estates() {
                        ids.extend(db::committees::of_estate(c, &estate)?.into_iter().map(|x| x.id));
                    }
                    db::meetings::ActionsOf::Responsible(ids)
                }
            };
            let today = ids::today();
            let fetch = paging::fetch(limit);
            // The overdue part, then the rest, each read from where the cursor stopped in it.
            let mut keyed: Vec<((bool, NaiveDate, String), ActionRow)> = Vec::new();
            for late in [true, false] {
                if filter.overdue.is_some_and(|o| o != late) {
                    continue;
                }
                let from = match &after {
                    None => None,
                    Some((part, due, id)) if *part == late => Some((*due, id.as_str())),
                    // The cursor stopped in the overdue part: the rest is read from its start.
                    Some((true, _, _)) => None,
                    // The cursor stopped in the rest: the overdue part is behind it.
                    Some((false, _, _)) => continue,
                };
                let want = fetch - keyed.len() as i64;
                if want <= 0 {
                    break;
                }
                let rows = db::meetings::actions_page(c, &of, Some(late), filter.status, today, from, want)?;
                keyed.extend(rows.into_iter().map(|a| ((late, a.due_on, a.id.clone()), a)));
            }
            let (keys, rows): (Vec<_>, Vec<_>) = keyed.into_iter().unzip();
            Ok(keys.into_iter().zip(actions_out(c, rows)?).collect::<Vec<_>>())
        })
        .await?;
    let (rows, next_cursor) = paging::page(rows, limit, |((late, due, id), _)| {
        paging::Keys::join([if *late { "0" } else { "1" }, &due.format("%Y-%m-%d").to_string(), id])
    });
    Ok(Json(Page {
        items: rows.into_iter().map(|(_, a)| a).collect(),
        next_cursor,
    }))
}

/// Whose action items a list shows.
enum Scope {
    Estate(String),
    Community(String),
    Mine,
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl ActionItemsApi {
    /// The action items decided at an estate's meetings: the overdue ones first, each part by due
    /// day; `overdue=true` keeps those not done after their due day, `status` those in one state.
    ///
    /// Administrators, the bureau, party organisations over the estate, its committee.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/estates/:id/action-items",
        method = "get",
        operation_id = "listEstateActionItems"
    )]
    async fn of_estate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only overdue items (true) or only the others (false).
        overdue: Query<Option<bool>>,
        /// Only the items in this state.
        status: Query<Option<ActionStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<ActionItem>>> {
        let filter = Filter {
            overdue: overdue.0,
            status: status.0,
        };
        page_of(&state, auth.0, Scope::Estate(id.0), filter, limit.0, cursor.0).await
    }

    /// The action items decided at a community's meetings (its own and its estates'): the overdue
    /// ones first, each part by due day.
    ///
    /// Administrators, the bureau, party organisations over the community.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/orgs/:id/action-items",
        method = "get",
        operation_id = "listCommunityActionItems"
    )]
    async fn of_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only overdue items (true) or only the others (false).
        overdue: Query<Option<bool>>,
        /// Only the items in this state.
        status: Query<Option<ActionStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<ActionItem>>> {
        let filter = Filter {
            overdue: overdue.0,
            status: status.0,
        };
        page_of(&state, auth.0, Scope::Community(id.0), filter, limit.0, cursor.0).await
    }

    /// The action items the caller's organisation is responsible for (its company, department,
    /// party organisation or committee): the overdue ones first, each part by due day.
    ///
    /// Every signed-in person and every company key (an empty list for those responsible for none).
    #[oai(path = "/action-items/mine", method = "get", operation_id = "listMyActionItems")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only overdue items (true) or only the others (false).
        overdue: Query<Option<bool>>,
        /// Only the items in this state.
        status: Query<Option<ActionStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<ActionItem>>> {
        let filter = Filter {
            overdue: overdue.0,
            status: status.0,
        };
        page_of(&state, auth.caller().clone(), Scope::Mine, filter, limit.0, cursor.0).await
    }

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
                let rows = db::meetings::actions_of_meeting(c, &ctx.meeting.id)?;
                actions_out(c, rows)
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
            (Some(body.0.note), body.0.attachment_ids),
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
            (Some(body.0.note), body.0.attachment_ids),
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
        act(
            &state,
            auth.0,
            id.0,
            Who::Convenor,
            step,
            (b.comment, Vec::new()),
            move |a, now| {
                let next = a.status()?.review(accept)?;
                a.set_status(next);
                if next == ActionStatus::Done {
                    a.done_at = Some(now);
                } else {
                    a.reported_at = None;
                }
                Ok(())
            },
        )
        .await
    }
}
