-- Notice to owners and officials (issue 30, RULES.md §10). A command raises a notice in its own
-- transaction (`notices`, an outbox); the notice worker fans it out in chunks to the inbox (one
-- row per addressee: an owner, or an office) and to deliveries (a text message to an owner, a
-- post to an office's work-group robot), which it then sends under a lease. Phone numbers are
-- never copied here: a text's number is read from the owner's record when it is sent.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    county_id TEXT NOT NULL,
    estate_id TEXT,
    subject_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    closes_at TIMESTAMP,
    audience TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    fan_cursor TEXT,
    fanned_out BOOLEAN NOT NULL,
    recipients INTEGER NOT NULL
);
CREATE INDEX notices_due ON notices (fanned_out, available_at);
CREATE INDEX notices_subject ON notices (subject_id, kind);
CREATE INDEX notices_estate ON notices (estate_id, kind, id);

CREATE TABLE notice_inbox (
    id TEXT PRIMARY KEY NOT NULL,
    notice_id TEXT NOT NULL REFERENCES notices(id),
    addressee TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notice_inbox_once ON notice_inbox (notice_id, addressee);
CREATE INDEX notice_inbox_mine ON notice_inbox (addressee, id);

CREATE TABLE notice_reads (
    inbox_id TEXT NOT NULL REFERENCES notice_inbox(id),
    reader_id TEXT NOT NULL,
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (inbox_id, reader_id)
);

CREATE TABLE notice_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    notice_id TEXT NOT NULL REFERENCES notices(id),
    county_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    addressee TEXT NOT NULL,
    once_key TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL,
    available_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    provider TEXT,
    provider_request_id TEXT,
    provider_message_id TEXT,
    provider_code TEXT,
    sent_at TIMESTAMP,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notice_texts_once ON notice_deliveries (once_key);
CREATE INDEX notice_deliveries_due ON notice_deliveries (status, available_at);
CREATE INDEX notice_deliveries_notice ON notice_deliveries (notice_id, addressee);
CREATE INDEX notice_deliveries_totals ON notice_deliveries (notice_id, channel, status, reason);
CREATE INDEX notice_deliveries_county ON notice_deliveries (county_id, status, id);

CREATE TABLE notice_text_counts (
    county_id TEXT NOT NULL,
    day DATE NOT NULL,
    sent INTEGER NOT NULL,
    PRIMARY KEY (county_id, day)
);

CREATE TABLE notice_settings (
    county_id TEXT PRIMARY KEY NOT NULL,
    daily_text_cap INTEGER,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE notice_opt_outs (
    owner_id TEXT PRIMARY KEY NOT NULL,
    opted_out_at TIMESTAMP NOT NULL
);

CREATE TABLE work_groups (
    addressee TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE paper_notices (
    id TEXT PRIMARY KEY NOT NULL,
    notice_id TEXT NOT NULL REFERENCES notices(id),
    place TEXT NOT NULL,
    photos TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX paper_notices_notice ON paper_notices (notice_id, recorded_at);
