#!/usr/bin/env bash
# Installs Debian's chromium, which the portal's browser tests (tests/browser)
# drive headless through chromedp. Idempotent: does nothing when chromium is
# already on PATH (or XHHT_CHROMIUM names a browser).
set -euo pipefail

if [ -n "${XHHT_CHROMIUM:-}" ] && [ -x "${XHHT_CHROMIUM}" ]; then
	exit 0
fi
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "chromium.sh: chromium is missing and installing it needs root (no sudo found)" >&2
		exit 1
	fi
fi

echo "installing chromium" >&2
$sudo apt-get -o DPkg::Lock::Timeout=600 update
$sudo env DEBIAN_FRONTEND=noninteractive -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium fonts-dejavu-core
command -v chromium >/dev/null
