# Platformatic DB as the peer: its install, its table and its configuration, shared by run.sh (a cluster of its own)
# and bench/stores.sh (beside the gateway, on the same PostgreSQL server). Sourced, not run; callers define die and log.

PLT_VERSION="2.61.0"
PLT_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLT_BIN="$PLT_HERE/node_modules/.bin/plt-db"

# plt_install: @platformatic/db from the lock file, once.
plt_install() {
  local installed
  installed=$(node -p "require('$PLT_HERE/node_modules/@platformatic/db/package.json').version" 2>/dev/null || true)
  if [ "$installed" = "$PLT_VERSION" ] && [ -x "$PLT_BIN" ]; then return; fi
  log "installing @platformatic/db $PLT_VERSION with npm (first run only; can take a few minutes)"
  (cd "$PLT_HERE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  installed=$(node -p "require('$PLT_HERE/node_modules/@platformatic/db/package.json').version" 2>/dev/null || true)
  [ "$installed" = "$PLT_VERSION" ] || die "@platformatic/db $PLT_VERSION is not installed after npm ci"
}

# plt_schema: the peer's table, as a user of a generic REST layer would declare call records.
plt_schema() {
  cat <<'SQL'
CREATE TABLE calls (
  id           bigserial PRIMARY KEY,
  account_id   bigint      NOT NULL,
  call_num     bigint      NOT NULL,
  status       text        NOT NULL CHECK (status IN ('initiated','ringing','in-progress','completed','busy','no-answer','failed','canceled')),
  from_addr    text        NOT NULL,
  to_addr      text        NOT NULL,
  agent_id     bigint      NOT NULL,
  direction    text        NOT NULL CHECK (direction IN ('outbound','inbound')),
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  duration_sec integer
);
SQL
}

# plt_index: the one index it gets, for the account's newest-first page.
plt_index() { echo "CREATE INDEX calls_account_started_idx ON calls (account_id, started_at)"; }

# plt_config POSTGRES-URL PORT: Platformatic DB's configuration, serving the table's REST API on 127.0.0.1:PORT.
plt_config() {
  cat <<JSON
{
  "\$schema": "https://schemas.platformatic.dev/@platformatic/db/$PLT_VERSION.json",
  "server": { "hostname": "127.0.0.1", "port": $2, "logger": { "level": "warn" } },
  "db": { "connectionString": "$1", "graphql": false, "openapi": true, "limit": { "default": 10, "max": 100 } },
  "watch": false
}
JSON
}
