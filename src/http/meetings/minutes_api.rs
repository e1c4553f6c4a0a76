//! Minutes: drafted and edited by the convenor, sent to the attending parties, confirmed by
//! each (or sent back with a request for correction), published and frozen; a correction of
//! published minutes is a new version. Publishing creates the decisions' action items.

use super::*;
use sha2::{Digest, Sha256};

pub struct MinutesApi;

/// A version with its meeting, checked visible to the caller.
pub(crate) fn load_minutes(
    conn: &mut AnyConnection,
    caller: &Caller,
    minutes_id: &str,
) -> AppResult<(MeetingCtx, MinutesRow, Seen)> {
    let m = db::meetings::get_minutes(conn, minutes_id)?;
    minutes_ctx(conn, caller, m)
}

/// `load_minutes` for a change of the version: locked for the transaction.
fn load_minutes_for_change(
    conn: &mut AnyConnection,
    caller: &Caller,
    minutes_id: &str,
) -> AppResult<(MeetingCtx, MinutesRow, Seen)> {
    let m = db::meetings::get_minutes_for_change(conn, minutes_id)?;
    minutes_ctx(conn, caller, m)
}

fn minutes_ctx(
    conn: &mut AnyConnection,
    caller: &Caller,
    m: Option<MinutesRow>,
) -> AppResult<(MeetingCtx, MinutesRow, Seen)> {
    let not_found = || AppError::NotFound { what: "minutes" };
    let m = m.ok_or_else(not_found)?;
    let ctx = MeetingCtx::load(conn, caller, &m.meeting_id)?;
    let seen = ctx.visible(caller)?;
    if seen == Seen::Public && !published(&m)? {
        return Err(not_found());
    }
    Ok((ctx, m, seen))
}

/// Published or superseded: readable by the estate's owners (SPC Art. 13).
fn published(m: &MinutesRow) -> AppResult<bool> {
    Ok(matches!(
        m.status()?,
        MinutesStatus::Published | MinutesStatus::Superseded
    ))
}

fn content_json(c: &MinutesContent) -> AppResult<String> {
    serde_json::to_string(c).map_err(|e| AppError::Internal(e.to_string()))
}

fn out(conn: &mut AnyConnection, ctx: &MeetingCtx, m: MinutesRow) -> AppResult<Minutes> {
    let answers = db::meetings::answers(conn, &m.id)?;
    minutes_out(ctx, m, answers)
}

/// A new version of the minutes, as a draft.
fn draft(meeting_id: &str, version: i32, previous_id: Option<String>, content: String) -> MinutesRow {
    let now = ids::now();
    MinutesRow {
        id: ids::new_id(),
        meeting_id: meeting_id.into(),
        version,
        previous_id,
        status: MinutesStatus::Draft.as_str().into(),
        content,
        fingerprint: None,
        round: 0,
        published_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// The action items of a published version's decisions that name a responsible party and a
/// due day, except those an earlier version already created (a correction does not duplicate
/// the follow-up of a decision it leaves as it was).
fn create_actions(
    conn: &mut AnyConnection,
    trail: &mut audit::Trail,
    ctx: &MeetingCtx,
    m: &MinutesRow,
    content: &MinutesContent,
) -> AppResult<usize> {
    let existing = db::meetings::actions_of_meeting(conn, &ctx.meeting.id)?;
    let now = ids::now();
    let mut created = 0;
    for (i, d) in content.decisions.iter().enumerate() {
        let (Some(party), Some(due_on)) = (&d.responsible_party_id, d.due_on) else {
            continue;
        };
        if existing
            .iter()
            .any(|a| a.title == d.text && &a.responsible_party_id == party && a.due_on == due_on)
        {
            continue;
        }
        let a = ActionRow {
            id: ids::new_id(),
            meeting_id: ctx.meeting.id.clone(),
            minutes_id: m.id.clone(),
            decision: i as i32 + 1,
            title: d.text.clone(),
            responsible_party_id: party.clone(),
            due_on,
            status: ActionStatus::Open.as_str().into(),
            reported_at: None,
            done_at: None,
            created_at: now,
            updated_at: now,
        };
        db::meetings::insert_action(conn, &a, &d.ledger_item_ids)?;
        if let Some((party, _)) = ctx.parties.iter().find(|(p, _)| p.id == a.responsible_party_id) {
            // Told on the morning of its due day (China Standard Time), unless done by then.
            let due = crate::http::events::data(&crate::http::events::ActionItemDueData {
                action_item_id: a.id.clone(),
                meeting_id: a.meeting_id.clone(),
                due_on: a.due_on,
                responsible_party_kind: party.kind.clone(),
                responsible_party_id: party.party_id.clone(),
            });
            let company = (party.kind == PartyKind::Company.as_str())
                .then(|| party.party_id.clone())
                .flatten();
            let county = crate::domain::registry::county_of(&ctx.meeting.community_path);
            trail.publish(
                db::webhooks::Outbound::new(WebhookEvent::ActionItemDue, Some(county.clone()), company, &a.id, due)
                    .at(ids::start_of_local_day(a.due_on)),
            );
            // And the responsible office's inbox (and work group), with the convenor's.
            use crate::domain::notice::{Addressee, NoticeKind};
            let responsible = party.party_id.clone().and_then(|id| match party.kind().ok()? {
                PartyKind::Company => Some(Addressee::Company(id)),
                PartyKind::PartyOrg | PartyKind::Department => Some(Addressee::Org(id)),
                _ => None,
            });
            let to = responsible
                .into_iter()
                .chain([Addressee::Org(ctx.meeting.convenor_org_id.clone())]);
            let about = crate::http::notices::raise::About::new(
                NoticeKind::ActionDue,
                &a.id,
                format!("督办事项今日到期：{}", a.title),
                format!(
                    "会议「{}」决定的督办事项今日（{}）到期，请报告办理情况。",
                    ctx.meeting.title, a.due_on
                ),
                format!("/web/meetings/{}", a.meeting_id),
            );
            trail.notify(crate::http::notices::raise::at(
                crate::http::notices::raise::to_county(&county, to, about),
                ids::start_of_local_day(a.due_on),
            ));
        }
        created += 1;
    }
    Ok(created)
}

/// One of the convenor's steps on a version of the minutes, as one command: load, ask the policy,
/// apply (which returns the audit event's detail), save, record, answer with the version.
use crate::domain::webhook::WebhookEvent;
use crate::http::etag::{self, Tagged};
use poem_openapi::param::Header;

async fn convenor_step<F>(
    state: &AppState,
    caller: Caller,
    id: String,
    action: &'static str,
    apply: F,
) -> ApiResult<Tagged<Minutes>>
where
    F: FnOnce(
            &mut AnyConnection,
            &mut audit::Trail,
            &MeetingCtx,
            &mut MinutesRow,
            NaiveDateTime,
        ) -> AppResult<serde_json::Value>
        + Send
        + 'static,
{
    let (body, tag) = state
        .db
        .command(move |c, trail| {
            let (ctx, mut m, _) = load_minutes_for_change(c, &caller, &id)?;
            let actor = ctx.as_convenor(&caller)?;
            let now = ids::now();
            meeting::under_way(ctx.meeting.starts_at, now)?;
            let detail = apply(c, trail, &ctx, &mut m, now)?;
            m.updated_at = now;
            db::meetings::save_minutes(c, &m)?;
            trail.record(&actor, action, "minutes", &m.id, &detail)?;
            let tag = etag::of(&m);
            Ok((out(c, &ctx, m)?, tag))
        })
        .await?;
    Ok(Tagged::new(body, tag))
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl MinutesApi {
    /// Draft the meeting's minutes (version 1): what was said per agenda item, and the
    /// decisions — each with a responsible party and a due day becomes an action item when the
    /// minutes are published.
    ///
    /// The convenor's side.
    #[oai(path = "/meetings/:id/minutes", method = "post", operation_id = "draftMinutes")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<MinutesContent>,
    ) -> ApiResult<MinutesCreated> {
        let caller = auth.0;
        let content = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = MeetingCtx::load(c, &caller, &id.0)?;
                let actor = ctx.as_convenor(&caller)?;
                meeting::under_way(ctx.meeting.starts_at, ids::now())?;
                if !db::meetings::versions(c, &ctx.meeting.id)?.is_empty() {
                    return Err(AppError::conflict(
                        codes::MINUTES_EXIST,
                        "the meeting has minutes; edit the draft or correct the published version",
                    ));
                }
                content.check(&db::meetings::agenda(c, &ctx.meeting.id)?, &ctx.parties)?;
                let m = draft(&ctx.meeting.id, 1, None, content_json(&content)?);
                db::meetings::insert_minutes(c, &m)?;
                trail.record(
                    &actor,
                    "minutes.draft",
                    "minutes",
                    &m.id,
                    &serde_json::json!({ "meeting": m.meeting_id, "version": 1 }),
                )?;
                let tag = etag::of(&m);
                Ok((out(c, &ctx, m)?, tag))
            })
            .await?;
        Ok(MinutesCreated::Created(Json(out.0), out.1))
    }

    /// Every version of a meeting's minutes, oldest first (each stays readable). The estate's
    /// owners see the published ones.
    ///
    /// The convenor's side, officials over the scope, its committee and the invited parties
    /// (drafts too); whoever may see the estate (published versions).
    #[oai(path = "/meetings/:id/minutes", method = "get", operation_id = "listMinutes")]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Minutes>>> {
        let caller = auth.caller().clone();
        let items = state
            .db
            .read(move |c| {
                let ctx = MeetingCtx::load(c, &caller, &id.0)?;
                let seen = ctx.visible(&caller)?;
                let mut items = Vec::new();
                for m in db::meetings::versions(c, &ctx.meeting.id)? {
                    if seen != Seen::Public || published(&m)? {
                        items.push(out(c, &ctx, m)?);
                    }
                }
                Ok(items)
            })
            .await?;
        Ok(Json(Page::whole(items)))
    }

    /// Read one version of the minutes.
    ///
    /// As for the list of versions.
    #[oai(path = "/minutes/:id", method = "get", operation_id = "getMinutes")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Minutes>> {
        let caller = auth.caller().clone();
        let (body, tag) = state
            .db
            .read(move |c| {
                let (ctx, m, _) = load_minutes(c, &caller, &id.0)?;
                let tag = etag::of(&m);
                Ok((out(c, &ctx, m)?, tag))
            })
            .await?;
        Ok(Tagged::new(body, tag))
    }

    /// Edit a draft (only a draft: minutes out for confirmation come back as a draft when a
    /// party asks for a correction; published minutes are corrected by a new version).
    ///
    /// The convenor's side. `If-Match` with the draft's `ETag` is required: the draft is replaced
    /// whole, and nobody's saved text is overwritten unseen (412 if it changed since).
    #[oai(path = "/minutes/:id", method = "put", operation_id = "editMinutes")]
    async fn edit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The `ETag` of the draft as read.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonBody<MinutesContent>,
    ) -> ApiResult<Tagged<Minutes>> {
        let content = body.0;
        convenor_step(&state, auth.0, id.0, "minutes.edit", move |c, _, ctx, m, _| {
            etag::check(if_match.0.as_deref(), &etag::of(m), true)?;
            m.status()?.edit()?;
            content.check(&db::meetings::agenda(c, &ctx.meeting.id)?, &ctx.parties)?;
            m.content = content_json(&content)?;
            Ok(serde_json::json!({ "version": m.version }))
        })
        .await
    }

    /// Send a draft to the attending parties for confirmation (attendance must be recorded).
    ///
    /// The convenor's side.
    #[oai(path = "/minutes/:id/send", method = "post", operation_id = "sendMinutes")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Minutes>> {
        convenor_step(&state, auth.0, id.0, "minutes.send", |_, _, ctx, m, _| {
            let next = m.status()?.send()?;
            if let Some((p, _)) = ctx
                .parties
                .iter()
                .find(|(p, _)| p.attendance().ok() == Some(Attendance::Invited))
            {
                return Err(AppError::rule(
                    codes::ATTENDANCE_NOT_RECORDED,
                    format!("the attendance of {} is not recorded", p.name),
                ));
            }
            m.set_status(next);
            Ok(serde_json::json!({ "version": m.version, "round": m.round }))
        })
        .await
    }

    /// Answer minutes out for confirmation, for an attending party the caller speaks for:
    /// confirm them, or ask for a correction with a comment (the minutes go back to draft, and
    /// every party confirms the corrected text again).
    ///
    /// The attending party's people: its party organisation (or one above it), the committee,
    /// the company (a person or its API key), the department.
    #[oai(path = "/minutes/:id/answers", method = "post", operation_id = "answerMinutes")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<AnswerIn>,
    ) -> ApiResult<Json<Minutes>> {
        let caller = auth.caller().clone();
        let b = body.0;
        Ok(Json(
            state
                .db
                .command(move |c, trail| {
                    let (ctx, mut m, _) = load_minutes_for_change(c, &caller, &id.0)?;
                    let actor = ctx.as_party(&caller, &b.party_id)?;
                    let next = m.status()?.answer(b.correction)?;
                    if !confirming_parties(&ctx)?.contains(&b.party_id) {
                        return Err(AppError::invalid(
                            "party_id",
                            reason::NOT_ALLOWED,
                            "the party did not attend: it does not confirm the minutes",
                        ));
                    }
                    if b.correction && b.comment.is_none() {
                        return Err(AppError::invalid("comment", reason::REQUIRED, "say what to correct"));
                    }
                    let now = ids::now();
                    db::meetings::insert_answer(
                        c,
                        &AnswerRow {
                            id: ids::new_id(),
                            minutes_id: m.id.clone(),
                            party_id: b.party_id.clone(),
                            correction: b.correction,
                            comment: b.comment.clone(),
                            round: m.round,
                            actor_id: actor.actor_id.clone(),
                            answered_at: now,
                        },
                    )?;
                    if b.correction {
                        m.round += 1;
                    }
                    m.set_status(next);
                    m.updated_at = now;
                    db::meetings::save_minutes(c, &m)?;
                    let action = if b.correction {
                        "minutes.correction_requested"
                    } else {
                        "minutes.confirm"
                    };
                    trail.record(
                        &actor,
                        action,
                        "minutes",
                        &m.id,
                        &serde_json::json!({ "party": b.party_id, "version": m.version }),
                    )?;
                    out(c, &ctx, m)
                })
                .await?,
        ))
    }

    /// Publish minutes every attending party has confirmed: they are frozen, their fingerprint
    /// (SHA-256 of the content) is recorded, the version they correct is superseded, and the
    /// decisions' action items are created.
    ///
    /// The convenor's side.
    #[oai(path = "/minutes/:id/publish", method = "post", operation_id = "publishMinutes")]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Minutes>> {
        convenor_step(&state, auth.0, id.0, "minutes.publish", |c, trail, ctx, m, now| {
            let answers = db::meetings::answers(c, &m.id)?;
            let unconfirmed = waiting_for(ctx, m, &answers)?.len();
            let next = m.status()?.publish(unconfirmed)?;
            m.set_status(next);
            m.fingerprint = Some(hex::encode(Sha256::digest(m.content.as_bytes())));
            m.published_at = Some(now);
            if let Some(prev) = &m.previous_id {
                if let Some(mut p) = db::meetings::get_minutes(c, prev)? {
                    p.set_status(MinutesStatus::Superseded);
                    p.updated_at = now;
                    db::meetings::save_minutes(c, &p)?;
                }
            }
            let content: MinutesContent =
                serde_json::from_str(&m.content).map_err(|e| AppError::Internal(e.to_string()))?;
            let actions = create_actions(c, trail, ctx, m, &content)?;
            let parties: Vec<&PartyRow> = ctx.parties.iter().map(|(p, _)| p).collect();
            let published = |d: &mut crate::http::events::MeetingEventData| {
                d.minutes_id = Some(m.id.clone());
                d.version = Some(m.version);
                d.fingerprint = m.fingerprint.clone();
            };
            for e in meeting_events(WebhookEvent::MinutesPublished, &ctx.meeting, &parties, published) {
                trail.publish(e);
            }
            trail.notify(minutes_notice(ctx, m));
            Ok(serde_json::json!({
                "version": m.version, "fingerprint": m.fingerprint, "supersedes": m.previous_id, "action_items": actions,
            }))
        })
        .await
    }

    /// Correct published minutes: a new version, as a draft, pointing to this one, which stays
    /// published (and readable) until the new one is published.
    ///
    /// The convenor's side.
    #[oai(path = "/minutes/:id/corrections", method = "post", operation_id = "correctMinutes")]
    async fn correct(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<MinutesContent>,
    ) -> ApiResult<MinutesCreated> {
        let caller = auth.0;
        let content = body.0;
        let out_ = state
            .db
            .command(move |c, trail| {
                let (ctx, m, _) = load_minutes_for_change(c, &caller, &id.0)?;
                let actor = ctx.as_convenor(&caller)?;
                m.status()?.correct()?;
                let versions = db::meetings::versions(c, &ctx.meeting.id)?;
                if versions.iter().any(|v| {
                    v.status()
                        .is_ok_and(|s| matches!(s, MinutesStatus::Draft | MinutesStatus::Confirming))
                }) {
                    return Err(AppError::conflict(
                        codes::MINUTES_EXIST,
                        "a correction of these minutes is already being drafted",
                    ));
                }
                content.check(&db::meetings::agenda(c, &ctx.meeting.id)?, &ctx.parties)?;
                let version = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
                let next = draft(&ctx.meeting.id, version, Some(m.id.clone()), content_json(&content)?);
                db::meetings::insert_minutes(c, &next)?;
                trail.record(
                    &actor,
                    "minutes.correct",
                    "minutes",
                    &next.id,
                    &serde_json::json!({ "corrects": m.id, "version": version }),
                )?;
                let tag = etag::of(&next);
                Ok((out(c, &ctx, next)?, tag))
            })
            .await?;
        Ok(MinutesCreated::Created(Json(out_.0), out_.1))
    }
}

/// The notice of published minutes: to the estate's owners, committee and community for an
/// estate's meeting, and to every invited party that is an office.
fn minutes_notice(ctx: &MeetingCtx, m: &MinutesRow) -> crate::db::notices::Raise {
    use crate::domain::notice::{Addressee, Audience, NoticeKind};
    use crate::http::notices::raise::{self, local, About};
    let about = About::new(
        NoticeKind::MinutesPublished,
        &m.id,
        format!("会议纪要发布：{}", ctx.meeting.title),
        format!(
            "{} 召开的会议纪要已发布，请查阅会议决定及督办事项。",
            local(ctx.meeting.starts_at)
        ),
        format!("/web/meetings/{}", ctx.meeting.id),
    );
    let offices = ctx.parties.iter().filter_map(|(p, _)| {
        let id = p.party_id.clone()?;
        match p.kind().ok()? {
            PartyKind::Company => Some(Addressee::Company(id)),
            PartyKind::PartyOrg | PartyKind::Department => Some(Addressee::Org(id)),
            _ => None,
        }
    });
    let mut r = match &ctx.estate {
        Some(e) => raise::to_estate(&e.estate, about),
        None => raise::to_county(
            &crate::domain::registry::county_of(&ctx.meeting.community_path),
            [Addressee::Org(ctx.community.id.clone())],
            about,
        ),
    };
    let mut audience: Audience = r.audience.clone();
    for a in offices {
        audience = audience.and(a);
    }
    r.audience = audience;
    r
}
