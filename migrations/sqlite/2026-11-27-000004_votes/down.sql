DROP TABLE ballot_selections;
DROP TABLE ballot_history;
DROP TABLE current_ballots;
DROP TABLE roll_entries;
DROP TABLE vote_options;
DROP TABLE votes;
DROP TABLE proposals;
