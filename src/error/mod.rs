//! The one error type of the service. Domain rules, database calls and request parsing all end
//! here; `http::problem` turns it into RFC 9457 problem+json. Internal details are logged, never
//! returned to the caller.

use std::fmt;

pub mod codes;
pub mod zh;

pub use codes::{reason, Code, Reason};

use crate::domain::lifecycle::Refused;

/// A field that broke a rule: the JSON path of the field (`password`, `grants[0].role`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: Reason,
    pub message: String,
    /// For uploaded spreadsheets: the row (the header is row 1); `field` is then the column.
    pub row: Option<usize>,
    /// The message in Chinese, where the rule that refused wrote one (a spreadsheet's rows): it
    /// says what is wrong with the value, which the reason code alone cannot.
    pub message_zh: Option<String>,
}

impl FieldError {
    pub fn at_row(row: usize, column: impl Into<String>, message: impl Into<String>, message_zh: String) -> Self {
        FieldError {
            field: column.into(),
            code: reason::INVALID,
            message: message.into(),
            row: Some(row),
            message_zh: Some(message_zh),
        }
    }

    pub fn new(field: impl Into<String>, code: Reason, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
            row: None,
            message_zh: None,
        }
    }
}

/// An error of the service. Each variant with a `code` takes one of `codes` of its status.
#[derive(Debug)]
pub enum AppError {
    /// 400: the request is not well-formed (bad JSON, bad parameter syntax).
    BadRequest {
        code: Code,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 401: no credentials, or credentials that are not valid now.
    Unauthorized { code: Code, detail: String },
    /// 403: authenticated, but this caller may not do this.
    Forbidden { detail: String },
    /// 404: absent, or not visible to this caller.
    NotFound { what: &'static str },
    /// 409: conflicts with the current state.
    Conflict { code: Code, detail: String },
    /// 412 (the record changed since it was read) or 428 (If-Match is required here).
    Precondition { code: Code, detail: String },
    /// 413: the body is larger than the limit.
    PayloadTooLarge { limit: usize },
    /// 415: the body is not of a content type this operation takes.
    UnsupportedMediaType { detail: String },
    /// 422: well-formed, but breaks a rule; `errors` names the fields.
    Unprocessable {
        code: Code,
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
    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        debug_assert_eq!(code.status, 409, "{code} is not a conflict");
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }
    pub fn invalid(field: &str, code: Reason, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Unprocessable {
            code: codes::VALIDATION_FAILED,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }
    pub fn rule(code: Code, detail: impl Into<String>) -> Self {
        debug_assert_eq!(code.status, 422, "{code} is not a rule");
        AppError::Unprocessable {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
    pub fn unauthorized(code: Code, detail: impl Into<String>) -> Self {
        debug_assert_eq!(code.status, 401, "{code} is not an authentication failure");
        AppError::Unauthorized {
            code,
            detail: detail.into(),
        }
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// A refused step becomes its problem: a step the state does not allow is a conflict (409) that
/// names the current state; a rule is 422, on its field when it concerns one.
impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        let detail = r.to_string();
        match r {
            Refused::NotNow { code, .. } => AppError::conflict(code, detail),
            Refused::Rule { code, .. } => AppError::rule(code, detail),
            Refused::Conflict { code, .. } => AppError::conflict(code, detail),
            Refused::Field { field, reason, message } => AppError::invalid(field, reason, message),
        }
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
                code: codes::ALREADY_EXISTS,
                detail: format!("a record with the same unique value exists ({})", unique_target(&*info)),
            },
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                AppError::rule(codes::REFERENCE_NOT_FOUND, "a referenced record does not exist")
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::Conflict {
                code: codes::CONCURRENT_UPDATE,
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
