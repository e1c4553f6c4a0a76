DROP TABLE action_steps;
DROP TABLE action_item_ledger;
DROP TABLE action_items;
DROP TABLE minutes_answers;
DROP TABLE minutes;
DROP TABLE agenda_items;
DROP TABLE meeting_parties;
DROP TABLE meetings;
