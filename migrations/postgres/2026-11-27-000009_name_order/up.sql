-- An estate's owners by name (a prefix search walks this index). Dialect: the database's
-- collation may be linguistic, where a prefix is not a range; COLLATE "C" orders by code point,
-- as SQLite does.
CREATE INDEX ownerships_estate_name ON ownerships(estate_id, (owner_name COLLATE "C"), owner_id) WHERE ended_at IS NULL;
