#!/usr/bin/env bash
# Installs the published single-file gateway as the systemd service salpre-gateway (README: "Install as a service").
#   sudo deploy/install.sh [PUBLISHED-FOLDER] [ENV-FILE]
# PUBLISHED-FOLDER: the output of `dotnet publish src/Salpre.Gateway -p:PublishProfile=linux-x64` (default
# dist/salpre-gateway); ENV-FILE: the settings to start from when /etc/salpre/gateway.env does not exist yet (default
# deploy/gateway-sqlite.env; deploy/gateway-postgres.env for PostgreSQL and Redis). Run again to upgrade: the settings
# and the data stay, the executable is replaced and the service restarted.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PUBLISHED=${1:-$HERE/../dist/salpre-gateway}
SETTINGS=${2:-$HERE/gateway-sqlite.env}
[ "$(id -u)" = 0 ] || { echo "install.sh: run it as root (sudo)" >&2; exit 1; }
[ -x "$PUBLISHED/Salpre.Gateway" ] || { echo "install.sh: no $PUBLISHED/Salpre.Gateway: publish it first (README)" >&2; exit 1; }

id -u salpre >/dev/null 2>&1 || useradd --system --home-dir /var/lib/salpre --no-create-home --shell /usr/sbin/nologin salpre
install -d -m 0755 /opt/salpre-gateway
install -m 0755 "$PUBLISHED/Salpre.Gateway" /opt/salpre-gateway/Salpre.Gateway
install -m 0644 "$PUBLISHED/appsettings.json" /opt/salpre-gateway/appsettings.json
install -d -m 0750 -g salpre /etc/salpre
[ -f /etc/salpre/gateway.env ] || install -m 0640 -g salpre "$SETTINGS" /etc/salpre/gateway.env
install -m 0644 "$HERE/salpre-gateway.service" /etc/systemd/system/salpre-gateway.service
# The daily backup is installed, not enabled: it is for SQLite (systemctl enable --now salpre-backup.timer).
install -m 0644 "$HERE/salpre-backup.service" "$HERE/salpre-backup.timer" /etc/systemd/system/
install -m 0755 "$HERE/salpre-gateway-admin" /usr/local/bin/salpre-gateway-admin
systemctl daemon-reload
systemctl enable salpre-gateway >/dev/null
systemctl restart salpre-gateway
systemctl --no-pager --lines=5 status salpre-gateway
