//! The attachment store's operations: upload a file (an image or a PDF, sniffed from its bytes),
//! and read it back — its uploader, and whoever may see a record that uses it.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::db;
use crate::domain::{attachment, ids};
use crate::error::{codes, AppError};
use crate::http::body::FileBody;
use crate::http::ledger::may_see_item;
use crate::http::problem::ApiResult;
use crate::http::security::{AnyAuth, Caller};
use crate::AppState;

pub struct AttachmentsApi;

/// A stored file.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Attachment {
    /// The SHA-256 of the file's bytes (lowercase hex): the same file has the same id.
    pub id: String,
    /// The type found in the file's bytes.
    pub content_type: String,
    pub size: i64,
    /// The name it was uploaded under.
    pub file_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(ApiResponse)]
pub enum Uploaded {
    /// Stored (a new file).
    #[oai(status = 201)]
    Created(Json<Attachment>),
    /// Already stored: the same bytes have the same id.
    #[oai(status = 200)]
    Existing(Json<Attachment>),
}

#[derive(ApiResponse)]
pub enum AttachmentFile {
    /// The file's bytes, with its type and name.
    #[oai(status = 200)]
    File(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

/// The record kinds that use attachments.
pub const LEDGER_ITEM: &str = "ledger_item";
pub const ACTION_ITEM: &str = "action_item";

#[OpenApi(tag = "ApiTags::Attachments")]
impl AttachmentsApi {
    /// Upload a file for a record: a JPEG, PNG, GIF or WebP image, or a PDF (anything else is
    /// refused with 415), up to the configured size (10 MiB unless configured). The id is the
    /// SHA-256 of the bytes, so the same file is stored once. Until a record uses it, only its
    /// uploaders can read it.
    ///
    /// Every signed-in person and every company key.
    #[oai(path = "/attachments", method = "post", operation_id = "uploadAttachment")]
    async fn upload(&self, state: Data<&AppState>, auth: AnyAuth, body: FileBody) -> ApiResult<Uploaded> {
        let caller = auth.caller().clone();
        let content_type = attachment::sniff(&body.bytes).ok_or_else(|| AppError::UnsupportedMediaType {
            detail: codes::UNSUPPORTED_ATTACHMENT.meaning.to_string(),
        })?;
        let id = attachment::content_id(&body.bytes);
        let name = attachment::file_name(body.file_name.as_deref(), &id, content_type);
        let actor = caller.actor_as("uploader");
        let (meta, new, file_name) = state
            .db
            .command(move |c, trail| {
                let (meta, new) =
                    db::attachments::store(c, &id, content_type, &body.bytes, &actor.actor_id, &name, ids::now())?;
                // The name this uploader gave (the first time, if it uploaded the file before).
                let file_name = db::attachments::file_name(c, &id, Some(&actor.actor_id))?.unwrap_or(name);
                trail.record(
                    &actor,
                    "attachment.upload",
                    "attachment",
                    &id,
                    &serde_json::json!({ "content_type": content_type, "size": meta.size, "new": new }),
                )?;
                Ok((meta, new, file_name))
            })
            .await?;
        let out = Attachment {
            id: meta.id,
            content_type: meta.content_type,
            size: meta.size,
            file_name,
            created_at: meta.created_at.and_utc(),
        };
        Ok(if new {
            Uploaded::Created(Json(out))
        } else {
            Uploaded::Existing(Json(out))
        })
    }

    /// Read a file: its uploaders, and whoever may see a record that uses it (a ledger item's
    /// officials, reporter and assignee). Anyone else gets 404.
    #[oai(path = "/attachments/:id", method = "get", operation_id = "getAttachment")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The file's id (its SHA-256).
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<AttachmentFile> {
        let caller = auth.caller().clone();
        let not_found = || AppError::NotFound { what: "attachment" };
        if !attachment::is_content_id(&id.0) {
            return Err(not_found().into());
        }
        let (meta, bytes, name) = state
            .db
            .read(move |c| {
                let meta = db::attachments::meta(c, &id.0)?.ok_or_else(not_found)?;
                if !may_read(c, &caller, &meta.id)? {
                    return Err(not_found());
                }
                let bytes = db::attachments::bytes(c, &meta.id)?.ok_or_else(not_found)?;
                let name = db::attachments::file_name(c, &meta.id, None)?.unwrap_or_else(|| meta.id.clone());
                Ok((meta, bytes, name))
            })
            .await?;
        Ok(AttachmentFile::File(
            Binary(bytes),
            meta.content_type,
            content_disposition(&name),
            "private, max-age=3600".into(),
        ))
    }
}

/// Files a record is to use, each named once: all uploaded by the caller, or `field` is refused
/// (422, `not_found`) naming the first that was not.
pub(crate) fn uploaded_by_caller(
    conn: &mut db::AnyConnection,
    caller: &Caller,
    field: &str,
    files: &[String],
) -> crate::error::AppResult<Vec<String>> {
    let mut files: Vec<String> = files.to_vec();
    files.sort();
    files.dedup();
    let mine = db::attachments::uploaded_by(conn, &files, caller.principal.actor_id())?;
    if let Some(missing) = files.iter().find(|f| !mine.contains(f)) {
        return Err(AppError::invalid(
            field,
            crate::error::reason::NOT_FOUND,
            format!("no attachment {missing} uploaded by the caller"),
        ));
    }
    Ok(files)
}

/// Whether the caller may read a file: it uploaded it, or may see a record that uses it.
fn may_read(conn: &mut db::AnyConnection, caller: &Caller, id: &str) -> crate::error::AppResult<bool> {
    let me = caller.principal.actor_id();
    if !db::attachments::uploaded_by(conn, &[id.to_string()], me)?.is_empty() {
        return Ok(true);
    }
    for (kind, record) in db::attachments::references(conn, id)? {
        let seen = match kind.as_str() {
            LEDGER_ITEM => may_see_item(conn, caller, &record)?,
            ACTION_ITEM => crate::http::meetings::may_see_action(conn, caller, &record)?,
            crate::http::money::MONEY_ENTRY | crate::http::money::FUND_USE => {
                crate::http::money::may_see_record(conn, caller, &kind, &record)?
            }
            crate::http::notices::PAPER_NOTICE => crate::http::notices::may_see_paper(conn, caller, &record)?,
            crate::http::volunteers::STATION => crate::http::volunteers::may_see_station(conn, caller, &record)?,
            crate::http::ratings::RATING_INPUT
            | crate::http::ratings::RATING_MARK
            | crate::http::ratings::RATING_APPEAL => {
                crate::http::ratings::may_see_record(conn, caller, &kind, &record)?
            }
            _ => false,
        };
        if seen {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `inline` with the name in RFC 5987 form (UTF-8, percent-encoded) and an ASCII fallback.
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
