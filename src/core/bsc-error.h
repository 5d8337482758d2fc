/* bsc-error.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BSC_ERROR (bsc_error_quark ())

typedef enum
{
  BSC_ERROR_FAILED,        /* anything else */
  BSC_ERROR_INVALID_ARG,   /* a configuration value out of range */
  BSC_ERROR_INVALID_DATA,  /* a file or matrix that cannot be used */
  BSC_ERROR_TOO_FEW,       /* fewer samples than a batch or than clusters */
  BSC_ERROR_LAPACK,        /* a LAPACK routine returned info != 0 */
  BSC_ERROR_NUMERIC,       /* NaN or infinity in a loss or parameter */
  BSC_ERROR_NO_MEMORY,     /* an allocation failed */
  BSC_ERROR_CANCELLED,     /* the caller cancelled */
  BSC_ERROR_IO,            /* reading or writing a file failed */
} BscErrorCode;

GQuark bsc_error_quark (void);

G_END_DECLS
