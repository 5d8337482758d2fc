/* bsc-plot-heatmap.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A matrix as an image: cell (r, c) of the displayed matrix is value
 * [order[r] * n_cols + order[c]] (square) mapped through a colour map over
 * [vmin, vmax].  The image (one pixel per cell) is cached and rebuilt only
 * when data, order, range or colour map change; drawing scales it with
 * nearest-neighbour filtering.
 */

#include <math.h>
#include <string.h>

#include "bsc-plot.h"

struct _BscHeatmap
{
  float           *values;
  guint            n_rows, n_cols;
  guint           *order;       /* n_rows, displayed -> data row */
  guint           *inverse;     /* n_rows, data -> displayed row */
  GArray          *boundaries;  /* of guint: displayed index where a group starts */
  double           vmin, vmax;  /* set range; vmin >= vmax: automatic */
  double           gamma;
  BscColormap      map;
  gboolean         dark;
  cairo_surface_t *surface;     /* cache, NULL when stale */
};

BscHeatmap *
bsc_heatmap_new (void)
{
  BscHeatmap *self = g_new0 (BscHeatmap, 1);

  self->boundaries = g_array_new (FALSE, FALSE, sizeof (guint));
  self->gamma = 1.0;
  return self;
}

static void
invalidate (BscHeatmap *self)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
}

void
bsc_heatmap_free (BscHeatmap *self)
{
  if (self == NULL)
    return;
  invalidate (self);
  g_free (self->values);
  g_free (self->order);
  g_free (self->inverse);
  g_array_unref (self->boundaries);
  g_free (self);
}

static void
set_identity (BscHeatmap *self)
{
  for (guint i = 0; i < self->n_rows; i++)
    self->order[i] = self->inverse[i] = i;
  g_array_set_size (self->boundaries, 0);
}

void
bsc_heatmap_set_data (BscHeatmap  *self,
                      const float *values,
                      guint        n_rows,
                      guint        n_cols)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (values != NULL || n_rows * n_cols == 0);

  invalidate (self);
  g_free (self->values);
  self->values = g_memdup2 (values, sizeof (float) * n_rows * n_cols);
  if (n_rows != self->n_rows)
    {
      self->order = g_renew (guint, self->order, n_rows);
      self->inverse = g_renew (guint, self->inverse, n_rows);
    }
  self->n_rows = n_rows;
  self->n_cols = n_cols;
  set_identity (self);
  self->vmin = self->vmax = 0;
}

typedef struct
{
  gint32 group;
  guint  index;
} Keyed;

static int
keyed_compare (gconstpointer a,
               gconstpointer b)
{
  const Keyed *ka = a, *kb = b;

  if (ka->group != kb->group)
    return ka->group < kb->group ? -1 : 1;
  return ka->index < kb->index ? -1 : ka->index > kb->index;
}

void
bsc_heatmap_set_groups (BscHeatmap   *self,
                        const gint32 *groups)
{
  Keyed *keys;

  g_return_if_fail (self != NULL);

  invalidate (self);
  set_identity (self);
  if (groups == NULL || self->n_rows == 0)
    return;
  keys = g_new (Keyed, self->n_rows);
  for (guint i = 0; i < self->n_rows; i++)
    keys[i] = (Keyed) { groups[i], i };
  qsort (keys, self->n_rows, sizeof (Keyed), keyed_compare);
  for (guint r = 0; r < self->n_rows; r++)
    {
      self->order[r] = keys[r].index;
      self->inverse[keys[r].index] = r;
      if (r > 0 && keys[r].group != keys[r - 1].group)
        g_array_append_val (self->boundaries, r);
    }
  g_free (keys);
}

void
bsc_heatmap_set_order (BscHeatmap  *self,
                       const guint *order)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  set_identity (self);
  if (order == NULL)
    return;
  for (guint r = 0; r < self->n_rows; r++)
    {
      g_return_if_fail (order[r] < self->n_rows);
      self->order[r] = order[r];
      self->inverse[order[r]] = r;
    }
}

const guint *
bsc_heatmap_get_order (const BscHeatmap *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->order;
}

void
bsc_heatmap_set_range (BscHeatmap *self,
                       double      vmin,
                       double      vmax)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  self->vmin = vmin;
  self->vmax = vmax;
}

void
bsc_heatmap_get_range (const BscHeatmap *self,
                       double           *vmin,
                       double           *vmax)
{
  double lo = INFINITY, hi = -INFINITY;

  g_return_if_fail (self != NULL && vmin != NULL && vmax != NULL);

  if (self->vmin < self->vmax)
    {
      *vmin = self->vmin;
      *vmax = self->vmax;
      return;
    }
  for (guint r = 0; r < self->n_rows; r++)
    for (guint c = 0; c < self->n_cols; c++)
      {
        float v = self->values[(gsize) r * self->n_cols + c];

        if ((r == c && self->n_rows == self->n_cols) || !isfinite (v))
          continue;
        lo = MIN (lo, v);
        hi = MAX (hi, v);
      }
  if (!isfinite (lo))
    lo = 0, hi = 1;
  if (hi <= lo)
    hi = lo + 1;
  *vmin = lo;
  *vmax = hi;
}

void
bsc_heatmap_set_gamma (BscHeatmap *self,
                       double      gamma)
{
  g_return_if_fail (self != NULL && gamma > 0);

  invalidate (self);
  self->gamma = gamma;
}

static double
color_position (const BscHeatmap *self,
                double            t)
{
  t = CLAMP (t, 0.0, 1.0);
  return self->gamma == 1.0 ? t : pow (t, self->gamma);
}

void
bsc_heatmap_set_colormap (BscHeatmap  *self,
                          BscColormap  map,
                          gboolean     dark)
{
  g_return_if_fail (self != NULL);

  if (map == self->map && dark == self->dark)
    return;
  invalidate (self);
  self->map = map;
  self->dark = dark;
}

static guint32
value_pixel (const BscHeatmap *self,
             double            v,
             double            vmin,
             double            vmax)
{
  if (isnan (v))
    return bsc_colormap_argb (self->map, self->dark, NAN);
  return bsc_colormap_argb (self->map, self->dark,
                            color_position (self, (v - vmin) / (vmax - vmin)));
}

static guint
data_col (const BscHeatmap *self,
          guint             c)
{
  return self->n_rows == self->n_cols ? self->order[c] : c;
}

cairo_surface_t *
bsc_heatmap_get_surface (BscHeatmap *self)
{
  double vmin, vmax;
  guint8 *data;
  int stride;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->surface != NULL)
    return self->surface;
  bsc_heatmap_get_range (self, &vmin, &vmax);
  self->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                              MAX (1, self->n_cols),
                                              MAX (1, self->n_rows));
  cairo_surface_flush (self->surface);
  data = cairo_image_surface_get_data (self->surface);
  stride = cairo_image_surface_get_stride (self->surface);
  for (guint r = 0; r < self->n_rows; r++)
    {
      guint32 *row = (guint32 *) (data + (gsize) r * stride);
      const float *src = self->values + (gsize) self->order[r] * self->n_cols;

      for (guint c = 0; c < self->n_cols; c++)
        row[c] = value_pixel (self, src[data_col (self, c)], vmin, vmax);
    }
  cairo_surface_mark_dirty (self->surface);
  return self->surface;
}

void
bsc_heatmap_get_area (const BscHeatmap   *self,
                      const BscPlotTheme *theme,
                      int                 width,
                      int                 height,
                      BscPlotRect        *area)
{
  double f = theme->font_size;
  double w = MAX (1.0, width - 6.5 * f), h = MAX (1.0, height - 2.4 * f);
  double aspect = self->n_rows > 0 && self->n_cols > 0
                  ? (double) self->n_cols / self->n_rows : 1.0;

  if (w / h > aspect)
    w = h * aspect;
  else
    h = w / aspect;
  area->x = floor ((width - 6.5 * f - w) / 2) + 0.2 * f;
  area->y = 2.2 * f;
  area->width = w;
  area->height = h;
}

static void
draw_colorbar (BscHeatmap         *self,
               const BscPlotRect  *a,
               const BscPlotTheme *theme,
               cairo_t            *cr)
{
  double f = theme->font_size, x = a->x + a->width + 0.8 * f, vmin, vmax;
  double w = 0.9 * f;
  char buf[32];

  bsc_heatmap_get_range (self, &vmin, &vmax);
  for (int i = 0; i < (int) a->height; i++)
    {
      BscColor c;

      bsc_colormap_get (self->map, self->dark,
                        color_position (self, 1 - (i + 0.5) / a->height), &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_rectangle (cr, x, a->y + i, w, 1);
      cairo_fill (cr);
    }
  bsc_plot_set_color (cr, &theme->foreground, 1);
  g_ascii_formatd (buf, sizeof buf, "%.3g", vmax);
  bsc_plot_text (cr, theme, x + w + 0.3 * f, a->y, 0, 0, 0.85, buf);
  /* A minimum that is zero but for rounding reads as 0, not 1.9e-12. */
  if (fabs (vmin) < 1e-6 * fabs (vmax))
    vmin = 0;
  g_ascii_formatd (buf, sizeof buf, "%.3g", vmin);
  bsc_plot_text (cr, theme, x + w + 0.3 * f, a->y + a->height, 0, 1, 0.85,
                 buf);
}

static void
draw_boundaries (BscHeatmap         *self,
                 const BscPlotRect  *a,
                 const BscPlotTheme *theme,
                 cairo_t            *cr)
{
  double sx = a->width / MAX (1u, self->n_cols);
  double sy = a->height / MAX (1u, self->n_rows);

  cairo_set_line_width (cr, 1);
  bsc_plot_set_color (cr, &theme->background, 0.9);
  for (guint i = 0; i < self->boundaries->len; i++)
    {
      guint b = g_array_index (self->boundaries, guint, i);

      cairo_move_to (cr, a->x, a->y + b * sy);
      cairo_line_to (cr, a->x + a->width, a->y + b * sy);
      if (self->n_rows != self->n_cols)
        continue;
      cairo_move_to (cr, a->x + b * sx, a->y);
      cairo_line_to (cr, a->x + b * sx, a->y + a->height);
    }
  cairo_stroke (cr);
}

void
bsc_heatmap_draw (BscHeatmap         *self,
                  const char         *title,
                  const BscPlotTheme *theme,
                  cairo_t            *cr,
                  int                 width,
                  int                 height)
{
  cairo_surface_t *surface;
  BscPlotRect a;

  g_return_if_fail (self != NULL && theme != NULL && cr != NULL);

  bsc_heatmap_set_colormap (self, self->map, theme->dark);
  surface = bsc_heatmap_get_surface (self);
  bsc_heatmap_get_area (self, theme, width, height, &a);
  cairo_save (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  if (self->n_rows > 0 && self->n_cols > 0)
    {
      cairo_save (cr);
      cairo_translate (cr, a.x, a.y);
      cairo_scale (cr, a.width / self->n_cols, a.height / self->n_rows);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_rectangle (cr, 0, 0, self->n_cols, self->n_rows);
      cairo_fill (cr);
      cairo_restore (cr);
      draw_boundaries (self, &a, theme, cr);
    }
  draw_colorbar (self, &a, theme, cr);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  if (title)
    bsc_plot_text (cr, theme, a.x, 0.5 * theme->font_size, 0, 0, 1.1, title);
  cairo_restore (cr);
}

gboolean
bsc_heatmap_pick (const BscHeatmap   *self,
                  const BscPlotTheme *theme,
                  int                 width,
                  int                 height,
                  double              px,
                  double              py,
                  guint              *row,
                  guint              *col)
{
  BscPlotRect a;
  double fr, fc;

  g_return_val_if_fail (self != NULL && row != NULL && col != NULL, FALSE);

  bsc_heatmap_get_area (self, theme, width, height, &a);
  fr = (py - a.y) / a.height * self->n_rows;
  fc = (px - a.x) / a.width * self->n_cols;
  if (fr < 0 || fc < 0 || fr >= self->n_rows || fc >= self->n_cols)
    return FALSE;
  *row = self->order[(guint) fr];
  *col = data_col (self, (guint) fc);
  return TRUE;
}
