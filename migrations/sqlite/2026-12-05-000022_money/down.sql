DROP TABLE money_settings;
DROP TABLE fund_uses;
DROP TABLE statement_questions;
DROP TABLE statement_lines;
DROP TABLE statements;
DROP TABLE money_entries;
DROP TABLE income_shares;
DROP TABLE fee_standards;
