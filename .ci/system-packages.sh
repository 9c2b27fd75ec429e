#!/usr/bin/env bash
# Debian packages that the checks beyond the README's test command need: PostgreSQL for
# the province store, Chromium for the pages, fonts and poppler for the printed report,
# tj3 for the TaskJuggler comparison, nginx in front of the workspace serve workers
# (tests/test_workspace_serve_workers.py). Installed only where missing, so a machine
# that has them starts at once.
set -euo pipefail
wanted=(postgresql chromium chromium-driver fonts-dejavu-core fonts-noto-core
        fonts-liberation2 fonts-liberation libpango-1.0-0 libpangoft2-1.0-0
        poppler-utils tj3 nginx)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
