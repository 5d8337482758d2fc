/* bsc-plot-scatter.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tens of thousands of 2-D points.  Points are not drawn with Cairo paths:
 * each is stamped into an ARGB32 image (premultiplied "over" with an
 * antialiased disc mask), which keeps 70,000 points at a few ms.  The
 * image is cached until points, colours, view or size change.  Hit tests
 * use a uniform grid over the data's bounding box (about four points per
 * cell), built once per set of points.
 */

#include <math.h>
#include <string.h>

#include "bsc-plot.h"

#define MAX_STAMP 9   /* stamp side: radius up to 4 pixels */

struct _BscScatter
{
  float           *xy;          /* n x 2 */
  gint32          *colors;      /* n */
  gsize            n;
  float           *protos;      /* k x 2 */
  guint            k;
  double           radius;
  double           alpha;
  gboolean         dark;

  /* Colour by value (bsc_scatter_set_values), or values NULL */
  float           *values;      /* n */
  guint           *order;       /* n: drawing order, highest value first */
  BscColormap      map;
  double           lo, hi;

  /* A selection (bsc_scatter_set_selected): flags, n, or NULL */
  guint8          *selected;

  /* Grid index over the data bounding box. */
  double           x0, y0, cell;
  guint            gw, gh;
  guint           *cell_start;  /* gw * gh + 1 */
  guint           *cell_items;  /* n point indices, grouped by cell */

  /* Cache */
  cairo_surface_t *surface;
  BscView          cached_view;
  int              cached_w, cached_h;
};

BscScatter *
bsc_scatter_new (void)
{
  BscScatter *self = g_new0 (BscScatter, 1);

  self->radius = 1.6;
  self->alpha = 1.0;
  return self;
}

static void
invalidate (BscScatter *self)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
}

void
bsc_scatter_free (BscScatter *self)
{
  if (self == NULL)
    return;
  invalidate (self);
  g_free (self->xy);
  g_free (self->colors);
  g_free (self->values);
  g_free (self->order);
  g_free (self->selected);
  g_free (self->protos);
  g_free (self->cell_start);
  g_free (self->cell_items);
  g_free (self);
}

static guint
cell_of (const BscScatter *self,
         double            x,
         double            y)
{
  int cx, cy;

  /* Points that are not finite all go to cell 0, where no distance to
   * them compares true, so they are never picked. */
  if (!isfinite (x) || !isfinite (y))
    return 0;
  cx = (int) floor ((x - self->x0) / self->cell);
  cy = (int) floor ((y - self->y0) / self->cell);
  cx = CLAMP (cx, 0, (int) self->gw - 1);
  cy = CLAMP (cy, 0, (int) self->gh - 1);
  return (guint) cy * self->gw + (guint) cx;
}

/* Counting sort of the points by grid cell. */
static void
build_index (BscScatter *self)
{
  double x1 = -INFINITY, y1 = -INFINITY, side;
  guint n_cells, *fill;

  self->x0 = self->y0 = INFINITY;
  for (gsize i = 0; i < self->n; i++)
    {
      if (!isfinite (self->xy[2 * i]) || !isfinite (self->xy[2 * i + 1]))
        continue;
      self->x0 = MIN (self->x0, self->xy[2 * i]);
      self->y0 = MIN (self->y0, self->xy[2 * i + 1]);
      x1 = MAX (x1, self->xy[2 * i]);
      y1 = MAX (y1, self->xy[2 * i + 1]);
    }
  if (!isfinite (self->x0))
    self->x0 = self->y0 = 0, x1 = y1 = 1;
  side = MAX (MAX (x1 - self->x0, y1 - self->y0), 1e-12);
  self->cell = side / MAX (1.0, ceil (sqrt (self->n / 4.0)));
  self->gw = MIN (4096u, (guint) ((x1 - self->x0) / self->cell) + 1);
  self->gh = MIN (4096u, (guint) ((y1 - self->y0) / self->cell) + 1);
  n_cells = self->gw * self->gh;
  g_free (self->cell_start);
  g_free (self->cell_items);
  self->cell_start = g_new0 (guint, n_cells + 1);
  self->cell_items = g_new (guint, MAX (self->n, 1));
  for (gsize i = 0; i < self->n; i++)
    self->cell_start[cell_of (self, self->xy[2 * i], self->xy[2 * i + 1]) + 1]++;
  for (guint c = 0; c < n_cells; c++)
    self->cell_start[c + 1] += self->cell_start[c];
  fill = g_memdup2 (self->cell_start, sizeof (guint) * n_cells);
  for (gsize i = 0; i < self->n; i++)
    self->cell_items[fill[cell_of (self, self->xy[2 * i],
                                   self->xy[2 * i + 1])]++] = i;
  g_free (fill);
}

void
bsc_scatter_set_points (BscScatter   *self,
                        const float  *xy,
                        gsize         n,
                        const gint32 *colors)
{
  g_return_if_fail (self != NULL && (xy != NULL || n == 0));

  invalidate (self);
  if (n != self->n)
    {
      /* values and a selection belong to the points they were set for */
      g_clear_pointer (&self->values, g_free);
      g_clear_pointer (&self->order, g_free);
      g_clear_pointer (&self->selected, g_free);
    }
  g_free (self->xy);
  g_free (self->colors);
  self->xy = g_memdup2 (xy, sizeof (float) * 2 * n);
  self->colors = g_new (gint32, MAX (n, 1));
  self->n = n;
  for (gsize i = 0; i < n; i++)
    self->colors[i] = colors ? colors[i] : -1;
  build_index (self);
}

void
bsc_scatter_set_colors (BscScatter   *self,
                        const gint32 *colors)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  for (gsize i = 0; i < self->n; i++)
    self->colors[i] = colors ? colors[i] : -1;
}

void
bsc_scatter_set_prototypes (BscScatter  *self,
                            const float *xy,
                            guint        k)
{
  g_return_if_fail (self != NULL && (xy != NULL || k == 0));

  g_free (self->protos);
  self->protos = g_memdup2 (xy, sizeof (float) * 2 * k);
  self->k = k;
}

gsize
bsc_scatter_get_n_points (const BscScatter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n;
}

const float *
bsc_scatter_get_prototypes (const BscScatter *self,
                            guint            *k)
{
  g_return_val_if_fail (self != NULL && k != NULL, NULL);

  *k = self->k;
  return self->k > 0 ? self->protos : NULL;
}

const float *
bsc_scatter_get_points (const BscScatter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->xy;
}

void
bsc_scatter_set_point_radius (BscScatter *self,
                              double      radius)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  self->radius = CLAMP (radius, 0.5, (MAX_STAMP - 1) / 2.0);
}

void
bsc_scatter_set_point_alpha (BscScatter *self,
                             double      alpha)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  self->alpha = CLAMP (alpha, 0.05, 1.0);
}

void
bsc_scatter_set_dark (BscScatter *self,
                      gboolean    dark)
{
  g_return_if_fail (self != NULL);

  if (self->dark != dark)
    invalidate (self);
  self->dark = dark;
}

void
bsc_view_to_pixel (const BscView *view,
                   int            width,
                   int            height,
                   double         x,
                   double         y,
                   double        *px,
                   double        *py)
{
  *px = width / 2.0 + (x - view->cx) * view->scale;
  *py = height / 2.0 - (y - view->cy) * view->scale;
}

void
bsc_view_from_pixel (const BscView *view,
                     int            width,
                     int            height,
                     double         px,
                     double         py,
                     double        *x,
                     double        *y)
{
  *x = view->cx + (px - width / 2.0) / view->scale;
  *y = view->cy - (py - height / 2.0) / view->scale;
}

void
bsc_view_zoom (BscView *view,
               int      width,
               int      height,
               double   px,
               double   py,
               double   factor)
{
  double x, y;

  g_return_if_fail (view != NULL && factor > 0);

  /* Keep the data point under (px, py) where it is. */
  bsc_view_from_pixel (view, width, height, px, py, &x, &y);
  view->scale *= factor;
  view->cx = x - (px - width / 2.0) / view->scale;
  view->cy = y + (py - height / 2.0) / view->scale;
}

void
bsc_view_pan (BscView *view,
              double   dx_pixels,
              double   dy_pixels)
{
  g_return_if_fail (view != NULL);

  view->cx -= dx_pixels / view->scale;
  view->cy += dy_pixels / view->scale;
}

void
bsc_scatter_fit_view (const BscScatter *self,
                      int               width,
                      int               height,
                      BscView          *view)
{
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;

  g_return_if_fail (self != NULL && view != NULL);

  for (gsize i = 0; i < self->n + self->k; i++)
    {
      const float *p = i < self->n ? self->xy + 2 * i
                                   : self->protos + 2 * (i - self->n);

      if (!isfinite (p[0]) || !isfinite (p[1]))
        continue;
      x0 = MIN (x0, p[0]), x1 = MAX (x1, p[0]);
      y0 = MIN (y0, p[1]), y1 = MAX (y1, p[1]);
    }
  if (!isfinite (x0))
    x0 = y0 = -1, x1 = y1 = 1;
  view->cx = (x0 + x1) / 2;
  view->cy = (y0 + y1) / 2;
  view->scale = 0.92 * MIN (width / MAX (x1 - x0, 1e-9),
                            height / MAX (y1 - y0, 1e-9));
}

/* Antialiased disc coverage times alpha, side x side, centred. */
static int
make_stamp (double  radius,
            double  alpha,
            guint8 *mask)
{
  int half = (int) ceil (radius), side = 2 * half + 1;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        double d = hypot (x - half, y - half);
        double cov = CLAMP (radius + 0.5 - d, 0.0, 1.0);

        mask[y * side + x] = (guint8) lround (cov * alpha * 255);
      }
  return side;
}

/* dst = src * a + dst * (1 - a), premultiplied, src opaque, a in 0..255;
 * two channels per multiply (red/blue, alpha/green), each lane x / 255
 * rounded exactly as (x + 128 + ((x + 128) >> 8)) >> 8. */
static inline guint32
blend (guint32 dst,
       guint32 src,
       guint32 a)
{
  guint32 ia = 255 - a, rb, ag;

  if (a == 255)
    return src;
  rb = (src & 0xff00ff) * a + (dst & 0xff00ff) * ia + 0x800080;
  rb = ((rb + ((rb >> 8) & 0xff00ff)) >> 8) & 0xff00ff;
  ag = ((src >> 8) & 0xff00ff) * a + ((dst >> 8) & 0xff00ff) * ia + 0x800080;
  ag = (ag + ((ag >> 8) & 0xff00ff)) & 0xff00ff00;
  return rb | ag;
}

static guint32
point_color (const BscScatter *self,
             gsize             i)
{
  if (self->values == NULL)
    return self->colors[i] < 0 ? (self->dark ? 0xff8a8a8a : 0xff9a9a9a)
                               : bsc_palette_argb (self->colors[i], self->dark);
  return bsc_colormap_argb (self->map, self->dark,
                            (self->values[i] - self->lo) / (self->hi - self->lo));
}

/* pass 0: every point, or with a selection the others, faded towards the
 * background; pass 1: the selected, in full colour on top. */
static void
stamp_points (BscScatter    *self,
              const BscView *view,
              int            width,
              int            height)
{
  guint8 mask[MAX_STAMP * MAX_STAMP];
  int side = make_stamp (self->radius, self->alpha, mask), half = side / 2;
  guint8 *data = cairo_image_surface_get_data (self->surface);
  int stride = cairo_image_surface_get_stride (self->surface);
  guint32 paper = self->dark ? 0xff242424 : 0xffffffff;

  for (guint pass = 0; pass < (self->selected != NULL ? 2u : 1u); pass++)
    for (gsize k = 0; k < self->n; k++)
      {
        gsize i = self->order != NULL ? self->order[k] : k;
        double px, py;
        int ix, iy;
        guint32 color;

        if (self->selected != NULL && (self->selected[i] != 0) != (pass == 1))
          continue;
        color = point_color (self, i);
        if (self->selected != NULL && pass == 0)
          color = blend (paper, color, 60);   /* a quarter of the colour */
        bsc_view_to_pixel (view, width, height, self->xy[2 * i],
                           self->xy[2 * i + 1], &px, &py);
        if (!(px > -side && px < width + side && py > -side
              && py < height + side))
          continue;
        ix = (int) floor (px) - half;
        iy = (int) floor (py) - half;
        for (int y = MAX (0, -iy); y < side && iy + y < height; y++)
          {
            guint32 *row = (guint32 *) (data + (gsize) (iy + y) * stride);

            for (int x = MAX (0, -ix); x < side && ix + x < width; x++)
              if (mask[y * side + x])
                row[ix + x] = blend (row[ix + x], color, mask[y * side + x]);
          }
      }
}

void
bsc_scatter_set_selected (BscScatter  *self,
                          const guint *indices,
                          gsize        count)
{
  g_return_if_fail (self != NULL);

  invalidate (self);
  g_clear_pointer (&self->selected, g_free);
  if (indices == NULL)
    return;
  self->selected = g_new0 (guint8, MAX (self->n, 1));
  for (gsize k = 0; k < count; k++)
    if (indices[k] < self->n)
      self->selected[indices[k]] = 1;
}

static cairo_surface_t *
get_points_surface (BscScatter    *self,
                    const BscView *view,
                    int            width,
                    int            height)
{
  if (self->surface != NULL && self->cached_w == width
      && self->cached_h == height
      && memcmp (&self->cached_view, view, sizeof *view) == 0)
    return self->surface;
  invalidate (self);
  self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                              MAX (width, 1),
                                              MAX (height, 1));
  cairo_surface_flush (self->surface);
  stamp_points (self, view, width, height);
  cairo_surface_mark_dirty (self->surface);
  self->cached_view = *view;
  self->cached_w = width;
  self->cached_h = height;
  return self->surface;
}

static void
draw_prototypes (BscScatter         *self,
                 const BscView      *view,
                 const BscPlotTheme *theme,
                 cairo_t            *cr,
                 int                 width,
                 int                 height)
{
  double s = 0.6 * theme->font_size;

  cairo_set_line_width (cr, 1.5);
  for (guint j = 0; j < self->k; j++)
    {
      double px, py;
      BscColor c;

      bsc_view_to_pixel (view, width, height, self->protos[2 * j],
                         self->protos[2 * j + 1], &px, &py);
      cairo_move_to (cr, px, py - s);
      cairo_line_to (cr, px + s, py);
      cairo_line_to (cr, px, py + s);
      cairo_line_to (cr, px - s, py);
      cairo_close_path (cr);
      bsc_palette_get (j, theme->dark, &c);
      bsc_plot_set_color (cr, &c, 1);
      cairo_fill_preserve (cr);
      bsc_plot_set_color (cr, &theme->foreground, 1);
      cairo_stroke (cr);
    }
}

void
bsc_scatter_draw (BscScatter         *self,
                  const BscView      *view,
                  const char         *title,
                  gssize              highlight,
                  const BscPlotTheme *theme,
                  cairo_t            *cr,
                  int                 width,
                  int                 height)
{
  g_return_if_fail (self != NULL && view != NULL && theme != NULL);

  bsc_scatter_set_dark (self, theme->dark);
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  bsc_plot_paint_background (cr, theme, width, height);
  cairo_set_source_surface (cr, get_points_surface (self, view, width,
                                                    height), 0, 0);
  cairo_paint (cr);
  draw_prototypes (self, view, theme, cr, width, height);
  if (highlight >= 0 && (gsize) highlight < self->n)
    {
      double px, py;

      bsc_view_to_pixel (view, width, height, self->xy[2 * highlight],
                         self->xy[2 * highlight + 1], &px, &py);
      bsc_plot_set_color (cr, &theme->accent, 1);
      cairo_set_line_width (cr, 2);
      cairo_arc (cr, px, py, self->radius + 4, 0, 2 * G_PI);
      cairo_stroke (cr);
    }
  bsc_plot_set_color (cr, &theme->foreground, 1);
  if (title)
    bsc_plot_text (cr, theme, 0.6 * theme->font_size,
                   0.5 * theme->font_size, 0, 0, 1.1, title);
  cairo_restore (cr);
}

gssize
bsc_scatter_pick (const BscScatter *self,
                  const BscView    *view,
                  int               width,
                  int               height,
                  double            px,
                  double            py,
                  double            radius)
{
  double x, y, r = radius / view->scale, best = r * r;
  gssize found = -1;
  int cx0, cx1, cy0, cy1;

  g_return_val_if_fail (self != NULL && view != NULL, -1);

  if (self->n == 0)
    return -1;
  bsc_view_from_pixel (view, width, height, px, py, &x, &y);
  cx0 = MAX (0, (int) floor ((x - r - self->x0) / self->cell));
  cy0 = MAX (0, (int) floor ((y - r - self->y0) / self->cell));
  cx1 = MIN ((int) self->gw - 1, (int) floor ((x + r - self->x0) / self->cell));
  cy1 = MIN ((int) self->gh - 1, (int) floor ((y + r - self->y0) / self->cell));
  for (int cy = cy0; cy <= cy1; cy++)
    for (int cx = cx0; cx <= cx1; cx++)
      {
        guint c = (guint) cy * self->gw + (guint) cx;

        for (guint j = self->cell_start[c]; j < self->cell_start[c + 1]; j++)
          {
            guint i = self->cell_items[j];
            double dx = self->xy[2 * i] - x, dy = self->xy[2 * i + 1] - y;

            if (dx * dx + dy * dy <= best)
              {
                best = dx * dx + dy * dy;
                found = i;
              }
          }
      }
  return found;
}

static int
by_value_desc (gconstpointer a,
               gconstpointer b,
               gpointer      values)
{
  const float *v = values;
  float va = v[*(const guint *) a], vb = v[*(const guint *) b];

  return va > vb ? -1 : va < vb;
}

void
bsc_scatter_set_values (BscScatter  *self,
                        const float *values,
                        BscColormap  map,
                        double       lo,
                        double       hi)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (values == NULL || hi > lo);

  invalidate (self);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->order, g_free);
  if (values == NULL || self->n == 0)
    return;
  self->values = g_memdup2 (values, sizeof (float) * self->n);
  self->map = map;
  self->lo = lo;
  self->hi = hi;
  /* the lowest values drawn last, on top: the few unsure points show
   * through the many sure ones */
  self->order = g_new (guint, self->n);
  for (gsize i = 0; i < self->n; i++)
    self->order[i] = i;
  g_qsort_with_data (self->order, (gint) self->n, sizeof (guint),
                     by_value_desc, self->values);
}

GArray *
bsc_scatter_select_rect (const BscScatter *self,
                         const BscView    *view,
                         int               width,
                         int               height,
                         double            x0,
                         double            y0,
                         double            x1,
                         double            y1)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  double ax, ay, bx, by;

  g_return_val_if_fail (self != NULL && view != NULL, out);

  bsc_view_from_pixel (view, width, height, MIN (x0, x1), MAX (y0, y1),
                       &ax, &ay);
  bsc_view_from_pixel (view, width, height, MAX (x0, x1), MIN (y0, y1),
                       &bx, &by);
  for (gsize i = 0; i < self->n; i++)
    {
      float x = self->xy[2 * i], y = self->xy[2 * i + 1];

      if (x >= ax && x <= bx && y >= ay && y <= by)
        {
          guint idx = i;

          g_array_append_val (out, idx);
        }
    }
  return out;
}

/* Even-odd rule: a ray from (x, y) towards +x crosses the polygon's edges
 * an odd number of times when the point is inside. */
static gboolean
inside_polygon (double        x,
                double        y,
                const double *poly,
                guint         n)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = n - 1; i < n; j = i++)
    {
      double xi = poly[2 * i], yi = poly[2 * i + 1];
      double xj = poly[2 * j], yj = poly[2 * j + 1];

      if ((yi > y) != (yj > y)
          && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside = !inside;
    }
  return inside;
}

GArray *
bsc_scatter_select_polygon (const BscScatter *self,
                            const double     *polygon,
                            guint             n_vertices)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;

  g_return_val_if_fail (self != NULL, out);
  g_return_val_if_fail (polygon != NULL || n_vertices == 0, out);

  if (n_vertices < 3)
    return out;
  for (guint v = 0; v < n_vertices; v++)
    {
      x0 = MIN (x0, polygon[2 * v]), x1 = MAX (x1, polygon[2 * v]);
      y0 = MIN (y0, polygon[2 * v + 1]), y1 = MAX (y1, polygon[2 * v + 1]);
    }
  for (gsize i = 0; i < self->n; i++)
    {
      float x = self->xy[2 * i], y = self->xy[2 * i + 1];

      /* the bounding box first: most points of a large map are outside */
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1
          && inside_polygon (x, y, polygon, n_vertices))
        {
          guint idx = i;

          g_array_append_val (out, idx);
        }
    }
  return out;
}
