/* bsc-affinity-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probe batch: its affinity Z Z^T, the Sinkhorn target, and the
 * predicted row distribution softmax (A / tau_a) minus the target, rows
 * and columns sorted by cluster or label.
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <math.h>

#include "bsc-affinity-view.h"
#include "bsc-plot-area.h"
#include "bsc-thumbs.h"

enum { MAP_AFFINITY, MAP_TARGET, MAP_DIFF, N_MAPS };

struct _BscAffinityView
{
  GtkBox         parent_instance;

  GtkLabel      *summary;
  GtkDropDown   *color_by;
  BscPlotArea   *affinity_area;
  BscPlotArea   *target_area;
  BscPlotArea   *diff_area;
  GtkPicture    *hover_a;
  GtkPicture    *hover_b;
  GtkLabel      *hover_label;

  BscDataset    *data;
  BscThumbs     *thumbs;
  BscProbeData  *probe;
  BscHeatmap    *maps[N_MAPS];
  gint           hover_row;   /* data indices of the hovered pair, or -1 */
  gint           hover_col;
};

static void bsc_affinity_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscAffinityView, bsc_affinity_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_affinity_view_iface_init))

static const char *
map_title (guint map)
{
  const char *titles[] = {
    N_("Affinity Z Zᵀ"), N_("Sinkhorn target"), N_("Predicted − target"),
  };

  return _(titles[map]);
}

static guint
area_map (BscAffinityView *self,
          GtkWidget       *area)
{
  if (area == GTK_WIDGET (self->affinity_area))
    return MAP_AFFINITY;
  return area == GTK_WIDGET (self->target_area) ? MAP_TARGET : MAP_DIFF;
}

static void
queue_maps (BscAffinityView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->affinity_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->target_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->diff_area));
}

/* Marks the hovered pair in every matrix: its row and column, and the
 * cell where they cross (the order maps display positions to data). */
static void
draw_hover (BscAffinityView    *self,
            BscHeatmap         *map,
            const BscPlotTheme *theme,
            cairo_t            *cr,
            int                 width,
            int                 height)
{
  const guint *order = bsc_heatmap_get_order (map);
  guint b = self->probe->batch, r = 0, c = 0;
  BscPlotRect a;
  double cell;

  if (self->hover_row < 0 || order == NULL)
    return;
  for (guint i = 0; i < b; i++)
    {
      if (order[i] == (guint) self->hover_row)
        r = i;
      if (order[i] == (guint) self->hover_col)
        c = i;
    }
  bsc_heatmap_get_area (map, theme, width, height, &a);
  cell = a.width / b;
  bsc_plot_set_color (cr, &theme->accent, 0.5);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, a.x, a.y + r * cell, a.width, cell);
  cairo_rectangle (cr, a.x + c * cell, a.y, cell, a.height);
  cairo_stroke (cr);
  bsc_plot_set_color (cr, &theme->accent, 1);
  cairo_set_line_width (cr, 2);
  cairo_rectangle (cr, a.x + c * cell - 2, a.y + r * cell - 2, cell + 4, cell + 4);
  cairo_stroke (cr);
}

static void
draw_cb (BscPlotArea        *area,
         cairo_t            *cr,
         int                 width,
         int                 height,
         const BscPlotTheme *theme,
         gpointer            user_data)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (user_data);
  guint m = area_map (self, GTK_WIDGET (area));
  BscColormap maps[] = { BSC_COLORMAP_DIVERGING, BSC_COLORMAP_VIRIDIS,
                         BSC_COLORMAP_DIVERGING };

  if (self->probe == NULL)
    return;
  bsc_heatmap_set_colormap (self->maps[m], maps[m], theme->dark);
  bsc_heatmap_draw (self->maps[m], map_title (m), theme, cr, width, height);
  draw_hover (self, self->maps[m], theme, cr, width, height);
}

static void
apply_order (BscAffinityView *self)
{
  g_autofree gint32 *groups = NULL;
  BscProbeData *p = self->probe;
  gboolean by_label = gtk_drop_down_get_selected (self->color_by) == 1
                      && self->data->labels != NULL;

  if (by_label)
    {
      groups = g_new (gint32, p->batch);
      for (guint i = 0; i < p->batch; i++)
        groups[i] = self->data->labels[p->indices[i]];
    }
  for (guint m = 0; m < N_MAPS; m++)
    bsc_heatmap_set_groups (self->maps[m], by_label ? groups : p->clusters);
  queue_maps (self);
}

static void
color_by_cb (BscAffinityView *self)
{
  if (self->probe != NULL)
    apply_order (self);
}

static void
set_probe (BscAffinityView *self,
           BscProbeData    *probe)
{
  guint b = probe->batch;
  double vmax = 0;

  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  self->probe = bsc_probe_data_ref (probe);
  for (gsize i = 0; i < (gsize) b * b; i++)
    vmax = MAX (vmax, fabs (probe->difference[i]));
  bsc_heatmap_set_data (self->maps[MAP_AFFINITY], probe->affinity, b, b);
  bsc_heatmap_set_range (self->maps[MAP_AFFINITY], -1, 1);
  bsc_heatmap_set_data (self->maps[MAP_TARGET], probe->target, b, b);
  bsc_heatmap_set_data (self->maps[MAP_DIFF], probe->difference, b, b);
  bsc_heatmap_set_range (self->maps[MAP_DIFF], -MAX (vmax, 1e-6), MAX (vmax, 1e-6));
  apply_order (self);
}

static gboolean
bsc_affinity_view_update (BscRunView  *view,
                          BscSnapshot *snap)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (view);
  g_autofree char *text = NULL;

  if (snap->probe == NULL || snap->probe == self->probe)
    return FALSE;
  set_probe (self, snap->probe);
  text = g_strdup_printf (_("probe batch of %u samples at step %'" PRIu64
                            " · τ affinity %.3f"),
                          snap->probe->batch, snap->probe->step, snap->probe->tau_a);
  gtk_label_set_text (self->summary, text);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           gpointer                  user_data)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (user_data);
  GtkWidget *w = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion));
  BscProbeData *p = self->probe;
  g_autofree char *na = NULL, *nb = NULL, *text = NULL;
  BscPlotTheme theme;
  guint row, col;
  gsize ia, ib, cell;

  if (p == NULL)
    return;
  bsc_plot_area_get_theme (BSC_PLOT_AREA (w), &theme);
  if (!bsc_heatmap_pick (self->maps[area_map (self, w)], &theme,
                         gtk_widget_get_width (w), gtk_widget_get_height (w),
                         x, y, &row, &col))
    return;
  ia = p->indices[row];
  ib = p->indices[col];
  cell = (gsize) row * p->batch + col;
  na = bsc_dataset_dup_name (self->data, ia);
  nb = bsc_dataset_dup_name (self->data, ib);
  /* The row's predicted share softmax (A / τ) and its target share are
   * on the same scale (each row sums to 1); their difference is the
   * right map.  The raw affinity is a cosine in [-1, 1]. */
  text = g_strdup_printf (_("%s (cluster %d) and %s (cluster %d)\n"
                            "affinity (cosine) %.3f\n"
                            "predicted share softmax(A/τ) %.4f − Sinkhorn "
                            "target share %.4f = %+.4f"),
                          na, p->clusters[row], nb, p->clusters[col],
                          p->affinity[cell],
                          p->difference[cell] + p->target[cell],
                          p->target[cell], p->difference[cell]);
  gtk_label_set_text (self->hover_label, text);
  if (self->hover_row != (gint) row || self->hover_col != (gint) col)
    {
      self->hover_row = row;
      self->hover_col = col;
      queue_maps (self);
    }
  gtk_picture_set_paintable (self->hover_a, GDK_PAINTABLE (bsc_thumbs_get (self->thumbs, ia)));
  gtk_picture_set_paintable (self->hover_b, GDK_PAINTABLE (bsc_thumbs_get (self->thumbs, ib)));
}

static void
bsc_affinity_view_reset (BscRunView *view,
                         BscDataset *data)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (view);

  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  if (data != NULL)
    {
      self->data = bsc_dataset_ref (data);
      self->thumbs = bsc_thumbs_get_for (data);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->color_by),
                            data != NULL && data->labels != NULL);
  gtk_label_set_text (self->summary, _("waiting for the first probe"));
  gtk_label_set_text (self->hover_label, _("Hover a cell to see the two samples it pairs."));
  gtk_picture_set_paintable (self->hover_a, NULL);
  gtk_picture_set_paintable (self->hover_b, NULL);
  self->hover_row = self->hover_col = -1;
  queue_maps (self);
}

static gboolean
bsc_affinity_view_draw_export (BscRunView *view,
                               cairo_t    *cr,
                               int         width,
                               int         height,
                               gboolean    dark)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (view);
  BscColormap maps[] = { BSC_COLORMAP_DIVERGING, BSC_COLORMAP_VIRIDIS,
                         BSC_COLORMAP_DIVERGING };
  BscPlotTheme theme;

  if (self->probe == NULL)
    return FALSE;
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  for (guint m = 0; m < N_MAPS; m++)
    {
      cairo_save (cr);
      cairo_translate (cr, m * width / N_MAPS, 0);
      bsc_heatmap_set_colormap (self->maps[m], maps[m], dark);
      bsc_heatmap_draw (self->maps[m], map_title (m), &theme, cr,
                        width / N_MAPS, height);
      cairo_restore (cr);
    }
  return TRUE;
}

static void
bsc_affinity_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_affinity_view_reset;
  iface->update = bsc_affinity_view_update;
  iface->draw_export = bsc_affinity_view_draw_export;
}

static void
bsc_affinity_view_dispose (GObject *object)
{
  BscAffinityView *self = BSC_AFFINITY_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_AFFINITY_VIEW);
  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  for (guint m = 0; m < N_MAPS; m++)
    g_clear_pointer (&self->maps[m], bsc_heatmap_free);
  G_OBJECT_CLASS (bsc_affinity_view_parent_class)->dispose (object);
}

static void
bsc_affinity_view_class_init (BscAffinityViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_affinity_view_dispose;
  g_type_ensure (BSC_TYPE_PLOT_AREA);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-affinity-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, summary);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, color_by);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, affinity_area);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, target_area);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, diff_area);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, hover_a);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, hover_b);
  gtk_widget_class_bind_template_child (widget_class, BscAffinityView, hover_label);
  gtk_widget_class_bind_template_callback (widget_class, color_by_cb);
}

static void
bsc_affinity_view_init (BscAffinityView *self)
{
  BscPlotArea *areas[N_MAPS];

  gtk_widget_init_template (GTK_WIDGET (self));
  areas[0] = self->affinity_area;
  areas[1] = self->target_area;
  areas[2] = self->diff_area;
  for (guint m = 0; m < N_MAPS; m++)
    {
      GtkEventController *motion = gtk_event_controller_motion_new ();

      self->maps[m] = bsc_heatmap_new ();
      g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (areas[m]), motion);
      bsc_plot_area_set_draw_func (areas[m], draw_cb, self);
    }
  bsc_affinity_view_reset (BSC_RUN_VIEW (self), NULL);
}
