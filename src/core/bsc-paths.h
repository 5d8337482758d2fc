/* bsc-paths.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when this program runs from its build folder (not installed):
 * then translations and icons come from the build and source trees. */
gboolean    bsc_paths_uninstalled (void);
/* The folder to bind the gettext domain to. */
const char *bsc_paths_locale_dir  (void);
/* The folder holding the hicolor icons when uninstalled, else NULL. */
const char *bsc_paths_icon_dir    (void);

G_END_DECLS
