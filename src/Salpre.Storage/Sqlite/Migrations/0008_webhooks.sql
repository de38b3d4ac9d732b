-- Events: one row per accepted change of a call (and per box that connects or disconnects, when asked), written in
-- the change's own transaction (an outbox). The feed reads an account's events in (tx, id) order; on SQLite, whose
-- one writer commits in id order, tx is always 0. data is the event's data object as the API renders it; a row never
-- changes. created_at is Unix milliseconds. AUTOINCREMENT: an id is never given twice, even after retention.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tx          INTEGER NOT NULL,
    account_id  INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX ix_events_feed ON events (account_id, tx, id);
CREATE INDEX ix_events_created ON events (created_at);

-- An account's webhook endpoints. types is a bit mask of the event types it takes (see EventTypes). The secrets are
-- kept sealed (data protection); previous_secret signs too until previous_expires_at (a rotation's overlap).
-- enabled 0 with disabled_reason when the account, a 410 or five days of failures disabled it. Times in Unix ms.
CREATE TABLE webhook_endpoints (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    url                 TEXT    NOT NULL,
    description         TEXT,
    types               INTEGER NOT NULL,
    enabled             INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    disabled_reason     TEXT,
    max_in_flight       INTEGER NOT NULL CHECK (max_in_flight BETWEEN 1 AND 100),
    secret              BLOB    NOT NULL,
    previous_secret     BLOB,
    previous_expires_at INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    last_success_at     INTEGER,
    failing_since       INTEGER,
    claimed_at          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_webhook_endpoints_account ON webhook_endpoints (account_id, id);

-- One event to one endpoint. state: 0 pending, 1 succeeded, 2 failed (attempts used up, or the endpoint is gone),
-- 3 canceled. A worker claims a due row by moving lease_until ahead (and counting the attempt), commits, then sends:
-- a crash leaves a lease that runs out, and the row is sent again (at least once). lease_token tells a worker
-- whether the row is still its own when it records the result.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id     INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,
    event_id        INTEGER NOT NULL,
    state           INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    lease_token     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- Work is found endpoint by endpoint, each a seek here, so that a claim costs the same behind a backlog of millions.
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, state, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);
-- What is in flight now, per endpoint: its claims leave room for its max_in_flight less these.
CREATE INDEX ix_webhook_deliveries_leased ON webhook_deliveries (endpoint_id, lease_until) WHERE state = 0;

-- Every attempt of a delivery: when, the HTTP status (null when no answer came), how long, why it failed, and the
-- first 4 KB of the answer.
CREATE TABLE webhook_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id   INTEGER NOT NULL,
    started_at    INTEGER NOT NULL,
    http_status   INTEGER,
    latency_ms    INTEGER NOT NULL,
    error         TEXT,
    response_body TEXT
);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Boxes whose connection was told (device.connected / device.disconnected events).
ALTER TABLE devices ADD COLUMN connected_told INTEGER NOT NULL DEFAULT 0;
