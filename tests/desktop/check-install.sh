#!/bin/sh
# check-install.sh APP_ID DEVELOPMENT GUI
#
# Copyright 2026 The BootSC Explorer authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Configures a second build of the source tree with a temporary prefix
# (kept under the build folder, so later runs rebuild incrementally),
# installs it, checks that every installed file is in place and runs the
# installed `bootsc inspect`, which must find the installed sample through
# PKGDATADIR, and the installed explorer under Xvfb.
set -eu
app_id=$1
development=$2
gui=$3
src=${BSC_SOURCE_DIR:?}
build=${BSC_BUILD_DIR:?}
work=$build/tests/desktop/install
prefix=$work/prefix
status=0

if ! [ -f "$work/build/build.ninja" ]; then
  meson setup "$work/build" "$src" --prefix="$prefix" --buildtype=debug \
    -Ddevelopment="$development" -Dgui="$([ "$gui" = true ] && echo enabled || echo disabled)" \
    > "$work.log" 2>&1 || { cat "$work.log"; exit 1; }
fi
ninja -C "$work/build" -j2 > "$work.log" 2>&1 || { cat "$work.log"; exit 1; }
rm -rf "$prefix"
meson install -C "$work/build" --no-rebuild > "$work.log" 2>&1 || { cat "$work.log"; exit 1; }

expect () {
  if [ -e "$prefix/$1" ]; then
    echo "ok: $1"
  else
    echo "missing: $prefix/$1"
    status=1
  fi
}
expect bin/bootsc
expect "share/locale/de/LC_MESSAGES/bootsc-explorer.mo"
expect "share/applications/$app_id.desktop"
expect "share/metainfo/$app_id.metainfo.xml"
expect "share/icons/hicolor/scalable/apps/$app_id.svg"
expect "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
expect "share/man/man1/bootsc.1"
expect "share/man/man1/bootsc-explorer.1"
expect "share/bootsc-explorer/sample"
if [ "$gui" = true ]; then
  expect bin/bootsc-explorer
  expect "share/glib-2.0/schemas/gschemas.compiled"
  XDG_DATA_DIRS="$prefix/share" gsettings list-keys "$app_id" > /dev/null || {
    echo "schema $app_id is not installed"; status=1; }
fi
[ $status -eq 0 ] || exit 1

# The installed CLI finds the installed sample (not the source tree's).
unset BSC_SAMPLE_DIR
out=$(cd / && "$prefix/bin/bootsc" inspect 2>&1) || { echo "$out"; exit 1; }
echo "$out" | head -20
case "$out" in
  *"$prefix/share/bootsc-explorer/sample"*) ;;
  *) echo "bootsc inspect did not report the installed sample"; exit 1 ;;
esac

export XDG_DATA_DIRS="$prefix/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"

# The installed explorer starts from the prefix (its schema, GResource UI
# and the sample found there): under Xvfb its window title names the
# bundled sample once loaded.
if [ "$gui" = true ]; then
  xvfb-run -a -s '-screen 0 1400x900x24' sh -c '
    "$1" & pid=$!
    for i in $(seq 60); do
      sleep 1
      if xwininfo -root -tree | grep -qi "\"[^\"]*sample[^\"]* — BootSC Explorer\""; then
        echo "the installed explorer shows the sample after ${i} s"
        kill $pid; exit 0
      fi
      kill -0 $pid 2>/dev/null || { echo "bootsc-explorer exited"; exit 1; }
    done
    echo "no window showing the sample after 60 s:"
    xwininfo -root -tree | grep -i bootsc
    kill $pid; exit 1' sh "$prefix/bin/bootsc-explorer" || exit 1
fi

# The installed programs find their translations through LOCALEDIR: under
# LANGUAGE=de their --help shows one of de.po's translations.  (C.UTF-8 is
# a locale every system has; gettext honours LANGUAGE over it.)
grep '^msgstr "..........' "$src/po/de.po" | sed 's/^msgstr "//; s/"$//' \
  > "$work.msgstr"
speaks_german () {
  LANGUAGE=de LC_ALL=C.UTF-8 "$@" --help > "$work.help" 2>&1 || true
  while IFS= read -r line; do
    if grep -qF -- "$line" "$work.help"; then
      echo "German: $line"
      return 0
    fi
  done < "$work.msgstr"
  echo "no German in: $*"
  cat "$work.help"
  return 1
}
if [ "$gui" = true ]; then
  speaks_german "$prefix/bin/bootsc-explorer" || exit 1
fi
if grep -rqE '(^|[^A-Za-z0-9_])N?_\("' "$src/src/cli"; then
  speaks_german "$prefix/bin/bootsc" || exit 1
fi
