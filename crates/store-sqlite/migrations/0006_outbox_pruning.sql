-- The outbox is pruned: changes older than the retention go (zesummen serve
-- --outbox-retention-days). `through` is the newest id ever pruned, so that a follower whose
-- cursor is below it knows it has missed changes and rebuilds its index from the store.
-- Same table and meaning as on PostgreSQL (crates/store-postgres/migrations).
CREATE TABLE changes_pruned (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    through INTEGER NOT NULL CHECK (through >= 0)
);
INSERT INTO changes_pruned (one, through) VALUES (1, 0);
