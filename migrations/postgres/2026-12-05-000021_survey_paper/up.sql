-- Paper questionnaires (issue 28): community staff enter the answers of owners who cannot answer
-- online, recorded as such (the channel, who entered it and the paper's reference); one per owner.
ALTER TABLE rating_responses ADD COLUMN channel TEXT NOT NULL DEFAULT 'online';
ALTER TABLE rating_responses ADD COLUMN entered_by TEXT;
ALTER TABLE rating_responses ADD COLUMN paper_ref TEXT;
