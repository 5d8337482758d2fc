#!/bin/sh
# check-screenshots.sh METAINFO
#
# Copyright 2026 The BootSC Explorer authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every screenshot the metainfo names by URL under the repository's
# data/screenshots/ exists there as a PNG of the width and height declared.
set -eu
metainfo=$1
src=${BSC_SOURCE_DIR:?}
url=https://github.com/bootsc/explorer/raw/main/
status=0
n=0

grep -o '<image[^>]*>[^<]*</image>' "$metainfo" > "${TMPDIR:-/tmp}/shots.$$"
while IFS= read -r tag; do
  path=${tag#*>}; path=${path%%<*}
  case "$path" in
    "$url"*) file=$src/${path#"$url"} ;;
    *) echo "screenshot not in the repository: $path"; status=1; continue ;;
  esac
  want_w=$(echo "$tag" | sed -n 's/.*width="\([0-9]*\)".*/\1/p')
  want_h=$(echo "$tag" | sed -n 's/.*height="\([0-9]*\)".*/\1/p')
  if ! [ -f "$file" ]; then
    echo "missing: $file"; status=1; continue
  fi
  # PNG: 8-byte signature, IHDR length and type, then width and height (BE).
  size=$(od -An -tu1 -j16 -N8 "$file" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }')
  if [ "$size" != "${want_w}x${want_h}" ]; then
    echo "$file is $size, the metainfo says ${want_w}x${want_h}"; status=1
  else
    echo "ok: ${file#"$src"/} $size"
  fi
  n=$((n + 1))
done < "${TMPDIR:-/tmp}/shots.$$"
rm -f "${TMPDIR:-/tmp}/shots.$$"
[ $n -gt 0 ] || { echo "the metainfo names no screenshot"; exit 1; }
exit $status
