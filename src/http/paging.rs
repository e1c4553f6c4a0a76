//! Lists are paged by an opaque cursor (the last key seen, base64url) and a bounded limit.

use base64::Engine;

use crate::error::{AppError, AppResult, FieldError};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

pub fn limit(requested: Option<u32>) -> i64 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as i64
}

pub fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub fn decode_cursor(cursor: Option<&str>) -> AppResult<Option<String>> {
    let Some(c) = cursor else { return Ok(None) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or_else(|| AppError::BadRequest {
            code: "invalid_parameter",
            detail: "parameter `cursor`: not a cursor this service issued".into(),
            errors: vec![FieldError::new(
                "cursor",
                "invalid",
                "not a cursor this service issued",
            )],
        })
}

/// The cursor for the next page: present only when this page was full.
pub fn next_cursor<T>(items: &[T], limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    (items.len() as i64 == limit)
        .then(|| items.last().map(|l| encode_cursor(&key(l))))
        .flatten()
}
