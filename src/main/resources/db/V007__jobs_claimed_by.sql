-- V007: the node that holds each running job.
--
-- claimed_by is the id of the node whose claim made the job running (Membership.nodeId: the
-- cluster's node id, a Hazelcast member UUID, when clustered), and is cleared when the job leaves
-- running. When the cluster reports a node gone, the survivors take back the jobs it held at once
-- (state = 'running' AND claimed_by = the node), instead of waiting for their leases to expire.
-- The column is in no index, so a claim that sets it is still written in place (HOT, see V004);
-- the take-back walks the index of jobs that are not final, as the sweep for expired leases does.
ALTER TABLE fanout_job ADD COLUMN claimed_by text;
ALTER TABLE fanout_job ALTER COLUMN claimed_by SET STATISTICS 10;
