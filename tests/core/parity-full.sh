#!/bin/sh
# parity-full.sh TEST_FIXTURES [REFERENCE_DIR]: reference parity of one
# training step at the authors' widths.  Generates the set with PyTorch
# (make-full-fixture.py, a few seconds) into a temporary folder and runs
# test-fixtures' /fixtures/step1-full on it.  Exits 77 (skipped) without
# Debian's python3-torch or the reference.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
test_fixtures=$1
ref=${2:-$(dirname "$0")/../../../shared/reference}
here=$(dirname "$0")

if ! /usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null \
   || [ ! -r "$ref/make_fixtures.py" ]; then
  echo "1..0 # SKIP python3-torch, python3-sklearn or $ref/make_fixtures.py is missing"
  exit 0
fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
set_dir=$(/usr/bin/python3 "$here/make-full-fixture.py" "$dir" "$ref" | tail -n 1) || exit 1
BSC_FULL_FIXTURE=$set_dir "$test_fixtures" -p /fixtures/step1-full
