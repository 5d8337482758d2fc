/* bsc-window.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: opening collections (file chooser, drag and drop,
 * command line) in a GTask thread, the run controls, the views fed from
 * the worker's snapshots, errors shown in the window, and exports.
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "bsc-affinity-view.h"
#include "bsc-clusters-view.h"
#include "bsc-confusion-view.h"
#include "bsc-curves-view.h"
#include "bsc-error.h"
#include "bsc-export.h"
#include "bsc-load.h"
#include "bsc-params.h"
#include "bsc-plot-area.h"
#include "bsc-projection-view.h"
#include "bsc-sizes-view.h"
#include "bsc-window-private.h"

#define SCHEMA_ID APPLICATION_ID

typedef struct
{
  char           *path;
  BscLoadOptions  options;
  guint           done;    /* atomic progress, written by the loader */
  guint           total;
  gboolean        start;
} LoadJob;

struct _BscWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  GtkButton        *open_button;
  GtkButton        *start_button;
  GtkLabel         *start_label;
  GtkInfoBar       *error_bar;
  GtkLabel         *error_title;
  GtkLabel         *error_detail;
  GtkInfoBar       *skipped_bar;
  GtkInfoBar       *recover_bar;
  GtkLabel         *recover_label;
  char             *orphan;     /* the crashed run's autosave shown there */
  GtkLabel         *skipped_label;
  GtkButton        *skipped_button;
  GtkLabel         *data_label;
  GtkButton        *details_button;
  BscParams        *params;
  GtkStack         *view_stack;
  BscCurvesView    *curves_view;
  GtkLabel         *status_label;
  GtkProgressBar   *progress;
  GtkButton        *cancel_load_button;

  GSettings        *settings;
  BscDataset       *data;
  BscWorker        *worker;
  GCancellable     *load_cancellable;
  LoadJob          *load_job;      /* the running load, owned by its task */
  guint             load_timer;
  gboolean          start_after_load;
  char             *error_text;

  BscRunView          *views[8];
  guint             n_views;
  BscSnapshot      *last_snapshot;
  guint             n_snapshots;
};

G_DEFINE_FINAL_TYPE (BscWindow, bsc_window, GTK_TYPE_APPLICATION_WINDOW)

typedef void (*ChosenFunc) (BscWindow *self,
                            GFile     *file);

static void update_actions (BscWindow *self);
static void drop_worker    (BscWindow *self);
static void start_run      (BscWindow *self,
                            gboolean   paused);

/* ---- settings -------------------------------------------------------- */

static GSettingsSchema *
lookup_in_directory (const char *dir)
{
  GSettingsSchemaSource *parent = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  source = g_settings_schema_source_new_from_directory (dir, parent, FALSE,
                                                        &error);
  if (source == NULL)
    {
      g_debug ("No settings schema in %s: %s", dir, error->message);
      return NULL;
    }
  return g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
}

/* The copy of the compiled schema in the resources, written to a
 * temporary folder (schema sources read folders only). */
static GSettingsSchema *
lookup_embedded (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  GSettingsSchema *schema = NULL;

  bytes = g_resources_lookup_data (RESOURCE_PATH "/gschemas.compiled", 0, NULL);
  dir = g_dir_make_tmp ("bootsc-explorer-XXXXXX", NULL);
  if (bytes == NULL || dir == NULL)
    return NULL;
  file = g_build_filename (dir, "gschemas.compiled", NULL);
  if (g_file_set_contents (file, g_bytes_get_data (bytes, NULL),
                           g_bytes_get_size (bytes), NULL))
    schema = lookup_in_directory (dir);
  g_unlink (file);   /* the schema source keeps its mapping */
  g_rmdir (dir);
  return schema;
}

/* The installed schema; else the build folder's (an uninstalled binary);
 * else in-memory defaults with a warning: never abort for want of it. */
GSettings *
_bsc_window_new_settings (const char *build_dir)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    schema = lookup_in_directory (build_dir);
  if (schema == NULL)
    {
      g_warning ("Settings schema '%s' is not installed; settings will not "
                 "be kept (install the application or set "
                 "GSETTINGS_SCHEMA_DIR)", SCHEMA_ID);
      schema = lookup_embedded ();
      backend = g_memory_settings_backend_new ();
    }
  g_return_val_if_fail (schema != NULL, NULL);
  return g_settings_new_full (schema, backend, NULL);
}

/* ---- messages in the window ------------------------------------------ */

static void
show_error (BscWindow  *self,
            const char *title,
            const char *detail)
{
  gtk_label_set_text (self->error_title, title);
  gtk_label_set_text (self->error_detail, detail);
  gtk_info_bar_set_revealed (self->error_bar, TRUE);
  g_free (self->error_text);
  self->error_text = g_strdup_printf ("%s\n%s", title, detail);
}

static void
hide_error (BscWindow *self)
{
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
  g_clear_pointer (&self->error_text, g_free);
}

static void
error_bar_response_cb (BscWindow *self,
                       int        response)
{
  hide_error (self);
}

enum { RECOVER_DELETE = 1 };

static void
recover_bar_response_cb (BscWindow *self,
                         int        response)
{
  if (response == RECOVER_DELETE && self->orphan != NULL)
    g_unlink (self->orphan);
  gtk_info_bar_set_revealed (self->recover_bar, FALSE);
}

/* A run that crashed left its autosave: say where it is. */
static void
show_orphan (BscWindow *self)
{
  g_autofree char *text = NULL;

  g_clear_pointer (&self->orphan, g_free);
  self->orphan = bsc_worker_find_orphan ();
  if (self->orphan == NULL)
    return;
  text = g_strdup_printf (_("A run ended unexpectedly; its model was saved in "
                            "%s. Continue a Saved Model… (or bootsc train "
                            "--resume) continues it on its collection."),
                          self->orphan);
  gtk_label_set_text (self->recover_label, text);
  gtk_info_bar_add_button (self->recover_bar, _("_Delete It"), RECOVER_DELETE);
  gtk_info_bar_set_revealed (self->recover_bar, TRUE);
}

static void
skipped_bar_response_cb (BscWindow *self,
                         int        response)
{
  gtk_info_bar_set_revealed (self->skipped_bar, FALSE);
}

static void
set_status (BscWindow  *self,
            const char *text)
{
  gtk_label_set_text (self->status_label, text);
}

/* ---- the collection's details ---------------------------------------- */

/* What `bootsc inspect` prints: samples, dimensions, labels and their
 * counts, and every skipped file with its reason. */
static void
show_details_cb (BscWindow *self)
{
  g_autofree char *text = NULL;
  GtkWidget *dialog, *scrolled, *view;
  GtkEventController *shortcuts;

  if (self->data == NULL)
    return;
  text = bsc_dataset_describe (self->data);
  view = gtk_text_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  /* a skipped file's long reason wraps instead of running off the side */
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                            text, -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  dialog = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), _("About This Collection"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 700, 460);
  gtk_window_set_child (GTK_WINDOW (dialog), scrolled);
  /* Escape closes it, as it does a dialog */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (dialog, shortcuts);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- loading --------------------------------------------------------- */

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_free (job->path);
  g_free (job);
}

static void
load_progress_cb (gsize    done,
                  gsize    total,
                  gpointer user_data)
{
  LoadJob *job = user_data;

  /* Any thread: plain atomic stores, the main thread polls them. */
  g_atomic_int_set (&job->total, (guint) total);
  g_atomic_int_set (&job->done, (guint) done);
}

static void
load_worker (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  BscDataset *data;

  data = bsc_load (job->path, &job->options, load_progress_cb, job,
                   cancellable, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify) bsc_dataset_unref);
}

static gboolean
load_timer_cb (gpointer user_data)
{
  BscWindow *self = user_data;
  guint done, total;

  if (self->load_job == NULL)
    return G_SOURCE_CONTINUE;
  done = g_atomic_int_get (&self->load_job->done);
  total = g_atomic_int_get (&self->load_job->total);
  if (total > 0)
    {
      gtk_progress_bar_set_fraction (self->progress, (double) done / total);
      gtk_progress_bar_set_text (self->progress, _("Loading…"));
    }
  else
    {
      gtk_progress_bar_pulse (self->progress);
      if (done > 0)
        {
          g_autofree char *text = NULL;

          text = g_strdup_printf (ngettext ("Searching… %'u file found",
                                            "Searching… %'u files found", done),
                                  done);
          gtk_progress_bar_set_text (self->progress, text);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
set_loading (BscWindow *self,
             gboolean   loading)
{
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_load_button), loading);
  g_clear_handle_id (&self->load_timer, g_source_remove);
  if (loading)
    self->load_timer = g_timeout_add (100, load_timer_cb, self);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, loading ? _("Loading…") : NULL);
}

static void
describe_data (BscWindow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *name = g_filename_display_basename (self->data->source);
  g_autofree char *escaped = NULL;
  g_autofree char *sample = bsc_load_find_sample ();
  BscDataset *d = self->data;
  GString *s = g_string_new (NULL);

  if (sample != NULL && g_str_equal (sample, d->source))
    escaped = g_markup_escape_text (_("The bundled sample (Fashion-MNIST)"), -1);
  else
    escaped = g_markup_escape_text (name, -1);
  g_string_append_printf (s, "<b>%s</b>\n", escaped);
  g_string_append_printf (s, ngettext ("%'zu sample", "%'zu samples",
                                       d->n_samples), d->n_samples);
  if (d->width > 0)
    g_string_append_printf (s, _(", %u×%u %s"), d->width, d->height,
                            d->channels == 3 ? _("colour") : _("grey"));
  else
    g_string_append_printf (s, _(", %zu features"), d->dim);
  if (d->labels != NULL)
    g_string_append_printf (s, ngettext (", %u label", ", %u labels",
                                         d->n_classes), d->n_classes);
  else
    g_string_append (s, _(", no labels"));
  if (bsc_dataset_count_unusable (d) > 0)
    g_string_append_printf (s, ngettext (", %u file skipped",
                                         ", %u files skipped",
                                         bsc_dataset_count_unusable (d)),
                            bsc_dataset_count_unusable (d));
  text = g_string_free (s, FALSE);
  gtk_label_set_markup (self->data_label, text);
}

static void
show_skipped (BscWindow *self)
{
  g_autofree char *text = NULL;
  guint n = bsc_dataset_count_unusable (self->data);

  gtk_info_bar_set_revealed (self->skipped_bar, n > 0);
  if (n == 0)
    return;
  text = g_strdup_printf (ngettext ("%u file could not be used and was skipped; "
                                    "the rest loaded normally.",
                                    "%u files could not be used and were "
                                    "skipped; the rest loaded normally.", n), n);
  gtk_label_set_text (self->skipped_label, text);
}

static void
reset_views (BscWindow *self)
{
  for (guint i = 0; i < self->n_views; i++)
    bsc_run_view_reset (self->views[i], self->data);
  g_clear_pointer (&self->last_snapshot, bsc_snapshot_unref);
  self->n_snapshots = 0;
}

static void
set_data (BscWindow  *self,
          BscDataset *data)
{
  g_autofree char *title = NULL;
  g_autofree char *name = g_filename_display_basename (data->source);

  g_clear_pointer (&self->data, bsc_dataset_unref);
  self->data = data;
  describe_data (self);
  gtk_widget_set_visible (GTK_WIDGET (self->details_button), TRUE);
  show_skipped (self);
  reset_views (self);
  title = g_strdup_printf (_("%s — BootSC Explorer"), name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  set_status (self, _("Loaded. Press Start to train."));
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BscWindow *self = BSC_WINDOW (source);
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  BscDataset *data;
  gboolean start = job->start;
  g_autofree char *path = g_strdup (job->path);

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (job != self->load_job)
    {
      g_clear_pointer (&data, bsc_dataset_unref);
      return;   /* a newer load replaced this one */
    }
  self->load_job = NULL;
  g_clear_object (&self->load_cancellable);
  set_loading (self, FALSE);
  if (data == NULL)
    {
      g_autofree char *title = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *name = g_filename_display_name (path);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, BSC_ERROR, BSC_ERROR_CANCELLED))
        set_status (self, _("Loading cancelled"));
      else
        {
          title = g_strdup_printf (_("Could not open “%s”"), name);
          detail = g_strdup_printf ("%s\n%s", error->message,
                                    _("Choose another folder or file with "
                                      "Open (Ctrl+O), or drop one onto the "
                                      "window. Image folders may hold one "
                                      "subfolder per label."));
          show_error (self, title, detail);
          set_status (self, _("Nothing loaded"));
        }
      update_actions (self);
      return;
    }
  g_settings_set_string (self->settings, "last-folder", path);
  set_data (self, data);
  update_actions (self);
  if (start)
    start_run (self, FALSE);
}

static void
begin_load (BscWindow  *self,
            const char *path,
            gboolean    start)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *status = NULL;
  LoadJob *job;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  /* The run of the previous collection ends; its last snapshots must not
   * reach views that show the new one. */
  drop_worker (self);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  job = g_new0 (LoadJob, 1);
  job->path = g_strdup (path);
  job->start = start;
  bsc_load_options_init (&job->options);
  job->options.image_size = g_settings_get_uint (self->settings, "image-size");
  job->options.threads = g_settings_get_uint (self->settings, "threads");
  self->load_job = job;

  hide_error (self);
  gtk_info_bar_set_revealed (self->skipped_bar, FALSE);
  status = g_strdup_printf (_("Opening “%s”…"), name);
  set_status (self, status);
  set_loading (self, TRUE);

  task = g_task_new (self, self->load_cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, begin_load);
  g_task_set_task_data (task, job, load_job_free);
  g_task_run_in_thread (task, load_worker);
  update_actions (self);
}

static void
cancel_load_cb (BscWindow *self)
{
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
}

void
bsc_window_open_file (BscWindow *self,
                      GFile     *file,
                      gboolean   start)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BSC_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      show_error (self, _("Only local files can be opened"), uri);
      return;
    }
  begin_load (self, path, start);
}

void
bsc_window_open_default (BscWindow *self,
                         gboolean   start)
{
  g_autofree char *last = NULL;
  g_autofree char *sample = NULL;

  g_return_if_fail (BSC_IS_WINDOW (self));

  if (self->data != NULL || self->load_job != NULL)
    return;
  last = g_settings_get_string (self->settings, "last-folder");
  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_EXISTS))
    {
      begin_load (self, last, start);
      return;
    }
  sample = bsc_load_find_sample ();
  if (sample != NULL)
    begin_load (self, sample, start);
  else
    set_status (self, _("Open a folder of images to begin (Ctrl+O)"));
}

/* ---- the run --------------------------------------------------------- */

static const char *
state_name (BscRunState state)
{
  switch (state)
    {
    case BSC_RUN_RUNNING: return _("Training");
    case BSC_RUN_PAUSED: return _("Paused");
    case BSC_RUN_FINISHED: return _("Finished");
    case BSC_RUN_STOPPED: return _("Stopped");
    case BSC_RUN_FAILED: return _("Failed");
    default: return "";
    }
}

/* The epoch step belongs to, 1-based: with 7 steps an epoch, steps 1 to
 * 7 are epoch 1 and step 63 is epoch 9 (step counts completed steps; 0
 * is the first epoch's start). */
guint
bsc_window_step_epoch (guint64 step,
                       guint64 total_steps,
                       guint   epochs)
{
  guint64 spe;

  if (epochs == 0 || total_steps == 0)
    return 1;
  spe = MAX (total_steps / epochs, 1);
  return (guint) MIN (step == 0 ? 1 : (step - 1) / spe + 1, epochs);
}

static void
show_run_status (BscWindow   *self,
                 BscSnapshot *snap)
{
  g_autoptr(GString) text = g_string_new (state_name (snap->state));
  g_autofree char *progress = NULL;
  double fraction;

  if (snap->total_steps > 0)
    {
      g_string_append_printf (text, _(" · epoch %u of %u · step %'" PRIu64
                                      " of %'" PRIu64),
                              bsc_window_step_epoch (snap->step, snap->total_steps,
                                                     snap->epochs),
                              snap->epochs,
                              snap->step, snap->total_steps);
      if (snap->state != BSC_RUN_PAUSED)
        g_string_append_printf (text, _(" · %.1f steps/s"), snap->steps_per_second);
    }
  if (snap->eval != NULL && snap->eval->has_metrics)
    g_string_append_printf (text, _(" · ACC %.3f NMI %.3f ARI %.3f"),
                            snap->eval->acc, snap->eval->nmi, snap->eval->ari);
  set_status (self, text->str);

  fraction = snap->total_steps > 0 ? (double) snap->step / snap->total_steps : 0;
  progress = g_strdup_printf ("%.0f %%", 100 * fraction);
  gtk_progress_bar_set_fraction (self->progress, fraction);
  gtk_progress_bar_set_text (self->progress, progress);
  bsc_params_show_lr (self->params, snap->lr);
}

/* The advice under a failed run: what the person can change here. */
static char *
failure_hint (BscWindow   *self,
              BscSnapshot *snap)
{
  BscConfig tiny;

  bsc_config_init (&tiny);
  bsc_config_set_preset (&tiny, BSC_PRESET_TINY);
  if (snap->step == 0 && self->worker != NULL
      && bsc_worker_is_resumed (self->worker))
    return g_strdup (_("Open the collection this model was trained on, then "
                       "continue it again; Start begins a new run on this "
                       "collection instead."));
  if (g_error_matches (snap->error, BSC_ERROR, BSC_ERROR_NUMERIC)
      && snap->step == 0)
    /* The first step already: the data, not divergence. */
    return g_strdup (_("The very first step failed, so the data's values "
                       "are probably too large or not finite. Scale the "
                       "features (for example to the range 0 to 1) and open "
                       "them again."));
  if (g_error_matches (snap->error, BSC_ERROR, BSC_ERROR_NUMERIC))
    return g_strdup (_("The loss became NaN or infinite: training diverged. "
                       "Lower the learning-rate factor or the learning rate, "
                       "or raise Sinkhorn ε, then press Start for a new "
                       "run."));
  if (g_error_matches (snap->error, BSC_ERROR, BSC_ERROR_TOO_FEW)
      && self->data->n_samples < tiny.embed_dim)
    return g_strdup_printf (_("The collection is smaller than a batch of the "
                              "smallest network (Tiny needs at least %u "
                              "samples). Add images, or train it with the "
                              "bootsc command and a narrower embedding "
                              "(--widths)."), tiny.embed_dim);
  if (g_error_matches (snap->error, BSC_ERROR, BSC_ERROR_TOO_FEW)
      || g_error_matches (snap->error, BSC_ERROR, BSC_ERROR_INVALID_ARG))
    return g_strdup (_("Change the parameters on the left (a smaller "
                       "network, a smaller batch or fewer clusters), then "
                       "press Start."));
  return g_strdup (_("Press Start to try again; if it fails again, try "
                     "other parameters or another collection."));
}

static void
show_run_failure (BscWindow   *self,
                  BscSnapshot *snap)
{
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *hint = failure_hint (self, snap);

  if (snap->step == 0 && self->worker != NULL
      && bsc_worker_is_resumed (self->worker))
    title = g_strdup (_("This model cannot be continued"));
  else if (snap->step == 0)
    title = g_strdup (_("Training could not start"));
  else
    title = g_strdup_printf (_("Training stopped at step %'" PRIu64),
                             snap->step);
  detail = g_strdup_printf ("%s\n%s", snap->error->message, hint);
  show_error (self, title, detail);
}

static void
snapshot_cb (BscWorker   *worker,
             BscSnapshot *snap,
             gpointer     user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);

  if (worker != self->worker
      || snap->generation != bsc_worker_get_generation (worker)
      || bsc_worker_get_dataset (worker) != self->data)
    return;   /* stale: from a run that was replaced */
  self->n_snapshots++;
  g_clear_pointer (&self->last_snapshot, bsc_snapshot_unref);
  self->last_snapshot = bsc_snapshot_ref (snap);
  for (guint i = 0; i < self->n_views; i++)
    {
      gint64 t0 = g_get_monotonic_time ();

      bsc_run_view_update (self->views[i], snap);
      g_debug ("%s took %.1f ms", G_OBJECT_TYPE_NAME (self->views[i]),
               (g_get_monotonic_time () - t0) / 1000.0);
    }
  show_run_status (self, snap);
  if (snap->state == BSC_RUN_FAILED && snap->error != NULL)
    show_run_failure (self, snap);
  update_actions (self);
}

static void
finished_cb (BscWorker *worker,
             gpointer   user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);

  if (worker != self->worker)
    return;
  bsc_params_set_running (self->params, FALSE);
  update_actions (self);
}

static void
release_app_cb (BscWorker *worker,
                gpointer   user_data)
{
  g_application_release (G_APPLICATION (user_data));
}

static void
drop_worker (BscWindow *self)
{
  if (self->worker == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->worker, self);
  if (bsc_worker_is_running (self->worker))
    {
      GApplication *app = g_application_get_default ();

      /* Keep the application alive until the thread has ended. */
      bsc_worker_stop (self->worker);
      if (app != NULL)
        {
          g_application_hold (app);
          g_signal_connect_object (self->worker, "finished",
                                   G_CALLBACK (release_app_cb), app, 0);
        }
    }
  g_clear_object (&self->worker);
  if (self->params != NULL)
    bsc_params_set_running (self->params, FALSE);
}

static void run_worker (BscWindow *self,
                        BscWorker *worker,
                        gboolean   paused);

static void
start_run (BscWindow *self,
           gboolean   paused)
{
  BscConfig config;
  guint size = g_settings_get_uint (self->settings, "image-size");

  g_return_if_fail (self->data != NULL);

  if (self->data->kind == BSC_SOURCE_IMAGES && self->data->width != size)
    {
      /* The training resolution changed: decode the folder again. */
      begin_load (self, self->data->source, TRUE);
      return;
    }
  bsc_params_get_config (self->params, self->data->labels != NULL
                         ? self->data->n_classes : 0, &config);
  config.input_dim = self->data->dim;
  bsc_params_set_note (self->params, NULL);
  run_worker (self, bsc_worker_new (self->data, &config), paused);
}

/* Starts worker (taken) as the window's run. */
static void
run_worker (BscWindow *self,
            BscWorker *worker,
            gboolean   paused)
{
  drop_worker (self);
  hide_error (self);
  reset_views (self);
  self->worker = worker;
  bsc_worker_set_lr_scale (self->worker, bsc_params_get_lr_scale (self->params));
  g_signal_connect (self->worker, "snapshot", G_CALLBACK (snapshot_cb), self);
  g_signal_connect (self->worker, "finished", G_CALLBACK (finished_cb), self);
  bsc_worker_start (self->worker, paused);
  bsc_params_set_running (self->params, TRUE);
  set_status (self, _("Preparing the network…"));
  update_actions (self);
}

static gboolean
run_alive (BscWindow *self)
{
  return self->worker != NULL && bsc_worker_is_running (self->worker);
}

static void
lr_scale_changed_cb (BscWindow *self,
                     double     scale)
{
  if (self->worker != NULL)
    bsc_worker_set_lr_scale (self->worker, scale);
}

/* ---- actions --------------------------------------------------------- */

static void
set_action_enabled (BscWindow  *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The main button resumes a paused run and starts a new one otherwise. */
static void
update_start_button (BscWindow *self,
                     gboolean   paused,
                     gboolean   ended)
{
  const char *tip;

  gtk_label_set_text_with_mnemonic (self->start_label,
                                    paused ? _("_Resume") : _("_Start"));
  if (paused)
    tip = _("Resume this run (Ctrl+Return)");
  else if (self->data == NULL)
    tip = _("Open a folder or a file first (Ctrl+O)");
  else if (ended)
    tip = _("Start a new run with these parameters (Ctrl+Return)");
  else
    tip = _("Start training with these parameters (Ctrl+Return)");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button), tip);
}

/* The last run has ended (finished, stopped or failed) and its results
 * are on show: Step would throw them away for a new run unasked, so only
 * Start begins one. */
static gboolean
run_ended (BscWindow *self)
{
  return !run_alive (self) && self->last_snapshot != NULL
         && (self->last_snapshot->state == BSC_RUN_FINISHED
             || self->last_snapshot->state == BSC_RUN_STOPPED
             || self->last_snapshot->state == BSC_RUN_FAILED);
}

static void
update_actions (BscWindow *self)
{
  gboolean alive = run_alive (self);
  gboolean loading = self->load_job != NULL;
  gboolean paused = alive && bsc_worker_is_paused (self->worker);
  gboolean ended = run_ended (self);
  gboolean has_eval = self->last_snapshot != NULL
                      && self->last_snapshot->eval != NULL;
  GAction *pause = g_action_map_lookup_action (G_ACTION_MAP (self), "pause");

  set_action_enabled (self, "start", self->data != NULL && !loading
                                     && (!alive || paused));
  set_action_enabled (self, "pause", alive);
  set_action_enabled (self, "step", self->data != NULL && !loading
                                    && !ended);
  update_start_button (self, paused, ended);
  set_action_enabled (self, "stop", alive);
  set_action_enabled (self, "export-csv", has_eval);
  set_action_enabled (self, "export-png", has_eval);
  set_action_enabled (self, "export-folders", has_eval
                      && self->data != NULL && self->data->paths != NULL);
  set_action_enabled (self, "continue-model", self->data != NULL && !loading
                                              && !alive);
  set_action_enabled (self, "save-model", self->worker != NULL
                      && (alive || bsc_worker_get_checkpoint (self->worker)));
  g_simple_action_set_state (G_SIMPLE_ACTION (pause),
                             g_variant_new_boolean (paused));
}

static void
start_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);

  if (run_alive (self) && bsc_worker_is_paused (self->worker))
    bsc_worker_resume (self->worker);
  else if (self->data != NULL)
    start_run (self, FALSE);
  update_actions (self);
}

static void
pause_activate (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);

  if (!run_alive (self))
    return;
  if (bsc_worker_is_paused (self->worker))
    bsc_worker_resume (self->worker);
  else
    bsc_worker_pause (self->worker);
  update_actions (self);
}

static void
step_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);

  if (run_ended (self))
    return;   /* Start begins a new run explicitly */
  if (!run_alive (self))
    start_run (self, TRUE);
  if (self->worker != NULL)
    bsc_worker_step (self->worker);
  update_actions (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);

  if (run_alive (self))
    bsc_worker_finish (self->worker);
}

static void choose_target (BscWindow            *self,
                           const char           *title,
                           GtkFileChooserAction  action,
                           const char           *accept,
                           const char           *save_name,
                           ChosenFunc            func);

static void
open_chosen (BscWindow *self,
             GFile     *file)
{
  bsc_window_open_file (self, file, FALSE);
}

static void
open_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  /* Folders are what most people open; feature and IDX files have their
   * own chooser (win.open-file). */
  choose_target (BSC_WINDOW (widget), _("Open a Collection"),
                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), NULL,
                 open_chosen);
}

static void
open_file_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  choose_target (BSC_WINDOW (widget), _("Open a Feature File"),
                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL, open_chosen);
}

static void
open_sample_action (GtkWidget  *widget,
                    const char *name,
                    GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);
  g_autofree char *sample = bsc_load_find_sample ();

  if (sample == NULL)
    show_error (self, _("The bundled sample is not installed"),
                _("Open a folder of images instead (Ctrl+O)."));
  else
    begin_load (self, sample, FALSE);
}

static void
view_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  _bsc_window_show_view (BSC_WINDOW (widget), g_variant_get_int32 (param));
}

static void
view_info_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);
  GtkWidget *child = gtk_stack_get_visible_child (self->view_stack);

  if (child != NULL && BSC_IS_RUN_VIEW (child))
    bsc_run_view_show_info (BSC_RUN_VIEW (child));
}

static void
fit_map_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  BscWindow *self = BSC_WINDOW (widget);

  for (guint i = 0; i < self->n_views; i++)
    if (BSC_IS_PROJECTION_VIEW (self->views[i]))
      {
        bsc_projection_view_fit (BSC_PROJECTION_VIEW (self->views[i]));
        _bsc_window_show_view (self, i);
      }
}

static void
lr_up_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  bsc_params_nudge_lr (BSC_WINDOW (widget)->params, 1);
}

static void
lr_down_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  bsc_params_nudge_lr (BSC_WINDOW (widget)->params, -1);
}

/* ---- drag and drop --------------------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  if (files == NULL)
    return FALSE;
  bsc_window_open_file (self, files->data, FALSE);
  return TRUE;
}

/* ---- window life ----------------------------------------------------- */

static gboolean
bsc_window_close_request (GtkWindow *window)
{
  BscWindow *self = BSC_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (window));
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  drop_worker (self);
  return GTK_WINDOW_CLASS (bsc_window_parent_class)->close_request (window);
}

static void
bsc_window_dispose (GObject *object)
{
  BscWindow *self = BSC_WINDOW (object);

  drop_worker (self);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->load_timer, g_source_remove);
  self->load_job = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_WINDOW);
  g_clear_pointer (&self->last_snapshot, bsc_snapshot_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_pointer (&self->error_text, g_free);
  g_clear_pointer (&self->orphan, g_free);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (bsc_window_parent_class)->dispose (object);
}

static void
bsc_window_class_init (BscWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bsc_window_dispose;
  window_class->close_request = bsc_window_close_request;

  g_type_ensure (BSC_TYPE_PARAMS);
  g_type_ensure (BSC_TYPE_CURVES_VIEW);
  g_type_ensure (BSC_TYPE_AFFINITY_VIEW);
  g_type_ensure (BSC_TYPE_PROJECTION_VIEW);
  g_type_ensure (BSC_TYPE_CLUSTERS_VIEW);
  g_type_ensure (BSC_TYPE_CONFUSION_VIEW);
  g_type_ensure (BSC_TYPE_SIZES_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BscWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, start_label);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, error_title);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, error_detail);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, skipped_bar);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, recover_bar);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, recover_label);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, skipped_button);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, data_label);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, details_button);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, params);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, curves_view);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, BscWindow, cancel_load_button);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, skipped_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, recover_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_load_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_details_cb);
  gtk_widget_class_bind_template_callback (widget_class, lr_scale_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-file", NULL,
                                   open_file_action);
  gtk_widget_class_install_action (widget_class, "win.open-sample", NULL,
                                   open_sample_action);
  gtk_widget_class_install_action (widget_class, "win.view", "i", view_action);
  gtk_widget_class_install_action (widget_class, "win.view-info", NULL,
                                   view_info_action);
  gtk_widget_class_install_action (widget_class, "win.fit-map", NULL,
                                   fit_map_action);
  gtk_widget_class_install_action (widget_class, "win.lr-up", NULL, lr_up_action);
  gtk_widget_class_install_action (widget_class, "win.lr-down", NULL,
                                   lr_down_action);
}

/* Actions whose state or enabled flag changes live in the window's action
 * map (the class actions above are always available). */
static void
simple_action_cb (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  const char *name = g_action_get_name (G_ACTION (action));
  struct { const char *name; void (*func) (GtkWidget *, const char *, GVariant *); } map[] = {
    { "start", start_action }, { "step", step_action }, { "stop", stop_action },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (map[i].name, name))
      map[i].func (GTK_WIDGET (user_data), name, param);
}

static void export_csv_activate     (GSimpleAction *, GVariant *, gpointer);
static void export_png_activate     (GSimpleAction *, GVariant *, gpointer);
static void export_folders_activate (GSimpleAction *, GVariant *, gpointer);
static void save_model_activate     (GSimpleAction *, GVariant *, gpointer);
static void continue_model_activate (GSimpleAction *, GVariant *, gpointer);

static const GActionEntry win_actions[] = {
  { "start", simple_action_cb },
  { "pause", NULL, NULL, "false", NULL },
  { "step", simple_action_cb },
  { "stop", simple_action_cb },
  { "export-csv", export_csv_activate },
  { "save-model", save_model_activate },
  { "continue-model", continue_model_activate },
  { "export-png", export_png_activate },
  { "export-folders", export_folders_activate },
};

static void
pause_change_state (GSimpleAction *action,
                    GVariant      *value,
                    gpointer       user_data)
{
  pause_activate (action, NULL, user_data);
}

static void
collect_views (BscWindow *self)
{
  GtkWidget *child;

  self->n_views = 0;
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->view_stack));
       child != NULL && self->n_views < G_N_ELEMENTS (self->views) - 1;
       child = gtk_widget_get_next_sibling (child))
    if (BSC_IS_RUN_VIEW (child))
      self->views[self->n_views++] = BSC_RUN_VIEW (child);
  self->views[self->n_views] = NULL;
  for (guint i = 0; i < self->n_views; i++)
    if (BSC_IS_PROJECTION_VIEW (self->views[i]))
      {
        BscProjectionView *map = BSC_PROJECTION_VIEW (self->views[i]);

        g_settings_bind (self->settings, "map-layout",
                         bsc_projection_view_get_layout_chooser (map),
                         "selected", G_SETTINGS_BIND_DEFAULT);
      }
}

/* The remembered size, but never larger than the first monitor (GTK
 * does not clamp a default size). */
static void
restore_size (BscWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");
  GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle area;

  if (monitor != NULL)
    {
      gdk_monitor_get_geometry (monitor, &area);
      width = MIN (width, area.width * 95 / 100);
      height = MIN (height, area.height * 9 / 10);
    }
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
}

static void
bsc_window_init (BscWindow *self)
{
  GtkDropTarget *drop;
  GAction *pause;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = _bsc_window_new_settings (BSC_BUILD_SCHEMA_DIR);
  bsc_params_set_settings (self->params, self->settings);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  pause = g_action_map_lookup_action (G_ACTION_MAP (self), "pause");
  g_signal_connect (pause, "change-state", G_CALLBACK (pause_change_state), self);
  g_signal_connect_swapped (self->skipped_button, "clicked",
                            G_CALLBACK (show_details_cb), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  restore_size (self);
  show_orphan (self);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  collect_views (self);
  update_actions (self);
  /* Not into the first parameter's entry: typing there by accident would
   * change a setting. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->open_button));
}

BscWindow *
bsc_window_new (BscApplication *app)
{
  return g_object_new (BSC_TYPE_WINDOW, "application", app, NULL);
}

/* ---- exports --------------------------------------------------------- */

/* Exports start where the last one went (its folder). */
static void
remember_export (BscWindow            *self,
                 GFile                *file,
                 GtkFileChooserAction  action)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  folder = action == GTK_FILE_CHOOSER_ACTION_SAVE ? g_file_get_parent (file)
                                                  : g_object_ref (file);
  path = folder != NULL ? g_file_get_path (folder) : NULL;
  if (path != NULL)
    g_settings_set_string (self->settings, "last-export-folder", path);
}

/* The folder an export dialog opens in: the last export's if it still
 * exists, else the home folder (never the collection's or the sources'). */
char *
_bsc_window_export_folder (BscWindow *self)
{
  g_autofree char *last = NULL;

  g_return_val_if_fail (BSC_IS_WINDOW (self), NULL);

  last = g_settings_get_string (self->settings, "last-export-folder");
  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&last);
  return g_strdup (g_get_home_dir ());
}

/* A file name for an export: the collection's name, then what it is. */
static char *
export_name (BscWindow  *self,
             const char *what)
{
  g_autofree char *base = NULL;
  char *dot;

  if (self->data == NULL)
    return g_strdup (what);
  base = g_path_get_basename (self->data->source);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base && !g_file_test (self->data->source,
                                                  G_FILE_TEST_IS_DIR))
    *dot = '\0';
  return g_strdup_printf ("%s-%s", base, what);
}

static void
choose_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);
  ChosenFunc func = g_object_get_data (G_OBJECT (dialog), "bsc-func");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL && g_object_get_data (G_OBJECT (dialog), "bsc-export"))
        remember_export (self, file, gtk_file_chooser_get_action (
                           GTK_FILE_CHOOSER (dialog)));
      if (file != NULL)
        func (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/* Asks for a file or folder and hands it to func.  Opening starts
 * beside the last collection; exports (export TRUE) in the last export
 * folder or the home folder. */
static void
choose_target_full (BscWindow            *self,
                    const char           *title,
                    GtkFileChooserAction  action,
                    const char           *accept,
                    const char           *save_name,
                    gboolean              export,
                    ChosenFunc            func)
{
  g_autofree char *last = g_settings_get_string (self->settings, "last-folder");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                         accept, _("_Cancel"));
  if (save_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), save_name);
  if (export)
    {
      g_autofree char *dir = _bsc_window_export_folder (self);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder,
                                           NULL);
      g_object_set_data (G_OBJECT (chooser), "bsc-export", GINT_TO_POINTER (1));
    }
  else if (last[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (last);
      g_autoptr(GFile) parent = g_file_get_parent (file);

      if (parent != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser),
                                             parent, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "bsc-func", func);
  g_signal_connect (chooser, "response", G_CALLBACK (choose_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_target (BscWindow            *self,
               const char           *title,
               GtkFileChooserAction  action,
               const char           *accept,
               const char           *save_name,
               ChosenFunc            func)
{
  choose_target_full (self, title, action, accept, save_name, FALSE, func);
}

static void
report_result (BscWindow  *self,
               GError     *error,
               const char *failed,
               const char *done)
{
  if (error != NULL)
    {
      show_error (self, failed, error->message);
      set_status (self, "");   /* an earlier success is not this one */
    }
  else
    set_status (self, done);
}

static void
report_export (BscWindow  *self,
               GError     *error,
               const char *done)
{
  report_result (self, error, _("The export failed"), done);
}

static void eval_view (const BscEvalData *e,
                       BscEvaluation     *ev);

typedef struct
{
  BscRunView *view;
  gboolean    dark;
} ExportView;

/* The run's configuration and metrics as PNG text chunks, as the CLI
 * writes them. */
static void
png_text (BscWindow   *self,
          char      ***keys,
          char      ***values)
{
  BscSnapshot *snap = self->last_snapshot;
  BscRunInfo info = { 0 };
  BscEvaluation ev;

  *keys = *values = NULL;
  if (self->worker == NULL || snap == NULL || snap->eval == NULL)
    return;
  eval_view (snap->eval, &ev);
  info.config = bsc_worker_get_config (self->worker);
  info.data = bsc_worker_get_dataset (self->worker);
  info.eval = &ev;
  info.steps = snap->step;
  info.interrupted = snap->state != BSC_RUN_FINISHED;
  /* the speed the status line shows, per epoch as the CLI records it */
  if (snap->steps_per_second > 0 && snap->epochs > 0)
    info.seconds_per_epoch = (double) snap->total_steps / snap->epochs
                             / snap->steps_per_second;
  bsc_export_png_text (&info, keys, values);
}

static void
export_draw_cb (cairo_t  *cr,
                int       width,
                int       height,
                gpointer  user_data)
{
  ExportView *ev = user_data;

  bsc_run_view_draw_export (ev->view, cr, width, height, ev->dark);
}

gboolean
_bsc_window_export_pngs (BscWindow  *self,
                         const char *dir,
                         GError    **error)
{
  static const char * const names[] = {
    "curves", "affinity", "projection", "clusters", "confusion", "sizes",
  };
  gboolean dark = bsc_run_view_is_dark (GTK_WIDGET (self));
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;

  png_text (self, &keys, &values);
  for (guint i = 0; i < self->n_views && i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.png", names[i]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      ExportView ev = { self->views[i], dark };
      cairo_surface_t *probe;
      cairo_t *cr;
      gboolean has_data;

      /* Views without data (no labels, no images) are left out. */
      probe = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
      cr = cairo_create (probe);
      has_data = bsc_run_view_draw_export (self->views[i], cr, 1, 1, dark);
      cairo_destroy (cr);
      cairo_surface_destroy (probe);
      if (has_data && !bsc_plot_export_png (export_draw_cb, &ev, 1200, 800, 1,
                                            path, (const char * const *) keys,
                                            (const char * const *) values,
                                            error))
        return FALSE;
    }
  return TRUE;
}

static void
export_pngs_to (BscWindow *self,
                GFile     *folder)
{
  g_autofree char *dir = g_file_get_path (folder);
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;

  _bsc_window_export_pngs (self, dir, &error);
  done = g_strdup_printf (_("Every view saved as PNG in %s"), dir);
  report_export (self, error, done);
}

static void
export_png_activate (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  choose_target_full (BSC_WINDOW (user_data), _("Save Every View as PNG"),
                      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Choose"), NULL,
                      TRUE, export_pngs_to);
}

/* The export code wants the engine's evaluation; only the assignments
 * are needed, so this borrows the snapshot's arrays. */
static void
eval_view (const BscEvalData *e,
           BscEvaluation     *ev)
{
  memset (ev, 0, sizeof *ev);
  ev->epoch = e->epoch;
  ev->step = e->step;
  ev->n_samples = e->n_samples;
  ev->n_clusters = e->n_clusters;
  ev->clusters = e->clusters;
  ev->confidence = e->confidence;
  ev->cluster_sizes = e->cluster_sizes;
  ev->has_metrics = e->has_metrics;
  ev->acc = e->acc;
  ev->nmi = e->nmi;
  ev->ari = e->ari;
  ev->changed = e->changed;
}

gboolean
_bsc_window_export_csv (BscWindow  *self,
                        const char *path,
                        GError    **error)
{
  BscEvaluation ev;

  g_return_val_if_fail (self->last_snapshot != NULL
                        && self->last_snapshot->eval != NULL, FALSE);

  eval_view (self->last_snapshot->eval, &ev);
  return bsc_export_assignments (path, self->data, &ev, error);
}

static void
export_csv_to (BscWindow *self,
               GFile     *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;

  _bsc_window_export_csv (self, path, &error);
  done = g_strdup_printf (_("Assignments saved in %s"), path);
  report_export (self, error, done);
}

typedef struct
{
  BscWindow *window;
  char      *to;
} SaveModelJob;

static void
model_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SaveModelJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = bsc_worker_save_model_finish (BSC_WORKER (source),
                                                        result, &error);
  g_autofree char *done = NULL;

  if (from != NULL)
    {
      g_autoptr(GFile) src = g_file_new_for_path (from);
      g_autoptr(GFile) dst = g_file_new_for_path (job->to);

      g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
    }
  done = g_strdup_printf (_("Model saved in %s (bootsc train --resume continues "
                            "it)"), job->to);
  report_result (job->window, error, _("The model could not be saved"), done);
  g_object_unref (job->window);
  g_free (job->to);
  g_free (job);
}

gboolean
_bsc_window_save_model (BscWindow  *self,
                        const char *path)
{
  SaveModelJob *job;

  g_return_val_if_fail (BSC_IS_WINDOW (self), FALSE);

  if (self->worker == NULL)
    return FALSE;
  job = g_new0 (SaveModelJob, 1);
  job->window = g_object_ref (self);
  job->to = g_strdup (path);
  bsc_worker_save_model_async (self->worker, model_saved_cb, job);
  return TRUE;
}

static void
save_model_to (BscWindow *self,
               GFile     *file)
{
  g_autofree char *path = g_file_get_path (file);

  _bsc_window_save_model (self, path);
}

static void
save_model_activate (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);
  g_autofree char *name = export_name (self, "model.safetensors");

  choose_target_full (self, _("Save the Model"), GTK_FILE_CHOOSER_ACTION_SAVE,
                      _("_Save"), name, TRUE, save_model_to);
}

gboolean
_bsc_window_continue_model (BscWindow  *self,
                            const char *path)
{
  g_autoptr(GError) error = NULL;
  BscWorker *worker;

  g_return_val_if_fail (BSC_IS_WINDOW (self), FALSE);

  if (self->data == NULL || self->load_job != NULL)
    return FALSE;
  worker = bsc_worker_new_resumed (self->data, path, &error);
  if (worker == NULL)
    {
      show_error (self, _("This model cannot be continued"), error->message);
      return FALSE;
    }
  /* paused: the person sees where it stands and presses Resume */
  run_worker (self, worker, TRUE);
  {
    const BscConfig *c = bsc_worker_get_config (self->worker);
    g_autofree char *note = NULL;

    note = g_strdup_printf (_("This run continues a saved model with its own "
                              "settings: widths %u, %u / %u, %u; %u clusters; "
                              "%u epochs; batch %u; seed %" PRIu64 ". The "
                              "settings below are for the next new run."),
                            c->hidden1, c->hidden2, c->proj_hidden,
                            c->embed_dim, c->n_clusters, c->epochs,
                            c->batch_size, (guint64) c->seed);
    bsc_params_set_note (self->params, note);
  }
  return TRUE;
}

static void
continue_model_from (BscWindow *self,
                     GFile     *file)
{
  g_autofree char *path = g_file_get_path (file);

  _bsc_window_continue_model (self, path);
}

static void
continue_model_activate (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);

  choose_target (self, _("Continue a Saved Model"), GTK_FILE_CHOOSER_ACTION_OPEN,
                 _("_Continue"), NULL, continue_model_from);
}

static void
export_csv_activate (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  BscWindow *self = BSC_WINDOW (user_data);
  g_autofree char *name = export_name (self, "assignments.csv");

  choose_target_full (self, _("Save the Assignments"),
                      GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), name, TRUE,
                      export_csv_to);
}

typedef struct
{
  char    *to;
  GStrv    paths;
  gint32  *clusters;
  gsize    n;
} FoldersJob;

static void
folders_job_free (gpointer data)
{
  FoldersJob *job = data;

  g_free (job->to);
  g_strfreev (job->paths);
  g_free (job->clusters);
  g_free (job);
}

static void
folders_worker (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FoldersJob *job = task_data;
  GError *error = NULL;

  if (bsc_export_clusters (job->to, (const char * const *) job->paths,
                           job->clusters, job->n, FALSE, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
folders_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BscWindow *self = BSC_WINDOW (source);
  FoldersJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  done = g_strdup_printf (_("One folder per cluster written in %s"), job->to);
  report_export (self, error, done);
}

static void
export_folders_to (BscWindow *self,
                   GFile     *folder)
{
  BscEvalData *e = self->last_snapshot->eval;
  g_autoptr(GTask) task = NULL;
  FoldersJob *job = g_new0 (FoldersJob, 1);

  job->to = g_file_get_path (folder);
  job->n = e->n_samples;
  job->clusters = g_memdup2 (e->clusters, e->n_samples * sizeof (gint32));
  job->paths = g_new0 (char *, e->n_samples + 1);
  for (gsize i = 0; i < e->n_samples; i++)
    job->paths[i] = g_strdup (g_ptr_array_index (self->data->paths, i));
  set_status (self, _("Copying the images into one folder per cluster…"));
  task = g_task_new (self, NULL, folders_done_cb, NULL);
  g_task_set_task_data (task, job, folders_job_free);
  g_task_run_in_thread (task, folders_worker);
}

static void
export_folders_activate (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  choose_target_full (BSC_WINDOW (user_data),
                      _("Choose Where to Create One Folder per Cluster"),
                      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Choose"), NULL,
                      TRUE, export_folders_to);
}

/* ---- for tests ------------------------------------------------------- */

void
_bsc_window_get_status (BscWindow       *self,
                        BscWindowStatus *status)
{
  g_return_if_fail (BSC_IS_WINDOW (self));

  status->n_snapshots = self->n_snapshots;
  status->last_step = self->last_snapshot ? self->last_snapshot->step : 0;
  status->eval_step = self->last_snapshot && self->last_snapshot->eval
                      ? (gint64) self->last_snapshot->eval->step : -1;
  status->last_state = self->last_snapshot ? self->last_snapshot->state
                                           : BSC_RUN_STOPPED;
  status->loading = self->load_job != NULL;
  status->has_data = self->data != NULL;
  status->error_shown = gtk_info_bar_get_revealed (self->error_bar);
  status->recover_shown = gtk_info_bar_get_revealed (self->recover_bar);
  status->running = run_alive (self);
  status->start_enabled = g_action_group_get_action_enabled (
    G_ACTION_GROUP (self), "start");
  status->step_enabled = g_action_group_get_action_enabled (
    G_ACTION_GROUP (self), "step");
  status->start_label = gtk_label_get_label (self->start_label);
}

BscRunView **
_bsc_window_get_views (BscWindow *self,
                       guint     *n_views)
{
  g_return_val_if_fail (BSC_IS_WINDOW (self), NULL);

  if (n_views != NULL)
    *n_views = self->n_views;
  return self->views;
}

BscWorker *
_bsc_window_get_worker (BscWindow *self)
{
  g_return_val_if_fail (BSC_IS_WINDOW (self), NULL);

  return self->worker;
}

const char *
_bsc_window_get_error (BscWindow *self)
{
  g_return_val_if_fail (BSC_IS_WINDOW (self), NULL);

  return self->error_text;
}

void
_bsc_window_show_view (BscWindow *self,
                       guint      index)
{
  g_return_if_fail (BSC_IS_WINDOW (self));

  if (index < self->n_views)
    gtk_stack_set_visible_child (self->view_stack, GTK_WIDGET (self->views[index]));
}

void
_bsc_window_show_details (BscWindow *self)
{
  g_return_if_fail (BSC_IS_WINDOW (self));

  show_details_cb (self);
}
