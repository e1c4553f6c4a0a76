-- An estate's owners by name (a prefix search walks this index). Dialect: SQLite compares text
-- by code point (BINARY), which is the order PostgreSQL gives with COLLATE "C"; the queries use
-- the same.
CREATE INDEX ownerships_estate_name ON ownerships(estate_id, owner_name, owner_id) WHERE ended_at IS NULL;
