/* bsc-polar.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The polar factor O = U V^T of E (rows x cols, rows >= cols, row-major):
 * the matrix with orthonormal columns nearest to E.  Rank-deficient E
 * gives a finite O (directions of zero singular value are dropped or
 * completed, never NaN).  svals (cols) may be NULL. */
gboolean bsc_polar (const float *e,
                    gsize        rows,
                    gsize        cols,
                    float       *o,
                    float       *svals,
                    GError     **error);

G_END_DECLS
