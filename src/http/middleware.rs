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
    let mut resp = match next.call(req).await {
        Ok(r) => r.into_response(),
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
