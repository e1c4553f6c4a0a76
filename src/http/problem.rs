//! RFC 9457 problem+json: the one shape of every error the server returns, whether a handler
//! raised it (`AppError`) or poem answered by itself (bad JSON, unknown route, wrong method...).

use poem::error::{MethodNotAllowedError, NotFoundError, ReadBodyError};
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParseRequestPayloadError};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::error::{codes, reason, AppError, Code, FieldError};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A field that broke a rule.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ProblemField {
    /// JSON path of the field in the request body, or the parameter name.
    pub field: String,
    /// Stable machine-readable reason (`length`, `invalid_type`, `missing`, ...).
    pub code: String,
    pub message: String,
    /// For an uploaded spreadsheet: the row (the header is row 1); `field` is then the column.
    #[oai(skip_serializing_if_is_none)]
    pub row: Option<u64>,
}

/// An error, as RFC 9457 problem details, with a stable `code` to branch on.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// A URI naming the problem type: `urn:redprop:problem:<code>`.
    #[oai(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// For validation problems: every offending field (always present; empty otherwise).
    pub errors: Vec<ProblemField>,
}

/// The error responses an operation may give.
#[derive(ApiResponse, Debug)]
pub enum ProblemResponse {
    /// Malformed request: bad JSON or a parameter of the wrong form.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No credentials, or credentials not valid now.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// Authenticated, but not allowed to do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// Absent, or not visible to the caller.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Conflicts with the current state.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The record changed since it was read (its ETag no longer matches `If-Match`).
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// `If-Match` is required for this change.
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// The body is larger than the limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body is not JSON.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Well-formed, but breaks a rule; `errors` names the fields.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many attempts; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// A fault on our side; the request id in `X-Request-Id` lets an operator find it.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The database is not answering, or the server is busy; retry after the given number of
    /// seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

pub type ApiResult<T> = Result<T, ProblemResponse>;

fn problem(status: StatusCode, code: Code, detail: Option<String>, errors: Vec<FieldError>) -> Json<Problem> {
    let zh = crate::error::zh::preferred();
    Json(Problem {
        type_: format!("urn:redprop:problem:{}", code.name),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        code: code.name.to_string(),
        detail,
        errors: errors
            .into_iter()
            .map(|e| ProblemField {
                field: e.field,
                code: e.code.name.to_string(),
                message: match e.message_zh {
                    Some(m) if zh => m,
                    _ => e.message,
                },
                row: e.row.map(|r| r as u64),
            })
            .collect(),
    })
}

impl From<AppError> for ProblemResponse {
    fn from(e: AppError) -> Self {
        use ProblemResponse as P;
        match e {
            AppError::BadRequest { code, detail, errors } => {
                P::BadRequest(problem(StatusCode::BAD_REQUEST, code, Some(detail), errors))
            }
            AppError::Unauthorized { code, detail } => {
                P::Unauthorized(problem(StatusCode::UNAUTHORIZED, code, Some(detail), vec![]))
            }
            AppError::Forbidden { detail } => {
                P::Forbidden(problem(StatusCode::FORBIDDEN, codes::FORBIDDEN, Some(detail), vec![]))
            }
            AppError::NotFound { what } => P::NotFound(problem(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                Some(format!("{what} not found")),
                vec![],
            )),
            AppError::Conflict { code, detail } => {
                P::Conflict(problem(StatusCode::CONFLICT, code, Some(detail), vec![]))
            }
            AppError::Precondition { code, detail } if code.status == 428 => {
                P::PreconditionRequired(problem(StatusCode::PRECONDITION_REQUIRED, code, Some(detail), vec![]))
            }
            AppError::Precondition { code, detail } => {
                P::PreconditionFailed(problem(StatusCode::PRECONDITION_FAILED, code, Some(detail), vec![]))
            }
            AppError::PayloadTooLarge { limit } => P::PayloadTooLarge(problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                Some(format!("the body may be at most {limit} bytes")),
                vec![],
            )),
            AppError::UnsupportedMediaType { detail } => P::UnsupportedMediaType(problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                codes::UNSUPPORTED_MEDIA_TYPE,
                Some(detail),
                vec![],
            )),
            AppError::Unprocessable { code, detail, errors } => {
                P::Unprocessable(problem(StatusCode::UNPROCESSABLE_ENTITY, code, Some(detail), errors))
            }
            AppError::TooManyRequests {
                retry_after_secs,
                detail,
            } => P::TooManyRequests(
                problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::TOO_MANY_REQUESTS,
                    Some(detail),
                    vec![],
                ),
                retry_after_secs,
            ),
            AppError::Unavailable { detail } => {
                tracing::warn!(%detail, "dependency unavailable");
                P::Unavailable(
                    problem(
                        StatusCode::SERVICE_UNAVAILABLE,
                        codes::UNAVAILABLE,
                        Some("try again shortly".into()),
                        vec![],
                    ),
                    1,
                )
            }
            AppError::Busy {
                retry_after_secs,
                detail,
            } => P::Unavailable(
                problem(StatusCode::SERVICE_UNAVAILABLE, codes::BUSY, Some(detail), vec![]),
                retry_after_secs,
            ),
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                P::Internal(problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    codes::INTERNAL,
                    None,
                    vec![],
                ))
            }
        }
    }
}

impl From<AppError> for poem::Error {
    fn from(e: AppError) -> Self {
        ProblemResponse::from(e).into()
    }
}

/// The last stop for every error on its way out: typed errors that poem and poem-openapi raise
/// before a handler runs become problem+json here; responses that already are one pass through.
pub fn from_poem_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let app = if err.is::<NotFoundError>() {
        AppError::NotFound { what: "route" }
    } else if err.is::<MethodNotAllowedError>() {
        return method_not_allowed();
    } else if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        AppError::UnsupportedMediaType { detail: e.to_string() }
    } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
        AppError::BadRequest {
            code: codes::INVALID_PARAMETER,
            detail: format!("parameter `{}`: {}", e.name, e.reason),
            errors: vec![FieldError::new(e.name, reason::INVALID, e.reason.clone())],
        }
    } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        AppError::BadRequest {
            code: codes::INVALID_BODY,
            detail: e.reason.clone(),
            errors: vec![],
        }
    } else if err.is::<AuthorizationError>() {
        AppError::unauthorized(
            codes::UNAUTHENTICATED,
            "this operation needs valid credentials of a kind it accepts (its `security` in the API documents: a bearer token, and for some an API key)",
        )
    } else if matches!(
        err.downcast_ref::<ReadBodyError>(),
        Some(ReadBodyError::PayloadTooLarge)
    ) {
        AppError::PayloadTooLarge { limit: 0 }
    } else if status.is_server_error() {
        AppError::Internal(err.to_string())
    } else {
        // Any other client error poem raises: keep its status, give it the problem shape.
        let body = problem(status, codes::BAD_REQUEST, Some(err.to_string()), vec![]);
        return json_response(status, &body.0);
    };
    ProblemResponse::from(app).into_response()
}

fn method_not_allowed() -> Response {
    let status = StatusCode::METHOD_NOT_ALLOWED;
    let body = problem(
        status,
        codes::METHOD_NOT_ALLOWED,
        Some("this route does not take that method".into()),
        vec![],
    );
    json_response(status, &body.0)
}

/// A problem's JSON text, for answers written outside poem (the server's own refusals).
pub fn body(code: Code, detail: &str) -> String {
    use poem_openapi::types::ToJSON;
    problem(status_of(code), code, Some(detail.to_string()), vec![])
        .0
        .to_json_string()
}

/// `body`, in Chinese: for a client whose `Accept-Language` prefers it.
pub fn body_zh(code: Code, detail: &str) -> String {
    use poem_openapi::types::ToJSON;
    let status = status_of(code);
    let mut p = problem(
        status,
        code,
        Some(crate::error::zh::problem(code.name).unwrap_or(detail).to_string()),
        vec![],
    )
    .0;
    p.title = crate::error::zh::title(status.as_u16()).to_string();
    p.to_json_string()
}

/// A problem+json response for a status no `AppError` names (414, a timeout).
pub fn simple(code: Code, detail: &str) -> Response {
    let status = status_of(code);
    let body = problem(status, code, Some(detail.to_string()), vec![]);
    json_response(status, &body.0)
}

fn status_of(code: Code) -> StatusCode {
    StatusCode::from_u16(code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn json_response(status: StatusCode, p: &Problem) -> Response {
    use poem_openapi::types::ToJSON;
    Response::builder()
        .status(status)
        .content_type(PROBLEM_CONTENT_TYPE)
        .body(p.to_json_string())
}

/// The problem in Chinese for a request that prefers it (`error::zh`): title, detail and each
/// field's message; `code`, `type`, `status`, the fields' names and codes stay as they are.
/// Other answers pass through.
pub async fn localize(zh: bool, resp: Response) -> Response {
    let is_problem = resp
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if !is_problem {
        return resp;
    }
    let mut resp = resp;
    // The same problem reads differently by language: caches must keep them apart.
    resp.headers_mut().append(
        poem::http::header::VARY,
        poem::http::HeaderValue::from_static("Accept-Language"),
    );
    if !zh {
        return resp;
    }
    let op = resp.data::<poem_openapi::OperationId>().copied();
    let (mut parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let Ok(mut p) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, poem::Body::from(bytes));
    };
    use crate::error::zh;
    let status = p["status"].as_u64().unwrap_or(0) as u16;
    p["title"] = zh::title(status).into();
    if let Some(text) = p["code"].as_str().and_then(zh::problem) {
        p["detail"] = text.into();
    }
    if let Some(errors) = p["errors"].as_array_mut() {
        // A spreadsheet's rows were told in Chinese where they were refused (`FieldError::
        // message_zh`): what is wrong with the value, more than its reason code says.
        for e in errors.iter_mut().filter(|e| e.get("row").is_none()) {
            if let Some(text) = e["code"].as_str().and_then(zh::reason) {
                e["message"] = text.into();
            }
        }
    }
    parts.headers.insert(
        poem::http::header::CONTENT_LANGUAGE,
        poem::http::HeaderValue::from_static("zh-CN"),
    );
    let mut resp = Response::from_parts(parts, poem::Body::from(p.to_string()));
    if let Some(op) = op {
        resp.set_data(op);
    }
    resp
}
