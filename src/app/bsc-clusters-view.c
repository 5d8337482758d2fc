/* bsc-clusters-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bsc-clusters-view.h"
#include "bsc-metrics.h"
#include "bsc-plot.h"
#include "bsc-sample-grid.h"

struct _BscClustersView
{
  GtkBox         parent_instance;

  GtkLabel      *summary;
  GtkListBox    *cluster_list;
  GtkLabel      *cluster_title;
  BscSampleGrid *grid;

  BscDataset    *data;
  BscThumbs     *thumbs;
  BscEvalData   *eval;
  guint          selected;
  gboolean       filling;
};

static void bsc_clusters_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscClustersView, bsc_clusters_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_clusters_view_iface_init))

typedef struct
{
  guint32      index;
  float        confidence;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a, *rb = b;

  if (ra->confidence != rb->confidence)
    return ra->confidence > rb->confidence ? -1 : 1;
  return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/* Majority label and its share for cluster k; FALSE without labels. */
static gboolean
cluster_majority (BscClustersView *self,
                  const gsize     *table,
                  guint            k,
                  guint           *label,
                  double          *purity)
{
  guint n_labels = self->data->n_classes;
  gsize best = 0, total = 0;

  if (table == NULL || self->eval->cluster_sizes[k] == 0)
    return FALSE;
  *label = 0;
  for (guint l = 0; l < n_labels; l++)
    {
      gsize c = table[(gsize) k * n_labels + l];

      total += c;
      if (c > best)
        {
          best = c;
          *label = l;
        }
    }
  *purity = total > 0 ? (double) best / total : 0;
  return TRUE;
}

static void
show_cluster (BscClustersView *self)
{
  BscEvalData *e = self->eval;
  g_autofree Ranked *ranked = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree char *title = NULL;
  gsize n = 0;

  if (e == NULL || self->selected >= e->n_clusters || self->thumbs == NULL)
    {
      bsc_sample_grid_set_samples (self->grid, NULL, NULL, 0, NULL);
      gtk_label_set_text (self->cluster_title, "");
      return;
    }
  ranked = g_new (Ranked, e->cluster_sizes[self->selected] + 1);
  for (gsize i = 0; i < e->n_samples; i++)
    if (e->clusters[i] == (gint32) self->selected)
      ranked[n++] = (Ranked) { i, e->confidence[i] };
  qsort (ranked, n, sizeof (Ranked), compare_ranked);
  order = g_new (guint32, n + 1);
  for (gsize i = 0; i < n; i++)
    order[i] = ranked[i].index;
  bsc_sample_grid_set_samples (self->grid, self->thumbs, order, n, e->confidence);
  title = g_strdup_printf (ngettext ("Cluster %u: %'zu sample, most confident first",
                                     "Cluster %u: %'zu samples, most confident first",
                                     n), self->selected, n);
  gtk_label_set_text (self->cluster_title, title);
}

static GtkWidget *
make_row (BscClustersView *self,
          const gsize     *table,
          guint            k,
          gboolean         dark)
{
  GtkWidget *label = gtk_label_new (NULL);
  g_autofree char *markup = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  gsize size = self->eval->cluster_sizes[k];
  guint major;
  double purity;

  if (self->data->kind == BSC_SOURCE_FEATURES)
    title = g_strdup_printf (ngettext ("Cluster %u · %'zu sample",
                                       "Cluster %u · %'zu samples", size), k, size);
  else
    title = g_strdup_printf (ngettext ("Cluster %u · %'zu image",
                                       "Cluster %u · %'zu images", size), k, size);
  if (cluster_majority (self, table, k, &major, &purity))
    detail = g_strdup_printf (_("mostly %s · purity %.0f %%"),
                              bsc_run_view_label_name (self->data, major),
                              100 * purity);
  else if (size == 0)
    detail = g_strdup (_("empty: no sample chose this prototype"));
  markup = g_markup_printf_escaped ("<span foreground=\"#%06x\">■</span> %s\n"
                                    "<small>%s</small>",
                                    bsc_palette_argb (k, dark) & 0xffffff,
                                    title, detail ? detail : "");
  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 4);
  gtk_widget_set_margin_bottom (label, 4);
  return label;
}

/* gtk_list_box_remove_all () is GTK 4.12. */
static void
bsc_list_box_clear (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

static void
fill_list (BscClustersView *self)
{
  BscEvalData *e = self->eval;
  g_autofree gsize *table = NULL;
  gboolean dark = bsc_run_view_is_dark (GTK_WIDGET (self));
  GtkListBoxRow *row;

  self->filling = TRUE;
  bsc_list_box_clear (self->cluster_list);
  if (self->data->labels != NULL)
    table = bsc_metrics_contingency (self->data->labels, self->data->n_classes,
                                     e->clusters, e->n_clusters, e->n_samples);
  for (guint k = 0; k < e->n_clusters; k++)
    gtk_list_box_append (self->cluster_list, make_row (self, table, k, dark));
  row = gtk_list_box_get_row_at_index (self->cluster_list,
                                       MIN (self->selected, e->n_clusters - 1));
  gtk_list_box_select_row (self->cluster_list, row);
  self->filling = FALSE;
}

static void
row_selected_cb (BscClustersView *self,
                 GtkListBoxRow   *row)
{
  if (self->filling || row == NULL)
    return;
  self->selected = gtk_list_box_row_get_index (row);
  show_cluster (self);
}

static gboolean
bsc_clusters_view_update (BscRunView  *view,
                          BscSnapshot *snap)
{
  BscClustersView *self = BSC_CLUSTERS_VIEW (view);
  g_autofree char *summary = NULL;
  g_autofree char *when = NULL;
  guint empty = 0;

  if (snap->eval == NULL || snap->eval == self->eval)
    return FALSE;
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  self->eval = bsc_eval_data_ref (snap->eval);
  for (guint k = 0; k < self->eval->n_clusters; k++)
    empty += self->eval->cluster_sizes[k] == 0;
  when = bsc_run_view_eval_when (self->eval);
  summary = g_strdup_printf (_("%s · %u clusters, %u empty"), when,
                             self->eval->n_clusters, empty);
  gtk_label_set_text (self->summary, summary);
  fill_list (self);
  show_cluster (self);
  return TRUE;
}

static void
bsc_clusters_view_reset (BscRunView *view,
                         BscDataset *data)
{
  BscClustersView *self = BSC_CLUSTERS_VIEW (view);

  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  if (data != NULL)
    {
      self->data = bsc_dataset_ref (data);
      self->thumbs = bsc_thumbs_get_for (data);
    }
  bsc_list_box_clear (self->cluster_list);
  gtk_label_set_text (self->summary, _("waiting for the first evaluation"));
  show_cluster (self);
}

/* What a cluster's row and its export panel say: its size and, with
 * labels, its majority label and purity. */
static char *
cluster_caption (BscClustersView *self,
                 const gsize     *table,
                 guint            k)
{
  gsize size = self->eval->cluster_sizes[k];
  guint major;
  double purity;

  if (cluster_majority (self, table, k, &major, &purity))
    return g_strdup_printf (ngettext ("Cluster %u · %'zu image · mostly %s · "
                                      "purity %.0f %%",
                                      "Cluster %u · %'zu images · mostly %s · "
                                      "purity %.0f %%", size),
                            k, size, bsc_run_view_label_name (self->data, major),
                            100 * purity);
  return g_strdup_printf (ngettext ("Cluster %u · %'zu image",
                                    "Cluster %u · %'zu images", size), k, size);
}

typedef struct
{
  gint32  cluster;
  guint32 index;
  float   confidence;
} Member;

static int
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const Member *ma = a, *mb = b;

  if (ma->cluster != mb->cluster)
    return ma->cluster < mb->cluster ? -1 : 1;
  if (ma->confidence != mb->confidence)
    return ma->confidence > mb->confidence ? -1 : 1;
  return ma->index < mb->index ? -1 : ma->index > mb->index;
}

/* The largest cell (8 to 96 pixels) whose captioned row fits in row_h. */
static guint
panel_cell (BscMosaic          *mosaic,
            const BscPlotTheme *theme,
            int                 width,
            double              row_h)
{
  guint cell = 96;
  guint n = mosaic->n;

  mosaic->n = 1;
  while (cell > 8 && bsc_mosaic_get_height (mosaic, theme, width, cell) > row_h)
    cell--;
  mosaic->n = n;
  return cell;
}

/* One panel of cluster k at the current origin: its caption and one row
 * of its most confident images. */
static void
draw_panel (BscClustersView    *self,
            const gsize        *table,
            const Member       *members,
            guint               k,
            const BscPlotTheme *theme,
            cairo_t            *cr,
            int                 width,
            double              row_h)
{
  g_autofree char *caption = cluster_caption (self, table, k);
  g_autofree const guint8 **thumbs = NULL;
  gsize n = self->eval->cluster_sizes[k];
  BscMosaic mosaic = { 0 };
  guint size = 0, channels = 0, cell, cols, rows;

  mosaic.caption = caption;
  mosaic.caption_color = k;
  cell = panel_cell (&mosaic, theme, width, row_h);
  mosaic.n = MIN (n, 512);
  bsc_mosaic_layout (&mosaic, theme, width, cell, &cols, &rows);
  mosaic.n = MIN (n, cols);
  thumbs = g_new0 (const guint8 *, mosaic.n + 1);
  for (guint i = 0; i < mosaic.n; i++)
    thumbs[i] = bsc_dataset_get_thumbnail (self->data, members[i].index,
                                           &size, &channels);
  mosaic.thumbs = thumbs;
  mosaic.size = size;
  mosaic.channels = channels;
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, row_h);
  cairo_clip (cr);
  bsc_mosaic_draw (&mosaic, theme, cell, cr, width, (int) row_h);
  cairo_restore (cr);
}

/* The export shows every cluster: one captioned row of its most
 * confident images per cluster (size, majority label, purity). */
static gboolean
bsc_clusters_view_draw_export (BscRunView *view,
                               cairo_t    *cr,
                               int         width,
                               int         height,
                               gboolean    dark)
{
  BscClustersView *self = BSC_CLUSTERS_VIEW (view);
  BscEvalData *e = self->eval;
  g_autofree Member *members = NULL;
  g_autofree gsize *table = NULL;
  BscPlotTheme theme;
  guint size = 0, channels = 0;
  gsize first = 0;
  double row_h;

  if (e == NULL || self->data == NULL || e->n_samples == 0
      || bsc_dataset_get_thumbnail (self->data, 0, &size, &channels) == NULL)
    return FALSE;
  members = g_new (Member, e->n_samples);
  for (gsize i = 0; i < e->n_samples; i++)
    members[i] = (Member) { e->clusters[i], i, e->confidence[i] };
  qsort (members, e->n_samples, sizeof (Member), compare_members);
  if (self->data->labels != NULL)
    table = bsc_metrics_contingency (self->data->labels, self->data->n_classes,
                                     e->clusters, e->n_clusters, e->n_samples);
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  bsc_plot_paint_background (cr, &theme, width, height);
  row_h = (double) height / MAX (e->n_clusters, 1);
  for (guint k = 0; k < e->n_clusters; k++)
    {
      cairo_save (cr);
      cairo_translate (cr, 0, floor (k * row_h));
      draw_panel (self, table, members + first, k, &theme, cr, width, row_h);
      cairo_restore (cr);
      first += e->cluster_sizes[k];
    }
  return TRUE;
}

static void
bsc_clusters_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_clusters_view_reset;
  iface->update = bsc_clusters_view_update;
  iface->draw_export = bsc_clusters_view_draw_export;
}

static void
bsc_clusters_view_dispose (GObject *object)
{
  BscClustersView *self = BSC_CLUSTERS_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_CLUSTERS_VIEW);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  G_OBJECT_CLASS (bsc_clusters_view_parent_class)->dispose (object);
}

static void
bsc_clusters_view_class_init (BscClustersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_clusters_view_dispose;
  g_type_ensure (BSC_TYPE_SAMPLE_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-clusters-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscClustersView, summary);
  gtk_widget_class_bind_template_child (widget_class, BscClustersView, cluster_list);
  gtk_widget_class_bind_template_child (widget_class, BscClustersView, cluster_title);
  gtk_widget_class_bind_template_child (widget_class, BscClustersView, grid);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
}

static void
bsc_clusters_view_init (BscClustersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

