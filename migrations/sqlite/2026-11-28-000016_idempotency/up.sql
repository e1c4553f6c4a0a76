-- Idempotency keys (issue 17): a POST sent again with the same Idempotency-Key by the same caller
-- gets the first answer back instead of doing the work twice. Kept 24 hours. While the first
-- request runs, status is NULL and locked_until says until when it is presumed alive (a
-- process killed mid-request leaves a key that the next attempt may take over after that).
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    headers TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
