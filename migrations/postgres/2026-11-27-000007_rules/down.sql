DROP TABLE tie_resolutions;
ALTER TABLE votes DROP COLUMN runoff_place;
ALTER TABLE votes DROP COLUMN runoff_of;
DROP TABLE unit_area_changes;
ALTER TABLE elections DROP COLUMN published_at;
