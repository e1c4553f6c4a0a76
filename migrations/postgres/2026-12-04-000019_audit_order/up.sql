-- PostgreSQL chooses its plan from statistics, and for a filtered page of the audit log, newest
-- first, it often walked the primary key backwards and tested the filter row by row: cheap when
-- the filter's rows are recent, a walk through the whole log when they are old (a closed vote's
-- ballots under a year of newer events). A filtered page therefore orders by `seq + 0`, which
-- only these indexes give in order, each after its filter's columns (`db::audit::page`); the
-- primary key serves the unfiltered log. SQLite, which plans these from the indexes alone, keeps
-- the plain ones (its migration of this name changes nothing).
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events(target_id, (seq + 0));
DROP INDEX audit_events_target_action;
CREATE INDEX audit_events_target_action ON audit_events(target_id, action, (seq + 0));
DROP INDEX audit_events_target_type;
CREATE INDEX audit_events_target_type ON audit_events(target_type, (seq + 0));
DROP INDEX audit_events_actor;
CREATE INDEX audit_events_actor ON audit_events(actor_id, (seq + 0));
DROP INDEX audit_events_actor_action;
CREATE INDEX audit_events_actor_action ON audit_events(actor_id, action, (seq + 0));
DROP INDEX audit_events_action;
CREATE INDEX audit_events_action ON audit_events(action, (seq + 0));
