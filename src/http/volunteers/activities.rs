//! Activities of a community or its stations: announced ahead with a place, a time and a cap;
//! residents sign up on their phones — exactly the cap admitted, the rest on a waiting list that
//! moves up, in the order of signing, when someone cancels; checked in on the day (China
//! Standard Time); published on the estates' notice boards; the community records who served.

use super::reports::utc;
use super::*;
use crate::db::service::{ActivityRow, SignupRow};
use crate::domain::ids;
use crate::domain::notice::{Addressee, NoticeKind};
use crate::domain::service::{self, ActivityStatus, SignupStatus};
use crate::error::{codes, reason};
use crate::http::body::JsonBody;
use crate::http::notices::raise::{self, About};
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::{AnyAuth, BearerAuth};
use crate::AppState;
use chrono::NaiveDateTime;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

pub struct ActivitiesApi;

fn signup_out(conn: &mut AnyConnection, s: SignupRow, name: Option<String>) -> AppResult<ActivitySignup> {
    let status = s.status()?;
    let waiting_position = if status == SignupStatus::Waiting {
        Some(db::service::waiting_ahead(conn, &s.activity_id, s.seq)? as u32 + 1)
    } else {
        None
    };
    Ok(ActivitySignup {
        id: s.id,
        activity_id: s.activity_id,
        status,
        waiting_position,
        name,
        signed_at: utc(s.signed_at),
        admitted_at: s.admitted_at.map(utc),
        checked_in_at: s.checked_in_at.map(utc),
    })
}

pub(crate) fn activity_out(
    conn: &mut AnyConnection,
    a: ActivityRow,
    community_name: String,
    mine: Option<SignupRow>,
) -> AppResult<Activity> {
    let status = a.status()?.shown(a.starts_at, ids::now());
    Ok(Activity {
        my_signup: mine.map(|s| signup_out(conn, s, None)).transpose()?,
        status,
        service_recorded: a.served_at.is_some(),
        id: a.id,
        community_id: a.community_id,
        community_name,
        station_id: a.station_id,
        title: a.title,
        description: a.description,
        place: a.place,
        starts_at: utc(a.starts_at),
        ends_at: utc(a.ends_at),
        cap: a.cap,
        admitted: a.admitted,
        waiting: a.waiting,
        checked_in: a.checked_in,
        announced_at: utc(a.announced_at),
    })
}

/// An activity with its community, visible to the caller (404 otherwise).
fn load(conn: &mut AnyConnection, caller: &Caller, id: &str, for_change: bool) -> AppResult<(ActivityRow, AreaCtx)> {
    let not_found = || AppError::NotFound { what: "activity" };
    let a = if for_change {
        db::service::activity_for_change(conn, id)?
    } else {
        db::service::activity(conn, id)?
    }
    .ok_or_else(not_found)?;
    let area = AreaCtx::load(conn, caller, &a.community_id)?;
    if authorize(&caller.principal, &Action::ViewPublic(area.place())).is_err() {
        return Err(not_found());
    }
    Ok((a, area))
}

/// The caller's sign-up for an activity, if any.
fn mine_of(conn: &mut AnyConnection, caller: &Caller, activity_id: &str) -> AppResult<Option<SignupRow>> {
    let owners = caller.principal.owner_ids();
    if owners.is_empty() {
        return Ok(None);
    }
    db::service::signup_of(conn, activity_id, &owners)
}

/// A sign-up with its activity (locked for a change), as its resident or the organiser sees it.
fn load_signup(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    for_change: bool,
) -> AppResult<(SignupRow, ActivityRow, AreaCtx, bool)> {
    let not_found = || AppError::NotFound { what: "sign-up" };
    let s = db::service::signup(conn, id)?.ok_or_else(not_found)?;
    let (a, area) = load(conn, caller, &s.activity_id, for_change).map_err(|_| not_found())?;
    // Read again under the activity's lock: a cancellation or a move up may have just changed it.
    let s = if for_change {
        db::service::signup(conn, id)?.ok_or_else(not_found)?
    } else {
        s
    };
    let own = caller.principal.is_owner(&s.owner_id);
    let organiser = authorize(&caller.principal, &Action::ManageService(area.office_place())).is_ok();
    if !own && !organiser {
        return Err(not_found());
    }
    Ok((s, a, area, own))
}

/// The notice of a sign-up's change to its resident.
fn to_resident(area: &AreaCtx, a: &ActivityRow, owner: &str, title: String) -> crate::db::notices::Raise {
    let about = About::new(
        NoticeKind::ActivitySignup,
        &a.id,
        title.clone(),
        format!("{}：{}（{}，{}）", title, a.title, raise::local(a.starts_at), a.place),
        format!("/web/activities/{}", a.id),
    )
    .closing(a.starts_at);
    raise::to_county(&area.county_id(), [Addressee::Owner(owner.to_string())], about)
}

/// A place freed: the first on the waiting list moves up.
fn move_up(
    conn: &mut AnyConnection,
    area: &AreaCtx,
    a: &mut ActivityRow,
    now: NaiveDateTime,
) -> AppResult<Option<crate::db::notices::Raise>> {
    let Some(mut next) = db::service::first_waiting(conn, &a.id)? else {
        return Ok(None);
    };
    next.set_status(SignupStatus::Admitted);
    next.admitted_at = Some(now);
    db::service::save_signup(conn, &next)?;
    a.waiting -= 1;
    a.admitted += 1;
    Ok(Some(to_resident(area, a, &next.owner_id, "候补转为正式报名".into())))
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl ActivitiesApi {
    /// Announce an activity of the community (at one of its stations, or elsewhere), ahead of
    /// it, with a place and a cap. It is published on the notice board of each of the
    /// community's estates, and its owners are told.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/communities/:id/activities",
        method = "post",
        operation_id = "createActivity"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewActivity>,
    ) -> ApiResult<ActivityCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (area, actor) = area_for(c, &caller, &id.0, Acts::ManageService, true)?;
                let area = area.community()?;
                let now = ids::now();
                let (starts_at, ends_at) = (b.starts_at.naive_utc(), b.ends_at.naive_utc());
                service::check_schedule(now, starts_at, ends_at)?;
                if let Some(s) = &b.station_id {
                    if db::service::station(c, s)?.is_none_or(|s| s.community_id != area.org.id) {
                        return Err(AppError::invalid(
                            "station_id",
                            reason::WRONG_COMMUNITY,
                            "not a station of this community",
                        ));
                    }
                }
                let row = ActivityRow {
                    id: ids::new_id(),
                    county_id: area.county_id(),
                    community_id: area.org.id.clone(),
                    community_path: area.org.path.clone(),
                    station_id: b.station_id,
                    title: b.title,
                    description: b.description,
                    place: b.place,
                    starts_at: ids::truncate_micros(starts_at),
                    ends_at: ids::truncate_micros(ends_at),
                    cap: b.cap as i32,
                    admitted: 0,
                    waiting: 0,
                    checked_in: 0,
                    next_seq: 1,
                    status: ActivityStatus::Announced.as_str().into(),
                    created_by: actor.actor_id.clone(),
                    announced_at: now,
                    cancelled_at: None,
                    served_at: None,
                };
                db::service::insert_activity(c, &row)?;
                trail.record(
                    &actor,
                    "activity.create",
                    "activity",
                    &row.id,
                    &serde_json::json!({ "starts_at": ids::rfc3339(row.starts_at), "cap": row.cap }),
                )?;
                for e in db::service::estates_of_community(c, &area.org.id)? {
                    let about = About::new(
                        NoticeKind::ActivityAnnounced,
                        &row.id,
                        format!("活动预告：{}", row.title),
                        format!(
                            "{}，地点：{}，名额 {} 人，报名从速。",
                            raise::local(row.starts_at),
                            row.place,
                            row.cap
                        ),
                        format!("/web/activities/{}", row.id),
                    );
                    trail.notify(raise::to_estate(&e, about));
                }
                activity_out(c, row, area.org.name.clone(), None)
            })
            .await?;
        Ok(ActivityCreated::Created(Json(out)))
    }

    /// A community's activities, latest start first (only those still to start with
    /// `upcoming=true`); each with the caller's sign-up.
    ///
    /// Whoever sees the community: its officials, owners, committees, the companies serving it.
    #[oai(
        path = "/communities/:id/activities",
        method = "get",
        operation_id = "listActivities"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// Only those still to start.
        upcoming: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Activity>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<paging::Keys<2>>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewPublic, false)?;
                let area = area.community()?;
                let before = before
                    .map(|k| {
                        let [at, id] = k.0;
                        at.parse::<i64>()
                            .ok()
                            .and_then(chrono::DateTime::from_timestamp_micros)
                            .map(|t| (t.naive_utc(), id))
                            .ok_or_else(paging::bad_cursor)
                    })
                    .transpose()?;
                let rows = db::service::activities_page(
                    c,
                    std::slice::from_ref(&area.org.id),
                    upcoming.0.unwrap_or(false).then(ids::now),
                    before,
                    paging::fetch(limit),
                )?;
                page_of(c, &caller, rows, limit, &area.org.name)
            })
            .await?;
        Ok(Json(out))
    }

    /// Activities still to start in the communities where the caller holds a unit, soonest
    /// last (as every list: latest start first), each with the caller's sign-up.
    ///
    /// Owners.
    #[oai(path = "/me/activities", method = "get", operation_id = "listMyActivities")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Page<Activity>>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let owners = caller.principal.owner_ids();
                if owners.is_empty() {
                    return Err(AppError::forbidden());
                }
                let mut communities = Vec::new();
                for e in db::estates::held_by(c, &owners)? {
                    if let Some(e) = db::estates::get(c, &e)? {
                        if !communities.contains(&e.community_id) {
                            communities.push(e.community_id);
                        }
                    }
                }
                let rows = db::service::activities_page(c, &communities, Some(ids::now()), None, 200)?;
                let mut items = Vec::new();
                for a in rows {
                    let name = db::orgs::get(c, &a.community_id)?.map(|o| o.name).unwrap_or_default();
                    let mine = db::service::signup_of(c, &a.id, &owners)?;
                    items.push(activity_out(c, a, name, mine)?);
                }
                Ok(Page::whole(items))
            })
            .await?;
        Ok(Json(out))
    }

    /// One activity, with the caller's sign-up.
    ///
    /// Whoever sees its community.
    #[oai(path = "/activities/:id", method = "get", operation_id = "getActivity")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Activity>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (a, area) = load(c, &caller, &id.0, false)?;
                let mine = mine_of(c, &caller, &a.id)?;
                activity_out(c, a, area.org.name.clone(), mine)
            })
            .await?;
        Ok(Json(out))
    }

    /// Call an activity off before it starts; everyone signed up is told.
    ///
    /// The community (its party organisation, those above it).
    #[oai(path = "/activities/:id/cancel", method = "post", operation_id = "cancelActivity")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Activity>> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut a, area) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                let now = ids::now();
                let next = a.status()?.shown(a.starts_at, now).cancel()?;
                let told = db::service::standing_signups(c, &a.id)?;
                db::service::cancel_signups(c, &a.id, now)?;
                a.set_status(next);
                a.cancelled_at = Some(now);
                a.admitted = 0;
                a.waiting = 0;
                db::service::save_activity(c, &a)?;
                trail.record(
                    &actor,
                    "activity.cancel",
                    "activity",
                    &a.id,
                    &serde_json::json!({ "signups": told.len() }),
                )?;
                if !told.is_empty() {
                    let about = About::new(
                        NoticeKind::ActivitySignup,
                        &a.id,
                        format!("活动取消：{}", a.title),
                        format!("原定 {} 的活动已取消。", raise::local(a.starts_at)),
                        format!("/web/activities/{}", a.id),
                    );
                    trail.notify(raise::to_county(
                        &area.county_id(),
                        told.into_iter().map(|s| Addressee::Owner(s.owner_id)),
                        about,
                    ));
                }
                activity_out(c, a, area.org.name.clone(), None)
            })
            .await?;
        Ok(Json(out))
    }

    /// Sign up for an activity before it starts: a place while fewer than the cap are admitted,
    /// else the waiting list (the answer says which, and the place in the list).
    ///
    /// An owner of a unit in the community, for themself.
    #[oai(
        path = "/activities/:id/signups",
        method = "post",
        operation_id = "signUpForActivity"
    )]
    async fn sign_up(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<SignupCreated> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut a, area) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::SignUpForActivity(area.place()))?;
                let now = ids::now();
                a.status()?.shown(a.starts_at, now).sign_up()?;
                let owner = area.owners_here.first().cloned().ok_or_else(AppError::forbidden)?;
                let before = db::service::signup_of(c, &a.id, &area.owners_here)?;
                if before
                    .as_ref()
                    .is_some_and(|s| s.status().ok() != Some(SignupStatus::Cancelled))
                {
                    return Err(AppError::conflict(
                        codes::ALREADY_SIGNED_UP,
                        "the caller's sign-up for this activity stands",
                    ));
                }
                let status = service::admit(a.admitted as i64, a.cap as i64);
                let row = SignupRow {
                    id: before.as_ref().map_or_else(ids::new_id, |s| s.id.clone()),
                    activity_id: a.id.clone(),
                    owner_id: before.as_ref().map_or(owner, |s| s.owner_id.clone()),
                    status: status.as_str().into(),
                    seq: a.next_seq,
                    signed_at: now,
                    admitted_at: (status == SignupStatus::Admitted).then_some(now),
                    checked_in_at: None,
                    cancelled_at: None,
                };
                match before {
                    Some(_) => db::service::save_signup(c, &row)?,
                    None => db::service::insert_signup(c, &row)?,
                }
                a.next_seq += 1;
                match status {
                    SignupStatus::Admitted => a.admitted += 1,
                    _ => a.waiting += 1,
                }
                db::service::save_activity(c, &a)?;
                trail.record(
                    &actor,
                    "activity.sign_up",
                    "activity_signup",
                    &row.id,
                    &serde_json::json!({ "activity": a.id, "status": row.status }),
                )?;
                signup_out(c, row, None)
            })
            .await?;
        Ok(SignupCreated::Created(Json(out)))
    }

    /// One sign-up.
    ///
    /// Its resident; the community.
    #[oai(path = "/activity-signups/:id", method = "get", operation_id = "getActivitySignup")]
    async fn get_signup(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<ActivitySignup>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let (s, _, _, own) = load_signup(c, &caller, &id.0, false)?;
                let name = if own {
                    None
                } else {
                    db::owners::get(c, &s.owner_id)?.map(|o| o.name)
                };
                signup_out(c, s, name)
            })
            .await?;
        Ok(Json(out))
    }

    /// Cancel one's sign-up before the activity starts; a place freed goes to the first on
    /// the waiting list, who is told.
    ///
    /// Its resident.
    #[oai(
        path = "/activity-signups/:id/cancel",
        method = "post",
        operation_id = "cancelActivitySignup"
    )]
    async fn cancel_signup(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<ActivitySignup>> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut s, mut a, area, own) = load_signup(c, &caller, &id.0, true)?;
                if !own {
                    return Err(AppError::forbidden());
                }
                let now = ids::now();
                a.status()?.shown(a.starts_at, now).sign_up()?;
                let was = s.status()?;
                s.set_status(was.cancel()?);
                s.cancelled_at = Some(now);
                db::service::save_signup(c, &s)?;
                let moved = if was.holds_place() {
                    a.admitted -= 1;
                    move_up(c, &area, &mut a, now)?
                } else {
                    a.waiting -= 1;
                    None
                };
                db::service::save_activity(c, &a)?;
                trail.record(
                    &caller.actor_as(Role::Owner.as_str()),
                    "activity.cancel_sign_up",
                    "activity_signup",
                    &s.id,
                    &serde_json::json!({ "activity": a.id, "was": was.as_str() }),
                )?;
                if let Some(n) = moved {
                    trail.notify(n);
                }
                signup_out(c, s, None)
            })
            .await?;
        Ok(Json(out))
    }

    /// An activity's sign-ups in the order of signing, with the residents' names.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/activities/:id/signups",
        method = "get",
        operation_id = "listActivitySignups"
    )]
    async fn signups(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<ActivitySignup>>> {
        let caller = auth.0;
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<i32>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (a, area) = load(c, &caller, &id.0, false)?;
                caller.may(&Action::ManageService(area.office_place()))?;
                let rows = db::service::signups_page(c, &a.id, after, paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |(s, _)| s.seq.to_string());
                Ok(Page {
                    items: rows
                        .into_iter()
                        .map(|(s, name)| signup_out(c, s, Some(name)))
                        .collect::<AppResult<_>>()?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// Check a resident in, on the activity's day (China Standard Time) only.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/activity-signups/:id/check-in",
        method = "post",
        operation_id = "checkInActivitySignup"
    )]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<ActivitySignup>> {
        let caller = auth.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut s, mut a, area, _) = load_signup(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                if a.status()? == ActivityStatus::Cancelled {
                    return Err(AppError::conflict(codes::ACTIVITY_CLOSED, "the activity was cancelled"));
                }
                let now = ids::now();
                s.set_status(s.status()?.check_in(a.starts_at, now)?);
                s.checked_in_at = Some(now);
                db::service::save_signup(c, &s)?;
                a.checked_in += 1;
                db::service::save_activity(c, &a)?;
                trail.record(
                    &actor,
                    "activity.check_in",
                    "activity_signup",
                    &s.id,
                    &serde_json::json!({ "activity": a.id }),
                )?;
                let name = db::owners::get(c, &s.owner_id)?.map(|o| o.name);
                signup_out(c, s, name)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record who served at the activity and for how long (placed members, volunteer teams of
    /// the community), once, after it ends: the community's confirmation makes their hours.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/activities/:id/service",
        method = "post",
        operation_id = "recordActivityService"
    )]
    async fn service(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<ActivityService>,
    ) -> ApiResult<Json<ServiceRecorded>> {
        let caller = auth.0;
        let servers = body.0.servers;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut a, area) = load(c, &caller, &id.0, true)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                let now = ids::now();
                if a.status()? == ActivityStatus::Cancelled {
                    return Err(AppError::conflict(codes::ACTIVITY_CLOSED, "the activity was cancelled"));
                }
                if a.served_at.is_some() {
                    return Err(AppError::conflict(
                        codes::SERVICE_RECORDED,
                        "the activity's service is recorded",
                    ));
                }
                if now < a.ends_at {
                    return Err(AppError::rule(
                        codes::ACTIVITY_NOT_OVER,
                        "service hours are recorded after the activity ends",
                    ));
                }
                let rows = hours::activity_records(c, &area, &a, &servers, &actor.actor_id, now)?;
                db::service::insert_records(c, &rows)?;
                a.served_at = Some(now);
                db::service::save_activity(c, &a)?;
                let minutes: i64 = rows.iter().map(|r| r.minutes as i64).sum();
                let points: i64 = rows.iter().map(|r| r.points).sum();
                trail.record(
                    &actor,
                    "activity.service",
                    "activity",
                    &a.id,
                    &serde_json::json!({ "records": rows.len(), "minutes": minutes }),
                )?;
                Ok(ServiceRecorded {
                    records: rows.len() as u32,
                    minutes,
                    points,
                })
            })
            .await?;
        Ok(Json(out))
    }
}

/// A page of activities with the caller's sign-ups, keyed by (start, id).
fn page_of(
    conn: &mut AnyConnection,
    caller: &Caller,
    rows: Vec<ActivityRow>,
    limit: i64,
    community: &str,
) -> AppResult<Page<Activity>> {
    let (rows, next_cursor) = paging::page(rows, limit, |a| {
        format!("{}\n{}", a.starts_at.and_utc().timestamp_micros(), a.id)
    });
    let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
    let owners = caller.principal.owner_ids();
    let mut mine = if owners.is_empty() {
        Vec::new()
    } else {
        db::service::signups_of_owners(conn, &ids, &owners)?
    };
    let mut items = Vec::new();
    for a in rows {
        let m = mine
            .iter()
            .position(|s| s.activity_id == a.id)
            .map(|i| mine.swap_remove(i));
        items.push(activity_out(conn, a, community.to_string(), m)?);
    }
    Ok(Page { items, next_cursor })
}
