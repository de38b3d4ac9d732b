-- The same as SQLite's 0009 (see Sqlite/Migrations/0009_call_removal.sql).
ALTER TABLE events ADD COLUMN call_num bigint;
UPDATE events SET call_num = substr(data::json ->> 'call_id', 2)::bigint WHERE type LIKE 'call.%';
CREATE INDEX ix_events_call ON events (account_id, call_num) WHERE call_num IS NOT NULL;
CREATE INDEX ix_idempotency_call ON idempotency_keys (account_id, call_num);

CREATE TABLE retention_marks (
    account_id bigint NOT NULL,
    rule       text   NOT NULL,
    started_at bigint NOT NULL,
    call_num   bigint NOT NULL,
    PRIMARY KEY (account_id, rule)
);

UPDATE webhook_endpoints SET types = types | 2048 WHERE (types & 255) = 255;
