DROP TRIGGER audit_events_seal_once;
CREATE TRIGGER audit_events_seal_once BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.chain_pos IS NULL OR NEW.prev_hash IS NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at
  OR NEW.actor_type IS NOT OLD.actor_type OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor_role IS NOT OLD.actor_role OR NEW.action IS NOT OLD.action
  OR NEW.target_type IS NOT OLD.target_type OR NEW.target_id IS NOT OLD.target_id
  OR NEW.request_id IS NOT OLD.request_id OR NEW.change_digest IS NOT OLD.change_digest
BEGIN
    SELECT RAISE(ABORT, 'audit_events rows are immutable once sealed');
END;
ALTER TABLE audit_events DROP COLUMN client_request_id;
ALTER TABLE activation_codes DROP COLUMN revoked_at;
ALTER TABLE sessions DROP COLUMN rotated_at;
ALTER TABLE sessions RENAME COLUMN refresh_nonce TO refresh_hash;
