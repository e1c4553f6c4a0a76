DROP TABLE attachment_refs;
DROP TABLE attachment_uploads;
DROP TABLE attachments;
