/* bsc-clusters-view.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One image grid per cluster, most confident first, with the cluster's
 * size and, with labels, its majority label and purity.
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-run-view.h"

G_BEGIN_DECLS

#define BSC_TYPE_CLUSTERS_VIEW (bsc_clusters_view_get_type ())
G_DECLARE_FINAL_TYPE (BscClustersView, bsc_clusters_view, BSC, CLUSTERS_VIEW, GtkBox)

G_END_DECLS
