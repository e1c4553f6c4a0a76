-- Every filter of the audit list reads an index in the order it pages (seq, newest first), so a
-- page costs the same however long the log grows (issue 27): a target id alone, or with its
-- action (a vote's ballots), an actor with an action, a kind of target. A target id names one
-- record, so (target_id, seq) also serves the filter by kind and id together.
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events(target_id, seq);
CREATE INDEX audit_events_target_action ON audit_events(target_id, action, seq);
CREATE INDEX audit_events_target_type ON audit_events(target_type, seq);
CREATE INDEX audit_events_actor_action ON audit_events(actor_id, action, seq);
