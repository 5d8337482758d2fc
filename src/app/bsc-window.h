/* bsc-window.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-application.h"

G_BEGIN_DECLS

#define BSC_TYPE_WINDOW (bsc_window_get_type ())
G_DECLARE_FINAL_TYPE (BscWindow, bsc_window, BSC, WINDOW, GtkApplicationWindow)

BscWindow *bsc_window_new          (BscApplication *app);
/* Opens the last collection, else the bundled sample. */
void       bsc_window_open_default (BscWindow      *self,
                                    gboolean        start);
void       bsc_window_open_file    (BscWindow      *self,
                                    GFile          *file,
                                    gboolean        start);

G_END_DECLS
