/* bsc-plot-curves.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Line charts of several named series with a linear or log y axis, a
 * legend and a hover marker.  Series x values are expected in ascending
 * order (steps, epochs); picking relies on it.
 */

#include <math.h>

#include "bsc-plot.h"

#define MAX_TICKS 32

struct _BscCurves
{
  GPtrArray *series;   /* of BscSeries * */
};

static void
series_free (gpointer data)
{
  BscSeries *s = data;

  g_free (s->name);
  g_array_unref (s->x);
  g_array_unref (s->y);
  g_free (s);
}

BscCurves *
bsc_curves_new (void)
{
  BscCurves *self = g_new0 (BscCurves, 1);

  self->series = g_ptr_array_new_with_free_func (series_free);
  return self;
}

void
bsc_curves_free (BscCurves *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->series);
  g_free (self);
}

guint
bsc_curves_add_series (BscCurves  *self,
                       const char *name,
                       int         color)
{
  BscSeries *s;

  g_return_val_if_fail (self != NULL, 0);

  s = g_new0 (BscSeries, 1);
  s->name = g_strdup (name);
  s->color = color;
  s->visible = TRUE;
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->y = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (self->series, s);
  return self->series->len - 1;
}

void
bsc_curves_append (BscCurves *self,
                   guint      series,
                   double     x,
                   double     y)
{
  BscSeries *s;

  g_return_if_fail (self != NULL && series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  g_array_append_val (s->x, x);
  g_array_append_val (s->y, y);
}

void
bsc_curves_clear (BscCurves *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);

      g_array_set_size (s->x, 0);
      g_array_set_size (s->y, 0);
    }
}

guint
bsc_curves_get_n_series (const BscCurves *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->series->len;
}

BscSeries *
bsc_curves_get_series (const BscCurves *self,
                       guint            series)
{
  g_return_val_if_fail (self != NULL && series < self->series->len, NULL);

  return g_ptr_array_index (self->series, series);
}

static void
nice_linear_range (double *lo,
                   double *hi)
{
  double ticks[MAX_TICKS], step;
  guint n;

  if (*hi - *lo < 1e-12 * MAX (1.0, fabs (*hi)))
    {
      double pad = fabs (*hi) > 0 ? fabs (*hi) * 0.1 : 1.0;

      *lo -= pad;
      *hi += pad;
    }
  n = bsc_plot_nice_ticks (*lo, *hi, 5, ticks, MAX_TICKS);
  if (n < 2)
    return;
  step = ticks[1] - ticks[0];
  *lo = MIN (*lo, floor (*lo / step + 1e-9) * step);
  *hi = MAX (*hi, ceil (*hi / step - 1e-9) * step);
}

void
bsc_curves_compute_axes (const BscCurves *self,
                         gboolean         log_y,
                         BscAxes         *axes)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;

  g_return_if_fail (self != NULL && axes != NULL);

  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);

      for (guint j = 0; s->visible && j < s->x->len; j++)
        {
          double x = g_array_index (s->x, double, j);
          double y = g_array_index (s->y, double, j);

          if (!isfinite (x) || !isfinite (y) || (log_y && y <= 0))
            continue;
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
    }
  if (!isfinite (x0))
    {
      x0 = 0, x1 = 1;
      y0 = log_y ? 0.1 : 0, y1 = 1;
    }
  if (x1 <= x0)
    x1 = x0 + 1;
  axes->log_y = log_y;
  axes->x_min = x0;
  axes->x_max = x1;
  if (log_y)
    {
      axes->y_min = pow (10, floor (log10 (y0)));
      axes->y_max = pow (10, ceil (log10 (y1)));
      if (axes->y_max <= axes->y_min)
        axes->y_max = axes->y_min * 10;
      return;
    }
  nice_linear_range (&y0, &y1);
  axes->y_min = y0;
  axes->y_max = y1;
}

void
bsc_curves_style_init (BscCurvesStyle *style)
{
  g_return_if_fail (style != NULL);

  *style = (BscCurvesStyle) { .legend = TRUE };
}

void
bsc_curves_get_plot_area (const BscPlotTheme   *theme,
                          const BscCurvesStyle *style,
                          int                   width,
                          int                   height,
                          BscPlotRect          *area)
{
  double f = theme->font_size;
  double top = style->title ? 2.4 * f : 0.8 * f;
  double bottom = style->x_label ? 3.4 * f : 2.0 * f;
  double left = style->y_label ? 6.4 * f : 5.0 * f;

  area->x = left;
  area->y = top;
  area->width = MAX (1.0, width - left - 1.2 * f);
  area->height = MAX (1.0, height - top - bottom);
}

static double
map_y (const BscAxes     *axes,
       const BscPlotRect *a,
       double             y)
{
  double t;

  if (axes->log_y)
    t = (log10 (MAX (y, 1e-300)) - log10 (axes->y_min))
        / (log10 (axes->y_max) - log10 (axes->y_min));
  else
    t = (y - axes->y_min) / (axes->y_max - axes->y_min);
  return a->y + a->height * (1 - t);
}

static double
map_x (const BscAxes     *axes,
       const BscPlotRect *a,
       double             x)
{
  return a->x + a->width * (x - axes->x_min) / (axes->x_max - axes->x_min);
}

static guint
log_ticks (const BscAxes *axes,
           double        *ticks)
{
  double d0 = log10 (axes->y_min), d1 = log10 (axes->y_max);
  guint decades = (guint) MAX (1, lround (d1 - d0));
  guint every = MAX (1u, decades / 6), n = 0;

  for (double d = ceil (d0 - 1e-9); d <= d1 + 1e-9 && n < MAX_TICKS;
       d += every)
    {
      ticks[n++] = pow (10, d);
      if (decades <= 2 && d + 1e-9 < d1 && n + 2 < MAX_TICKS)
        {
          ticks[n++] = 2 * pow (10, d);
          ticks[n++] = 5 * pow (10, d);
        }
    }
  return n;
}

static void
draw_y_axis (const BscAxes      *axes,
             const BscPlotRect  *a,
             const BscPlotTheme *theme,
             cairo_t            *cr)
{
  double ticks[MAX_TICKS];
  char buf[32];
  guint n;
  double step;

  n = axes->log_y ? log_ticks (axes, ticks)
                  : bsc_plot_nice_ticks (axes->y_min, axes->y_max, 5,
                                         ticks, MAX_TICKS);
  step = n > 1 ? ticks[1] - ticks[0] : 1;
  for (guint i = 0; i < n; i++)
    {
      bsc_plot_format_tick (ticks[i], axes->log_y ? ticks[i] : step, buf,
                            sizeof buf);
      bsc_plot_grid_tick (cr, theme, a, TRUE, map_y (axes, a, ticks[i]), buf);
    }
}

static void
draw_x_axis (const BscAxes      *axes,
             const BscPlotRect  *a,
             const BscPlotTheme *theme,
             cairo_t            *cr)
{
  double ticks[MAX_TICKS];
  char buf[32];
  guint target = MAX (2, (guint) (a->width / (6 * theme->font_size)));
  guint n = bsc_plot_nice_ticks (axes->x_min, axes->x_max, MIN (target, 8),
                                 ticks, MAX_TICKS);
  double step = n > 1 ? ticks[1] - ticks[0] : 1;

  for (guint i = 0; i < n; i++)
    {
      bsc_plot_format_tick (ticks[i], step, buf, sizeof buf);
      bsc_plot_grid_tick (cr, theme, a, FALSE, map_x (axes, a, ticks[i]), buf);
    }
}

static void
series_color (const BscSeries    *s,
              const BscPlotTheme *theme,
              BscColor           *c)
{
  if (s->color < 0)
    *c = theme->foreground;
  else
    bsc_palette_get (s->color, theme->dark, c);
}

/* Lines through every finite point; a gap where a value is missing. */
static void
draw_series (const BscSeries   *s,
             const BscAxes     *axes,
             const BscPlotRect *a,
             cairo_t           *cr)
{
  gboolean started = FALSE;
  guint n = s->x->len;

  for (guint j = 0; j < n; j++)
    {
      double x = g_array_index (s->x, double, j);
      double y = g_array_index (s->y, double, j);
      double px, py;

      if (!isfinite (x) || !isfinite (y) || (axes->log_y && y <= 0))
        {
          started = FALSE;
          continue;
        }
      px = map_x (axes, a, x);
      py = map_y (axes, a, y);
      if (started)
        cairo_line_to (cr, px, py);
      else
        cairo_move_to (cr, px, py);
      started = TRUE;
      if (s->markers || n == 1)
        {
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, 2.5, 0, 2 * G_PI);
          cairo_move_to (cr, px, py);
        }
    }
  cairo_stroke (cr);
}

/* How many points of the visible series fall inside the box (x, y, w,
 * h) of the plot area, widened by margin: a marker just outside the box
 * (the last evaluation, on the frame's edge) is still half under it. */
static guint
points_inside (const BscCurves   *self,
               const BscAxes     *axes,
               const BscPlotRect *a,
               double             x,
               double             y,
               double             w,
               double             h,
               double             margin)
{
  guint count = 0;

  x -= margin, y -= margin, w += 2 * margin, h += 2 * margin;

  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);

      for (guint j = 0; s->visible && j < s->x->len; j++)
        {
          double px = map_x (axes, a, g_array_index (s->x, double, j));
          double py = map_y (axes, a, g_array_index (s->y, double, j));

          count += px >= x && px <= x + w && py >= y && py <= y + h;
        }
    }
  return count;
}

/* The legend in the corner of the plot area that hides the fewest points
 * (top right first among equals). */
static void
draw_legend (const BscCurves    *self,
             const BscAxes      *axes,
             const BscPlotRect  *a,
             const BscPlotTheme *theme,
             cairo_t            *cr)
{
  double f = theme->font_size, w = 0, row = 1.35 * f, x, y, h;
  guint shown = 0, best = G_MAXUINT;

  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 0.9 * f);
  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);
      cairo_text_extents_t ext;

      if (!s->visible || s->name == NULL)
        continue;
      cairo_text_extents (cr, s->name, &ext);
      w = MAX (w, ext.x_advance);
      shown++;
    }
  cairo_restore (cr);
  if (shown == 0)
    return;
  w += 2.8 * f;
  h = shown * row + 0.4 * f;
  x = a->x + a->width - w - 0.5 * f;
  y = a->y + 0.5 * f;
  for (guint corner = 0; corner < 4; corner++)
    {
      double cx = corner % 2 ? a->x + 0.5 * f : a->x + a->width - w - 0.5 * f;
      double cy = corner / 2 ? a->y + a->height - h - 0.5 * f : a->y + 0.5 * f;
      guint hidden = points_inside (self, axes, a, cx, cy, w, h, 0.8 * f);

      if (hidden < best)
        best = hidden, x = cx, y = cy;
    }
  bsc_plot_set_color (cr, &theme->background, 0.85);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill_preserve (cr);
  bsc_plot_set_color (cr, &theme->grid, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  y += 0.2 * f;
  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);
      BscColor c;

      if (!s->visible || s->name == NULL)
        continue;
      series_color (s, theme, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_set_line_width (cr, 2.5);
      cairo_set_dash (cr, (const double[]) { 6, 4 }, s->dashed ? 2 : 0, 0);
      cairo_move_to (cr, x + 0.4 * f, y + row / 2);
      cairo_line_to (cr, x + 1.9 * f, y + row / 2);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      bsc_plot_set_color (cr, &theme->foreground, 1);
      bsc_plot_text (cr, theme, x + 2.3 * f, y + row / 2, 0, 0.5, 0.9,
                     s->name);
      y += row;
    }
}

static void
draw_hover (const BscCurves      *self,
            const BscAxes        *axes,
            const BscCurvesStyle *style,
            const BscPlotRect    *a,
            const BscPlotTheme   *theme,
            cairo_t              *cr)
{
  BscSeries *s;
  double x, y, px, py;
  char xs[32], ys[32], *label;
  BscColor c;

  if (style->hover_series >= self->series->len)
    return;
  s = g_ptr_array_index (self->series, style->hover_series);
  if (style->hover_index >= s->x->len)
    return;
  x = g_array_index (s->x, double, style->hover_index);
  y = g_array_index (s->y, double, style->hover_index);
  px = map_x (axes, a, x);
  py = map_y (axes, a, y);
  bsc_plot_set_color (cr, &theme->accent, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, round (px) + 0.5, a->y);
  cairo_line_to (cr, round (px) + 0.5, a->y + a->height);
  cairo_stroke (cr);
  series_color (s, theme, &c);
  bsc_plot_set_color (cr, &c, 1);
  cairo_arc (cr, px, py, 4.5, 0, 2 * G_PI);
  cairo_fill (cr);
  g_ascii_formatd (xs, sizeof xs, "%g", x);
  g_ascii_formatd (ys, sizeof ys, "%.5g", y);
  label = g_strdup_printf ("%s: %s at %s", s->name ? s->name : "", ys, xs);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  bsc_plot_text (cr, theme, px < a->x + a->width / 2 ? px + 8 : px - 8,
                 py - 8, px < a->x + a->width / 2 ? 0 : 1, 1, 0.9, label);
  g_free (label);
}

void
bsc_curves_draw (const BscCurves      *self,
                 const BscAxes        *axes,
                 const BscCurvesStyle *style,
                 const BscPlotTheme   *theme,
                 cairo_t              *cr,
                 int                   width,
                 int                   height)
{
  BscPlotRect a;

  g_return_if_fail (self != NULL && axes != NULL && style != NULL);
  g_return_if_fail (theme != NULL && cr != NULL);

  bsc_curves_get_plot_area (theme, style, width, height, &a);
  cairo_save (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  cairo_set_line_width (cr, 1);
  draw_y_axis (axes, &a, theme, cr);
  draw_x_axis (axes, &a, theme, cr);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  cairo_rectangle (cr, round (a.x) + 0.5, round (a.y) + 0.5,
                   round (a.width), round (a.height));
  cairo_stroke (cr);

  /* Clipped a marker's width outside the frame, so points on its edges
   * (the last step, the best value) show whole. */
  cairo_save (cr);
  cairo_rectangle (cr, a.x - 6, a.y - 6, a.width + 12, a.height + 12);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);
      static const double dash[] = { 6, 4 };
      BscColor c;

      if (!s->visible)
        continue;
      series_color (s, theme, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_set_line_width (cr, 1.8);
      cairo_set_dash (cr, dash, s->dashed ? 2 : 0, 0);
      draw_series (s, axes, &a, cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);
  if (style->hover)
    draw_hover (self, axes, style, &a, theme, cr);
  cairo_restore (cr);

  if (style->legend)
    draw_legend (self, axes, &a, theme, cr);
  bsc_plot_axis_labels (cr, theme, &a, height, style->title, style->x_label,
                        style->y_label);
  cairo_restore (cr);
}

/* Index of the point of s whose x is nearest to x (x ascending). */
static guint
nearest_x (const BscSeries *s,
           double           x)
{
  guint lo = 0, hi = s->x->len - 1;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (s->x, double, mid) < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo > 0 && x - g_array_index (s->x, double, lo - 1)
                  < g_array_index (s->x, double, lo) - x)
    lo--;
  return lo;
}

gboolean
bsc_curves_pick (const BscCurves      *self,
                 const BscAxes        *axes,
                 const BscCurvesStyle *style,
                 const BscPlotTheme   *theme,
                 int                   width,
                 int                   height,
                 double                px,
                 double                py,
                 double                max_dist,
                 guint                *series,
                 guint                *index)
{
  BscPlotRect a;
  double best = INFINITY, x;

  g_return_val_if_fail (self != NULL && axes != NULL, FALSE);

  bsc_curves_get_plot_area (theme, style, width, height, &a);
  x = axes->x_min + (px - a.x) / a.width * (axes->x_max - axes->x_min);
  for (guint i = 0; i < self->series->len; i++)
    {
      BscSeries *s = g_ptr_array_index (self->series, i);
      guint j;
      double d;

      if (!s->visible || s->x->len == 0)
        continue;
      j = nearest_x (s, x);
      d = hypot (map_x (axes, &a, g_array_index (s->x, double, j)) - px,
                 map_y (axes, &a, g_array_index (s->y, double, j)) - py);
      if (d < best && isfinite (d))
        {
          best = d;
          *series = i;
          *index = j;
        }
    }
  return best <= max_dist;
}
