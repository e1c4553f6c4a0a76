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
CREATE OR REPLACE FUNCTION audit_events_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_events is append-only';
    END IF;
    IF OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.chain_pos IS NULL OR NEW.prev_hash IS NULL
       OR (NEW.seq, NEW.id, NEW.occurred_at, NEW.actor_type, NEW.actor_id, NEW.actor_role,
           NEW.action, NEW.target_type, NEW.target_id, NEW.request_id, NEW.change_digest,
           NEW.client_request_id)
          IS DISTINCT FROM
          (OLD.seq, OLD.id, OLD.occurred_at, OLD.actor_type, OLD.actor_id, OLD.actor_role,
           OLD.action, OLD.target_type, OLD.target_id, OLD.request_id, OLD.change_digest,
           OLD.client_request_id)
    THEN
        RAISE EXCEPTION 'audit_events rows are immutable once sealed';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
