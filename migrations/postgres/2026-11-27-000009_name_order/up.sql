-- Owners by name (a prefix search walks this index). Dialect: the database's collation may be
-- linguistic, where a prefix is not a range; COLLATE "C" orders by code point, as SQLite does.
CREATE INDEX owners_name ON owners((name COLLATE "C"), id);
