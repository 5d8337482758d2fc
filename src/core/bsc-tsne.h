/* bsc-tsne.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A neighbourhood map of the embedding (t-SNE, van der Maaten and Hinton
 * 2008) for the map view: clusters that a linear projection piles on top
 * of each other come apart.  Built to follow a model as it trains: each
 * update starts from the previous layout, so a changed embedding moves the
 * points a little instead of drawing a new map.
 *
 * Up to BSC_TSNE_MAX_LANDMARKS points are laid out exactly (O(L^2) per
 * iteration, affinities over each point's 3 x perplexity nearest
 * neighbours).  Larger collections lay out a fixed random subset of that
 * size (the landmarks, chosen once from the seed) and place every other
 * point at the similarity-weighted mean of its nearest landmarks.
 *
 * Distances are Euclidean between rows scaled to unit length, the cosine
 * geometry of the engine's embedding.  Identical rows are laid out once
 * and share their place (t-SNE would spread copies of one image over a
 * patch of the map as if they differed).  The same input, seed and thread
 * count give the same layout, bit for bit.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BSC_TSNE_MAX_LANDMARKS 2500

typedef struct _BscTsne BscTsne;

BscTsne  *bsc_tsne_new        (guint64       seed);
void      bsc_tsne_free       (BscTsne      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscTsne, bsc_tsne_free)

/* Threads for the layout: 0 (the default) the engine's, 1 only the
 * caller's, leaving the engine's workers to training.  The layout is the
 * same either way. */
void      bsc_tsne_set_threads    (BscTsne  *self,
                                   guint     threads);
/* Checked between iterations: a cancelled update fails with
 * BSC_ERROR_CANCELLED and the next one starts afresh.  NULL: none. */
void      bsc_tsne_set_cancellable (BscTsne      *self,
                                    GCancellable *cancellable);

/* Perplexity (default 30; clamped to what the number of points allows). */
void      bsc_tsne_set_perplexity (BscTsne  *self,
                                   double    perplexity);

/* Lays out the n x d rows of x into out (n x 2).  The first update (or the
 * first after n changes) starts from init (n x 2, e.g. the linear map; NULL
 * for a seeded random start), scaled small, and runs the full schedule:
 * early exaggeration, then plain descent.  Later updates warm-start from
 * the previous layout and run `iterations` steps of plain descent (0 = a
 * default that keeps the map settled).  The layout is centred with unit
 * root-mean-square radius.  Rows with NaN or infinity are an error
 * (BSC_ERROR_INVALID_DATA, naming the row); identical rows are fine. */
gboolean  bsc_tsne_update     (BscTsne      *self,
                               const float  *x,
                               gsize         n,
                               guint         d,
                               const float  *init,
                               guint         iterations,
                               float        *out,
                               GError      **error);

/* Places m further d-dimensional points (prototypes, say) on the last
 * update's layout, as the points not among the landmarks are placed.
 * FALSE before the first update or when d differs. */
gboolean  bsc_tsne_place      (BscTsne      *self,
                               const float  *x,
                               gsize         m,
                               guint         d,
                               float        *out);

G_END_DECLS
