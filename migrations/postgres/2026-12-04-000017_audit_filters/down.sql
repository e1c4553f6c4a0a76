DROP INDEX audit_events_actor_action;
DROP INDEX audit_events_target_type;
DROP INDEX audit_events_target_action;
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events(target_type, target_id, seq);
