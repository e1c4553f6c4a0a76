-- Committees (业委会/物管会) and candidate vetting (负面清单, 联审). Same SQL on both backends.

-- Department organisations (police station, discipline inspection, ...) carry a code that the
-- county's rules name as required reviewers.
ALTER TABLE organisations ADD COLUMN department_code TEXT;
-- From the national ID number at registration, for the adult test; the number itself is not kept.
ALTER TABLE owners ADD COLUMN birth_date DATE;

-- A county's committee and vetting rules (JSON of domain::committee::CommitteeRules).
CREATE TABLE county_rules (
    county_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations(id),
    rules TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE committees (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    term_years INTEGER NOT NULL,
    seats INTEGER NOT NULL,
    formed_on DATE,
    term_ends_on DATE,
    filed_bureau_on DATE,
    filed_street_on DATE,
    first_meeting_on DATE,
    handover_due_on DATE,
    handed_over_on DATE,
    ended_on DATE,
    end_reason TEXT,
    by_election_required BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX committees_estate ON committees(estate_id);

CREATE TABLE committee_members (
    id TEXT PRIMARY KEY NOT NULL,
    committee_id TEXT NOT NULL REFERENCES committees(id),
    owner_id TEXT REFERENCES owners(id),
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    role TEXT NOT NULL,
    alternate_rank INTEGER,
    votes BIGINT,
    party_member BOOLEAN NOT NULL,
    two_committees BOOLEAN NOT NULL,
    grid_secretary BOOLEAN NOT NULL,
    started_on DATE NOT NULL,
    ended_on DATE,
    end_reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX committee_members_committee ON committee_members(committee_id);

CREATE TABLE negative_items (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL REFERENCES organisations(id),
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    evidence_department TEXT NOT NULL,
    duration_months INTEGER,
    enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (county_id, code)
);

CREATE TABLE negative_records (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL REFERENCES organisations(id),
    owner_id TEXT NOT NULL REFERENCES owners(id),
    item_code TEXT NOT NULL,
    evidence_ref TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES organisations(id),
    recorded_by TEXT NOT NULL,
    effective_from DATE NOT NULL,
    expires_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX negative_records_owner ON negative_records(owner_id);

CREATE TABLE elections (
    id TEXT PRIMARY KEY NOT NULL,
    committee_id TEXT NOT NULL REFERENCES committees(id),
    seats INTEGER NOT NULL,
    status TEXT NOT NULL,
    published_on DATE,
    publicity_ends_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX elections_committee ON elections(committee_id);

CREATE TABLE candidates (
    id TEXT PRIMARY KEY NOT NULL,
    election_id TEXT NOT NULL REFERENCES elections(id),
    owner_id TEXT NOT NULL REFERENCES owners(id),
    nominated_by TEXT NOT NULL,
    nominator_id TEXT NOT NULL,
    party_member BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    -- Codes of negative-list items found in force when screened (comma-separated), and why the
    -- candidate is not qualified, as decided (kept even if the catalogue changes later).
    screening TEXT,
    reasons TEXT,
    screened_on DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (election_id, owner_id)
);

CREATE TABLE candidate_reviews (
    id TEXT PRIMARY KEY NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id),
    department_code TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    reviewer_id TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    UNIQUE (candidate_id, department_code)
);

CREATE TABLE objections (
    id TEXT PRIMARY KEY NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id),
    filed_by TEXT NOT NULL REFERENCES owners(id),
    statement TEXT NOT NULL,
    filed_on DATE NOT NULL,
    answer_due_on DATE NOT NULL,
    answer TEXT,
    upheld BOOLEAN,
    answered_by TEXT,
    answered_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX objections_candidate ON objections(candidate_id);
