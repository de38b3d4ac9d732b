-- The dashboard's data-protection key ring (the XML elements ASP.NET Core writes), shared by every gateway on the
-- database, so that a session cookie one node issues is read by all of them.
CREATE TABLE data_protection_keys (
    name TEXT NOT NULL PRIMARY KEY,
    xml  TEXT NOT NULL
);

-- One-time sign-in links: only the SHA-256 of the token is kept, with the key whose session it opens, the instant it
-- stops working, and when it was used (a token works once).
CREATE TABLE dashboard_sign_in_tokens (
    token_hash BLOB    NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    key_id     INTEGER NOT NULL REFERENCES api_keys (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;
