#!/usr/bin/env bash
# Installs Debian's chromium, which the portal's browser tests (tests/browser)
# and the report's print tests drive headless. Idempotent: does nothing when
# chromium is already on PATH (or XHHT_CHROMIUM names a browser).
set -euo pipefail

if [ -n "${XHHT_CHROMIUM:-}" ] && [ -x "${XHHT_CHROMIUM}" ]; then
	exit 0
fi
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
"$(dirname "$0")/apt-install.sh" chromium.sh chromium fonts-dejavu-core
command -v chromium >/dev/null
