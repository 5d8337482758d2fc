/* bsc-confusion-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Clusters against labels, rows in the order of the Hungarian matching
 * (the one ACC uses), so a good clustering is a bright diagonal.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bsc-confusion-view.h"
#include "bsc-metrics.h"
#include "bsc-plot-area.h"

struct _BscConfusionView
{
  GtkBox         parent_instance;

  GtkLabel      *summary;
  BscPlotArea   *area;

  BscDataset    *data;
  BscEvalData   *eval;
  gsize         *counts;      /* displayed rows x labels */
  guint         *row_cluster; /* displayed row -> cluster */
  GPtrArray     *row_names;
  GPtrArray     *col_names;   /* borrowed strings, n_classes */
  BscConfusion   conf;
};

static void bsc_confusion_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscConfusionView, bsc_confusion_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_confusion_view_iface_init))

/* Row order: the cluster matched to label 0, to label 1, ..., then the
 * clusters left unmatched. */
static void
match_rows (const gsize *table,
            guint        k,
            guint        l,
            guint       *order)
{
  g_autofree double *cost = g_new (double, (gsize) k * l);
  g_autofree gint *assignment = g_new (gint, k);
  g_autofree gboolean *used = g_new0 (gboolean, k);
  guint n = 0;

  for (gsize i = 0; i < (gsize) k * l; i++)
    cost[i] = -(double) table[i];
  bsc_hungarian (cost, k, l, assignment);
  for (guint col = 0; col < l; col++)
    for (guint r = 0; r < k; r++)
      if (assignment[r] == (gint) col && !used[r])
        {
          order[n++] = r;
          used[r] = TRUE;
        }
  for (guint r = 0; r < k; r++)
    if (!used[r])
      order[n++] = r;
}

static void
rebuild (BscConfusionView *self)
{
  BscEvalData *e = self->eval;
  guint k = e->n_clusters, l = self->data->n_classes;
  g_autofree gsize *table = NULL;

  table = bsc_metrics_contingency (self->data->labels, l, e->clusters, k,
                                   e->n_samples);
  g_free (self->row_cluster);
  self->row_cluster = g_new (guint, k);
  match_rows (table, k, l, self->row_cluster);
  g_free (self->counts);
  self->counts = g_new (gsize, (gsize) k * l);
  g_ptr_array_set_size (self->row_names, 0);
  for (guint r = 0; r < k; r++)
    {
      memcpy (self->counts + (gsize) r * l,
              table + (gsize) self->row_cluster[r] * l, l * sizeof (gsize));
      g_ptr_array_add (self->row_names, g_strdup_printf ("%u", self->row_cluster[r]));
    }
  self->conf.n_rows = k;
  self->conf.n_cols = l;
  self->conf.counts = self->counts;
  self->conf.row_names = (const char **) self->row_names->pdata;
  g_ptr_array_set_size (self->col_names, 0);
  for (guint c = 0; c < l; c++)
    g_ptr_array_add (self->col_names,
                     (gpointer) bsc_run_view_label_name (self->data, c));
  self->conf.col_names = (const char **) self->col_names->pdata;
}

static void
draw_cb (BscPlotArea        *area,
         cairo_t            *cr,
         int                 width,
         int                 height,
         const BscPlotTheme *theme,
         gpointer            user_data)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (user_data);

  if (self->counts != NULL)
    bsc_confusion_draw (&self->conf, theme, cr, width, height);
}

static void
set_summary (BscConfusionView *self)
{
  g_autofree char *text = NULL;
  g_autofree char *when = NULL;

  if (self->eval == NULL)
    return;
  when = bsc_run_view_eval_when (self->eval);
  text = g_strdup_printf (_("%s · ACC %.3f · NMI %.3f · ARI %.3f"), when,
                          self->eval->acc, self->eval->nmi, self->eval->ari);
  gtk_label_set_text (self->summary, text);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           gpointer                  user_data)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (user_data);
  GtkWidget *w = GTK_WIDGET (self->area);
  g_autofree char *text = NULL;
  BscPlotTheme theme;
  guint row, col;
  gsize count, size;

  if (self->counts == NULL)
    return;
  bsc_plot_area_get_theme (self->area, &theme);
  if (!bsc_confusion_pick (&self->conf, &theme, gtk_widget_get_width (w),
                           gtk_widget_get_height (w), x, y, &row, &col))
    {
      set_summary (self);
      return;
    }
  count = self->counts[(gsize) row * self->conf.n_cols + col];
  size = self->eval->cluster_sizes[self->row_cluster[row]];
  text = g_strdup_printf (_("cluster %u holds %'zu samples labelled %s "
                            "(%.0f %% of the cluster)"),
                          self->row_cluster[row], count,
                          self->conf.col_names[col],
                          size > 0 ? 100.0 * count / size : 0.0);
  gtk_label_set_text (self->summary, text);
}

static gboolean
bsc_confusion_view_update (BscRunView  *view,
                           BscSnapshot *snap)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (view);

  if (snap->eval == NULL || snap->eval == self->eval || self->data == NULL
      || self->data->labels == NULL)
    return FALSE;
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  self->eval = bsc_eval_data_ref (snap->eval);
  rebuild (self);
  set_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  return TRUE;
}

static void
bsc_confusion_view_reset (BscRunView *view,
                          BscDataset *data)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (view);

  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->row_cluster, g_free);
  if (data != NULL)
    self->data = bsc_dataset_ref (data);
  gtk_label_set_text (self->summary, data != NULL && data->labels == NULL
                      ? _("this collection has no labels to compare with")
                      : _("waiting for the first evaluation"));
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static gboolean
bsc_confusion_view_draw_export (BscRunView *view,
                                cairo_t    *cr,
                                int         width,
                                int         height,
                                gboolean    dark)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (view);
  BscPlotTheme theme;

  if (self->counts == NULL)
    return FALSE;
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  bsc_confusion_draw (&self->conf, &theme, cr, width, height);
  return TRUE;
}

static void
bsc_confusion_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_confusion_view_reset;
  iface->update = bsc_confusion_view_update;
  iface->draw_export = bsc_confusion_view_draw_export;
}

static void
bsc_confusion_view_dispose (GObject *object)
{
  BscConfusionView *self = BSC_CONFUSION_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_CONFUSION_VIEW);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->row_cluster, g_free);
  g_clear_pointer (&self->row_names, g_ptr_array_unref);
  g_clear_pointer (&self->col_names, g_ptr_array_unref);
  G_OBJECT_CLASS (bsc_confusion_view_parent_class)->dispose (object);
}

static void
bsc_confusion_view_class_init (BscConfusionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_confusion_view_dispose;
  g_type_ensure (BSC_TYPE_PLOT_AREA);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-confusion-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscConfusionView, summary);
  gtk_widget_class_bind_template_child (widget_class, BscConfusionView, area);
}

static void
bsc_confusion_view_init (BscConfusionView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->row_names = g_ptr_array_new_with_free_func (g_free);
  self->col_names = g_ptr_array_new ();
  self->conf.title = _("Clusters against labels");
  self->conf.row_label = _("cluster");
  self->conf.col_label = _("label");
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->area), motion);
  bsc_plot_area_set_draw_func (self->area, draw_cb, self);
  bsc_confusion_view_reset (BSC_RUN_VIEW (self), NULL);
}
