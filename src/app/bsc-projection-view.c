/* bsc-projection-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2-D map of the spectral embedding: every sample as a dot coloured by
 * cluster or label, prototypes as diamonds, zoom and pan, hover to see an
 * image, a freehand lasso to see a region's images.
 *
 * Two layouts.  The linear one (two principal axes) comes with every
 * evaluation from the training thread.  The neighbourhood one (t-SNE,
 * bsc-tsne.h) is laid out here, in a thread of its own, from the rows the
 * evaluation carries: one layout at a time, each starting from the last,
 * and while one runs only the newest evaluation waits for it.  Until the
 * first is ready the map shows the linear layout; after that, a new
 * evaluation recolours the previous neighbourhood layout until its own
 * arrives, so the dots move instead of jumping between layouts.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "bsc-plot-area.h"
#include "bsc-projection-view.h"
#include "bsc-sample-grid.h"
#include "bsc-tsne.h"

enum
{
  LAYOUT_NEIGHBOURS,
  LAYOUT_LINEAR,
};

/* A new layout is reached in a move this long, up to this many points
 * (each frame sets every point again). */
#define MOVE_US (G_USEC_PER_SEC * 2 / 5)
#define MOVE_MAX_POINTS 20000

/* The neighbourhood layout of one run, shared with the thread that
 * computes it (at most one at a time). */
typedef struct
{
  BscTsne *tsne;
} MapState;

static void
map_state_clear (gpointer data)
{
  MapState *state = data;

  g_clear_pointer (&state->tsne, bsc_tsne_free);
}

static void
map_state_unref (MapState *state)
{
  g_atomic_rc_box_release_full (state, map_state_clear);
}

typedef struct
{
  MapState    *state;
  BscEvalData *eval;
  guint        generation;
  gboolean     fresh;          /* start a new layout, not from the last */
  guint        iterations;     /* of a warm update; 0: the default */
  gboolean     beside_training; /* one thread, below training's priority */
  GCancellable *cancellable;
  float       *points;         /* n_samples x 2 */
  float       *proto_points;   /* n_clusters x 2, or NULL */
} LayoutJob;

static void
layout_job_free (gpointer data)
{
  LayoutJob *job = data;

  map_state_unref (job->state);
  bsc_eval_data_unref (job->eval);
  g_clear_object (&job->cancellable);
  g_free (job->points);
  g_free (job->proto_points);
  g_free (job);
}

struct _BscProjectionView
{
  GtkBox          parent_instance;

  GtkLabel       *summary;
  GtkDropDown    *color_by;
  GtkDropDown    *layout;
  GtkToggleButton *select_toggle;
  BscPlotArea    *area;
  GtkWidget      *selection_box;
  GtkLabel       *selection_label;
  BscSampleGrid  *selection_grid;
  GtkPicture     *hover_picture;
  GtkLabel       *hover_label;

  BscDataset     *data;
  BscThumbs      *thumbs;
  BscEvalData    *eval;
  BscScatter     *scatter;
  BscView         view;
  gboolean        view_fitted;
  int             fitted_w, fitted_h;   /* the area's size at the last fit */
  gboolean        user_moved;    /* zoomed or panned since the last fit */
  gssize          hover;
  gboolean        selecting;
  double          pointer_x, pointer_y;
  gboolean        has_selection;
  GArray         *selected;      /* of guint: the selection's points */
  GArray         *lasso;         /* of double x, y in data units: the
                                  * selection's outline, or the one drawn */
  double          lasso_px, lasso_py;   /* its last vertex, in pixels */
  double          drag_x, drag_y, drag_dx, drag_dy;
  BscView         drag_view;

  /* The neighbourhood layout. */
  MapState       *map_state;
  guint           layout_generation;   /* bumped by every reset */
  guint           layout_running;      /* serial of the evaluation it lays out */
  GCancellable   *layout_cancel;       /* of the running layout; NULL
                                        * when none runs */
  BscEvalData    *layout_pending;      /* waits for the busy thread */
  guint           layout_missed;       /* evaluations not laid out since
                                        * (map hidden, or linear shown) */
  gboolean        training;            /* the run is running */

  /* The move from one layout to the next of the same kind. */
  gboolean        shown_neighbours;    /* the kind of layout on the map */
  guint           anim_tick;           /* tick callback, 0 when still */
  gint64          anim_start;          /* frame time, us; 0 before the first */
  gsize           anim_n;
  float          *anim_from, *anim_to, *anim_now;   /* anim_n x 2 */
  guint           anim_k;
  float          *anim_proto_from, *anim_proto_to;  /* anim_k x 2, or NULL */
  guint           layout_serial;       /* evaluation nb_points belong to */
  float          *nb_points;
  float          *nb_proto;
  gsize           nb_n;
  char           *layout_error;
};

static void bsc_projection_view_iface_init (BscRunViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BscProjectionView, bsc_projection_view, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (BSC_TYPE_RUN_VIEW,
                                                      bsc_projection_view_iface_init))

static gboolean
by_label (BscProjectionView *self)
{
  return gtk_drop_down_get_selected (self->color_by) == 1
         && self->data != NULL && self->data->labels != NULL;
}

static const gint32 *
point_colors (BscProjectionView *self)
{
  return by_label (self) ? self->data->labels : self->eval->clusters;
}

/* Colour by confidence: the network's probability for the cluster it
 * chose, viridis from 0 (purple) to 1 (yellow-green: the palest yellow
 * end would fade into a light background), the least sure on top. */
static void
apply_confidence (BscProjectionView *self)
{
  gboolean on = gtk_drop_down_get_selected (self->color_by) == 2;

  bsc_scatter_set_values (self->scatter, on ? self->eval->confidence : NULL,
                          BSC_COLORMAP_VIRIDIS, 0.0, 1.15);
}

static void
draw_cb (BscPlotArea        *area,
         cairo_t            *cr,
         int                 width,
         int                 height,
         const BscPlotTheme *theme,
         gpointer            user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);
  BscColor accent = theme->accent;

  if (self->eval == NULL || bsc_scatter_get_n_points (self->scatter) == 0)
    return;
  /* following the points, the map also refits when its area changes
   * size (the selection's panel opening beside it, say) */
  if (!self->view_fitted
      || (!self->user_moved && (width != self->fitted_w || height != self->fitted_h)))
    {
      bsc_scatter_fit_view (self->scatter, width, height, &self->view);
      self->view_fitted = TRUE;
      self->fitted_w = width;
      self->fitted_h = height;
    }
  bsc_scatter_set_dark (self->scatter, theme->dark);
  bsc_scatter_draw (self->scatter, &self->view, NULL, self->hover, theme, cr,
                    width, height);
  if ((self->has_selection || self->selecting) && self->lasso->len >= 4)
    {
      const double *v = (const double *) self->lasso->data;

      for (guint i = 0; i < self->lasso->len / 2; i++)
        {
          double px, py;

          bsc_view_to_pixel (&self->view, width, height, v[2 * i], v[2 * i + 1],
                             &px, &py);
          if (i == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      cairo_close_path (cr);
      if (self->selecting)
        {
          bsc_plot_set_color (cr, &accent, 0.15);
          cairo_fill_preserve (cr);
        }
      else
        cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
      bsc_plot_set_color (cr, &accent, 0.9);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

static void
show_hover (BscProjectionView *self)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  gsize i = self->hover;

  gtk_picture_set_paintable (self->hover_picture, NULL);
  if (self->hover < 0 || self->eval == NULL)
    return;
  name = bsc_dataset_dup_name (self->data, i);
  if (self->data->labels != NULL)
    text = g_strdup_printf (_("%s\ncluster %d · label %s · confidence %.2f"), name,
                            self->eval->clusters[i],
                            bsc_run_view_label_name (self->data, self->data->labels[i]),
                            self->eval->confidence[i]);
  else
    text = g_strdup_printf (_("%s\ncluster %d · confidence %.2f"), name,
                            self->eval->clusters[i], self->eval->confidence[i]);
  gtk_label_set_text (self->hover_label, text);
  gtk_picture_set_paintable (self->hover_picture,
                             GDK_PAINTABLE (bsc_thumbs_get (self->thumbs, i)));
}

gssize
bsc_projection_view_hover_at (BscProjectionView *self,
                              double             x,
                              double             y)
{
  GtkWidget *w = GTK_WIDGET (self->area);
  gssize hit;

  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), -1);

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->eval == NULL)
    return -1;
  hit = bsc_scatter_pick (self->scatter, &self->view, gtk_widget_get_width (w),
                          gtk_widget_get_height (w), x, y, 6);
  if (hit == self->hover)
    return hit;
  self->hover = hit;
  if (hit >= 0)
    show_hover (self);
  gtk_widget_queue_draw (w);
  return hit;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           gpointer                  user_data)
{
  bsc_projection_view_hover_at (BSC_PROJECTION_VIEW (user_data), x, y);
}

void
bsc_projection_view_pan (BscProjectionView *self,
                         double             dx,
                         double             dy)
{
  g_return_if_fail (BSC_IS_PROJECTION_VIEW (self));

  bsc_view_pan (&self->view, dx, dy);
  self->user_moved = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

void
bsc_projection_view_zoom (BscProjectionView *self,
                          double             factor)
{
  GtkWidget *w = GTK_WIDGET (self->area);

  g_return_if_fail (BSC_IS_PROJECTION_VIEW (self));

  bsc_view_zoom (&self->view, gtk_widget_get_width (w), gtk_widget_get_height (w),
                 gtk_widget_get_width (w) / 2.0, gtk_widget_get_height (w) / 2.0,
                 factor);
  self->user_moved = TRUE;
  gtk_widget_queue_draw (w);
}

void
bsc_projection_view_fit (BscProjectionView *self)
{
  g_return_if_fail (BSC_IS_PROJECTION_VIEW (self));

  self->view_fitted = FALSE;
  self->user_moved = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

gboolean
bsc_projection_view_is_following (BscProjectionView *self)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), FALSE);

  return !self->user_moved;
}

/* Arrows pan, plus and minus zoom, 0 fits: the map without a mouse. */
static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);

  switch (keyval)
    {
    case GDK_KEY_Left: bsc_projection_view_pan (self, 40, 0); return TRUE;
    case GDK_KEY_Right: bsc_projection_view_pan (self, -40, 0); return TRUE;
    case GDK_KEY_Up: bsc_projection_view_pan (self, 0, 40); return TRUE;
    case GDK_KEY_Down: bsc_projection_view_pan (self, 0, -40); return TRUE;
    case GDK_KEY_plus: case GDK_KEY_KP_Add: case GDK_KEY_equal:
      bsc_projection_view_zoom (self, 1.25); return TRUE;
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      bsc_projection_view_zoom (self, 0.8); return TRUE;
    case GDK_KEY_0: case GDK_KEY_KP_0:
      bsc_projection_view_fit (self); return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           gpointer                  user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);
  GtkWidget *w = GTK_WIDGET (self->area);

  if (dy == 0)
    return FALSE;
  bsc_view_zoom (&self->view, gtk_widget_get_width (w), gtk_widget_get_height (w),
                 self->pointer_x, self->pointer_y, dy < 0 ? 1.25 : 0.8);
  self->user_moved = TRUE;
  gtk_widget_queue_draw (w);
  return TRUE;
}

static void
show_selection (BscProjectionView *self,
                GArray            *indices)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (ngettext ("%'u point selected", "%'u points selected",
                                    indices->len), indices->len);
  gtk_label_set_text (self->selection_label, text);
  bsc_sample_grid_set_samples (self->selection_grid, self->thumbs,
                               (const guint32 *) indices->data, indices->len,
                               self->eval->confidence);
  gtk_widget_set_visible (self->selection_box, TRUE);
}

static void
clear_selection_cb (BscProjectionView *self)
{
  bsc_sample_grid_set_samples (self->selection_grid, NULL, NULL, 0, NULL);
  gtk_widget_set_visible (self->selection_box, FALSE);
  self->has_selection = FALSE;
  g_array_set_size (self->lasso, 0);
  g_array_set_size (self->selected, 0);
  if (self->scatter != NULL)
    bsc_scatter_set_selected (self->scatter, NULL, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

/* Adds the pixel (x, y) to the lasso, in data units. */
static void
lasso_add (BscProjectionView *self,
           double             x,
           double             y)
{
  GtkWidget *w = GTK_WIDGET (self->area);
  double v[2];

  bsc_view_from_pixel (&self->view, gtk_widget_get_width (w),
                       gtk_widget_get_height (w), x, y, &v[0], &v[1]);
  g_array_append_vals (self->lasso, v, 2);
  self->lasso_px = x;
  self->lasso_py = y;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               gpointer        user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);
  GdkModifierType mods;

  mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  self->selecting = gtk_toggle_button_get_active (self->select_toggle)
                    || (mods & GDK_SHIFT_MASK) != 0;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drag_view = self->view;
  if (self->selecting)
    {
      g_array_set_size (self->lasso, 0);
      lasso_add (self, x, y);
    }
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                gpointer        user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);
  double x = self->drag_x + dx, y = self->drag_y + dy;

  self->drag_dx = dx;
  self->drag_dy = dy;
  if (!self->selecting)
    {
      self->view = self->drag_view;
      bsc_view_pan (&self->view, dx, dy);
      self->user_moved = TRUE;
    }
  else if (hypot (x - self->lasso_px, y - self->lasso_py) >= 3)
    lasso_add (self, x, y);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

/* Selects the points inside the lasso and shows their images. */
static guint
select_lasso (BscProjectionView *self)
{
  g_autoptr(GArray) indices = NULL;

  indices = bsc_scatter_select_polygon (self->scatter,
                                        (const double *) self->lasso->data,
                                        self->lasso->len / 2);
  if (indices->len == 0)
    {
      /* an empty loop is a click on nothing: no selection */
      clear_selection_cb (self);
      return 0;
    }
  self->has_selection = TRUE;
  /* the selected stand out and stay marked as training moves them */
  bsc_scatter_set_selected (self->scatter, (const guint *) indices->data,
                            indices->len);
  g_array_set_size (self->selected, 0);
  g_array_append_vals (self->selected, indices->data, indices->len);
  show_selection (self, indices);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  return indices->len;
}

guint
bsc_projection_view_select (BscProjectionView *self,
                            double             x0,
                            double             y0,
                            double             x1,
                            double             y1)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), 0);

  if (self->eval == NULL)
    return 0;
  g_array_set_size (self->lasso, 0);
  lasso_add (self, x0, y0);
  lasso_add (self, x1, y0);
  lasso_add (self, x1, y1);
  lasso_add (self, x0, y1);
  return select_lasso (self);
}

guint
bsc_projection_view_select_lasso (BscProjectionView *self,
                                  const double      *xy,
                                  guint              n)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), 0);

  if (self->eval == NULL)
    return 0;
  g_array_set_size (self->lasso, 0);
  for (guint i = 0; i < n; i++)
    lasso_add (self, xy[2 * i], xy[2 * i + 1]);
  return select_lasso (self);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             gpointer        user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);

  if (self->selecting && self->eval != NULL && self->lasso->len >= 6
      && (ABS (dx) > 3 || ABS (dy) > 3 || self->lasso->len >= 8))
    select_lasso (self);
  else if (self->selecting)
    clear_selection_cb (self);   /* a click with the lasso: none */
  self->selecting = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static void
fit_clicked_cb (BscProjectionView *self)
{
  bsc_projection_view_fit (self);
}

static void
pressed_cb (GtkGestureClick *click,
            int              n_press,
            double           x,
            double           y,
            gpointer         user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);

  /* the keys (arrows, plus, minus) then move the map */
  gtk_widget_grab_focus (GTK_WIDGET (self->area));
  if (n_press == 2)
    fit_clicked_cb (self);
}

static void
color_by_cb (BscProjectionView *self)
{
  if (self->eval == NULL)
    return;
  bsc_scatter_set_colors (self->scatter, point_colors (self));
  apply_confidence (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static gboolean
wants_neighbours (BscProjectionView *self)
{
  return gtk_drop_down_get_selected (self->layout) == LAYOUT_NEIGHBOURS;
}

/* The neighbourhood layout is what the map shows once one exists for
 * these samples; before that, and in linear mode, the linear one. */
static gboolean
shows_neighbours (BscProjectionView *self)
{
  return wants_neighbours (self) && self->nb_points != NULL
         && self->eval != NULL && self->nb_n == self->eval->n_samples;
}

static void
update_summary (BscProjectionView *self)
{
  g_autofree char *text = NULL;
  g_autofree char *when = bsc_run_view_eval_when (self->eval);
  const char *state = NULL;

  if (wants_neighbours (self) && self->layout_error != NULL)
    state = self->layout_error;
  else if (wants_neighbours (self) && self->eval->rows != NULL
           && (!shows_neighbours (self)
               || self->layout_serial != self->eval->serial))
    state = shows_neighbours (self) ? _("updating…") : _("arranging…");
  text = g_strdup_printf (ngettext ("%s · %'zu point", "%s · %'zu points",
                                    self->eval->n_samples),
                          when, self->eval->n_samples);
  if (state != NULL)
    {
      char *full = g_strdup_printf ("%s · %s", text, state);

      g_free (text);
      text = full;
    }
  gtk_label_set_text (self->summary, text);
}

/* Ends a move where it is now (the points stay where the last frame put
 * them). */
static void
stop_moving (BscProjectionView *self)
{
  /* (a disposed area has dropped its tick callbacks itself) */
  if (self->anim_tick != 0 && self->area != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->area), self->anim_tick);
  self->anim_tick = 0;
  g_clear_pointer (&self->anim_from, g_free);
  g_clear_pointer (&self->anim_to, g_free);
  g_clear_pointer (&self->anim_now, g_free);
  g_clear_pointer (&self->anim_proto_from, g_free);
  g_clear_pointer (&self->anim_proto_to, g_free);
}

static void
lerp (float       *out,
      const float *from,
      const float *to,
      gsize        count,
      float        t)
{
  for (gsize i = 0; i < count; i++)
    out[i] = from[i] + (to[i] - from[i]) * t;
}

static gboolean
move_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (user_data);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double t;
  float e;

  if (self->anim_start == 0)
    self->anim_start = now;
  t = (double) (now - self->anim_start) / MOVE_US;
  if (t >= 1.0)
    {
      bsc_scatter_set_points (self->scatter, self->anim_to, self->anim_n,
                              point_colors (self));
      if (self->anim_proto_to != NULL)
        bsc_scatter_set_prototypes (self->scatter, self->anim_proto_to,
                                    self->anim_k);
      self->anim_tick = 0;
      stop_moving (self);
      if (!self->user_moved)
        self->view_fitted = FALSE;
      gtk_widget_queue_draw (widget);
      return G_SOURCE_REMOVE;
    }
  e = (float) (1.0 - pow (1.0 - t, 3));   /* eases out */
  lerp (self->anim_now, self->anim_from, self->anim_to, 2 * self->anim_n, e);
  bsc_scatter_set_points (self->scatter, self->anim_now, self->anim_n,
                          point_colors (self));
  if (self->anim_proto_from != NULL)
    {
      float protos[2 * 256];

      /* (an interrupted move goes on from where this frame put them) */
      lerp (protos, self->anim_proto_from, self->anim_proto_to,
            2 * self->anim_k, e);
      bsc_scatter_set_prototypes (self->scatter, protos, self->anim_k);
    }
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

/* Puts the current layout's points on the map, coloured by the newest
 * evaluation.  The next layout of the kind on the map (the same points
 * laid out again as training goes) is reached in a short move, so the
 * eye can follow each point; a change of kind, or a large collection,
 * is shown at once. */
static void
show_points (BscProjectionView *self)
{
  const float *points = self->eval->points;
  const float *protos = self->eval->proto_points;
  gsize n = self->eval->n_samples;
  guint k = self->eval->n_clusters;
  gboolean nb = shows_neighbours (self);
  const float *now = bsc_scatter_get_points (self->scatter);
  const float *protos_now;
  guint k_now;

  if (nb)
    {
      points = self->nb_points;
      protos = self->nb_proto;
    }
  /* The loop was drawn round the points where they were; the selection
   * itself stays marked on them wherever they go. */
  if (!self->selecting)
    g_array_set_size (self->lasso, 0);
  if (self->anim_tick != 0)
    {
      /* on from wherever the running move has got to */
      stop_moving (self);
      now = bsc_scatter_get_points (self->scatter);
    }
  if (now != NULL && nb == self->shown_neighbours
      && bsc_scatter_get_n_points (self->scatter) == n && n <= MOVE_MAX_POINTS
      && gtk_widget_get_mapped (GTK_WIDGET (self))
      && memcmp (now, points, sizeof (float) * 2 * n) != 0)
    {
      self->anim_n = n;
      self->anim_from = g_memdup2 (now, sizeof (float) * 2 * n);
      self->anim_to = g_memdup2 (points, sizeof (float) * 2 * n);
      self->anim_now = g_new (float, 2 * n);
      protos_now = bsc_scatter_get_prototypes (self->scatter, &k_now);
      if (protos != NULL && protos_now != NULL && k_now == k && k <= 256)
        {
          self->anim_k = k;
          self->anim_proto_from = g_memdup2 (protos_now, sizeof (float) * 2 * k);
          self->anim_proto_to = g_memdup2 (protos, sizeof (float) * 2 * k);
        }
      else
        bsc_scatter_set_prototypes (self->scatter, protos,
                                    protos != NULL ? k : 0);
      bsc_scatter_set_colors (self->scatter, point_colors (self));
      self->anim_start = 0;
      self->anim_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->area),
                                                      move_tick_cb, self, NULL);
    }
  else
    {
      bsc_scatter_set_points (self->scatter, points, n, point_colors (self));
      bsc_scatter_set_prototypes (self->scatter, protos, protos != NULL ? k : 0);
      /* The map follows the points as they spread until the person zooms
       * or pans; Fit (Ctrl+0) returns to following. */
      if (!self->user_moved)
        self->view_fitted = FALSE;
    }
  self->shown_neighbours = nb;
  apply_confidence (self);
  update_summary (self);
  if (self->hover >= 0)
    show_hover (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static void start_layout (BscProjectionView *self,
                          BscEvalData       *eval);

/* The layout thread: a thread of its own rather than GLib's pool, so
 * that beside a running training it can lower its own priority for good:
 * on two cores the map then waits for the training, never the reverse. */
static gpointer
layout_thread (gpointer data)
{
  GTask *task = data;
  LayoutJob *job = g_task_get_task_data (task);
  BscEvalData *e = job->eval;
  GError *error = NULL;

#ifdef __linux__
  if (job->beside_training)
    setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
#endif
  if (job->fresh)
    {
      g_clear_pointer (&job->state->tsne, bsc_tsne_free);
      job->state->tsne = bsc_tsne_new (0);
    }
  bsc_tsne_set_threads (job->state->tsne, job->beside_training ? 1 : 0);
  bsc_tsne_set_cancellable (job->state->tsne, job->cancellable);
  if (!bsc_tsne_update (job->state->tsne, e->rows, e->n_samples, e->embed_dim,
                        e->points, job->iterations, job->points, &error))
    {
      /* the task's last touch: layout_done_cb drops this thread's ref */
      g_task_return_error (task, error);
      return NULL;
    }
  if (e->proto_rows != NULL
      && !bsc_tsne_place (job->state->tsne, e->proto_rows, e->n_clusters,
                          e->embed_dim, job->proto_points))
    g_clear_pointer (&job->proto_points, g_free);
  g_task_return_boolean (task, TRUE);
  return NULL;
}

static void
layout_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (source);
  LayoutJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  BscEvalData *next;

  g_object_unref (result);   /* the thread's reference */
  g_clear_object (&self->layout_cancel);
  if (self->scatter == NULL)
    return;   /* disposed while the thread ran */
  if (job->generation != self->layout_generation)
    {
      /* a reset came in between (and cancelled it): what waits belongs
       * to the new run */
    }
  else if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_clear_pointer (&self->layout_error, g_free);
      self->layout_error = g_strdup_printf (_("no neighbourhood map: %s"),
                                            error->message);
      g_clear_pointer (&self->layout_pending, bsc_eval_data_unref);
      if (self->eval != NULL)
        update_summary (self);
      return;
    }
  else
    {
      g_free (self->nb_points);
      g_free (self->nb_proto);
      self->nb_points = g_steal_pointer (&job->points);
      self->nb_proto = g_steal_pointer (&job->proto_points);
      self->nb_n = job->eval->n_samples;
      self->layout_serial = job->eval->serial;
      if (self->eval != NULL && wants_neighbours (self))
        show_points (self);
    }
  next = g_steal_pointer (&self->layout_pending);
  if (next != NULL && wants_neighbours (self)
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_layout (self, next);
  else if (next != NULL)
    self->layout_missed++;   /* hidden or linear since: laid out when shown */
  g_clear_pointer (&next, bsc_eval_data_unref);
}

static void
start_layout (BscProjectionView *self,
              BscEvalData       *eval)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;
  LayoutJob *job;

  if (self->layout_cancel != NULL)
    {
      g_clear_pointer (&self->layout_pending, bsc_eval_data_unref);
      self->layout_pending = bsc_eval_data_ref (eval);
      return;
    }
  if (self->map_state == NULL)
    {
      self->map_state = g_atomic_rc_box_new0 (MapState);
      self->map_state->tsne = bsc_tsne_new (0);
    }
  job = g_new0 (LayoutJob, 1);
  job->state = g_atomic_rc_box_acquire (self->map_state);
  job->eval = bsc_eval_data_ref (eval);
  job->generation = self->layout_generation;
  job->points = g_new (float, eval->n_samples * 2);
  job->proto_points = g_new (float, MAX (eval->n_clusters, 1) * 2);
  /* A map that missed one evaluation catches up with more steps; one
   * that missed more (hidden for epochs) would tear its clusters apart
   * following the embedding that far, so it starts again. */
  job->fresh = self->layout_missed > 1;
  job->iterations = self->layout_missed == 1 ? 300 : 0;
  self->layout_missed = 0;
  job->beside_training = self->training;
  job->cancellable = g_cancellable_new ();
  task = g_task_new (self, NULL, layout_done_cb, NULL);
  g_task_set_name (task, "[bsc] neighbourhood map");
  g_task_set_task_data (task, job, layout_job_free);
  thread = g_thread_try_new ("bsc-map", layout_thread, g_object_ref (task),
                             &error);
  if (thread == NULL)
    {
      g_object_unref (task);   /* the reference the thread would have held */
      g_clear_pointer (&self->layout_error, g_free);
      self->layout_error = g_strdup_printf (_("no neighbourhood map: %s"),
                                            error->message);
      if (self->eval != NULL)
        update_summary (self);
      return;
    }
  g_thread_unref (thread);
  self->layout_cancel = g_object_ref (job->cancellable);
  self->layout_running = eval->serial;
}

/* Lays out the newest evaluation as neighbourhoods if the map shows them
 * and is on screen (a hidden map waits until it is shown).  FALSE when it
 * does not. */
static gboolean
request_layout (BscProjectionView *self)
{
  if (self->eval == NULL || self->eval->rows == NULL || !wants_neighbours (self)
      || self->layout_error != NULL
      || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  if (self->nb_points != NULL && self->layout_serial == self->eval->serial
      && self->nb_n == self->eval->n_samples)
    return TRUE;
  if (self->layout_cancel != NULL && self->layout_running == self->eval->serial)
    {
      /* already under way: what waited is older */
      g_clear_pointer (&self->layout_pending, bsc_eval_data_unref);
      return TRUE;
    }
  if (self->layout_pending != self->eval)
    start_layout (self, self->eval);
  return TRUE;
}

static void
layout_cb (BscProjectionView *self)
{
  if (self->eval == NULL)
    return;
  show_points (self);
  request_layout (self);
}

static void
map_cb (GtkWidget *widget)
{
  request_layout (BSC_PROJECTION_VIEW (widget));
}

void
bsc_projection_view_set_layout (BscProjectionView *self,
                                guint              layout)
{
  g_return_if_fail (BSC_IS_PROJECTION_VIEW (self));
  g_return_if_fail (layout <= LAYOUT_LINEAR);

  gtk_drop_down_set_selected (self->layout, layout);
}

GtkDropDown *
bsc_projection_view_get_layout_chooser (BscProjectionView *self)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), NULL);

  return self->layout;
}

gboolean
bsc_projection_view_shows_neighbours (BscProjectionView *self)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), FALSE);

  return shows_neighbours (self);
}

const float *
bsc_projection_view_get_points (BscProjectionView *self,
                                gsize             *n)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), NULL);

  *n = bsc_scatter_get_n_points (self->scatter);
  return bsc_scatter_get_points (self->scatter);
}

gboolean
bsc_projection_view_is_arranging (BscProjectionView *self)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), FALSE);

  return self->layout_cancel != NULL || self->anim_tick != 0;
}

static gboolean
bsc_projection_view_update (BscRunView  *view,
                            BscSnapshot *snap)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (view);

  self->training = snap->state == BSC_RUN_RUNNING;
  if (snap->eval == NULL || snap->eval == self->eval || snap->eval->points == NULL)
    return FALSE;
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  self->eval = bsc_eval_data_ref (snap->eval);
  show_points (self);
  if (!request_layout (self) && self->nb_points != NULL)
    self->layout_missed++;
  return TRUE;
}

static void
bsc_projection_view_reset (BscRunView *view,
                           BscDataset *data)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (view);
  gsize n;

  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  g_clear_pointer (&self->scatter, bsc_scatter_free);
  self->scatter = bsc_scatter_new ();
  stop_moving (self);
  self->shown_neighbours = FALSE;
  /* A running layout stops soon and is dropped. */
  self->layout_generation++;
  if (self->layout_cancel != NULL)
    g_cancellable_cancel (self->layout_cancel);
  self->layout_missed = 0;
  g_clear_pointer (&self->map_state, map_state_unref);
  g_clear_pointer (&self->layout_pending, bsc_eval_data_unref);
  g_clear_pointer (&self->nb_points, g_free);
  g_clear_pointer (&self->nb_proto, g_free);
  g_clear_pointer (&self->layout_error, g_free);
  self->nb_n = 0;
  self->view_fitted = FALSE;
  self->user_moved = FALSE;
  self->hover = -1;
  if (data != NULL)
    {
      self->data = bsc_dataset_ref (data);
      self->thumbs = bsc_thumbs_get_for (data);
      n = data->n_samples;
      bsc_scatter_set_point_radius (self->scatter, n > 20000 ? 1.0 : n > 5000 ? 1.5 : 2.5);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->color_by), data != NULL);
  gtk_label_set_text (self->summary, _("waiting for the first evaluation"));
  gtk_label_set_text (self->hover_label,
                      _("Hover a point to see its image; scroll to zoom; drag to pan."));
  gtk_picture_set_paintable (self->hover_picture, NULL);
  clear_selection_cb (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static gboolean
bsc_projection_view_draw_export (BscRunView *view,
                                 cairo_t    *cr,
                                 int         width,
                                 int         height,
                                 gboolean    dark)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (view);
  BscPlotTheme theme;
  BscView fit;
  g_autofree char *title = NULL;
  guint colour = gtk_drop_down_get_selected (self->color_by);

  if (self->eval == NULL || bsc_scatter_get_n_points (self->scatter) == 0)
    return FALSE;
  /* the picture says what it shows; a selection is the session's, not
   * the picture's */
  title = g_strdup_printf ("%s · %s · %s", _("Embedding map"),
                           self->shown_neighbours ? _("neighbourhoods (t-SNE)")
                                                  : _("main directions (PCA)"),
                           colour == 2 ? _("colour: confidence, purple unsure, "
                                           "yellow sure")
                           : by_label (self) ? _("colour: label")
                                             : _("colour: cluster"));
  bsc_plot_theme_init (&theme, dark);
  theme.draw_background = TRUE;
  bsc_scatter_fit_view (self->scatter, width, height, &fit);
  bsc_scatter_set_dark (self->scatter, dark);
  if (self->selected->len > 0)
    bsc_scatter_set_selected (self->scatter, NULL, 0);
  bsc_scatter_draw (self->scatter, &fit, title, -1, &theme, cr, width, height);
  if (self->selected->len > 0)
    bsc_scatter_set_selected (self->scatter, (const guint *) self->selected->data,
                              self->selected->len);
  return TRUE;
}

static void
bsc_projection_view_iface_init (BscRunViewInterface *iface)
{
  iface->reset = bsc_projection_view_reset;
  iface->update = bsc_projection_view_update;
  iface->draw_export = bsc_projection_view_draw_export;
}

static void
bsc_projection_view_dispose (GObject *object)
{
  BscProjectionView *self = BSC_PROJECTION_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_PROJECTION_VIEW);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->thumbs);
  g_clear_pointer (&self->scatter, bsc_scatter_free);
  g_clear_pointer (&self->map_state, map_state_unref);
  g_clear_pointer (&self->layout_pending, bsc_eval_data_unref);
  g_clear_pointer (&self->nb_points, g_free);
  g_clear_pointer (&self->nb_proto, g_free);
  g_clear_pointer (&self->layout_error, g_free);
  g_clear_pointer (&self->lasso, g_array_unref);
  g_clear_pointer (&self->selected, g_array_unref);
  stop_moving (self);
  if (self->layout_cancel != NULL)
    g_cancellable_cancel (self->layout_cancel);
  g_clear_object (&self->layout_cancel);
  G_OBJECT_CLASS (bsc_projection_view_parent_class)->dispose (object);
}

static void
bsc_projection_view_class_init (BscProjectionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_projection_view_dispose;
  g_type_ensure (BSC_TYPE_PLOT_AREA);
  g_type_ensure (BSC_TYPE_SAMPLE_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-projection-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, summary);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, color_by);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, layout);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, select_toggle);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, area);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, selection_box);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, selection_label);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, selection_grid);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, hover_picture);
  gtk_widget_class_bind_template_child (widget_class, BscProjectionView, hover_label);
  gtk_widget_class_bind_template_callback (widget_class, color_by_cb);
  gtk_widget_class_bind_template_callback (widget_class, layout_cb);
  gtk_widget_class_bind_template_callback (widget_class, fit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_selection_cb);
}

static void
bsc_projection_view_init (BscProjectionView *self)
{
  GtkWidget *area;
  GtkEventController *motion, *scroll, *key;
  GtkGesture *drag, *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->lasso = g_array_new (FALSE, FALSE, sizeof (double));
  self->selected = g_array_new (FALSE, FALSE, sizeof (guint));
  /* The selection's side panel is narrow: smaller cells, more columns. */
  bsc_sample_grid_set_cell_size (self->selection_grid, 60);
  area = GTK_WIDGET (self->area);
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (area, motion);
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (area, scroll);
  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (area, GTK_EVENT_CONTROLLER (drag));
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (area, GTK_EVENT_CONTROLLER (click));
  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (area, key);
  gtk_widget_set_focusable (area, TRUE);
  bsc_plot_area_set_draw_func (self->area, draw_cb, self);
  /* shown again: lay out what came in while hidden */
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
  self->hover = -1;
  bsc_projection_view_reset (BSC_RUN_VIEW (self), NULL);
}

GtkWidget *
bsc_projection_view_get_area (BscProjectionView *self)
{
  g_return_val_if_fail (BSC_IS_PROJECTION_VIEW (self), NULL);

  return GTK_WIDGET (self->area);
}
