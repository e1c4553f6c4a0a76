-- Hardening after outside testing: where a company belongs, and the fingerprints of the
-- server keys this database was set up with.
-- The same SQL runs on both backends; keep the other backend's copy identical.

-- The county where a company is registered (its home). Companies registered before this column
-- existed have none: they belong only to the counties of their contracts until an
-- administrator names one.
ALTER TABLE companies ADD COLUMN county_id TEXT REFERENCES organisations(id);
CREATE INDEX companies_county ON companies(county_id);

-- One row per server key (token signing, ID-number hashing): a keyed fingerprint that tells
-- whether a process holds the same key as the one that wrote the data, without revealing it.
CREATE TABLE instance_keys (
    name TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
