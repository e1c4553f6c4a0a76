-- Money the owners are owed an account of (issue 29, RULES.md §9): fee standards, the owners'
-- decision on the company's share of common income, entries of both accounts, published
-- statements with their lines (versioned, never edited), owners' questions on them, uses of the
-- maintenance fund, and each county's settings. Amounts are integer fen.
CREATE TABLE fee_standards (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    effective_from DATE NOT NULL,
    basis TEXT NOT NULL,
    basis_vote_id TEXT,
    basis_proposal_id TEXT,
    basis_document TEXT,
    complaint_phone TEXT NOT NULL,
    note TEXT NOT NULL,
    items TEXT NOT NULL,
    company_id TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX fee_standards_estate ON fee_standards (estate_id, effective_from, recorded_at);

CREATE TABLE income_shares (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    share_permille INTEGER NOT NULL,
    basis_vote_id TEXT NOT NULL,
    effective_from DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX income_shares_estate ON income_shares (estate_id, effective_from);

CREATE TABLE money_entries (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    occurred_on DATE NOT NULL,
    counterparty TEXT NOT NULL,
    description TEXT NOT NULL,
    basis_vote_id TEXT,
    fund_use_id TEXT,
    balance_fen BIGINT,
    attachments TEXT NOT NULL,
    source TEXT NOT NULL,
    company_id TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
-- The period's entries of a statement, in date order; a page of entries, the latest recorded first.
CREATE INDEX money_entries_account ON money_entries (estate_id, account, occurred_on, id);
CREATE INDEX money_entries_recorded ON money_entries (estate_id, account, id);

CREATE TABLE statements (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    account TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    opening_fen BIGINT NOT NULL,
    income_fen BIGINT NOT NULL,
    spending_fen BIGINT NOT NULL,
    costs_fen BIGINT NOT NULL,
    closing_fen BIGINT NOT NULL,
    line_count INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    note TEXT NOT NULL,
    supersedes TEXT,
    correction_reason TEXT,
    changes TEXT,
    company_id TEXT,
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX statements_version ON statements (estate_id, account, period_from, version);
CREATE INDEX statements_published ON statements (estate_id, id);

CREATE TABLE statement_lines (
    statement_id TEXT NOT NULL REFERENCES statements(id),
    seq INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    occurred_on DATE NOT NULL,
    counterparty TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (statement_id, seq)
);

CREATE TABLE statement_questions (
    id TEXT PRIMARY KEY NOT NULL,
    statement_id TEXT NOT NULL REFERENCES statements(id),
    estate_id TEXT NOT NULL REFERENCES estates(id),
    owner_id TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    answer_due DATE NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at TIMESTAMP
);
CREATE INDEX statement_questions_statement ON statement_questions (statement_id, asked_at);
CREATE INDEX statement_questions_estate ON statement_questions (estate_id, answered_at);

CREATE TABLE fund_uses (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    kind TEXT NOT NULL,
    emergency TEXT,
    title TEXT NOT NULL,
    location TEXT NOT NULL,
    description TEXT NOT NULL,
    estimate_fen BIGINT NOT NULL,
    building_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    basis_vote_id TEXT,
    applied_by TEXT NOT NULL,
    applied_role TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    settled_fen BIGINT,
    invoices TEXT NOT NULL,
    settled_by TEXT,
    settled_at TIMESTAMP
);
CREATE INDEX fund_uses_estate ON fund_uses (estate_id, id);

CREATE TABLE money_settings (
    county_id TEXT PRIMARY KEY NOT NULL,
    settings TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
