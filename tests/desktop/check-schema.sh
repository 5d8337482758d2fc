#!/bin/sh
# check-schema.sh APP_ID
#
# Copyright 2026 The BootSC Explorer authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Compiles the GSettings schema with --strict and checks that it holds a
# schema whose id is the application id.
set -eu
app_id=$1
src=${BSC_SOURCE_DIR:?}
build=${BSC_BUILD_DIR:?}

# A configured schema (from a .gschema.xml.in) wins over the source file.
dir=$build/data
ls "$dir"/*.gschema.xml >/dev/null 2>&1 || dir=$src/data
if ! ls "$dir"/*.gschema.xml >/dev/null 2>&1; then
  echo "no GSettings schema in data/" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$dir"/*.gschema.xml "$tmp"/
glib-compile-schemas --strict "$tmp"
if ! gsettings --schemadir "$tmp" list-keys "$app_id" >/dev/null; then
  echo "no schema with id $app_id in $dir" >&2
  exit 1
fi
echo "schema $app_id: $(gsettings --schemadir "$tmp" list-keys "$app_id" | wc -l) keys"
