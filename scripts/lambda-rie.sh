#!/usr/bin/env bash
# Installs the AWS Lambda Runtime Interface Emulator (aws-lambda-rie), which
# the Lambda tests run every function's real bootstrap under (ingest, portal,
# roll-up, report: tests/*_rie_test.go, tests/portal_lambda_test.go), into
# <repo>/.tools/bin. It is built from the Go module
# proxy: the project publishes no tagged Go module versions, so it is pinned
# by pseudo-version. Idempotent: does nothing when the binary there was
# built from the pinned version.
set -euo pipefail

VERSION=v0.0.0-20261030222936-bef5c4ba774d
MODULE=github.com/aws/aws-lambda-runtime-interface-emulator

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin/aws-lambda-rie"

if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
	grep -Eq "^[[:space:]]+mod[[:space:]]+$MODULE[[:space:]]+$VERSION([[:space:]]|\$)"; then
	exit 0
fi

echo "installing aws-lambda-rie $VERSION into $root/.tools/bin" >&2
GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "$MODULE/cmd/aws-lambda-rie@$VERSION"
