/* bsc-layers.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The numeric kernels of the engine, in forward/backward pairs.  Matrices
 * are row-major float32, one sample per row.  Backward functions
 * accumulate into parameter gradients (d... += ...); zeroing is the
 * caller's job.  Reductions run in double.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How train-mode BatchNorm maps its input a to its output h, by row
 * group: h = a scale + shift, then max (h, 0) if relu (scale and shift:
 * groups x features, as bsc_bn_forward_train gives them).  A Linear
 * layer reads its input through it instead of from h, which then need
 * not be written: bit for bit the same products. */
typedef struct
{
  const float *scale;
  const float *shift;
  gsize        group_rows;
  gboolean     relu;
} BscBnMap;

/* y (rows x out) = x (rows x in) W^T + b; W is out x in, b (out) or NULL;
 * x read through xmap if not NULL. */
void   bsc_linear_forward  (float          *y,
                            const float    *x,
                            const BscBnMap *xmap,
                            const float    *w,
                            const float    *b,
                            gsize           rows,
                            gsize           in,
                            gsize           out);
/* Gradients at or beyond 2^BSC_GRAD_LIMIT_EXP (~1e30) are refused like
 * NaN: one SGD step with them could overflow a parameter. */
#define BSC_GRAD_LIMIT_EXP 100

/* dW = dY^T X; db = colsum (dY) (if db); dX = dY W (if dx); X read
 * through xmap if not NULL.  The gradients are written, not added to: no
 * zeroing beforehand.  With dw_bounded, *dw_bounded = whether every value
 * of dW is finite and below 2^BSC_GRAD_LIMIT_EXP (bsc_all_bounded),
 * checked as dW is written. */
void   bsc_linear_backward (float          *dx,
                            float          *dw,
                            float          *db,
                            const float    *dy,
                            const float    *x,
                            const BscBnMap *xmap,
                            const float    *w,
                            gsize           rows,
                            gsize           in,
                            gsize           out,
                            gboolean       *dw_bounded);

/* sums (cols) = the column sums of m (rows x cols). */
void   bsc_colsum          (float       *sums,
                            const float *m,
                            gsize        rows,
                            gsize        cols);

#define BSC_BN_EPS 1e-5

/* Train-mode BatchNorm over `groups` stacked batches of `rows` rows (a, h
 * (groups rows) x cols), each with its own statistics: batch mean and
 * 1/sqrt (biased var + eps) into mean, invstd (groups x cols, double);
 * h = (a - mean) invstd gamma + beta, then max (h, 0) if relu; when rm is
 * not NULL the running statistics move by momentum (variance unbiased),
 * group 0 first.  h is computed as a scale + shift, scale and shift in
 * float (groups x cols): into scale and shift when not NULL (a
 * BscBnMap); h is not written when NULL. */
void   bsc_bn_forward_train (float        *h,
                             double       *mean,
                             double       *invstd,
                             const float  *a,
                             const float  *gamma,
                             const float  *beta,
                             gsize         rows,
                             guint         groups,
                             gsize         cols,
                             gboolean      relu,
                             float        *rm,
                             float        *rv,
                             double        momentum,
                             float        *scale,
                             float        *shift);
/* h = a scale + shift (then max (h, 0) if relu) by row group: the h that
 * bsc_bn_forward_train left unwritten, from its scale and shift. */
void   bsc_bn_apply         (float        *h,
                             const float  *a,
                             const float  *scale,
                             const float  *shift,
                             gsize         rows,
                             guint         groups,
                             gsize         cols,
                             gboolean      relu);
/* Eval-mode BatchNorm with the running statistics. */
void   bsc_bn_forward_eval  (float       *h,
                             const float *a,
                             const float *gamma,
                             const float *beta,
                             const float *rm,
                             const float *rv,
                             gsize        rows,
                             gsize        cols,
                             gboolean     relu);
/* Train-mode BN (+ReLU) backward over the same groups.  g ((groups rows)
 * x cols) holds dL/dh on entry and dL/da on return; a, mean, invstd,
 * gamma and beta as the forward pass had them, relu as it was given (the
 * mask h > 0 is recomputed from them, exactly).  dgamma = sum g xhat,
 * dbeta = sum g over all groups (written, not added to). */
void   bsc_bn_backward     (float        *g,
                            float        *dgamma,
                            float        *dbeta,
                            const float  *a,
                            const double *mean,
                            const double *invstd,
                            const float  *gamma,
                            const float  *beta,
                            gboolean      relu,
                            gsize         rows,
                            guint         groups,
                            gsize         cols);

/* z_i = o_i / max (|o_i|, 1e-12); norms (rows) gets max (|o_i|, 1e-12). */
void   bsc_rownorm_forward (float       *z,
                            float       *norms,
                            const float *o,
                            gsize        rows,
                            gsize        cols);
/* dO_i = (g_i - z_i (z_i . g_i)) / norms_i.  do may alias g. */
void   bsc_rownorm_backward (float       *d_o,
                             const float *g,
                             const float *z,
                             const float *norms,
                             gsize        rows,
                             gsize        cols);

/* A (rows x (rows-1)): Z Z^T without its diagonal; full (rows x rows) is
 * scratch that receives Z Z^T. */
void   bsc_affinity_forward (float       *a,
                             float       *full,
                             const float *z,
                             gsize        rows,
                             gsize        cols);
/* dZ += (G + G^T) Z where G (rows x rows, scratch) is dA scattered back
 * with a zero diagonal. */
void   bsc_affinity_backward (float       *dz,
                              float       *g_full,
                              const float *da,
                              const float *z,
                              gsize        rows,
                              gsize        cols);

/* Soft cross-entropy -(1/rows) sum_ij q_ij log softmax (s_i / tau)_j, and
 * its gradient times weight: ds = weight (r_i P_ij - q_ij) / (rows tau)
 * (written, not accumulated; ds may be NULL), *dlogtau += weight * d/d
 * log tau.  Returns the loss (unweighted). */
double bsc_soft_ce         (const float *s,
                            const float *q,
                            gsize        rows,
                            gsize        cols,
                            double       tau,
                            double       weight,
                            float       *ds,
                            double      *dlogtau);

/* SGD with momentum and weight decay over n values: d = g + wd p;
 * m = d if first, else momentum m + d; p -= lr m. */
void   bsc_sgd             (float       *p,
                            float       *m,
                            const float *g,
                            gsize        n,
                            double       lr,
                            double       momentum,
                            double       weight_decay,
                            gboolean     first);

/* TRUE if every value is finite. */
gboolean bsc_all_finite    (const float *v,
                            gsize        n);

/* TRUE if every |v| < 2^max_exp (so NaN and infinity fail too). */
gboolean bsc_all_bounded   (const float *v,
                            gsize        n,
                            int          max_exp);

/* v (n) = 0 (a memset split over the engine's threads). */
void     bsc_zero          (float       *v,
                            gsize        n);

G_END_DECLS
