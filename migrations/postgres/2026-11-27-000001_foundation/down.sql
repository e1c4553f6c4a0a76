DROP FUNCTION IF EXISTS audit_events_guard() CASCADE;
DROP TABLE audit_events;
DROP TABLE login_throttle;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
