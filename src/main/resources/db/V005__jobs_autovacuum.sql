-- V005: autovacuum and statistics that cost in proportion to the work, not to the table.
--
-- V002 vacuumed after every thousand changed rows. Each vacuum scans every index of the table in
-- full, so with finished jobs kept for their retention the cost of each vacuum grew with the
-- table while vacuums came just as often: measured on 240,000 rows, autovacuum and autoanalyze
-- took a quarter of PostgreSQL's CPU while jobs ran. Claims no longer need it: they mark the dead
-- index entries they step over, in-place (HOT) versions are pruned as pages are read, and index
-- pages drop dead entries themselves before they split. Vacuum after 5 % of the table changed.
ALTER TABLE fanout_job SET (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.1
);

-- No statement filters or sorts on the JSON columns, so ANALYZE skips them (it was sorting a
-- sample of 30,000 JSON documents each time); a small sample (3,000 rows) describes the rest well
-- enough for the statements the queue runs.
ALTER TABLE fanout_job
  ALTER COLUMN payload SET STATISTICS 0,
  ALTER COLUMN result SET STATISTICS 0,
  ALTER COLUMN errors SET STATISTICS 0,
  ALTER COLUMN id SET STATISTICS 10,
  ALTER COLUMN kind SET STATISTICS 10,
  ALTER COLUMN queue SET STATISTICS 10,
  ALTER COLUMN state SET STATISTICS 10,
  ALTER COLUMN priority SET STATISTICS 10,
  ALTER COLUMN run_at SET STATISTICS 10,
  ALTER COLUMN attempt SET STATISTICS 10,
  ALTER COLUMN max_attempts SET STATISTICS 10,
  ALTER COLUMN lease_until SET STATISTICS 10,
  ALTER COLUMN batch_id SET STATISTICS 10,
  ALTER COLUMN idempotency_key SET STATISTICS 10,
  ALTER COLUMN created_at SET STATISTICS 10,
  ALTER COLUMN attempted_at SET STATISTICS 10,
  ALTER COLUMN finalized_at SET STATISTICS 10;
