/* bsc-plot-area.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "bsc-plot-area.h"
#include "bsc-run-view.h"

struct _BscPlotArea
{
  GtkWidget            parent_instance;

  BscPlotAreaDrawFunc  func;
  gpointer             user_data;
};

G_DEFINE_FINAL_TYPE (BscPlotArea, bsc_plot_area, GTK_TYPE_WIDGET)

void
bsc_plot_area_get_theme (BscPlotArea  *self,
                         BscPlotTheme *theme)
{
  g_return_if_fail (BSC_IS_PLOT_AREA (self));

  bsc_plot_theme_init (theme, bsc_run_view_is_dark (GTK_WIDGET (self)));
  theme->draw_background = FALSE;
}

static void
bsc_plot_area_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  BscPlotArea *self = BSC_PLOT_AREA (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  BscPlotTheme theme;
  cairo_t *cr;

  if (self->func == NULL || width <= 0 || height <= 0)
    return;
  bsc_plot_area_get_theme (self, &theme);
  cr = gtk_snapshot_append_cairo (snapshot,
                                  &GRAPHENE_RECT_INIT (0, 0, width, height));
  self->func (self, cr, width, height, &theme, self->user_data);
  cairo_destroy (cr);
}

static void
bsc_plot_area_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (bsc_plot_area_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);   /* the colours may have changed */
}

static void
bsc_plot_area_class_init (BscPlotAreaClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = bsc_plot_area_snapshot;
  widget_class->css_changed = bsc_plot_area_css_changed;
  gtk_widget_class_set_css_name (widget_class, "plotarea");
}

static void
bsc_plot_area_init (BscPlotArea *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 200, 120);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}

GtkWidget *
bsc_plot_area_new (void)
{
  return g_object_new (BSC_TYPE_PLOT_AREA, NULL);
}

void
bsc_plot_area_set_draw_func (BscPlotArea         *self,
                             BscPlotAreaDrawFunc  func,
                             gpointer             user_data)
{
  g_return_if_fail (BSC_IS_PLOT_AREA (self));

  self->func = func;
  self->user_data = user_data;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

