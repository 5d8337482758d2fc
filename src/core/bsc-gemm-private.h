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

/* An operand read through train-mode BatchNorm's affine map (and ReLU)
 * as it is packed: X' = max (X scale + shift, 0), what the BatchNorm
 * would have written as h, bit for bit.  X as stored has samples for rows
 * and features for columns (A not transposed, B not transposed). */
typedef struct
{
  const float *scale;        /* groups x features, rows ld apart */
  const float *shift;
  gsize        ld;
  gsize        group_rows;   /* sample s in group s / group_rows */
  gsize        row0;         /* the sample of X's first row */
  gsize        col0;         /* the feature of X's first column */
  gboolean     relu;
} BscPackMap;

/* The optional parts of a product. */
typedef struct
{
  const float      *bias;    /* n: + bias in every row instead of beta C */
  const BscPackMap *map_a;   /* A read through it */
  const BscPackMap *map_b;   /* B read through it */
  /* not 0: over = whether a value of C reaches it in magnitude (the bits
   * of a positive float; NaN and infinity reach every limit), checked as
   * the kernel stores C */
  guint32           limit;
  gboolean          over;
} BscGemmExtra;

/* Row-major C (m x n) = op (A) op (B) + beta C, serial; op (A) m x k, op
 * (B) k x n; x (or NULL) adds its parts.  FALSE (C untouched) when the
 * packing buffers cannot be allocated, or k is 0.  Only when
 * _bsc_gemm_avx512_usable (). */
#if BSC_HAVE_AVX512_GEMM
gboolean _bsc_sgemm_avx512 (gboolean      trans_a,
                            gboolean      trans_b,
                            gsize         m,
                            gsize         n,
                            gsize         k,
                            const float  *a,
                            gsize         lda,
                            const float  *b,
                            gsize         ldb,
                            float         beta,
                            float        *c,
                            gsize         ldc,
                            BscGemmExtra *x);
#else
/* never called: _bsc_gemm_avx512_usable () is FALSE */
#define _bsc_sgemm_avx512(...) FALSE
#endif

G_END_DECLS
