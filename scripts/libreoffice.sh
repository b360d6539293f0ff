#!/usr/bin/env bash
# Installs LibreOffice Calc (headless, no GUI), which tests/libreoffice_test.go
# uses to open, recalculate and re-save templates the way a commune office
# suite would. Idempotent: does nothing when soffice is already on PATH.
set -euo pipefail

if command -v soffice >/dev/null 2>&1; then
	exit 0
fi
"$(dirname "$0")/apt-install.sh" libreoffice.sh libreoffice-calc-nogui
command -v soffice >/dev/null
