-- Party members and volunteers at home (issue 31, RULES.md §11): report-ins (双报到) of members
-- and of organisations, placement down the chain and the households linked to a member (never
-- published), service hours and points recorded on a confirmation, service stations with the
-- county's standard and evidence per item, activities with a cap and a waiting list, and
-- selections with a shortlist published for objections.
CREATE TABLE service_settings (
    county_id TEXT PRIMARY KEY NOT NULL,
    settings TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE org_reports (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    community_path TEXT NOT NULL,
    org_id TEXT NOT NULL,
    org_name TEXT NOT NULL,
    members INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at TIMESTAMP NOT NULL
);
CREATE INDEX org_reports_community ON org_reports (community_id, id);

CREATE TABLE member_reports (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    community_path TEXT NOT NULL,
    owner_id TEXT,
    org_report_id TEXT,
    name TEXT NOT NULL,
    own_org_id TEXT,
    own_org_name TEXT NOT NULL,
    skills TEXT NOT NULL,
    availability TEXT NOT NULL,
    status TEXT NOT NULL,
    placement_org_id TEXT,
    estate_id TEXT,
    post TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decline_reason TEXT,
    reported_by TEXT NOT NULL,
    reported_at TIMESTAMP NOT NULL
);
CREATE INDEX member_reports_community ON member_reports (community_id, id);
CREATE INDEX member_reports_path ON member_reports (community_path, status);
CREATE INDEX member_reports_own_org ON member_reports (own_org_id, id);
CREATE INDEX member_reports_owner ON member_reports (owner_id);
CREATE INDEX member_reports_placement ON member_reports (placement_org_id);

CREATE TABLE member_households (
    member_id TEXT NOT NULL REFERENCES member_reports(id),
    unit_id TEXT NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, unit_id)
);

CREATE TABLE service_records (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    community_path TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    points BIGINT NOT NULL,
    served_on DATE NOT NULL,
    confirmed_as TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    confirmed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX service_records_once ON service_records (kind, source_id, subject);
CREATE INDEX service_records_subject ON service_records (subject, served_on, id);
CREATE INDEX service_records_path ON service_records (community_path, served_on);

CREATE TABLE stations (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    community_path TEXT NOT NULL,
    estate_id TEXT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX stations_code ON stations (county_id, code);
CREATE INDEX stations_community ON stations (community_path, id);

CREATE TABLE station_evidence (
    station_id TEXT NOT NULL REFERENCES stations(id),
    item_code TEXT NOT NULL,
    note TEXT NOT NULL,
    attachments TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (station_id, item_code)
);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    community_path TEXT NOT NULL,
    station_id TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    cap INTEGER NOT NULL,
    admitted INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    checked_in INTEGER NOT NULL,
    next_seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    announced_at TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP,
    served_at TIMESTAMP
);
CREATE INDEX activities_community ON activities (community_id, starts_at, id);
CREATE INDEX activities_path ON activities (community_path, starts_at);
CREATE INDEX activities_station ON activities (station_id);

CREATE TABLE activity_signups (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id),
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL,
    seq INTEGER NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    admitted_at TIMESTAMP,
    checked_in_at TIMESTAMP,
    cancelled_at TIMESTAMP
);
CREATE UNIQUE INDEX activity_signups_once ON activity_signups (activity_id, owner_id);
CREATE INDEX activity_signups_queue ON activity_signups (activity_id, status, seq);
CREATE INDEX activity_signups_owner ON activity_signups (owner_id, id);

CREATE TABLE selections (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    year INTEGER NOT NULL,
    publicity_days INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    shortlisted_at TIMESTAMP,
    decided_at TIMESTAMP,
    decision TEXT
);
CREATE INDEX selections_org ON selections (org_path, id);
CREATE INDEX selections_county ON selections (county_id, status, id);

CREATE TABLE selection_nominations (
    id TEXT PRIMARY KEY NOT NULL,
    selection_id TEXT NOT NULL REFERENCES selections(id),
    nominee_name TEXT NOT NULL,
    company_id TEXT,
    estate_id TEXT,
    reason TEXT NOT NULL,
    nominator_kind TEXT NOT NULL,
    nominator_id TEXT NOT NULL,
    nominated_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    shortlisted BOOLEAN NOT NULL,
    disqualified BOOLEAN NOT NULL,
    winner BOOLEAN NOT NULL
);
CREATE INDEX selection_nominations_selection ON selection_nominations (selection_id, id);
CREATE INDEX selection_nominations_company ON selection_nominations (company_id, winner);

CREATE TABLE selection_objections (
    id TEXT PRIMARY KEY NOT NULL,
    selection_id TEXT NOT NULL REFERENCES selections(id),
    nomination_id TEXT NOT NULL REFERENCES selection_nominations(id),
    owner_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    text TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    answer_due DATE NOT NULL,
    upheld BOOLEAN,
    answer TEXT,
    answered_by TEXT,
    answered_at TIMESTAMP
);
CREATE INDEX selection_objections_selection ON selection_objections (selection_id, id);

ALTER TABLE ledger_items ADD COLUMN service_minutes INTEGER;
