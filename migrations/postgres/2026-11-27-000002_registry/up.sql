-- Registry: organisations (administrative and party chain in one tree), grids, companies,
-- estates, buildings, units, owners, ownerships, service contracts, owner activation codes.
-- The same SQL runs on both backends; keep ../../postgres/<this>/up.sql identical.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES organisations(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Materialised path of ids, '/root/.../self/': a subtree is a prefix.
    path TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE grids (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES organisations(id),
    parent_id TEXT REFERENCES grids(id),
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    party_branch_id TEXT REFERENCES organisations(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX grids_community ON grids(community_id);

CREATE TABLE companies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE,
    party_coverage TEXT NOT NULL,
    contact_name TEXT,
    contact_phone TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE estates (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    community_id TEXT NOT NULL REFERENCES organisations(id),
    responsible_org_id TEXT NOT NULL REFERENCES organisations(id),
    -- Copies of the two organisations' paths (paths never change): scope checks and scoped
    -- lists filter on these without joining the tree twice.
    community_path TEXT NOT NULL,
    responsible_path TEXT NOT NULL,
    self_managed BOOLEAN NOT NULL DEFAULT FALSE,
    grid_id TEXT REFERENCES grids(id),
    address TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX estates_community ON estates(community_id);
CREATE INDEX estates_responsible ON estates(responsible_org_id);

CREATE TABLE buildings (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    name TEXT NOT NULL,
    grid_id TEXT REFERENCES grids(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (estate_id, name)
);

CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    estate_id TEXT NOT NULL REFERENCES estates(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    entrance TEXT NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    area_registry_centi BIGINT,
    area_survey_centi BIGINT,
    area_contract_centi BIGINT,
    sale_status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (building_id, entrance, number)
);
CREATE INDEX units_estate ON units(estate_id);

CREATE TABLE owners (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Keyed hash (HMAC-SHA256) of the national ID number or credit code; never the number.
    id_hash TEXT,
    id_last4 TEXT,
    phone TEXT,
    party_member BOOLEAN NOT NULL DEFAULT FALSE,
    party_org_id TEXT REFERENCES organisations(id),
    -- A party member's post in the building chain: unit_leader (党员单元长) or
    -- central_household (党员中心户); NULL for none.
    party_post TEXT,
    -- For owners without an ID number (co-owners named on a row): the owner they came with.
    introduced_with TEXT REFERENCES owners(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX owners_id_hash ON owners(id_hash) WHERE id_hash IS NOT NULL;

CREATE TABLE ownerships (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    owner_id TEXT NOT NULL REFERENCES owners(id),
    designated_voter BOOLEAN NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX ownerships_unit ON ownerships(unit_id);
CREATE INDEX ownerships_owner ON ownerships(owner_id);

CREATE TABLE service_contracts (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    estate_id TEXT NOT NULL REFERENCES estates(id),
    kind TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX service_contracts_estate ON service_contracts(estate_id);
CREATE INDEX service_contracts_company ON service_contracts(company_id);

CREATE TABLE activation_codes (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES owners(id),
    code_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
