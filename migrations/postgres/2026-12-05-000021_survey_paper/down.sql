ALTER TABLE rating_responses DROP COLUMN paper_ref;
ALTER TABLE rating_responses DROP COLUMN entered_by;
ALTER TABLE rating_responses DROP COLUMN channel;
