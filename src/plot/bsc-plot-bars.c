/* bsc-plot-bars.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bar charts (cluster sizes) and the confusion matrix of clusters against
 * labels.
 */

#include <math.h>

#include "bsc-plot.h"

static void
bars_area (const BscBars      *bars,
           const BscPlotTheme *theme,
           int                 width,
           int                 height,
           BscPlotRect        *a)
{
  double f = theme->font_size;

  a->x = bars->y_label ? 6.4 * f : 5.0 * f;
  a->y = bars->title ? 2.4 * f : 0.8 * f;
  /* A reference line is labelled right of the area. */
  a->width = MAX (1.0, width - a->x - (bars->reference > 0 ? 3.6 : 1.0) * f);
  a->height = MAX (1.0, height - a->y - (bars->x_label ? 3.4 * f : 2.0 * f));
}

static double
bars_max (const BscBars *bars)
{
  double m = 0;

  for (guint i = 0; i < bars->n; i++)
    if (isfinite (bars->values[i]))
      m = MAX (m, bars->values[i]);
  m = MAX (m, bars->reference);
  return m > 0 ? m : 1;
}

static void
draw_bar_axis (const BscBars      *bars,
               const BscPlotRect  *a,
               double              top,
               const BscPlotTheme *theme,
               cairo_t            *cr)
{
  double ticks[32];
  guint n = bsc_plot_nice_ticks (0, top, 5, ticks, 32);
  double step = n > 1 ? ticks[1] - ticks[0] : 1;
  char buf[32];

  for (guint i = 0; i < n; i++)
    {
      bsc_plot_format_tick (ticks[i], step, buf, sizeof buf);
      bsc_plot_grid_tick (cr, theme, a, TRUE,
                          a->y + a->height * (1 - ticks[i] / top), buf);
    }
}

static void
draw_bar_labels (const BscBars      *bars,
                 const BscPlotRect  *a,
                 int                 height,
                 const BscPlotTheme *theme,
                 cairo_t            *cr)
{
  double w = a->width / bars->n, f = theme->font_size;
  guint every = MAX (1u, (guint) ceil (2.5 * f / w));

  bsc_plot_set_color (cr, &theme->foreground, 1);
  for (guint i = 0; i < bars->n; i += every)
    {
      char buf[16];
      const char *label = bars->labels ? bars->labels[i] : NULL;

      if (label == NULL)
        {
          g_snprintf (buf, sizeof buf, "%u", i);
          label = buf;
        }
      bsc_plot_text (cr, theme, a->x + (i + 0.5) * w,
                     a->y + a->height + 0.3 * f, 0.5, 0, 0.9, label);
    }
  bsc_plot_axis_labels (cr, theme, a, height, bars->title, bars->x_label,
                        bars->y_label);
}

static void
draw_reference (const BscBars      *bars,
                const BscPlotRect  *a,
                double              top,
                const BscPlotTheme *theme,
                cairo_t            *cr)
{
  static const double dash[] = { 5, 4 };
  double y;

  if (bars->reference <= 0)
    return;
  y = round (a->y + a->height * (1 - bars->reference / top)) + 0.5;
  cairo_save (cr);
  bsc_plot_set_color (cr, &theme->foreground, 0.7);
  cairo_set_line_width (cr, 1.2);
  cairo_set_dash (cr, dash, 2, 0);
  cairo_move_to (cr, a->x, y);
  cairo_line_to (cr, a->x + a->width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  bsc_plot_text (cr, theme, a->x + a->width + 0.3 * theme->font_size, y, 0,
                 0.5, 0.85, bars->reference_label);
}

void
bsc_bars_draw (const BscBars      *bars,
               const BscPlotTheme *theme,
               cairo_t            *cr,
               int                 width,
               int                 height)
{
  BscPlotRect a;
  double top, w;

  g_return_if_fail (bars != NULL && theme != NULL && cr != NULL);

  bars_area (bars, theme, width, height, &a);
  top = bars_max (bars) * 1.05;
  cairo_save (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  draw_bar_axis (bars, &a, top, theme, cr);
  w = a.width / MAX (1u, bars->n);
  for (guint i = 0; i < bars->n; i++)
    {
      double v = isfinite (bars->values[i]) ? bars->values[i] : 0;
      double h = a.height * v / top;
      gboolean warn = (bars->warn_above > 0 && v > bars->warn_above)
                      || (bars->warn_below > 0 && v < bars->warn_below);
      BscColor c;

      bsc_palette_get (bars->colors ? (guint) MAX (bars->colors[i], 0) : i,
                       theme->dark, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_rectangle (cr, a.x + i * w + 0.12 * w, a.y + a.height - h,
                       0.76 * w, h);
      cairo_fill (cr);
      if (!warn)
        continue;
      cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
      cairo_set_line_width (cr, 2.5);
      cairo_rectangle (cr, a.x + i * w + 0.12 * w, a.y + a.height - h - 1,
                       0.76 * w, h + 1);
      cairo_stroke (cr);
    }
  draw_reference (bars, &a, top, theme, cr);
  draw_bar_labels (bars, &a, height, theme, cr);
  cairo_restore (cr);
}

gssize
bsc_bars_pick (const BscBars      *bars,
               const BscPlotTheme *theme,
               int                 width,
               int                 height,
               double              px,
               double              py)
{
  BscPlotRect a;
  double i;

  g_return_val_if_fail (bars != NULL && theme != NULL, -1);

  bars_area (bars, theme, width, height, &a);
  if (bars->n == 0 || px < a.x || px >= a.x + a.width || py < a.y
      || py > a.y + a.height)
    return -1;
  i = (px - a.x) / (a.width / bars->n);
  return MIN ((gssize) i, (gssize) bars->n - 1);
}

static void
confusion_area (const BscConfusion *conf,
                const BscPlotTheme *theme,
                int                 width,
                int                 height,
                BscPlotRect        *a)
{
  double f = theme->font_size;
  double left = 5.5 * f, top = (conf->title ? 2.4 : 0.8) * f + 2.2 * f;
  double w = MAX (1.0, width - left - f), h = MAX (1.0, height - top - f);
  double cw = MIN (w / MAX (1u, conf->n_cols), h / MAX (1u, conf->n_rows));

  a->x = left;
  a->y = top;
  a->width = cw * conf->n_cols;
  a->height = cw * conf->n_rows;
}

static void
draw_confusion_cell (const BscConfusion *conf,
                     const BscPlotRect  *a,
                     guint               r,
                     guint               c,
                     gsize               row_sum,
                     const BscPlotTheme *theme,
                     cairo_t            *cr)
{
  double cw = a->width / conf->n_cols;
  gsize count = conf->counts[(gsize) r * conf->n_cols + c];
  double share = row_sum ? (double) count / row_sum : 0;
  char buf[24];
  BscColor color;

  bsc_colormap_get (BSC_COLORMAP_VIRIDIS, theme->dark, share, &color);
  bsc_plot_set_color (cr, &color, 1);
  cairo_rectangle (cr, a->x + c * cw, a->y + r * cw, cw - 1, cw - 1);
  cairo_fill (cr);
  if (cw < 2.2 * theme->font_size)
    return;
  g_snprintf (buf, sizeof buf, "%" G_GSIZE_FORMAT, count);
  if (share > 0.6)
    cairo_set_source_rgb (cr, 0, 0, 0);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  bsc_plot_text (cr, theme, a->x + (c + 0.5) * cw, a->y + (r + 0.5) * cw,
                 0.5, 0.5, MIN (0.85, cw / (3.2 * theme->font_size)), buf);
}

static void
draw_confusion_names (const BscConfusion *conf,
                      const BscPlotRect  *a,
                      const BscPlotTheme *theme,
                      cairo_t            *cr)
{
  double cw = a->width / MAX (1u, conf->n_cols), f = theme->font_size;
  char buf[16];

  bsc_plot_set_color (cr, &theme->foreground, 1);
  for (guint r = 0; r < conf->n_rows; r++)
    {
      const char *name = conf->row_names ? conf->row_names[r] : NULL;

      g_snprintf (buf, sizeof buf, "%u", r);
      bsc_plot_text (cr, theme, a->x - 0.4 * f, a->y + (r + 0.5) * cw, 1,
                     0.5, 0.85, name ? name : buf);
      if (conf->row_swatches)
        {
          BscColor c;

          bsc_palette_get (r, theme->dark, &c);
          bsc_plot_set_color (cr, &c, 1);
          cairo_rectangle (cr, a->x - 3.4 * f, a->y + (r + 0.5) * cw - 0.4 * f,
                           0.8 * f, 0.8 * f);
          cairo_fill (cr);
          bsc_plot_set_color (cr, &theme->foreground, 1);
        }
    }
  for (guint c = 0; c < conf->n_cols; c++)
    {
      const char *name = conf->col_names ? conf->col_names[c] : NULL;

      g_snprintf (buf, sizeof buf, "%u", c);
      cairo_save (cr);
      cairo_translate (cr, a->x + (c + 0.5) * cw, a->y - 0.3 * f);
      if (name && cw < 4 * f)
        cairo_rotate (cr, -G_PI / 4);
      bsc_plot_text (cr, theme, 0, 0, name && cw < 4 * f ? 0 : 0.5, 1, 0.85,
                     name ? name : buf);
      cairo_restore (cr);
    }
  if (conf->row_label)
    bsc_plot_text (cr, theme, 0.3 * f, a->y - 0.3 * f, 0, 1, 0.9,
                   conf->row_label);
  if (conf->col_label)
    bsc_plot_text (cr, theme, a->x + a->width + 0.3 * f, a->y - 0.3 * f, 0,
                   1, 0.9, conf->col_label);
}

void
bsc_confusion_draw (const BscConfusion *conf,
                    const BscPlotTheme *theme,
                    cairo_t            *cr,
                    int                 width,
                    int                 height)
{
  BscPlotRect a;

  g_return_if_fail (conf != NULL && theme != NULL && cr != NULL);

  confusion_area (conf, theme, width, height, &a);
  cairo_save (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  for (guint r = 0; r < conf->n_rows; r++)
    {
      gsize sum = 0;

      for (guint c = 0; c < conf->n_cols; c++)
        sum += conf->counts[(gsize) r * conf->n_cols + c];
      for (guint c = 0; c < conf->n_cols; c++)
        draw_confusion_cell (conf, &a, r, c, sum, theme, cr);
    }
  draw_confusion_names (conf, &a, theme, cr);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  if (conf->title)
    bsc_plot_text (cr, theme, 0.3 * theme->font_size,
                   0.6 * theme->font_size, 0, 0, 1.15, conf->title);
  cairo_restore (cr);
}

gboolean
bsc_confusion_pick (const BscConfusion *conf,
                    const BscPlotTheme *theme,
                    int                 width,
                    int                 height,
                    double              px,
                    double              py,
                    guint              *row,
                    guint              *col)
{
  BscPlotRect a;
  double cw;

  g_return_val_if_fail (conf != NULL && row != NULL && col != NULL, FALSE);

  confusion_area (conf, theme, width, height, &a);
  if (conf->n_rows == 0 || conf->n_cols == 0 || px < a.x || py < a.y
      || px >= a.x + a.width || py >= a.y + a.height)
    return FALSE;
  cw = a.width / conf->n_cols;
  *col = MIN ((guint) ((px - a.x) / cw), conf->n_cols - 1);
  *row = MIN ((guint) ((py - a.y) / cw), conf->n_rows - 1);
  return TRUE;
}
