-- One attachment store for the service (issue 14): photos, evidence, signed minutes. A file is
-- kept once per content: its id is the SHA-256 of its bytes. The bytes live in the database so
-- that every replica sees them and a backup holds them. The byte column's type is the one
-- difference between the backends (BLOB on SQLite, BYTEA on PostgreSQL).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- Who uploaded a file: until a record uses it, only its uploaders may read it.
CREATE TABLE attachment_uploads (
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    uploader_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (attachment_id, uploader_id)
);
-- Which records use a file: whoever may see one of them may read it.
CREATE TABLE attachment_refs (
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (attachment_id, record_type, record_id)
);
CREATE INDEX attachment_refs_record ON attachment_refs(record_type, record_id);
