/* bsc-curves-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bsc-curves-view.h"
#include "bsc-plot-area.h"

typedef enum { CHART_LOSS, CHART_TEMP, CHART_METRIC, N_CHARTS } Chart;

typedef struct
{
  BscCurves      *curves;
  BscCurvesStyle  style;
  BscAxes         axes;
  gboolean        axes_valid;
  gboolean        log_capable;   /* metrics stay linear */
} ChartData;

struct _BscCurvesView
{
  GtkBox          parent_instance;

  GtkLabel       *readout;
  GtkToggleButton *log_toggle;
  BscPlotArea    *loss_area;
  BscPlotArea    *temp_area;
  BscPlotArea    *metric_area;

  ChartData       charts[N_CHARTS];
  guint           last_eval;
  gboolean        has_data;    /* a collection is loaded */
  guint           n_points;
  guint           bucket;      /* steps a drawn point stands for */
  guint           acc_n;       /* steps in the open bucket */
  double          acc_x;
  double          acc[6];
};

static void bsc_curves_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscCurvesView, bsc_curves_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_curves_view_iface_init))

static BscPlotArea *
chart_area (BscCurvesView *self,
            Chart          chart)
{
  BscPlotArea *areas[] = { self->loss_area, self->temp_area, self->metric_area };

  return areas[chart];
}

static const char *
chart_title (Chart chart)
{
  const char *titles[] = {
    N_("Losses"), N_("Temperatures and learning rate"),
    N_("Agreement with the labels"),
  };

  return _(titles[chart]);
}

static void
queue_charts (BscCurvesView *self)
{
  for (Chart c = 0; c < N_CHARTS; c++)
    {
      self->charts[c].axes_valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (chart_area (self, c)));
    }
}

static void
ensure_axes (BscCurvesView *self,
             ChartData     *chart)
{
  gboolean log_y = chart->log_capable
                   && gtk_toggle_button_get_active (self->log_toggle);

  if (chart->axes_valid)
    return;
  bsc_curves_compute_axes (chart->curves, log_y, &chart->axes);
  /* The three charts share one step axis, so that a metric evaluated a
   * few epochs ago lines up with the losses of now. */
  for (Chart c = 0; c < N_CHARTS; c++)
    {
      BscSeries *first = bsc_curves_get_series (self->charts[c].curves, 0);
      BscAxes other;

      if (&self->charts[c] == chart || first == NULL || first->x->len == 0)
        continue;
      bsc_curves_compute_axes (self->charts[c].curves, FALSE, &other);
      chart->axes.x_min = MIN (chart->axes.x_min, other.x_min);
      chart->axes.x_max = MAX (chart->axes.x_max, other.x_max);
    }
  chart->axes_valid = TRUE;
}

static void
draw_chart_cb (BscPlotArea        *area,
               cairo_t            *cr,
               int                 width,
               int                 height,
               const BscPlotTheme *theme,
               gpointer            user_data)
{
  BscCurvesView *self = BSC_CURVES_VIEW (user_data);
  Chart c = area == self->loss_area ? CHART_LOSS
            : area == self->temp_area ? CHART_TEMP : CHART_METRIC;
  ChartData *chart = &self->charts[c];

  if (self->n_points == 0)
    {
      if (c == CHART_LOSS)
        bsc_plot_text (cr, theme, width / 2.0, height / 2.0, 0.5, 0.5, 1.2,
                       self->has_data
                       ? _("Press Start, or Resume a paused run "
                           "(Ctrl+Return): the losses appear here as the "
                           "network learns.")
                       : _("Open a folder or a file (Ctrl+O) to begin."));
      return;
    }
  ensure_axes (self, chart);
  chart->style.title = chart_title (c);
  bsc_curves_draw (chart->curves, &chart->axes, &chart->style, theme, cr,
                   width, height);
}

static void
set_readout (BscCurvesView *self,
             ChartData     *chart,
             guint          index)
{
  GString *text = g_string_new (NULL);
  guint n = bsc_curves_get_n_series (chart->curves);
  BscSeries *first = bsc_curves_get_series (chart->curves, 0);

  if (index < first->x->len)
    g_string_append_printf (text, _("step %.0f"),
                            g_array_index (first->x, double, index));
  for (guint s = 0; s < n; s++)
    {
      BscSeries *series = bsc_curves_get_series (chart->curves, s);

      if (index < series->y->len)
        g_string_append_printf (text, "   %s %.4g", series->name,
                                g_array_index (series->y, double, index));
    }
  gtk_label_set_text (self->readout, text->str);
  g_string_free (text, TRUE);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           gpointer                  user_data)
{
  BscCurvesView *self = BSC_CURVES_VIEW (user_data);
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion));
  Chart c = widget == GTK_WIDGET (self->loss_area) ? CHART_LOSS
            : widget == GTK_WIDGET (self->temp_area) ? CHART_TEMP : CHART_METRIC;
  ChartData *chart = &self->charts[c];
  BscPlotTheme theme;
  guint series, index;
  gboolean hit;

  bsc_plot_area_get_theme (BSC_PLOT_AREA (widget), &theme);
  ensure_axes (self, chart);
  hit = bsc_curves_pick (chart->curves, &chart->axes, &chart->style, &theme,
                         gtk_widget_get_width (widget),
                         gtk_widget_get_height (widget), x, y, 40,
                         &series, &index);
  chart->style.hover = hit;
  chart->style.hover_series = series;
  chart->style.hover_index = index;
  if (hit)
    set_readout (self, chart, index);
  gtk_widget_queue_draw (widget);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          gpointer                  user_data)
{
  BscCurvesView *self = BSC_CURVES_VIEW (user_data);

  for (Chart c = 0; c < N_CHARTS; c++)
    self->charts[c].style.hover = FALSE;
  gtk_label_set_text (self->readout, "");
  queue_charts (self);
}

static void
log_toggled_cb (BscCurvesView *self)
{
  queue_charts (self);
}

/* Long runs keep at most MAX_POINTS points a series so a frame stays
 * cheap: once full, neighbours are averaged in pairs and each new point
 * then stands for twice as many steps (the mean of its bucket). */
#define MAX_POINTS 4096

static void
compact_chart (BscCurves *curves)
{
  for (guint s = 0; s < bsc_curves_get_n_series (curves); s++)
    {
      BscSeries *series = bsc_curves_get_series (curves, s);
      guint half = series->x->len / 2;

      for (guint i = 0; i < half; i++)
        {
          double *x = (double *) series->x->data, *y = (double *) series->y->data;

          x[i] = (x[2 * i] + x[2 * i + 1]) / 2;
          y[i] = (y[2 * i] + y[2 * i + 1]) / 2;
        }
      g_array_set_size (series->x, half);
      g_array_set_size (series->y, half);
    }
}

static void
add_point (BscCurvesView       *self,
           const BscCurvePoint *pt)
{
  const BscStepStats *s = &pt->stats;
  double values[6] = { s->loss, s->loss_cluster, s->loss_affinity,
                       s->tau_c, s->tau_a, s->lr };

  self->acc_x += pt->step;
  for (guint v = 0; v < 6; v++)
    self->acc[v] += values[v];
  self->n_points++;
  if (++self->acc_n < self->bucket)
    return;
  for (guint v = 0; v < 6; v++)
    bsc_curves_append (self->charts[v < 3 ? CHART_LOSS : CHART_TEMP].curves,
                       v % 3, self->acc_x / self->acc_n,
                       self->acc[v] / self->acc_n);
  self->acc_x = self->acc_n = 0;
  memset (self->acc, 0, sizeof self->acc);
  if (bsc_curves_get_series (self->charts[CHART_LOSS].curves, 0)->x->len
      >= MAX_POINTS)
    {
      compact_chart (self->charts[CHART_LOSS].curves);
      compact_chart (self->charts[CHART_TEMP].curves);
      self->bucket *= 2;
    }
}

static gboolean
bsc_curves_view_update (BscRunView     *view,
                        BscSnapshot *snap)
{
  BscCurvesView *self = BSC_CURVES_VIEW (view);
  BscCurves *metrics = self->charts[CHART_METRIC].curves;
  gboolean changed = snap->points->len > 0;

  for (guint i = 0; i < snap->points->len; i++)
    add_point (self, &g_array_index (snap->points, BscCurvePoint, i));
  if (snap->eval != NULL && snap->eval->serial != self->last_eval
      && snap->eval->has_metrics)
    {
      bsc_curves_append (metrics, 0, snap->eval->step, snap->eval->acc);
      bsc_curves_append (metrics, 1, snap->eval->step, snap->eval->nmi);
      bsc_curves_append (metrics, 2, snap->eval->step, snap->eval->ari);
      changed = TRUE;
    }
  if (snap->eval != NULL)
    self->last_eval = snap->eval->serial;
  if (changed)
    queue_charts (self);
  return changed;
}

static void
setup_series (BscCurvesView *self)
{
  BscCurves *c;

  c = self->charts[CHART_LOSS].curves;
  bsc_curves_add_series (c, _("total"), 0);
  bsc_curves_add_series (c, _("cluster"), 1);
  bsc_curves_add_series (c, _("affinity"), 2);
  c = self->charts[CHART_TEMP].curves;
  bsc_curves_add_series (c, _("τ cluster"), 3);
  bsc_curves_add_series (c, _("τ affinity"), 4);
  bsc_curves_add_series (c, _("learning rate"), 5);
  bsc_curves_get_series (c, 2)->dashed = TRUE;
  c = self->charts[CHART_METRIC].curves;
  bsc_curves_add_series (c, _("ACC"), 6);
  bsc_curves_add_series (c, _("NMI"), 7);
  bsc_curves_add_series (c, _("ARI"), 8);
  for (guint s = 0; s < 3; s++)
    bsc_curves_get_series (c, s)->markers = TRUE;
}

static void
bsc_curves_view_reset (BscRunView    *view,
                       BscDataset *data)
{
  BscCurvesView *self = BSC_CURVES_VIEW (view);

  for (Chart c = 0; c < N_CHARTS; c++)
    {
      g_clear_pointer (&self->charts[c].curves, bsc_curves_free);
      self->charts[c].curves = bsc_curves_new ();
      self->charts[c].style.hover = FALSE;
    }
  setup_series (self);
  gtk_widget_set_visible (GTK_WIDGET (self->metric_area),
                          data == NULL || data->labels != NULL);
  self->last_eval = 0;
  self->has_data = data != NULL;
  self->n_points = 0;
  self->bucket = 1;
  self->acc_n = 0;
  self->acc_x = 0;
  memset (self->acc, 0, sizeof self->acc);
  queue_charts (self);
}

static gboolean
bsc_curves_view_draw_export (BscRunView  *view,
                             cairo_t  *cr,
                             int       width,
                             int       height,
                             gboolean  dark)
{
  BscCurvesView *self = BSC_CURVES_VIEW (view);
  int n = gtk_widget_get_visible (GTK_WIDGET (self->metric_area)) ? 3 : 2;
  BscPlotTheme theme;

  if (self->n_points == 0)
    return FALSE;
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  for (int c = 0; c < n; c++)
    {
      ChartData *chart = &self->charts[c];
      BscCurvesStyle style = chart->style;

      ensure_axes (self, chart);
      style.hover = FALSE;
      style.title = chart_title (c);
      cairo_save (cr);
      cairo_translate (cr, 0, c * height / n);
      bsc_curves_draw (chart->curves, &chart->axes, &style, &theme, cr,
                       width, height / n);
      cairo_restore (cr);
    }
  return TRUE;
}

static void
bsc_curves_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_curves_view_reset;
  iface->update = bsc_curves_view_update;
  iface->draw_export = bsc_curves_view_draw_export;
}

static void
bsc_curves_view_dispose (GObject *object)
{
  BscCurvesView *self = BSC_CURVES_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_CURVES_VIEW);
  for (Chart c = 0; c < N_CHARTS; c++)
    g_clear_pointer (&self->charts[c].curves, bsc_curves_free);
  G_OBJECT_CLASS (bsc_curves_view_parent_class)->dispose (object);
}

static void
bsc_curves_view_class_init (BscCurvesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_curves_view_dispose;
  g_type_ensure (BSC_TYPE_PLOT_AREA);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-curves-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscCurvesView, readout);
  gtk_widget_class_bind_template_child (widget_class, BscCurvesView, log_toggle);
  gtk_widget_class_bind_template_child (widget_class, BscCurvesView, loss_area);
  gtk_widget_class_bind_template_child (widget_class, BscCurvesView, temp_area);
  gtk_widget_class_bind_template_child (widget_class, BscCurvesView, metric_area);
  gtk_widget_class_bind_template_callback (widget_class, log_toggled_cb);
}

static void
bsc_curves_view_init (BscCurvesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (Chart c = 0; c < N_CHARTS; c++)
    {
      BscPlotArea *area = chart_area (self, c);
      GtkEventController *motion = gtk_event_controller_motion_new ();

      bsc_curves_style_init (&self->charts[c].style);
      self->charts[c].style.legend = TRUE;
      self->charts[c].style.x_label = _("step");
      self->charts[c].log_capable = c != CHART_METRIC;
      g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
      g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (area), motion);
      bsc_plot_area_set_draw_func (area, draw_chart_cb, self);
    }
  bsc_curves_view_reset (BSC_RUN_VIEW (self), NULL);
}

guint
bsc_curves_view_get_n_points (BscCurvesView *self)
{
  g_return_val_if_fail (BSC_IS_CURVES_VIEW (self), 0);

  return self->n_points;
}

guint
bsc_curves_view_get_n_drawn (BscCurvesView *self)
{
  g_return_val_if_fail (BSC_IS_CURVES_VIEW (self), 0);

  return bsc_curves_get_series (self->charts[CHART_LOSS].curves, 0)->x->len;
}
