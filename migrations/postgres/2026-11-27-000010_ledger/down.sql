DROP TABLE ledger_steps;
DROP TABLE ledger_items;
DROP TABLE volunteer_team_members;
DROP TABLE volunteer_teams;
DROP TABLE ledger_settings;
