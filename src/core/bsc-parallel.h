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

/* While serial is TRUE, parallel loops called from this thread run in it
 * as one chunk, leaving the workers to other threads' loops (a map laid
 * out beside training).  Returns the previous setting. */
gboolean _bsc_parallel_set_serial_here (gboolean   serial);

/* n independent tasks side by side (each may make small serial BLAS
 * calls; parallel loops inside them run serially). */
void  _bsc_parallel_tasks       (gsize        n,
                                 BscRangeFunc func,
                                 gpointer     data);

/* Per-thread scratch memory for the numeric kernels, one buffer per slot,
 * grown as needed and kept until the thread ends: large temporaries
 * allocated per call come from fresh pages (glibc maps them and returns
 * them on free), a hundred page faults a call.  The contents are
 * undefined; valid until the next call for the same slot in the same
 * thread.  NULL when out of memory. */
typedef enum
{
  BSC_SCRATCH_POLAR,
  BSC_SCRATCH_SINKHORN,
  BSC_SCRATCH_GEMM_A,
  BSC_SCRATCH_GEMM_B,
  BSC_N_SCRATCH
} BscScratchSlot;

gpointer _bsc_scratch           (BscScratchSlot slot,
                                 gsize          bytes);

/* Large arrays the kernels walk across (activations, parameters and
 * their gradients): aligned to 2 MiB and marked for transparent huge
 * pages where the system offers them, so strided passes (BatchNorm's
 * column blocks, the products' packing) do not miss the TLB every row.
 * Contents undefined (zeroed with _bsc_big_alloc0); NULL when out of
 * memory; freed with g_free. */
gpointer _bsc_big_alloc         (gsize          bytes);
gpointer _bsc_big_alloc0        (gsize          bytes);

G_END_DECLS
