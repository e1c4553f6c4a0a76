DROP TABLE audit_events;
DROP TABLE login_throttle;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
