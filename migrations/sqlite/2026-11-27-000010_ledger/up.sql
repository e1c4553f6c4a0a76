-- The problem ledger (issue 14): items reported by owners, officials, committees and companies,
-- dispatched by the community, taken by an assignee, confirmed by the reporter; every step kept.
-- The same SQL runs on both backends; keep the other backend's copy identical.

-- A county's service levels per category and its confirmation window (JSON, as county_rules).
CREATE TABLE ledger_settings (
    county_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations(id),
    settings TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A community's named team of owners who take ledger items (志愿服务队).
CREATE TABLE volunteer_teams (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (community_id, name)
);
CREATE TABLE volunteer_team_members (
    team_id TEXT NOT NULL REFERENCES volunteer_teams(id),
    owner_id TEXT NOT NULL REFERENCES owners(id),
    PRIMARY KEY (team_id, owner_id)
);
CREATE INDEX volunteer_team_members_owner ON volunteer_team_members(owner_id, team_id);

CREATE TABLE ledger_items (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    building_id TEXT REFERENCES buildings(id),
    unit_id TEXT REFERENCES units(id),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Who reported it: the account or API key, the role it reported under, and for a company's
    -- report the company (any of its keys and people follow it up).
    reporter_type TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
    reporter_role TEXT NOT NULL,
    reporter_company_id TEXT,
    reporter_name TEXT NOT NULL,
    show_reporter BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    assignee_kind TEXT,
    assignee_id TEXT,
    dispatched_at TIMESTAMP,
    -- The first instants at which the item is overdue (accept, done); overdue itself is computed.
    accept_due TIMESTAMP,
    done_due TIMESTAMP,
    accepted_at TIMESTAMP,
    resolved_at TIMESTAMP,
    -- From this instant a resolved item counts as confirmed by default.
    confirm_by TIMESTAMP,
    confirmed_at TIMESTAMP,
    rating INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Lists page newest first (ids are time-ordered) within an estate, a status, an assignee, a reporter.
CREATE INDEX ledger_items_estate ON ledger_items(estate_id, id);
CREATE INDEX ledger_items_estate_status ON ledger_items(estate_id, status, id);
CREATE INDEX ledger_items_assignee ON ledger_items(assignee_id, id);
CREATE INDEX ledger_items_reporter ON ledger_items(reporter_id, id);
CREATE INDEX ledger_items_reporter_company ON ledger_items(reporter_company_id, id);

-- Every step of an item: who, when, what they said.
CREATE TABLE ledger_steps (
    id TEXT PRIMARY KEY NOT NULL,
    item_id TEXT NOT NULL REFERENCES ledger_items(id),
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    assignee_kind TEXT,
    assignee_id TEXT,
    note TEXT,
    rating INTEGER,
    attachments TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_steps_item ON ledger_steps(item_id, id);
