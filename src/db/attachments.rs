//! The attachment store: files kept once per content (the id is their SHA-256), who uploaded
//! them, and which records use them (reading follows the record).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attachment_refs, attachment_uploads, attachments};
use super::AnyConnection;
use crate::error::AppResult;

/// What is known of a file without its bytes.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentMeta {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = attachments)]
struct NewAttachment<'a> {
    id: &'a str,
    content_type: &'a str,
    size: i64,
    bytes: &'a [u8],
    created_at: NaiveDateTime,
}

/// Stores a file unless its content is already stored, and records the upload (once per
/// uploader; a second upload of the same file by the same uploader keeps the first name).
/// Returns the file's metadata and whether its bytes were new.
pub fn store(
    conn: &mut AnyConnection,
    id: &str,
    content_type: &str,
    bytes: &[u8],
    uploader_id: &str,
    file_name: &str,
    now: NaiveDateTime,
) -> AppResult<(AttachmentMeta, bool)> {
    // Concurrent uploads of one new file, or of one file by one uploader: the first row stays.
    let new = super::each_backend!(conn, c => diesel::insert_into(attachments::table)
        .values(NewAttachment {
            id,
            content_type,
            size: bytes.len() as i64,
            bytes,
            created_at: now,
        })
        .on_conflict_do_nothing()
        .execute(c))?
        > 0;
    super::each_backend!(conn, c => diesel::insert_into(attachment_uploads::table)
        .values((
            attachment_uploads::attachment_id.eq(id),
            attachment_uploads::uploader_id.eq(uploader_id),
            attachment_uploads::file_name.eq(file_name),
            attachment_uploads::uploaded_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    let meta = meta(conn, id)?.ok_or(crate::error::AppError::NotFound { what: "attachment" })?;
    Ok((meta, new))
}

pub fn meta(conn: &mut AnyConnection, id: &str) -> AppResult<Option<AttachmentMeta>> {
    Ok(attachments::table
        .find(id)
        .select(AttachmentMeta::as_select())
        .first(conn)
        .optional()?)
}

pub fn bytes(conn: &mut AnyConnection, id: &str) -> AppResult<Option<Vec<u8>>> {
    Ok(attachments::table
        .find(id)
        .select(attachments::bytes)
        .first(conn)
        .optional()?)
}

/// The name the uploader gave (the first upload's when several people uploaded it).
pub fn file_name(conn: &mut AnyConnection, id: &str, uploader_id: Option<&str>) -> AppResult<Option<String>> {
    let mut q = attachment_uploads::table
        .filter(attachment_uploads::attachment_id.eq(id))
        .select(attachment_uploads::file_name)
        .order(attachment_uploads::uploaded_at.asc())
        .into_boxed();
    if let Some(u) = uploader_id {
        q = q.filter(attachment_uploads::uploader_id.eq(u));
    }
    Ok(q.first(conn).optional()?)
}

/// Which of `ids` `uploader_id` uploaded: a record may use only files its author uploaded (or
/// that already belong to it), so nobody attaches a file they could not read.
pub fn uploaded_by(conn: &mut AnyConnection, ids: &[String], uploader_id: &str) -> AppResult<Vec<String>> {
    Ok(attachment_uploads::table
        .filter(attachment_uploads::attachment_id.eq_any(ids))
        .filter(attachment_uploads::uploader_id.eq(uploader_id))
        .select(attachment_uploads::attachment_id)
        .load(conn)?)
}

/// Records that `record` uses the files `ids` (already there: kept once).
pub fn reference(conn: &mut AnyConnection, ids: &[String], record_type: &str, record_id: &str) -> AppResult<()> {
    for id in ids {
        super::each_backend!(conn, c => diesel::insert_into(attachment_refs::table)
            .values((
                attachment_refs::attachment_id.eq(id),
                attachment_refs::record_type.eq(record_type),
                attachment_refs::record_id.eq(record_id),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// The records that use a file, as (type, id).
pub fn references(conn: &mut AnyConnection, id: &str) -> AppResult<Vec<(String, String)>> {
    Ok(attachment_refs::table
        .filter(attachment_refs::attachment_id.eq(id))
        .select((attachment_refs::record_type, attachment_refs::record_id))
        .load(conn)?)
}
