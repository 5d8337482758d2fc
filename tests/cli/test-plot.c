/* test-plot.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chart renderers draw into image surfaces; these tests read back
 * the pixels they drew and the data -> pixel -> data mappings.
 */

#include <math.h>
#include <glib/gstdio.h>

#include "bsc-plot.h"

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  guint8 *data;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  return ((guint32 *) (data + (gsize) y * cairo_image_surface_get_stride (surface)))[x]
         & 0xffffff;
}

static guint32
color_rgb (const BscColor *c)
{
  return ((guint32) lround (c->r * 255) << 16)
         | ((guint32) lround (c->g * 255) << 8) | (guint32) lround (c->b * 255);
}

static void
to_lab (guint32 rgb,
        double  lab[3])
{
  double c[3], xyz[3], f[3];

  for (int i = 0; i < 3; i++)
    {
      double v = ((rgb >> (16 - 8 * i)) & 0xff) / 255.0;

      c[i] = v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
    }
  xyz[0] = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
  xyz[1] = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  xyz[2] = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
  for (int i = 0; i < 3; i++)
    f[i] = xyz[i] > 0.008856 ? cbrt (xyz[i]) : 7.787 * xyz[i] + 16.0 / 116;
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

/* Every pair of palette colours differs by a CIELAB distance of at least
 * 12 (about five just-noticeable differences), in both variants, and
 * none is the "no cluster" grey. */
static void
test_palette_distinct (void)
{
  for (int dark = 0; dark < 2; dark++)
    {
      BscColor none;
      double ln[3];

      bsc_palette_get_none (dark, &none);
      to_lab (color_rgb (&none), ln);
      for (guint i = 0; i < BSC_PALETTE_SIZE; i++)
        {
          double li[3];

          to_lab (bsc_palette_argb (i, dark) & 0xffffff, li);
          g_assert_cmpfloat (hypot (hypot (li[0] - ln[0], li[1] - ln[1]),
                                    li[2] - ln[2]), >, 12);
          for (guint j = i + 1; j < BSC_PALETTE_SIZE; j++)
            {
              double lj[3];

              to_lab (bsc_palette_argb (j, dark) & 0xffffff, lj);
              g_assert_cmpfloat (hypot (hypot (li[0] - lj[0], li[1] - lj[1]),
                                        li[2] - lj[2]), >, 12);
            }
        }
    }
  g_assert_cmpuint (bsc_palette_argb (3, FALSE), ==,
                    bsc_palette_argb (3 + BSC_PALETTE_SIZE, FALSE));
}

/* A 4 x 4 matrix with groups {1, 0, 1, 0}: displayed order 1, 3, 0, 2;
 * the cell showing the maximum value is yellow (viridis' end), the
 * minimum dark purple, and picking maps back to data indices. */
static void
test_heatmap_cells (void)
{
  float values[16] = { 0 };
  gint32 groups[4] = { 1, 0, 1, 0 };
  g_autoptr (BscHeatmap) heat = bsc_heatmap_new ();
  BscPlotTheme theme;
  BscPlotRect a;
  cairo_surface_t *surface, *cells;
  cairo_t *cr;
  guint row, col;
  double vmin, vmax;

  values[0 * 4 + 2] = 1.0f;   /* row 0, col 2: displayed (2, 3) */
  values[3 * 4 + 1] = -1.0f;  /* row 3, col 1: displayed (1, 0) */
  values[1 * 4 + 1] = 5.0f;     /* diagonal: ignored by the auto range */
  bsc_heatmap_set_data (heat, values, 4, 4);
  bsc_heatmap_set_groups (heat, groups);
  g_assert_cmpuint (bsc_heatmap_get_order (heat)[0], ==, 1);
  g_assert_cmpuint (bsc_heatmap_get_order (heat)[1], ==, 3);
  g_assert_cmpuint (bsc_heatmap_get_order (heat)[2], ==, 0);
  g_assert_cmpuint (bsc_heatmap_get_order (heat)[3], ==, 2);
  bsc_heatmap_get_range (heat, &vmin, &vmax);
  g_assert_cmpfloat (vmin, ==, -1.0);
  g_assert_cmpfloat (vmax, ==, 1.0);

  cells = bsc_heatmap_get_surface (heat);
  g_assert_cmphex (pixel_at (cells, 3, 2), ==, 0xfde725);
  g_assert_cmphex (pixel_at (cells, 0, 1), ==, 0x440154);
  g_assert_true (cells == bsc_heatmap_get_surface (heat));

  bsc_plot_theme_init (&theme, FALSE);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 240);
  cr = cairo_create (surface);
  bsc_heatmap_draw (heat, "affinity", &theme, cr, 300, 240);
  cairo_destroy (cr);
  bsc_heatmap_get_area (heat, &theme, 300, 240, &a);
  /* Centre of displayed cell (2, 3). */
  g_assert_cmphex (pixel_at (surface, (int) (a.x + a.width * 3.5 / 4),
                             (int) (a.y + a.height * 2.5 / 4)), ==, 0xfde725);
  g_assert_true (bsc_heatmap_pick (heat, &theme, 300, 240,
                                   a.x + a.width * 3.5 / 4,
                                   a.y + a.height * 2.5 / 4, &row, &col));
  g_assert_cmpuint (row, ==, 0);
  g_assert_cmpuint (col, ==, 2);
  g_assert_false (bsc_heatmap_pick (heat, &theme, 300, 240, 1, 1, &row, &col));
  cairo_surface_destroy (surface);

  /* Square-root scale: 0.25 of the range takes the colour of 0.5. */
  {
    float quarter[4] = { 0.0f, 0.25f, 0.5f, 1.0f };
    BscColor c;

    bsc_heatmap_set_data (heat, quarter, 1, 4);
    bsc_heatmap_set_range (heat, 0, 1);
    bsc_heatmap_set_gamma (heat, 0.5);
    bsc_colormap_get (BSC_COLORMAP_VIRIDIS, FALSE, 0.5, &c);
    g_assert_cmphex (pixel_at (bsc_heatmap_get_surface (heat), 1, 0), ==,
                     color_rgb (&c));
  }
}

/* Three points in distinct colours land on the pixels the view maps
 * them to; the background stays where there is no point. */
static void
test_scatter_pixels (void)
{
  float xy[] = { 0, 0, 1, 1, -1, 0.5f };
  gint32 colors[] = { 0, 1, 2 };
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  BscPlotTheme theme;
  BscView view = { .cx = 0, .cy = 0, .scale = 50 };
  cairo_surface_t *surface;
  cairo_t *cr;

  bsc_plot_theme_init (&theme, FALSE);
  bsc_scatter_set_points (sc, xy, 3, colors);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 200);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  /* (0,0) -> (100,100), (1,1) -> (150,50), (-1,0.5) -> (50,75) */
  g_assert_cmphex (pixel_at (surface, 100, 100), ==,
                   bsc_palette_argb (0, FALSE) & 0xffffff);
  g_assert_cmphex (pixel_at (surface, 150, 50), ==,
                   bsc_palette_argb (1, FALSE) & 0xffffff);
  g_assert_cmphex (pixel_at (surface, 50, 75), ==,
                   bsc_palette_argb (2, FALSE) & 0xffffff);
  g_assert_cmphex (pixel_at (surface, 125, 125), ==, 0xffffff);
  g_assert_cmphex (pixel_at (surface, 106, 100), ==, 0xffffff);

  /* Half-transparent points (coverage 128/255): palette colour 0, 0x1f77b4,
   * blended over white: (c * 128 + 255 * 127) / 255 per channel. */
  bsc_scatter_set_point_alpha (sc, 0.5);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 100, 100), ==, 0x8fbbd9);
  cairo_surface_destroy (surface);
}

static guint32
colormap_rgb (double t)
{
  return bsc_colormap_argb (BSC_COLORMAP_VIRIDIS, FALSE, t) & 0xffffff;
}

/* Colour by value: each point takes the colormap's colour of its value;
 * of two points on one pixel the lower value is drawn on top; the values
 * stay while the points move (same n) and go with NULL or another n. */
static void
test_scatter_values (void)
{
  float xy[] = { 0, 0, 1, 1, 0, 0 };
  float moved[] = { 0, 0, 1, 1, 0.02f, 0 };
  float values[] = { 0.9f, 0.0f, 0.3f };
  gint32 colors[] = { 0, 1, 2 };
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  BscPlotTheme theme;
  BscView view = { .cx = 0, .cy = 0, .scale = 50 };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         200, 200);
  cairo_t *cr;

  bsc_plot_theme_init (&theme, FALSE);
  bsc_scatter_set_points (sc, xy, 3, colors);
  bsc_scatter_set_values (sc, values, BSC_COLORMAP_VIRIDIS, 0.0, 1.0);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  /* points 0 (0.9) and 2 (0.3) share (100, 100): 0.3 is on top */
  g_assert_cmphex (pixel_at (surface, 100, 100), ==, colormap_rgb (0.3));
  g_assert_cmphex (pixel_at (surface, 150, 50), ==, colormap_rgb (0.0));

  bsc_scatter_set_points (sc, moved, 3, colors);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 150, 50), ==, colormap_rgb (0.0));

  bsc_scatter_set_values (sc, NULL, BSC_COLORMAP_VIRIDIS, 0.0, 1.0);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 150, 50), ==,
                   bsc_palette_argb (1, FALSE) & 0xffffff);

  bsc_scatter_set_values (sc, values, BSC_COLORMAP_VIRIDIS, 0.0, 1.0);
  bsc_scatter_set_points (sc, xy, 2, colors);   /* another n: values gone */
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 150, 50), ==,
                   bsc_palette_argb (1, FALSE) & 0xffffff);
  cairo_surface_destroy (surface);
}

/* A selection: its points in full colour on top, the others faded to a
 * quarter of theirs; it follows the points while n stays. */
static void
test_scatter_selected (void)
{
  float xy[] = { 0, 0, 1, 1, 0, 0 };
  float moved[] = { 0.5f, 0.5f, 1, 1, 0, 0 };
  gint32 colors[] = { 0, 1, 2 };
  guint pick[] = { 0 };
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  BscPlotTheme theme;
  BscView view = { .cx = 0, .cy = 0, .scale = 50 };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         200, 200);
  guint32 c1 = bsc_palette_argb (1, FALSE), faded = 0;
  cairo_t *cr;

  /* a quarter (60/255) of colour 1 over white, per channel */
  for (guint shift = 0; shift < 24; shift += 8)
    {
      guint32 c = (c1 >> shift) & 0xff;

      faded |= ((c * 60 + 255 * 195 + 127) / 255) << shift;
    }
  bsc_plot_theme_init (&theme, FALSE);
  bsc_scatter_set_points (sc, xy, 3, colors);
  bsc_scatter_set_selected (sc, pick, 1);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  /* points 0 and 2 share (100, 100): the selected 0 is on top */
  g_assert_cmphex (pixel_at (surface, 100, 100), ==,
                   bsc_palette_argb (0, FALSE) & 0xffffff);
  g_assert_cmphex (pixel_at (surface, 150, 50), ==, faded);

  bsc_scatter_set_points (sc, moved, 3, colors);   /* point 0 moves */
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 125, 75), ==,
                   bsc_palette_argb (0, FALSE) & 0xffffff);
  g_assert_cmphex (pixel_at (surface, 100, 100), !=,
                   bsc_palette_argb (2, FALSE) & 0xffffff);

  bsc_scatter_set_selected (sc, NULL, 0);
  cr = cairo_create (surface);
  bsc_scatter_draw (sc, &view, NULL, -1, &theme, cr, 200, 200);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (surface, 100, 100), ==,
                   bsc_palette_argb (2, FALSE) & 0xffffff);
  cairo_surface_destroy (surface);
}

/* Hit testing on 20,000 random points agrees with a full scan. */
static void
test_scatter_pick (void)
{
  const gsize n = 20000;
  g_autofree float *xy = g_new (float, 2 * n);
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  BscView view;

  for (gsize i = 0; i < 2 * n; i++)
    xy[i] = g_rand_double_range (rand, -3, 3);
  bsc_scatter_set_points (sc, xy, n, NULL);
  bsc_scatter_fit_view (sc, 800, 600, &view);
  for (int t = 0; t < 200; t++)
    {
      double px = g_rand_double_range (rand, 0, 800);
      double py = g_rand_double_range (rand, 0, 600);
      double best = 6 * 6;
      gssize want = -1;

      for (gsize i = 0; i < n; i++)
        {
          double qx, qy;

          bsc_view_to_pixel (&view, 800, 600, xy[2 * i], xy[2 * i + 1],
                             &qx, &qy);
          if ((qx - px) * (qx - px) + (qy - py) * (qy - py) <= best)
            {
              best = (qx - px) * (qx - px) + (qy - py) * (qy - py);
              want = i;
            }
        }
      g_assert_cmpint (bsc_scatter_pick (sc, &view, 800, 600, px, py, 6),
                       ==, want);
    }
}

/* Lasso selection: an L-shaped polygon takes the points of its two arms
 * and not those of the notch; a polygon that loops twice over a square
 * leaves it out (even-odd); a triangle's points are those a closed-form
 * test puts inside; fewer than three vertices select nothing. */
static void
test_scatter_lasso (void)
{
  const gsize n = 5000;
  g_autofree float *xy = g_new (float, 2 * n);
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (GArray) got = NULL;
  /* L: the square [0,2]^2 without [1,2]x[1,2] */
  const double ell[] = { 0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2 };
  const double tri[] = { -3, -3, 3, -3, -3, 3 };
  /* the unit square traced twice: even-odd puts nothing inside */
  const double twice[] = { 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1 };
  gsize want;

  for (gsize i = 0; i < 2 * n; i++)
    xy[i] = g_rand_double_range (rand, -3, 3);
  bsc_scatter_set_points (sc, xy, n, NULL);

  got = bsc_scatter_select_polygon (sc, ell, 6);
  want = 0;
  for (gsize i = 0; i < n; i++)
    {
      double x = xy[2 * i], y = xy[2 * i + 1];

      want += x > 0 && x < 2 && y > 0 && y < 2 && !(x > 1 && y > 1);
    }
  g_assert_cmpuint (got->len, ==, want);
  g_assert_cmpuint (want, >, 300);
  for (guint k = 0; k < got->len; k++)
    {
      guint i = g_array_index (got, guint, k);

      g_assert_false (xy[2 * i] > 1 && xy[2 * i + 1] > 1);
    }
  g_clear_pointer (&got, g_array_unref);

  got = bsc_scatter_select_polygon (sc, tri, 3);
  want = 0;
  for (gsize i = 0; i < n; i++)
    want += xy[2 * i] + xy[2 * i + 1] < 0;
  g_assert_cmpuint (got->len, ==, want);
  g_clear_pointer (&got, g_array_unref);

  got = bsc_scatter_select_polygon (sc, twice, 8);
  g_assert_cmpuint (got->len, ==, 0);
  g_clear_pointer (&got, g_array_unref);
  got = bsc_scatter_select_polygon (sc, tri, 2);
  g_assert_cmpuint (got->len, ==, 0);
}

/* Points that are not finite are neither drawn nor picked, and do not
 * spoil the index of the others. */
static void
test_scatter_not_finite (void)
{
  float xy[] = { NAN, 0, 1, 1, INFINITY, -INFINITY, 2, 2 };
  g_autoptr (BscScatter) sc = bsc_scatter_new ();
  BscView view;
  double px, py;

  bsc_scatter_set_points (sc, xy, 4, NULL);
  bsc_scatter_fit_view (sc, 100, 100, &view);
  g_assert_true (isfinite (view.scale) && view.scale > 0);
  bsc_view_to_pixel (&view, 100, 100, 2, 2, &px, &py);
  g_assert_cmpint (bsc_scatter_pick (sc, &view, 100, 100, px, py, 3), ==, 3);
  bsc_view_to_pixel (&view, 100, 100, 1, 1, &px, &py);
  g_assert_cmpint (bsc_scatter_pick (sc, &view, 100, 100, px, py, 3), ==, 1);
}

static void
test_view_zoom (void)
{
  BscView view = { .cx = 1, .cy = 2, .scale = 10 };
  double x0, y0, x1, y1;

  bsc_view_from_pixel (&view, 300, 200, 40, 170, &x0, &y0);
  bsc_view_zoom (&view, 300, 200, 40, 170, 2.5);
  bsc_view_from_pixel (&view, 300, 200, 40, 170, &x1, &y1);
  g_assert_cmpfloat_with_epsilon (x0, x1, 1e-12);
  g_assert_cmpfloat_with_epsilon (y0, y1, 1e-12);
  g_assert_cmpfloat (view.scale, ==, 25);
  bsc_view_pan (&view, 25, 0);
  g_assert_cmpfloat_with_epsilon (view.cx, x1 - (40 - 150) / 25.0 - 1, 1e-12);
}

/* Curves: the axes cover the data, the drawn line has the series colour
 * and picking finds the nearest point. */
static void
test_curves (void)
{
  g_autoptr (BscCurves) curves = bsc_curves_new ();
  BscCurvesStyle style;
  BscPlotTheme theme;
  BscAxes axes;
  cairo_surface_t *surface;
  cairo_t *cr;
  guint s = bsc_curves_add_series (curves, "loss", 3), series, index;
  guint t = bsc_curves_add_series (curves, "tau", 0);
  gboolean seen = FALSE;

  for (int i = 0; i <= 100; i++)
    {
      bsc_curves_append (curves, s, i, 10 * exp (-i / 30.0));
      bsc_curves_append (curves, t, i, 0.05);
    }
  bsc_curves_compute_axes (curves, FALSE, &axes);
  g_assert_cmpfloat (axes.x_min, ==, 0);
  g_assert_cmpfloat (axes.x_max, ==, 100);
  g_assert_cmpfloat (axes.y_min, <=, 0.05);
  g_assert_cmpfloat (axes.y_max, >=, 10);
  bsc_curves_compute_axes (curves, TRUE, &axes);
  g_assert_cmpfloat (axes.y_min, ==, 0.01);
  g_assert_cmpfloat (axes.y_max, ==, 10);

  bsc_plot_theme_init (&theme, TRUE);
  bsc_curves_style_init (&style);
  style.title = "Loss";
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cr = cairo_create (surface);
  bsc_curves_draw (curves, &axes, &style, &theme, cr, 400, 300);
  cairo_destroy (cr);
  /* Along the tau line (y = 0.05 on a log axis), look for its colour. */
  {
    BscPlotRect a;
    double y;

    bsc_curves_get_plot_area (&theme, &style, 400, 300, &a);
    y = a.y + a.height * (1 - (log10 (0.05) + 2) / 3);
    for (int dy = -1; dy <= 1; dy++)
      seen |= pixel_at (surface, (int) (a.x + a.width / 4),
                        (int) y + dy) == (bsc_palette_argb (0, TRUE) & 0xffffff);
    g_assert_true (seen);
    g_assert_true (bsc_curves_pick (curves, &axes, &style, &theme, 400, 300,
                                    a.x + a.width * 0.503, y, 8, &series,
                                    &index));
    g_assert_cmpuint (series, ==, t);
    g_assert_cmpuint (index, ==, 50);
    g_assert_false (bsc_curves_pick (curves, &axes, &style, &theme, 400, 300,
                                     a.x + a.width * 0.5, a.y + 2, 8,
                                     &series, &index));
  }
  cairo_surface_destroy (surface);
}

/* A mosaic of two gray thumbnails: pixels copied, borders coloured,
 * picking maps pixels to thumbnails. */
static void
test_mosaic (void)
{
  guint8 a[16], b[16];
  const guint8 *thumbs[] = { a, b };
  gint32 borders[] = { 4, -1 };
  BscMosaic mosaic = { .n = 2, .thumbs = thumbs, .size = 4, .channels = 1,
                       .borders = borders, .caption = "cluster 4",
                       .caption_color = 4 };
  BscPlotTheme theme;
  cairo_surface_t *surface;
  cairo_t *cr;
  guint cols, rows;
  int h;

  memset (a, 0x20, sizeof a);
  memset (b, 0xc0, sizeof b);
  bsc_plot_theme_init (&theme, FALSE);
  bsc_mosaic_layout (&mosaic, &theme, 100, 40, &cols, &rows);
  g_assert_cmpuint (cols, ==, 2);
  g_assert_cmpuint (rows, ==, 1);
  h = bsc_mosaic_get_height (&mosaic, &theme, 100, 40);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 100, h);
  cr = cairo_create (surface);
  bsc_mosaic_draw (&mosaic, &theme, 40, cr, 100, h);
  cairo_destroy (cr);
  /* The first cell starts at (3, 24 + 3) with 12 px font. */
  g_assert_cmphex (pixel_at (surface, 20, h - 20), ==, 0x202020);
  g_assert_cmphex (pixel_at (surface, 60, h - 20), ==, 0xc0c0c0);
  g_assert_cmphex (pixel_at (surface, 2, h - 20), ==,
                   bsc_palette_argb (4, FALSE) & 0xffffff);
  g_assert_cmpint (bsc_mosaic_pick (&mosaic, &theme, 100, 40, 20, h - 20), ==, 0);
  g_assert_cmpint (bsc_mosaic_pick (&mosaic, &theme, 100, 40, 60, h - 20), ==, 1);
  g_assert_cmpint (bsc_mosaic_pick (&mosaic, &theme, 100, 40, 20, 5), ==, -1);
  cairo_surface_destroy (surface);
}

static void
test_bars_confusion (void)
{
  double values[] = { 10, 40, 0 };
  BscBars bars = { .n = 3, .values = values, .title = "sizes" };
  gsize counts[] = { 5, 0, 1, 7 };
  BscConfusion conf = { .n_rows = 2, .n_cols = 2, .counts = counts };
  BscPlotTheme theme;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         300, 200);
  cairo_t *cr = cairo_create (surface);
  guint row, col;

  bsc_plot_theme_init (&theme, FALSE);
  bsc_bars_draw (&bars, &theme, cr, 300, 200);
  g_assert_cmpint (bsc_bars_pick (&bars, &theme, 300, 200, 299 - 12 - 10, 100),
                   ==, 2);
  g_assert_cmpint (bsc_bars_pick (&bars, &theme, 300, 200, 5, 100), ==, -1);
  bsc_confusion_draw (&conf, &theme, cr, 300, 200);
  cairo_destroy (cr);
  /* Cells of 76 px from (66, 36): cluster 0 is all label 0 (share 1,
   * viridis' yellow), cluster 1 has 1 of 8 in label 0. */
  g_assert_cmphex (pixel_at (surface, 66 + 4, 36 + 4), ==, 0xfde725);
  g_assert_true (bsc_confusion_pick (&conf, &theme, 300, 200, 66 + 80,
                                     36 + 20, &row, &col));
  g_assert_cmpuint (row, ==, 0);
  g_assert_cmpuint (col, ==, 1);
  g_assert_false (bsc_confusion_pick (&conf, &theme, 300, 200, 1, 1, &row,
                                      &col));
  cairo_surface_destroy (surface);
}

static void
draw_square_cb (cairo_t *cr,
                int      width,
                int      height,
                gpointer user_data)
{
  cairo_set_source_rgba (cr, 1, 0, 0, 0.5);
  cairo_paint (cr);
}

/* Text chunks read back with libpng, values UTF-8, pixels unpremultiplied
 * (cairo's own reader gives them back premultiplied). */
static void
test_png_text (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-plot-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "chart.png", NULL);
  const char *keys[] = { "Software", "bootsc:metrics", NULL };
  const char *values[] = { "bootsc", "{\"nmi\": 0.5, \"label\": \"Größe\"}",
                           NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) text = NULL;
  cairo_surface_t *back;

  g_assert_true (bsc_plot_export_png (draw_square_cb, NULL, 30, 20, 1, path,
                                      keys, values, &error));
  g_assert_no_error (error);
  text = bsc_plot_read_png_text (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (text, "Software"), ==, "bootsc");
  g_assert_cmpstr (g_hash_table_lookup (text, "bootsc:metrics"), ==, values[1]);
  back = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, 30);
  cairo_surface_flush (back);
  g_assert_cmphex (*(guint32 *) cairo_image_surface_get_data (back), ==,
                   0x80800000);
  cairo_surface_destroy (back);
  g_assert_null (bsc_plot_read_png_text (dir, &error));
  g_assert_nonnull (error);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/palette/distinct", test_palette_distinct);
  g_test_add_func ("/plot/heatmap/cells", test_heatmap_cells);
  g_test_add_func ("/plot/scatter/pixels", test_scatter_pixels);
  g_test_add_func ("/plot/scatter/pick", test_scatter_pick);
  g_test_add_func ("/plot/scatter/lasso", test_scatter_lasso);
  g_test_add_func ("/plot/scatter/values", test_scatter_values);
  g_test_add_func ("/plot/scatter/selected", test_scatter_selected);
  g_test_add_func ("/plot/scatter/not-finite", test_scatter_not_finite);
  g_test_add_func ("/plot/scatter/zoom", test_view_zoom);
  g_test_add_func ("/plot/curves", test_curves);
  g_test_add_func ("/plot/mosaic", test_mosaic);
  g_test_add_func ("/plot/bars-confusion", test_bars_confusion);
  g_test_add_func ("/plot/png-text", test_png_text);
  return g_test_run ();
}
