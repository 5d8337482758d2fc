/* bench-plot.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints how long the chart renderers take at the sizes the explorer
 * uses: the scatter of 70,000 points (a full redraw after a view change,
 * a cached redraw with a hover highlight, a hover hit test), and the
 * probe heatmap of 256 x 256 cells.  Goal of the explorer: a frame of
 * the projection with hover in under 30 ms.
 */

#include <stdio.h>

#include "bsc-plot.h"

#define N_POINTS 70000
#define WIDTH 1200
#define HEIGHT 900

static double
ms_since (gint64 start,
          int    repeats)
{
  return (g_get_monotonic_time () - start) / 1000.0 / repeats;
}

static void
bench_scatter (void)
{
  g_autofree float *xy = g_new (float, 2 * N_POINTS);
  g_autofree gint32 *colors = g_new (gint32, N_POINTS);
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (BscScatter) scatter = bsc_scatter_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  BscPlotTheme theme;
  BscView view;
  gint64 start;
  gssize hit = 0;

  for (gsize i = 0; i < N_POINTS; i++)
    {
      colors[i] = g_rand_int_range (rand, 0, 10);
      xy[2 * i] = g_rand_double_range (rand, -1, 1) + colors[i];
      xy[2 * i + 1] = g_rand_double_range (rand, -1, 1) * colors[i];
    }
  bsc_plot_theme_init (&theme, FALSE);
  start = g_get_monotonic_time ();
  bsc_scatter_set_points (scatter, xy, N_POINTS, colors);
  printf ("scatter set_points + grid index, %d points: %.2f ms\n", N_POINTS,
          ms_since (start, 1));
  bsc_scatter_fit_view (scatter, WIDTH, HEIGHT, &view);
  start = g_get_monotonic_time ();
  for (int r = 0; r < 20; r++)
    {
      view.scale *= 1.01;  /* a zoom step: the point image is redrawn */
      bsc_scatter_draw (scatter, &view, "map", -1, &theme, cr, WIDTH, HEIGHT);
    }
  printf ("scatter full redraw (zoom), %dx%d: %.2f ms per frame\n", WIDTH,
          HEIGHT, ms_since (start, 20));
  start = g_get_monotonic_time ();
  for (int r = 0; r < 50; r++)
    {
      hit = bsc_scatter_pick (scatter, &view, WIDTH, HEIGHT, 10 * r, 9 * r, 6);
      bsc_scatter_draw (scatter, &view, "map", hit, &theme, cr, WIDTH, HEIGHT);
    }
  printf ("scatter hover frame (pick + cached redraw): %.2f ms per frame\n",
          ms_since (start, 50));
  start = g_get_monotonic_time ();
  for (int r = 0; r < 10000; r++)
    hit += bsc_scatter_pick (scatter, &view, WIDTH, HEIGHT, r % WIDTH,
                             (r * 7) % HEIGHT, 6);
  printf ("scatter pick: %.2f us per query\n",
          ms_since (start, 10000) * 1000);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
bench_heatmap (void)
{
  g_autofree float *values = g_new (float, 256 * 256);
  g_autofree gint32 *groups = g_new (gint32, 256);
  g_autoptr (BscHeatmap) heat = bsc_heatmap_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         600, 600);
  cairo_t *cr = cairo_create (surface);
  BscPlotTheme theme;
  gint64 start;

  for (int i = 0; i < 256 * 256; i++)
    values[i] = (float) ((i * 7919) % 1000) / 1000.0f;
  for (int i = 0; i < 256; i++)
    groups[i] = i % 10;
  bsc_plot_theme_init (&theme, FALSE);
  start = g_get_monotonic_time ();
  for (int r = 0; r < 20; r++)
    {
      bsc_heatmap_set_data (heat, values, 256, 256);
      bsc_heatmap_set_groups (heat, groups);
      bsc_heatmap_draw (heat, "affinity", &theme, cr, 600, 600);
    }
  printf ("heatmap 256x256 new data + draw at 600x600: %.2f ms\n",
          ms_since (start, 20));
  start = g_get_monotonic_time ();
  for (int r = 0; r < 20; r++)
    bsc_heatmap_draw (heat, "affinity", &theme, cr, 600, 600);
  printf ("heatmap cached redraw: %.2f ms\n", ms_since (start, 20));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int   argc,
      char *argv[])
{
  bench_scatter ();
  bench_heatmap ();
  return 0;
}
