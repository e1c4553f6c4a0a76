-- Owners by name (a prefix search walks this index). Dialect: SQLite compares text by code
-- point (BINARY), which is the order PostgreSQL gives with COLLATE "C"; the queries use the same.
CREATE INDEX owners_name ON owners(name, id);
