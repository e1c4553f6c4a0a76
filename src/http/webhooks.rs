//! Webhook endpoints of integrators (issue 17): a company's or a county's receiving address,
//! the event types it wants, its signing secret (shown once, rotated with an overlap), and its
//! deliveries, which can be listed and replayed. Delivery itself is `crate::webhooks`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::auth::NoContent;
use super::body::JsonBody;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::company_ctx;
use super::security::{AnyAuth, Caller};
use super::ApiTags;
use crate::db::webhooks::{DeliveryRow, EndpointRow, EventRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::ids;
use crate::domain::policy::{Action, Place};
use crate::domain::registry::OrgKind;
use crate::domain::webhook::{self, WebhookDeliveryStatus, WebhookEvent, WebhookOwner};
use crate::error::{codes, reason, AppError, AppResult};
use crate::AppState;

pub struct WebhooksApi;

/// Endpoints one company or county keeps at most.
pub const MAX_ENDPOINTS_PER_OWNER: i64 = 10;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// The company whose events it receives (give this or `county_id`).
    #[oai(validator(min_length = 1, max_length = 64))]
    pub company_id: Option<String>,
    /// The county whose events it receives: its housing bureau's integration (give this or
    /// `company_id`).
    #[oai(validator(min_length = 1, max_length = 64))]
    pub county_id: Option<String>,
    /// Where deliveries are POSTed: `https://` and a public address.
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub url: String,
    /// The event types wanted.
    #[oai(validator(min_items = 1, max_items = 9, unique_items))]
    pub event_types: Vec<WebhookEvent>,
    /// What it is for, e.g. "work-order system".
    #[oai(validator(max_length = 200))]
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub url: Option<String>,
    #[oai(validator(min_items = 1, max_items = 9, unique_items))]
    pub event_types: Option<Vec<WebhookEvent>>,
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
    /// `false` pauses it: events from now on are not queued for it (those queued are still sent).
    pub active: Option<bool>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Webhook {
    pub id: String,
    pub owner_kind: WebhookOwner,
    /// The company's or the county's id.
    pub owner_id: String,
    pub url: String,
    pub event_types: Vec<WebhookEvent>,
    pub description: String,
    pub active: bool,
    /// The secret's generation: 1, then one more per rotation.
    pub secret_generation: i32,
    /// Until when the previous secret's signature is sent beside the current one.
    #[oai(skip_serializing_if_is_none)]
    pub previous_secret_valid_until: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookCreated {
    #[oai(flatten)]
    pub webhook: Webhook,
    /// The signing secret, shown this once. Each delivery carries `Redprop-Signature:
    /// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under this secret>`.
    pub secret: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SecretRotated {
    /// The new secret, shown this once.
    pub secret: String,
    pub secret_generation: i32,
    /// Until then, deliveries carry a second `v1=` signature made with the previous secret.
    pub previous_secret_valid_until: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookDelivery {
    pub id: String,
    /// The event's id: the same in every attempt and replay (deduplicate on it).
    pub event_id: String,
    pub event_type: WebhookEvent,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries).
    #[oai(skip_serializing_if_is_none)]
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub last_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The receiver's HTTP status at the last attempt.
    #[oai(skip_serializing_if_is_none)]
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, when it did.
    #[oai(skip_serializing_if_is_none)]
    pub last_error: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(ApiResponse)]
pub enum WebhookCreatedResponse {
    /// Registered. Store `secret` now: it cannot be shown again.
    #[oai(status = 201)]
    Created(
        Json<WebhookCreated>,
        /// The new endpoint's address.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum Replayed {
    /// Queued again for an attempt now.
    #[oai(status = 202)]
    Accepted(Json<WebhookDelivery>),
}

#[derive(ApiResponse)]
pub enum TestQueued {
    /// The test event is queued for an attempt now: its one delivery.
    #[oai(status = 202)]
    Accepted(Json<WebhookDelivery>),
}

fn out(e: EndpointRow) -> AppResult<Webhook> {
    Ok(Webhook {
        owner_kind: e.owner()?,
        event_types: e.event_types(),
        id: e.id,
        owner_id: e.owner_id,
        url: e.url,
        description: e.description,
        active: e.active,
        secret_generation: e.secret_generation,
        previous_secret_valid_until: e.previous_valid_until.map(|t| t.and_utc()),
        created_at: e.created_at.and_utc(),
        updated_at: e.updated_at.and_utc(),
    })
}

fn delivery_out((d, e): (DeliveryRow, EventRow)) -> AppResult<WebhookDelivery> {
    let status: WebhookDeliveryStatus = db::terms::stored(&d.status)?;
    Ok(WebhookDelivery {
        event_type: db::terms::stored(&e.event_type)?,
        next_attempt_at: (status == WebhookDeliveryStatus::Pending).then(|| d.next_attempt_at.and_utc()),
        status,
        id: d.id,
        event_id: d.event_id,
        attempts: d.attempts,
        last_attempt_at: d.last_attempt_at.map(|t| t.and_utc()),
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        delivered_at: d.delivered_at.map(|t| t.and_utc()),
        created_at: d.created_at.and_utc(),
    })
}

/// The event types as stored: a JSON array of names.
fn stored_types(types: &[WebhookEvent]) -> String {
    serde_json::to_string(&types.iter().map(|t| t.as_str()).collect::<Vec<_>>()).expect("names serialise")
}

fn checked_url(state: &AppState, url: &str) -> AppResult<String> {
    webhook::parse_url(url.trim(), state.config.webhooks.allow_local).map_err(AppError::from)?;
    Ok(url.trim().to_string())
}

/// Whose endpoints: the place the policy is asked about. A company's place names only the
/// company, so that only its own people and keys (and administrators) reach it.
struct Owner {
    kind: WebhookOwner,
    id: String,
    county_path: Option<String>,
}

impl Owner {
    fn place(&self) -> Place<'_> {
        match self.kind {
            WebhookOwner::Company => Place {
                company_id: Some(&self.id),
                ..Place::default()
            },
            WebhookOwner::County => Place {
                org_paths: self.county_path.iter().map(String::as_str).collect(),
                ..Place::default()
            },
        }
    }

    /// Loads the owner; one that does not exist, or that the caller may not see, is `None`.
    fn load(conn: &mut AnyConnection, caller: &Caller, kind: WebhookOwner, id: &str) -> AppResult<Option<Owner>> {
        Ok(match kind {
            WebhookOwner::Company => company_ctx(conn, caller, id).ok().map(|ctx| Owner {
                kind,
                id: ctx.company.id,
                county_path: None,
            }),
            WebhookOwner::County => db::orgs::get(conn, id)?
                .filter(|o| o.kind == OrgKind::County.as_str())
                .map(|o| Owner {
                    kind,
                    id: o.id,
                    county_path: Some(o.path),
                }),
        })
    }
}

/// Loads an endpoint and asks the policy; one the caller may not manage does not exist (404).
fn endpoint_ctx(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    for_change: bool,
) -> AppResult<(EndpointRow, audit::Actor)> {
    let not_found = || AppError::NotFound { what: "webhook" };
    let row = if for_change {
        db::webhooks::endpoint_for_change(conn, id)?
    } else {
        db::webhooks::endpoint(conn, id)?
    }
    .ok_or_else(not_found)?;
    let owner = Owner::load(conn, caller, row.owner()?, &row.owner_id)?.ok_or_else(not_found)?;
    let actor = caller
        .may(&Action::ManageWebhooks(owner.place()))
        .map_err(|_| not_found())?;
    Ok((row, actor))
}

/// Whose endpoints a request names: exactly one of a company and a county.
fn whose(company_id: Option<String>, county_id: Option<String>) -> AppResult<(WebhookOwner, String)> {
    match (company_id, county_id) {
        (Some(c), None) => Ok((WebhookOwner::Company, c.trim().to_string())),
        (None, Some(c)) => Ok((WebhookOwner::County, c.trim().to_string())),
        _ => Err(AppError::invalid(
            "company_id",
            reason::CONFLICT,
            "give exactly one of company_id and county_id",
        )),
    }
}

fn location(id: &str) -> String {
    format!("{}/webhooks/{id}", super::API_PREFIX)
}

#[OpenApi(prefix_path = "/webhooks", tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// Register a webhook endpoint for a company's or a county's events. The signing secret is
    /// in this response only.
    ///
    /// A company's endpoint: the company's own accounts and API keys, and administrators (not
    /// the bureau: the events are the company's). A county's: its housing bureau and
    /// administrators. A company or county the caller may not manage is reported not found
    /// (422). At most ten endpoints per company or county.
    ///
    /// Each delivery is a POST of JSON `{id, type, occurred_at, county_id, company_id, data}`
    /// with the headers `Redprop-Event-Id`, `Redprop-Event-Type`, `Redprop-Delivery-Id` and
    /// `Redprop-Signature`; any 2xx answer within the timeout counts as delivered, anything else
    /// is retried with exponential backoff. Deliveries are at least once: deduplicate on the
    /// event id.
    #[oai(path = "/", method = "post", operation_id = "createWebhook")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        body: JsonBody<NewWebhook>,
    ) -> ApiResult<WebhookCreatedResponse> {
        let input = body.0;
        let caller = auth.caller().clone();
        let (kind, owner_id) = whose(input.company_id.clone(), input.county_id.clone())?;
        let url = checked_url(&state, &input.url)?;
        let now = ids::now();
        let mut row = EndpointRow {
            id: ids::new_id(),
            owner_kind: kind.as_str().into(),
            owner_id,
            url,
            event_types: stored_types(&input.event_types),
            description: input.description.unwrap_or_default().trim().to_string(),
            active: true,
            secret_generation: 1,
            previous_valid_until: None,
            created_by: String::new(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        let row = state
            .db
            .command(move |c, trail| {
                let field = if kind == WebhookOwner::Company { "company_id" } else { "county_id" };
                let not_found = || AppError::invalid(field, reason::NOT_FOUND, "no such company or county");
                let owner = Owner::load(c, &caller, kind, &row.owner_id)?.ok_or_else(not_found)?;
                let actor = caller.may(&Action::ManageWebhooks(owner.place())).map_err(|_| not_found())?;
                if db::webhooks::count_of(c, kind, &owner.id)? >= MAX_ENDPOINTS_PER_OWNER {
                    return Err(AppError::invalid(
                        field,
                        reason::TOO_MANY,
                        format!("at most {MAX_ENDPOINTS_PER_OWNER} webhook endpoints each; delete one first"),
                    ));
                }
                row.created_by = actor.actor_id.clone();
                db::webhooks::insert_endpoint(c, &row)?;
                trail.record(
                    &actor,
                    "webhook.create",
                    "webhook",
                    &row.id,
                    &serde_json::json!({ "owner": row.owner_kind, "owner_id": row.owner_id, "url": row.url, "event_types": row.event_types }),
                )?;
                Ok(row)
            })
            .await?;
        let secret = state.jwt.webhook_secret(&row.id, row.secret_generation);
        let location = location(&row.id);
        Ok(WebhookCreatedResponse::Created(
            Json(WebhookCreated {
                webhook: out(row)?,
                secret,
            }),
            location,
        ))
    }

    /// List a company's or a county's webhook endpoints (never their secrets).
    ///
    /// Whoever may register them (see `createWebhook`); a company or county the caller may not
    /// manage: 404.
    #[oai(path = "/", method = "get", operation_id = "listWebhooks")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The company whose endpoints to list (or `county_id`).
        #[oai(validator(min_length = 1, max_length = 64))]
        company_id: Query<Option<String>>,
        /// The county whose endpoints to list (or `company_id`).
        #[oai(validator(min_length = 1, max_length = 64))]
        county_id: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Webhook>>> {
        let caller = auth.caller().clone();
        let (kind, id) = whose(company_id.0, county_id.0)?;
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let not_found = || AppError::NotFound {
                    what: "company or county",
                };
                let owner = Owner::load(c, &caller, kind, &id)?.ok_or_else(not_found)?;
                caller
                    .may(&Action::ManageWebhooks(owner.place()))
                    .map_err(|_| not_found())?;
                db::webhooks::endpoints_of(c, kind, &owner.id, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |e| e.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// Read one webhook endpoint.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id", method = "get", operation_id = "getWebhook")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Webhook>> {
        let caller = auth.caller().clone();
        let row = state
            .db
            .read(move |c| Ok(endpoint_ctx(c, &caller, &id.0, false)?.0))
            .await?;
        Ok(Json(out(row)?))
    }

    /// Change an endpoint's address, event types, description, or pause it.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id", method = "patch", operation_id = "updateWebhook")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<WebhookPatch>,
    ) -> ApiResult<Json<Webhook>> {
        let caller = auth.caller().clone();
        let p = body.0;
        let url = p.url.as_deref().map(|u| checked_url(&state, u)).transpose()?;
        if url.is_none() && p.event_types.is_none() && p.description.is_none() && p.active.is_none() {
            return Err(AppError::rule(codes::NOTHING_TO_CHANGE, "name at least one field to change").into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let (mut row, actor) = endpoint_ctx(c, &caller, &id.0, true)?;
                if let Some(u) = url {
                    row.url = u;
                }
                if let Some(t) = &p.event_types {
                    row.event_types = stored_types(t);
                }
                if let Some(d) = &p.description {
                    row.description = d.trim().to_string();
                }
                if let Some(a) = p.active {
                    row.active = a;
                }
                row.updated_at = ids::now();
                db::webhooks::save_endpoint(c, &row)?;
                trail.record(
                    &actor,
                    "webhook.update",
                    "webhook",
                    &row.id,
                    &serde_json::json!({ "url": row.url, "event_types": row.event_types, "active": row.active }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(Json(out(row)?))
    }

    /// Delete an endpoint. Nothing more is sent to it; its pending deliveries are marked failed.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id", method = "delete", operation_id = "deleteWebhook")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<NoContent> {
        let caller = auth.caller().clone();
        state
            .db
            .command(move |c, trail| {
                let (mut row, actor) = endpoint_ctx(c, &caller, &id.0, true)?;
                let now = ids::now();
                row.deleted_at = Some(now);
                row.active = false;
                row.updated_at = now;
                db::webhooks::save_endpoint(c, &row)?;
                let dropped = db::webhooks::fail_pending(c, &row.id, now, "the endpoint was deleted")?;
                trail.record(
                    &actor,
                    "webhook.delete",
                    "webhook",
                    &row.id,
                    &serde_json::json!({ "pending_dropped": dropped }),
                )?;
                Ok(())
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// Rotate the signing secret. The new secret is in this response only; until
    /// `previous_secret_valid_until` every delivery is signed with both (two `v1=` values), so
    /// the receiver can switch without losing one.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id/secret", method = "post", operation_id = "rotateWebhookSecret")]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<SecretRotated>> {
        let caller = auth.caller().clone();
        let overlap = chrono::Duration::seconds(state.config.webhooks.secret_overlap_secs);
        let row = state
            .db
            .command(move |c, trail| {
                let (mut row, actor) = endpoint_ctx(c, &caller, &id.0, true)?;
                let now = ids::now();
                row.secret_generation += 1;
                row.previous_valid_until = Some(now + overlap);
                row.updated_at = now;
                db::webhooks::save_endpoint(c, &row)?;
                trail.record(
                    &actor,
                    "webhook.rotate_secret",
                    "webhook",
                    &row.id,
                    &serde_json::json!({ "generation": row.secret_generation, "previous_valid_until": row.previous_valid_until }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(Json(SecretRotated {
            secret: state.jwt.webhook_secret(&row.id, row.secret_generation),
            secret_generation: row.secret_generation,
            previous_secret_valid_until: row.previous_valid_until.unwrap_or(row.updated_at).and_utc(),
        }))
    }

    /// An endpoint's deliveries, newest first; `status=failed` lists those to replay.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id/deliveries", method = "get", operation_id = "listWebhookDeliveries")]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only deliveries in this status.
        status: Query<Option<WebhookDeliveryStatus>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<WebhookDelivery>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (row, _) = endpoint_ctx(c, &caller, &id.0, false)?;
                db::webhooks::deliveries_of(c, &row.id, status.0, before.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |(d, _)| d.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(delivery_out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// Send a test event (`webhook.test`) to this endpoint alone, now: to check the receiver's
    /// address and signature check. It is delivered, signed and retried like any event, and
    /// listed among the endpoint's deliveries. A paused endpoint is sent nothing (409).
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(path = "/:id/test", method = "post", operation_id = "testWebhook")]
    async fn test(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<TestQueued> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .command(move |c, trail| {
                let (row, actor) = endpoint_ctx(c, &caller, &id.0, false)?;
                if !row.active {
                    return Err(AppError::conflict(
                        codes::WEBHOOK_PAUSED,
                        "the endpoint is paused: resume it to be sent events",
                    ));
                }
                let data = crate::http::events::data(&crate::http::events::WebhookTestData {
                    webhook_id: row.id.clone(),
                    message: "这是一条测试事件 (a test event)".into(),
                });
                let delivery = db::webhooks::append_test(c, &row.id, &data)?;
                trail.record(
                    &actor,
                    "webhook.test",
                    "webhook",
                    &row.id,
                    &serde_json::json!({ "delivery": delivery }),
                )?;
                db::webhooks::delivery(c, &delivery)
            })
            .await?;
        db::webhooks::WAKE.notify_one();
        Ok(TestQueued::Accepted(Json(delivery_out(out)?)))
    }

    /// Replay a delivery: queue it again for an attempt now, with the same event id and body
    /// (a receiver that already has it deduplicates). A delivery being attempted right now is
    /// refused (409); a pending one is simply brought forward.
    ///
    /// Whoever may manage its owner's endpoints; to anyone else it does not exist (404).
    #[oai(
        path = "/:id/deliveries/:delivery_id/replay",
        method = "post",
        operation_id = "replayWebhookDelivery"
    )]
    async fn replay(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The delivery (from `listWebhookDeliveries`).
        #[oai(validator(max_length = 64))]
        delivery_id: Path<String>,
    ) -> ApiResult<Replayed> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .command(move |c, trail| {
                let (row, actor) = endpoint_ctx(c, &caller, &id.0, false)?;
                let (d, _) = db::webhooks::delivery_for_change(c, &row.id, &delivery_id.0)?
                    .ok_or(AppError::NotFound { what: "delivery" })?;
                let now = ids::now();
                if d.lease_until.is_some_and(|t| t > now) {
                    return Err(AppError::conflict(
                        codes::DELIVERY_IN_FLIGHT,
                        "the delivery is being attempted now; look again in a moment",
                    ));
                }
                db::webhooks::replay(c, &d.id, now)?;
                trail.record(
                    &actor,
                    "webhook.replay",
                    "webhook_delivery",
                    &d.id,
                    &serde_json::json!({ "webhook": row.id, "event": d.event_id, "was": d.status }),
                )?;
                db::webhooks::delivery(c, &d.id)
            })
            .await?;
        db::webhooks::WAKE.notify_one();
        Ok(Replayed::Accepted(Json(delivery_out(out)?)))
    }
}
