#!/usr/bin/env bash
# Installs what the report tests use to look at printed pages: poppler-utils
# (pdftotext, pdftoppm) to read the PDF pages back, and Chromium to print
# the HTML report. Idempotent: does nothing when both are on PATH.
set -euo pipefail

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "report-tools.sh: ${need[*]} missing and installing needs root (no sudo found)" >&2
		exit 1
	fi
fi

echo "installing ${need[*]}" >&2
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
command -v pdftotext >/dev/null
