#!/usr/bin/env bash
# Installs LibreOffice Calc (headless, no GUI), which tests/libreoffice_test.go
# uses to open, recalculate and re-save templates the way a commune office
# suite would. Idempotent: does nothing when soffice is already on PATH.
set -euo pipefail

if command -v soffice >/dev/null 2>&1; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "libreoffice.sh: soffice is missing and installing it needs root (no sudo found)" >&2
		exit 1
	fi
fi

echo "installing libreoffice-calc-nogui" >&2
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc-nogui
command -v soffice >/dev/null
