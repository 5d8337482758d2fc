/* bsc-sizes-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cluster sizes with a warning when the clustering collapses (empty or
 * giant clusters), and how many samples changed cluster per evaluation.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bsc-plot-area.h"
#include "bsc-sizes-view.h"

struct _BscSizesView
{
  GtkBox          parent_instance;

  GtkLabel       *summary;
  GtkLabel       *warning;
  BscPlotArea    *bars_area;
  BscPlotArea    *changed_area;

  BscEvalData    *eval;
  double         *values;
  BscBars         bars;
  BscCurves      *changed;
  BscCurvesStyle  changed_style;
};

static void bsc_sizes_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscSizesView, bsc_sizes_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_sizes_view_iface_init))

static void
draw_bars_cb (BscPlotArea        *area,
              cairo_t            *cr,
              int                 width,
              int                 height,
              const BscPlotTheme *theme,
              gpointer            user_data)
{
  BscSizesView *self = BSC_SIZES_VIEW (user_data);

  if (self->values != NULL)
    bsc_bars_draw (&self->bars, theme, cr, width, height);
}

static void
draw_changed_cb (BscPlotArea        *area,
                 cairo_t            *cr,
                 int                 width,
                 int                 height,
                 const BscPlotTheme *theme,
                 gpointer            user_data)
{
  BscSizesView *self = BSC_SIZES_VIEW (user_data);
  BscAxes axes;

  if (bsc_curves_get_series (self->changed, 0)->x->len < 2)
    {
      bsc_plot_paint_background (cr, theme, width, height);
      bsc_plot_text (cr, theme, width / 2.0, height / 2.0, 0.5, 0.5, 1.1,
                     _("Samples that changed cluster: one point per "
                       "evaluation, drawn from the second one on."));
      return;
    }
  bsc_curves_compute_axes (self->changed, FALSE, &axes);
  bsc_curves_draw (self->changed, &axes, &self->changed_style, theme, cr,
                   width, height);
}

/* "Giant" means more than three times the balanced share (at most 3/4 of
 * all samples when there are few clusters). */
static double
giant_threshold (const BscEvalData *e)
{
  double share = (double) e->n_samples / MAX (e->n_clusters, 1);

  return MIN (3 * share, 0.75 * e->n_samples);
}

static void
update_warning (BscSizesView *self)
{
  BscEvalData *e = self->eval;
  double giant = giant_threshold (e);
  g_autoptr(GString) text = g_string_new (NULL);
  guint empty = 0, n_giant = 0, largest = 0;

  for (guint k = 0; k < e->n_clusters; k++)
    {
      empty += e->cluster_sizes[k] == 0;
      n_giant += e->cluster_sizes[k] > giant;
      if (e->cluster_sizes[k] > e->cluster_sizes[largest])
        largest = k;
    }
  if (empty > 0)
    g_string_append_printf (text, ngettext ("%u cluster is empty. ",
                                            "%u clusters are empty. ", empty),
                            empty);
  if (n_giant > 0)
    g_string_append_printf (text, _("Cluster %u holds %.0f %% of the "
                                    "samples. "), largest,
                            100.0 * e->cluster_sizes[largest] / e->n_samples);
  /* Before the first step the sizes are the untrained network's, which
   * often piles most samples in one cluster: no advice then. */
  if (e->step == 0)
    g_string_truncate (text, 0);
  else if (text->len > 0)
    g_string_append (text, _("The clustering is collapsing: try a larger "
                             "Sinkhorn ε, a smaller learning rate or fewer "
                             "clusters."));
  gtk_label_set_text (self->warning, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->warning), text->len > 0);
}

static gboolean
bsc_sizes_view_update (BscRunView  *view,
                       BscSnapshot *snap)
{
  BscSizesView *self = BSC_SIZES_VIEW (view);
  g_autofree char *text = NULL;
  g_autofree char *when = NULL;
  BscEvalData *e = snap->eval;

  if (e == NULL || e == self->eval)
    return FALSE;
  /* The first evaluation has nothing to compare with. */
  if (e->serial > 1 && (self->eval == NULL || e->serial != self->eval->serial))
    bsc_curves_append (self->changed, 0, e->step, e->changed);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  self->eval = bsc_eval_data_ref (e);
  g_free (self->values);
  self->values = g_new (double, e->n_clusters);
  for (guint k = 0; k < e->n_clusters; k++)
    self->values[k] = e->cluster_sizes[k];
  self->bars.n = e->n_clusters;
  self->bars.values = self->values;
  self->bars.warn_above = giant_threshold (e);
  self->bars.warn_below = 0.5;
  when = bsc_run_view_eval_when (e);
  text = g_strdup_printf (ngettext ("%s · %'zu sample changed "
                                    "cluster since the last evaluation",
                                    "%s · %'zu samples changed "
                                    "cluster since the last evaluation",
                                    e->changed), when, e->changed);
  gtk_label_set_text (self->summary, text);
  update_warning (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->bars_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->changed_area));
  return TRUE;
}

static void
bsc_sizes_view_reset (BscRunView *view,
                      BscDataset *data)
{
  BscSizesView *self = BSC_SIZES_VIEW (view);

  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->changed, bsc_curves_free);
  self->changed = bsc_curves_new ();
  bsc_curves_add_series (self->changed, _("samples changed"), -1);
  bsc_curves_get_series (self->changed, 0)->markers = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->warning), FALSE);
  gtk_label_set_text (self->summary, _("waiting for the first evaluation"));
  gtk_widget_queue_draw (GTK_WIDGET (self->bars_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->changed_area));
}

static gboolean
bsc_sizes_view_draw_export (BscRunView *view,
                            cairo_t    *cr,
                            int         width,
                            int         height,
                            gboolean    dark)
{
  BscSizesView *self = BSC_SIZES_VIEW (view);
  BscPlotTheme theme;

  if (self->values == NULL)
    return FALSE;
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  draw_bars_cb (NULL, cr, width, height / 2, &theme, self);
  cairo_save (cr);
  cairo_translate (cr, 0, height / 2);
  draw_changed_cb (NULL, cr, width, height - height / 2, &theme, self);
  cairo_restore (cr);
  return TRUE;
}

static void
bsc_sizes_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_sizes_view_reset;
  iface->update = bsc_sizes_view_update;
  iface->draw_export = bsc_sizes_view_draw_export;
}

static void
bsc_sizes_view_dispose (GObject *object)
{
  BscSizesView *self = BSC_SIZES_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_SIZES_VIEW);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->changed, bsc_curves_free);
  G_OBJECT_CLASS (bsc_sizes_view_parent_class)->dispose (object);
}

static void
bsc_sizes_view_class_init (BscSizesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_sizes_view_dispose;
  g_type_ensure (BSC_TYPE_PLOT_AREA);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-sizes-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscSizesView, summary);
  gtk_widget_class_bind_template_child (widget_class, BscSizesView, warning);
  gtk_widget_class_bind_template_child (widget_class, BscSizesView, bars_area);
  gtk_widget_class_bind_template_child (widget_class, BscSizesView, changed_area);
}

static void
bsc_sizes_view_init (BscSizesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bars.title = _("Samples per cluster");
  self->bars.x_label = _("cluster");
  self->bars.y_label = _("samples");
  bsc_curves_style_init (&self->changed_style);
  self->changed_style.title = _("Samples that changed cluster");
  self->changed_style.x_label = _("step");
  bsc_plot_area_set_draw_func (self->bars_area, draw_bars_cb, self);
  bsc_plot_area_set_draw_func (self->changed_area, draw_changed_cb, self);
  bsc_sizes_view_reset (BSC_RUN_VIEW (self), NULL);
}
