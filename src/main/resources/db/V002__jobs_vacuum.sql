-- V002: keep the queue table lean under churn.
--
-- Every claim and completion rewrites rows and leaves dead versions behind, which the claim's
-- index scan has to step over until they are vacuumed. Vacuum this table after about a thousand
-- changed rows instead of the default 20 % of the table, and leave room in each page so updates
-- can stay on the same page.
ALTER TABLE fanout_job SET (
  autovacuum_vacuum_scale_factor = 0.0,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_cost_delay = 0,
  autovacuum_analyze_scale_factor = 0.02,
  fillfactor = 80
);
