/* bsc-error.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "bsc-error.h"

G_DEFINE_QUARK (bsc-error-quark, bsc_error)
