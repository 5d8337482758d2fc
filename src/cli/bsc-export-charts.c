/* bsc-export-charts.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PNG charts of a run, drawn with the shared renderers of src/plot
 * and written with the run's configuration and metrics as text chunks.
 */

#include <math.h>
#include <string.h>

#include "bsc-export.h"
#include "bsc-metrics.h"
#include "bsc-plot.h"

typedef struct
{
  const BscChartSet *set;
  BscPlotTheme       theme;
  char             **keys;
  char             **values;
} Charts;

static gboolean
write_chart (Charts          *charts,
             const char      *dir,
             const char      *name,
             BscPlotDrawFunc  draw,
             gpointer         data,
             int              width,
             int              height,
             GError         **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) local = NULL;

  if (bsc_plot_export_png (draw, data, width, height, 1, path,
                           (const char * const *) charts->keys,
                           (const char * const *) charts->values, &local))
    return TRUE;
  if (charts->set->failed)
    charts->set->failed (name, local, charts->set->failed_data);
  if (error && *error == NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* ---- curves -------------------------------------------------------- */

typedef struct
{
  Charts    *charts;
  BscCurves *panels[3];
  const char *titles[3];
  const char *y_labels[3];
  gboolean   log_y[3];
  guint      n_panels;
} CurvesChart;

static double
row_x (const Charts        *charts,
       const BscHistoryRow *row)
{
  guint spe = charts->set->steps_per_epoch;

  return spe > 0 ? (double) row->step / spe : (double) row->step;
}

static void
fill_curves (CurvesChart *chart)
{
  const BscHistory *history = chart->charts->set->history;
  BscCurves *loss = chart->panels[0] = bsc_curves_new ();
  BscCurves *temp = chart->panels[1] = bsc_curves_new ();
  BscCurves *metrics = chart->panels[2] = bsc_curves_new ();

  bsc_curves_add_series (loss, "total", -1);
  bsc_curves_add_series (loss, "cluster", 0);
  bsc_curves_add_series (loss, "affinity", 1);
  bsc_curves_add_series (temp, "tau cluster", 0);
  bsc_curves_add_series (temp, "tau affinity", 1);
  bsc_curves_add_series (temp, "learning rate", 2);
  bsc_curves_get_series (temp, 2)->dashed = TRUE;
  bsc_curves_add_series (metrics, "ACC", 3);
  bsc_curves_add_series (metrics, "NMI", 4);
  bsc_curves_add_series (metrics, "ARI", 5);
  for (guint i = 0; i < 3; i++)
    bsc_curves_get_series (metrics, i)->markers = TRUE;
  /* NMI often equals ACC: dashed over it, so that ACC still shows. */
  bsc_curves_get_series (metrics, 1)->dashed = TRUE;
  for (guint i = 0; i < bsc_history_get_n_rows (history); i++)
    {
      const BscHistoryRow *r = bsc_history_get_row (history, i);
      double x = row_x (chart->charts, r);

      bsc_curves_append (loss, 0, x, r->stats.loss);
      bsc_curves_append (loss, 1, x, r->stats.loss_cluster);
      bsc_curves_append (loss, 2, x, r->stats.loss_affinity);
      bsc_curves_append (temp, 0, x, r->stats.tau_c);
      bsc_curves_append (temp, 1, x, r->stats.tau_a);
      bsc_curves_append (temp, 2, x, r->stats.lr);
      if (!r->has_metrics)
        continue;
      bsc_curves_append (metrics, 0, x, r->acc);
      bsc_curves_append (metrics, 1, x, r->nmi);
      bsc_curves_append (metrics, 2, x, r->ari);
    }
  chart->titles[0] = "Loss per step (total = lambda x cluster + affinity)";
  chart->titles[1] = "Learned temperatures and learning rate";
  chart->titles[2] = "Clustering quality against labels";
  chart->y_labels[0] = "loss";
  chart->y_labels[1] = "value";
  chart->y_labels[2] = "score";
  chart->n_panels = bsc_curves_get_series (metrics, 0)->x->len > 0 ? 3 : 2;
}

static void
draw_curves_cb (cairo_t *cr,
                int      width,
                int      height,
                gpointer user_data)
{
  CurvesChart *chart = user_data;
  int panel_h = height / chart->n_panels;
  BscAxes all[3];
  double x_min = 0, x_max = -INFINITY;

  /* One x range for every panel, from 0, so that they line up. */
  for (guint p = 0; p < chart->n_panels; p++)
    {
      bsc_curves_compute_axes (chart->panels[p], chart->log_y[p], &all[p]);
      x_min = MIN (x_min, all[p].x_min);
      x_max = MAX (x_max, all[p].x_max);
    }
  for (guint p = 0; p < chart->n_panels; p++)
    {
      BscCurvesStyle style;
      BscAxes axes = all[p];

      bsc_curves_style_init (&style);
      style.title = chart->titles[p];
      style.y_label = chart->y_labels[p];
      style.x_label = "epoch";
      axes.x_min = x_min;
      axes.x_max = x_max;
      if (p == 2)
        axes.y_min = 0, axes.y_max = 1;
      cairo_save (cr);
      cairo_translate (cr, 0, p * panel_h);
      bsc_curves_draw (chart->panels[p], &axes, &style, &chart->charts->theme,
                       cr, width, panel_h);
      cairo_restore (cr);
    }
}

static gboolean
write_curves (Charts     *charts,
              const char *dir,
              GError    **error)
{
  CurvesChart chart = { .charts = charts };
  gboolean ok;

  fill_curves (&chart);
  ok = write_chart (charts, dir, "curves.png", draw_curves_cb, &chart, 960,
                    300 * chart.n_panels, error);
  for (guint p = 0; p < 3; p++)
    bsc_curves_free (chart.panels[p]);
  return ok;
}

/* ---- affinity ------------------------------------------------------ */

typedef struct
{
  Charts     *charts;
  BscHeatmap *affinity;
  BscHeatmap *target;
} AffinityChart;

static void
draw_affinity_cb (cairo_t *cr,
                  int      width,
                  int      height,
                  gpointer user_data)
{
  AffinityChart *chart = user_data;

  bsc_plot_paint_background (cr, &chart->charts->theme, width, height);
  bsc_heatmap_draw (chart->affinity,
                    "Probe batch affinity Z Z^T (sorted by cluster)",
                    &chart->charts->theme, cr, width / 2, height);
  cairo_save (cr);
  cairo_translate (cr, width / 2, 0);
  bsc_heatmap_draw (chart->target, "Its Sinkhorn target (same order, square-root colour scale)",
                    &chart->charts->theme, cr, width - width / 2, height);
  cairo_restore (cr);
}

static gboolean
write_affinity (Charts     *charts,
                const char *dir,
                GError    **error)
{
  const BscProbe *probe = charts->set->probe;
  AffinityChart chart = { .charts = charts };
  gboolean ok;

  chart.affinity = bsc_heatmap_new ();
  chart.target = bsc_heatmap_new ();
  bsc_heatmap_set_data (chart.affinity, probe->affinity, probe->batch,
                        probe->batch);
  bsc_heatmap_set_data (chart.target, probe->target, probe->batch,
                        probe->batch);
  bsc_heatmap_set_groups (chart.affinity, probe->clusters);
  bsc_heatmap_set_groups (chart.target, probe->clusters);
  bsc_heatmap_set_colormap (chart.target, BSC_COLORMAP_MAGMA, FALSE);
  bsc_heatmap_set_gamma (chart.target, 0.5);
  ok = write_chart (charts, dir, "affinity.png", draw_affinity_cb, &chart,
                    1200, 580, error);
  bsc_heatmap_free (chart.affinity);
  bsc_heatmap_free (chart.target);
  return ok;
}

/* ---- projection ---------------------------------------------------- */

typedef struct
{
  Charts     *charts;
  BscScatter *scatter;
  BscScatter *by_label;   /* the same points coloured by label, or NULL */
} ProjectionChart;

/* A colour key: title, then one swatch per entry with its name (or its
 * number) and count. */
static void
draw_legend (const Charts     *charts,
             cairo_t          *cr,
             double            x,
             double            y,
             const char       *title,
             guint             n,
             const GPtrArray  *names,
             const gsize      *sizes)
{
  const BscPlotTheme *theme = &charts->theme;
  double row = 1.4 * theme->font_size;

  bsc_plot_set_color (cr, &theme->foreground, 1);
  bsc_plot_text (cr, theme, x, y, 0, 0, 1, title);
  for (guint k = 0; k < n && k < 48; k++)
    {
      char text[96];
      BscColor c;

      bsc_palette_get (k, theme->dark, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_rectangle (cr, x, y + (k + 1.2) * row, 0.8 * row, 0.8 * row);
      cairo_fill (cr);
      if (names != NULL && k < names->len)
        g_snprintf (text, sizeof text, "%.24s  (%" G_GSIZE_FORMAT ")",
                    (const char *) g_ptr_array_index (names, k), sizes[k]);
      else
        g_snprintf (text, sizeof text, "%u  (%" G_GSIZE_FORMAT ")", k, sizes[k]);
      bsc_plot_set_color (cr, &theme->foreground, 1);
      bsc_plot_text (cr, theme, x + row, y + (k + 1.6) * row, 0, 0.5, 0.9,
                     text);
    }
}

static void
draw_cluster_legend (const Charts *charts,
                     cairo_t      *cr,
                     double        x,
                     double        y)
{
  const BscEvaluation *eval = charts->set->info->eval;

  draw_legend (charts, cr, x, y, "cluster (size)", eval->n_clusters, NULL,
               eval->cluster_sizes);
}

static int
float_compare (gconstpointer a,
               gconstpointer b)
{
  float fa = *(const float *) a, fb = *(const float *) b;

  return fa < fb ? -1 : fa > fb;
}

/* The quartiles of the finite values of column c of xy. */
static void
quartiles (const float *xy,
           gsize        n,
           guint        c,
           double      *q1,
           double      *q3)
{
  g_autofree float *v = g_new (float, MAX (n, 1));
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (xy[2 * i + c]))
      v[m++] = xy[2 * i + c];
  if (m == 0)
    {
      *q1 = -1, *q3 = 1;
      return;
    }
  qsort (v, m, sizeof (float), float_compare);
  *q1 = v[m / 4];
  *q3 = v[m - 1 - m / 4];
}

/* A view of the dense centre, the quartile box widened by twice the
 * interquartile range on each side: PCA of a spectral embedding puts a
 * few clusters on long arms and the others in a crowded centre. */
static void
central_view (const BscChartSet *set,
              int                width,
              int                height,
              BscView           *view)
{
  gsize n = set->info->eval->n_samples;
  double x1, x3, y1, y3, w, h;

  quartiles (set->points, n, 0, &x1, &x3);
  quartiles (set->points, n, 1, &y1, &y3);
  w = MAX (5 * (x3 - x1), 1e-9);
  h = MAX (5 * (y3 - y1), 1e-9);
  view->cx = (x1 + x3) / 2;
  view->cy = (y1 + y3) / 2;
  view->scale = MIN (width / w, height / h);
}

/* The region of view inner drawn as a rectangle on view outer. */
static void
draw_zoom_box (const ProjectionChart *chart,
               const BscView         *outer,
               const BscView         *inner,
               int                    width,
               int                    height,
               cairo_t               *cr)
{
  double x0, y0, x1, y1, px0, py0, px1, py1;

  bsc_view_from_pixel (inner, width, height, 0, 0, &x0, &y0);
  bsc_view_from_pixel (inner, width, height, width, height, &x1, &y1);
  bsc_view_to_pixel (outer, width, height, x0, y0, &px0, &py0);
  bsc_view_to_pixel (outer, width, height, x1, y1, &px1, &py1);
  bsc_plot_set_color (cr, &chart->charts->theme.foreground, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, px0, py0, px1 - px0, py1 - py0);
  cairo_stroke (cr);
}

static void
draw_projection_cb (cairo_t *cr,
                    int      width,
                    int      height,
                    gpointer user_data)
{
  ProjectionChart *chart = user_data;
  const BscPlotTheme *theme = &chart->charts->theme;
  int panel = (width - 180) / 2;
  BscView view, centre;

  bsc_plot_paint_background (cr, theme, width, height);
  bsc_scatter_fit_view (chart->scatter, panel, height - 40, &view);
  view.cy += 20 / view.scale;  /* 20 px down: room for the title */
  central_view (chart->charts->set, panel, height - 40, &centre);
  centre.cy += 20 / centre.scale;
  bsc_scatter_draw (chart->scatter, &view,
                    "PCA of the spectral embedding by cluster "
                    "(diamonds: prototypes)", -1, theme, cr, panel, height);
  draw_zoom_box (chart, &view, &centre, panel, height, cr);
  cairo_save (cr);
  cairo_translate (cr, panel, 0);
  bsc_scatter_draw (chart->scatter, &centre,
                    "Its dense centre enlarged (the box on the left)", -1,
                    theme, cr, panel, height);
  bsc_plot_set_color (cr, &theme->grid, 1);
  cairo_rectangle (cr, 0.5, 0.5, panel - 1, height - 1);
  cairo_stroke (cr);
  cairo_restore (cr);
  draw_cluster_legend (chart->charts, cr, 2 * panel + 20, 40);
}

/* A neighbourhood map needs no enlarged centre: beside the map by
 * cluster, the same map by label when there are labels. */
static void
draw_neighbours_cb (cairo_t *cr,
                    int      width,
                    int      height,
                    gpointer user_data)
{
  ProjectionChart *chart = user_data;
  const Charts *charts = chart->charts;
  const BscPlotTheme *theme = &charts->theme;
  const BscDataset *data = charts->set->info->data;
  int legend = 190;
  int panel = chart->by_label ? (width - 2 * legend) / 2 : width - legend;
  BscView view;

  bsc_plot_paint_background (cr, theme, width, height);
  bsc_scatter_fit_view (chart->scatter, panel, height - 40, &view);
  view.cy += 20 / view.scale;  /* 20 px down: room for the title */
  bsc_scatter_draw (chart->scatter, &view,
                    "t-SNE of the spectral embedding by cluster "
                    "(diamonds: prototypes)", -1, theme, cr, panel, height);
  draw_cluster_legend (charts, cr, panel + 20, 40);
  if (chart->by_label == NULL)
    return;
  {
    g_autofree gsize *counts = bsc_dataset_class_counts (data);

    cairo_save (cr);
    cairo_translate (cr, panel + legend, 0);
    bsc_scatter_draw (chart->by_label, &view, "The same map by label", -1,
                      theme, cr, panel, height);
    bsc_plot_set_color (cr, &theme->grid, 1);
    cairo_rectangle (cr, 0.5, 0.5, panel - 1, height - 1);
    cairo_stroke (cr);
    cairo_restore (cr);
    draw_legend (charts, cr, 2 * panel + legend + 20, 40, "label (size)",
                 data->n_classes, data->class_names, counts);
  }
}

static BscScatter *
projection_scatter (const BscChartSet *set,
                    const gint32      *colors)
{
  const BscEvaluation *eval = set->info->eval;
  BscScatter *scatter = bsc_scatter_new ();

  bsc_scatter_set_points (scatter, set->points, eval->n_samples, colors);
  if (set->proto_points && colors == eval->clusters)
    bsc_scatter_set_prototypes (scatter, set->proto_points, eval->n_clusters);
  bsc_scatter_set_point_radius (scatter, eval->n_samples > 20000 ? 1.2 : 1.8);
  bsc_scatter_set_point_alpha (scatter, eval->n_samples > 3000 ? 0.6 : 1.0);
  return scatter;
}

static gboolean
write_projection (Charts     *charts,
                  const char *dir,
                  GError    **error)
{
  const BscChartSet *set = charts->set;
  const BscDataset *data = set->info->data;
  ProjectionChart chart = { .charts = charts };
  gboolean ok;

  chart.scatter = projection_scatter (set, set->info->eval->clusters);
  if (set->neighbours && data != NULL && data->labels != NULL)
    chart.by_label = projection_scatter (set, data->labels);
  ok = write_chart (charts, dir, "projection.png",
                    set->neighbours ? draw_neighbours_cb : draw_projection_cb,
                    &chart, 1500, 760, error);
  bsc_scatter_free (chart.scatter);
  g_clear_pointer (&chart.by_label, bsc_scatter_free);
  return ok;
}

/* ---- sizes and confusion ------------------------------------------- */

static void
draw_sizes_cb (cairo_t *cr,
               int      width,
               int      height,
               gpointer user_data)
{
  Charts *charts = user_data;
  const BscEvaluation *eval = charts->set->info->eval;
  g_autofree double *values = g_new (double, eval->n_clusters);
  double mean = (double) eval->n_samples / MAX (1u, eval->n_clusters);
  BscBars bars = {
    .n = eval->n_clusters, .values = values,
    .title = "Cluster sizes (red outline: empty or over 3x the mean)",
    .x_label = "cluster", .y_label = "samples",
    .warn_above = 3 * mean, .warn_below = 0.5,
    .reference = mean, .reference_label = "mean",
  };

  for (guint k = 0; k < eval->n_clusters; k++)
    values[k] = eval->cluster_sizes[k];
  bsc_bars_draw (&bars, &charts->theme, cr, width, height);
}

static void
draw_confusion_cb (cairo_t *cr,
                   int      width,
                   int      height,
                   gpointer user_data)
{
  Charts *charts = user_data;
  const BscDataset *data = charts->set->info->data;
  const BscEvaluation *eval = charts->set->info->eval;
  g_autofree gsize *counts = bsc_metrics_contingency (data->labels,
                                                      data->n_classes,
                                                      eval->clusters,
                                                      eval->n_clusters,
                                                      data->n_samples);
  BscConfusion conf = {
    .n_rows = eval->n_clusters, .n_cols = data->n_classes,
    .counts = counts,
    .col_names = data->class_names
                 ? (const char **) data->class_names->pdata : NULL,
    .title = "Clusters against labels (shade: share of the cluster)",
    .row_label = "cluster", .col_label = "label", .row_swatches = TRUE,
  };

  bsc_confusion_draw (&conf, &charts->theme, cr, width, height);
}

/* ---- mosaics ------------------------------------------------------- */

typedef struct
{
  Charts        *charts;
  BscMosaic      mosaic;
  guint          cell;
} MosaicChart;

static void
draw_mosaic_cb (cairo_t *cr,
                int      width,
                int      height,
                gpointer user_data)
{
  MosaicChart *chart = user_data;

  bsc_mosaic_draw (&chart->mosaic, &chart->charts->theme, chart->cell, cr,
                   width, height);
}

typedef struct
{
  gsize index;
  float confidence;
} Ranked;

static int
ranked_compare (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a, *rb = b;

  if (ra->confidence != rb->confidence)
    return ra->confidence > rb->confidence ? -1 : 1;
  return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/* Cluster k's samples, most confident first. */
static GArray *
rank_cluster (const BscEvaluation *eval,
              guint                k)
{
  GArray *ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));

  for (gsize i = 0; i < eval->n_samples; i++)
    if (eval->clusters[i] == (gint32) k)
      {
        Ranked r = { i, eval->confidence[i] };

        g_array_append_val (ranked, r);
      }
  g_array_sort (ranked, ranked_compare);
  return ranked;
}

/* "Cluster 3: 141 samples, 64% "Sandal"; the 100 most confident" */
static char *
mosaic_caption (const Charts *charts,
                guint         k,
                GArray       *ranked,
                guint         shown)
{
  const BscDataset *data = charts->set->info->data;
  g_autofree gsize *counts = NULL;
  g_autofree char *majority = NULL;
  gsize best = 0;

  if (data->labels && ranked->len > 0)
    {
      counts = g_new0 (gsize, data->n_classes);
      for (guint i = 0; i < ranked->len; i++)
        counts[data->labels[g_array_index (ranked, Ranked, i).index]]++;
      for (guint c = 1; c < data->n_classes; c++)
        if (counts[c] > counts[best])
          best = c;
      majority = g_strdup_printf (", %.0f%% \"%s\"",
                                  100.0 * counts[best] / ranked->len,
                                  data->class_names
                                  ? (char *) data->class_names->pdata[best]
                                  : "?");
    }
  if (shown < ranked->len)
    return g_strdup_printf ("Cluster %u: %u samples%s; the %u most "
                            "confident", k, ranked->len,
                            majority ? majority : "", shown);
  return g_strdup_printf ("Cluster %u: %u samples%s; most confident first",
                          k, ranked->len, majority ? majority : "");
}

static gboolean
write_mosaic (Charts     *charts,
              const char *dir,
              guint       k,
              GError    **error)
{
  const BscDataset *data = charts->set->info->data;
  guint max = charts->set->mosaic_max ? charts->set->mosaic_max : 100;
  g_autoptr (GArray) ranked = rank_cluster (charts->set->info->eval, k);
  g_autofree const guint8 **thumbs = g_new0 (const guint8 *, MAX (1u, max));
  g_autofree char *caption = NULL;
  g_autofree char *name = g_strdup_printf ("mosaic-%02u.png", k);
  MosaicChart chart = { .charts = charts };
  int width;

  chart.mosaic.n = MIN (max, ranked->len);
  caption = mosaic_caption (charts, k, ranked, chart.mosaic.n);
  for (guint i = 0; i < chart.mosaic.n; i++)
    thumbs[i] = bsc_dataset_get_thumbnail (data,
                                           g_array_index (ranked, Ranked,
                                                          i).index,
                                           &chart.mosaic.size,
                                           &chart.mosaic.channels);
  chart.mosaic.thumbs = thumbs;
  chart.mosaic.caption = caption;
  chart.mosaic.caption_color = k;
  chart.cell = chart.mosaic.size < 48 ? 2 * chart.mosaic.size
                                      : chart.mosaic.size;
  chart.cell = MAX (chart.cell, 16u);
  width = 3 + 10 * (chart.cell + 3);
  width = MAX (width, 420);
  return write_chart (charts, dir, name, draw_mosaic_cb, &chart, width,
                      bsc_mosaic_get_height (&chart.mosaic, &charts->theme,
                                             width, chart.cell), error);
}

gboolean
bsc_export_charts (const char        *dir,
                   const BscChartSet *set,
                   GError           **error)
{
  const BscRunInfo *info = set->info;
  const BscDataset *data = info->data;
  Charts charts = { .set = set };
  gboolean ok;
  guint size, channels;

  g_return_val_if_fail (dir != NULL && set != NULL && info->eval != NULL,
                        FALSE);

  bsc_plot_theme_init (&charts.theme, FALSE);
  bsc_export_png_text (info, &charts.keys, &charts.values);
  /* Every chart is tried, whichever failed before it. */
  ok = write_curves (&charts, dir, error);
  ok &= set->probe == NULL || write_affinity (&charts, dir, error);
  ok &= set->points == NULL || write_projection (&charts, dir, error);
  ok &= write_chart (&charts, dir, "sizes.png", draw_sizes_cb, &charts, 900,
                     420, error);
  ok &= data->labels == NULL
        || write_chart (&charts, dir, "confusion.png", draw_confusion_cb,
                        &charts, 760, 700, error);
  for (guint k = 0; data->n_samples > 0
                    && bsc_dataset_get_thumbnail (data, 0, &size, &channels)
                    && k < info->eval->n_clusters; k++)
    ok &= write_mosaic (&charts, dir, k, error);
  g_strfreev (charts.keys);
  g_strfreev (charts.values);
  return ok;
}
