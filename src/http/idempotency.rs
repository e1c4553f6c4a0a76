//! `Idempotency-Key` on POST (issue 17): a client that did not get the answer (a dropped
//! connection, a timeout) sends the same request again with the same key and gets the first
//! answer — status, body, `Location` — instead of a second record. The same key with another
//! request is refused (422); while the first still runs, 409. Keys are the caller's own (its
//! account, or its API key) and are kept 24 hours, in the database, so every replica honours them.
//!
//! Kept: answers under 500 except 401, 403 and 429 (which a retry may change), of JSON text up
//! to 1 MiB. Anything else lets the key go, so a retry runs again.

use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

use crate::db::idempotency::{self as store, Claim, KeyRow};
use crate::domain::ids;
use crate::error::{codes, AppError};
use crate::http::problem;
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
/// Set on an answer that repeats the first one.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is kept.
pub const KEPT_HOURS: i64 = 24;
/// Longest key taken.
pub const MAX_KEY_LEN: usize = 255;
/// Largest answer kept for replay.
const MAX_KEPT_BODY: usize = 1024 * 1024;
/// Headers of the first answer that a replay repeats.
const REPLAYED_HEADERS: &[&str] = &["content-type", "location", "etag", "cache-control"];

/// Runs `next` for `req`, honouring an `Idempotency-Key` on a POST by an authenticated caller.
pub async fn guard<E: Endpoint>(next: E, req: Request, state: AppState) -> poem::Result<Response> {
    let key = match req.headers().get(HEADER) {
        Some(v) if req.method() == Method::POST => v,
        _ => return next.call(req).await.map(IntoResponse::into_response),
    };
    let Some(key) = key.to_str().ok().filter(|k| valid_key(k)).map(str::to_string) else {
        return Ok(problem::simple(
            codes::INVALID_IDEMPOTENCY_KEY,
            "Idempotency-Key: 1 to 255 printable ASCII characters (a UUID is a good choice)",
        ));
    };
    // An anonymous request (logging in) is not an act of anyone's to repeat: it just runs.
    let Some(scope) = scope(&req, &state).await else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let (parts, body) = req.into_parts();
    let limit = state.config.max_body_bytes.max(state.config.max_attachment_bytes);
    let bytes = match body.into_bytes_limit(limit + 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return Ok(problem::from_poem_error(AppError::PayloadTooLarge { limit }.into())),
    };
    let fingerprint = fingerprint(&parts.method, &parts.uri, parts.headers.get("content-type"), &bytes);
    let now = ids::truncate_micros(state.db.clock().now());
    let row = KeyRow {
        scope: scope.clone(),
        idem_key: key.clone(),
        fingerprint,
        status: None,
        headers: None,
        body: None,
        created_at: now,
        locked_until: now + chrono::Duration::seconds(state.config.request_timeout_secs as i64 + 5),
    };
    let kept_since = now - chrono::Duration::hours(KEPT_HOURS);
    let claim = {
        let row = row.clone();
        on_keys(&state, move |c| {
            if rand::random::<u8>() == 0 {
                // Now and then, forget expired keys (an index on created_at makes it cheap).
                store::purge(c, kept_since)?;
            }
            store::claim(c, &row, kept_since, now)
        })
    }
    .await;
    let claim = match claim {
        Ok(c) => c,
        // Another first request with this key inserted it a moment before: it is running.
        Err(AppError::Conflict { .. }) => Claim::InProgress,
        Err(e) => return Err(e.into()),
    };
    match claim {
        Claim::Replay(first) => return Ok(replay(first)),
        Claim::Reused => return Ok(problem::simple(
            codes::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used for another request in the last 24 hours; use a new key for a new request",
        )),
        Claim::InProgress => {
            let mut r = problem::simple(
                codes::IDEMPOTENCY_IN_PROGRESS,
                "the first request with this Idempotency-Key is still running; retry in a moment",
            );
            r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
            return Ok(r);
        }
        Claim::Run => {}
    }
    let path = parts.uri.path().to_string();
    let req = Request::from_parts(parts, Body::from(bytes));
    let resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => {
            let op = e.data::<poem_openapi::OperationId>().copied();
            let mut r = problem::from_poem_error(e);
            if let Some(op) = op {
                r.set_data(op);
            }
            r
        }
    };
    // The `Location` of a 201 is kept with it, so a replay says where the record is too.
    let resp = super::location::add(&path, resp).await;
    keep(&state, &scope, &key, resp).await
}

/// Stores the answer for replay when it is one to keep, and returns it.
async fn keep(state: &AppState, scope: &str, key: &str, resp: Response) -> poem::Result<Response> {
    let status = resp.status();
    let worth = status.as_u16() < 500 && !matches!(status.as_u16(), 401 | 403 | 429);
    let (scope, key) = (scope.to_string(), key.to_string());
    if !worth {
        let _ = on_keys(state, move |c| store::release(c, &scope, &key)).await;
        return Ok(resp);
    }
    let op = resp.data::<poem_openapi::OperationId>().copied();
    let (parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let text = (bytes.len() <= MAX_KEPT_BODY)
        .then(|| String::from_utf8(bytes.to_vec()).ok())
        .flatten();
    let headers: serde_json::Map<String, serde_json::Value> = REPLAYED_HEADERS
        .iter()
        .filter_map(|h| {
            parts
                .headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .map(|v| (h.to_string(), v.into()))
        })
        .collect();
    let stored = match text {
        Some(text) => {
            let headers = serde_json::Value::Object(headers).to_string();
            let code = status.as_u16() as i32;
            on_keys(state, move |c| store::complete(c, &scope, &key, code, &headers, &text)).await
        }
        None => on_keys(state, move |c| store::release(c, &scope, &key)).await,
    };
    if let Err(e) = stored {
        // The work is done; only its replay is lost. Say so, answer the client all the same.
        tracing::warn!(error = %e, "the answer of an idempotent request could not be kept");
    }
    let mut resp = Response::from_parts(parts, Body::from(bytes));
    if let Some(op) = op {
        resp.set_data(op);
    }
    Ok(resp)
}

/// The keys' bookkeeping, each step in a short transaction of its own.
async fn on_keys<T, F>(state: &AppState, f: F) -> crate::error::AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::AnyConnection) -> crate::error::AppResult<T> + Send + 'static,
{
    // Not a command: a key records a request's transport (which answer to repeat), not a
    // change of the service's state; the request it guards runs as a command, audited.
    state.db.write(f).await
}

fn replay(first: KeyRow) -> Response {
    let status = first
        .status
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::OK);
    let mut resp = Response::builder().status(status).body(first.body.unwrap_or_default());
    let headers: serde_json::Map<String, serde_json::Value> = first
        .headers
        .and_then(|h| serde_json::from_str(&h).ok())
        .unwrap_or_default();
    for (k, v) in headers {
        if let (Ok(name), Some(Ok(value))) = (
            poem::http::HeaderName::from_bytes(k.as_bytes()),
            v.as_str().map(HeaderValue::from_str),
        ) {
            resp.headers_mut().insert(name, value);
        }
    }
    resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// Whose key it is: the account behind a valid bearer token (the same across refreshed tokens),
/// or the API key (by its hash). `None` for a request without valid credentials, which the
/// handler answers 401 anyway.
async fn scope(req: &Request, state: &AppState) -> Option<String> {
    if let Some(key) = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()) {
        // Only a live key: an anonymous caller inventing keys costs a read, never a write.
        let lookup = crate::crypto::sha256_hex(key);
        let live = state
            .db
            .lookup(move |c| crate::db::api_keys::active_by_hash(c, &lookup))
            .await
            .ok()
            .flatten();
        return live.map(|k| format!("key:{}", k.id));
    }
    let token = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    state.jwt.verify(token).map(|c| format!("user:{}", c.sub))
}

/// SHA-256 of what makes a request the same request.
fn fingerprint(method: &Method, uri: &poem::http::Uri, content_type: Option<&HeaderValue>, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b"\n");
    h.update(uri.path_and_query().map_or("", |p| p.as_str()));
    h.update(b"\n");
    h.update(content_type.map_or(&b""[..], |v| v.as_bytes()));
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}
