-- Dashboards filter by agent and outcome together ("failed calls of agent 3 last month"); this index serves that
-- filter as one range in list order, where the single-column indexes would each scan and discard most rows.
CREATE INDEX ix_calls_agent_status ON calls (account_id, agent_id, status, started_at, call_num);
