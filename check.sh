#!/bin/sh
# check.sh - the whole test suite, from a fresh clone, as root on Debian
# bookworm: installs what is missing, builds, then runs unit, integration,
# simulator and VM tests.  Ends with "N passed, M failed[, K skipped]".
set -eu
cd "$(dirname "$0")"
./setup.sh --no-demo
make check
