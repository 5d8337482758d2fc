/* bsc-parallel.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the engine: a parallel for over an index range, for the
 * elementwise kernels between matrix products.  The range is cut into as
 * many equal chunks as there are threads, at fixed boundaries, and each
 * chunk writes only its own indices, so results do not depend on which
 * thread runs which chunk.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*BscRangeFunc) (gsize    begin,
                              gsize    end,
                              gpointer data);

/* Threads used by _bsc_parallel_for (1 = run inline). */
void  _bsc_parallel_set_threads (guint        n);
guint _bsc_parallel_get_threads (void);
/* Runs func over [0, n) in chunks whose boundaries are multiples of align;
 * ranges shorter than min_work run inline as one chunk. */
void  _bsc_parallel_for         (gsize        n,
                                 gsize        align,
                                 gsize        min_work,
                                 BscRangeFunc func,
                                 gpointer     data);

/* n independent tasks side by side (each may make small serial BLAS
 * calls; parallel loops inside them run serially). */
void  _bsc_parallel_tasks       (gsize        n,
                                 BscRangeFunc func,
                                 gpointer     data);

G_END_DECLS
