/* bsc-tsne-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parts of the t-SNE map that its tests check on their own: the
 * perplexity calibration, the gradient, and the choice of kernel.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The neighbours k each of n points keeps, min (n - 1, 3 perplexity),
 * and the perplexity actually aimed at, min (perplexity, (n - 1) / 3) but
 * at least 1, into *effective (may be NULL).  0 for n < 2. */
guint    _bsc_tsne_neighbours   (gsize        n,
                                 double       perplexity,
                                 double      *effective);

/* From the squared distances d2 (n x n, row-major, the diagonal ignored):
 * each row's k nearest neighbours into nbr (n x k) and the conditional
 * probabilities p_j|i into p (n x k), which sum to 1 with entropy
 * log (effective perplexity) in every row. */
void     _bsc_tsne_conditional  (const float *d2,
                                 gsize        n,
                                 double       perplexity,
                                 guint32     *nbr,
                                 float       *p);

/* The joint affinities of the rows of x (n x d) as the map computes them,
 * densely into p (n x n), and the gradient (n x 2) of KL (P || Q) at the
 * layout y (n x 2) with P multiplied by exaggeration, by the map's own
 * kernels.  FALSE when out of memory. */
gboolean _bsc_tsne_kl_gradient  (const float *x,
                                 gsize        n,
                                 guint        d,
                                 double       perplexity,
                                 double       exaggeration,
                                 const float *y,
                                 float       *p,
                                 float       *grad);

/* TRUE: the repulsion runs on the portable kernel even where the AVX-512
 * one could (the two give the same bits). */
void     _bsc_tsne_set_portable (gboolean     portable);

G_END_DECLS
