/* bsc-plot-mosaic.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thumbnails in a grid of square cells, left to right then top to bottom,
 * under an optional caption; an optional coloured frame per cell.
 */

#include <math.h>

#include "bsc-plot.h"

#define GAP 3

cairo_surface_t *
bsc_thumb_surface_new (const guint8 *pixels,
                       guint         size,
                       guint         channels)
{
  cairo_surface_t *surface;
  guint8 *data;
  int stride;

  g_return_val_if_fail (pixels != NULL && size > 0, NULL);
  g_return_val_if_fail (channels == 1 || channels == 3, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, size, size);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < size; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);
      const guint8 *src = pixels + (gsize) y * size * channels;

      for (guint x = 0; x < size; x++, src += channels)
        {
          guint r = src[0], g = src[channels == 3 ? 1 : 0];
          guint b = src[channels == 3 ? 2 : 0];

          row[x] = 0xff000000u | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static double
caption_height (const BscMosaic    *mosaic,
                const BscPlotTheme *theme)
{
  return mosaic->caption ? 2.0 * theme->font_size : 0;
}

void
bsc_mosaic_layout (const BscMosaic    *mosaic,
                   const BscPlotTheme *theme,
                   int                 width,
                   guint               cell,
                   guint              *columns,
                   guint              *rows)
{
  guint cols;

  g_return_if_fail (mosaic != NULL && cell > 0);

  cols = MAX (1, (width - GAP) / (int) (cell + GAP));
  *columns = cols;
  *rows = (mosaic->n + cols - 1) / cols;
}

int
bsc_mosaic_get_height (const BscMosaic    *mosaic,
                       const BscPlotTheme *theme,
                       int                 width,
                       guint               cell)
{
  guint cols, rows;

  bsc_mosaic_layout (mosaic, theme, width, cell, &cols, &rows);
  return (int) ceil (caption_height (mosaic, theme)) + GAP
         + rows * (cell + GAP);
}

static void
draw_cell (const BscMosaic    *mosaic,
           const BscPlotTheme *theme,
           guint               i,
           double              x,
           double              y,
           guint               cell,
           cairo_t            *cr)
{
  cairo_surface_t *thumb;

  if (mosaic->borders && mosaic->borders[i] >= 0)
    {
      BscColor c;

      bsc_palette_get (mosaic->borders[i], theme->dark, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_rectangle (cr, x - 2, y - 2, cell + 4, cell + 4);
      cairo_fill (cr);
    }
  if (mosaic->thumbs[i] == NULL)
    return;
  thumb = bsc_thumb_surface_new (mosaic->thumbs[i], mosaic->size,
                                 mosaic->channels);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, (double) cell / mosaic->size, (double) cell / mosaic->size);
  cairo_set_source_surface (cr, thumb, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr),
                            cell >= mosaic->size ? CAIRO_FILTER_NEAREST
                                                 : CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (thumb);
}

static void
draw_caption (const BscMosaic    *mosaic,
              const BscPlotTheme *theme,
              cairo_t            *cr)
{
  double f = theme->font_size, x = GAP;

  if (mosaic->caption_color >= 0)
    {
      BscColor c;

      bsc_palette_get (mosaic->caption_color, theme->dark, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_rectangle (cr, x, 0.45 * f, f, f);
      cairo_fill (cr);
      x += 1.5 * f;
    }
  bsc_plot_set_color (cr, &theme->foreground, 1);
  bsc_plot_text (cr, theme, x, 0.95 * f, 0, 0.5, 1, mosaic->caption);
}

void
bsc_mosaic_draw (const BscMosaic    *mosaic,
                 const BscPlotTheme *theme,
                 guint               cell,
                 cairo_t            *cr,
                 int                 width,
                 int                 height)
{
  guint cols, rows;
  double top;

  g_return_if_fail (mosaic != NULL && theme != NULL && cr != NULL);
  g_return_if_fail (mosaic->n == 0 || mosaic->thumbs != NULL);

  bsc_mosaic_layout (mosaic, theme, width, cell, &cols, &rows);
  top = ceil (caption_height (mosaic, theme)) + GAP;
  cairo_save (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  if (mosaic->caption)
    draw_caption (mosaic, theme, cr);
  for (guint i = 0; i < mosaic->n; i++)
    {
      double x = GAP + (i % cols) * (cell + GAP);
      double y = top + (i / cols) * (cell + GAP);

      if (y > height)
        break;
      draw_cell (mosaic, theme, i, x, y, cell, cr);
    }
  cairo_restore (cr);
}

gssize
bsc_mosaic_pick (const BscMosaic    *mosaic,
                 const BscPlotTheme *theme,
                 int                 width,
                 guint               cell,
                 double              px,
                 double              py)
{
  guint cols, rows, c, r, i;
  double top, fx, fy;

  g_return_val_if_fail (mosaic != NULL && theme != NULL, -1);

  bsc_mosaic_layout (mosaic, theme, width, cell, &cols, &rows);
  top = ceil (caption_height (mosaic, theme)) + GAP;
  fx = px - GAP;
  fy = py - top;
  if (fx < 0 || fy < 0)
    return -1;
  c = (guint) (fx / (cell + GAP));
  r = (guint) (fy / (cell + GAP));
  if (c >= cols || fx - c * (cell + GAP) >= cell
      || fy - r * (cell + GAP) >= cell)
    return -1;
  i = r * cols + c;
  return i < mosaic->n ? (gssize) i : -1;
}
