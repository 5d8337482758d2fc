/* test-app.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the real application window under Xvfb: loads the bundled sample
 * (or a small generated folder), trains one epoch with the tiny preset and
 * checks that every view received data, that Pause stops the steps and
 * Step takes exactly one, that a bad folder shows the in-window error and
 * that closing the window during training ends the worker.  Screenshots of
 * every view go to the build folder (tests/app/screenshots).
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "bsc-application.h"
#include "bsc-confusion-view.h"
#include "bsc-curves-view.h"
#include "bsc-load.h"
#include "bsc-plot.h"
#include "bsc-projection-view.h"
#include "bsc-trainer.h"
#include "bsc-thumbs.h"
#include "bsc-window-private.h"

static BscApplication *app;
static char *data_path;
static char *shots_dir;

typedef gboolean (*Condition) (BscWindow *window, gpointer data);

/* Runs the main loop until cond holds or timeout_s passes. */
static gboolean
wait_for (BscWindow *window,
          Condition  cond,
          gpointer   data,
          double     timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (window, data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
loaded (BscWindow *window,
        gpointer   data)
{
  BscWindowStatus st;

  _bsc_window_get_status (window, &st);
  return !st.loading;
}

static gboolean
run_ended (BscWindow *window,
           gpointer   data)
{
  BscWindowStatus st;

  _bsc_window_get_status (window, &st);
  return !st.running && st.n_snapshots > 0;
}

static gboolean
state_is (BscWindow *window,
          gpointer   data)
{
  BscWindowStatus st;

  _bsc_window_get_status (window, &st);
  return st.n_snapshots > 0 && (int) st.last_state == GPOINTER_TO_INT (data);
}

static gboolean
step_reached (BscWindow *window,
              gpointer   data)
{
  BscWindowStatus st;

  _bsc_window_get_status (window, &st);
  return st.last_step >= *(guint64 *) data;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_object_unref (paintable);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  file = g_strdup_printf ("%s.png", name);
  path = g_build_filename (shots_dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static BscWindow *
new_window (void)
{
  BscWindow *window = bsc_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static BscWindow *
new_loaded_window (void)
{
  BscWindow *window = new_window ();
  g_autoptr(GFile) file = g_file_new_for_path (data_path);
  BscWindowStatus st;

  bsc_window_open_file (window, file, FALSE);
  g_assert_true (wait_for (window, loaded, NULL, 60));
  _bsc_window_get_status (window, &st);
  g_assert_true (st.has_data);
  g_assert_false (st.error_shown);
  return window;
}

static void
close_window (BscWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin (0.05);
}

/* Hovers the map until the pointer is on a point, then selects the
 * middle of the map: both show images (screenshots). */
static void
check_map (BscWindow *window,
           BscRunView *view)
{
  BscProjectionView *map = BSC_PROJECTION_VIEW (view);
  GtkWidget *area = bsc_projection_view_get_area (map);
  int w = gtk_widget_get_width (area), h = gtk_widget_get_height (area);
  gssize hit = -1;

  for (int y = h / 4; y < 3 * h / 4 && hit < 0; y += 3)
    for (int x = w / 4; x < 3 * w / 4 && hit < 0; x += 3)
      hit = bsc_projection_view_hover_at (map, x, y);
  g_assert_cmpint (hit, >=, 0);
  spin (0.2);
  save_screenshot (GTK_WIDGET (window), "map-hover");
  {
    /* a lasso (a circle) takes fewer points than the square round it,
     * and some */
    double ring[2 * 32], r = MIN (w, h) / 4.0;
    guint in_circle, in_square;

    for (guint k = 0; k < 32; k++)
      {
        ring[2 * k] = w / 2.0 + r * cos (2 * G_PI * k / 32);
        ring[2 * k + 1] = h / 2.0 + r * sin (2 * G_PI * k / 32);
      }
    in_square = bsc_projection_view_select (map, w / 2.0 - r, h / 2.0 - r,
                                            w / 2.0 + r, h / 2.0 + r);
    in_circle = bsc_projection_view_select_lasso (map, ring, 32);
    g_test_message ("lasso %u points, the square round it %u", in_circle,
                    in_square);
    g_assert_cmpuint (in_circle, >, 0);
    g_assert_cmpuint (in_circle, <, in_square);
    /* a loop round nothing (the fit leaves the corners empty) */
    g_assert_cmpuint (bsc_projection_view_select (map, 0, 0, 4, 4), ==, 0);
    in_circle = bsc_projection_view_select_lasso (map, ring, 32);
  }
  spin (0.4);
  save_screenshot (GTK_WIDGET (window), "map-selection");
}

static gboolean
map_settled (BscWindow *window,
             gpointer   data)
{
  BscProjectionView *map = data;

  return !bsc_projection_view_is_arranging (map)
         && bsc_projection_view_shows_neighbours (map);
}

/* Of each point's ten nearest points on the map, the share with its
 * label, over every point. */
static double
label_neighbour_share (const float  *xy,
                       gsize         n,
                       const gint32 *labels)
{
  gsize same = 0;
  g_autofree double *d = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0; j < n; j++)
        d[j] = j == i ? G_MAXDOUBLE
                      : (xy[2 * i] - xy[2 * j]) * (xy[2 * i] - xy[2 * j])
                        + (xy[2 * i + 1] - xy[2 * j + 1]) * (xy[2 * i + 1] - xy[2 * j + 1]);
      for (guint k = 0; k < 10; k++)
        {
          gsize best = 0;

          for (gsize j = 1; j < n; j++)
            if (d[j] < d[best])
              best = j;
          same += labels[best] == labels[i];
          d[best] = G_MAXDOUBLE;
        }
    }
  return (double) same / (10.0 * n);
}

/* The default layout is the neighbourhood map: it arrives from its
 * thread, keeps each sample among samples of its label far better than
 * the linear map does, and switching layouts shows each at once. */
static void
check_neighbourhoods (BscWindow         *window,
                      BscProjectionView *map)
{
  BscDataset *data = bsc_worker_get_dataset (_bsc_window_get_worker (window));
  gsize n = 0;
  const float *points;
  g_autofree float *nb = NULL;
  double nb_share, linear_share;

  g_assert_true (wait_for (window, map_settled, map, 60));
  points = bsc_projection_view_get_points (map, &n);
  nb = g_memdup2 (points, n * 2 * sizeof (float));
  g_assert_cmpuint (n, ==, data->n_samples);
  nb_share = label_neighbour_share (nb, n, data->labels);
  bsc_projection_view_set_layout (map, 1);
  g_assert_false (bsc_projection_view_shows_neighbours (map));
  points = bsc_projection_view_get_points (map, &n);
  linear_share = label_neighbour_share (points, n, data->labels);
  g_test_message ("label share of 10 map neighbours: t-SNE %.3f, PCA %.3f",
                  nb_share, linear_share);
  g_assert_cmpfloat (nb_share, >, linear_share + 0.1);
  g_assert_cmpfloat (nb_share, >, 0.5);
  bsc_projection_view_set_layout (map, 0);
  g_assert_true (bsc_projection_view_shows_neighbours (map));
  g_assert_false (bsc_projection_view_is_arranging (map));
  points = bsc_projection_view_get_points (map, &n);
  g_assert_cmpmem (points, n * 2 * sizeof (float), nb, n * 2 * sizeof (float));
}

/* A zoomed map stops following the points; Fit (win.fit-map) and a new
 * run (Start after Finished) make it follow and fit them again, so the
 * second run's points are on the map. */
static void
check_second_run (BscWindow         *window,
                  BscProjectionView *map)
{
  BscWindowStatus st;
  guint64 one = 1;

  bsc_projection_view_zoom (map, 8);
  g_assert_false (bsc_projection_view_is_following (map));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.fit-map", NULL);
  g_assert_true (bsc_projection_view_is_following (map));
  bsc_projection_view_zoom (map, 8);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (bsc_projection_view_is_following (map));
  g_assert_true (wait_for (window, step_reached, &one, 60));
  g_assert_true (wait_for (window, run_ended, NULL, 120));
  _bsc_window_get_status (window, &st);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_FINISHED);
  _bsc_window_show_view (window, 2);
  spin (0.4);
  check_map (window, BSC_RUN_VIEW (map));
}

/* Thumbnails are made only for the cells and hovers that were shown. */
static void
check_thumbnails (BscWindow *window)
{
  BscDataset *data = bsc_worker_get_dataset (_bsc_window_get_worker (window));
  g_autoptr(BscThumbs) thumbs = bsc_thumbs_get_for (data);
  gsize made = bsc_thumbs_get_n_made (thumbs);

  g_test_message ("%zu of %zu thumbnails made", made, data->n_samples);
  g_assert_cmpuint (made, >, 0);
  g_assert_cmpuint (made, <, data->n_samples / 2);
}

static gboolean
file_exists (BscWindow *window,
             gpointer   data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

/* Save the Model after the end: the checkpoint of the run's last step,
 * which bootsc train --resume reads (its configuration is the run's). */
static void
check_save_model (BscWindow *window)
{
  g_autofree char *path = g_build_filename (shots_dir, "model.safetensors", NULL);
  BscWorker *worker = _bsc_window_get_worker (window);
  g_autoptr(GError) error = NULL;
  BscConfig config;

  g_unlink (path);
  g_assert_nonnull (bsc_worker_get_checkpoint (worker));
  g_assert_true (g_file_test (bsc_worker_get_checkpoint (worker),
                              G_FILE_TEST_IS_REGULAR));
  g_assert_true (_bsc_window_save_model (window, path));
  g_assert_true (wait_for (window, file_exists, path, 30));
  g_assert_true (bsc_checkpoint_read_config (path, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config.epochs, ==,
                    bsc_worker_get_config (worker)->epochs);
  g_assert_cmpuint (config.n_clusters, ==,
                    bsc_worker_get_config (worker)->n_clusters);
}

/* The Details window shows what `bootsc inspect` prints. */
static void
check_details (BscWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *details = NULL;

  _bsc_window_show_details (window);
  spin (0.3);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (w) == GTK_WINDOW (window))
        details = w;
    }
  g_assert_nonnull (details);
  save_screenshot (GTK_WIDGET (details), "details");
  /* what its Escape shortcut runs closes it */
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &details);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (details),
                                             "window.close", NULL));
  spin (0.2);
  g_assert_null (details);
}

/* The export actions' code: assignments CSV (one row per sample) and a
 * PNG per view into the screenshots folder. */
static void
check_exports (BscWindow *window)
{
  g_autofree char *csv = g_build_filename (shots_dir, "assignments.csv", NULL);
  g_autofree char *dir = g_build_filename (shots_dir, "export", NULL);
  g_autofree char *png = g_build_filename (dir, "projection.png", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) chunks = NULL;
  BscDataset *data = bsc_worker_get_dataset (_bsc_window_get_worker (window));

  g_assert_true (_bsc_window_export_csv (window, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, data->n_samples + 1);
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (_bsc_window_export_pngs (window, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  chunks = bsc_plot_read_png_text (png, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_hash_table_lookup (chunks, "bootsc:config"));
  g_assert_nonnull (strstr (g_hash_table_lookup (chunks, "bootsc:metrics"),
                            "\"seconds_per_epoch\":"));
}

static void
test_train_epoch (void)
{
  BscWindow *window = new_loaded_window ();
  guint n_views = 0;
  BscRunView **views = _bsc_window_get_views (window, &n_views);
  BscWindowStatus st;

  g_assert_cmpuint (n_views, ==, 6);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, run_ended, NULL, 120));
  _bsc_window_get_status (window, &st);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_FINISHED);
  g_assert_false (st.error_shown);
  g_assert_cmpuint (st.last_step, >, 0);
  /* A finished run is kept: Step does not start a new one, Start does. */
  g_assert_false (st.step_enabled);
  g_assert_true (st.start_enabled);
  g_assert_cmpstr (st.start_label, ==, "_Start");
  g_assert_cmpuint (bsc_curves_view_get_n_points (BSC_CURVES_VIEW (views[0])),
                    ==, st.last_step);
  for (guint i = 0; i < n_views; i++)
    {
      g_autofree char *name = g_strdup_printf ("view-%u-%s", i,
                                               G_OBJECT_TYPE_NAME (views[i]));

      g_test_message ("%s: %u updates", name, bsc_run_view_get_n_updates (views[i]));
      g_assert_cmpuint (bsc_run_view_get_n_updates (views[i]), >, 0);
      _bsc_window_show_view (window, i);
      spin (0.4);
      if (i == 2)
        check_neighbourhoods (window, BSC_PROJECTION_VIEW (views[i]));
      save_screenshot (GTK_WIDGET (window), name);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view-info", NULL);
      spin (0.1);
      if (i == 2)
        check_map (window, views[i]);
    }
  check_exports (window);
  check_save_model (window);
  check_details (window);
  check_thumbnails (window);
  check_second_run (window, BSC_PROJECTION_VIEW (views[2]));
  close_window (window);
}

static void
test_pause_step (void)
{
  BscWindow *window = new_loaded_window ();
  GSettings *settings = g_settings_new (APPLICATION_ID);
  BscWindowStatus st;
  guint64 target = 2, paused_at;
  g_autofree char *path = g_build_filename (shots_dir, "paused.safetensors", NULL);

  g_settings_set_uint (settings, "epochs", 200);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, step_reached, &target, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  g_assert_true (wait_for (window, state_is, GINT_TO_POINTER (BSC_RUN_PAUSED), 60));
  _bsc_window_get_status (window, &st);
  paused_at = st.last_step;
  spin (0.5);
  _bsc_window_get_status (window, &st);
  g_assert_cmpuint (st.last_step, ==, paused_at);
  g_assert_true (st.running);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  target = paused_at + 1;
  g_assert_true (wait_for (window, step_reached, &target, 60));
  spin (0.5);
  _bsc_window_get_status (window, &st);
  g_assert_cmpuint (st.last_step, ==, paused_at + 1);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_PAUSED);
  /* The main button resumes a paused run, and says so. */
  g_assert_cmpstr (st.start_label, ==, "_Resume");
  g_assert_true (st.start_enabled);
  save_screenshot (GTK_WIDGET (window), "paused");
  {
    /* Save the Model while paused: the paused thread wakes to save */
    BscConfig config;

    g_unlink (path);
    g_assert_true (_bsc_window_save_model (window, path));
    g_assert_true (wait_for (window, file_exists, path, 30));
    g_assert_true (bsc_checkpoint_read_config (path, &config, NULL));
    g_assert_cmpuint (config.epochs, ==, 200);
    _bsc_window_get_status (window, &st);
    g_assert_cmpint (st.last_state, ==, BSC_RUN_PAUSED);
    g_assert_cmpuint (st.last_step, ==, paused_at + 1);
  }

  /* Resume (the Pause toggle again): steps go on and stay unpaused. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  target = paused_at + 3;
  g_assert_true (wait_for (window, step_reached, &target, 60));
  g_assert_false (bsc_worker_is_paused (_bsc_window_get_worker (window)));
  _bsc_window_get_status (window, &st);
  g_assert_cmpstr (st.start_label, ==, "_Start");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  g_assert_true (wait_for (window, run_ended, NULL, 60));
  _bsc_window_get_status (window, &st);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_STOPPED);
  /* Stop evaluates where training stopped: views and exports show that
   * model, not the evaluation of some steps before. */
  g_assert_cmpint (st.eval_step, ==, (gint64) st.last_step);
  /* a stopped run stays on show: Step does not replace it, Start does */
  g_assert_false (st.step_enabled);
  g_assert_true (st.start_enabled);

  /* Continue a Saved Model: the model saved while paused, paused where
   * it was saved; Resume trains on from there */
  g_assert_true (_bsc_window_continue_model (window, path));
  g_assert_true (wait_for (window, state_is, GINT_TO_POINTER (BSC_RUN_PAUSED), 60));
  _bsc_window_get_status (window, &st);
  g_assert_cmpuint (st.last_step, ==, paused_at + 1);
  g_assert_cmpstr (st.start_label, ==, "_Resume");
  spin (0.3);
  save_screenshot (GTK_WIDGET (window), "continued");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  target = paused_at + 4;
  g_assert_true (wait_for (window, step_reached, &target, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  g_assert_true (wait_for (window, run_ended, NULL, 60));
  /* a file that is not a checkpoint is refused with the reason */
  g_assert_false (_bsc_window_continue_model (window, data_path));
  _bsc_window_get_status (window, &st);
  g_assert_true (st.error_shown);
  g_settings_reset (settings, "epochs");
  g_object_unref (settings);
  close_window (window);
}

/* A process id no process has now. */
static int
dead_pid (void)
{
  for (int pid = 4000000; pid > 1000; pid -= 7919)
    if (kill (pid, 0) != 0 && errno == ESRCH)
      return pid;
  return -1;
}

/* An autosave left by a crashed run (a dead process's) is pointed out
 * when a window opens; one older than 30 days is removed instead. */
static void
test_orphan_autosave (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (),
                                           "bootsc-explorer", "autosave", NULL);
  g_autofree char *name = g_strdup_printf ("run-%d-7.safetensors", dead_pid ());
  g_autofree char *old_name = g_strdup_printf ("run-%d-8.safetensors", dead_pid ());
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *old = g_build_filename (dir, old_name, NULL);
  struct utimbuf long_ago = { 0, 0 };
  BscWindow *window;
  BscWindowStatus st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
  g_assert_true (g_file_set_contents (old, "x", 1, NULL));
  long_ago.actime = long_ago.modtime = time (NULL) - 40 * 24 * 3600;
  g_assert_cmpint (utime (old, &long_ago), ==, 0);
  window = new_window ();
  _bsc_window_get_status (window, &st);
  g_assert_true (st.recover_shown);
  g_assert_false (st.error_shown);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  close_window (window);
  g_unlink (path);
}

static void
test_bad_folder (void)
{
  BscWindow *window = new_window ();
  g_autofree char *dir = g_dir_make_tmp ("bsc-bad-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (dir, "photo.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  BscWindowStatus st;

  g_assert_true (g_file_set_contents (junk, "not a picture", -1, NULL));
  bsc_window_open_file (window, file, FALSE);
  g_assert_true (wait_for (window, loaded, NULL, 30));
  _bsc_window_get_status (window, &st);
  g_assert_true (st.error_shown);
  g_assert_false (st.has_data);
  g_assert_nonnull (strstr (_bsc_window_get_error (window), "Could not open"));
  spin (0.3);
  save_screenshot (GTK_WIDGET (window), "bad-folder");
  close_window (window);
  g_remove (junk);
  g_rmdir (dir);
}

/* A run the engine refuses (a batch larger than the collection) ends in
 * the window's error bar, with what to do. */
static void
test_failed_run (void)
{
  BscWindow *window = new_loaded_window ();
  GSettings *settings = g_settings_new (APPLICATION_ID);
  BscWindowStatus st;

  g_settings_set_uint (settings, "batch-size", 8192);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, run_ended, NULL, 60));
  _bsc_window_get_status (window, &st);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_FAILED);
  g_assert_true (st.error_shown);
  g_assert_nonnull (strstr (_bsc_window_get_error (window), "could not start"));
  spin (0.3);
  save_screenshot (GTK_WIDGET (window), "failed-run");
  g_settings_set_uint (settings, "batch-size", 128);
  g_object_unref (settings);
  close_window (window);
}

/* Opening a collection during a run ends the run; nothing of it reaches
 * the views of the new collection. */
static void
test_open_during_training (void)
{
  BscWindow *window = new_loaded_window ();
  GSettings *settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GFile) file = g_file_new_for_path (data_path);
  guint n_views = 0;
  BscRunView **views = _bsc_window_get_views (window, &n_views);
  guint64 target = 2;
  BscWindowStatus st;

  g_settings_set_uint (settings, "epochs", 200);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, step_reached, &target, 60));
  bsc_window_open_file (window, file, FALSE);
  g_assert_null (_bsc_window_get_worker (window));
  g_assert_true (wait_for (window, loaded, NULL, 60));
  spin (1.0);
  _bsc_window_get_status (window, &st);
  g_assert_true (st.has_data);
  g_assert_false (st.running);
  g_assert_cmpuint (st.n_snapshots, ==, 0);
  for (guint i = 0; i < n_views; i++)
    g_assert_cmpuint (bsc_run_view_get_n_updates (views[i]), ==, 0);
  g_settings_reset (settings, "epochs");
  g_object_unref (settings);
  close_window (window);
}

static gboolean
worker_gone (BscWindow *unused,
             gpointer   data)
{
  return *(gpointer *) data == NULL;
}

/* Closing the window mid-run stops the worker; once its thread has ended
 * the worker, the window and every snapshot are freed. */
static void
test_close_during_training (void)
{
  BscWindow *window = new_loaded_window ();
  GSettings *settings = g_settings_new (APPLICATION_ID);
  gpointer worker = NULL, win = window;
  guint64 target = 1;

  g_settings_set_uint (settings, "epochs", 200);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, step_reached, &target, 60));
  worker = _bsc_window_get_worker (window);
  g_assert_true (bsc_worker_is_running (worker));
  g_object_add_weak_pointer (G_OBJECT (worker), &worker);
  g_object_add_weak_pointer (G_OBJECT (window), &win);
  g_assert_cmpuint (_bsc_snapshot_get_n_alive (), >, 0);

  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (wait_for (NULL, worker_gone, &worker, 30));
  spin (0.1);
  g_assert_null (win);
  g_assert_cmpuint (_bsc_snapshot_get_n_alive (), ==, 0);
  g_settings_reset (settings, "epochs");
  g_object_unref (settings);
}

/* Feature vectors without labels: every view but the confusion matrix
 * (which needs labels) gets data. */
/* Opens path in window, trains with the current settings until the run
 * ends and reads the window's status. */
static void
open_and_run (BscWindow       *window,
              const char      *path,
              BscWindowStatus *st)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  bsc_window_open_file (window, file, FALSE);
  g_assert_true (wait_for (window, loaded, NULL, 30));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (window, run_ended, NULL, 60));
  _bsc_window_get_status (window, st);
}

static void
test_features (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-feat-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "points.csv", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  BscWindow *window = new_window ();
  guint n_views = 0;
  BscRunView **views;
  BscWindowStatus st;

  for (guint i = 0; i < 600; i++)
    for (guint j = 0; j < 8; j++)
      g_string_append_printf (text, "%.3f%c", (i % 3 == j % 3 ? 1.0 : 0.0)
                              + g_test_rand_double_range (-0.2, 0.2),
                              j == 7 ? '\n' : ',');
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  open_and_run (window, csv, &st);
  g_assert_cmpint (st.last_state, ==, BSC_RUN_FINISHED);
  views = _bsc_window_get_views (window, &n_views);
  for (guint i = 0; i < n_views; i++)
    if (!BSC_IS_CONFUSION_VIEW (views[i]))
      g_assert_cmpuint (bsc_run_view_get_n_updates (views[i]), >, 0);
  _bsc_window_show_view (window, 3);
  spin (0.4);
  save_screenshot (GTK_WIDGET (window), "features-clusters");
  close_window (window);
  g_remove (csv);
  g_rmdir (dir);
}

/* Opens rows x 4 values of scale in a CSV, presses Start and returns the
 * error the window shows when the run fails (NULL when it did not). */
static char *
failed_run_error (guint        rows,
                  double       scale)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-fail-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "points.csv", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  BscWindow *window = new_window ();
  BscWindowStatus st;
  char *shown = NULL;

  for (guint i = 0; i < rows; i++)
    g_string_append_printf (text, "%g,%g,%g,%g\n", scale * (i % 3),
                            scale * (i % 5), scale * (i % 7), -scale * i);
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  open_and_run (window, csv, &st);
  if (st.last_state == BSC_RUN_FAILED && st.error_shown)
    shown = g_strdup (_bsc_window_get_error (window));
  close_window (window);
  g_remove (csv);
  g_rmdir (dir);
  return shown;
}

/* Advice that can be followed: a collection smaller than any network's
 * batch says so (no parameter here helps); values that break the very
 * first step point at the data, not at the learning rate. */
static void
test_failure_advice (void)
{
  g_autofree char *tiny = failed_run_error (10, 1.0);
  g_autofree char *huge = failed_run_error (300, 1e30);

  g_assert_nonnull (tiny);
  g_assert_nonnull (strstr (tiny, "Tiny needs at least 32 samples"));
  g_assert_null (strstr (tiny, "Change the parameters"));
  g_assert_nonnull (huge);
  g_assert_nonnull (strstr (huge, "Scale the features"));
  g_assert_null (strstr (huge, "Lower the learning-rate factor"));
}

/* Ctrl+O shows a folder chooser (GTK's own under Xvfb); closing it
 * changes nothing. */
static void
test_open_dialog (void)
{
  BscWindow *window = new_window ();
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *dialog = NULL;
  guint before = g_list_model_get_n_items (toplevels);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.open", NULL);
  spin (0.5);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, before + 1);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (w))
        dialog = w;
    }
  g_assert_nonnull (dialog);
  save_screenshot (GTK_WIDGET (dialog), "open-dialog");
  gtk_window_close (dialog);
  spin (0.3);
  close_window (window);
}

/* Dropping a folder onto the window opens it (the drop target's signal,
 * as GTK emits it for a drag from a file manager). */
static void
test_drop (void)
{
  BscWindow *window = new_window ();
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GFile) file = g_file_new_for_path (data_path);
  GtkDropTarget *drop = NULL;
  GValue value = G_VALUE_INIT;
  GSList *files = g_slist_append (NULL, file);
  gboolean accepted = FALSE;
  BscWindowStatus st;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (drop);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_slist_free (files);
  g_assert_true (accepted);
  g_assert_true (wait_for (window, loaded, NULL, 60));
  _bsc_window_get_status (window, &st);
  g_assert_true (st.has_data);
  close_window (window);
}

/* A long run keeps the drawn curves bounded: 20,000 steps become at most
 * 4,096 points whose values are bucket means. */
/* Epochs are 1-based and a step belongs to the epoch it completes. */
static void
test_step_epoch (void)
{
  /* 7 steps an epoch, 10 epochs. */
  g_assert_cmpuint (bsc_window_step_epoch (0, 70, 10), ==, 1);
  g_assert_cmpuint (bsc_window_step_epoch (1, 70, 10), ==, 1);
  g_assert_cmpuint (bsc_window_step_epoch (7, 70, 10), ==, 1);
  g_assert_cmpuint (bsc_window_step_epoch (8, 70, 10), ==, 2);
  g_assert_cmpuint (bsc_window_step_epoch (63, 70, 10), ==, 9);
  g_assert_cmpuint (bsc_window_step_epoch (70, 70, 10), ==, 10);
  g_assert_cmpuint (bsc_window_step_epoch (0, 0, 0), ==, 1);
}

/* Export dialogs open in the home folder, then in the last export's. */
static void
test_export_folder (void)
{
  BscWindow *window = new_window ();
  GSettings *settings = g_settings_new (APPLICATION_ID);
  g_autofree char *first = _bsc_window_export_folder (window);
  g_autofree char *tmp = g_dir_make_tmp ("bsc-export-XXXXXX", NULL);
  g_autofree char *second = NULL;

  g_assert_cmpstr (first, ==, g_get_home_dir ());
  g_settings_set_string (settings, "last-export-folder", tmp);
  second = _bsc_window_export_folder (window);
  g_assert_cmpstr (second, ==, tmp);
  g_rmdir (tmp);
  g_settings_reset (settings, "last-export-folder");
  g_object_unref (settings);
  close_window (window);
}

static void
test_curves_compaction (void)
{
  GtkWidget *view = g_object_ref_sink (g_object_new (BSC_TYPE_CURVES_VIEW, NULL));
  g_autoptr(BscSnapshot) snap = bsc_snapshot_new ();

  bsc_run_view_reset (BSC_RUN_VIEW (view), NULL);
  for (guint i = 0; i < 20000; i++)
    {
      BscCurvePoint pt = { i + 1, { 1.0, 0.5, 0.5, 0.05, 0.05, 0.01 } };

      g_array_append_val (snap->points, pt);
    }
  bsc_run_view_update (BSC_RUN_VIEW (view), snap);
  g_assert_cmpuint (bsc_curves_view_get_n_points (BSC_CURVES_VIEW (view)), ==, 20000);
  g_assert_cmpuint (bsc_curves_view_get_n_drawn (BSC_CURVES_VIEW (view)), <=, 4096);
  g_assert_cmpuint (bsc_curves_view_get_n_drawn (BSC_CURVES_VIEW (view)), >=, 2048);
  g_object_unref (view);
}

/* A small labelled folder when the bundled sample is not there. */
static char *
make_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-app-XXXXXX", NULL);

  for (guint c = 0; c < 3; c++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/class%u", dir, c);

      g_mkdir (sub, 0755);
      for (guint i = 0; i < 100; i++)
        {
          g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 28, 28);
          g_autofree char *path = g_strdup_printf ("%s/%03u.png", sub, i);

          gdk_pixbuf_fill (pb, (0x40u << (8 * (c + 1))) + (i << 8) * (c == 0));
          g_assert_true (gdk_pixbuf_save (pb, path, "png", NULL, NULL));
        }
    }
  return g_steal_pointer (&dir);
}

int
main (int   argc,
      char *argv[])
{
  GSettings *settings;
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("BSC_NO_PORTAL", "1", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  shots_dir = g_build_filename (g_getenv ("BSC_BUILD_DIR") ? g_getenv ("BSC_BUILD_DIR")
                                : ".", "tests", "app", "screenshots", NULL);
  g_mkdir_with_parents (shots_dir, 0755);
  data_path = bsc_load_find_sample ();
  if (data_path == NULL || !g_file_test (data_path, G_FILE_TEST_EXISTS))
    {
      g_free (data_path);
      data_path = make_folder ();
    }
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_enum (settings, "preset", 2 /* tiny */);
  g_settings_set_uint (settings, "epochs", 1);
  g_settings_set_uint (settings, "batch-size", 128);
  g_settings_set_uint (settings, "threads", 2);

  app = bsc_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/app/curves-compaction", test_curves_compaction);
  g_test_add_func ("/app/step-epoch", test_step_epoch);
  g_test_add_func ("/app/export-folder", test_export_folder);
  g_test_add_func ("/app/train-epoch", test_train_epoch);
  g_test_add_func ("/app/pause-step", test_pause_step);
  g_test_add_func ("/app/bad-folder", test_bad_folder);
  g_test_add_func ("/app/orphan-autosave", test_orphan_autosave);
  g_test_add_func ("/app/open-dialog", test_open_dialog);
  g_test_add_func ("/app/drop", test_drop);
  g_test_add_func ("/app/features", test_features);
  g_test_add_func ("/app/failed-run", test_failed_run);
  g_test_add_func ("/app/failure-advice", test_failure_advice);
  g_test_add_func ("/app/open-during-training", test_open_during_training);
  g_test_add_func ("/app/close-during-training", test_close_during_training);
  ret = g_test_run ();

  g_object_unref (settings);
  g_clear_object (&app);
  return ret;
}
