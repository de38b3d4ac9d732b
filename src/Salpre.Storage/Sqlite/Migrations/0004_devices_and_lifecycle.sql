-- Salpre Boxes: a box (by serial) belongs to one account; its last heartbeat says whether it is connected.
CREATE TABLE devices (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    serial_no        TEXT    NOT NULL UNIQUE CHECK (length(serial_no) BETWEEN 1 AND 64),
    device_name      TEXT    NOT NULL CHECK (length(device_name) BETWEEN 1 AND 200),
    created_at       INTEGER NOT NULL,
    last_seen        INTEGER,
    battery_level    INTEGER CHECK (battery_level BETWEEN 0 AND 100),
    firmware_version TEXT
);
CREATE INDEX ix_devices_account ON devices (account_id, id);

-- Every accepted status report of a call, in the order accepted (seq), with its time (Unix seconds).
CREATE TABLE call_events (
    account_id INTEGER NOT NULL,
    call_num   INTEGER NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    status     INTEGER NOT NULL CHECK (status BETWEEN 0 AND 7),
    at         INTEGER NOT NULL,
    detail     TEXT,
    PRIMARY KEY (account_id, call_num, seq)
) WITHOUT ROWID;

-- Make-call requests by idempotency key: the primary key lets one request per key create a call; the request's
-- hash and the answer given are kept, so a retry gets the same answer and another request under the key a conflict.
CREATE TABLE idempotency_keys (
    account_id      INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL,
    request_hash    BLOB    NOT NULL,
    call_num        INTEGER NOT NULL,
    response        BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX ix_idempotency_created ON idempotency_keys (created_at);
