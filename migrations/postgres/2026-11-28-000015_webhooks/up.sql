-- Webhooks (issue 17). An integrator's endpoint belongs to a company or a county and names the
-- event types it wants. Its signing secret is never stored: it is derived from the server key,
-- the endpoint's id and the secret's generation, so a copy of the database signs nothing. A
-- rotation keeps the previous generation valid until previous_valid_until.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    secret_generation INTEGER NOT NULL,
    previous_valid_until TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints(owner_kind, owner_id, id);
-- The outbox: written in the transaction of the change it tells of, so that a change is never
-- committed without its event nor an event without its change. An event becomes deliverable at
-- available_at (a vote's close, an action item's due day); until it is fanned out to the
-- endpoints subscribed at that time, a later command may move or cancel it.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    county_id TEXT,
    company_id TEXT,
    subject_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    fanned_out BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX webhook_events_waiting ON webhook_events(fanned_out, available_at);
CREATE INDEX webhook_events_subject ON webhook_events(subject_id, event_type);
-- One event to one endpoint. A replica claims a delivery by setting a lease; only the holder of
-- an unexpired lease sends it, so replicas never send one delivery at the same time.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES webhook_events(id),
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
