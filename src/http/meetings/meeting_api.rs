//! Convening a meeting, reading it, listing an estate's or a community's meetings, attendance.

use super::*;
use crate::domain::registry::{path_within, OrgKind};
use crate::http::committees::county_of;
use crate::http::etag::{self, Tagged};
use poem_openapi::param::Header;

pub struct MeetingsApi;

/// The organisations that convene: a community's party organisation or one above it.
const CONVENORS: &[OrgKind] = &[OrgKind::Community, OrgKind::Street, OrgKind::Township, OrgKind::County];

/// Checks an invited party against the registry and names it.
fn invited(
    conn: &mut AnyConnection,
    county: &str,
    estate: Option<&EstateCtx>,
    community: &OrgRow,
    i: usize,
    p: NewParty,
) -> AppResult<PartyRow> {
    let field = |f: &str| format!("parties[{i}].{f}");
    let absent = |what: &str| AppError::invalid(&field("party_id"), reason::NOT_FOUND, format!("no such {what} here"));
    let name = match (p.kind, &p.party_id) {
        (PartyKind::Person, Some(_)) => {
            return Err(AppError::invalid(
                &field("party_id"),
                reason::NOT_ALLOWED,
                "a named person has no registry id",
            ))
        }
        (PartyKind::Person, None) => p
            .name
            .clone()
            .ok_or_else(|| AppError::invalid(&field("name"), reason::REQUIRED, "name the person"))?,
        (_, None) => {
            return Err(AppError::invalid(
                &field("party_id"),
                reason::REQUIRED,
                "name the organisation",
            ))
        }
        (PartyKind::PartyOrg, Some(id)) => {
            db::orgs::get(conn, id)?
                .filter(|o| county_of(&o.path) == county)
                .ok_or_else(|| absent("organisation"))?
                .name
        }
        (PartyKind::Department, Some(id)) => {
            db::orgs::get(conn, id)?
                .filter(|o| county_of(&o.path) == county && o.kind().is_ok_and(|k| k == OrgKind::Department))
                .ok_or_else(|| absent("department"))?
                .name
        }
        (PartyKind::Committee, Some(id)) => {
            let c = db::committees::get(conn, id)?.ok_or_else(|| absent("committee"))?;
            let here = match estate {
                Some(e) => c.estate_id == e.estate.id,
                None => db::estates::get(conn, &c.estate_id)?.is_some_and(|e| e.community_id == community.id),
            };
            if !here {
                return Err(absent("committee"));
            }
            db::terms::stored::<crate::domain::committee::CommitteeKind>(&c.kind)?
                .label()
                .to_string()
        }
        (PartyKind::Company, Some(id)) => db::companies::get(conn, id)?.ok_or_else(|| absent("company"))?.name,
    };
    Ok(PartyRow {
        id: ids::new_id(),
        meeting_id: String::new(),
        kind: p.kind.as_str().into(),
        party_id: p.party_id,
        name: p.name.unwrap_or(name),
        attendance: Attendance::Invited.as_str().into(),
        represented_by: None,
    })
}

/// Checks an agenda item: a ledger item or proposal of the meeting's scope.
fn agenda_item(
    conn: &mut AnyConnection,
    estate: Option<&EstateCtx>,
    community: &OrgRow,
    i: usize,
    a: NewAgendaItem,
) -> AppResult<AgendaRow> {
    if let Some(l) = &a.ledger_item_id {
        let item = db::ledger::get(conn, l)?;
        let here = match (&item, estate) {
            (Some(item), Some(e)) => item.estate_id == e.estate.id,
            (Some(item), None) => {
                db::estates::get(conn, &item.estate_id)?.is_some_and(|e| e.community_id == community.id)
            }
            (None, _) => false,
        };
        if !here {
            return Err(AppError::invalid(
                &format!("agenda[{i}].ledger_item_id"),
                reason::NOT_FOUND,
                "no such ledger item in the meeting's scope",
            ));
        }
    }
    if let Some(pid) = &a.proposal_id {
        let here =
            db::votes::get_proposal(conn, pid)?.is_some_and(|p| estate.is_some_and(|e| e.estate.id == p.estate_id));
        if !here {
            return Err(AppError::invalid(
                &format!("agenda[{i}].proposal_id"),
                reason::NOT_FOUND,
                "no such proposal of the meeting's estate",
            ));
        }
    }
    Ok(AgendaRow {
        id: ids::new_id(),
        meeting_id: String::new(),
        seq: i as i32 + 1,
        title: a.title,
        ledger_item_id: a.ledger_item_id,
        proposal_id: a.proposal_id,
    })
}

/// A meeting as shown, with its version's tag.
fn tagged(c: &mut AnyConnection, ctx: &MeetingCtx) -> AppResult<(Meeting, String)> {
    let agenda = db::meetings::agenda(c, &ctx.meeting.id)?;
    let out = meeting_out(
        &ctx.meeting,
        ctx.parties.iter().map(|(p, _)| p),
        agenda,
        &joint_quorum(c, &ctx.meeting.community_path)?,
    )?;
    Ok((out, ctx.etag()))
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl MeetingsApi {
    /// Convene a meeting of an estate (or a whole community): its kind, time and place, the
    /// parties invited, and the agenda, which may table ledger items and major-matter proposals.
    ///
    /// Party organisations at or above the convenor (the community's party organisation or one
    /// above it), administrators.
    #[oai(path = "/meetings", method = "post", operation_id = "convokeMeeting")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewMeeting>,
    ) -> ApiResult<MeetingCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let convenor = db::orgs::get(c, &b.convenor_org_id)?
                    .filter(|o| o.kind().is_ok_and(|k| CONVENORS.contains(&k)))
                    .ok_or_else(|| {
                        AppError::invalid(
                            "convenor_org_id",
                            reason::NOT_FOUND,
                            "no such community, street, township or county",
                        )
                    })?;
                let actor = crate::http::scope::check(
                    &caller,
                    &org_place(&convenor),
                    &Action::ConveneMeeting(org_place(&convenor)),
                )?;
                let estate = match &b.estate_id {
                    Some(e) => {
                        let ctx = estate_ctx(c, &caller, e)?;
                        // An estate the caller may not see is absent, not "in another community".
                        crate::http::scope::check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                        Some(ctx)
                    }
                    None => None,
                };
                let community_id = match (&estate, &b.community_id) {
                    (Some(e), _) => e.estate.community_id.clone(),
                    (None, Some(id)) => id.clone(),
                    (None, None) => {
                        return Err(AppError::invalid(
                            "estate_id",
                            reason::REQUIRED,
                            "name the estate or the community",
                        ))
                    }
                };
                let community = db::orgs::get(c, &community_id)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::Community))
                    .ok_or_else(|| AppError::invalid("community_id", reason::NOT_FOUND, "no such community"))?;
                if b.estate_id.is_some() && b.community_id.as_ref().is_some_and(|x| *x != community.id) {
                    return Err(AppError::invalid(
                        "community_id",
                        reason::CONFLICT,
                        "the estate is in another community",
                    ));
                }
                if !path_within(&community.path, &convenor.id) {
                    return Err(AppError::invalid(
                        "convenor_org_id",
                        reason::WRONG_COMMUNITY,
                        "the convenor is not the community's party organisation or one above it",
                    ));
                }
                let county = county_of(&community.path);
                let mut parties = Vec::new();
                for (i, p) in b.parties.into_iter().enumerate() {
                    parties.push(invited(c, &county, estate.as_ref(), &community, i, p)?);
                }
                let mut agenda = Vec::new();
                for (i, a) in b.agenda.into_iter().enumerate() {
                    agenda.push(agenda_item(c, estate.as_ref(), &community, i, a)?);
                }
                let m = MeetingRow {
                    id: ids::new_id(),
                    kind: b.kind.as_str().into(),
                    convenor_org_id: convenor.id.clone(),
                    estate_id: estate.as_ref().map(|e| e.estate.id.clone()),
                    community_id: community.id.clone(),
                    community_path: community.path.clone(),
                    title: b.title.trim().to_string(),
                    starts_at: ids::truncate_micros(b.starts_at.naive_utc()),
                    place: b.place,
                    created_by: actor.actor_id.clone(),
                    created_at: ids::now(),
                };
                for p in &mut parties {
                    p.meeting_id = m.id.clone();
                }
                for a in &mut agenda {
                    a.meeting_id = m.id.clone();
                }
                db::meetings::insert(c, &m, &parties, &agenda)?;
                trail.record(
                    &actor,
                    "meeting.convene",
                    "meeting",
                    &m.id,
                    &serde_json::json!({
                        "kind": m.kind, "estate": m.estate_id, "community": m.community_id,
                        "parties": parties.len(), "agenda": agenda.len(),
                    }),
                )?;
                for e in meeting_events(
                    crate::domain::webhook::WebhookEvent::MeetingInvitation,
                    &m,
                    &parties.iter().collect::<Vec<_>>(),
                    |d| d.place = Some(m.place.clone()),
                ) {
                    trail.publish(e);
                }
                let ctx = MeetingCtx::load(c, &caller, &m.id)?;
                tagged(c, &ctx)
            })
            .await?;
        Ok(MeetingCreated::Created(Json(out.0), out.1))
    }

    /// Read a meeting: its parties with their attendance, its agenda, whether it had its quorum.
    ///
    /// The convenor's side, officials over its scope, its estate's committee, the invited
    /// parties, and whoever may see its estate (a meeting is announced; its minutes are
    /// published).
    #[oai(path = "/meetings/:id", method = "get", operation_id = "getMeeting")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Meeting>> {
        let caller = auth.caller().clone();
        let (body, tag) = state
            .db
            .read(move |c| {
                let ctx = MeetingCtx::load(c, &caller, &id.0)?;
                ctx.visible(&caller)?;
                tagged(c, &ctx)
            })
            .await?;
        Ok(Tagged::new(body, tag))
    }

    /// List an estate's meetings, latest first.
    ///
    /// Administrators, the bureau, party organisations over the estate, its committee.
    #[oai(path = "/estates/:id/meetings", method = "get", operation_id = "listEstateMeetings")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Meeting>>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<paging::Keys<2>>(cursor.0.as_deref())?;
        let before = match before {
            Some(paging::Keys([at, id])) => Some((
                NaiveDateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| paging::bad_cursor())?,
                id,
            )),
            None => None,
        };
        let rows = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                crate::http::scope::check(&caller, &ctx.place(), &Action::ViewMeeting(ctx.place()))?;
                let rows = db::meetings::page(
                    c,
                    Some(&ctx.estate.id),
                    &ctx.estate.community_id,
                    before.as_ref().map(|(t, id)| (*t, id.as_str())),
                    paging::fetch(limit),
                )?;
                // Parties and agendas of the whole page in two queries.
                let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
                let parties = db::meetings::parties_of_meetings(c, &ids)?;
                let mut agendas = db::meetings::agenda_of_meetings(c, &ids)?;
                let quorum = joint_quorum(c, &ctx.estate.community_path)?;
                let mut out = Vec::new();
                for m in rows {
                    let (agenda, rest) = agendas.into_iter().partition(|a| a.meeting_id == m.id);
                    agendas = rest;
                    let invited = parties.iter().filter(|p| p.meeting_id == m.id);
                    out.push((m.starts_at, meeting_out(&m, invited, agenda, &quorum)?));
                }
                Ok(out)
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |(at, m)| {
            paging::Keys::join([&at.format("%Y-%m-%dT%H:%M:%S%.f").to_string(), &m.id])
        });
        Ok(Json(Page {
            items: rows.into_iter().map(|(_, m)| m).collect(),
            next_cursor,
        }))
    }

    /// Record attendance: present, absent, or represented (naming by whom).
    ///
    /// The convenor's side. With `If-Match` (the meeting's `ETag`), refused (412) if the
    /// meeting or its attendance changed since it was read.
    #[oai(path = "/meetings/:id/attendance", method = "put", operation_id = "recordAttendance")]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The `ETag` of the meeting as read (optional).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonBody<AttendanceIn>,
    ) -> ApiResult<Tagged<Meeting>> {
        let caller = auth.0;
        let given = body.0.parties;
        let (out, tag) = state
            .db
            .command(move |c, trail| {
                let mut ctx = MeetingCtx::load_for_change(c, &caller, &id.0)?;
                let actor = ctx.as_convenor(&caller)?;
                etag::check(if_match.0.as_deref(), &ctx.etag(), false)?;
                meeting::under_way(ctx.meeting.starts_at, ids::now())?;
                // Attendance is part of the minutes' facts: frozen once a version is published.
                if db::meetings::versions(c, &ctx.meeting.id)?
                    .iter()
                    .any(|m| m.status().is_ok_and(|s| s != MinutesStatus::Draft))
                {
                    return Err(AppError::conflict(
                        codes::MINUTES_NOT_DRAFT,
                        "the minutes are out for confirmation or published: attendance is part of them",
                    ));
                }
                for (i, a) in given.iter().enumerate() {
                    let (row, _) = ctx.parties.iter_mut().find(|(p, _)| p.id == a.party_id).ok_or_else(|| {
                        AppError::invalid(&format!("parties[{i}].party_id"), reason::NOT_FOUND, "not a party of this meeting")
                    })?;
                    if (a.attendance == Attendance::Represented) != a.represented_by.is_some() {
                        return Err(AppError::invalid(
                            &format!("parties[{i}].represented_by"),
                            reason::CONFLICT,
                            "name the representative exactly when the party was represented",
                        ));
                    }
                    row.set_attendance(a.attendance);
                    row.represented_by = a.represented_by.clone();
                    db::meetings::save_party(c, row)?;
                }
                trail.record(&actor, "meeting.attendance", "meeting", &ctx.meeting.id, &serde_json::json!({
                    "parties": given.iter().map(|a| serde_json::json!({ "party": a.party_id, "attendance": a.attendance })).collect::<Vec<_>>(),
                }))?;
                tagged(c, &ctx)
            })
            .await?;
        Ok(Tagged::new(out, tag))
    }
}
