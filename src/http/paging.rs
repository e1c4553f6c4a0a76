//! Lists are paged by an opaque cursor (the last key seen, base64url) and a bounded limit.

use base64::Engine;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::Object;

use crate::error::{codes, reason, AppError, AppResult, FieldError};

/// One page of a list: the shape of every list the API returns.
#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(bound = "T: serde::Serialize")]
pub struct Page<T: ParseFromJSON + ToJSON> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: ParseFromJSON + ToJSON> Page<T> {
    /// A list that always fits on one page (a handful of rows by nature).
    pub fn whole(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
        }
    }
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

pub fn limit(requested: Option<u32>) -> i64 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as i64
}

pub fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// The key inside a cursor, parsed as the list's key type (`String` for ids, `i64` for
/// sequence numbers).
pub fn decode_cursor<K: std::str::FromStr>(cursor: Option<&str>) -> AppResult<Option<K>> {
    let Some(c) = cursor else { return Ok(None) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<K>().ok())
        .map(Some)
        .ok_or_else(bad_cursor)
}

/// The answer to a cursor this service did not issue (or that does not parse as the list's key).
pub fn bad_cursor() -> AppError {
    AppError::BadRequest {
        code: codes::INVALID_PARAMETER,
        detail: "parameter `cursor`: not a cursor this service issued".into(),
        errors: vec![FieldError::new(
            "cursor",
            reason::INVALID,
            "not a cursor this service issued",
        )],
    }
}

/// The key of a list ordered by several columns (units by building, room and id; owners by name
/// and id): the parts joined by a line feed, which no stored text holds (control characters are
/// refused on the way in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys<const N: usize>(pub [String; N]);

impl<const N: usize> std::str::FromStr for Keys<N> {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let parts: Vec<String> = s.split('\n').map(str::to_string).collect();
        parts.try_into().map(Keys).map_err(|_| ())
    }
}

impl<const N: usize> Keys<N> {
    pub fn join(parts: [&str; N]) -> String {
        parts.join("\n")
    }
}

/// How many rows to ask the database for: one more than the page, to learn whether more follow.
pub fn fetch(limit: i64) -> i64 {
    limit + 1
}

/// Cuts rows fetched with `fetch(limit)` to the page, with the cursor for the next page when
/// there is one.
pub fn page<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|l| encode_cursor(&key(l)))
    } else {
        None
    };
    (rows, next)
}

/// Adds `Link: <…>; rel="next"` to a page of a list that has a next page (call on answers to
/// GET), for clients that follow links rather than read `next_cursor`. A `Page` is written with
/// `next_cursor` last, so only the tail of the body is looked at.
pub async fn link_next(uri: &poem::http::Uri, resp: poem::Response) -> poem::Response {
    const TAIL: usize = 512;
    let json = resp
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !resp.status().is_success() || !json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let tail = &bytes[bytes.len().saturating_sub(TAIL)..];
    let cursor = String::from_utf8_lossy(tail)
        .rsplit_once("\"next_cursor\":\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(c, _)| c.to_string());
    let mut resp = poem::Response::from_parts(parts, poem::Body::from(bytes));
    if let Some(c) = cursor.filter(|c| c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')) {
        let mut query: Vec<String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
            .map(str::to_string)
            .collect();
        query.push(format!("cursor={c}"));
        let link = format!("<{}?{}>; rel=\"next\"", uri.path(), query.join("&"));
        if let Ok(v) = poem::http::HeaderValue::from_str(&link) {
            resp.headers_mut().insert("link", v);
        }
    }
    resp
}
