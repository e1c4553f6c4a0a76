//! `JsonBody<T>`: the request-body extractor of every operation. It documents `T`'s schema like
//! poem-openapi's `Json<T>`, but fails the way clients can act on: a size limit (413), 400 for
//! bytes that are not JSON, and 422 naming the field path for a wrong type, a missing or unknown
//! field (via serde_path_to_error) or a broken constraint (the `#[oai(validator)]`s).

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::DeserializeOwned;

use crate::error::{codes, reason, AppError, FieldError};
use crate::AppState;

pub struct JsonBody<T>(pub T);

/// Makes a payload an operation parameter: documented as the request body, with a 415 problem
/// for any other content type. (poem-openapi's own macro for this is private.)
macro_rules! body_extractor {
    ($ty:ty, $expected:literal $(, $($bounds:tt)*)?) => {
        impl<'a, $($($bounds)*)?> ApiExtractor<'a> for $ty {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                <Self as Payload>::register(registry);
            }

            fn request_meta() -> Option<MetaRequest> {
                Some(MetaRequest {
                    description: None,
                    content: vec![MetaMediaType {
                        content_type: <Self as Payload>::CONTENT_TYPE,
                        schema: <Self as Payload>::schema_ref(),
                    }],
                    required: true,
                })
            }

            async fn from_request(
                request: &'a Request,
                body: &mut RequestBody,
                _param_opts: ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                match request.content_type() {
                    Some(ct) if <Self as Payload>::check_content_type(ct) => {
                        <Self as ParsePayload>::from_request(request, body).await
                    }
                    other => Err(AppError::UnsupportedMediaType {
                        detail: format!(concat!("expected ", $expected, ", got {}"), other.unwrap_or("no Content-Type")),
                    }
                    .into()),
                }
            }
        }
    };
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

const DEFAULT_LIMIT: usize = 1024 * 1024;

impl<T: Type + ParseFromJSON + DeserializeOwned + 'static> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let limit = request
            .data::<AppState>()
            .map_or(DEFAULT_LIMIT, |s| s.config.max_body_bytes);
        let bytes = read_limited(request, body, limit).await?;
        Ok(JsonBody(parse::<T>(&bytes)?))
    }
}

/// Reads the whole body, refusing (413) anything over `limit` bytes, whether declared in
/// Content-Length or only found out while reading.
async fn read_limited(request: &Request, body: &mut RequestBody, limit: usize) -> poem::Result<Vec<u8>> {
    let declared = request
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::PayloadTooLarge { limit }.into());
    }
    let bytes = body.take()?.into_bytes_limit(limit).await.map_err(|e| match e {
        poem::error::ReadBodyError::PayloadTooLarge => AppError::PayloadTooLarge { limit },
        other => AppError::BadRequest {
            code: codes::UNREADABLE_BODY,
            detail: other.to_string(),
            errors: vec![],
        },
    })?;
    Ok(bytes.to_vec())
}

/// A body for a route outside the OpenAPI service: JSON, control characters refused, fields by
/// serde alone.
pub fn parse_plain<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest {
        code: codes::MALFORMED_JSON,
        detail: format!("the body is not valid JSON: {e}"),
        errors: vec![],
    })?;
    serde_json::from_value(value).map_err(|e| AppError::Unprocessable {
        code: codes::VALIDATION_FAILED,
        detail: e.to_string(),
        errors: vec![FieldError::new("body", reason::INVALID, e.to_string())],
    })
}

/// The three stages of reading a body; public for unit tests and for CLI input.
pub fn parse<T: ParseFromJSON + DeserializeOwned + 'static>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest {
        code: codes::MALFORMED_JSON,
        detail: format!("the body is not valid JSON: {e}"),
        errors: vec![],
    })?;
    // Characters no field may hold, in every field at once (before types: a NUL in an unknown
    // field is still named).
    let mut bad = Vec::new();
    refuse_controls(&value, &mut String::new(), None, &mut bad);
    // Every other problem, all at once, from the body's published schema.
    bad.extend(super::validate::problems::<T>(&value));
    if !bad.is_empty() {
        let detail = bad
            .iter()
            .map(|e: &FieldError| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AppError::Unprocessable {
            code: codes::VALIDATION_FAILED,
            detail,
            errors: bad,
        });
    }
    // Debug builds (the tests) hold our check to poem-openapi's: whatever passes ours must pass
    // its `parse_from_json`, so a constraint our check misses shows up as a failing test.
    #[cfg(debug_assertions)]
    let theirs = T::parse_from_json(Some(value.clone())).map_err(|e| e.into_message());
    // Types, missing and unknown fields, with the path to the field. The schema's constraints
    // (lengths, ranges, patterns, items) are all checked above, so the value serde reads is the
    // body. (poem-openapi's `parse_from_json` would read it a second time and compile each
    // `pattern` validator's regex on every call: poem-openapi 5.1's `Pattern::check`.)
    let body = serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_string() } else { path };
        let message = e.into_inner().to_string();
        let code = if message.starts_with("missing field") {
            reason::MISSING
        } else if message.starts_with("unknown field") {
            reason::UNKNOWN_FIELD
        } else {
            reason::INVALID_TYPE
        };
        // serde reports a missing field at its parent; name the field itself.
        let field = match (code == reason::MISSING, message.split('`').nth(1)) {
            (true, Some(name)) if field == "body" => name.to_string(),
            (true, Some(name)) => format!("{field}.{name}"),
            _ => field,
        };
        AppError::Unprocessable {
            code: codes::VALIDATION_FAILED,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    })?;
    #[cfg(debug_assertions)]
    if let Err(message) = theirs {
        panic!("a body that passed our checks fails poem-openapi's: {message}");
    }
    Ok(body)
}

body_extractor!(JsonBody<T>, "application/json", T: Type + ParseFromJSON + DeserializeOwned + 'static);

/// Free-text fields that may run over several lines (tab and line breaks allowed); every other
/// string is single-line. One list for the whole API, by field name.
pub const MULTILINE_FIELDS: &[&str] = &[
    "question",
    "summary",
    "reason",
    "reasons",
    "statement",
    "answer",
    "description",
    "discussion",
    "agenda",
    "text",
    "notes",
    "comment",
    "content",
];

/// Collects every string (and object key) in `v` holding a character no field may hold, with
/// its JSON path in the form the other validation errors use (`grants[0].scope_id`).
fn refuse_controls(v: &serde_json::Value, path: &mut String, key: Option<&str>, out: &mut Vec<FieldError>) {
    use crate::domain::text::{forbidden_char, refusal};
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match v {
        serde_json::Value::String(s) => {
            let multiline = key.is_some_and(|k| MULTILINE_FIELDS.contains(&k));
            if let Some(c) = forbidden_char(s, multiline) {
                out.push(FieldError::new(
                    field(path),
                    reason::CONTROL_CHARACTER,
                    refusal(c, multiline),
                ));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                refuse_controls(item, path, key, out);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if let Some(c) = forbidden_char(k, false) {
                    out.push(FieldError::new(
                        field(path),
                        reason::CONTROL_CHARACTER,
                        format!("a key {}", refusal(c, false)),
                    ));
                    continue;
                }
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                refuse_controls(item, path, Some(k), out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// A spreadsheet upload: the raw bytes of a CSV file in whatever encoding the office saved it
/// (decoding is the importer's job, since GBK is not UTF-8).
pub struct CsvBody(pub Vec<u8>);

/// Largest spreadsheet accepted: 20 MiB (about 200,000 rows of the county format).
pub const MAX_CSV_BYTES: usize = 20 * 1024 * 1024;

impl Payload for CsvBody {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        matches!(
            essence.as_str(),
            "text/csv" | "application/csv" | "application/vnd.ms-excel" | "application/octet-stream" | "text/plain"
        )
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(poem_openapi::registry::MetaSchema {
            format: Some("binary"),
            ..poem_openapi::registry::MetaSchema::new("string")
        }))
    }
}

impl ParsePayload for CsvBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(CsvBody(read_limited(request, body, MAX_CSV_BYTES).await?))
    }
}

body_extractor!(CsvBody, "text/csv");

/// A file upload: `multipart/form-data` with one part named `file`. The whole body is read
/// under the attachment limit (plus room for the multipart framing) before it is parsed, so an
/// upload costs at most that much memory however it is framed.
pub struct FileBody {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
}

/// Room for the boundaries and part headers around the file.
const MULTIPART_FRAMING: usize = 16 * 1024;

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("multipart/form-data")
    }

    fn schema_ref() -> MetaSchemaRef {
        use poem_openapi::registry::MetaSchema;
        let mut file = MetaSchema::new("string");
        file.format = Some("binary");
        file.description = Some("The file: a JPEG, PNG, GIF or WebP image, or a PDF.");
        let mut schema = MetaSchema::new("object");
        schema.required = vec!["file"];
        schema.properties = vec![("file", MetaSchemaRef::Inline(Box::new(file)))];
        MetaSchemaRef::Inline(Box::new(schema))
    }
}

impl ParsePayload for FileBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let limit = request
            .data::<AppState>()
            .map_or(crate::config::DEFAULT_MAX_ATTACHMENT_BYTES, |s| {
                s.config.max_attachment_bytes
            });
        let boundary = request
            .content_type()
            .and_then(|ct| multer::parse_boundary(ct).ok())
            .ok_or_else(|| AppError::BadRequest {
                code: codes::UNREADABLE_BODY,
                detail: "a multipart/form-data body needs its boundary".into(),
                errors: vec![],
            })?;
        let raw = read_limited(request, body, limit + MULTIPART_FRAMING).await?;
        let unreadable = |e: multer::Error| AppError::BadRequest {
            code: codes::UNREADABLE_BODY,
            detail: format!("the multipart body cannot be read: {e}"),
            errors: vec![],
        };
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from(raw)) });
        let mut parts = multer::Multipart::new(stream, boundary);
        let mut found: Option<FileBody> = None;
        while let Some(field) = parts.next_field().await.map_err(unreadable)? {
            if field.name() != Some("file") {
                continue;
            }
            // One file per upload: which of two the caller meant is not ours to guess.
            if found.is_some() {
                return Err(AppError::invalid(
                    "file",
                    reason::DUPLICATE,
                    "the body has more than one part named `file`; upload one file at a time",
                )
                .into());
            }
            let file_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(unreadable)?;
            if bytes.len() > limit {
                return Err(AppError::PayloadTooLarge { limit }.into());
            }
            found = Some(FileBody {
                bytes: bytes.to_vec(),
                file_name,
            });
        }
        found.ok_or_else(|| AppError::invalid("file", reason::REQUIRED, "the body has no part named `file`").into())
    }
}

body_extractor!(FileBody, "multipart/form-data");
