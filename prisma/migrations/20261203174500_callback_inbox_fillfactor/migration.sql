-- Half of each page left free: an apply job's claim (claimed_until, in no index) then writes each row's
-- new version beside the old one (a HOT update) instead of inserting it into all four indexes again.
-- Measured with `npm run bench:callbacks`: every claim HOT at 50 against a quarter at 100, and about a
-- fifth less PostgreSQL CPU per callback. Marking a callback applied still moves it (applied_at is in
-- the predicate of the unapplied index), and applied rows are purged after CALLBACK_RETENTION_HOURS.
ALTER TABLE "callback_inbox" SET (fillfactor = 50);
