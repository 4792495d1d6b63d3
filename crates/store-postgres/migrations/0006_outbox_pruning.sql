-- The outbox is pruned: changes older than the retention go (zesummen serve
-- --outbox-retention-days). `through` is the newest id ever pruned, so that a follower whose
-- cursor is below it knows it has missed changes and rebuilds its index from the store.
-- Same table and meaning as on SQLite (crates/store-sqlite/migrations).
CREATE TABLE changes_pruned (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    through BIGINT NOT NULL CHECK (through >= 0)
);
INSERT INTO changes_pruned (through) VALUES (0);
