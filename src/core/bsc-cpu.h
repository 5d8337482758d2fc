/* bsc-cpu.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the engine: which vector instructions the kernels written for
 * them may use here.  BSC_HAVE_AVX512 says whether the compiler builds
 * such kernels at all (x86-64 with GCC's target pragmas); _bsc_cpu_avx512
 * whether this processor and operating system run them.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#if defined(__x86_64__) && defined(__GNUC__)
#define BSC_HAVE_AVX512 1
#else
#define BSC_HAVE_AVX512 0
#endif

/* AVX-512 F, DQ, BW and VL, with the registers saved by the kernel. */
gboolean _bsc_cpu_avx512 (void);

G_END_DECLS
