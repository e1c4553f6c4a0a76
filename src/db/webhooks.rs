//! Webhooks as stored: endpoints, the outbox of events (written in the transaction of the change
//! they tell of), and deliveries with their leases (so that replicas never send one at once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{webhook_deliveries, webhook_endpoints, webhook_events};
use super::AnyConnection;
use crate::domain::ids;
use crate::domain::webhook::{WebhookDeliveryStatus, WebhookEvent, WebhookOwner};
use crate::error::{AppError, AppResult};

/// An event a command publishes: it is written to the outbox when the command commits, in the
/// same transaction (`Trail::publish`).
#[derive(Clone, Debug)]
pub struct Outbound {
    pub event_type: WebhookEvent,
    /// The county it happened in (its bureau's endpoints hear of it).
    pub county_id: Option<String>,
    /// The company it concerns (its endpoints hear of it); `None` for county-only events.
    pub company_id: Option<String>,
    /// The record it is about (a later command may move or cancel a scheduled event by it).
    pub subject_id: String,
    /// What the receiver is told: ids and facts, never personal data.
    pub data: serde_json::Value,
    /// When it is to be delivered, if later than now (a vote's close, an action item's due day).
    pub at: Option<NaiveDateTime>,
}

impl Outbound {
    pub fn new(
        event_type: WebhookEvent,
        county_id: Option<String>,
        company_id: Option<String>,
        subject_id: &str,
        data: serde_json::Value,
    ) -> Outbound {
        Outbound {
            event_type,
            county_id,
            company_id,
            subject_id: subject_id.to_string(),
            data,
            at: None,
        }
    }

    /// The same event, to be delivered at `at` rather than now.
    pub fn at(mut self, at: NaiveDateTime) -> Outbound {
        self.at = Some(at);
        self
    }
}

/// One happening that concerns a county and any number of companies: one event to the county's
/// endpoints and one to each company's, so that each hears of it once and a company hears only
/// of what concerns it.
pub fn to_county_and_companies(
    event_type: WebhookEvent,
    county_id: &str,
    companies: impl IntoIterator<Item = String>,
    subject_id: &str,
    data: &serde_json::Value,
) -> Vec<Outbound> {
    let mut out = vec![Outbound::new(
        event_type,
        Some(county_id.to_string()),
        None,
        subject_id,
        data.clone(),
    )];
    let mut seen = std::collections::BTreeSet::new();
    for company in companies {
        if seen.insert(company.clone()) {
            out.push(Outbound::new(event_type, None, Some(company), subject_id, data.clone()));
        }
    }
    out
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_events)]
pub struct EventRow {
    pub id: String,
    pub event_type: String,
    pub county_id: Option<String>,
    pub company_id: Option<String>,
    pub subject_id: String,
    pub payload: String,
    pub occurred_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub fanned_out: bool,
}

impl EventRow {
    /// The body every attempt of every delivery of this event sends, byte for byte.
    pub fn body(&self) -> String {
        let data: serde_json::Value = serde_json::from_str(&self.payload).unwrap_or(serde_json::Value::Null);
        serde_json::json!({
            "id": self.id,
            "type": self.event_type,
            "occurred_at": ids::rfc3339(self.available_at.max(self.occurred_at)),
            "county_id": self.county_id,
            "company_id": self.company_id,
            "data": data,
        })
        .to_string()
    }
}

/// Wakes this process's delivery worker when a command has committed events (other replicas
/// find them at their next poll).
pub static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// The scheduled event of a subject that has not gone out yet.
macro_rules! waiting {
    ($subject:expr, $event_type:expr) => {
        webhook_events::table
            .filter(webhook_events::subject_id.eq($subject.to_string()))
            .filter(webhook_events::event_type.eq($event_type.as_str()))
            .filter(webhook_events::fanned_out.eq(false))
    };
}
/// Writes published events to the outbox. Call inside the command's transaction.
pub fn append(conn: &mut AnyConnection, events: &[Outbound]) -> AppResult<()> {
    let now = ids::now();
    let rows: Vec<EventRow> = events
        .iter()
        .map(|e| EventRow {
            id: ids::new_id(),
            event_type: e.event_type.as_str().to_string(),
            county_id: e.county_id.clone(),
            company_id: e.company_id.clone(),
            subject_id: e.subject_id.clone(),
            payload: e.data.to_string(),
            occurred_at: now,
            available_at: e.at.unwrap_or(now).max(now),
            fanned_out: false,
        })
        .collect();
    super::insert_batch!(conn, webhook_events::table, rows)?;
    Ok(())
}

/// A test event for one endpoint: the event, already fanned out, and its one delivery, due now.
/// Returns the delivery's id.
pub fn append_test(conn: &mut AnyConnection, endpoint_id: &str, data: &serde_json::Value) -> AppResult<String> {
    let now = ids::now();
    let event = EventRow {
        id: ids::new_id(),
        event_type: WebhookEvent::Test.as_str().to_string(),
        county_id: None,
        company_id: None,
        subject_id: endpoint_id.to_string(),
        payload: data.to_string(),
        occurred_at: now,
        available_at: now,
        // Nobody else hears of it: its one delivery is written here.
        fanned_out: true,
    };
    let delivery = DeliveryRow::pending(&event.id, endpoint_id, now);
    let id = delivery.id.clone();
    super::insert_batch!(conn, webhook_events::table, [event])?;
    super::insert_batch!(conn, webhook_deliveries::table, [delivery])?;
    Ok(id)
}

/// Moves a scheduled event that has not gone out yet (a vote extended), with its new facts.
pub fn reschedule(
    conn: &mut AnyConnection,
    subject_id: &str,
    event_type: WebhookEvent,
    at: NaiveDateTime,
    data: &serde_json::Value,
) -> AppResult<usize> {
    Ok(diesel::update(waiting!(subject_id, event_type))
        .set((
            webhook_events::available_at.eq(at),
            webhook_events::payload.eq(data.to_string()),
        ))
        .execute(conn)?)
}

/// Cancels a scheduled event that has not gone out yet (an action item done before its day).
pub fn cancel(conn: &mut AnyConnection, subject_id: &str, event_type: WebhookEvent) -> AppResult<usize> {
    Ok(diesel::delete(waiting!(subject_id, event_type)).execute(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = webhook_endpoints, treat_none_as_null = true)]
pub struct EndpointRow {
    pub id: String,
    pub owner_kind: String,
    pub owner_id: String,
    pub url: String,
    /// A JSON array of event type names.
    pub event_types: String,
    pub description: String,
    pub active: bool,
    pub secret_generation: i32,
    pub previous_valid_until: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl EndpointRow {
    pub fn owner(&self) -> AppResult<WebhookOwner> {
        super::terms::stored(&self.owner_kind)
    }

    pub fn event_types(&self) -> Vec<WebhookEvent> {
        serde_json::from_str::<Vec<String>>(&self.event_types)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| WebhookEvent::parse(s))
            .collect()
    }

    pub fn wants(&self, t: &str) -> bool {
        self.event_types().iter().any(|e| e.as_str() == t)
    }
}

pub fn insert_endpoint(conn: &mut AnyConnection, e: &EndpointRow) -> AppResult<()> {
    diesel::insert_into(webhook_endpoints::table).values(e).execute(conn)?;
    Ok(())
}

pub fn save_endpoint(conn: &mut AnyConnection, e: &EndpointRow) -> AppResult<()> {
    diesel::update(webhook_endpoints::table.find(&e.id))
        .set(e)
        .execute(conn)?;
    Ok(())
}

/// An endpoint that has not been deleted.
pub fn endpoint(conn: &mut AnyConnection, id: &str) -> AppResult<Option<EndpointRow>> {
    Ok(webhook_endpoints::table
        .find(id)
        .filter(webhook_endpoints::deleted_at.is_null())
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?)
}

/// `endpoint`, locked for a change.
pub fn endpoint_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<EndpointRow>> {
    Ok(super::first_for_change!(
        conn,
        webhook_endpoints::table
            .find(id.to_string())
            .filter(webhook_endpoints::deleted_at.is_null())
            .select(EndpointRow::as_select())
    )?)
}

/// An owner's endpoints, by id, after `after`.
pub fn endpoints_of(
    conn: &mut AnyConnection,
    owner: WebhookOwner,
    owner_id: &str,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<EndpointRow>> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::owner_kind.eq(owner.as_str()))
        .filter(webhook_endpoints::owner_id.eq(owner_id.to_string()))
        .filter(webhook_endpoints::deleted_at.is_null())
        .order(webhook_endpoints::id.asc())
        .limit(limit)
        .select(EndpointRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(webhook_endpoints::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

/// The owner's endpoints not yet deleted (a limit on how many one owner keeps).
pub fn count_of(conn: &mut AnyConnection, owner: WebhookOwner, owner_id: &str) -> AppResult<i64> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::owner_kind.eq(owner.as_str()))
        .filter(webhook_endpoints::owner_id.eq(owner_id.to_string()))
        .filter(webhook_endpoints::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub event_id: String,
    pub endpoint_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl DeliveryRow {
    /// A delivery of an event to an endpoint, due now, not yet attempted.
    pub fn pending(event_id: &str, endpoint_id: &str, now: NaiveDateTime) -> DeliveryRow {
        DeliveryRow {
            id: ids::new_id(),
            event_id: event_id.into(),
            endpoint_id: endpoint_id.into(),
            status: WebhookDeliveryStatus::Pending.as_str().into(),
            attempts: 0,
            next_attempt_at: now,
            lease_owner: None,
            lease_until: None,
            last_attempt_at: None,
            last_status_code: None,
            last_error: None,
            delivered_at: None,
            created_at: now,
        }
    }
}

/// Events due and not yet fanned out, oldest first.
pub fn due_events(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(webhook_events::table
        .filter(webhook_events::fanned_out.eq(false))
        .filter(webhook_events::available_at.le(now))
        .order(webhook_events::available_at.asc())
        .limit(limit)
        .select(webhook_events::id)
        .load(conn)?)
}

/// Fans out one event: one delivery per active endpoint subscribed to it at this moment. Of
/// replicas fanning out the same event, the one whose update of the flag counts does it; the
/// others find it done. Call in a write transaction of its own. Returns the deliveries made.
pub fn fan_out(conn: &mut AnyConnection, event_id: &str, now: NaiveDateTime) -> AppResult<usize> {
    let taken = diesel::update(
        webhook_events::table
            .filter(webhook_events::id.eq(event_id))
            .filter(webhook_events::fanned_out.eq(false)),
    )
    .set(webhook_events::fanned_out.eq(true))
    .execute(conn)?;
    if taken == 0 {
        return Ok(0);
    }
    let e: EventRow = webhook_events::table
        .find(event_id)
        .select(EventRow::as_select())
        .first(conn)?;
    let mut owners = Vec::new();
    if let Some(company) = &e.company_id {
        owners.push((WebhookOwner::Company, company.clone()));
    }
    if let Some(county) = &e.county_id {
        owners.push((WebhookOwner::County, county.clone()));
    }
    let mut rows = Vec::new();
    for (kind, owner) in owners {
        let endpoints: Vec<EndpointRow> = webhook_endpoints::table
            .filter(webhook_endpoints::owner_kind.eq(kind.as_str()))
            .filter(webhook_endpoints::owner_id.eq(owner))
            .filter(webhook_endpoints::deleted_at.is_null())
            .filter(webhook_endpoints::active.eq(true))
            // An endpoint hears of what happens from its registration on, not of the past.
            .filter(webhook_endpoints::created_at.le(e.available_at))
            .select(EndpointRow::as_select())
            .load(conn)?;
        for ep in endpoints.into_iter().filter(|ep| ep.wants(&e.event_type)) {
            rows.push(DeliveryRow::pending(&e.id, &ep.id, now));
        }
    }
    super::insert_batch!(conn, webhook_deliveries::table, rows)
}

/// A delivery claimed for sending, with what it sends.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub event: EventRow,
    pub endpoint: EndpointRow,
}

/// Deliveries due (and not held by a live lease), oldest first.
pub fn due_deliveries(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?)
}

/// Claims these deliveries for `worker` until `lease_until`; returns those it got. A delivery
/// whose lease ran out (its replica died mid-send) is due again. The conditional update is the
/// claim: of two replicas updating one row, the second finds the lease taken and updates
/// nothing. Call in a write transaction.
pub fn claim(
    conn: &mut AnyConnection,
    ids: &[String],
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> AppResult<Vec<Claimed>> {
    let mut out = Vec::new();
    for id in ids {
        let n = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq(id))
                .filter(webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending.as_str()))
                .filter(
                    webhook_deliveries::lease_until
                        .is_null()
                        .or(webhook_deliveries::lease_until.lt(now)),
                ),
        )
        .set((
            webhook_deliveries::lease_owner.eq(worker),
            webhook_deliveries::lease_until.eq(lease_until),
        ))
        .execute(conn)?;
        if n == 1 {
            let (delivery, event, endpoint) = webhook_deliveries::table
                .inner_join(webhook_events::table)
                .inner_join(webhook_endpoints::table)
                .filter(webhook_deliveries::id.eq(id))
                .select((
                    DeliveryRow::as_select(),
                    EventRow::as_select(),
                    EndpointRow::as_select(),
                ))
                .first(conn)?;
            out.push(Claimed {
                delivery,
                event,
                endpoint,
            });
        }
    }
    Ok(out)
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    /// `Some(when)` to try again then; `None` when it was delivered or is given up.
    pub retry_at: Option<NaiveDateTime>,
    pub delivered: bool,
}

/// Records an attempt of a delivery this worker holds; a worker whose lease was taken over
/// records nothing (the other replica's attempt counts).
pub fn record_attempt(conn: &mut AnyConnection, delivery_id: &str, worker: &str, a: &Attempt) -> AppResult<bool> {
    let status = if a.delivered {
        WebhookDeliveryStatus::Delivered
    } else if a.retry_at.is_some() {
        WebhookDeliveryStatus::Pending
    } else {
        WebhookDeliveryStatus::Failed
    };
    let n = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery_id))
            .filter(webhook_deliveries::lease_owner.eq(worker)),
    )
    .set((
        webhook_deliveries::status.eq(status.as_str()),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::next_attempt_at.eq(a.retry_at.unwrap_or(a.at)),
        webhook_deliveries::lease_owner.eq(None::<String>),
        webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::last_attempt_at.eq(a.at),
        webhook_deliveries::last_status_code.eq(a.status_code),
        webhook_deliveries::last_error.eq(a.error.as_deref()),
        webhook_deliveries::delivered_at.eq(a.delivered.then_some(a.at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// An endpoint's deliveries, newest first, optionally of one status, before `before`.
pub fn deliveries_of(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    status: Option<WebhookDeliveryStatus>,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<(DeliveryRow, EventRow)>> {
    let mut q = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id.to_string()))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((DeliveryRow::as_select(), EventRow::as_select()))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.as_str()));
    }
    if let Some(b) = before {
        q = q.filter(webhook_deliveries::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// One delivery of an endpoint, locked for a change.
pub fn delivery_for_change(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    id: &str,
) -> AppResult<Option<(DeliveryRow, EventRow)>> {
    Ok(super::first_for_change!(
        conn,
        webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::id.eq(id.to_string()))
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id.to_string()))
            .select((DeliveryRow::as_select(), EventRow::as_select()))
    )?)
}

/// One delivery with its event.
pub fn delivery(conn: &mut AnyConnection, id: &str) -> AppResult<(DeliveryRow, EventRow)> {
    Ok(webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq(id))
        .select((DeliveryRow::as_select(), EventRow::as_select()))
        .first(conn)?)
}

/// Marks an endpoint's pending deliveries failed (the endpoint is deleted); returns how many.
pub fn fail_pending(conn: &mut AnyConnection, endpoint_id: &str, now: NaiveDateTime, why: &str) -> AppResult<usize> {
    Ok(diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending.as_str())),
    )
    .set((
        webhook_deliveries::status.eq(WebhookDeliveryStatus::Failed.as_str()),
        webhook_deliveries::last_error.eq(why),
        webhook_deliveries::next_attempt_at.eq(now),
    ))
    .execute(conn)?)
}

/// Puts a delivery back in the queue for an attempt now, its count of attempts restarted.
pub fn replay(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::lease_owner.eq(None::<String>),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(AppError::Internal("a delivery vanished while replayed".into()));
    }
    Ok(())
}

/// How many deliveries are in a status (pending: the backlog; failed: given up), for the metrics.
pub fn count_in(conn: &mut AnyConnection, status: WebhookDeliveryStatus) -> AppResult<i64> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(status.as_str()))
        .count()
        .get_result(conn)?)
}
