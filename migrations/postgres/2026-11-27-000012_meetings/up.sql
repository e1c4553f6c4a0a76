-- Joint meetings, their minutes (versions, confirmations) and action items (issue 14).
-- The same SQL runs on both backends; keep the other backend's copy identical.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    convenor_org_id TEXT NOT NULL REFERENCES organisations(id),
    -- The scope: one estate (its community copied), or a whole community.
    estate_id TEXT REFERENCES estates(id),
    community_id TEXT NOT NULL REFERENCES organisations(id),
    community_path TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_estate ON meetings(estate_id, starts_at);
CREATE INDEX meetings_community ON meetings(community_id, starts_at);

-- Who is invited, and whether they came.
CREATE TABLE meeting_parties (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    -- The organisation, committee, company or department; none for a named person.
    party_id TEXT,
    name TEXT NOT NULL,
    attendance TEXT NOT NULL,
    represented_by TEXT
);
CREATE INDEX meeting_parties_meeting ON meeting_parties(meeting_id, id);

-- The agenda, in order; an item may table a ledger item or a major-matter proposal.
CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    ledger_item_id TEXT REFERENCES ledger_items(id),
    proposal_id TEXT REFERENCES proposals(id),
    UNIQUE (meeting_id, seq)
);
CREATE INDEX agenda_items_ledger ON agenda_items(ledger_item_id);

-- A version of a meeting's minutes; a correction is a new version pointing to the one it replaces.
CREATE TABLE minutes (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    version INTEGER NOT NULL,
    previous_id TEXT REFERENCES minutes(id),
    status TEXT NOT NULL,
    -- The text (discussion per agenda item, decisions) as JSON.
    content TEXT NOT NULL,
    -- SHA-256 of the published content.
    fingerprint TEXT,
    -- Raised each time the version returns to draft: answers of earlier rounds no longer count.
    round INTEGER NOT NULL,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (meeting_id, version)
);

-- Each attending party's answer to a version out for confirmation.
CREATE TABLE minutes_answers (
    id TEXT PRIMARY KEY NOT NULL,
    minutes_id TEXT NOT NULL REFERENCES minutes(id),
    party_id TEXT NOT NULL REFERENCES meeting_parties(id),
    correction BOOLEAN NOT NULL,
    comment TEXT,
    -- Answers given before the last return to draft do not count.
    round INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    answered_at TIMESTAMP NOT NULL
);
CREATE INDEX minutes_answers_minutes ON minutes_answers(minutes_id, round);

-- Decisions followed to done (督办事项).
CREATE TABLE action_items (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    minutes_id TEXT NOT NULL REFERENCES minutes(id),
    decision INTEGER NOT NULL,
    title TEXT NOT NULL,
    responsible_party_id TEXT NOT NULL REFERENCES meeting_parties(id),
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    reported_at TIMESTAMP,
    done_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX action_items_meeting ON action_items(meeting_id, id);
CREATE INDEX action_items_party ON action_items(responsible_party_id, id);

CREATE TABLE action_item_ledger (
    action_id TEXT NOT NULL REFERENCES action_items(id),
    ledger_item_id TEXT NOT NULL REFERENCES ledger_items(id),
    PRIMARY KEY (action_id, ledger_item_id)
);
CREATE INDEX action_item_ledger_item ON action_item_ledger(ledger_item_id, action_id);

CREATE TABLE action_steps (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES action_items(id),
    step TEXT NOT NULL,
    note TEXT,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX action_steps_action ON action_steps(action_id, id);
