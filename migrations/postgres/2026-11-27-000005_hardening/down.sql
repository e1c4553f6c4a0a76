DROP TABLE instance_keys;
DROP INDEX companies_county;
ALTER TABLE companies DROP COLUMN county_id;
