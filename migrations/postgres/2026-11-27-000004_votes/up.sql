-- Owners' votes (表决): the vote, its frozen roll, ballots (current and history), election
-- selections, and major-matter proposals. Same SQL on both backends.

CREATE TABLE proposals (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    category INTEGER NOT NULL,
    status TEXT NOT NULL,
    mobilised_by TEXT NOT NULL,
    mobilised_at TIMESTAMP NOT NULL,
    branch_endorsed_by TEXT,
    branch_endorsed_at TIMESTAMP,
    committee_endorsed_by TEXT,
    committee_endorsed_at TIMESTAMP,
    company_endorsed_by TEXT,
    company_endorsed_at TIMESTAMP,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    review_reasons TEXT
);
CREATE INDEX proposals_estate ON proposals(estate_id);

CREATE TABLE votes (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    category INTEGER NOT NULL,
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    seats INTEGER,
    election_id TEXT REFERENCES elections(id),
    proposal_id TEXT REFERENCES proposals(id),
    convenor TEXT NOT NULL,
    include_parking BOOLEAN NOT NULL,
    notice_posted_on DATE NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    extension_reason TEXT,
    opened_at TIMESTAMP,
    roll_fingerprint TEXT,
    total_area BIGINT,
    total_heads BIGINT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX votes_estate ON votes(estate_id);

CREATE TABLE vote_options (
    vote_id TEXT NOT NULL REFERENCES votes(id),
    option_id TEXT NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (vote_id, option_id)
);

-- The roll, frozen when the vote opens: one row per voter (a buyer, a set of co-owners, or the
-- developer), with its area and the owner who casts its ballot.
CREATE TABLE roll_entries (
    vote_id TEXT NOT NULL REFERENCES votes(id),
    voter_id TEXT NOT NULL,
    voter_key TEXT NOT NULL,
    area_centi BIGINT NOT NULL,
    unit_count INTEGER NOT NULL,
    designated_owner_id TEXT,
    PRIMARY KEY (vote_id, voter_id)
);
CREATE INDEX roll_entries_designated ON roll_entries(vote_id, designated_owner_id);

-- The ballot that counts, one per voter: the primary key makes a second concurrent ballot of
-- the same voter replace, never duplicate, the first.
CREATE TABLE current_ballots (
    vote_id TEXT NOT NULL REFERENCES votes(id),
    voter_id TEXT NOT NULL,
    ballot_id TEXT NOT NULL,
    choice TEXT NOT NULL,
    channel TEXT NOT NULL,
    receipt TEXT NOT NULL,
    cast_at TIMESTAMP NOT NULL,
    PRIMARY KEY (vote_id, voter_id)
);

-- Every ballot ever cast (changes included), append-only.
CREATE TABLE ballot_history (
    id TEXT PRIMARY KEY NOT NULL,
    vote_id TEXT NOT NULL REFERENCES votes(id),
    voter_id TEXT NOT NULL,
    choice TEXT NOT NULL,
    selections TEXT NOT NULL,
    channel TEXT NOT NULL,
    paper_ref TEXT,
    cast_by TEXT NOT NULL,
    receipt TEXT NOT NULL,
    cast_at TIMESTAMP NOT NULL
);
CREATE INDEX ballot_history_voter ON ballot_history(vote_id, voter_id);

-- Current selections of election ballots (choose up to N candidates).
CREATE TABLE ballot_selections (
    vote_id TEXT NOT NULL REFERENCES votes(id),
    voter_id TEXT NOT NULL,
    option_id TEXT NOT NULL,
    PRIMARY KEY (vote_id, voter_id, option_id)
);
