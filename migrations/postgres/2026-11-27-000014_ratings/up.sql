-- Star ratings of property companies (issue 15, RULES.md §6): campaigns, their inputs, results
-- runs (versions, never overwritten) and appeals.
-- The same SQL runs on both backends; keep the other backend's copy identical.

CREATE TABLE rating_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    county_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_until DATE NOT NULL,
    -- The configuration in the API's form (JSON): indicators, survey, bonuses, stars, vetoes.
    config TEXT NOT NULL,
    -- draft, open, scoring, published (final is published with its notice period run out).
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    published_at TIMESTAMP
);
CREATE INDEX rating_campaigns_county ON rating_campaigns(county_id, created_at, id);

-- One owner's survey response for one estate: the answers (1–5) in the order of the survey's
-- questions, comma-separated. The company never reads these rows, only the results.
CREATE TABLE rating_responses (
    campaign_id TEXT NOT NULL REFERENCES rating_campaigns(id),
    estate_id TEXT NOT NULL REFERENCES estates(id),
    owner_id TEXT NOT NULL REFERENCES owners(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    answers TEXT NOT NULL,
    comment TEXT,
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, estate_id, owner_id)
);

-- Scored inputs by people: the committee's evaluation (one per estate, the last replaces the
-- earlier) and inspections (as many as held). `scores` is JSON {indicator code: "decimal"}.
CREATE TABLE rating_inputs (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES rating_campaigns(id),
    estate_id TEXT NOT NULL REFERENCES estates(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    -- committee_evaluation or bureau_inspection.
    source TEXT NOT NULL,
    scores TEXT NOT NULL,
    note TEXT,
    attachments TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX rating_inputs_campaign ON rating_inputs(campaign_id, company_id, estate_id);

-- Bonuses awarded to an estate and one-vote vetoes of a company (with the estate where it
-- happened, if any), each with its reason and evidence.
CREATE TABLE rating_marks (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES rating_campaigns(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    estate_id TEXT REFERENCES estates(id),
    -- bonus or veto.
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    attachments TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX rating_marks_campaign ON rating_marks(campaign_id, company_id);

-- A results run: what it used (configuration, fingerprint of the inputs) and when it was
-- published. Version 1, 2, ... per campaign; a decided appeal publishes a new one.
CREATE TABLE rating_runs (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES rating_campaigns(id),
    version INTEGER NOT NULL,
    config TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    -- The appeal whose decision made this version, if one did.
    appeal_id TEXT,
    UNIQUE (campaign_id, version)
);

-- One run's results: per company and estate, and per company overall (estate_id '').
-- `detail` is JSON of the indicator and dimension points.
CREATE TABLE rating_results (
    run_id TEXT NOT NULL REFERENCES rating_runs(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    estate_id TEXT NOT NULL,
    score_centi BIGINT NOT NULL,
    stars INTEGER NOT NULL,
    vetoed BOOLEAN NOT NULL,
    low_sample BOOLEAN NOT NULL,
    responses BIGINT NOT NULL,
    -- The company's place in the campaign (overall rows); 0 on estate rows.
    rank INTEGER NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, company_id, estate_id)
);
CREATE INDEX rating_results_company ON rating_results(company_id, run_id);

CREATE TABLE rating_appeals (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES rating_campaigns(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    estate_id TEXT NOT NULL REFERENCES estates(id),
    indicator TEXT NOT NULL,
    statement TEXT NOT NULL,
    attachments TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    -- filed, upheld, dismissed.
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision TEXT,
    decision_attachments TEXT NOT NULL,
    -- Upheld: the indicator's input from now on (a decimal), and the run it published.
    new_value TEXT,
    run_id TEXT
);
CREATE INDEX rating_appeals_campaign ON rating_appeals(campaign_id, company_id, filed_at);
