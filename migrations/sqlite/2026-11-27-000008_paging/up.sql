-- Reads that cost the page, not the estate (issue 13): every list walks an index in the order it
-- pages (its keyset), so a page of 50 costs the same in a 300-unit estate and a 20,000-unit one.
-- The same SQL runs on both backends; keep the other backend's copy identical.

-- The estate of an ownership, copied from its unit (a unit never changes estate): the owners of
-- an estate are read from one index in owner order.
-- The owner's party membership (kept in step by every write of it) and name (which never
-- changes) are copied too, so that an estate's party members, and its owners by name, are one
-- index as well.
ALTER TABLE ownerships ADD COLUMN estate_id TEXT NOT NULL DEFAULT '';
ALTER TABLE ownerships ADD COLUMN party_member BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ownerships ADD COLUMN owner_name TEXT NOT NULL DEFAULT '';
UPDATE ownerships SET
    estate_id = (SELECT units.estate_id FROM units WHERE units.id = ownerships.unit_id),
    party_member = (SELECT owners.party_member FROM owners WHERE owners.id = ownerships.owner_id),
    owner_name = (SELECT owners.name FROM owners WHERE owners.id = ownerships.owner_id);
CREATE INDEX ownerships_estate_current ON ownerships(estate_id, owner_id) WHERE ended_at IS NULL;
CREATE INDEX ownerships_estate_party ON ownerships(estate_id, party_member, owner_id) WHERE ended_at IS NULL;
DROP INDEX ownerships_unit;
CREATE INDEX ownerships_unit ON ownerships(unit_id, id);
DROP INDEX ownerships_owner;
CREATE INDEX ownerships_owner ON ownerships(owner_id, id);

-- Units by building, then room number.
DROP INDEX units_estate;
CREATE INDEX units_estate ON units(estate_id, building_id, number, id);

-- The audit log, newest first, by target, actor or action; time bounds become sequence bounds.
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events(target_type, target_id, seq);
CREATE INDEX audit_events_actor ON audit_events(actor_id, seq);
CREATE INDEX audit_events_action ON audit_events(action, seq);
CREATE INDEX audit_events_time ON audit_events(occurred_at, seq);

-- A vote's receipts, in order, and one looked up.
CREATE INDEX current_ballots_receipt ON current_ballots(vote_id, receipt);

-- Every other list: its filter, then its key.
DROP INDEX companies_county;
CREATE INDEX companies_county ON companies(county_id, id);
DROP INDEX organisations_parent;
CREATE INDEX organisations_parent ON organisations(parent_id, id);
DROP INDEX grids_community;
CREATE INDEX grids_community ON grids(community_id, id);
DROP INDEX estates_community;
CREATE INDEX estates_community ON estates(community_id, id);
CREATE INDEX buildings_estate ON buildings(estate_id, id);
DROP INDEX service_contracts_estate;
CREATE INDEX service_contracts_estate ON service_contracts(estate_id, id);
DROP INDEX service_contracts_company;
CREATE INDEX service_contracts_company ON service_contracts(company_id, id);
DROP INDEX proposals_estate;
CREATE INDEX proposals_estate ON proposals(estate_id, id);
DROP INDEX votes_estate;
CREATE INDEX votes_estate ON votes(estate_id, id);
DROP INDEX committees_estate;
CREATE INDEX committees_estate ON committees(estate_id, id);
DROP INDEX negative_records_owner;
CREATE INDEX negative_records_owner ON negative_records(owner_id, id);
DROP INDEX api_keys_company;
CREATE INDEX api_keys_company ON api_keys(company_id, id);
DROP INDEX unit_area_changes_unit;
CREATE INDEX unit_area_changes_unit ON unit_area_changes(unit_id, id);
