#!/usr/bin/env bash
# Runs every fuzz target of the decoders for a few seconds each (go runs one
# target per invocation) and fails if any of them finds a crasher. A crasher
# is written by go to <package>/testdata/fuzz/<target>/ and replays in every
# later `go test` until fixed.
#
#   scripts/fuzz-short.sh              # 5 s per target
#   FUZZTIME=2m scripts/fuzz-short.sh  # longer (see tests/corpus/README.md)
#   FUZZPARALLEL=2 scripts/fuzz-short.sh
#
# Made not to fail on a loaded machine, where a run finds nothing:
#  - one worker (-parallel 1, FUZZPARALLEL): on 2 shared cores more workers
#    only starve each other;
#  - -fuzzminimizetime 100x: minimizing each new input runs until a time
#    limit (60 s by default; a 2 s limit still cost 2 s per input), during
#    which the worker runs nothing else and reports no executions. With
#    inputs of a few KB nearly every mutation is new at first, so
#    FuzzOpenXLS made 11-20 executions per 5 s; a count of 100 calls per
#    minimization keeps it above 1,000/s (tests/corpus/README.md);
#  - Go 1.26's coordinator can end a run that found nothing with a bare
#    "context deadline exceeded" when a worker answers late at the end of
#    the -fuzztime window (go.dev/issue/75804, fixed in Go 1.27). Such a run
#    counts as passed only if it wrote no crasher and the target's whole
#    corpus (seeds and testdata/fuzz) then replays clean. Any other failure,
#    or any written input, fails the script.
#  - a fresh fuzz cache per run (FUZZCACHE to reuse one): Go keeps every
#    input a run found interesting in its build cache and replays all of them
#    before fuzzing. After a long campaign that is 1,000-1,600 inputs per
#    target, and on a loaded machine a short window passed having gathered
#    baseline coverage only, fuzzing nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-5s}"
parallel="${FUZZPARALLEL:-1}"
targets=(
	"./pipeline/workbook FuzzOpenCSV"
	"./pipeline/workbook FuzzOpenXLSX"
	"./pipeline/workbook FuzzOpenXLS"
	"./pipeline/workbook FuzzBIFFStream"
	"./pipeline/workbook FuzzSheetXML"
	"./pipeline/workbook FuzzSharedStrings"
	"./pipeline/workbook FuzzCSVFields"
	"./pipeline/workbook FuzzOpenMarkup"
	"./pipeline/legacy FuzzDecode"
	"./pipeline/legacy FuzzDetect"
	"./pipeline/ingest FuzzReadAndValidate"
)

# corpus_count prints how many inputs the target's testdata/fuzz holds.
corpus_count() {
	local dir="$1/testdata/fuzz/$2"
	if [ -d "$dir" ]; then find "$dir" -type f | wc -l; else echo 0; fi
}

failed=()
log="$(mktemp)"
cache="${FUZZCACHE:-$(mktemp -d)}"
trap 'rm -f "$log"; [ -n "${FUZZCACHE:-}" ] || rm -rf "$cache"' EXIT
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "== $name ($pkg, $fuzztime, $parallel worker(s))"
	before=$(corpus_count "$pkg" "$name")
	if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime="${FUZZMINIMIZE:-100x}" \
		-parallel="$parallel" "$pkg" -args -test.fuzzcachedir="$cache/$name" 2>&1 | tee "$log"; then
		continue
	fi
	after=$(corpus_count "$pkg" "$name")
	if [ "$after" = "$before" ] && grep -q '^    context deadline exceeded$' "$log" &&
		! grep -q 'Failing input written' "$log"; then
		echo "fuzz-short: $name ended with Go's end-of-window deadline race and wrote nothing; replaying its corpus"
		if go test -run="^${name}\$" -count=1 "$pkg"; then
			continue
		fi
	fi
	failed+=("$name")
done

if [ "${#failed[@]}" -gt 0 ]; then
	echo "fuzz-short: crashers or failures in: ${failed[*]} (inputs under <package>/testdata/fuzz/)" >&2
	exit 1
fi
echo "fuzz-short: ${#targets[@]} targets, no crasher"
