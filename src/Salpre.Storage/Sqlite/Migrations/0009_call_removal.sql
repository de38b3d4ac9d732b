-- Deleting a call (by the API, an erasure or retention) removes everything that holds it: its events are found by
-- call_num (null for events of no call, and for call.deleted, which outlives the call), its idempotency answers by
-- call_num too. Events written before this step carry the call's id in their data.
ALTER TABLE events ADD COLUMN call_num INTEGER;
UPDATE events SET call_num = CAST(substr(json_extract(data, '$.call_id'), 2) AS INTEGER) WHERE type LIKE 'call.%';
CREATE INDEX ix_events_call ON events (account_id, call_num) WHERE call_num IS NOT NULL;
CREATE INDEX ix_idempotency_call ON idempotency_keys (account_id, call_num);

-- How far each retention rule has come through an account's calls, in list order: every call before
-- (started_at, call_num) has been dealt with. rule: 'details' (Retention:CallDetailsDays) or 'calls' (Retention:CallsDays).
CREATE TABLE retention_marks (
    account_id INTEGER NOT NULL,
    rule       TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    call_num   INTEGER NOT NULL,
    PRIMARY KEY (account_id, rule)
) WITHOUT ROWID;

-- Endpoints that take every call status (the default before call.deleted existed) take call.deleted too (bit 11).
UPDATE webhook_endpoints SET types = types | 2048 WHERE (types & 255) = 255;
