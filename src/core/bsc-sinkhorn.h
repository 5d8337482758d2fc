/* bsc-sinkhorn.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sinkhorn-Knopp target of scores S (rows x cols, row-major) into Q (same
 * layout; rows of Q sum to 1), as in BOOTSC.md step 7, with the global max
 * of S subtracted before exp; computed in double (falling back to the log
 * domain when scores lie so far apart that exp underflows a whole row). */
void bsc_sinkhorn (const float *scores,
                   gsize        rows,
                   gsize        cols,
                   double       epsilon,
                   guint        iterations,
                   float       *target);

G_END_DECLS
