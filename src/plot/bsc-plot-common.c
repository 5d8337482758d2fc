/* bsc-plot-common.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shared palette, colour maps, theme, text and tick helpers.  The
 * categorical palette was chosen greedily for the largest minimum CIELAB
 * distance between its colours (about 25 in the light variant); the dark
 * variants raise the lightness of dark colours so they read on a dark
 * background (minimum distance about 13).
 */

#include <math.h>
#include <string.h>

#include "bsc-plot.h"

static const guint32 palette[BSC_PALETTE_SIZE][2] = {
  { 0x1f77b4, 0x569ede }, { 0xff7f0e, 0xff8c21 }, { 0x2ca02c, 0x4cbb46 },
  { 0xd62728, 0xff5a4c }, { 0x9467bd, 0xb889e2 }, { 0x8c564b, 0xbf8477 },
  { 0xe377c2, 0xf587d3 }, { 0xbcbd22, 0xbebf24 }, { 0x17becf, 0x29c6d7 },
  { 0xff00ff, 0xff3dff }, { 0xffbb78, 0xffbb78 }, { 0x637939, 0x8aa15e },
  { 0xff1493, 0xff49af }, { 0xff9896, 0xff9b99 }, { 0xaec7e8, 0xaec7e8 },
  { 0x1e90ff, 0x4da7ff }, { 0xb3446c, 0xe47096 }, { 0x008856, 0x3fae79 },
  { 0x882d17, 0xcf694d }, { 0xf7b6d2, 0xf7b6d2 }, { 0xc2b280, 0xc6b684 },
  { 0x808000, 0xa4a22f }, { 0xf6a600, 0xf8a806 }, { 0x7b4173, 0xb577ab },
};

static void
color_from_rgb (guint32   rgb,
                BscColor *out)
{
  out->r = ((rgb >> 16) & 0xff) / 255.0;
  out->g = ((rgb >> 8) & 0xff) / 255.0;
  out->b = (rgb & 0xff) / 255.0;
}

void
bsc_palette_get (guint     index,
                 gboolean  dark,
                 BscColor *out)
{
  g_return_if_fail (out != NULL);

  color_from_rgb (palette[index % BSC_PALETTE_SIZE][dark ? 1 : 0], out);
}

guint32
bsc_palette_argb (guint    index,
                  gboolean dark)
{
  return 0xff000000u | palette[index % BSC_PALETTE_SIZE][dark ? 1 : 0];
}

void
bsc_palette_get_none (gboolean  dark,
                      BscColor *out)
{
  g_return_if_fail (out != NULL);

  color_from_rgb (dark ? 0x8a8a8a : 0x9a9a9a, out);
}

/* Colour maps as control points, interpolated linearly in sRGB. */
static const guint32 viridis[] = {
  0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
  0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725,
};
static const guint32 magma[] = {
  0x000004, 0x180f3d, 0x440f76, 0x721f81, 0x9e2f7f,
  0xcd4071, 0xf1605d, 0xfd9668, 0xfeca8d, 0xfcfdbf,
};
static const guint32 diverging_light[] = {
  0x2166ac, 0x67a9cf, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xef8a62, 0xb2182b,
};
static const guint32 diverging_dark[] = {
  0x4393c3, 0x2b5c8a, 0x1b2a3a, 0x141414, 0x3d1f1a, 0x9c3a2a, 0xef6548,
};

static void
interpolate (const guint32 *stops,
             guint          n,
             double         t,
             BscColor      *out)
{
  BscColor a, b;
  double pos = t * (n - 1);
  guint i = MIN ((guint) pos, n - 2);
  double f = pos - i;

  color_from_rgb (stops[i], &a);
  color_from_rgb (stops[i + 1], &b);
  out->r = a.r + f * (b.r - a.r);
  out->g = a.g + f * (b.g - a.g);
  out->b = a.b + f * (b.b - a.b);
}

void
bsc_colormap_get (BscColormap map,
                  gboolean    dark,
                  double      t,
                  BscColor   *out)
{
  g_return_if_fail (out != NULL);

  if (isnan (t))
    {
      color_from_rgb (0x808080, out);
      return;
    }
  t = CLAMP (t, 0.0, 1.0);
  if (map == BSC_COLORMAP_MAGMA)
    interpolate (magma, G_N_ELEMENTS (magma), t, out);
  else if (map == BSC_COLORMAP_DIVERGING && dark)
    interpolate (diverging_dark, G_N_ELEMENTS (diverging_dark), t, out);
  else if (map == BSC_COLORMAP_DIVERGING)
    interpolate (diverging_light, G_N_ELEMENTS (diverging_light), t, out);
  else
    interpolate (viridis, G_N_ELEMENTS (viridis), t, out);
}

guint32
bsc_colormap_argb (BscColormap map,
                   gboolean    dark,
                   double      t)
{
  BscColor c;

  bsc_colormap_get (map, dark, t, &c);
  return 0xff000000u | ((guint32) lround (c.r * 255) << 16)
         | ((guint32) lround (c.g * 255) << 8) | (guint32) lround (c.b * 255);
}

void
bsc_plot_theme_init (BscPlotTheme *theme,
                     gboolean      dark)
{
  g_return_if_fail (theme != NULL);

  memset (theme, 0, sizeof *theme);
  theme->dark = dark;
  color_from_rgb (dark ? 0x1e1e1e : 0xffffff, &theme->background);
  color_from_rgb (dark ? 0xdedede : 0x202020, &theme->foreground);
  color_from_rgb (dark ? 0x3a3a3a : 0xe4e4e4, &theme->grid);
  color_from_rgb (dark ? 0x78aeed : 0x1c71d8, &theme->accent);
  theme->font_size = 12;
  theme->draw_background = TRUE;
}

void
bsc_plot_set_color (cairo_t        *cr,
                    const BscColor *color,
                    double          alpha)
{
  cairo_set_source_rgba (cr, color->r, color->g, color->b, alpha);
}

void
bsc_plot_text (cairo_t            *cr,
               const BscPlotTheme *theme,
               double              x,
               double              y,
               double              xalign,
               double              yalign,
               double              size_scale,
               const char         *text)
{
  cairo_text_extents_t ext;
  cairo_font_extents_t fext;

  if (text == NULL || *text == '\0')
    return;
  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, theme->font_size * size_scale);
  cairo_text_extents (cr, text, &ext);
  cairo_font_extents (cr, &fext);
  /* Align on the font's ascent/descent so rows of labels line up. */
  cairo_move_to (cr, x - xalign * ext.x_advance,
                 y + fext.ascent - yalign * (fext.ascent + fext.descent));
  cairo_show_text (cr, text);
  cairo_restore (cr);
}

void
bsc_plot_paint_background (cairo_t            *cr,
                           const BscPlotTheme *theme,
                           int                 width,
                           int                 height)
{
  if (!theme->draw_background)
    return;
  bsc_plot_set_color (cr, &theme->background, 1);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

void
bsc_plot_grid_tick (cairo_t            *cr,
                    const BscPlotTheme *theme,
                    const BscPlotRect  *area,
                    gboolean            horizontal,
                    double              pos,
                    const char         *label)
{
  double f = theme->font_size;

  pos = round (pos) + 0.5;
  cairo_set_line_width (cr, 1);
  bsc_plot_set_color (cr, &theme->grid, 1);
  cairo_move_to (cr, horizontal ? area->x : pos, horizontal ? pos : area->y);
  if (horizontal)
    cairo_line_to (cr, area->x + area->width, pos);
  else
    cairo_line_to (cr, pos, area->y + area->height);
  cairo_stroke (cr);
  bsc_plot_set_color (cr, &theme->foreground, 1);
  if (horizontal)
    bsc_plot_text (cr, theme, area->x - 0.4 * f, pos, 1, 0.5, 0.9, label);
  else
    bsc_plot_text (cr, theme, pos, area->y + area->height + 0.3 * f, 0.5, 0,
                   0.9, label);
}

void
bsc_plot_axis_labels (cairo_t            *cr,
                      const BscPlotTheme *theme,
                      const BscPlotRect  *area,
                      int                 height,
                      const char         *title,
                      const char         *x_label,
                      const char         *y_label)
{
  double f = theme->font_size;

  bsc_plot_set_color (cr, &theme->foreground, 1);
  if (title)
    bsc_plot_text (cr, theme, area->x, 0.6 * f, 0, 0, 1.15, title);
  if (x_label)
    bsc_plot_text (cr, theme, area->x + area->width / 2, height - 0.3 * f,
                   0.5, 1, 1, x_label);
  if (y_label == NULL)
    return;
  cairo_save (cr);
  cairo_translate (cr, 0.3 * f, area->y + area->height / 2);
  cairo_rotate (cr, -G_PI / 2);
  bsc_plot_text (cr, theme, 0, 0, 0.5, 0, 1, y_label);
  cairo_restore (cr);
}

static double
nice_step (double range,
           guint  target)
{
  double raw = range / MAX (target, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  if (f < 1.5)
    return mag;
  if (f < 3)
    return 2 * mag;
  if (f < 7)
    return 5 * mag;
  return 10 * mag;
}

guint
bsc_plot_nice_ticks (double  lo,
                     double  hi,
                     guint   target,
                     double *ticks,
                     guint   max)
{
  double step, v;
  guint n = 0;

  g_return_val_if_fail (ticks != NULL, 0);

  if (!(hi > lo) || !isfinite (lo) || !isfinite (hi))
    return 0;
  step = nice_step (hi - lo, target);
  for (v = ceil (lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max;
       v += step)
    ticks[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  return n;
}

void
bsc_plot_format_tick (double  value,
                      double  step,
                      char   *buf,
                      gsize   size)
{
  int decimals = 0;

  if (step > 0 && step < 1)
    decimals = (int) MIN (6, ceil (-log10 (step) - 1e-9));
  if (fabs (value) >= 1e5 || (value != 0 && fabs (value) < 1e-4))
    g_ascii_formatd (buf, size, "%.0e", value);
  else
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
      g_ascii_formatd (buf, size, fmt, value);
    }
}
