/* bsc-metrics.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Clustering quality against ground-truth labels, computed the way
 * scikit-learn 1.2 does, special cases included:
 *   ACC  best one-to-one matching of clusters to labels (Hungarian
 *        algorithm on the contingency table, any rectangular shape;
 *        unmatched clusters count as wrong), then accuracy;
 *   NMI  normalized_mutual_info_score with the arithmetic mean of the two
 *        entropies (two constant labelings give 1, MI 0 gives 0);
 *   ARI  adjusted_rand_score through the pair confusion matrix (no
 *        disagreeing pair gives 1).
 * Only labels and clusters that occur count, as in scikit-learn, so empty
 * clusters change nothing.
 */

#include <math.h>
#include <float.h>
#include <string.h>

#include "bsc-metrics.h"

/* The largest value in v[0..n) plus one, i.e. the number of indices. */
static guint
count_indices (const gint32 *v,
               gsize         n)
{
  gint32 top = -1;

  for (gsize i = 0; i < n; i++)
    top = MAX (top, v[i]);
  return (guint) (top + 1);
}

gsize *
bsc_metrics_contingency (const gint32 *labels,
                         guint         n_labels,
                         const gint32 *clusters,
                         guint         n_clusters,
                         gsize         n)
{
  gsize *table;

  g_return_val_if_fail (n == 0 || (labels != NULL && clusters != NULL), NULL);

  table = g_new0 (gsize, (gsize) n_labels * n_clusters + 1);
  for (gsize i = 0; i < n; i++)
    {
      g_return_val_if_fail (labels[i] >= 0 && (guint) labels[i] < n_labels,
                            table);
      g_return_val_if_fail (clusters[i] >= 0
                            && (guint) clusters[i] < n_clusters, table);
      table[(gsize) clusters[i] * n_labels + labels[i]]++;
    }
  return table;
}

/* Working state of the Hungarian algorithm (1-based, column 0 is the
 * virtual start). */
typedef struct
{
  const double *cost;   /* rows x cols, row-major */
  guint         cols;
  double       *u, *v;  /* row and column potentials */
  double       *minv;   /* reduced cost of reaching each column */
  guint        *way;    /* previous column on the shortest path */
  gboolean     *used;
  guint        *p;      /* p[j]: row matched to column j, 0 if none */
} Hungarian;

/* Relaxes the columns from the row matched to column j0; returns the
 * unused column of least reduced cost, and its cost in delta. */
static guint
hungarian_relax (Hungarian *h,
                 guint      j0,
                 double    *delta)
{
  guint i0 = h->p[j0], j1 = 0;

  *delta = INFINITY;
  for (guint j = 1; j <= h->cols; j++)
    {
      double cur;

      if (h->used[j])
        continue;
      cur = h->cost[(gsize) (i0 - 1) * h->cols + (j - 1)] - h->u[i0] - h->v[j];
      if (cur < h->minv[j])
        {
          h->minv[j] = cur;
          h->way[j] = j0;
        }
      if (h->minv[j] < *delta)
        {
          *delta = h->minv[j];
          j1 = j;
        }
    }
  return j1;
}

/* Adds row i: grows a shortest-path tree until it reaches a free column,
 * then flips the matching along that path. */
static void
hungarian_add_row (Hungarian *h,
                   guint      i)
{
  guint j0 = 0;

  h->p[0] = i;
  for (guint j = 0; j <= h->cols; j++)
    {
      h->minv[j] = INFINITY;
      h->used[j] = FALSE;
    }
  do
    {
      double delta;
      guint j1;

      h->used[j0] = TRUE;
      j1 = hungarian_relax (h, j0, &delta);
      for (guint j = 0; j <= h->cols; j++)
        {
          if (h->used[j])
            {
              h->u[h->p[j]] += delta;
              h->v[j] -= delta;
            }
          else
            h->minv[j] -= delta;
        }
      j0 = j1;
    }
  while (h->p[j0] != 0);
  do
    {
      guint j1 = h->way[j0];

      h->p[j0] = h->p[j1];
      j0 = j1;
    }
  while (j0 != 0);
}

/* Hungarian algorithm (shortest augmenting paths with potentials) for
 * rows <= cols.  cost is rows x cols row-major; p[j] (1-based) receives
 * the row matched to column j, 0 if none.  O(rows^2 cols). */
static void
hungarian_wide (const double *cost,
                guint         rows,
                guint         cols,
                guint        *p)
{
  g_autofree double *u = g_new0 (double, rows + 1);
  g_autofree double *v = g_new0 (double, cols + 1);
  g_autofree double *minv = g_new (double, cols + 1);
  g_autofree guint *way = g_new0 (guint, cols + 1);
  g_autofree gboolean *used = g_new (gboolean, cols + 1);
  Hungarian h = { cost, cols, u, v, minv, way, used, p };

  g_assert (rows <= cols);
  memset (p, 0, sizeof (guint) * (cols + 1));
  for (guint i = 1; i <= rows; i++)
    hungarian_add_row (&h, i);
}

double
bsc_hungarian (const double *cost,
               guint         rows,
               guint         cols,
               gint         *assignment)
{
  g_autofree double *t = NULL;
  g_autofree guint *p = NULL;
  gboolean transposed = rows > cols;
  guint r = MIN (rows, cols), c = MAX (rows, cols);
  double total = 0.0;

  g_return_val_if_fail (cost != NULL || rows == 0 || cols == 0, 0.0);
  g_return_val_if_fail (assignment != NULL || rows == 0, 0.0);

  for (guint i = 0; i < rows; i++)
    assignment[i] = -1;
  if (rows == 0 || cols == 0)
    return 0.0;

  if (transposed)
    {
      t = g_new (double, (gsize) rows * cols);
      for (guint i = 0; i < rows; i++)
        for (guint j = 0; j < cols; j++)
          t[(gsize) j * rows + i] = cost[(gsize) i * cols + j];
    }
  p = g_new (guint, c + 1);
  hungarian_wide (transposed ? t : cost, r, c, p);

  for (guint j = 1; j <= c; j++)
    {
      if (p[j] == 0)
        continue;
      if (transposed)
        assignment[j - 1] = (gint) (p[j] - 1);
      else
        assignment[p[j] - 1] = (gint) (j - 1);
    }
  for (guint i = 0; i < rows; i++)
    if (assignment[i] >= 0)
      total += cost[(gsize) i * cols + assignment[i]];
  return total;
}

/* ACC: the matching that maximises the matched counts of the
 * n_clusters x n_labels contingency table, over n samples. */
static double
accuracy (const gsize *table,
          guint        n_clusters,
          guint        n_labels,
          gsize        n)
{
  gsize cells = (gsize) n_clusters * n_labels;
  g_autofree double *cost = g_new (double, cells + 1);
  g_autofree gint *match = g_new (gint, n_clusters + 1);
  gsize hits = 0;

  for (gsize i = 0; i < cells; i++)
    cost[i] = -(double) table[i];
  bsc_hungarian (cost, n_clusters, n_labels, match);
  for (guint k = 0; k < n_clusters; k++)
    if (match[k] >= 0)
      hits += table[(gsize) k * n_labels + match[k]];
  return n > 0 ? (double) hits / (double) n : 0.0;
}

/* Entropy (natural log) of the non-zero counts, as sklearn's entropy(). */
static double
entropy (const gsize *counts,
         guint        m,
         guint        nonzero)
{
  double sum = 0.0, h = 0.0;

  if (nonzero <= 1)
    return 0.0;
  for (guint i = 0; i < m; i++)
    sum += (double) counts[i];
  for (guint i = 0; i < m; i++)
    if (counts[i] > 0)
      h -= ((double) counts[i] / sum) * (log ((double) counts[i]) - log (sum));
  return h;
}

static guint
count_nonzero (const gsize *counts,
               guint        m)
{
  guint nz = 0;

  for (guint i = 0; i < m; i++)
    nz += counts[i] > 0;
  return nz;
}

/* Mutual information of the table (sklearn's mutual_info_score: per-cell
 * terms below machine epsilon are dropped, the sum is clipped at 0). */
static double
mutual_info (const gsize *table,
             guint        n_clusters,
             guint        n_labels,
             const gsize *csize,
             const gsize *lsize,
             gsize        n)
{
  double total = (double) n, log_total = log (total), mi = 0.0;

  for (guint k = 0; k < n_clusters; k++)
    for (guint l = 0; l < n_labels; l++)
      {
        double c = (double) table[(gsize) k * n_labels + l], outer, term;

        if (c == 0.0)
          continue;
        outer = (double) lsize[l] * (double) csize[k];
        term = c / total * (log (c) - log_total)
               + c / total * (-log (outer) + log_total + log_total);
        if (fabs (term) >= DBL_EPSILON)
          mi += term;
      }
  return MAX (mi, 0.0);
}

static double
nmi (const gsize *table,
     guint        n_clusters,
     guint        n_labels,
     const gsize *csize,
     const gsize *lsize,
     gsize        n)
{
  guint nz_c = count_nonzero (csize, n_clusters);
  guint nz_l = count_nonzero (lsize, n_labels);
  double mi, denom;

  if (nz_c == nz_l && nz_c <= 1)
    return 1.0;
  if (nz_c == 1 || nz_l == 1)
    return 0.0;
  mi = mutual_info (table, n_clusters, n_labels, csize, lsize, n);
  if (mi == 0.0)
    return 0.0;
  denom = (entropy (lsize, n_labels, nz_l) + entropy (csize, n_clusters, nz_c))
          / 2.0;
  return mi / denom;
}

static double
sum_squares (const gsize *v,
             gsize        m)
{
  double s = 0.0;

  for (gsize i = 0; i < m; i++)
    s += (double) v[i] * (double) v[i];
  return s;
}

/* ARI through the pair confusion matrix; counts are exact in double up to
 * 2^53 (n up to about 9e7 samples). */
static double
ari (const gsize *table,
     guint        n_clusters,
     guint        n_labels,
     const gsize *csize,
     const gsize *lsize,
     gsize        n)
{
  double ss = sum_squares (table, (gsize) n_clusters * n_labels);
  double nn = (double) n;
  double tp = ss - nn;
  double fp = sum_squares (csize, n_clusters) - ss;
  double fn = sum_squares (lsize, n_labels) - ss;
  double tn = nn * nn - fp - fn - ss;

  if (fn == 0.0 && fp == 0.0)
    return 1.0;
  return 2.0 * (tp * tn - fn * fp)
         / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

void
bsc_metrics_compute (const gint32 *labels,
                     const gint32 *clusters,
                     gsize         n,
                     BscMetrics   *out)
{
  guint n_labels, n_clusters;
  g_autofree gsize *table = NULL;
  g_autofree gsize *csize = NULL;
  g_autofree gsize *lsize = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (n == 0 || (labels != NULL && clusters != NULL));

  n_labels = count_indices (labels, n);
  n_clusters = count_indices (clusters, n);
  table = bsc_metrics_contingency (labels, n_labels, clusters, n_clusters, n);
  csize = g_new0 (gsize, n_clusters + 1);
  lsize = g_new0 (gsize, n_labels + 1);
  for (guint k = 0; k < n_clusters; k++)
    for (guint l = 0; l < n_labels; l++)
      {
        csize[k] += table[(gsize) k * n_labels + l];
        lsize[l] += table[(gsize) k * n_labels + l];
      }

  out->acc = accuracy (table, n_clusters, n_labels, n);
  out->nmi = nmi (table, n_clusters, n_labels, csize, lsize, n);
  out->ari = ari (table, n_clusters, n_labels, csize, lsize, n);
}
