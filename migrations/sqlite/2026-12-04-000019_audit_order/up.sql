-- PostgreSQL's audit-log indexes order a filtered page by `seq + 0` (see its migration of this
-- name). SQLite plans a filtered page from its (filter, seq) indexes, in page order, already
-- (tests/api/audit.rs: every_audit_filter_reads_an_index_in_page_order): nothing changes here.
SELECT 1;
