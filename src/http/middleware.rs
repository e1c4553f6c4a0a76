//! The outermost layer of every request: a request id (accepted from `X-Request-Id` or made),
//! one log line per request, and the conversion of any error into problem+json.

use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;

use crate::domain::ids;
use crate::http::problem;

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

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

/// A client-supplied id is kept if it is short and plain; anything else is replaced, so the
/// log never carries what a client chose to smuggle into it.
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
            errors.push(FieldError::new(path_param_name(&segments, i), "control_character", why));
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
                errors.push(FieldError::new(field, "control_character", why));
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
        code: "validation_failed",
        detail,
        errors,
    })
}

pub async fn observe<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let rid = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(accept_request_id)
        .unwrap_or_else(ids::new_id);
    req.extensions_mut().insert(RequestId(rid.clone()));
    let method = req.method().clone();
    // The path only: query strings may carry names or numbers that are personal data.
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let target_len = req.uri().path().len() + req.uri().query().map_or(0, |q| q.len() + 1);
    let outcome = if target_len > MAX_URI_BYTES {
        Ok(problem::simple(
            poem::http::StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "the request target is longer than 8 KiB",
        ))
    } else {
        match refuse_controls_in_params(&req) {
            Some(e) => Err(e.into()),
            None => next.call(req).await.map(IntoResponse::into_response),
        }
    };
    let mut resp = match outcome {
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
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let operation = resp.data::<OperationId>().map(|o| o.0).unwrap_or("-");
    tracing::info!(
        request_id = %rid,
        method = %method,
        path = %path,
        operation,
        status = resp.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(resp)
}
