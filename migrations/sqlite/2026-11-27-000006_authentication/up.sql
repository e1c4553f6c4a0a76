-- Authentication under attack (issue 10): refresh tokens derived from a per-session nonce (so a
-- forged token is never mistaken for a copied one), a grace window for concurrent refreshes,
-- revocable activation codes, and the client's request id kept apart from the server's.

-- The column held the hash of the current refresh secret; from now on it holds the session's
-- nonce, from which every generation's secret is derived (sessions from before must log in again).
ALTER TABLE sessions RENAME COLUMN refresh_hash TO refresh_nonce;
ALTER TABLE sessions ADD COLUMN rotated_at TIMESTAMP;

ALTER TABLE activation_codes ADD COLUMN revoked_at TIMESTAMP;

-- The request id a client sent (X-Request-Id), verbatim; `request_id` is always the server's.
ALTER TABLE audit_events ADD COLUMN client_request_id TEXT;
DROP TRIGGER audit_events_seal_once;
CREATE TRIGGER audit_events_seal_once BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.chain_pos IS NULL OR NEW.prev_hash IS NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at
  OR NEW.actor_type IS NOT OLD.actor_type OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor_role IS NOT OLD.actor_role OR NEW.action IS NOT OLD.action
  OR NEW.target_type IS NOT OLD.target_type OR NEW.target_id IS NOT OLD.target_id
  OR NEW.request_id IS NOT OLD.request_id OR NEW.change_digest IS NOT OLD.change_digest
  OR NEW.client_request_id IS NOT OLD.client_request_id
BEGIN
    SELECT RAISE(ABORT, 'audit_events rows are immutable once sealed');
END;
