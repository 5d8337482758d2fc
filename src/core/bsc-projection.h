/* bsc-projection.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2-D map of the spectral embedding: the polar factor of the whole
 * collection's embedding matrix, rows normalised, projected on its two
 * principal axes; each update is rotated (orthogonal Procrustes) onto the
 * previous one so points drift rather than jump.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BscProjector BscProjector;

BscProjector *bsc_projector_new    (void);
void          bsc_projector_free   (BscProjector *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscProjector, bsc_projector_free)

/* embeddings n x d; prototypes K x d or NULL.  points gets n x 2,
 * proto_points K x 2 (may be NULL). */
gboolean      bsc_projector_update (BscProjector *self,
                                    const float  *embeddings,
                                    gsize         n,
                                    guint         d,
                                    const float  *prototypes,
                                    guint         n_prototypes,
                                    float        *points,
                                    float        *proto_points,
                                    GError      **error);
/* The same, and the rows the map is made of, for a neighbourhood map
 * (bsc-tsne.h): rows (n x d, may be NULL) gets the normalised polar
 * factor z_i, proto_rows (K x d, may be NULL) the normalised prototypes,
 * the two in the same space. */
gboolean      bsc_projector_update_rows (BscProjector *self,
                                         const float  *embeddings,
                                         gsize         n,
                                         guint         d,
                                         const float  *prototypes,
                                         guint         n_prototypes,
                                         float        *points,
                                         float        *proto_points,
                                         float        *rows,
                                         float        *proto_rows,
                                         GError      **error);

G_END_DECLS
