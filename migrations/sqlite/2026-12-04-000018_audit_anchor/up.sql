-- The audit chain's head, anchored (issue 27): the position and hash of the newest sealed event,
-- with a MAC under a key derived from the installation's secret, rewritten by every sealing in
-- its transaction. It lives outside audit_events, so cutting the newest sealed events off the
-- log (a truncated backup, rows deleted past the triggers) leaves an anchor that names a head
-- the chain no longer reaches; without the secret nobody can write a matching one.
--
-- The row starts unauthenticated (mac '', no time): the first start after this migration adopts
-- the head as it is then, because a migration cannot hold the secret. A missing row is a break.
CREATE TABLE audit_anchor (
    id TEXT PRIMARY KEY NOT NULL,
    chain_pos BIGINT NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL,
    anchored_at TIMESTAMP NOT NULL
);
INSERT INTO audit_anchor (id, chain_pos, hash, mac, anchored_at) VALUES ('head', 0, '', '', '1970-01-01 00:00:00');
