#!/usr/bin/env bash
# Installs poppler-utils (pdftotext, pdftoppm), with which the report tests
# read the printed PDF pages back. Chromium, which prints the HTML report,
# comes from chromium.sh. Idempotent: does nothing when pdftotext is on PATH.
set -euo pipefail

if command -v pdftotext >/dev/null 2>&1; then
	exit 0
fi
"$(dirname "$0")/apt-install.sh" report-tools.sh poppler-utils
command -v pdftotext >/dev/null
