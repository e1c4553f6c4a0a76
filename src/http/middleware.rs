//! The outermost layer of every request: the server's own request id (always minted here; a
//! client's `X-Request-Id` is kept beside it, never in its place), one log line per request, the
//! checks every request passes before routing, and the conversion of any error into
//! problem+json.

use crate::error::{codes, reason};
use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;

use crate::domain::ids;
use crate::http::problem;

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The id a client sent in `X-Request-Id` (if short and plain), kept for correlation only.
#[derive(Clone, Debug)]
pub struct ClientRequestId(pub String);

/// Longest request target (path and query) served; longer is 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request id of a request that passed through `observe`.
pub fn request_id(req: &Request) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// The id the client sent, if it was short and plain.
pub fn client_request_id(req: &Request) -> Option<String> {
    req.extensions().get::<ClientRequestId>().map(|r| r.0.clone())
}

/// A client-supplied id is kept (beside the server's) if it is short and plain; anything else
/// is dropped, so the log never carries what a client chose to smuggle into it.
fn accept_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_string())
}

/// `%XX` escapes decoded (and `+` as a space in query strings); invalid escapes stay as they are.
fn percent_decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The path templates of the API (`/api/v1/estates/{id}/units`), split into segments, to name
/// the parameter a bad path segment stands for.
fn path_templates() -> &'static [Vec<String>] {
    static T: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let spec: serde_json::Value = serde_json::from_str(&crate::http::service().spec()).unwrap_or_default();
        spec["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .keys()
                    .map(|p| p.split('/').map(str::to_string).collect())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The name of the parameter at segment `at` of `segments`, from the first template that fits.
fn path_param_name(segments: &[&str], at: usize) -> String {
    path_templates()
        .iter()
        .filter(|t| t.len() == segments.len())
        .find(|t| {
            t.iter()
                .zip(segments)
                .enumerate()
                .all(|(i, (t, s))| i == at || t.starts_with('{') || t == s)
        })
        .and_then(|t| {
            t[at]
                .strip_prefix('{')
                .and_then(|n| n.strip_suffix('}'))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "path".into())
}

/// Refuses (422, naming the parameter) a path segment or query value that holds a character no
/// field may hold once decoded: the same rule as for JSON bodies, checked before any handler,
/// so that no parameter ever reaches the database with a NUL in it.
fn refuse_controls_in_params(req: &Request) -> Option<crate::error::AppError> {
    use crate::domain::text::{forbidden_char, refusal};
    use crate::error::{AppError, FieldError};
    let mut errors = Vec::new();
    let check = |raw: &[u8]| -> Option<String> {
        let text = String::from_utf8_lossy(raw);
        forbidden_char(&text, false).map(|c| refusal(c, false))
    };
    let path = req.uri().path();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        if let Some(why) = check(&percent_decode(seg, false)) {
            errors.push(FieldError::new(
                path_param_name(&segments, i),
                reason::CONTROL_CHARACTER,
                why,
            ));
        }
    }
    if let Some(q) = req.uri().query() {
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let name = String::from_utf8_lossy(&percent_decode(k, true)).into_owned();
            let name_ok = forbidden_char(&name, false).is_none();
            if let Some(why) = check(&percent_decode(v, true))
                .or_else(|| (!name_ok).then(|| "a parameter name holds a control character".into()))
            {
                let field = if name_ok { name } else { "query".into() };
                errors.push(FieldError::new(field, reason::CONTROL_CHARACTER, why));
            }
        }
    }
    if errors.is_empty() {
        return None;
    }
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    Some(AppError::Unprocessable {
        code: codes::VALIDATION_FAILED,
        detail,
        errors,
    })
}

/// Headers every response carries: no sniffing, no referrer, never framed, a content security
/// policy (the API documents need script and style of their own, a printable page its inline
/// style; nothing else needs anything),
/// and API answers are never stored by caches (they carry tokens and personal data) unless the
/// operation says otherwise (public data). The web pages set their own policy (`crate::web`).
fn protect(path: &str, h: &mut poem::http::HeaderMap) {
    use poem::http::header;
    let csp = if path.starts_with("/docs") {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    } else if path.ends_with("/print") {
        // A printable page (minutes for the notice board): its own inline style, nothing else.
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    };
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if path.starts_with(crate::http::API_PREFIX) && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
}

pub async fn observe<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let rid = ids::new_id();
    let client_rid = req.headers().get(REQUEST_ID_HEADER).and_then(accept_request_id);
    req.extensions_mut().insert(RequestId(rid.clone()));
    if let Some(c) = &client_rid {
        req.extensions_mut().insert(ClientRequestId(c.clone()));
    }
    let method = req.method().clone();
    let coding = super::compress::negotiate(&req);
    let zh = req
        .headers()
        .get(poem::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::error::zh::prefers_chinese);
    // The path only: query strings may carry names or numbers that are personal data.
    let path = req.uri().path().to_string();
    let uri = req.uri().clone();
    let started = Instant::now();
    let target_len = req.uri().path().len() + req.uri().query().map_or(0, |q| q.len() + 1);
    let both_credentials =
        req.headers().contains_key("x-api-key") && req.headers().contains_key(poem::http::header::AUTHORIZATION);
    let outcome = if both_credentials {
        // Two identities in one request: refuse rather than guess which one was meant.
        Ok(problem::simple(
            codes::AMBIGUOUS_CREDENTIALS,
            "send either an X-API-Key or an Authorization header, not both",
        ))
    } else if target_len > MAX_URI_BYTES {
        Ok(problem::simple(
            codes::URI_TOO_LONG,
            "the request target is longer than 8 KiB",
        ))
    } else {
        match refuse_controls_in_params(&req) {
            Some(e) => Err(e.into()),
            None => crate::error::zh::scope(zh, next.call(req))
                .await
                .map(IntoResponse::into_response),
        }
    };
    let resp = match outcome {
        Ok(r) => r,
        Err(e) => {
            let op = e.data::<OperationId>().copied();
            let mut r = problem::from_poem_error(e);
            if let Some(op) = op {
                r.set_data(op);
            }
            r
        }
    };
    let resp = problem::localize(zh, resp).await;
    let resp = super::location::add(&path, resp).await;
    let mut resp = if method == poem::http::Method::GET && path.starts_with(super::API_PREFIX) {
        super::paging::link_next(&uri, resp).await
    } else {
        resp
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    protect(&path, resp.headers_mut());
    let operation = resp.data::<OperationId>().map(|o| o.0).unwrap_or("-");
    let status = resp.status().as_u16();
    crate::metrics::request(operation, status, started.elapsed());
    let resp = super::compress::maybe(coding, &method, resp).await;
    tracing::info!(
        request_id = %rid,
        client_request_id = client_rid.as_deref().unwrap_or("-"),
        method = %method,
        path = %path,
        operation,
        status,
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(resp)
}
