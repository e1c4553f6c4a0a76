//! The audit log as stored: append (in the same transaction as the change it records), seal
//! (chain pending events in order), verify (recompute the chain), and list.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{audit_anchor, audit_events};
use super::{AnyConnection, Backend};
use crate::domain::audit::{
    chain_hash, check_anchor, verify_rows, Anchor, AnchorKey, Break, EventContent, SealedRow, GENESIS,
};
use crate::domain::ids;
use crate::error::{AppError, AppResult};

/// Who did it and under which request: the part of an event that every event of one request
/// shares.
#[derive(Clone, Debug)]
pub struct Actor {
    pub actor_type: String,
    pub actor_id: String,
    pub role: String,
    /// The server's id of the request (always minted by the server).
    pub request_id: String,
    /// The id the client sent in `X-Request-Id`, if any, verbatim.
    pub client_request_id: Option<String>,
}

impl Actor {
    /// A person acting on their own account (logging in, opening it) before any role applies.
    pub fn own_account(user_id: String, request_id: String, client_request_id: Option<String>) -> Actor {
        Actor {
            actor_type: "user".into(),
            actor_id: user_id,
            role: "self".into(),
            request_id,
            client_request_id,
        }
    }

    /// The actor for work the system does on its own or from the command line.
    pub fn system(what: &str) -> Actor {
        Actor {
            actor_type: "system".into(),
            actor_id: what.into(),
            role: "system".into(),
            request_id: ids::new_id(),
            client_request_id: None,
        }
    }
}

#[derive(Insertable)]
// Plain values (no DEFAULT): SQLite can then insert many rows in one statement.
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct NewEvent<'a> {
    id: String,
    occurred_at: NaiveDateTime,
    actor_type: &'a str,
    actor_id: &'a str,
    actor_role: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    request_id: &'a str,
    change_digest: String,
    client_request_id: Option<&'a str>,
}

impl<'a> NewEvent<'a> {
    fn new(
        actor: &'a Actor,
        action: &'a str,
        target_type: &'a str,
        target_id: &'a str,
        change: &serde_json::Value,
    ) -> Self {
        NewEvent {
            id: ids::new_id(),
            occurred_at: ids::now(),
            actor_type: &actor.actor_type,
            actor_id: &actor.actor_id,
            actor_role: &actor.role,
            action,
            target_type,
            target_id,
            request_id: &actor.request_id,
            change_digest: crate::domain::audit::change_digest(change),
            client_request_id: actor.client_request_id.as_deref(),
        }
    }
}

/// Appends one event. Call inside the transaction that makes the change.
pub fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: &str,
    change: &serde_json::Value,
) -> AppResult<()> {
    let e = NewEvent::new(actor, action, target_type, target_id, change);
    diesel::insert_into(audit_events::table).values(&e).execute(conn)?;
    Ok(())
}

/// An event to append later, with the rest of a batch.
#[derive(Clone, Debug)]
pub struct Event {
    pub actor: Actor,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    pub change: serde_json::Value,
}

/// The audit events of one command, appended in its transaction as it commits (`Db::command`).
/// A command that records none fails: every change of state is audited by construction.
#[derive(Debug, Default)]
pub struct Trail {
    events: Vec<Event>,
    unchanged: bool,
    outbox: Vec<super::webhooks::Outbound>,
    notices: Vec<super::notices::Raise>,
}

impl Trail {
    /// Notes an event of this command. (Fallible like `append`, so callers read the same.)
    pub fn record(
        &mut self,
        actor: &Actor,
        action: &'static str,
        target_type: &'static str,
        target_id: &str,
        change: &serde_json::Value,
    ) -> AppResult<()> {
        self.events.push(Event {
            actor: actor.clone(),
            action,
            target_type,
            target_id: target_id.to_string(),
            change: change.clone(),
        });
        Ok(())
    }

    /// Publishes an event to the integrators subscribed to it: written to the outbox as the
    /// command commits, in its transaction.
    pub fn publish(&mut self, event: super::webhooks::Outbound) {
        self.outbox.push(event);
    }

    /// Raises a notice to owners and officials (RULES.md §10): written to the notices' outbox as
    /// the command commits, in its transaction; the notice worker fans it out.
    pub fn notify(&mut self, notice: super::notices::Raise) {
        self.notices.push(notice);
    }

    /// Says that this command, on this path, changed nothing (an idempotent repeat): there is
    /// nothing to audit. A path that neither records nor says so is a bug.
    pub fn unchanged(&mut self) {
        self.unchanged = true;
    }

    /// Appends the events, in the order recorded, and the published ones to the outbox; refuses
    /// an empty trail unless the command said it changed nothing. Returns whether it published.
    pub(super) fn commit(self, conn: &mut AnyConnection) -> AppResult<bool> {
        let published = !self.outbox.is_empty();
        if published {
            super::webhooks::append(conn, &self.outbox)?;
        }
        if !self.notices.is_empty() {
            super::notices::raise(conn, &self.notices)?;
        }
        let published = published || !self.notices.is_empty();
        if self.events.is_empty() && self.unchanged {
            return Ok(published);
        }
        if self.events.is_empty() {
            return Err(AppError::Internal(
                "a command changed state without an audit event".into(),
            ));
        }
        append_many(conn, &self.events.iter().collect::<Vec<_>>())?;
        Ok(published)
    }
}

/// Appends many events with multi-row inserts (batched writes). Call inside the transaction
/// that makes the changes.
pub fn append_many(conn: &mut AnyConnection, events: &[&Event]) -> AppResult<()> {
    let rows: Vec<NewEvent> = events
        .iter()
        .map(|e| NewEvent::new(&e.actor, e.action, e.target_type, &e.target_id, &e.change))
        .collect();
    super::insert_batch!(conn, audit_events::table, rows)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct EventRow {
    pub seq: i64,
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub request_id: String,
    pub change_digest: String,
    pub chain_pos: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub client_request_id: Option<String>,
}

impl EventRow {
    fn content(&self) -> EventContent {
        EventContent {
            id: self.id.clone(),
            occurred_at: self.occurred_at,
            actor_type: self.actor_type.clone(),
            actor_id: self.actor_id.clone(),
            actor_role: self.actor_role.clone(),
            action: self.action.clone(),
            target_type: self.target_type.clone(),
            target_id: self.target_id.clone(),
            request_id: self.request_id.clone(),
            change_digest: self.change_digest.clone(),
            client_request_id: self.client_request_id.clone(),
        }
    }
}

/// Names "the audit sealer" among PostgreSQL advisory locks.
const SEALER_LOCK_KEY: i64 = 0x7265_6470_726f_7002;

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Seals written per statement.
const SEAL_ROWS: usize = 1000;

/// Writes (seq, chain position, previous hash, hash) seals with one UPDATE for all of them; the
/// rows travel as one JSON parameter. Returns the number of rows updated.
///
/// Why one statement: sealing follows the ballots at the close of a vote, thousands of events a
/// second; an UPDATE per event was a round trip (and a trigger call) per event.
fn write_seals(conn: &mut AnyConnection, seals: &[(i64, i64, String, String)]) -> AppResult<usize> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "UPDATE audit_events AS a SET chain_pos = v.pos, prev_hash = v.prev, hash = v.hash \
             FROM (SELECT (e->>0)::bigint AS seq, (e->>1)::bigint AS pos, e->>2 AS prev, e->>3 AS hash \
                   FROM json_array_elements($1::json) AS e) AS v \
             WHERE a.seq = v.seq"
        }
        Backend::Sqlite => {
            "UPDATE audit_events SET chain_pos = v.pos, prev_hash = v.prev, hash = v.hash \
             FROM (SELECT value ->> 0 AS seq, value ->> 1 AS pos, value ->> 2 AS prev, value ->> 3 AS hash \
                   FROM json_each(?)) AS v \
             WHERE audit_events.seq = v.seq"
        }
    };
    let payload = serde_json::to_string(seals).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(diesel::sql_query(sql).bind::<Text, _>(payload).execute(conn)?)
}

/// Chains up to `max` pending events, oldest first, and anchors the new head (`audit_anchor`)
/// in the same transaction. Runs inside a write transaction; on PostgreSQL it first takes a
/// transaction-scoped advisory lock so that replicas never seal at once (one that does not get
/// the lock returns 0 and tries again next round).
pub fn seal_pending(conn: &mut AnyConnection, key: &AnchorKey, max: i64) -> AppResult<usize> {
    if conn.backend() == Backend::Postgres {
        let got: Locked = diesel::sql_query(format!("SELECT pg_try_advisory_xact_lock({SEALER_LOCK_KEY}) AS locked"))
            .get_result(conn)?;
        if !got.locked {
            return Ok(0);
        }
    }
    let pending: Vec<EventRow> = audit_events::table
        .filter(audit_events::chain_pos.is_null())
        .order(audit_events::seq.asc())
        .limit(max)
        .select(EventRow::as_select())
        .load(conn)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let (last, mut prev) = head(conn)?;
    let mut pos = last + 1;
    let mut seals = Vec::with_capacity(pending.len());
    for row in &pending {
        let hash = chain_hash(pos, &prev, &row.content());
        seals.push((row.seq, pos, std::mem::replace(&mut prev, hash.clone()), hash));
        pos += 1;
    }
    for chunk in seals.chunks(SEAL_ROWS) {
        let sealed = write_seals(conn, chunk)?;
        if sealed != chunk.len() {
            return Err(AppError::Internal(format!(
                "sealing touched {sealed} of {} audit events",
                chunk.len()
            )));
        }
    }
    // A removed anchor row stays removed (verification names it); it is never written anew here.
    write_anchor(conn, key, pos - 1, &prev)?;
    Ok(pending.len())
}

fn write_anchor(conn: &mut AnyConnection, key: &AnchorKey, chain_pos: i64, hash: &str) -> AppResult<()> {
    diesel::update(audit_anchor::table.find("head"))
        .set((
            audit_anchor::chain_pos.eq(chain_pos),
            audit_anchor::hash.eq(hash),
            audit_anchor::mac.eq(key.mac(chain_pos, hash)),
            audit_anchor::anchored_at.eq(ids::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The chain's anchored head, if its row is there.
fn anchor(conn: &mut AnyConnection) -> AppResult<Option<Anchor>> {
    Ok(audit_anchor::table
        .find("head")
        .select((audit_anchor::chain_pos, audit_anchor::hash, audit_anchor::mac))
        .first::<(i64, String, String)>(conn)
        .optional()?
        .map(|(chain_pos, hash, mac)| Anchor { chain_pos, hash, mac }))
}

/// The newest sealed position and its hash (0 and the genesis for an empty chain).
fn head(conn: &mut AnyConnection) -> AppResult<(i64, String)> {
    let last: Option<(Option<i64>, Option<String>)> = audit_events::table
        .filter(audit_events::chain_pos.is_not_null())
        .order(audit_events::chain_pos.desc())
        .select((audit_events::chain_pos, audit_events::hash))
        .first(conn)
        .optional()?;
    Ok(match last {
        Some((Some(p), Some(h))) => (p, h),
        _ => (0, GENESIS.to_string()),
    })
}

/// Anchors the chain's head as it is now if the anchor was never adopted: the first start after
/// the migration that made the anchor (which cannot hold the secret). Returns whether it did.
pub fn adopt_anchor(conn: &mut AnyConnection, key: &AnchorKey) -> AppResult<bool> {
    match anchor(conn)? {
        Some(a) if a.mac.is_empty() => {
            let (pos, hash) = head(conn)?;
            write_anchor(conn, key, pos, &hash)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub sealed: i64,
    pub pending: i64,
    pub first_break: Option<Break>,
    /// The stored ballots against their audit events.
    pub ballots: super::ballot_audit::Report,
}

impl VerifyReport {
    /// The chain is whole, reaches its anchor, and the ballots agree with it.
    pub fn ok(&self) -> bool {
        self.first_break.is_none() && self.ballots.first_mismatch.is_none()
    }
}

/// Recomputes the whole chain in pages, in chain order, and names the first row that breaks it;
/// then checks that the chain reaches its anchored head (a cut tail is a break).
pub fn verify(conn: &mut AnyConnection, key: &AnchorKey) -> AppResult<VerifyReport> {
    const PAGE: i64 = 2000;
    // Read before the walk: sealing may add to the chain meanwhile, never take from it.
    let anchored = anchor(conn)?;
    let mut last_seq = 0i64;
    let mut pos = 1i64;
    let mut prev = GENESIS.to_string();
    let mut first_break = None;
    loop {
        let rows: Vec<SealedRow> = audit_events::table
            .filter(audit_events::chain_pos.ge(pos))
            .order(audit_events::chain_pos.asc())
            .limit(PAGE)
            .select(EventRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|r: EventRow| SealedRow {
                seq: r.seq,
                chain_pos: r.chain_pos.unwrap_or_default(),
                prev_hash: r.prev_hash.clone().unwrap_or_default(),
                hash: r.hash.clone().unwrap_or_default(),
                content: r.content(),
            })
            .collect();
        let n = rows.len() as i64;
        last_seq = rows.last().map_or(last_seq, |r| r.seq);
        match verify_rows(&rows, pos, prev) {
            Ok((next_pos, next_prev)) => (pos, prev) = (next_pos, next_prev),
            Err(b) => {
                first_break = Some(b);
                break;
            }
        }
        if n < PAGE {
            break;
        }
    }
    if first_break.is_none() {
        // A sealed row taken out of the chain (its position blanked past the trigger) would look
        // pending; a pending row never has a hash, so one that has is a break too.
        let orphan: Option<i64> = audit_events::table
            .filter(audit_events::chain_pos.is_null())
            .filter(audit_events::hash.is_not_null())
            .order(audit_events::seq.asc())
            .select(audit_events::seq)
            .first(conn)
            .optional()?;
        first_break = orphan.map(|seq| Break {
            seq,
            chain_pos: 0,
            reason: "sealed row taken out of the chain",
        });
    }
    if first_break.is_none() {
        let reached = pos - 1;
        let hash_at = match &anchored {
            Some(a) if a.chain_pos > 0 && a.chain_pos <= reached => audit_events::table
                .filter(audit_events::chain_pos.eq(a.chain_pos))
                .select(audit_events::hash)
                .first::<Option<String>>(conn)
                .optional()?
                .flatten(),
            _ => None,
        };
        if let Err(reason) = check_anchor(key, anchored.as_ref(), reached, hash_at.as_deref()) {
            first_break = Some(Break {
                seq: last_seq,
                chain_pos: anchored.as_ref().map_or(reached, |a| a.chain_pos),
                reason,
            });
        }
    }
    let sealed = audit_events::table
        .filter(audit_events::chain_pos.is_not_null())
        .count()
        .get_result(conn)?;
    let pending = audit_events::table
        .filter(audit_events::chain_pos.is_null())
        .count()
        .get_result(conn)?;
    Ok(VerifyReport {
        sealed,
        pending,
        first_break,
        ballots: super::ballot_audit::verify(conn)?,
    })
}

#[derive(Default)]
pub struct Filter {
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub actor_id: Option<String>,
    /// Recorded at or after.
    pub from: Option<NaiveDateTime>,
    /// Recorded before.
    pub until: Option<NaiveDateTime>,
}

/// How far an event's recorded time may run ahead of the order it was appended in: on
/// PostgreSQL concurrent commands record their time first and take their sequence number at
/// commit, so a later `seq` may carry an earlier time by the length of a command (bounded by
/// the request timeout). Time filters widen their sequence bounds by this much and then filter
/// on the time itself, so they stay exact.
const APPEND_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// A page of events, newest first, before the cursor (a `seq`). Each filter has an index in
/// `seq` order (target, actor, action); a time range becomes a range of `seq` found from
/// `audit_events_time`, so a page never sorts the log.
///
/// On PostgreSQL a filtered page orders and bounds by `seq + 0`, the expression its filter
/// indexes end with (migration `…_audit_order`): its planner, left a choice, walked the primary
/// key backwards testing the filter row by row, through the whole log when the filter's rows are
/// old. SQLite plans from the indexes and takes the plain `seq`.
pub fn page(conn: &mut AnyConnection, f: &Filter, before_seq: Option<i64>, limit: i64) -> AppResult<Vec<EventRow>> {
    let filtered = f.action.is_some() || f.target_type.is_some() || f.target_id.is_some() || f.actor_id.is_some();
    let by_expression = filtered && conn.backend() == Backend::Postgres;
    let mut q = audit_events::table
        .select(EventRow::as_select())
        .limit(limit)
        .into_boxed();
    // `seq` as the chosen index orders it.
    macro_rules! bound {
        ($op:ident, $v:expr) => {
            if by_expression {
                q = q.filter((audit_events::seq + 0i64).$op($v));
            } else {
                q = q.filter(audit_events::seq.$op($v));
            }
        };
    }
    q = if by_expression {
        q.order((audit_events::seq + 0i64).desc())
    } else {
        q.order(audit_events::seq.desc())
    };
    if let Some(s) = before_seq {
        bound!(lt, s);
    }
    if let Some(v) = &f.action {
        q = q.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(v) = &f.target_type {
        if !by_expression && (f.target_id.is_some() || f.action.is_some()) {
            // A target id names one record, and an action mostly one kind of record: SQLite then
            // checks the kind row by row on the rows of that index, never choosing it as the
            // index to walk (`|| ''` keeps its planner off it). PostgreSQL weighs the plain
            // column by its statistics and picks the same; the expression would hide them.
            q = q.filter(audit_events::target_type.concat("").eq(v.clone()));
        } else {
            q = q.filter(audit_events::target_type.eq(v.clone()));
        }
    }
    if let Some(v) = &f.target_id {
        q = q.filter(audit_events::target_id.eq(v.clone()));
    }
    if let Some(v) = &f.actor_id {
        q = q.filter(audit_events::actor_id.eq(v.clone()));
    }
    if let Some(from) = f.from {
        // Every event at or after `from` came after the last one recorded before `from - APPEND_SKEW`.
        if let Some(s) = last_seq_before(conn, from - APPEND_SKEW)? {
            bound!(gt, s);
        }
        q = q.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(until) = f.until {
        // Every event before `until` came before the first one recorded at `until + APPEND_SKEW`.
        if let Some(s) = first_seq_at_or_after(conn, until + APPEND_SKEW)? {
            bound!(lt, s);
        }
        q = q.filter(audit_events::occurred_at.lt(until));
    }
    Ok(q.load(conn)?)
}

/// The seq of the last event recorded before `t` (one probe of `audit_events_time`).
fn last_seq_before(conn: &mut AnyConnection, t: NaiveDateTime) -> AppResult<Option<i64>> {
    Ok(audit_events::table
        .filter(audit_events::occurred_at.lt(t))
        .order((audit_events::occurred_at.desc(), audit_events::seq.desc()))
        .select(audit_events::seq)
        .first(conn)
        .optional()?)
}

/// The seq of the first event recorded at or after `t` (one probe of `audit_events_time`).
fn first_seq_at_or_after(conn: &mut AnyConnection, t: NaiveDateTime) -> AppResult<Option<i64>> {
    Ok(audit_events::table
        .filter(audit_events::occurred_at.ge(t))
        .order((audit_events::occurred_at.asc(), audit_events::seq.asc()))
        .select(audit_events::seq)
        .first(conn)
        .optional()?)
}

/// Used by tests to prove the triggers: raw SQL that must be refused.
pub fn try_raw(conn: &mut AnyConnection, sql: &str) -> AppResult<()> {
    conn.batch_execute(sql)?;
    Ok(())
}

/// Events not yet chained, and when the oldest of them happened (the sealing lag, for the
/// metrics).
pub fn unsealed(conn: &mut AnyConnection) -> AppResult<(i64, Option<NaiveDateTime>)> {
    Ok(audit_events::table
        .filter(audit_events::chain_pos.is_null())
        .select((diesel::dsl::count_star(), diesel::dsl::min(audit_events::occurred_at)))
        .first(conn)?)
}
