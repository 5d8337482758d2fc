/* bsc-cli-run.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `bootsc train` at work: load, drive the trainer step by step with a
 * progress line, stop cleanly on Ctrl-C, and write every result.
 */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bsc-cli.h"
#include "bsc-error.h"
#include "bsc-export.h"
#include "bsc-npy.h"
#include "bsc-projection.h"
#include "bsc-tsne.h"
#include "bsc-trainer.h"

static volatile sig_atomic_t interrupted;

/* The first Ctrl-C asks to stop after the current step; later ones are
 * only acknowledged, so that the results are never left half written
 * (no SA_RESETHAND: ending the program mid-write leaves temporaries). */
static void
interrupt_handler (int signum)
{
  static const char first[] =
    "\nInterrupted: finishing the current step and saving\u2026\n";
  static const char again[] =
    "\nStill saving the results; they will be complete in a moment\u2026\n";
  gboolean is_first = interrupted == 0;
  ssize_t ignored;

  interrupted = 1;
  ignored = write (STDERR_FILENO, is_first ? first : again,
                   is_first ? sizeof first - 1 : sizeof again - 1);
  (void) ignored;
}

static void
install_interrupt_handler (void)
{
  struct sigaction action = { 0 };

  action.sa_handler = interrupt_handler;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
}

typedef struct
{
  BscTrainOptions *o;
  BscDataset      *data;
  BscTrainer      *trainer;
  BscHistory      *history;
  BscEvaluation   *eval;        /* the latest evaluation */
  gboolean         tty;
  gint64           train_us;    /* time spent in steps by this run */
  gint64           first_us;    /* of that, in its first step */
  guint64          steps_run;
  double           epoch_loss;  /* sum over the current epoch's steps */
  guint            epoch_steps;
  gint64           last_print;
  GPtrArray       *unwritten;   /* names of outputs that failed, in order */
  GPtrArray       *write_errors;  /* why, one GError per name */
  gboolean         out_ready;   /* --out exists and takes files */
  gboolean         out_made;    /* ... and this run made it */
} Run;

/* ---- loading ------------------------------------------------------- */

typedef struct
{
  gboolean      tty;
  GCancellable *cancellable;
  gint64        last;
} LoadProgress;

static void
load_progress_cb (gsize    done,
                  gsize    total,
                  gpointer user_data)
{
  LoadProgress *p = user_data;
  gint64 now = g_get_monotonic_time ();

  if (interrupted)
    g_cancellable_cancel (p->cancellable);
  if (!p->tty || (now - p->last < 100000 && (total == 0 || done < total)))
    return;
  p->last = now;
  fputs ("\r\033[K", stdout);
  if (total == 0)
    fprintf (stdout, _("Searching: %zu files found"), done);
  else
    fprintf (stdout, _("Loading: %zu of %zu"), done, total);
  fflush (stdout);
}

BscDataset *
bsc_cli_load (const char           *input,
              const BscLoadOptions *options,
              gboolean              quiet,
              GError              **error)
{
  g_autofree char *sample = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  LoadProgress progress = { !quiet && isatty (STDOUT_FILENO), cancellable };
  BscDataset *data;

  if (input == NULL && (input = sample = bsc_load_find_sample ()) == NULL)
    {
      g_set_error_literal (error, BSC_ERROR, BSC_ERROR_IO,
                           _("No INPUT given and the bundled sample was not "
                           "found; give a folder or file to read"));
      return NULL;
    }
  data = bsc_load (input, options, load_progress_cb, &progress, cancellable,
                   error);
  if (progress.tty)
    fputs ("\r\033[K", stdout);
  /* Warned, not refused: like training options on --resume, an option
   * that does not apply changes nothing about the run. */
  if (data && options->label_column && options->label_column[0]
      && !bsc_load_reads_csv (input))
    g_printerr (_("bootsc: warning: --label-column applies to CSV input "
                  "only; ignored\n"));
  if (data && !quiet)
    {
      g_autofree char *name = g_filename_display_name (input);

      printf (_("Loaded %s: %zu samples of %zu"
                " values%s\n"), name, data->n_samples, data->dim,
              data->labels ? _(", with labels") : "");
      if (bsc_dataset_count_unusable (data) > 0)
        printf (_("Skipped %u files that could not be used (bootsc inspect "
                  "lists them with the reason)\n"),
                bsc_dataset_count_unusable (data));
    }
  return data;
}

/* ---- progress ------------------------------------------------------ */

static void
format_duration (double  seconds,
                 char   *buf,
                 gsize   size)
{
  guint64 s = (guint64) MAX (0.0, round (seconds));

  if (s >= 3600)
    g_snprintf (buf, size, "%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600,
                (guint) (s / 60 % 60), (guint) (s % 60));
  else
    g_snprintf (buf, size, "%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

static double
seconds_per_epoch (const Run *run)
{
  if (run->steps_run == 0)
    return 0;
  return run->train_us / 1e6 / run->steps_run
         * bsc_trainer_get_steps_per_epoch (run->trainer);
}

/* epoch, step, loss, s/epoch, ETA and the metrics, C locale.  Within
 * an epoch the epoch shown is the one in progress. */
static char *
progress_text (const Run *run)
{
  const BscConfig *config = bsc_trainer_get_config (run->trainer);
  guint spe = bsc_trainer_get_steps_per_epoch (run->trainer);
  guint64 step = bsc_trainer_get_step (run->trainer);
  guint64 left = bsc_trainer_get_total_steps (run->trainer) - step;
  gboolean boundary = step % spe == 0 && step > 0;
  /* The first step of a process pays for fresh memory (several steps'
   * time on small networks): the ETA leaves it out once there are more. */
  double per_step = run->steps_run > 1
                    ? (run->train_us - run->first_us) / 1e6 / (run->steps_run - 1)
                    : run->steps_run ? run->train_us / 1e6 : 0;
  GString *s = g_string_new (NULL);
  char eta[32], num[5][G_ASCII_DTOSTR_BUF_SIZE];

  format_duration (left * per_step, eta, sizeof eta);
  g_ascii_formatd (num[0], sizeof num[0], "%.4f",
                   run->epoch_loss / MAX (1u, run->epoch_steps));
  g_ascii_formatd (num[1], sizeof num[1], "%.2f", per_step * spe);
  g_string_append_printf (s, "epoch %u/%u  step %u/%u  loss %s  "
                          "%s s/epoch  ETA %s",
                          bsc_trainer_get_epoch (run->trainer)
                          + (boundary ? 0 : 1), config->epochs,
                          boundary ? spe : (guint) (step % spe), spe,
                          num[0], num[1], eta);
  if (run->eval && run->eval->has_metrics)
    g_string_append_printf (s, "  ACC %s NMI %s ARI %s",
                            g_ascii_formatd (num[2], sizeof num[2], "%.3f",
                                             run->eval->acc),
                            g_ascii_formatd (num[3], sizeof num[3], "%.3f",
                                             run->eval->nmi),
                            g_ascii_formatd (num[4], sizeof num[4], "%.3f",
                                             run->eval->ari));
  return g_string_free (s, FALSE);
}

static void
show_progress (Run      *run,
               gboolean  epoch_end)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *text = NULL;

  if (run->o->quiet || (!run->tty && !epoch_end)
      || (run->tty && !epoch_end && now - run->last_print < 100000))
    return;
  run->last_print = now;
  text = progress_text (run);
  if (run->tty)
    printf ("\r\033[K%s", text);
  else
    printf ("%s\n", text);
  fflush (stdout);
}

/* ---- training ------------------------------------------------------ */

static gboolean
evaluate (Run     *run,
          GError **error)
{
  BscEvaluation *eval = bsc_trainer_evaluate (run->trainer, NULL, error);

  if (eval == NULL)
    return FALSE;
  g_clear_pointer (&run->eval, bsc_evaluation_free);
  run->eval = eval;
  bsc_history_add_eval (run->history, eval->step, eval->epoch, eval);
  return TRUE;
}

static gboolean
end_epoch (Run     *run,
           GError **error)
{
  const BscConfig *config = bsc_trainer_get_config (run->trainer);
  guint epoch = bsc_trainer_get_epoch (run->trainer);

  if (config->eval_every > 0 && epoch % config->eval_every == 0
      && !evaluate (run, error))
    return FALSE;
  show_progress (run, TRUE);
  run->epoch_loss = 0;
  run->epoch_steps = 0;
  return TRUE;
}

static gboolean
train_step (Run     *run,
            GError **error)
{
  BscStepStats stats;
  gint64 start = g_get_monotonic_time ();
  guint spe = bsc_trainer_get_steps_per_epoch (run->trainer);

  if (!bsc_trainer_step (run->trainer, &stats, error))
    return FALSE;
  run->train_us += g_get_monotonic_time () - start;
  if (run->steps_run == 0)
    run->first_us = run->train_us;
  run->steps_run++;
  run->epoch_loss += stats.loss;
  run->epoch_steps++;
  bsc_history_add_step (run->history, bsc_trainer_get_step (run->trainer),
                        (guint) ((bsc_trainer_get_step (run->trainer) - 1) / spe)
                        + 1, &stats);
  if (bsc_trainer_get_step (run->trainer) % spe == 0)
    return end_epoch (run, error);
  show_progress (run, FALSE);
  return TRUE;
}

static gboolean
should_stop (Run *run)
{
  guint64 step = bsc_trainer_get_step (run->trainer);
  guint spe = bsc_trainer_get_steps_per_epoch (run->trainer);

  if (interrupted || bsc_trainer_is_finished (run->trainer))
    return TRUE;
  return run->o->stop_after > 0 && step % spe == 0
         && bsc_trainer_get_epoch (run->trainer) >= run->o->stop_after;
}

/* ---- outputs ------------------------------------------------------- */

static char *
out_path (const Run  *run,
          const char *name)
{
  return g_build_filename (run->o->out, name, NULL);
}

/* One output could not be written: noted, and the others go on. */
static void
note_unwritten (Run          *run,
                const char   *name,
                const GError *error)
{
  g_ptr_array_add (run->unwritten, g_strdup (name));
  g_ptr_array_add (run->write_errors, g_error_copy (error));
}

static void
chart_failed_cb (const char   *name,
                 const GError *error,
                 gpointer      user_data)
{
  note_unwritten (user_data, name, error);
}

/* Notes name as unwritten when ok is FALSE, and clears error. */
static void
check_written (Run         *run,
               const char  *name,
               gboolean     ok,
               GError     **error)
{
  if (!ok)
    note_unwritten (run, name, *error);
  g_clear_error (error);
}

static gboolean
write_embeddings (Run     *run,
                  GError **error)
{
  g_autofree char *path = out_path (run, "embeddings.npy");
  gsize shape[2] = { run->eval->n_samples, run->eval->embed_dim };

  return bsc_npy_write_float (path, run->eval->embeddings, 2, shape, error);
}

/* The map's points: the linear projection, then (unless --map pca) the
 * neighbourhood layout started from it. */
static gboolean
map_points (Run      *run,
            float    *points,
            float    *protos,
            GError  **error)
{
  const BscEvaluation *eval = run->eval;
  g_autoptr (BscProjector) projector = bsc_projector_new ();
  g_autoptr (BscTsne) tsne = NULL;
  g_autofree float *rows = NULL;
  g_autofree float *proto_rows = NULL;
  g_autofree float *layout = NULL;
  gboolean linear = g_strcmp0 (run->o->map_layout, "pca") == 0;

  if (!linear)
    {
      rows = g_try_new (float, eval->n_samples * eval->embed_dim);
      proto_rows = g_new (float, MAX (1u, eval->n_clusters) * eval->embed_dim);
      if (rows == NULL)
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                       "Out of memory for the map's %zu x %u rows",
                       eval->n_samples, eval->embed_dim);
          return FALSE;
        }
    }
  if (!bsc_projector_update_rows (projector, eval->embeddings, eval->n_samples,
                                  eval->embed_dim, eval->prototypes,
                                  eval->n_clusters, points, protos, rows,
                                  proto_rows, error))
    return FALSE;
  if (linear)
    return TRUE;
  layout = g_new (float, 2 * MAX (1u, eval->n_samples));
  tsne = bsc_tsne_new (0);
  if (!bsc_tsne_update (tsne, rows, eval->n_samples, eval->embed_dim, points, 0,
                        layout, error))
    return FALSE;
  memcpy (points, layout, sizeof (float) * 2 * eval->n_samples);
  if (!bsc_tsne_place (tsne, proto_rows, eval->n_clusters, eval->embed_dim,
                       protos))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_FAILED,
                   "The prototypes could not be placed on the map");
      return FALSE;
    }
  return TRUE;
}

/* The charts, each written when it can be: one that cannot (or whose
 * data cannot be computed) is noted as unwritten. */
static void
write_charts (Run        *run,
              BscRunInfo *info)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BscProbe) probe = bsc_trainer_probe (run->trainer, &error);
  const BscEvaluation *eval = run->eval;
  g_autofree float *points = g_new (float, 2 * MAX (1u, eval->n_samples));
  g_autofree float *protos = g_new (float, 2 * MAX (1u, eval->n_clusters));
  BscChartSet set = {
    .info = info, .history = run->history, .probe = probe,
    .points = points, .proto_points = protos,
    .steps_per_epoch = bsc_trainer_get_steps_per_epoch (run->trainer),
    .failed = chart_failed_cb, .failed_data = run,
  };

  set.neighbours = g_strcmp0 (run->o->map_layout, "pca") != 0;
  check_written (run, "affinity.png", probe != NULL, &error);
  if (!map_points (run, points, protos, &error))
    {
      check_written (run, "projection.png", FALSE, &error);
      set.points = set.proto_points = NULL;
    }
  bsc_export_charts (run->o->out, &set, NULL);
}

static gboolean
export_cluster_folders (Run     *run,
                        GError **error)
{
  g_autofree char *to = out_path (run, "clusters");

  return bsc_export_clusters (to, (const char * const *) run->data->paths->pdata,
                              run->eval->clusters, run->data->n_samples,
                              g_strcmp0 (run->o->export_mode, "link") == 0,
                              NULL, error);
}

/* More than half the samples in one cluster (three quarters when K is
 * 2), or more than a third of the clusters empty: a warning to print
 * and to record, or NULL. */
static char *
collapse_warning (const BscEvaluation *eval)
{
  guint biggest = 0, empty = 0, K = eval->n_clusters;
  double share, limit = MAX (0.5, 1.5 / MAX (1u, K));

  for (guint k = 0; k < K; k++)
    {
      if (eval->cluster_sizes[k] > eval->cluster_sizes[biggest])
        biggest = k;
      empty += eval->cluster_sizes[k] == 0;
    }
  share = (double) eval->cluster_sizes[biggest] / MAX (1u, eval->n_samples);
  if (share <= limit && 3 * empty <= K)
    return NULL;
  if (empty == 0)
    return g_strdup_printf (_("the clustering collapsed: cluster %u holds %.0f%% "
                              "of the samples; try a lower --lr, a larger "
                              "--sk-epsilon, and check the data for duplicate "
                              "rows"), biggest, 100 * share);
  return g_strdup_printf (_("the clustering collapsed: cluster %u holds %.0f%% "
                            "of the samples and %u of the %u clusters are "
                            "empty; try a lower --lr, a larger --sk-epsilon, "
                            "and check the data for duplicate rows"),
                          biggest, 100 * share, empty, K);
}

/* ---- stale files ---------------------------------------------------- */

/* The names this program writes into --out (clusters/ aside). */
static gboolean
is_output_name (const char *name)
{
  static const char *const names[] = {
    "assignments.csv", "history.csv", "metrics.json", "failed-metrics.json",
    "embeddings.npy", "model.safetensors", "curves.png", "affinity.png",
    "projection.png", "sizes.png", "confusion.png",
  };
  const char *digits = name + strlen ("mosaic-");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  if (!g_str_has_prefix (name, "mosaic-") || !g_ascii_isdigit (*digits))
    return FALSE;
  while (g_ascii_isdigit (*digits))
    digits++;
  return strcmp (digits, ".png") == 0;
}

typedef struct
{
  char            *name;
  struct stat      st;
} OldFile;

/* The output files already in dir, with their inode and time. */
static GArray *
list_old_outputs (const char *dir)
{
  GArray *files = g_array_new (FALSE, FALSE, sizeof (OldFile));
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      OldFile f = { NULL };

      if (is_output_name (name) && lstat (path, &f.st) == 0
          && S_ISREG (f.st.st_mode))
        {
          f.name = g_strdup (name);
          g_array_append_val (files, f);
        }
    }
  if (d)
    g_dir_close (d);
  return files;
}

/* Whether dir holds what an earlier run wrote: any output file but the
 * record of a failure (which is all a run that fails before its first
 * step leaves). */
static gboolean
has_earlier_results (const char *dir)
{
  GArray *old = list_old_outputs (dir);
  gboolean found = FALSE;

  for (guint i = 0; i < old->len; i++)
    {
      OldFile *f = &g_array_index (old, OldFile, i);

      found |= strcmp (f->name, "metrics.json") != 0
               && strcmp (f->name, "failed-metrics.json") != 0;
      g_free (f->name);
    }
  g_array_unref (old);
  return found;
}

static gboolean
same_file (const struct stat *a,
           const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec
         && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Removes the earlier run's output files this run did not rewrite (but
 * never the checkpoint being resumed from). */
static void
remove_stale_outputs (Run    *run,
                      GArray *old)
{
  struct stat resume_st = { 0 };
  gboolean resuming = run->o->resume && stat (run->o->resume, &resume_st) == 0;

  for (guint i = 0; i < old->len; i++)
    {
      OldFile *f = &g_array_index (old, OldFile, i);
      g_autofree char *path = out_path (run, f->name);
      struct stat now;

      if (lstat (path, &now) == 0 && same_file (&now, &f->st)
          && !(resuming && now.st_dev == resume_st.st_dev
               && now.st_ino == resume_st.st_ino))
        g_unlink (path);
      g_free (f->name);
    }
  g_array_unref (old);
}

/* ---- writing ------------------------------------------------------- */

static BscRunInfo
run_info (Run *run)
{
  return (BscRunInfo) {
    .config = bsc_trainer_get_config (run->trainer), .data = run->data,
    .seconds_per_epoch = round (seconds_per_epoch (run) * 1e6) / 1e6,
    .steps = bsc_trainer_get_step (run->trainer),
    .interrupted = !bsc_trainer_is_finished (run->trainer),
    .labels_path = run->o->labels, .label_column = run->o->label_column,
  };
}

/* metrics.json again, listing the files that could not be written (it
 * is among them only if it cannot be written now either). */
static void
rewrite_metrics (Run        *run,
                 BscRunInfo *info)
{
  g_autofree char *metrics = out_path (run, "metrics.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < run->unwritten->len; i++)
    if (strcmp (run->unwritten->pdata[i], "metrics.json") != 0)
      g_ptr_array_add (names, run->unwritten->pdata[i]);
  g_ptr_array_add (names, NULL);
  info->unwritten = (const char * const *) names->pdata;
  if (bsc_export_metrics (metrics, info, &error))
    {
      for (guint i = run->unwritten->len; i-- > 0;)
        if (strcmp (run->unwritten->pdata[i], "metrics.json") == 0)
          {
            g_ptr_array_remove_index (run->unwritten, i);
            g_ptr_array_remove_index (run->write_errors, i);
          }
    }
  else if (!g_ptr_array_find_with_equal_func (run->unwritten, "metrics.json",
                                               g_str_equal, NULL))
    note_unwritten (run, "metrics.json", error);
  info->unwritten = NULL;
}

/* The results describe the model after its last step: evaluates it
 * unless the last step's epoch end did. */
static gboolean
evaluate_last_step (Run     *run,
                    GError **error)
{
  if (run->eval && run->eval->step == bsc_trainer_get_step (run->trainer))
    return TRUE;
  return evaluate (run, error);
}

/* Writes every result, the small and most useful first, so that a full
 * disk costs the big ones (charts, checkpoint) before these.  A file
 * that cannot be written does not stop the others; each is reported,
 * and metrics.json lists them under "unwritten". */
static gboolean
write_outputs (Run     *run,
               GError **error)
{
  g_autofree char *assignments = out_path (run, "assignments.csv");
  g_autofree char *history = out_path (run, "history.csv");
  g_autofree char *metrics = out_path (run, "metrics.json");
  g_autofree char *model = out_path (run, "model.safetensors");
  g_autofree char *warning = NULL;
  g_autoptr (GError) local = NULL;
  BscRunInfo info = run_info (run);

  /* Until the end, metrics.json lists every other file as unwritten: if
   * the disk fills up before it can be written again, or the process is
   * killed, it does not claim results that are not there. */
  const char *pending[] = { "assignments.csv", "history.csv", "embeddings.npy",
                            "charts", "model.safetensors",
                            run->o->export_mode ? "clusters" : NULL, NULL };

  g_assert (run->eval != NULL);
  info.eval = run->eval;
  info.warning = warning = collapse_warning (run->eval);
  if (warning)
    g_printerr (_("bootsc: warning: %s\n"), warning);
  info.unwritten = pending;
  check_written (run, "metrics.json",
                 bsc_export_metrics (metrics, &info, &local), &local);
  info.unwritten = NULL;
  check_written (run, "assignments.csv",
                 bsc_export_assignments (assignments, run->data, run->eval,
                                         &local), &local);
  check_written (run, "history.csv",
                 bsc_export_history (history, run->history, &local), &local);
  check_written (run, "embeddings.npy", write_embeddings (run, &local),
                 &local);
  write_charts (run, &info);
  check_written (run, "model.safetensors",
                 bsc_trainer_save (run->trainer, model, &local), &local);
  if (run->o->export_mode)
    check_written (run, "clusters", export_cluster_folders (run, &local),
                   &local);
  rewrite_metrics (run, &info);
  if (run->unwritten->len == 0)
    return TRUE;
  for (guint i = 0; i < run->write_errors->len; i++)
    bsc_cli_fail (run->write_errors->pdata[i]);
  g_set_error (error, BSC_ERROR, BSC_ERROR_IO,
               _("%u of the results could not be written into %s"),
               run->unwritten->len, run->o->out);
  return FALSE;
}

/* A step failed after others succeeded: the model is as before it.
 * Keeps it, the history so far and a metrics.json that says so. */
static int
write_failure (Run          *run,
               const GError *failure)
{
  g_autofree char *history = out_path (run, "history.csv");
  g_autofree char *metrics = out_path (run, "metrics.json");
  g_autofree char *model = out_path (run, "model.safetensors");
  g_autoptr (GError) error = NULL;
  BscRunInfo info = run_info (run);
  guint64 step = bsc_trainer_get_step (run->trainer);
  gboolean saved;

  info.error = failure->message;
  bsc_cli_fail (failure);
  saved = step > 0 && bsc_trainer_save (run->trainer, model, &error);
  if ((bsc_history_get_n_rows (run->history) > 0
       && !bsc_export_history (history, run->history, &error))
      || !bsc_export_metrics (metrics, &info, &error))
    saved = FALSE;
  if (error)
    bsc_cli_fail (error);
  if (saved)
    g_printerr (_("The model as it was after step %" PRIu64
                  " (the last one that succeeded) is saved in %s; continue "
                  "it with --resume\n"), step, model);
  return BSC_EXIT_FAILED;
}

/* Nothing was trained (the input may not even have loaded), so nothing
 * of an earlier run in --out is replaced: the failure goes into
 * metrics.json when there is no earlier run there, else into
 * failed-metrics.json beside its files. */
static int
write_early_failure (Run          *run,
                     const GError *failure)
{
  const char *name = has_earlier_results (run->o->out) ? "failed-metrics.json"
                                                       : "metrics.json";
  g_autofree char *path = out_path (run, name);
  g_autoptr (GError) error = NULL;
  BscRunInfo info = { .config = &run->o->config, .data = run->data,
                      .source = run->o->input, .labels_path = run->o->labels,
                      .label_column = run->o->label_column };

  if (run->trainer)
    info = run_info (run);

  info.error = failure->message;
  bsc_cli_fail (failure);
  if (!bsc_export_metrics (path, &info, &error))
    bsc_cli_fail (error);
  else if (strcmp (name, "metrics.json") != 0)
    g_printerr (_("bootsc: the earlier results in %s are kept; this run's "
                  "failure is recorded in %s\n"), run->o->out, path);
  return BSC_EXIT_FAILED;
}

/* ---- setup --------------------------------------------------------- */

/* A resumed run continues the history.csv beside its checkpoint. */
static BscHistory *
initial_history (Run *run)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  BscHistory *history;

  if (run->o->resume == NULL)
    return bsc_history_new ();
  dir = g_path_get_dirname (run->o->resume);
  path = g_build_filename (dir, "history.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return bsc_history_new ();
  history = bsc_history_load (path, bsc_trainer_get_step (run->trainer),
                              &error);
  if (history == NULL)
    {
      g_printerr ("bootsc: warning: the earlier history is not kept: %s\n",
                  error->message);
      history = bsc_history_new ();
    }
  return history;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A file named in metrics.json: from name_uri when there is one (exact
 * bytes), else from name; NULL when neither is there. */
static char *
path_member (JsonObject *object,
             const char *name)
{
  g_autofree char *uri_name = g_strconcat (name, "_uri", NULL);
  const char *uri = string_member (object, uri_name);
  const char *text = string_member (object, name);
  char *path = uri ? g_filename_from_uri (uri, NULL, NULL) : NULL;

  if (path == NULL && text)
    path = g_filename_from_utf8 (text, -1, NULL, NULL, NULL);
  return path;
}

/* --resume without INPUT: the input (and labels, unless given) that the
 * run being resumed recorded in the metrics.json beside its checkpoint;
 * without one, the bundled sample as for any run without INPUT. */
static void
input_from_metrics (BscTrainOptions *o)
{
  g_autofree char *dir = g_path_get_dirname (o->resume);
  g_autofree char *path = g_build_filename (dir, "metrics.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *name = NULL;
  JsonObject *m;

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  m = json_node_get_object (json_parser_get_root (parser));
  if ((o->input = path_member (m, "source")) == NULL)
    return;
  if (o->labels == NULL && o->label_column == NULL)
    {
      o->labels = path_member (m, "labels");
      o->label_column = g_strdup (string_member (m, "label_column"));
      o->load.labels_path = o->labels;
      o->load.label_column = o->label_column;
    }
  if (o->quiet)
    return;
  name = g_filename_display_name (o->input);
  g_printerr (_("bootsc: resuming on %s, the input recorded in %s\n"), name,
              path);
}

/* A batch must fit in the data set and hold at least as many samples
 * as the embedding is wide: say which option can be changed. */
static gboolean
check_enough_samples (const BscDataset *data,
                      const BscConfig  *config,
                      GError          **error)
{
  g_autofree char *name = g_filename_display_name (data->source);
  gsize n = data->n_samples;

  if (n >= config->batch_size)
    return TRUE;
  if (n >= config->embed_dim)
    g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                 _("%s has %zu samples, fewer than one batch "
                   "(--batch-size %u): give a --batch-size between %u and %zu"),
                 name, n, config->batch_size,
                 config->embed_dim, n);
  else if (n >= 32)
    g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                 _("%s has %zu samples: too small a data set "
                   "for this network, whose batches need at least %u samples "
                   "(its embedding width); use a smaller network, e.g. "
                   "--preset tiny with a --batch-size between 32 and %zu"),
                 name, n, config->embed_dim, n);
  else if (n >= 2)
    /* E = 2 at least: the map needs a plane; K at most n */
    g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                 _("%s has %zu samples: too small a data set "
                   "for this network, whose batches need at least %u samples "
                   "(its embedding width); use a smaller network: --widths "
                   "H1,H2,P,E with E between 2 and %zu, a "
                   "--batch-size between E and %zu and at most %zu clusters"
                   " (e.g. --widths 64,32,64,%zu"
                   " --batch-size %zu -k %zu), or more samples"),
                 name, n, config->embed_dim, n, n, n, MAX (n / 2, 2), n,
                 MIN (MAX (config->n_clusters, 2), n));
  else
    g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                 _("%s has %zu samples: clustering needs at least two"),
                 name, n);
  return FALSE;
}

static BscTrainer *
make_trainer (Run     *run,
              GError **error)
{
  BscTrainOptions *o = run->o;

  if (o->resume)
    return bsc_trainer_load (run->data, o->resume, error);
  /* No --clusters, or 0: the number of labels, else 10 (as --help says) */
  if (!o->clusters_given || o->config.n_clusters == 0)
    {
      if (run->data->labels != NULL && run->data->n_classes >= 2)
        o->config.n_clusters = run->data->n_classes;
      else if (o->config.n_clusters == 0)
        o->config.n_clusters = 10;
    }
  o->config.input_dim = run->data->dim;
  if (!check_enough_samples (run->data, &o->config, error))
    return NULL;
  return bsc_trainer_new (run->data, &o->config, error);
}

static gboolean
folder_error (const char *dir,
              gboolean    creating,
              int         saved_errno,
              GError    **error)
{
  g_autofree char *name = g_filename_display_name (dir);
  GFileError code = g_file_error_from_errno (saved_errno);

  if (creating)
    g_set_error (error, G_FILE_ERROR, code, _("Cannot create the output "
                 "folder %s: %s"), name, g_strerror (saved_errno));
  else
    g_set_error (error, G_FILE_ERROR, code, _("Cannot write into the "
                 "output folder %s: %s"), name, g_strerror (saved_errno));
  return FALSE;
}

/* Creates the output folder and writes and removes a probe file in it,
 * so that an unwritable folder is found before any training; made says
 * whether the folder is new. */
static gboolean
check_out_folder (const char  *dir,
                  gboolean    *made,
                  GError     **error)
{
  g_autofree char *probe = g_build_filename (dir, ".bootsc-probe-XXXXXX",
                                             NULL);
  int fd;

  *made = !g_file_test (dir, G_FILE_TEST_IS_DIR);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    return folder_error (dir, TRUE, errno, error);
  if ((fd = g_mkstemp (probe)) < 0)
    return folder_error (dir, FALSE, errno, error);
  close (fd);
  g_unlink (probe);
  return TRUE;
}

static gboolean
prepare (Run     *run,
         GError **error)
{
  BscTrainOptions *o = run->o;
  BscConfig saved;

  /* First, so that every later failure can be recorded in it. */
  if (!check_out_folder (o->out, &run->out_made, error))
    return FALSE;
  run->out_ready = TRUE;
  if (o->resume)
    {
      if (!bsc_checkpoint_read_config (o->resume, &saved, error))
        return FALSE;
      if (o->config_given)
        g_printerr (_("bootsc: warning: a resumed run keeps the "
                      "configuration of its checkpoint; the training "
                      "options given are ignored\n"));
      o->config = saved;    /* for the record of a failure to load */
      o->load.image_size = saved.image_size;
      o->load.image_rgb = saved.image_rgb ? 1 : 0;
      if (o->input == NULL)
        input_from_metrics (o);
    }
  run->data = bsc_cli_load (o->input, &o->load, o->quiet, error);
  if (run->data == NULL)
    return FALSE;
  run->trainer = make_trainer (run, error);
  if (run->trainer == NULL)
    return FALSE;
  run->history = initial_history (run);
  return TRUE;
}

static void
print_summary (Run *run)
{
  const BscEvaluation *eval = run->eval;
  char spe[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (spe, sizeof spe, "%.2f", seconds_per_epoch (run));
  printf ("%s after epoch %u (%s s/epoch).", interrupted ? "Interrupted"
          : bsc_trainer_is_finished (run->trainer) ? "Done" : "Stopped",
          eval->epoch, spe);
  if (eval->has_metrics)
    {
      char acc[32], nmi[32], ari[32];

      printf (" ACC %s  NMI %s  ARI %s.",
              g_ascii_formatd (acc, sizeof acc, "%.4f", eval->acc),
              g_ascii_formatd (nmi, sizeof nmi, "%.4f", eval->nmi),
              g_ascii_formatd (ari, sizeof ari, "%.4f", eval->ari));
    }
  printf ("\n");
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->unwritten, g_ptr_array_unref);
  g_clear_pointer (&run->write_errors, g_ptr_array_unref);
  g_clear_pointer (&run->eval, bsc_evaluation_free);
  g_clear_pointer (&run->history, bsc_history_free);
  g_clear_pointer (&run->trainer, bsc_trainer_free);
  g_clear_pointer (&run->data, bsc_dataset_unref);
}

int
bsc_cli_run_training (BscTrainOptions *o)
{
  Run run = {
    .o = o, .tty = isatty (STDOUT_FILENO),
    .unwritten = g_ptr_array_new_with_free_func (g_free),
    .write_errors = g_ptr_array_new_with_free_func (
                      (GDestroyNotify) g_error_free),
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) step_error = NULL;
  GArray *old;
  int status = BSC_EXIT_OK;

  install_interrupt_handler ();
  if (!prepare (&run, &error))
    {
      if (!interrupted)
        status = run.out_ready ? write_early_failure (&run, error)
                               : bsc_cli_fail (error);
      else
        {
          fprintf (stderr, _("bootsc: interrupted before training began\n"));
          status = BSC_EXIT_INTERRUPTED;
          if (run.out_made)
            g_rmdir (o->out);   /* only if empty */
        }
      run_clear (&run);
      return status;
    }
  if (o->export_mode && run.data->paths == NULL)
    {
      if (run.out_made)
        g_rmdir (o->out);
      run_clear (&run);
      return bsc_cli_usage_error ("train", _("--export-clusters needs an image "
                                  "folder as INPUT"));
    }
  while (!should_stop (&run) && train_step (&run, &step_error))
    ;
  if (run.tty && !o->quiet)
    printf ("\n");
  /* An evaluation that fails is recorded as a failed step would be,
   * before any earlier file is replaced. */
  if (step_error == NULL)
    evaluate_last_step (&run, &step_error);
  if (step_error && run.steps_run == 0)
    {
      status = write_early_failure (&run, step_error);
      run_clear (&run);
      return status;
    }
  old = list_old_outputs (o->out);
  if (step_error)
    status = write_failure (&run, step_error);
  else
    {
      if (!o->quiet)
        printf (_("Writing results into %s\n"), o->out);
      if (!write_outputs (&run, &error))
        status = bsc_cli_fail (error);
      else if (interrupted)
        status = BSC_EXIT_INTERRUPTED;
      if (status != BSC_EXIT_FAILED && !o->quiet)
        print_summary (&run);
    }
  remove_stale_outputs (&run, old);
  run_clear (&run);
  return status;
}
