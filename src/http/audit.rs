//! Reading and verifying the audit log.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::paging::{self, Page};
use super::problem::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::db::{self, audit::EventRow};
use crate::domain::policy::Action;
use crate::AppState;

pub struct AuditApi;

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEvent {
    /// Order of arrival.
    pub seq: i64,
    pub id: String,
    #[serde(serialize_with = "crate::http::json::rfc3339::serialize")]
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// `user`, `api_key` or `system`.
    pub actor_type: String,
    pub actor_id: String,
    /// The role under which the actor was allowed (`self` for one's own account).
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// The server's id of the request (also in the `X-Request-Id` response header).
    pub request_id: String,
    /// The id the client sent in `X-Request-Id`, if any.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    /// SHA-256 of the canonical JSON of the change.
    pub change_digest: String,
    /// Position in the chain; absent until the sealer has chained the event (about a second).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_pos: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_hash: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChainBreak {
    pub seq: i64,
    pub chain_pos: i64,
    pub reason: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditVerification {
    /// True when every sealed event matches its hash and links to the one before, the chain
    /// reaches its anchored head, and every stored ballot agrees with its audit event.
    pub ok: bool,
    pub sealed: i64,
    /// Events not yet chained.
    pub pending: i64,
    /// The first row that does not fit, if any (a chain cut short of its anchored head
    /// included).
    #[oai(skip_serializing_if_is_none)]
    pub first_break: Option<ChainBreak>,
    /// Ballots (history rows) checked against their audit events.
    pub ballots_checked: i64,
    /// The first stored ballot that disagrees with the audit log, if any.
    #[oai(skip_serializing_if_is_none)]
    pub ballot_mismatch: Option<BallotMismatch>,
}

/// A stored ballot that disagrees with the audit log: changed after it was cast, recorded
/// without its event, deleted from the history, or counted other than as recorded.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BallotMismatch {
    pub vote_id: String,
    pub voter_id: Option<String>,
    pub ballot_id: Option<String>,
    /// The audit event of a ballot missing from the history.
    pub audit_seq: Option<i64>,
    pub reason: String,
}

fn out(e: EventRow) -> AuditEvent {
    AuditEvent {
        seq: e.seq,
        id: e.id,
        occurred_at: e.occurred_at.and_utc(),
        actor_type: e.actor_type,
        actor_id: e.actor_id,
        actor_role: e.actor_role,
        action: e.action,
        target_type: e.target_type,
        target_id: e.target_id,
        request_id: e.request_id,
        client_request_id: e.client_request_id,
        change_digest: e.change_digest,
        chain_pos: e.chain_pos,
        prev_hash: e.prev_hash,
        hash: e.hash,
    }
}

#[OpenApi(prefix_path = "/audit", tag = "ApiTags::Audit")]
impl AuditApi {
    /// List audit events, newest first, filtered by action, target, actor and the time they
    /// were recorded (`from` inclusive, `until` exclusive, RFC 3339).
    ///
    /// Administrators only.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/events", method = "get", operation_id = "listAuditEvents")]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 100))] action: Query<Option<String>>,
        #[oai(validator(max_length = 100))] target_type: Query<Option<String>>,
        #[oai(validator(max_length = 100))] target_id: Query<Option<String>>,
        #[oai(validator(max_length = 100))] actor_id: Query<Option<String>>,
        /// Recorded at or after this instant (RFC 3339).
        from: Query<Option<chrono::DateTime<chrono::Utc>>>,
        /// Recorded before this instant (RFC 3339).
        until: Query<Option<chrono::DateTime<chrono::Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<crate::http::json::FastJson<Page<AuditEvent>>> {
        auth.0.may(&Action::ReadAudit)?;
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<i64>(cursor.0.as_deref())?;
        let filter = db::audit::Filter {
            action: action.0,
            target_type: target_type.0,
            target_id: target_id.0,
            actor_id: actor_id.0,
            from: from.0.map(|t| t.naive_utc()),
            until: until.0.map(|t| t.naive_utc()),
        };
        let rows = state
            .db
            .read(move |c| db::audit::page(c, &filter, before, paging::fetch(limit)))
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |e| e.seq.to_string());
        Ok(crate::http::json::FastJson(Page {
            items: rows.into_iter().map(out).collect(),
            next_cursor,
        }))
    }

    /// Recompute the whole chain and name the first row that breaks it; check that it reaches its
    /// anchored head (a cut tail is a break) and that every stored ballot agrees with its event.
    ///
    /// Administrators only.
    #[oai(path = "/verify", method = "get", operation_id = "verifyAudit")]
    async fn verify(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<AuditVerification>> {
        auth.0.may(&Action::ReadAudit)?;
        let key = state.anchor.clone();
        let r = state.db.read(move |c| db::audit::verify(c, &key)).await?;
        Ok(Json(AuditVerification {
            ok: r.ok(),
            sealed: r.sealed,
            pending: r.pending,
            first_break: r.first_break.map(|b| ChainBreak {
                seq: b.seq,
                chain_pos: b.chain_pos,
                reason: b.reason.into(),
            }),
            ballots_checked: r.ballots.checked,
            ballot_mismatch: r.ballots.first_mismatch.map(|m| BallotMismatch {
                vote_id: m.vote_id,
                voter_id: m.voter_id,
                ballot_id: m.ballot_id,
                audit_seq: m.audit_seq,
                reason: m.reason.into(),
            }),
        }))
    }
}
