//! The one error type of the service. Domain rules, database calls and request parsing all end
//! here; `http::problem` turns it into RFC 9457 problem+json. Internal details are logged, never
//! returned to the caller.

use std::fmt;

/// A field that broke a rule: the JSON path of the field (`password`, `grants[0].role`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    /// For uploaded spreadsheets: the row (the header is row 1); `field` is then the column.
    pub row: Option<usize>,
}

impl FieldError {
    pub fn at_row(row: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: column.into(),
            code: "invalid".into(),
            message: message.into(),
            row: Some(row),
        }
    }

    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            row: None,
        }
    }
}

#[derive(Debug)]
pub enum AppError {
    /// 400: the request is not well-formed (bad JSON, bad parameter syntax).
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 401: no credentials, or credentials that are not valid now.
    Unauthorized { code: &'static str, detail: String },
    /// 403: authenticated, but this caller may not do this.
    Forbidden { detail: String },
    /// 404: absent, or not visible to this caller.
    NotFound { what: &'static str },
    /// 409: conflicts with the current state.
    Conflict { code: &'static str, detail: String },
    /// 413: the body is larger than the limit.
    PayloadTooLarge { limit: usize },
    /// 415: the body is not of a content type this operation takes.
    UnsupportedMediaType { detail: String },
    /// 422: well-formed, but breaks a rule; `errors` names the fields.
    Unprocessable {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 429: slow down; retry after this many seconds.
    TooManyRequests { retry_after_secs: u64, detail: String },
    /// 503: the database or another dependency is not answering.
    Unavailable { detail: String },
    /// 503: too much work of this kind right now; retry after this many seconds.
    Busy { retry_after_secs: u64, detail: String },
    /// 500: a bug or an unexpected failure. The text is logged, not shown.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn forbidden() -> Self {
        AppError::Forbidden {
            detail: "you may not do this on this resource".into(),
        }
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Unprocessable {
            code: "validation_failed",
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }
    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Unprocessable {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code,
            detail: detail.into(),
        }
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound { what: "resource" },
            E::DatabaseError(K::UniqueViolation, info) => AppError::Conflict {
                code: "already_exists",
                detail: format!("a record with the same unique value exists ({})", unique_target(&*info)),
            },
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                AppError::rule("reference_not_found", "a referenced record does not exist")
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::Conflict {
                code: "concurrent_update",
                detail: "another change got there first; retry".into(),
            },
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

/// Names the table.column (SQLite) or constraint (PostgreSQL) of a unique violation; no values.
fn unique_target(info: &dyn diesel::result::DatabaseErrorInformation) -> String {
    if let Some(c) = info.constraint_name() {
        return c.to_string();
    }
    info.message().rsplit("failed: ").next().unwrap_or("unique").to_string()
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable {
            detail: format!("database unavailable: {e}"),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("blocking task failed: {e}"))
    }
}
