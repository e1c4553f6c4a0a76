//! Service stations (党群服务站): a code unique in the county, a place, opening hours, and the
//! county's standard ("八有" unless set) as a checklist with evidence per item. A station meets
//! the standard when every item has evidence; the figures count those that do.

use super::reports::utc;
use super::*;
use crate::db::service::{EvidenceRow, StationRow};
use crate::domain::ids;
use crate::domain::service;
use crate::error::{codes, reason};
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::security::{AnyAuth, BearerAuth};
use crate::AppState;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

pub struct StationsApi;

/// A station as the API shows it; evidence (notes, files) only when `officials`.
fn station_out(s: StationRow, standard: &[StandardItem], evidence: &[EvidenceRow], officials: bool) -> Station {
    let mine: Vec<&EvidenceRow> = evidence.iter().filter(|e| e.station_id == s.id).collect();
    let items: Vec<StationItem> = standard
        .iter()
        .map(|i| {
            let e = mine.iter().find(|e| e.item_code == i.code);
            StationItem {
                code: i.code.clone(),
                name: i.name.clone(),
                evidenced: e.is_some(),
                note: e.filter(|_| officials).map(|e| e.note.clone()),
                attachment_ids: e
                    .filter(|_| officials)
                    .map(|e| serde_json::from_str(&e.attachments).unwrap_or_default())
                    .unwrap_or_default(),
                recorded_at: e.filter(|_| officials).map(|e| utc(e.recorded_at)),
            }
        })
        .collect();
    let evidenced: Vec<&str> = mine.iter().map(|e| e.item_code.as_str()).collect();
    Station {
        meets_standard: service::meets_standard(standard.iter().map(|i| i.code.as_str()), &evidenced),
        items,
        id: s.id,
        community_id: s.community_id,
        estate_id: s.estate_id,
        code: s.code,
        name: s.name,
        address: s.address,
        opening_hours: s.opening_hours,
        created_at: utc(s.created_at),
    }
}

/// A station with its community, visible to the caller (404 otherwise).
fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<(StationRow, AreaCtx)> {
    let not_found = || AppError::NotFound { what: "station" };
    let s = db::service::station(conn, id)?.ok_or_else(not_found)?;
    let area = AreaCtx::load(conn, caller, &s.community_id)?;
    if authorize(&caller.principal, &Action::ViewPublic(area.place())).is_err() {
        return Err(not_found());
    }
    Ok((s, area))
}

fn officials(caller: &Caller, area: &AreaCtx) -> bool {
    authorize(&caller.principal, &Action::ViewServiceFigures(area.office_place())).is_ok()
}

/// The answer for one station, as the caller sees it.
fn one(conn: &mut AnyConnection, caller: &Caller, s: StationRow, area: &AreaCtx) -> AppResult<Station> {
    let standard = figures::county_settings(conn, &area.county_id())?.standard;
    let evidence = db::service::evidence_of(conn, std::slice::from_ref(&s.id))?;
    Ok(station_out(s, &standard, &evidence, officials(caller, area)))
}

/// The station's fields, checked against the community: the estate is one of its, the code free
/// in the county.
fn check(conn: &mut AnyConnection, area: &AreaCtx, b: &NewStation, id: &str) -> AppResult<()> {
    if let Some(e) = &b.estate_id {
        if db::estates::get(conn, e)?.is_none_or(|e| e.community_id != area.org.id) {
            return Err(AppError::invalid(
                "estate_id",
                reason::WRONG_COMMUNITY,
                "not an estate of this community",
            ));
        }
    }
    if db::service::station_code_taken(conn, &area.county_id(), &b.code, id)? {
        return Err(AppError::conflict(
            codes::ALREADY_EXISTS,
            "a station of the county has this code",
        ));
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Volunteers")]
impl StationsApi {
    /// Register a community's service station.
    ///
    /// The community (its party organisation, those above it).
    #[oai(path = "/communities/:id/stations", method = "post", operation_id = "createStation")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewStation>,
    ) -> ApiResult<StationCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (area, actor) = area_for(c, &caller, &id.0, Acts::ManageService, true)?;
                let area = area.community()?;
                let new_id = ids::new_id();
                check(c, &area, &b, &new_id)?;
                let now = ids::now();
                let row = StationRow {
                    id: new_id,
                    county_id: area.county_id(),
                    community_id: area.org.id.clone(),
                    community_path: area.org.path.clone(),
                    estate_id: b.estate_id,
                    code: b.code,
                    name: b.name,
                    address: b.address,
                    opening_hours: b.opening_hours,
                    created_by: actor.actor_id.clone(),
                    created_at: now,
                    updated_at: now,
                };
                db::service::insert_station(c, &row)?;
                trail.record(
                    &actor,
                    "station.create",
                    "station",
                    &row.id,
                    &serde_json::json!({ "code": row.code }),
                )?;
                one(c, &caller, row, &area)
            })
            .await?;
        Ok(StationCreated::Created(Json(out)))
    }

    /// The stations of an organisation's area (a community's, a street's, the county's), by
    /// registration; each with the standard item by item.
    ///
    /// Whoever sees the area (evidence for its officials only).
    #[oai(path = "/orgs/:id/stations", method = "get", operation_id = "listStations")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The organisation.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Station>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (area, _) = area_for(c, &caller, &id.0, Acts::ViewPublic, false)?;
                let rows = db::service::stations_page(c, &area.org.id, after.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |s| s.id.clone());
                let standard = figures::county_settings(c, &area.county_id())?.standard;
                let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
                let evidence = db::service::evidence_of(c, &ids)?;
                let officials = officials(&caller, &area);
                Ok(Page {
                    items: rows
                        .into_iter()
                        .map(|s| station_out(s, &standard, &evidence, officials))
                        .collect(),
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// One station.
    ///
    /// Whoever sees its community (evidence for its officials only).
    #[oai(path = "/stations/:id", method = "get", operation_id = "getStation")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Station>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (s, area) = load(c, &caller, &id.0)?;
                one(c, &caller, s, &area)
            })
            .await?;
        Ok(Json(out))
    }

    /// Change a station's code, name, place or opening hours.
    ///
    /// The community (its party organisation, those above it).
    #[oai(path = "/stations/:id", method = "put", operation_id = "updateStation")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewStation>,
    ) -> ApiResult<Json<Station>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut s, area) = load(c, &caller, &id.0)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                check(c, &area, &b, &s.id)?;
                s.code = b.code;
                s.name = b.name;
                s.address = b.address;
                s.opening_hours = b.opening_hours;
                s.estate_id = b.estate_id;
                s.updated_at = ids::now();
                db::service::save_station(c, &s)?;
                trail.record(
                    &actor,
                    "station.update",
                    "station",
                    &s.id,
                    &serde_json::json!({ "code": s.code }),
                )?;
                one(c, &caller, s, &area)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record the evidence for one item of the standard (replacing what was there): a note,
    /// photos or documents (the caller's uploads), at least one of them.
    ///
    /// The community (its party organisation, those above it).
    #[oai(
        path = "/stations/:id/evidence/:item",
        method = "put",
        operation_id = "putStationEvidence"
    )]
    async fn evidence(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The item's code in the county's standard.
        #[oai(validator(max_length = 32))]
        item: Path<String>,
        body: JsonBody<NewEvidence>,
    ) -> ApiResult<Json<Station>> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (s, area) = load(c, &caller, &id.0)?;
                let actor = caller.may(&Action::ManageService(area.office_place()))?;
                let standard = figures::county_settings(c, &area.county_id())?.standard;
                if !standard.iter().any(|i| i.code == item.0) {
                    return Err(AppError::NotFound {
                        what: "item of the standard",
                    });
                }
                if b.note.trim().is_empty() && b.attachment_ids.is_empty() {
                    return Err(AppError::invalid(
                        "note",
                        reason::REQUIRED,
                        "a note or a file, at least one",
                    ));
                }
                let files =
                    crate::http::attachments::uploaded_by_caller(c, &caller, "attachment_ids", &b.attachment_ids)?;
                db::attachments::reference(c, &files, STATION, &s.id)?;
                db::service::put_evidence(
                    c,
                    &EvidenceRow {
                        station_id: s.id.clone(),
                        item_code: item.0.clone(),
                        note: b.note,
                        attachments: serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()),
                        recorded_by: actor.actor_id.clone(),
                        recorded_at: ids::now(),
                    },
                )?;
                trail.record(
                    &actor,
                    "station.evidence",
                    "station",
                    &s.id,
                    &serde_json::json!({ "item": item.0, "files": files }),
                )?;
                one(c, &caller, s, &area)
            })
            .await?;
        Ok(Json(out))
    }
}
