#!/bin/sh
# take-screenshots.sh PREFIX [SECONDS]
#
# Copyright 2026 The BootSC Explorer authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Retakes the metainfo screenshots in this folder: starts the explorer
# installed in PREFIX on the bundled sample under Xvfb, lets it train for
# SECONDS (default 110, enough for the 20 default epochs on 2 cores), then
# shows four views in turn and saves each 1400x900 window.  Needs xvfb-run,
# xdotool and ImageMagick's import.
set -eu
prefix=$(cd "$1" && pwd)
wait=${2:-110}
out=$(cd "$(dirname "$0")" && pwd)

if [ -z "${DISPLAY:-}" ] || [ "${TAKE_SCREENSHOTS_INNER:-}" != 1 ]; then
  TAKE_SCREENSHOTS_INNER=1 exec xvfb-run -a -s '-screen 0 1600x1000x24' \
    "$0" "$prefix" "$wait"
fi

export XDG_DATA_DIRS="$prefix/share:/usr/local/share:/usr/share"
export GSETTINGS_BACKEND=memory GTK_A11Y=none NO_AT_BRIDGE=1
"$prefix/bin/bootsc-explorer" --start &
pid=$!
sleep 3
xdotool mousemove 1550 980   # keep the pointer (and its tooltips) off the window
sleep "$wait"
win=$(xdotool search --pid $pid | tail -1)
for view in 1:curves 4:clusters 2:affinity 3:map; do
  xdotool windowfocus --sync "$win" 2>/dev/null || true
  xdotool key --window "$win" "alt+${view%%:*}"
  sleep 3
  import -window root -crop 1400x900+0+0 +repage -strip "PNG24:$out/${view#*:}.png"
done
kill $pid
