-- Rule holes (issue 11): windows run from when an act is recorded; a unit keeps an area per
-- source with its history; election ties and their resolution; results carried to the committee.
-- The same SQL runs on both backends; keep the other backend's copy identical.

-- When the candidate list was published, as recorded (the publicity window runs from it);
-- `published_on` keeps the date stated for information.
ALTER TABLE elections ADD COLUMN published_at TIMESTAMP;

-- Every change of a unit's recorded areas (per source), kept.
CREATE TABLE unit_area_changes (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    source TEXT NOT NULL,
    old_area_centi BIGINT,
    new_area_centi BIGINT,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX unit_area_changes_unit ON unit_area_changes(unit_id);

-- How a tie at the boundary of an election (the last seat, or the last alternate place) was
-- resolved: by a run-off vote, or by lots drawn in public with a witness.
-- A run-off vote among candidates tied in another vote, at one place.
ALTER TABLE votes ADD COLUMN runoff_of TEXT REFERENCES votes(id);
ALTER TABLE votes ADD COLUMN runoff_place TEXT;

CREATE TABLE tie_resolutions (
    id TEXT PRIMARY KEY NOT NULL,
    vote_id TEXT NOT NULL REFERENCES votes(id),
    place TEXT NOT NULL,
    method TEXT NOT NULL,
    winners TEXT NOT NULL,
    runoff_vote_id TEXT REFERENCES votes(id),
    drawn_by TEXT,
    witness TEXT,
    drawn_at TIMESTAMP,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (vote_id, place)
);
