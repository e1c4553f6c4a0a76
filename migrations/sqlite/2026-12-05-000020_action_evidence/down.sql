ALTER TABLE action_steps DROP COLUMN attachments;
