-- The ledger's running tallies (issue 14): per county, day (China Standard Time), category,
-- assignee kind and measure, how many items made that mark (`domain::ledger::marks`). Kept in the
-- transaction that changes an item (the marks of its new state less those of its old), so that
-- a county's figures for a year add up a few thousand rows instead of every item. Filled from
-- the existing items when this migration is applied (`db::ledger::rebuild_tallies`).
-- The same SQL runs on both backends; keep the other backend's copy identical.
CREATE TABLE ledger_tallies (
    county_id TEXT NOT NULL,
    day DATE NOT NULL,
    category TEXT NOT NULL,
    -- '' when the mark has no assignee (a report, a duration).
    assignee_kind TEXT NOT NULL,
    -- received, dispatched, resolved, accept_hours, resolve_hours.
    measure TEXT NOT NULL,
    -- The whole hours of a duration measure; 0 for the others.
    hours BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (county_id, day, category, assignee_kind, measure, hours)
);

-- The items overdue now, counted from the index alone: open items by status with their due times.
CREATE INDEX ledger_items_open ON ledger_items(estate_id, status, accept_due, done_due);
