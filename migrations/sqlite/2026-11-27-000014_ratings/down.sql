DROP TABLE rating_appeals;
DROP TABLE rating_results;
DROP TABLE rating_runs;
DROP TABLE rating_marks;
DROP TABLE rating_inputs;
DROP TABLE rating_responses;
DROP TABLE rating_campaigns;
