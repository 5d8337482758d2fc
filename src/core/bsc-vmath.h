/* bsc-vmath.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the engine: vectorised exponentials for the Sinkhorn targets
 * and the soft cross-entropy (bsc_soft_ce, declared in bsc-layers.h), the
 * same bits with or without AVX-512 (see bsc-vmath.c).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* dst[i] = exp (src[i]) within 2 ulp; 0 below -708, infinity above 709. */
void _bsc_exp                (double       *dst,
                              const double *src,
                              gsize         n);

/* TRUE: the portable loops even where AVX-512 runs (for the tests). */
void _bsc_vmath_set_portable (gboolean      portable);

G_END_DECLS
