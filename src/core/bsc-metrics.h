/* bsc-metrics.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Clustering quality against ground truth, equal to scikit-learn's:
 * ACC (Hungarian matching on the contingency table), NMI (arithmetic
 * normalisation), ARI.  Labels and clusters are non-negative indices.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double acc;
  double nmi;
  double ari;
} BscMetrics;

void    bsc_metrics_compute     (const gint32 *labels,
                                 const gint32 *clusters,
                                 gsize         n,
                                 BscMetrics   *out);

/* Contingency table, n_clusters rows x n_labels columns (row-major). */
gsize  *bsc_metrics_contingency (const gint32 *labels,
                                 guint         n_labels,
                                 const gint32 *clusters,
                                 guint         n_clusters,
                                 gsize         n);

/* Minimum-cost assignment of an rows x cols cost matrix (any shape):
 * assignment[r] = column matched to row r, or -1.  Returns the cost. */
double  bsc_hungarian           (const double *cost,
                                 guint         rows,
                                 guint         cols,
                                 gint         *assignment);

G_END_DECLS
