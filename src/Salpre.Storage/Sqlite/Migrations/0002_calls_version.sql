-- A number that moves whenever an account's calls change, written in the same transaction as the change, so that
-- a page rendered for one version is known to be current while the version stands.
ALTER TABLE accounts ADD COLUMN calls_version INTEGER NOT NULL DEFAULT 0;
