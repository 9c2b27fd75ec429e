#!/usr/bin/env bash
# Install Debian's PostgreSQL server where it is missing, for the tests that start
# their own throw-away cluster (tests/year_support.py: postgres_server). Nothing is
# started or enabled here: the tests run initdb and pg_ctl themselves, as the
# `postgres` user when they run as root. Without root and without PostgreSQL, the
# PostgreSQL tests are skipped with a message saying so.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || command -v initdb > /dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-postgres: not root, cannot apt-get install postgresql (its tests will be skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql > /dev/null
# Debian's package creates and starts a default cluster; the tests do not use it
if command -v pg_lsclusters > /dev/null; then
    pg_lsclusters --no-header | while read -r version name _; do
        pg_ctlcluster "$version" "$name" stop || true
    done
fi
