-- The SPIRAL work after the import: syntheses, pilot actions, progress indicators and their
-- co-evaluations. Same tables and meaning as on PostgreSQL (crates/store-postgres/migrations).
-- Dates are text `YYYY-MM-DD`; timestamps, like the criteria's, zone-less `YYYY-MM-DDTHH:MM:SS`.

-- The synthesis aggregate (criteria per group × question × component), kept by triggers as
-- criteria are written, so that a synthesis reads a few hundred rows instead of counting a
-- platform's criteria each time. Measured on 1,000,000 criteria (2-core machine): a GROUP BY
-- over `criteria` costs 200-300 ms even with an index on (group_id, question, component),
-- because SQLite steps every row (and an index on the virtual `component3` is never covering);
-- this table answers in about a millisecond. `component3` is '' for unclassified criteria: a
-- key column cannot be NULL. `synthesis_rows` reads it; the conformance suite checks it
-- against a count of the criteria after imports, edits and deletions.
CREATE TABLE criteria_tally (
    group_id   INTEGER NOT NULL REFERENCES homogeneous_groups (id),
    question   TEXT NOT NULL,
    component3 TEXT NOT NULL,
    n          INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (group_id, question, component3)
) WITHOUT ROWID;

INSERT INTO criteria_tally (group_id, question, component3, n)
SELECT group_id, question, coalesce(substr(component, 1, 3), ''), count(*)
  FROM criteria GROUP BY 1, 2, 3;

CREATE TRIGGER criteria_tally_insert AFTER INSERT ON criteria BEGIN
    INSERT INTO criteria_tally (group_id, question, component3, n)
    VALUES (new.group_id, new.question, coalesce(substr(new.component, 1, 3), ''), 1)
    ON CONFLICT (group_id, question, component3) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER criteria_tally_delete AFTER DELETE ON criteria BEGIN
    DELETE FROM criteria_tally
     WHERE group_id = old.group_id AND question = old.question
       AND component3 = coalesce(substr(old.component, 1, 3), '') AND n = 1;
    UPDATE criteria_tally SET n = n - 1
     WHERE group_id = old.group_id AND question = old.question
       AND component3 = coalesce(substr(old.component, 1, 3), '');
END;

CREATE TRIGGER criteria_tally_update AFTER UPDATE OF group_id, question, component ON criteria
WHEN old.group_id IS NOT new.group_id OR old.question IS NOT new.question
  OR substr(old.component, 1, 3) IS NOT substr(new.component, 1, 3)
BEGIN
    DELETE FROM criteria_tally
     WHERE group_id = old.group_id AND question = old.question
       AND component3 = coalesce(substr(old.component, 1, 3), '') AND n = 1;
    UPDATE criteria_tally SET n = n - 1
     WHERE group_id = old.group_id AND question = old.question
       AND component3 = coalesce(substr(old.component, 1, 3), '');
    INSERT INTO criteria_tally (group_id, question, component3, n)
    VALUES (new.group_id, new.question, coalesce(substr(new.component, 1, 3), ''), 1)
    ON CONFLICT (group_id, question, component3) DO UPDATE SET n = n + 1;
END;

-- Co-responsibility pilot actions (actions pilotes de coresponsabilité).
CREATE TABLE pilot_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    title       TEXT NOT NULL CHECK (trim(title) <> ''),
    description TEXT,
    actors      TEXT,
    status      TEXT NOT NULL CHECK (status IN ('idea', 'decided', 'in_progress', 'evaluated')),
    starts_on   TEXT CHECK (starts_on IS NULL OR date(starts_on) = starts_on),
    ends_on     TEXT CHECK (ends_on IS NULL OR date(ends_on) = ends_on),
    evaluation  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX pilot_actions_platform ON pilot_actions (platform_id);

-- The criteria an action answers, in the order given. Deleting a criterion takes it out of
-- every action's list.
CREATE TABLE pilot_action_criteria (
    action_id    INTEGER NOT NULL REFERENCES pilot_actions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    criterion_id INTEGER NOT NULL REFERENCES criteria (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, position),
    UNIQUE (action_id, criterion_id)
) WITHOUT ROWID;
CREATE INDEX pilot_action_criteria_criterion ON pilot_action_criteria (criterion_id);

-- The components an action answers, as given (fine codes too); not checked against the
-- codebook.
CREATE TABLE pilot_action_components (
    action_id INTEGER NOT NULL REFERENCES pilot_actions (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    code      TEXT NOT NULL CHECK (code GLOB '[A-Z][0-9][0-9]*'),
    PRIMARY KEY (action_id, position),
    UNIQUE (action_id, code)
) WITHOUT ROWID;
CREATE INDEX pilot_action_components_component ON pilot_action_components (substr(code, 1, 3));

-- Progress indicators (indicateurs de progrès): one description per level of the scale, as a
-- JSON array of strings, level 1 first. Its length is checked against `scale_levels` by the
-- store, which reads the scale in the same transaction.
CREATE TABLE indicators (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    component   TEXT NOT NULL CHECK (component GLOB '[A-Z][0-9][0-9]*'),
    title       TEXT NOT NULL CHECK (trim(title) <> ''),
    levels      TEXT NOT NULL CHECK (json_type(levels) = 'array' AND json_array_length(levels) >= 1),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX indicators_platform ON indicators (platform_id);

-- Co-evaluations of an indicator: by a group of the indicator's platform, or by the whole
-- platform (no group).
CREATE TABLE evaluations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    group_id     INTEGER REFERENCES homogeneous_groups (id),
    date         TEXT NOT NULL CHECK (date(date) = date),
    level        INTEGER NOT NULL CHECK (level >= 1),
    comment      TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX evaluations_indicator ON evaluations (indicator_id, date, id);
