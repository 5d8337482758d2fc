#!/usr/bin/env bash
# tools/test.sh: install what is missing, build in build-test/, run every test
# (GUI ones under a virtual X server) and print "N passed, N failed", counting
# each TAP test case.  Exit status is meson's.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh || exit 1
builddir=${BUILDDIR:-build-test}
[ -d "$builddir" ] || meson setup "$builddir" || exit 1
meson compile -C "$builddir" || exit 1

export GSETTINGS_BACKEND=memory
export GSK_RENDERER=cairo
xvfb-run -a -s '-screen 0 1600x1000x24' dbus-run-session -- \
  meson test -C "$builddir" --print-errorlogs --num-processes 2 \
  --timeout-multiplier 3 "$@"
status=$?

python3 tools/count-tests.py "$builddir/meson-logs/testlog.json"
exit $status
