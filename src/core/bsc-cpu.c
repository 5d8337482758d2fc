/* bsc-cpu.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "bsc-cpu.h"

gboolean
_bsc_cpu_avx512 (void)
{
#if BSC_HAVE_AVX512
  static gsize usable = 0;

  if (g_once_init_enter (&usable))
    {
      gboolean yes;

      __builtin_cpu_init ();
      /* GCC's check includes the operating system's support (XCR0). */
      yes = __builtin_cpu_supports ("avx512f")
            && __builtin_cpu_supports ("avx512dq")
            && __builtin_cpu_supports ("avx512bw")
            && __builtin_cpu_supports ("avx512vl");
      g_once_init_leave (&usable, yes ? 2 : 1);
    }
  return usable == 2;
#else
  return FALSE;
#endif
}
