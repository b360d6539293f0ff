#!/usr/bin/env bash
# Installs Debian packages for the tests (the other scripts here decide
# what is missing): as root, or through sudo; waits for another apt run's
# lock instead of failing.
# Usage: apt-install.sh CALLER PACKAGE...
set -euo pipefail

caller=$1
shift
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "$caller: $* missing and installing needs root (no sudo found)" >&2
		exit 1
	fi
fi

echo "installing $*" >&2
$sudo apt-get -o DPkg::Lock::Timeout=600 update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
