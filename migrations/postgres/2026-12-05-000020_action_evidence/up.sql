-- An action item's progress and done carry evidence (photos, documents), as a ledger step does:
-- a JSON array of attachment ids.
ALTER TABLE action_steps ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
