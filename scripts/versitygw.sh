#!/usr/bin/env bash
# Installs versitygw, the S3-compatible server the storage tests run against
# (pipeline/storage/s3test), into <repo>/.tools/bin. Idempotent: does nothing
# when the binary there was already built from the pinned version.
set -euo pipefail

VERSION=v1.8.0
MODULE=github.com/versity/versitygw

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin/versitygw"

# `versitygw --version` prints "git" for `go install` builds, so read the
# module version from the build info instead.
if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
	grep -Eq "^[[:space:]]+mod[[:space:]]+$MODULE[[:space:]]+$VERSION([[:space:]]|\$)"; then
	exit 0
fi

echo "installing versitygw $VERSION into $root/.tools/bin" >&2
GOBIN="$root/.tools/bin" go install "$MODULE/cmd/versitygw@$VERSION"
