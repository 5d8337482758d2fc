/* bsc-sizes-view.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-run-view.h"

G_BEGIN_DECLS

#define BSC_TYPE_SIZES_VIEW (bsc_sizes_view_get_type ())
G_DECLARE_FINAL_TYPE (BscSizesView, bsc_sizes_view, BSC, SIZES_VIEW, GtkBox)

G_END_DECLS
