DROP INDEX ledger_items_open;
DROP TABLE ledger_tallies;
