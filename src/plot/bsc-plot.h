/* bsc-plot.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chart renderers as pure Cairo functions, shared by the GUI's widgets and
 * the CLI's PNG export: data + cairo_t + width/height in, drawing out.
 * Every chart keeps its data (a model object or a plain struct), its axes
 * or view (computed outside the draw) and the drawing apart.  The same
 * layout function is used by draw and by the pixel -> data mappings used
 * for hover, so they always agree.  No GTK here; text uses Cairo's toy
 * font API ("Sans").
 */

#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* ---------------------------------------------------------------------
 * Colours and theme
 * ------------------------------------------------------------------- */

typedef struct
{
  double r, g, b;   /* 0..1 */
} BscColor;

/* Categorical palette shared by every view: cluster c gets colour
 * c % BSC_PALETTE_SIZE.  Light variants for a light background, dark
 * variants (lighter, for a dark background). */
#define BSC_PALETTE_SIZE 24

void      bsc_palette_get        (guint        index,
                                  gboolean     dark,
                                  BscColor    *out);
/* Opaque 0xffRRGGBB (CAIRO_FORMAT_ARGB32 pixel). */
guint32   bsc_palette_argb       (guint        index,
                                  gboolean     dark);
/* Neutral grey for "no cluster" (index < 0). */
void      bsc_palette_get_none   (gboolean     dark,
                                  BscColor    *out);

typedef enum
{
  BSC_COLORMAP_VIRIDIS,   /* sequential, dark blue -> yellow */
  BSC_COLORMAP_MAGMA,     /* sequential, black -> pale yellow */
  BSC_COLORMAP_DIVERGING, /* blue -> white (or black when dark) -> red */
} BscColormap;

/* t in [0, 1] (clamped); NaN maps to grey. */
void      bsc_colormap_get       (BscColormap  map,
                                  gboolean     dark,
                                  double       t,
                                  BscColor    *out);
/* The same as an opaque 0xffRRGGBB (CAIRO_FORMAT_ARGB32 pixel). */
guint32   bsc_colormap_argb      (BscColormap  map,
                                  gboolean     dark,
                                  double       t);

typedef struct
{
  gboolean  dark;
  BscColor  background;
  BscColor  foreground;     /* text, axes */
  BscColor  grid;           /* grid lines, faint */
  BscColor  accent;         /* hover marker, selection */
  double    font_size;      /* pixels; 12 */
  gboolean  draw_background; /* fill the whole area first (PNG export) */
} BscPlotTheme;

void      bsc_plot_theme_init    (BscPlotTheme *theme,
                                  gboolean      dark);

typedef struct
{
  double x, y, width, height;
} BscPlotRect;

/* ---------------------------------------------------------------------
 * Curves: several named series of (x, y) points
 * ------------------------------------------------------------------- */

typedef struct
{
  char     *name;
  int       color;      /* palette index; < 0: the theme's foreground */
  gboolean  visible;
  gboolean  dashed;
  gboolean  markers;    /* draw a dot at every point (sparse series) */
  GArray   *x;          /* of double */
  GArray   *y;          /* of double */
} BscSeries;

typedef struct _BscCurves BscCurves;

BscCurves       *bsc_curves_new            (void);
void             bsc_curves_free           (BscCurves    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscCurves, bsc_curves_free)

/* Returns the new series' index. */
guint            bsc_curves_add_series     (BscCurves    *self,
                                            const char   *name,
                                            int           color);
void             bsc_curves_append         (BscCurves    *self,
                                            guint         series,
                                            double        x,
                                            double        y);
void             bsc_curves_clear          (BscCurves    *self);
guint            bsc_curves_get_n_series   (const BscCurves *self);
BscSeries       *bsc_curves_get_series     (const BscCurves *self,
                                            guint         series);

typedef struct
{
  double    x_min, x_max;
  double    y_min, y_max;   /* data units (positive when log_y) */
  gboolean  log_y;
} BscAxes;

/* Ranges over the visible series, y padded and rounded to nice ticks;
 * with log_y only positive values count. */
void             bsc_curves_compute_axes   (const BscCurves *self,
                                            gboolean      log_y,
                                            BscAxes      *axes);

typedef struct
{
  const char *title;
  const char *x_label;
  const char *y_label;
  gboolean    legend;
  gboolean    hover;        /* draw the hover marker at hover_series/index */
  guint       hover_series;
  guint       hover_index;
} BscCurvesStyle;

void             bsc_curves_style_init     (BscCurvesStyle *style);

/* The plot area inside a chart of width x height (for widgets). */
void             bsc_curves_get_plot_area  (const BscPlotTheme *theme,
                                            const BscCurvesStyle *style,
                                            int           width,
                                            int           height,
                                            BscPlotRect  *area);
void             bsc_curves_draw           (const BscCurves *self,
                                            const BscAxes *axes,
                                            const BscCurvesStyle *style,
                                            const BscPlotTheme *theme,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
/* For hover readouts: in each visible series the point whose x is nearest
 * to the pixel's (the readout follows the mouse along x), then of those
 * the one nearest in pixels, if within max_dist; FALSE when none. */
gboolean         bsc_curves_pick           (const BscCurves *self,
                                            const BscAxes *axes,
                                            const BscCurvesStyle *style,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            double        max_dist,
                                            guint        *series,
                                            guint        *index);

/* ---------------------------------------------------------------------
 * Heatmap: an n_rows x n_cols matrix, rows/columns permuted by an order
 * ------------------------------------------------------------------- */

typedef struct _BscHeatmap BscHeatmap;

BscHeatmap      *bsc_heatmap_new           (void);
void             bsc_heatmap_free          (BscHeatmap   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscHeatmap, bsc_heatmap_free)

/* Copies values (row-major n_rows x n_cols).  Resets the order to the
 * identity and the range to automatic. */
void             bsc_heatmap_set_data      (BscHeatmap   *self,
                                            const float  *values,
                                            guint         n_rows,
                                            guint         n_cols);
/* Square matrices: shows rows and columns sorted by group (stable, so
 * ties keep their order) and draws lines between groups.  groups has
 * n_rows entries (cluster per row); NULL restores the identity. */
void             bsc_heatmap_set_groups    (BscHeatmap   *self,
                                            const gint32 *groups);
/* An explicit order: displayed row r is data row order[r] (same for
 * columns when square).  Boundaries are cleared. */
void             bsc_heatmap_set_order     (BscHeatmap   *self,
                                            const guint  *order);
const guint     *bsc_heatmap_get_order     (const BscHeatmap *self);
/* vmin >= vmax means automatic: min and max of the off-diagonal values. */
void             bsc_heatmap_set_range     (BscHeatmap   *self,
                                            double        vmin,
                                            double        vmax);
void             bsc_heatmap_get_range     (const BscHeatmap *self,
                                            double       *vmin,
                                            double       *vmax);
/* Colour of v is map (((v - vmin) / (vmax - vmin)) ^ gamma); gamma 0.5
 * brings out sparse small values (a Sinkhorn target).  Default 1. */
void             bsc_heatmap_set_gamma     (BscHeatmap   *self,
                                            double        gamma);
void             bsc_heatmap_set_colormap  (BscHeatmap   *self,
                                            BscColormap   map,
                                            gboolean      dark);
/* One pixel per cell, displayed order; cached until the data, order,
 * range or colour map change.  Owned by the heatmap. */
cairo_surface_t *bsc_heatmap_get_surface   (BscHeatmap   *self);

/* The square (or aspect-kept) matrix area inside width x height, leaving
 * room for the title and the colour bar. */
void             bsc_heatmap_get_area      (const BscHeatmap *self,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height,
                                            BscPlotRect  *area);
/* Draws the matrix scaled without smoothing, group boundaries, a colour
 * bar with the value range and the title (may be NULL). */
void             bsc_heatmap_draw          (BscHeatmap   *self,
                                            const char   *title,
                                            const BscPlotTheme *theme,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
/* Pixel -> cell in data indices (after undoing the order); FALSE outside. */
gboolean         bsc_heatmap_pick          (const BscHeatmap *self,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            guint        *row,
                                            guint        *col);

/* ---------------------------------------------------------------------
 * Scatter: n 2-D points coloured by palette index
 * ------------------------------------------------------------------- */

/* Data -> pixel: px = width/2 + (x - cx) * scale, py = height/2 -
 * (y - cy) * scale (y up). */
typedef struct
{
  double cx, cy;
  double scale;    /* pixels per data unit */
} BscView;

void             bsc_view_zoom             (BscView      *view,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            double        factor);
void             bsc_view_pan              (BscView      *view,
                                            double        dx_pixels,
                                            double        dy_pixels);
void             bsc_view_to_pixel         (const BscView *view,
                                            int           width,
                                            int           height,
                                            double        x,
                                            double        y,
                                            double       *px,
                                            double       *py);
void             bsc_view_from_pixel       (const BscView *view,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            double       *x,
                                            double       *y);

typedef struct _BscScatter BscScatter;

BscScatter      *bsc_scatter_new           (void);
void             bsc_scatter_free          (BscScatter   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscScatter, bsc_scatter_free)

/* Copies xy (n x 2) and colors (n palette indices, < 0 grey; may be
 * NULL); rebuilds the grid index. */
void             bsc_scatter_set_points    (BscScatter   *self,
                                            const float  *xy,
                                            gsize         n,
                                            const gint32 *colors);
/* Colours each point by its value (n, for the points set) through map,
 * lo to hi, the lowest drawn on top; NULL returns to the categorical
 * colours.  Kept while later points have the same n. */
void             bsc_scatter_set_values    (BscScatter   *self,
                                            const float  *values,
                                            BscColormap   map,
                                            double        lo,
                                            double        hi);
/* Marks the points of a selection (indices of the points set; NULL for
 * none): they are drawn on top in full colour, the others faded.  Kept
 * while later points have the same n, so the selection follows them. */
void             bsc_scatter_set_selected  (BscScatter   *self,
                                            const guint  *indices,
                                            gsize         count);
/* Only recolours (same n); keeps the index. */
void             bsc_scatter_set_colors    (BscScatter   *self,
                                            const gint32 *colors);
/* Prototype markers (k x 2, drawn as outlined diamonds in colour i). */
void             bsc_scatter_set_prototypes (BscScatter  *self,
                                             const float *xy,
                                             guint        k);
gsize            bsc_scatter_get_n_points  (const BscScatter *self);
/* The prototype markers set (k x 2, k into *k), or NULL. */
const float     *bsc_scatter_get_prototypes (const BscScatter *self,
                                             guint            *k);
const float     *bsc_scatter_get_points    (const BscScatter *self);
void             bsc_scatter_set_point_radius (BscScatter *self,
                                               double      radius);
/* Opacity of a point, 0.05 to 1 (1): below 1 dense regions darken, so
 * overplotting shows as density instead of hiding the lower colours. */
void             bsc_scatter_set_point_alpha (BscScatter *self,
                                              double      alpha);
void             bsc_scatter_set_dark      (BscScatter   *self,
                                            gboolean      dark);
/* A view showing every point with a margin. */
void             bsc_scatter_fit_view      (const BscScatter *self,
                                            int           width,
                                            int           height,
                                            BscView      *view);
/* Points are written straight into a cached ARGB32 surface of
 * width x height (redrawn only when points, colours, view or size
 * change); prototypes, highlight (index or -1) and title drawn on top. */
void             bsc_scatter_draw          (BscScatter   *self,
                                            const BscView *view,
                                            const char   *title,
                                            gssize        highlight,
                                            const BscPlotTheme *theme,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
/* Nearest point to pixel (px, py) within radius pixels, or -1 (uniform
 * grid index, no scan of all points). */
gssize           bsc_scatter_pick          (const BscScatter *self,
                                            const BscView *view,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            double        radius);
/* Indices of the points inside a polygon (n_vertices x 2, in data units,
 * closed implicitly; even-odd rule, so a lasso that crosses itself
 * leaves out what it loops twice).  Fewer than 3 vertices select none. */
GArray          *bsc_scatter_select_polygon (const BscScatter *self,
                                             const double     *polygon,
                                             guint             n_vertices);
/* Indices of the points inside a pixel rectangle (any corner order). */
GArray          *bsc_scatter_select_rect   (const BscScatter *self,
                                            const BscView *view,
                                            int           width,
                                            int           height,
                                            double        x0,
                                            double        y0,
                                            double        x1,
                                            double        y1);

/* ---------------------------------------------------------------------
 * Image mosaic: thumbnails in a grid
 * ------------------------------------------------------------------- */

typedef struct
{
  guint          n;          /* thumbnails */
  const guint8 **thumbs;     /* n pointers to size x size x channels */
  guint          size;
  guint          channels;   /* 1 gray or 3 RGB */
  const gint32  *borders;    /* n palette indices (< 0 none) or NULL */
  const char    *caption;    /* drawn above the grid, or NULL */
  int            caption_color; /* palette index of a swatch, < 0 none */
} BscMosaic;

/* A thumbnail as an RGB24 image surface (for widgets). */
cairo_surface_t *bsc_thumb_surface_new     (const guint8 *pixels,
                                            guint         size,
                                            guint         channels);
/* Columns and rows for n cells of cell x cell pixels in width. */
void             bsc_mosaic_layout         (const BscMosaic *mosaic,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            guint         cell,
                                            guint        *columns,
                                            guint        *rows);
/* The height needed to draw every cell at this width. */
int              bsc_mosaic_get_height     (const BscMosaic *mosaic,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            guint         cell);
void             bsc_mosaic_draw           (const BscMosaic *mosaic,
                                            const BscPlotTheme *theme,
                                            guint         cell,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
/* Pixel -> thumbnail index, or -1. */
gssize           bsc_mosaic_pick           (const BscMosaic *mosaic,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            guint         cell,
                                            double        px,
                                            double        py);

/* ---------------------------------------------------------------------
 * Bars (cluster sizes) and confusion matrix
 * ------------------------------------------------------------------- */

/* n bars of values[i], bar i in palette colour i (colors NULL) or
 * colors[i]; labels may be NULL (then "0", "1", ...).  Bars above
 * warn_above or below warn_below (when > 0) are outlined in red. */
typedef struct
{
  guint          n;
  const double  *values;
  const gint32  *colors;
  const char   **labels;
  const char    *title;
  const char    *x_label;
  const char    *y_label;
  double         warn_above;
  double         warn_below;
  double         reference;       /* > 0: a dashed line at this value */
  const char    *reference_label; /* e.g. "mean", drawn at its end */
} BscBars;

void             bsc_bars_draw             (const BscBars *bars,
                                            const BscPlotTheme *theme,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
/* Pixel -> bar index, or -1. */
gssize           bsc_bars_pick             (const BscBars *bars,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py);

/* counts: n_rows (clusters) x n_cols (labels), row-major.  Cells shaded by
 * their share of the row, with the count written when cells are large
 * enough.  Row and column names may be NULL. */
typedef struct
{
  guint          n_rows, n_cols;
  const gsize   *counts;
  const char   **row_names;
  const char   **col_names;
  const char    *title;
  const char    *row_label;   /* "cluster" */
  const char    *col_label;   /* "label" */
  gboolean       row_swatches; /* a palette swatch before each row name */
} BscConfusion;

void             bsc_confusion_draw        (const BscConfusion *conf,
                                            const BscPlotTheme *theme,
                                            cairo_t      *cr,
                                            int           width,
                                            int           height);
gboolean         bsc_confusion_pick        (const BscConfusion *conf,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height,
                                            double        px,
                                            double        py,
                                            guint        *row,
                                            guint        *col);

/* ---------------------------------------------------------------------
 * PNG export with text chunks
 * ------------------------------------------------------------------- */

typedef void (*BscPlotDrawFunc) (cairo_t  *cr,
                                 int       width,
                                 int       height,
                                 gpointer  user_data);

/* Writes an ARGB32 or RGB24 image surface as 8-bit RGBA PNG through
 * libpng (unpremultiplied), with one tEXt/iTXt chunk per key/value
 * (keys: 1-79 Latin-1 characters; values UTF-8).  keys and values are
 * NULL-terminated arrays of the same length, or NULL.  Written to a
 * temporary name and renamed. */
gboolean         bsc_plot_write_png        (cairo_surface_t *surface,
                                            const char   *path,
                                            const char * const *keys,
                                            const char * const *values,
                                            GError      **error);
/* Renders draw_func into a width x height surface (scale: device scale,
 * 1 or 2) and writes it as above. */
gboolean         bsc_plot_export_png       (BscPlotDrawFunc draw_func,
                                            gpointer      user_data,
                                            int           width,
                                            int           height,
                                            double        scale,
                                            const char   *path,
                                            const char * const *keys,
                                            const char * const *values,
                                            GError      **error);
/* Reads the text chunks of a PNG into a new key -> value table. */
GHashTable      *bsc_plot_read_png_text    (const char   *path,
                                            GError      **error);

/* ---------------------------------------------------------------------
 * Small drawing helpers shared by the renderers and widgets
 * ------------------------------------------------------------------- */

void             bsc_plot_set_color        (cairo_t      *cr,
                                            const BscColor *color,
                                            double        alpha);
/* Text with its anchor: xalign/yalign 0 = left/top, 0.5 centre, 1. */
void             bsc_plot_text             (cairo_t      *cr,
                                            const BscPlotTheme *theme,
                                            double        x,
                                            double        y,
                                            double        xalign,
                                            double        yalign,
                                            double        size_scale,
                                            const char   *text);
/* Fills 0,0 - width,height with the background when the theme asks. */
void             bsc_plot_paint_background (cairo_t      *cr,
                                            const BscPlotTheme *theme,
                                            int           width,
                                            int           height);
/* A grid line across area at pixel position pos (a horizontal line at
 * y = pos, or a vertical one at x = pos) with its tick label outside the
 * area, left of it or below it. */
void             bsc_plot_grid_tick        (cairo_t      *cr,
                                            const BscPlotTheme *theme,
                                            const BscPlotRect *area,
                                            gboolean      horizontal,
                                            double        pos,
                                            const char   *label);
/* Title above area (left-aligned), x label centred at the bottom of the
 * chart, y label rotated at its left edge; any may be NULL. */
void             bsc_plot_axis_labels      (cairo_t      *cr,
                                            const BscPlotTheme *theme,
                                            const BscPlotRect *area,
                                            int           height,
                                            const char   *title,
                                            const char   *x_label,
                                            const char   *y_label);
/* Nice tick values between lo and hi (about target ticks); returns the
 * count written to ticks (at most max). */
guint            bsc_plot_nice_ticks       (double        lo,
                                            double        hi,
                                            guint         target,
                                            double       *ticks,
                                            guint         max);
/* A short C-locale label for a tick value. */
void             bsc_plot_format_tick      (double        value,
                                            double        step,
                                            char         *buf,
                                            gsize         size);

G_END_DECLS
