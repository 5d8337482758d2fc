/* bsc-rng-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two implementations behind bsc_rng_noise_and_mask, for the tests:
 * they give the same floats.  The AVX-512 one only where _bsc_cpu_avx512 ()
 * (it is the portable one where AVX-512 kernels are not built).
 */

#pragma once

#include <glib.h>

#include "bsc-cpu.h"

G_BEGIN_DECLS

void _bsc_rng_augment_portable (guint64  stream,
                                float   *x,
                                gsize    n,
                                float    std,
                                double   p);
#if BSC_HAVE_AVX512
void _bsc_rng_augment_avx512   (guint64  stream,
                                float   *x,
                                gsize    n,
                                float    std,
                                double   p);
#else
#define _bsc_rng_augment_avx512 _bsc_rng_augment_portable
#endif

G_END_DECLS
