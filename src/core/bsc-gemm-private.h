/* bsc-gemm-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#include "bsc-cpu.h"

#define BSC_HAVE_AVX512_GEMM BSC_HAVE_AVX512

/* Whether this processor (and operating system) runs _bsc_sgemm_avx512,
 * and the environment does not ask for OpenBLAS (BSC_GEMM=openblas). */
gboolean _bsc_gemm_avx512_usable (void);

/* Row-major C (m x n) = op (A) op (B) + beta C, serial; op (A) m x k, op
 * (B) k x n; with bias (n, beta 0), + bias in every row instead.  FALSE
 * (C untouched) when the packing buffers cannot be allocated, or k is 0.
 * Only when _bsc_gemm_avx512_usable ().  With over, *over = whether a
 * value of C reaches limit in magnitude (limit: the bits of a positive
 * float; NaN and infinity reach every limit), checked as the kernel
 * stores C. */
#if BSC_HAVE_AVX512_GEMM
gboolean _bsc_sgemm_avx512 (gboolean     trans_a,
                            gboolean     trans_b,
                            gsize        m,
                            gsize        n,
                            gsize        k,
                            const float *a,
                            gsize        lda,
                            const float *b,
                            gsize        ldb,
                            float        beta,
                            const float *bias,
                            float       *c,
                            gsize        ldc,
                            guint32      limit,
                            gboolean    *over);
#else
/* never called: _bsc_gemm_avx512_usable () is FALSE */
#define _bsc_sgemm_avx512(...) FALSE
#endif

G_END_DECLS
