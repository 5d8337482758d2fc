#!/usr/bin/env bash
# tools/run.sh: install what is missing, build, and open BootSC Explorer on the
# bundled sample.  `tools/run.sh --cli` trains on the sample with the bootsc
# command instead (results in ./bootsc-sample-run).  Extra arguments go to the
# program.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build

if [ "${1:-}" = "--cli" ]; then
  shift
  exec ./build/src/cli/bootsc train --out bootsc-sample-run --preset small --epochs 20 "$@"
fi
# Uninstalled: use the settings schema compiled into the build folder.
export GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec ./build/src/app/bootsc-explorer "$@"
