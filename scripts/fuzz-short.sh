#!/usr/bin/env bash
# Runs every fuzz target of the decoders for a few seconds each (go runs one
# target per invocation) and fails if any of them finds a crasher. A crasher
# is written by go to <package>/testdata/fuzz/<target>/ and replays in every
# later `go test` until fixed.
#
#   scripts/fuzz-short.sh              # 5 s per target
#   FUZZTIME=2m scripts/fuzz-short.sh  # longer (see tests/corpus/README.md)
#
# FuzzOpenXLS makes its seed files with LibreOffice (soffice), as its unit
# tests do: run `make tools` first.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-5s}"
targets=(
	"./pipeline/workbook FuzzOpenCSV"
	"./pipeline/workbook FuzzOpenXLSX"
	"./pipeline/workbook FuzzOpenXLS"
	"./pipeline/legacy FuzzDecode"
	"./pipeline/legacy FuzzDetect"
	"./pipeline/ingest FuzzReadAndValidate"
)

failed=()
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "== $name ($pkg, $fuzztime)"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg"; then
		failed+=("$name")
	fi
done

if [ "${#failed[@]}" -gt 0 ]; then
	echo "fuzz-short: crashers or failures in: ${failed[*]} (inputs under <package>/testdata/fuzz/)" >&2
	exit 1
fi
echo "fuzz-short: ${#targets[@]} targets, no crasher"
