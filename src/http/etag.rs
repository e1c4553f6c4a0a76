//! Optimistic concurrency (issue 17): an `ETag` on reads of records that several people edit,
//! and `If-Match` on their changes. A change whose `If-Match` names another version of the
//! record is refused (412) and changes nothing; where a change replaces a whole document (the
//! minutes' draft, a campaign's configuration), `If-Match` is required (428), so that nobody
//! overwrites what someone else saved since they read it.
//!
//! The tag is a digest of the record as stored (every column of its rows), not of one caller's
//! view of it: the same for every caller and every replica, and it changes with any change.

use std::fmt::Debug;

use sha2::{Digest, Sha256};

use crate::error::{codes, AppError, AppResult};

/// The strong entity tag of a record as stored: `"` + 20 hex digits of SHA-256 + `"`.
pub fn of(stored: &impl Debug) -> String {
    let digest = Sha256::digest(format!("{stored:?}").as_bytes());
    format!("\"{}\"", &hex::encode(digest)[..20])
}

/// Whether a change may go ahead against the record whose tag is `current`: `If-Match` absent
/// (refused when `required`), `*`, or a list naming `current` (strong comparison, RFC 9110
/// 13.1.1: a weak tag never matches).
pub fn check(if_match: Option<&str>, current: &str, required: bool) -> AppResult<()> {
    let Some(header) = if_match.map(str::trim).filter(|h| !h.is_empty()) else {
        return if required {
            Err(AppError::Precondition {
                code: codes::PRECONDITION_REQUIRED,
                detail: "send If-Match with the ETag of the record as you read it (GET it for one)".into(),
            })
        } else {
            Ok(())
        };
    };
    if header == "*" || header.split(',').map(str::trim).any(|t| t == current) {
        return Ok(());
    }
    Err(AppError::Precondition {
        code: codes::PRECONDITION_FAILED,
        detail: format!("the record changed since it was read: it is now {current}; read it again and redo the change"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_is_compared_strongly() {
        let t = of(&("row", 1));
        assert_eq!(t.len(), 22);
        assert_ne!(t, of(&("row", 2)));
        assert!(check(None, &t, false).is_ok());
        assert!(matches!(check(None, &t, true), Err(AppError::Precondition { code, .. }) if code.status == 428));
        assert!(check(Some(&t), &t, true).is_ok());
        assert!(check(Some("*"), &t, true).is_ok());
        assert!(check(Some(&format!("\"x\", {t}")), &t, true).is_ok());
        assert!(
            matches!(check(Some(&format!("W/{t}")), &t, true), Err(AppError::Precondition { code, .. }) if code.status == 412)
        );
        assert!(
            matches!(check(Some("\"other\""), &t, false), Err(AppError::Precondition { code, .. }) if code.status == 412)
        );
    }
}

/// A record's representation with its `ETag` (the value to send back as `If-Match`).
#[derive(poem_openapi::ApiResponse)]
pub enum Tagged<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// The record, with its current version's tag.
    #[oai(status = 200)]
    Ok(
        poem_openapi::payload::Json<T>,
        /// The version of the record as stored: send it as `If-Match` when changing it.
        #[oai(header = "ETag")]
        String,
    ),
}

impl<T: poem_openapi::types::ToJSON + Send + Sync> Tagged<T> {
    pub fn new(body: T, tag: String) -> Tagged<T> {
        Tagged::Ok(poem_openapi::payload::Json(body), tag)
    }
}
