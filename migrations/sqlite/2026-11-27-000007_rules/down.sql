DROP TABLE tie_resolutions;
DROP TABLE unit_area_changes;
ALTER TABLE elections DROP COLUMN published_at;
