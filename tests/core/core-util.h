/* core-util.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers shared by the engine tests: reading the PyTorch fixtures copied
 * into tests/fixtures and comparing arrays with the manifest's rule
 *   max |got - golden| <= rtol max |golden| + atol.
 */

#pragma once

#include <glib.h>

#include "bsc-config.h"
#include "bsc-model.h"

G_BEGIN_DECLS

/* set/f64/NAME.npy (golden) or set/NAME.npy, as float; n gets its size. */
float    *fx_load        (const char *set,
                          const char *name,
                          gboolean    f64,
                          gsize      *n);
/* Compares got (n) with the golden set/f64/name; logs and records a
 * failure (see fx_failures) when outside the limit.  Returns err/limit. */
double    fx_check       (const char  *set,
                          const char  *name,
                          const float *got,
                          gsize        n,
                          double       rtol,
                          double       atol);
guint     fx_failures    (void);
void      fx_reset       (void);
/* The config of a step set (config.json) with the set's widths. */
void      fx_config      (const char *set,
                          BscConfig  *config);
/* A model with every init_ tensor of the set loaded. */
BscModel *fx_model       (const char *set);

/* TRUE when the polar factor takes its default route, the float SVD
 * (not BSC_POLAR=gram, the double Gram route). */
gboolean  polar_by_svd   (void);

/* Largest |a - b| over n. */
double    max_abs_diff   (const float *a,
                          const float *b,
                          gsize        n);

G_END_DECLS
