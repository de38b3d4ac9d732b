-- Accounts and their API keys. A key is stored only as the SHA-256 of its secret.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    name         TEXT,
    prefix       TEXT    NOT NULL,
    secret_hash  BLOB    NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    scopes       INTEGER NOT NULL CHECK (scopes BETWEEN 1 AND 7),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX ix_api_keys_account ON api_keys (account_id, id);

-- Calls are clustered in list order, so a page is one contiguous range of the table.
-- status: 0 initiated, 1 ringing, 2 in-progress, 3 completed, 4 busy, 5 no-answer, 6 failed, 7 canceled.
-- direction: 0 outbound, 1 inbound. Times are Unix seconds (UTC).
CREATE TABLE calls (
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    started_at   INTEGER NOT NULL,
    call_num     INTEGER NOT NULL CHECK (call_num > 0),
    status       INTEGER NOT NULL CHECK (status BETWEEN 0 AND 7),
    from_addr    TEXT    NOT NULL,
    to_addr      TEXT    NOT NULL,
    agent_id     INTEGER NOT NULL CHECK (agent_id >= 0),
    direction    INTEGER NOT NULL CHECK (direction IN (0, 1)),
    ended_at     INTEGER,
    duration_sec INTEGER CHECK (duration_sec >= 0),
    PRIMARY KEY (account_id, started_at, call_num)
) WITHOUT ROWID;
CREATE UNIQUE INDEX ux_calls_number ON calls (account_id, call_num);
CREATE INDEX ix_calls_status ON calls (account_id, status, started_at, call_num);
CREATE INDEX ix_calls_agent ON calls (account_id, agent_id, started_at, call_num);
CREATE INDEX ix_calls_to ON calls (account_id, to_addr, started_at, call_num);

-- The large, rarely listed parts of a call live apart so that list pages stay narrow.
CREATE TABLE call_details (
    account_id       INTEGER NOT NULL,
    call_num         INTEGER NOT NULL,
    audio_record_url TEXT,
    transcript       TEXT,
    variables        TEXT,
    PRIMARY KEY (account_id, call_num)
);

-- Named counters: the next generated call number, and the version of the key set that tells
-- every gateway node to drop its cached keys.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('next_call_num', 1), ('keys_version', 0);

-- Secrets the gateway makes for itself on first start (the cursor signing key).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
