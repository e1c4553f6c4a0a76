//! What lifecycles share: a status is a `Term` (an enum stored as stable snake_case text, shown in
//! the API with its Chinese term); a step that the current status does not allow, or a rule that
//! refuses it, is a typed refusal that names the status and the step, and becomes a problem with
//! a specific code of `error::codes`, never a catch-all.

use std::fmt;

use super::term::Term;
use crate::error::{Code, Reason};

/// Why a step is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The step is not possible in the current status (a conflict with the state: 409).
    NotNow {
        /// A 409 code of `error::codes`, e.g. `ELECTION_NOT_IN_SCREENING`.
        code: Code,
        /// The current status, as stored.
        now: &'static str,
        /// The step refused, in plain words.
        step: &'static str,
    },
    /// A rule refuses it (well-formed but not allowed: 422).
    Rule { code: Code, message: String },
    /// It conflicts with the record's current state, beyond its status (409), e.g. a tie that
    /// is not there to resolve.
    Conflict { code: Code, message: String },
    /// A rule refuses the value of one field of the request (422 `validation_failed`).
    Field {
        field: &'static str,
        reason: Reason,
        message: String,
    },
}

impl Refused {
    pub fn not_now<S: Term>(code: Code, now: S, step: &'static str) -> Refused {
        debug_assert_eq!(code.status, 409);
        Refused::NotNow {
            code,
            now: now.name(),
            step,
        }
    }

    pub fn rule(code: Code, message: impl Into<String>) -> Refused {
        debug_assert_eq!(code.status, 422);
        Refused::Rule {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: Code, message: impl Into<String>) -> Refused {
        debug_assert_eq!(code.status, 409);
        Refused::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &'static str, reason: Reason, message: impl Into<String>) -> Refused {
        Refused::Field {
            field,
            reason,
            message: message.into(),
        }
    }

    /// The code a client sees: the problem's, or the field's.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::NotNow { code, .. } | Refused::Rule { code, .. } | Refused::Conflict { code, .. } => code.name,
            Refused::Field { reason, .. } => reason.name,
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotNow { now, step, .. } => write!(f, "{step}: not possible while it is {now}"),
            Refused::Rule { message, .. } | Refused::Conflict { message, .. } => f.write_str(message),
            Refused::Field { field, message, .. } => write!(f, "{field}: {message}"),
        }
    }
}
