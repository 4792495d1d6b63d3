-- The SPIRAL work after the import: syntheses, pilot actions, progress indicators and their
-- co-evaluations. The same tables, constraints and meaning as on SQLite
-- (crates/store-sqlite/migrations/0003_spiral_work.sql), in PostgreSQL's own types.
-- Timestamps are zone-less, like the criteria's, with whole seconds. These ids are only ever
-- the store's own: identity columns, which never hand out an id twice.

-- The synthesis aggregate (criteria per group × question × component), kept by triggers as
-- criteria are written, so that a synthesis reads a few hundred rows instead of counting a
-- platform's criteria each time: on 1,000,000 criteria a GROUP BY over `criteria` costs
-- hundreds of milliseconds whatever the index, this table about one. `component3` is '' for
-- unclassified criteria (a key column cannot be NULL). One trigger run per statement, over
-- its transition tables: a bulk import of criteria costs one aggregate, not one per row.
CREATE TABLE criteria_tally (
    group_id   BIGINT NOT NULL REFERENCES homogeneous_groups (id),
    question   TEXT NOT NULL,
    component3 TEXT NOT NULL,
    n          BIGINT NOT NULL CHECK (n > 0),
    PRIMARY KEY (group_id, question, component3)
);

INSERT INTO criteria_tally (group_id, question, component3, n)
SELECT group_id, question, coalesce(component3, ''), count(*)
  FROM criteria GROUP BY 1, 2, 3;

CREATE FUNCTION criteria_tally_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        SELECT group_id, question, coalesce(component3, '') AS component3, count(*) AS n
          FROM old_rows GROUP BY 1, 2, 3
    ), lowered AS (
        UPDATE criteria_tally t SET n = t.n - gone.n
          FROM gone
         WHERE t.group_id = gone.group_id AND t.question = gone.question
           AND t.component3 = gone.component3 AND t.n > gone.n
        RETURNING t.group_id, t.question, t.component3
    )
    DELETE FROM criteria_tally t
     USING gone
     WHERE t.group_id = gone.group_id AND t.question = gone.question
       AND t.component3 = gone.component3 AND t.n <= gone.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION criteria_tally_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO criteria_tally (group_id, question, component3, n)
    SELECT group_id, question, coalesce(component3, ''), count(*)
      FROM new_rows GROUP BY 1, 2, 3
    ON CONFLICT (group_id, question, component3)
    DO UPDATE SET n = criteria_tally.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER criteria_tally_insert AFTER INSERT ON criteria
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION criteria_tally_add();
CREATE TRIGGER criteria_tally_delete AFTER DELETE ON criteria
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION criteria_tally_remove();
-- An update moves its rows out of their old keys, then into their new ones.
CREATE TRIGGER criteria_tally_update_remove AFTER UPDATE ON criteria
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION criteria_tally_remove();
CREATE TRIGGER criteria_tally_update_add AFTER UPDATE ON criteria
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION criteria_tally_add();

-- Co-responsibility pilot actions (actions pilotes de coresponsabilité).
CREATE TABLE pilot_actions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform_id BIGINT NOT NULL REFERENCES platforms (id),
    title       TEXT NOT NULL CHECK (btrim(title) <> ''),
    description TEXT,
    actors      TEXT,
    status      TEXT NOT NULL CHECK (status IN ('idea', 'decided', 'in_progress', 'evaluated')),
    starts_on   DATE,
    ends_on     DATE,
    evaluation  TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX pilot_actions_platform ON pilot_actions (platform_id);

-- The criteria an action answers, in the order given. Deleting a criterion takes it out of
-- every action's list.
CREATE TABLE pilot_action_criteria (
    action_id    BIGINT NOT NULL REFERENCES pilot_actions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    criterion_id BIGINT NOT NULL REFERENCES criteria (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, position),
    UNIQUE (action_id, criterion_id)
);
CREATE INDEX pilot_action_criteria_criterion ON pilot_action_criteria (criterion_id);

-- The components an action answers, as given (fine codes too); not checked against the
-- codebook.
CREATE TABLE pilot_action_components (
    action_id BIGINT NOT NULL REFERENCES pilot_actions (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    code      TEXT NOT NULL CHECK (code ~ '^[A-Z][0-9]{2}'),
    PRIMARY KEY (action_id, position),
    UNIQUE (action_id, code)
);
CREATE INDEX pilot_action_components_component ON pilot_action_components (substr(code, 1, 3));

-- Progress indicators (indicateurs de progrès): one description per level of the scale,
-- level 1 first. Its length is checked against `scale_levels` by the store, which reads the
-- scale in the same transaction.
CREATE TABLE indicators (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform_id BIGINT NOT NULL REFERENCES platforms (id),
    component   TEXT NOT NULL CHECK (component ~ '^[A-Z][0-9]{2}'),
    title       TEXT NOT NULL CHECK (btrim(title) <> ''),
    levels      TEXT[] NOT NULL
                CHECK (cardinality(levels) >= 1 AND array_position(levels, NULL) IS NULL),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX indicators_platform ON indicators (platform_id);

-- Co-evaluations of an indicator: by a group of the indicator's platform, or by the whole
-- platform (no group).
CREATE TABLE evaluations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    group_id     BIGINT REFERENCES homogeneous_groups (id),
    date         DATE NOT NULL,
    level        INTEGER NOT NULL CHECK (level >= 1),
    comment      TEXT,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_indicator ON evaluations (indicator_id, date, id);
