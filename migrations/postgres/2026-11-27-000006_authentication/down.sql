CREATE OR REPLACE FUNCTION audit_events_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_events is append-only';
    END IF;
    IF OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.chain_pos IS NULL OR NEW.prev_hash IS NULL
       OR (NEW.seq, NEW.id, NEW.occurred_at, NEW.actor_type, NEW.actor_id, NEW.actor_role,
           NEW.action, NEW.target_type, NEW.target_id, NEW.request_id, NEW.change_digest)
          IS DISTINCT FROM
          (OLD.seq, OLD.id, OLD.occurred_at, OLD.actor_type, OLD.actor_id, OLD.actor_role,
           OLD.action, OLD.target_type, OLD.target_id, OLD.request_id, OLD.change_digest)
    THEN
        RAISE EXCEPTION 'audit_events rows are immutable once sealed';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
ALTER TABLE audit_events DROP COLUMN client_request_id;
ALTER TABLE activation_codes DROP COLUMN revoked_at;
ALTER TABLE sessions DROP COLUMN rotated_at;
ALTER TABLE sessions RENAME COLUMN refresh_nonce TO refresh_hash;
