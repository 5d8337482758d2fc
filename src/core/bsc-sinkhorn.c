/* bsc-sinkhorn.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sinkhorn-Knopp balancing of a score matrix into a soft assignment whose
 * rows sum to one and whose columns carry equal mass (BOOTSC.md step 7).
 * Computed in double after subtracting the global maximum, which is exact
 * (the first normalisation divides the scale away) and keeps exp finite.
 * When scores lie so far apart that a whole row or column underflows to
 * zero, the same iteration is redone in the log domain, so the result is
 * always finite for finite scores.
 */

/* The elementwise loops and lane sums vectorise at -O3 only. */
#pragma GCC optimize ("O3")

#include <math.h>

#include "bsc-parallel.h"
#include "bsc-sinkhorn.h"
#include "bsc-vmath.h"

#define LANES 8

/* The sum of v[0..n) in LANES interleaved partial sums: one chain of
 * dependent additions would take four cycles per element; lanes
 * vectorise.  The order is fixed, so results are deterministic. */
static double
sum_lanes (const double *v,
           gsize         n)
{
  double lane[LANES] = { 0.0 }, total = 0.0;
  gsize i = 0;

  for (; i + LANES <= n; i += LANES)
    for (guint l = 0; l < LANES; l++)
      lane[l] += v[i + l];
  for (; i < n; i++)
    lane[0] += v[i];
  for (guint l = 0; l < LANES; l++)
    total += lane[l];
  return total;
}

/* The largest of v[0..n) (NaN if one is), in LANES interleaved maxima
 * (max is exact: the order does not matter). */
static float
max_lanes (const float *v,
           gsize        n)
{
  float lane[LANES], m;
  gboolean nan = FALSE;
  gsize i = 0;

  for (guint l = 0; l < LANES; l++)
    lane[l] = -INFINITY;
  for (; i + LANES <= n; i += LANES)
    for (guint l = 0; l < LANES; l++)
      {
        lane[l] = MAX (lane[l], v[i + l]);
        nan |= isnan (v[i + l]);
      }
  for (; i < n; i++)
    {
      lane[0] = MAX (lane[0], v[i]);
      nan |= isnan (v[i]);
    }
  m = lane[0];
  for (guint l = 1; l < LANES; l++)
    m = MAX (m, lane[l]);
  return nan ? NAN : m;
}

/* Q is kept as in the reference: K x B (cols x rows of S), element (m, b)
 * at q[b * cols + m], i.e. S's own layout, so "row m of Q" is column m
 * here.  Returns FALSE if a normalising sum was zero or not finite. */
static gboolean
sinkhorn_linear (double *q,
                 gsize   rows,
                 gsize   cols,
                 guint   iterations,
                 double *colsum)
{
  double total = sum_lanes (q, rows * cols), scale;

  if (!(total > 0.0) || !isfinite (total))
    return FALSE;
  scale = 1.0 / total;
  for (gsize i = 0; i < rows * cols; i++)
    q[i] *= scale;
  for (guint it = 0; it < iterations; it++)
    {
      /* Each cluster m (a row of Q) over the samples. */
      for (gsize m = 0; m < cols; m++)
        colsum[m] = 0.0;
      for (gsize b = 0; b < rows; b++)
        for (gsize m = 0; m < cols; m++)
          colsum[m] += q[b * cols + m];
      for (gsize m = 0; m < cols; m++)
        {
          if (!(colsum[m] > 0.0) || !isfinite (colsum[m]))
            return FALSE;
          colsum[m] = 1.0 / colsum[m];
        }
      /* Then each sample b (a column of Q) over the clusters, and / B. */
      for (gsize b = 0; b < rows; b++)
        {
          double *qb = q + b * cols;
          double s;

          for (gsize m = 0; m < cols; m++)
            qb[m] *= colsum[m];
          s = sum_lanes (qb, cols);
          if (!(s > 0.0) || !isfinite (s))
            return FALSE;
          s = 1.0 / (s * rows);
          for (gsize m = 0; m < cols; m++)
            qb[m] *= s;
        }
    }
  return TRUE;
}

static double
logsumexp_strided (const double *v,
                   gsize         n,
                   gsize         stride)
{
  double m = -INFINITY, s = 0.0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, v[i * stride]);
  if (!isfinite (m))
    return m;
  for (gsize i = 0; i < n; i++)
    s += exp (v[i * stride] - m);
  return m + log (s);
}

/* The same iteration on log Q: every division becomes a subtraction of a
 * log-sum-exp, which never underflows to an empty row. */
static void
sinkhorn_log (double *lq,
              gsize   rows,
              gsize   cols,
              guint   iterations)
{
  double total = logsumexp_strided (lq, rows * cols, 1);
  double log_b = log ((double) rows);

  for (gsize i = 0; i < rows * cols; i++)
    lq[i] -= total;
  for (guint it = 0; it < iterations; it++)
    {
      for (gsize m = 0; m < cols; m++)
        {
          double l = logsumexp_strided (lq + m, rows, cols);

          for (gsize b = 0; b < rows; b++)
            lq[b * cols + m] -= l;
        }
      for (gsize b = 0; b < rows; b++)
        {
          double l = logsumexp_strided (lq + b * cols, cols, 1) + log_b;

          for (gsize m = 0; m < cols; m++)
            lq[b * cols + m] -= l;
        }
    }
}

/* scores, target rows x cols (rows = samples B, cols = K).
 * Q = exp ((S - max S) / eps); Q /= sum Q; repeat: Q[:, m] /= sum_b Q[b, m];
 * Q[b, :] /= sum_m Q[b, m]; Q /= B; finally Q *= B (rows sum to 1). */
void
bsc_sinkhorn (const float *scores,
              gsize        rows,
              gsize        cols,
              double       epsilon,
              guint        iterations,
              float       *target)
{
  g_autofree double *owned = NULL;
  double *q, *e, *colsum;
  gsize n = rows * cols;
  float smax;

  g_return_if_fail (scores != NULL && target != NULL);
  g_return_if_fail (epsilon > 0.0);
  if (n == 0)
    return;

  q = _bsc_scratch (BSC_SCRATCH_SINKHORN, (2 * n + cols) * sizeof (double));
  if (q == NULL)
    q = owned = g_new (double, 2 * n + cols);   /* aborts as g_new does */
  e = q + n;
  colsum = e + n;
  smax = max_lanes (scores, n);
  for (gsize i = 0; i < n; i++)
    q[i] = ((double) scores[i] - smax) * (1.0 / epsilon);

  if (isfinite (smax))
    {
      _bsc_exp (e, q, n);
      if (sinkhorn_linear (e, rows, cols, iterations, colsum))
        {
          for (gsize i = 0; i < n; i++)
            target[i] = (float) (e[i] * rows);
          return;
        }
    }

  sinkhorn_log (q, rows, cols, iterations);
  for (gsize i = 0; i < n; i++)
    target[i] = (float) exp (q[i] + log ((double) rows));
}
