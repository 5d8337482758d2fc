/* test-cli.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built bootsc command: option errors, and whole runs on small
 * generated datasets whose every output file is read back and checked
 * against what it must hold.
 */

#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bsc-metrics.h"
#include "bsc-npy.h"
#include "bsc-load.h"
#include "bsc-plot.h"

#define N_BLOBS 600
#define DIM 16

static char *bootsc_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static Result
run_bootsc_valist (const char *cwd,
                   const char *first,
                   va_list     args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  Result r = { 0 };
  int wait_status;

  g_ptr_array_add (argv, bootsc_path);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  return r;
}

/* Runs bootsc with the NULL-terminated arguments after argv0. */
static Result
run_bootsc (const char *first,
            ...)
{
  va_list args;
  Result r;

  va_start (args, first);
  r = run_bootsc_valist (NULL, first, args);
  va_end (args);
  return r;
}

/* The same, in the directory cwd. */
static Result
run_bootsc_in (const char *cwd,
               const char *first,
               ...)
{
  va_list args;
  Result r;

  va_start (args, first);
  r = run_bootsc_valist (cwd, first, args);
  va_end (args);
  return r;
}

/* Exit status 2, the expected message and the hint to --help. */
static void
assert_usage_error (const char *expected,
                    const char *first,
                    ...)
{
  va_list args;
  Result r;

  va_start (args, first);
  r = run_bootsc_valist (NULL, first, args);
  va_end (args);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, expected));
  g_assert_nonnull (strstr (r.err, "--help"));
  result_clear (&r);
}

static void
test_usage_errors (void)
{
  assert_usage_error ("a command is required", NULL);
  assert_usage_error ("unknown command \"trian\"", "trian", NULL);
  assert_usage_error ("--out DIR is required", "train", "x.npy", NULL);
  assert_usage_error ("--epochs abc", "train", "--out", "d", "--epochs", "abc",
                      NULL);
  assert_usage_error ("--batch-size -3", "train", "--out", "d",
                      "--batch-size", "-3", NULL);
  assert_usage_error ("--lr 0,04", "train", "--out", "d", "--lr", "0,04",
                      NULL);
  assert_usage_error ("--clusters is 1; it must be at least 2", "train",
                      "--out", "d", "--clusters", "1", NULL);
  assert_usage_error ("--batch-size (5) must be at least the embedding width "
                      "(the last of --widths) (128)", "train", "--out", "d",
                      "--batch-size", "5", NULL);
  assert_usage_error ("--epochs is 0; it must be between 1 and 1048576\n",
                      "train", "--out", "d", "--epochs", "0", NULL);
  assert_usage_error ("--sk-epsilon is 1e-07; it must be between 1e-06 and "
                      "1e+06", "train", "--out", "d", "--sk-epsilon", "1e-7",
                      NULL);
  assert_usage_error ("--preset must be authors, small or tiny", "train",
                      "--out", "d", "--preset", "huge", NULL);
  assert_usage_error ("--widths needs four numbers", "train", "--out", "d",
                      "--widths", "1024,512", NULL);
  assert_usage_error ("exclude each other", "train", "--out", "d", "--rgb",
                      "--gray", NULL);
  assert_usage_error ("copy or link", "train", "--out", "d",
                      "--export-clusters", "move", NULL);
  assert_usage_error ("one INPUT at most", "train", "--out", "d", "a", "b",
                      NULL);
  assert_usage_error ("--map must be tsne or pca, not \"umap\"", "train",
                      "--out", "d", "--map", "umap", NULL);
  assert_usage_error ("Unknown option --frobnicate", "train", "--frobnicate",
                      NULL);
  assert_usage_error ("bootsc inspect: --image-size is 0; it must be between "
                      "4 and 1024\n", "inspect", "d", "--image-size", "0", NULL);
  assert_usage_error ("bootsc inspect: --rgb and --gray exclude each other\n",
                      "inspect", "d", "--rgb", "--gray", NULL);
  assert_usage_error ("--from and --to are required", "export-clusters",
                      "--to", "x", NULL);
}

static void
test_help_version (void)
{
  static const char *const options[] = {
    "--out", "--clusters", "--epochs", "--batch-size", "--widths", "--preset",
    "--lr", "--lambda", "--sk-epsilon", "--sk-iterations", "--seed",
    "--threads", "--image-size", "--rgb", "--gray", "--eval-every",
    "--labels", "--label-column", "--resume", "--quiet", "--export-clusters",
  };
  Result r = run_bootsc ("--version", NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "bootsc "));
  result_clear (&r);
  r = run_bootsc ("--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "export-clusters"));
  g_assert_nonnull (strstr (r.out, "inspect"));
  result_clear (&r);
  r = run_bootsc ("train", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    g_assert_nonnull (strstr (r.out, options[i]));
  g_assert_nonnull (strstr (r.out, "--preset authors"));
  g_assert_nonnull (strstr (r.out, "100 epochs"));
  g_assert_nonnull (strstr (r.out, "(default: 100)"));
  result_clear (&r);
}

/* Run from the build folder, as the README does, bootsc finds the
 * translations compiled there (not only once installed). */
static void
test_uninstalled_translations (void)
{
  const char *argv[] = { bootsc_path, "--help", NULL };
  g_auto (GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  env = g_environ_setenv (env, "LANGUAGE", "de", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_nonnull (strstr (out, "Tiefes spektrales Clustering"));
}

/* ---- a dataset of three Gaussian blobs ----------------------------- */

typedef struct
{
  char   *dir;
  char   *features;
  char   *labels;
  char   *csv;
  gint32  truth[N_BLOBS];
} Blobs;

/* The same samples as CSV with a header and a text label column. */
static void
write_csv (Blobs       *b,
           const float *x)
{
  g_autoptr (GString) text = g_string_new (NULL);

  b->csv = g_build_filename (b->dir, "blobs.csv", NULL);
  for (int d = 0; d < DIM; d++)
    g_string_append_printf (text, "f%d,", d);
  g_string_append (text, "kind\n");
  for (gsize i = 0; i < N_BLOBS; i++)
    {
      for (int d = 0; d < DIM; d++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append (text, g_ascii_dtostr (buf, sizeof buf,
                                                 x[i * DIM + d]));
          g_string_append_c (text, ',');
        }
      g_string_append_printf (text, "%s\n", (const char *[]) { "ant", "bee",
                                                               "cow" }[i % 3]);
    }
  g_assert_true (g_file_set_contents (b->csv, text->str, text->len, NULL));
}

static void
blobs_make (Blobs *b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autofree float *x = g_new (float, N_BLOBS * DIM);
  float centres[3][DIM];
  gsize shape[2] = { N_BLOBS, DIM };

  b->dir = g_dir_make_tmp ("bsc-cli-XXXXXX", &error);
  g_assert_no_error (error);
  b->features = g_build_filename (b->dir, "blobs.npy", NULL);
  b->labels = g_build_filename (b->dir, "labels.npy", NULL);
  for (int c = 0; c < 3; c++)
    for (int d = 0; d < DIM; d++)
      centres[c][d] = g_rand_double_range (rand, -3, 3);
  for (gsize i = 0; i < N_BLOBS; i++)
    {
      b->truth[i] = (gint32) (i % 3);
      for (int d = 0; d < DIM; d++)
        x[i * DIM + d] = centres[i % 3][d]
                         + 0.5 * sqrt (-2 * log (g_rand_double_range (rand, 1e-9, 1)))
                           * cos (2 * G_PI * g_rand_double (rand));
    }
  write_csv (b, x);
  g_assert_true (bsc_npy_write_float (b->features, x, 2, shape, &error));
  g_assert_true (bsc_npy_write_int (b->labels, b->truth, 1, shape, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR)
          && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
blobs_clear (Blobs *b)
{
  remove_tree (b->dir);
  g_free (b->dir);
  g_free (b->features);
  g_free (b->labels);
  g_free (b->csv);
}

static Result
train_blobs (const Blobs *b,
             const char  *out,
             const char  *epochs,
             const char  *extra,
             const char  *extra_value)
{
  return run_bootsc ("train", b->features, "--labels", b->labels, "--out", out,
                     "--preset", "tiny", "--batch-size", "128", "--epochs",
                     epochs, "--threads", "1", "--seed", "3", extra,
                     extra_value, NULL);
}

/* A run of a few steps says nothing on stderr, except perhaps that the
 * clustering collapsed: four steps of the tiny preset do on a third of
 * the seeds, which is chance, not a fault. */
static void
assert_quiet_run (const char *err)
{
  if (g_str_has_prefix (err, "bootsc: warning: the clustering collapsed"))
    g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);   /* alone */
  else
    g_assert_cmpstr (err, ==, "");
}

static char **
read_lines (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  return g_strsplit (text, "\n", -1);
}

/* assignments.csv: header, one row per sample in order, clusters in
 * range, confidence at least 1/K, labels as given. */
static void
check_assignments (const char *out,
                   const Blobs *b,
                   gint32      *clusters)
{
  g_auto (GStrv) lines = read_lines (out, "assignments.csv");

  g_assert_cmpstr (lines[0], ==, "index,cluster,confidence,label,label_name");
  g_assert_cmpuint (g_strv_length (lines), ==, N_BLOBS + 1);
  for (guint i = 0; i < N_BLOBS; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      double confidence;

      g_assert_cmpuint (g_strv_length (f), ==, 5);
      g_assert_cmpint (atoi (f[0]), ==, i);
      clusters[i] = atoi (f[1]);
      g_assert_cmpint (clusters[i], >=, 0);
      g_assert_cmpint (clusters[i], <, 3);
      confidence = g_ascii_strtod (f[2], NULL);
      g_assert_cmpfloat (confidence, >=, 1.0 / 3 - 1e-6);
      g_assert_cmpfloat (confidence, <=, 1.0);
      g_assert_nonnull (strchr (f[2], '.'));
      g_assert_cmpint (atoi (f[3]), ==, b->truth[i]);
      g_assert_cmpint (atoi (f[4]), ==, b->truth[i]);
    }
}

static JsonObject *
read_json (const char *out,
           JsonParser *parser)
{
  g_autofree char *path = g_build_filename (out, "metrics.json", NULL);
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* metrics.json equals the metrics recomputed from assignments.csv. */
static void
check_metrics (const char   *out,
               const Blobs  *b,
               const gint32 *clusters,
               guint         epochs)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *m = read_json (out, parser);
  JsonObject *config = json_object_get_object_member (m, "config");
  JsonArray *sizes = json_object_get_array_member (m, "cluster_sizes");
  BscMetrics expect;
  gint64 total = 0, biggest = 0;

  bsc_metrics_compute (b->truth, clusters, N_BLOBS, &expect);
  g_assert_cmpfloat (json_object_get_double_member (m, "acc"), ==, expect.acc);
  g_assert_cmpfloat (json_object_get_double_member (m, "nmi"), ==, expect.nmi);
  g_assert_cmpfloat (json_object_get_double_member (m, "ari"), ==, expect.ari);
  g_assert_cmpint (json_object_get_int_member (m, "samples"), ==, N_BLOBS);
  g_assert_cmpint (json_object_get_int_member (m, "clusters"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (m, "epochs"), ==, epochs);
  g_assert_cmpfloat (json_object_get_double_member (m, "seconds_per_epoch"),
                     >, 0);
  g_assert_cmpint (json_object_get_int_member (config, "epochs"), ==, epochs);
  g_assert_cmpint (json_object_get_int_member (config, "hidden1"), ==, 128);
  g_assert_cmpint (json_object_get_int_member (config, "batch_size"), ==, 128);
  /* The rate used (0.04 x 128 / 256), not 0 for automatic. */
  g_assert_cmpfloat (json_object_get_double_member (config, "lr"), ==, 0.02);
  g_assert_cmpint (json_object_get_int_member (config, "input_dim"), ==, DIM);
  g_assert_cmpfloat (json_object_get_double_member (config, "sk_epsilon"), ==,
                     0.05);
  g_assert_cmpuint (json_array_get_length (sizes), ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      gint64 count = 0;

      for (guint i = 0; i < N_BLOBS; i++)
        count += clusters[i] == (gint32) k;
      g_assert_cmpint (json_array_get_int_element (sizes, k), ==, count);
      total += count;
      biggest = MAX (biggest, count);
    }
  g_assert_cmpint (total, ==, N_BLOBS);
  /* More than half the samples in one of the 3 clusters: collapsed. */
  g_assert_cmpint (json_object_get_boolean_member (m, "collapsed"), ==,
                   2 * biggest > N_BLOBS);
}

/* history.csv: one row per step (600 / 128 = 4 steps per epoch), the
 * learning rate decaying per epoch, metrics at each epoch's end. */
static void
check_history (const char *out,
               guint       epochs)
{
  g_auto (GStrv) lines = read_lines (out, "history.csv");

  g_assert_cmpstr (lines[0], ==, "step,epoch,loss,loss_cluster,loss_affinity,"
                   "tau_c,tau_a,lr,acc,nmi,ari,changed");
  g_assert_cmpuint (g_strv_length (lines), ==, 4 * epochs + 1);
  for (guint s = 1; s <= 4 * epochs; s++)
    {
      g_auto (GStrv) f = g_strsplit (lines[s], ",", -1);
      double loss = g_ascii_strtod (f[2], NULL);
      double lr = g_ascii_strtod (f[7], NULL);

      g_assert_cmpuint (g_strv_length (f), ==, 12);
      g_assert_cmpint (atoi (f[0]), ==, s);
      g_assert_cmpint (atoi (f[1]), ==, (s - 1) / 4 + 1);
      g_assert_true (isfinite (loss) && loss > 0);
      g_assert_cmpfloat (g_ascii_strtod (f[5], NULL), >, 0);
      g_assert_cmpfloat (g_ascii_strtod (f[6], NULL), >, 0);
      g_assert_cmpfloat_with_epsilon (lr, 0.02 * (1 - (double) ((s - 1) / 4)
                                                  / epochs), 1e-9);
      if (s % 4 == 0)
        g_assert_cmpfloat (g_ascii_strtod (f[9], NULL), >=, 0);
      else
        g_assert_cmpstr (f[9], ==, "");
    }
}

static void
check_png (const char *out,
           const char *name,
           gint64      samples)
{
  g_autofree char *path = g_build_filename (out, name, NULL);
  g_autoptr (GHashTable) text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  const char *metrics;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), >=, 300);
  cairo_surface_destroy (surface);
  text = bsc_plot_read_png_text (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (text, "Software"),
                                   "bootsc "));
  g_assert_nonnull (strstr (g_hash_table_lookup (text, "bootsc:config"),
                            "sk_iterations"));
  metrics = g_hash_table_lookup (text, "bootsc:metrics");
  json_parser_load_from_data (parser, metrics, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (
                     json_node_get_object (json_parser_get_root (parser)),
                     "samples"), ==, samples);
}

static void
check_no_temporaries (const char *out)
{
  GDir *dir = g_dir_open (out, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    {
      static const char *const temps[] = { ".png.", ".npy.", ".csv.",
                                           ".json.", ".safetensors.", "~" };

      for (guint i = 0; i < G_N_ELEMENTS (temps); i++)
        g_assert_null (strstr (name, temps[i]));
    }
  g_dir_close (dir);
}

static void
test_train_blobs (void)
{
  Blobs b;
  g_autofree char *out = NULL;
  g_autofree char *npy = NULL;
  g_autofree float *emb = NULL;
  g_autoptr (GError) error = NULL;
  static const char *const pngs[] = { "curves.png", "affinity.png",
                                      "projection.png", "sizes.png",
                                      "confusion.png" };
  gint32 clusters[N_BLOBS];
  BscNpyShape shape;
  Result r;

  blobs_make (&b);
  out = g_build_filename (b.dir, "run", NULL);
  r = train_blobs (&b, out, "3", NULL, NULL);
  /* Nothing on stderr but, maybe, the warning that two blobs merged. */
  g_assert_true (r.err[0] == '\0'
                 || g_str_has_prefix (r.err, "bootsc: warning: the "
                                      "clustering collapsed"));
  g_assert_cmpint (r.status, ==, 0);
  /* Not a terminal: one plain line per epoch, then the summary. */
  g_assert_nonnull (strstr (r.out, "\nepoch 3/3  step 4/4  loss "));
  g_assert_null (strchr (r.out, '\r'));
  result_clear (&r);

  check_assignments (out, &b, clusters);
  check_metrics (out, &b, clusters, 3);
  /* written last again: the "unwritten" it carried while the others were
   * written is gone */
  {
    g_autoptr (JsonParser) parser = json_parser_new ();

    g_assert_false (json_object_has_member (read_json (out, parser),
                                            "unwritten"));
  }
  check_history (out, 3);
  npy = g_build_filename (out, "embeddings.npy", NULL);
  emb = bsc_npy_read_float (npy, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape.ndim, ==, 2);
  g_assert_cmpuint (shape.shape[0], ==, N_BLOBS);
  g_assert_cmpuint (shape.shape[1], ==, 32);
  for (guint i = 0; i < G_N_ELEMENTS (pngs); i++)
    check_png (out, pngs[i], N_BLOBS);
  {
    g_autofree char *curves = g_build_filename (out, "curves.png", NULL);
    g_autoptr (GHashTable) text = bsc_plot_read_png_text (curves, &error);

    g_assert_no_error (error);
    /* The rate used, not 0 for automatic. */
    g_assert_nonnull (strstr (g_hash_table_lookup (text, "bootsc:config"),
                              " lr=0.02 "));
  }
  g_free (npy);
  npy = g_build_filename (out, "model.safetensors", NULL);
  g_assert_true (g_file_test (npy, G_FILE_TEST_IS_REGULAR));
  g_free (npy);
  npy = g_build_filename (out, "mosaic-00.png", NULL);
  g_assert_false (g_file_test (npy, G_FILE_TEST_EXISTS));
  check_no_temporaries (out);
  blobs_clear (&b);
}

static void
write_in (const char *dir,
          const char *name,
          const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static gboolean
exists_in (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A CSV of n rows of four columns, every value the text given. */
static char *
write_const_csv (const char *dir,
                 const char *name,
                 const char *row,
                 guint       n)
{
  g_autoptr (GString) text = g_string_new ("a,b,c,d\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s\n", row);
  write_in (dir, name, text->str);
  return g_build_filename (dir, name, NULL);
}

/* An --out that cannot be made or written fails before loading. */
static void
test_bad_out (void)
{
  Blobs b;
  g_autofree char *locked = NULL;
  g_autofree char *inside = NULL;
  Result r;

  blobs_make (&b);
  inside = g_build_filename (b.features, "run", NULL);
  r = train_blobs (&b, inside, "1", NULL, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Cannot create the output folder"));
  g_assert_nonnull (strstr (r.err, inside));
  g_assert_null (strstr (r.out, "Loaded"));
  result_clear (&r);
  if (geteuid () != 0)
    {
      locked = g_build_filename (b.dir, "locked", NULL);
      g_assert_cmpint (g_mkdir (locked, 0555), ==, 0);
      r = train_blobs (&b, locked, "1", NULL, NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "Cannot write into the output folder"));
      g_assert_null (strstr (r.out, "Loaded"));
      result_clear (&r);
      g_chmod (locked, 0755);
    }
  blobs_clear (&b);
}

/* Values that overflow at step 1: exit 1, a metrics.json that says so,
 * no checkpoint (no step succeeded), no junk history. */
static void
test_failed_run (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-fail-XXXXXX", NULL);
  g_autofree char *csv = write_const_csv (dir, "big.csv", "1e30,2e30,1e30,3e30",
                                          64);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *m;
  Result r;

  r = run_bootsc ("train", csv, "--out", out, "--preset", "tiny",
                  "--batch-size", "32", "--epochs", "2", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bootsc: error: Step 1 (epoch 1): "));
  g_assert_null (strstr (r.err, "--resume"));
  g_assert_null (strstr (r.err, "failed-metrics.json"));
  result_clear (&r);
  m = read_json (out, parser);
  g_assert_true (json_object_get_boolean_member (m, "failed"));
  g_assert_false (json_object_has_member (m, "interrupted"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (m, "error"),
                                   "Step 1 (epoch 1): "));
  g_assert_cmpint (json_object_get_int_member (m, "steps"), ==, 0);
  g_assert_false (exists_in (out, "model.safetensors"));
  g_assert_false (exists_in (out, "history.csv"));
  g_assert_false (exists_in (out, "failed-metrics.json"));
  remove_tree (dir);
}

static GBytes *
read_bytes_in (const char *dir,
               const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_bytes_new_take (contents, length);
}

/* A run that fails at step 1 into the folder of a good run leaves that
 * run's every file as it was and records its failure beside them; the
 * next good run removes that record. */
static void
test_failed_keeps_earlier (void)
{
  static const char *const kept[] = {
    "metrics.json", "assignments.csv", "history.csv", "embeddings.npy",
    "model.safetensors", "curves.png", "sizes.png", "confusion.png",
  };
  Blobs b;
  g_autofree char *csv = NULL;
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GBytes *before[G_N_ELEMENTS (kept)];
  Result r;

  blobs_make (&b);
  csv = write_const_csv (b.dir, "big.csv", "1e30,2e30,1e30,3e30", 64);
  out = g_build_filename (b.dir, "run", NULL);
  r = train_blobs (&b, out, "1", NULL, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    before[i] = read_bytes_in (out, kept[i]);

  r = run_bootsc ("train", csv, "--out", out, "--preset", "tiny",
                  "--batch-size", "32", "--epochs", "2", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bootsc: error: Step 1 (epoch 1): "));
  g_assert_nonnull (strstr (r.err, "earlier results"));
  g_assert_nonnull (strstr (r.err, "failed-metrics.json"));
  result_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autoptr (GBytes) after = read_bytes_in (out, kept[i]);

      g_assert_cmpuint (g_bytes_get_size (after), >, 0);
      g_assert_true (g_bytes_equal (after, before[i]));
      g_bytes_unref (before[i]);
    }
  {
    g_autofree char *path = g_build_filename (out, "failed-metrics.json",
                                              NULL);
    JsonObject *m;

    json_parser_load_from_file (parser, path, &error);
    g_assert_no_error (error);
    m = json_node_get_object (json_parser_get_root (parser));
    g_assert_true (json_object_get_boolean_member (m, "failed"));
    g_assert_cmpint (json_object_get_int_member (m, "samples"), ==, 64);
  }

  r = train_blobs (&b, out, "1", "--map", "pca");
  g_assert_cmpint (r.status, ==, 0);
  check_png (out, "projection.png", N_BLOBS);
  result_clear (&r);
  g_assert_false (exists_in (out, "failed-metrics.json"));
  blobs_clear (&b);
}

/* Outputs that cannot be written (a folder where model.safetensors and
 * curves.png go, as a full disk would refuse them): every other file is
 * still written, each failure is reported, metrics.json lists them, and
 * the exit status is 1. */
static void
test_unwritable_outputs (void)
{
  static const char *const pngs[] = { "affinity.png", "projection.png",
                                      "sizes.png", "confusion.png" };
  Blobs b;
  g_autofree char *out = NULL;
  g_autofree char *npy = NULL;
  g_autofree char *model = NULL;
  g_autofree char *curves = NULL;
  g_autofree float *emb = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gint32 clusters[N_BLOBS];
  BscNpyShape shape;
  JsonArray *unwritten;
  Result r;

  blobs_make (&b);
  out = g_build_filename (b.dir, "run", NULL);
  model = g_build_filename (out, "model.safetensors", NULL);
  curves = g_build_filename (out, "curves.png", NULL);
  g_assert_cmpint (g_mkdir_with_parents (model, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (curves, 0755), ==, 0);
  r = train_blobs (&b, out, "1", NULL, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bootsc: error: Cannot write "));
  g_assert_nonnull (strstr (r.err, "curves.png: Is a directory\n"));
  g_assert_nonnull (strstr (r.err, "model.safetensors: Is a directory\n"));
  g_assert_nonnull (strstr (r.err, "2 of the results could not be written"));
  g_assert_null (strstr (r.out, "Done after"));
  result_clear (&r);

  unwritten = json_object_get_array_member (read_json (out, parser),
                                            "unwritten");
  g_assert_nonnull (unwritten);
  g_assert_cmpuint (json_array_get_length (unwritten), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (unwritten, 0), ==,
                   "curves.png");
  g_assert_cmpstr (json_array_get_string_element (unwritten, 1), ==,
                   "model.safetensors");
  check_assignments (out, &b, clusters);
  check_metrics (out, &b, clusters, 1);
  check_history (out, 1);
  npy = g_build_filename (out, "embeddings.npy", NULL);
  emb = bsc_npy_read_float (npy, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape.shape[0], ==, N_BLOBS);
  for (guint i = 0; i < G_N_ELEMENTS (pngs); i++)
    check_png (out, pngs[i], N_BLOBS);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_DIR));
  check_no_temporaries (out);
  blobs_clear (&b);
}

/* An input that does not load (an empty folder, one of broken images)
 * still leaves a metrics.json that says why, as --help promises. */
static void
test_load_failure (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-load-XXXXXX", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken", NULL);
  const char *inputs[] = { empty, broken };

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (broken, 0755), ==, 0);
  write_in (broken, "a.png", "not a picture");
  write_in (broken, "b.jpg", "nor this");
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s-run", inputs[i]);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *m;
      Result r;

      r = run_bootsc ("train", inputs[i], "--out", out, "--preset", "tiny",
                      "--quiet", NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "bootsc: error: "));
      g_assert_nonnull (strstr (r.err, "0 usable images"));
      m = read_json (out, parser);
      g_assert_true (json_object_get_boolean_member (m, "failed"));
      g_assert_nonnull (strstr (json_object_get_string_member (m, "error"),
                                "0 usable images"));
      g_assert_nonnull (strstr (r.err,
                                json_object_get_string_member (m, "error")));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (m,
                                                                      "source"),
                                       i == 0 ? "/empty" : "/broken"));
      g_assert_false (json_object_has_member (m, "samples"));
      g_assert_cmpint (json_object_get_int_member (
                         json_object_get_object_member (m, "config"),
                         "hidden1"), ==, 128);
      g_assert_false (exists_in (out, "model.safetensors"));
      result_clear (&r);
    }
  remove_tree (dir);
}

/* Fewer samples than the embedding width: the advice is to use a
 * smaller network, which can be followed. */
static void
test_too_small (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-five-XXXXXX", NULL);
  g_autofree char *csv = write_const_csv (dir, "five.csv", "1,2,3,4", 5);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  Result r;

  r = run_bootsc ("train", csv, "--out", out, "--preset", "tiny",
                  "--batch-size", "32", "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "5 samples: too small a data set for this "
                            "network"));
  g_assert_nonnull (strstr (r.err, "--widths 64,32,64,2 --batch-size 5"));
  g_assert_null (strstr (r.err, "lower the batch size"));
  result_clear (&r);
  {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *m = read_json (out, parser);

    g_assert_true (json_object_get_boolean_member (m, "failed"));
    g_assert_cmpint (json_object_get_int_member (m, "samples"), ==, 5);
  }
  remove_tree (dir);
}

/* Values large enough to overflow after a few steps: the checkpoint of
 * the last good step is kept, and the history has only real steps. */
static void
test_failed_later (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-fail2-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "half.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autoptr (GString) text = g_string_new ("a,b,c,d\n");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) history = NULL;
  Result r;

  for (int i = 0; i < 64; i++)
    g_string_append_printf (text, "%d%s,%d%s,%d,%d\n", i % 7 - 3,
                            i > 40 ? "e17" : "", i % 5 - 2,
                            i > 40 ? "e17" : "", i % 3, i % 2);
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_bootsc ("train", csv, "--out", out, "--preset", "tiny",
                  "--batch-size", "32", "--epochs", "3", "--lr", "100",
                  "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is saved in"));
  g_assert_nonnull (strstr (r.err, "--resume"));
  result_clear (&r);
  g_assert_true (json_object_get_boolean_member (read_json (out, parser),
                                                 "failed"));
  g_assert_true (exists_in (out, "model.safetensors"));
  history = read_lines (out, "history.csv");
  g_assert_cmpuint (g_strv_length (history), >=, 2);
  for (guint i = 1; history[i]; i++)
    {
      g_auto (GStrv) f = g_strsplit (history[i], ",", -1);

      g_assert_cmpint (atoi (f[0]), ==, i);
      g_assert_cmpstr (f[2], !=, "");
    }
  remove_tree (dir);
}

/* --clusters 0 is the default: the labels' number, else 10. */
static void
test_clusters_zero (void)
{
  Blobs b;
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  Result r;

  blobs_make (&b);
  out = g_build_filename (b.dir, "run", NULL);
  r = run_bootsc ("train", b.features, "--out", out, "--preset", "tiny",
                  "--batch-size", "128", "--epochs", "1", "-k", "0", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_cmpint (json_object_get_int_member (read_json (out, parser),
                                               "clusters"), ==, 10);
  r = train_blobs (&b, out, "1", "-k", "0");
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_cmpint (json_object_get_int_member (read_json (out, parser),
                                               "clusters"), ==, 3);
  blobs_clear (&b);
}

/* Identical rows: all in one cluster, a warning and "collapsed". */
static void
test_collapse (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-same-XXXXXX", NULL);
  g_autofree char *csv = write_const_csv (dir, "same.csv", "0.5,1,2,3", 64);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *m;
  Result r;

  r = run_bootsc ("train", csv, "--out", out, "--preset", "tiny",
                  "--batch-size", "32", "--epochs", "1", "--clusters", "4",
                  "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "bootsc: warning: the clustering "
                            "collapsed"));
  g_assert_nonnull (strstr (r.err, "duplicate rows"));
  g_assert_nonnull (strstr (r.err, "holds 100% of the samples and 3 of the 4 "
                            "clusters are empty"));
  result_clear (&r);
  m = read_json (out, parser);
  g_assert_true (json_object_get_boolean_member (m, "collapsed"));
  g_assert_nonnull (strstr (json_object_get_string_member (m, "warning"),
                            "--sk-epsilon"));
  remove_tree (dir);
}

/* Two epochs, then --resume for the other two, equals four in one go. */
static void
test_resume (void)
{
  Blobs b;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *checkpoint = NULL;
  g_auto (GStrv) resumed = NULL;
  g_auto (GStrv) straight = NULL;
  g_auto (GStrv) history = NULL;
  Result r;

  blobs_make (&b);
  first = g_build_filename (b.dir, "first", NULL);
  second = g_build_filename (b.dir, "second", NULL);
  whole = g_build_filename (b.dir, "whole", NULL);
  checkpoint = g_build_filename (first, "model.safetensors", NULL);
  r = train_blobs (&b, first, "4", "--stop-after", "2");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Stopped after epoch 2"));
  result_clear (&r);
  /* The checkpoint holds the configuration, threads included. */
  r = run_bootsc ("train", b.features, "--labels", b.labels, "--resume",
                  checkpoint, "--out", second, NULL);
  assert_quiet_run (r.err);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  r = train_blobs (&b, whole, "4", NULL, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  resumed = read_lines (second, "assignments.csv");
  straight = read_lines (whole, "assignments.csv");
  g_assert_cmpuint (g_strv_length (resumed), ==, N_BLOBS + 1);
  for (guint i = 0; resumed[i]; i++)
    g_assert_cmpstr (resumed[i], ==, straight[i]);
  /* The resumed run keeps the first run's history. */
  history = read_lines (second, "history.csv");
  g_assert_cmpuint (g_strv_length (history), ==, 16 + 1);
  blobs_clear (&b);
}

/* --resume without INPUT, from another directory than the first run's
 * (which named its input and labels relative to its own): the input and
 * labels recorded in metrics.json are used, and the result equals four
 * epochs in one go. */
static void
test_resume_recorded_input (void)
{
  Blobs b;
  g_autofree char *first = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *expect = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) resumed = NULL;
  g_auto (GStrv) straight = NULL;
  JsonObject *m;
  Result r;

  blobs_make (&b);
  first = g_build_filename (b.dir, "first", NULL);
  whole = g_build_filename (b.dir, "whole", NULL);
  checkpoint = g_build_filename (first, "model.safetensors", NULL);
  r = run_bootsc_in (b.dir, "train", "blobs.npy", "--labels", "labels.npy",
                     "--out", "first", "--preset", "tiny", "--batch-size",
                     "128", "--epochs", "4", "--threads", "1", "--seed", "3",
                     "--stop-after", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  m = read_json (first, parser);
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==,
                   b.features);
  g_assert_cmpstr (json_object_get_string_member (m, "labels"), ==, b.labels);

  r = run_bootsc ("train", "--resume", checkpoint, "--out", first, NULL);
  g_assert_cmpint (r.status, ==, 0);
  expect = g_strdup_printf ("bootsc: resuming on %s, the input recorded in "
                            "%s%smetrics.json\n", b.features, first,
                            G_DIR_SEPARATOR_S);
  g_assert_true (g_str_has_prefix (r.err, expect));
  g_assert_nonnull (strstr (r.out, "600 samples of 16 values, with labels"));
  result_clear (&r);
  m = read_json (first, parser);
  g_assert_cmpint (json_object_get_int_member (m, "epochs"), ==, 4);
  g_assert_true (json_object_has_member (m, "acc"));

  r = train_blobs (&b, whole, "4", NULL, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  resumed = read_lines (first, "assignments.csv");
  straight = read_lines (whole, "assignments.csv");
  g_assert_cmpuint (g_strv_length (resumed), ==, N_BLOBS + 1);
  for (guint i = 0; resumed[i]; i++)
    g_assert_cmpstr (resumed[i], ==, straight[i]);
  blobs_clear (&b);
}

/* Ctrl-C: stops after the current step, writes everything, exit 130. */
static void
test_interrupt (void)
{
  Blobs b;
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *model = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  blobs_make (&b);
  out = g_build_filename (b.dir, "run", NULL);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                           | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           bootsc_path, "train", b.features, "--labels",
                           b.labels, "--out", out, "--preset", "tiny",
                           "--batch-size", "128", "--epochs", "100000",
                           "--eval-every", "0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  /* "Loaded ...", then the first epoch line: training is under way. */
  for (int i = 0; i < 2; i++)
    {
      g_free (line);
      line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  g_assert_true (g_str_has_prefix (line, "epoch 1/100000"));
  /* A second Ctrl-C does not cut the saving short. */
  g_subprocess_send_signal (proc, SIGINT);
  g_usleep (20000);
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (err, "Interrupted: finishing the current step "
                            "and saving"));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  model = g_build_filename (out, "model.safetensors", NULL);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
  g_assert_true (json_object_get_boolean_member (read_json (out, parser),
                                                 "interrupted"));
  check_png (out, "curves.png", N_BLOBS);
  check_no_temporaries (out);
  blobs_clear (&b);
}

/* A CSV matrix with its labels in a named text column. */
static void
test_train_csv (void)
{
  Blobs b;
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = NULL;
  JsonObject *m;
  Result r;

  blobs_make (&b);
  out = g_build_filename (b.dir, "run", NULL);
  /* An earlier run's mosaic goes, a file of the user's stays. */
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  write_in (out, "mosaic-03.png", "old");
  write_in (out, "mosaic-03.png.keep", "mine");
  r = run_bootsc ("train", b.csv, "--label-column", "kind", "--out", out,
                  "--preset", "tiny", "--batch-size", "128", "--epochs", "1",
                  "--quiet", NULL);
  /* One epoch may leave two blobs merged: only that warning. */
  g_assert_true (r.err[0] == '\0'
                 || g_str_has_prefix (r.err, "bootsc: warning: the "
                                      "clustering collapsed"));
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  m = read_json (out, parser);
  g_assert_true (json_object_has_member (m, "ari"));
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (m, "config"),
                     "input_dim"), ==, DIM);
  g_assert_false (exists_in (out, "mosaic-03.png"));
  g_assert_true (exists_in (out, "mosaic-03.png.keep"));
  lines = read_lines (out, "assignments.csv");
  g_assert_true (g_str_has_suffix (lines[1], ",ant"));
  g_assert_true (g_str_has_suffix (lines[2], ",bee"));
  blobs_clear (&b);
}

/* ---- a German locale ----------------------------------------------- */

/* Builds de_DE.UTF-8 (decimal comma) under dir with localedef; returns
 * the environment to run with it, or NULL when the system cannot. */
static char **
german_environ (const char *dir)
{
  g_autofree char *target = g_build_filename (dir, "de_DE.UTF-8", NULL);
  const char *localedef[] = { "localedef", "-i", "de_DE", "-f", "UTF-8",
                              target, NULL };
  const char *check[] = { "printf", "%.1f", "0,5", NULL };
  g_autofree char *out = NULL;
  char **env = g_get_environ ();
  int status;

  if (!g_spawn_sync (NULL, (char **) localedef, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, NULL))
    return g_strfreev (env), NULL;
  env = g_environ_setenv (env, "LOCPATH", dir, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "de_DE.UTF-8", TRUE);
  if (!g_spawn_sync (NULL, (char **) check, env, G_SPAWN_SEARCH_PATH, NULL,
                     NULL, &out, NULL, &status, NULL)
      || g_strcmp0 (out, "0,5") != 0)
    return g_strfreev (env), NULL;
  return env;
}

/* Under a locale that writes 1,5 every file still says 1.5, and --lr
 * reads 0.02 with a dot. */
static void
test_german_locale (void)
{
  Blobs b;
  g_autofree char *locales = NULL;
  g_autofree char *out = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) env = NULL;
  g_auto (GStrv) history = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  int status;

  blobs_make (&b);
  locales = g_build_filename (b.dir, "locales", NULL);
  out = g_build_filename (b.dir, "run", NULL);
  g_mkdir (locales, 0755);
  env = german_environ (locales);
  if (env == NULL)
    {
      g_test_skip ("cannot build the de_DE.UTF-8 locale here");
      blobs_clear (&b);
      return;
    }
  {
    const char *argv[] = { bootsc_path, "train", b.features, "--labels",
                           b.labels, "--out", out, "--preset", "tiny",
                           "--batch-size", "128", "--epochs", "1", "--lr",
                           "0.02", "--quiet", NULL };

    g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                  NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpfloat (json_object_get_double_member (
                       json_object_get_object_member (read_json (out, parser),
                                                      "config"), "lr"),
                     ==, 0.02);
  history = read_lines (out, "history.csv");
  for (guint i = 1; history[i]; i++)
    {
      g_auto (GStrv) f = g_strsplit (history[i], ",", -1);

      g_assert_cmpuint (g_strv_length (f), ==, 12);
      g_assert_nonnull (strchr (f[2], '.'));
    }
  path = g_build_filename (out, "assignments.csv", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "0,9"));
  blobs_clear (&b);
}

/* ---- an image folder ---------------------------------------------- */

/* dir/dark and dir/light, 80 8x8 PNGs each with the same names, and one
 * file that is not an image. */
static void
make_image_folder (const char *dir)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  const char *classes[] = { "dark", "light" };

  for (guint c = 0; c < 2; c++)
    {
      g_autofree char *folder = g_build_filename (dir, classes[c], NULL);

      g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
      for (guint i = 0; i < 80; i++)
        {
          g_autofree char *name = g_strdup_printf ("img-%03u.png", i);
          g_autofree char *path = g_build_filename (folder, name, NULL);
          cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                           8, 8);
          guint32 *px;

          cairo_surface_flush (s);
          px = (guint32 *) cairo_image_surface_get_data (s);
          for (guint j = 0; j < 64; j++)
            {
              guint v = c ? g_rand_int_range (rand, 150, 256)
                          : g_rand_int_range (rand, 0, 100);

              px[j] = 0xff000000u | v << 16 | v << 8 | v;
            }
          cairo_surface_mark_dirty (s);
          g_assert_cmpint (cairo_surface_write_to_png (s, path), ==,
                           CAIRO_STATUS_SUCCESS);
          cairo_surface_destroy (s);
        }
    }
  {
    g_autofree char *bad = g_build_filename (dir, "light", "notes.png", NULL);

    g_assert_true (g_file_set_contents (bad, "not a picture", -1, NULL));
  }
}

/* Counts the entries of every cluster-NN folder under dir, checking each
 * is a symbolic link to an existing absolute path (links) or a regular
 * file (copies). */
static guint
count_exported (const char *dir,
                gboolean    links)
{
  GDir *top = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (top);
  while ((name = g_dir_read_name (top)))
    {
      g_autofree char *sub = g_build_filename (dir, name, NULL);
      GDir *cluster;
      const char *file;

      if (strcmp (name, BSC_CLUSTERS_MARK) == 0)
        continue;   /* what keeps a collection holding this from loading it */
      cluster = g_dir_open (sub, 0, NULL);
      g_assert_true (g_str_has_prefix (name, "cluster-"));
      g_assert_nonnull (cluster);
      while ((file = g_dir_read_name (cluster)))
        {
          g_autofree char *path = g_build_filename (sub, file, NULL);
          g_autofree char *target = g_file_read_link (path, NULL);

          g_assert_true (g_str_has_suffix (file, ".png"));
          if (links)
            g_assert_true (target && g_path_is_absolute (target)
                           && g_file_test (target, G_FILE_TEST_IS_REGULAR));
          else
            g_assert_true (target == NULL
                           && g_file_test (path, G_FILE_TEST_IS_REGULAR));
          n++;
        }
      g_dir_close (cluster);
    }
  g_dir_close (top);
  return n;
}

/* Images: paths in assignments.csv, a mosaic per cluster, cluster
 * folders of links from train and of copies from export-clusters. */
static void
test_train_images (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-img-XXXXXX", NULL);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autofree char *links = g_build_filename (out, "clusters", NULL);
  g_autofree char *copies = g_build_filename (dir, "copies", NULL);
  g_auto (GStrv) lines = NULL;
  Result r;

  make_image_folder (images);
  r = run_bootsc ("train", images, "--out", out, "--preset", "tiny",
                  "--batch-size", "64", "--epochs", "2", "--image-size", "8",
                  "--export-clusters", "link", NULL);
  assert_quiet_run (r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "160 samples"));
  result_clear (&r);

  lines = read_lines (out, "assignments.csv");
  g_assert_cmpstr (lines[0], ==,
                   "index,path,cluster,confidence,label,label_name");
  g_assert_cmpuint (g_strv_length (lines), ==, 161);
  g_assert_nonnull (strstr (lines[1], "/dark/img-000.png,"));
  g_assert_true (g_str_has_suffix (lines[1], ",0,dark"));
  g_assert_true (g_str_has_suffix (lines[160], ",1,light"));
  check_png (out, "mosaic-00.png", 160);
  check_png (out, "mosaic-01.png", 160);
  g_assert_cmpuint (count_exported (links, TRUE), ==, 160);

  r = run_bootsc ("export-clusters", "--from", out, "--to", copies, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_cmpuint (count_exported (copies, FALSE), ==, 160);
  g_assert_true (exists_in (copies, BSC_CLUSTERS_MARK));

  /* Results and exported copies inside the collection are not loaded
   * back into it: still 160 samples in two classes. */
  {
    g_autofree char *inner = g_build_filename (images, "run", NULL);
    g_autofree char *sorted = g_build_filename (images, "sorted", NULL);

    for (guint k = 0; k < 2; k++)
      {
        r = run_bootsc ("train", images, "--out", inner, "--preset", "tiny",
                        "--batch-size", "64", "--epochs", "1",
                        "--image-size", "8", NULL);
        g_assert_cmpint (r.status, ==, 0);
        g_assert_nonnull (strstr (r.out, "160 samples"));
        result_clear (&r);
      }
    r = run_bootsc ("export-clusters", "--from", out, "--to", sorted, NULL);
    g_assert_cmpint (r.status, ==, 0);
    result_clear (&r);
    r = run_bootsc ("inspect", images, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Samples:    160\n"));
    g_assert_nonnull (strstr (r.out, "clusters exported by bootsc"));
    /* left out on purpose, not counted as files that could not be used */
    g_assert_nonnull (strstr (r.out, "Not searched: 2 folders\n"));
    result_clear (&r);
  }
  remove_tree (dir);
}

/* --label-column means something for CSV only; elsewhere it is named
 * in a warning and the load goes on without it. */
static void
test_label_column_ignored (void)
{
  static const char warning[] = "bootsc: warning: --label-column applies to "
                                "CSV input only; ignored\n";
  g_autofree char *images = NULL;
  Blobs b;
  Result r;

  blobs_make (&b);
  images = g_build_filename (b.dir, "images", NULL);
  make_image_folder (images);

  r = run_bootsc ("inspect", b.csv, "--label-column", "kind", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "Labels:     3 classes"));
  result_clear (&r);

  r = run_bootsc ("inspect", b.features, "--label-column", "kind", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, warning);
  g_assert_nonnull (strstr (r.out, "Samples:    600"));
  result_clear (&r);

  r = run_bootsc ("inspect", images, "--label-column", "kind",
                  "--image-size", "8", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, warning);
  g_assert_nonnull (strstr (r.out, "Samples:    160"));
  result_clear (&r);
  blobs_clear (&b);
}

/* A run on a relative image folder: assignments.csv holds absolute
 * paths, so export-clusters works from another directory. */
static void
test_export_elsewhere (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-rel-XXXXXX", NULL);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autofree char *copies = g_build_filename (dir, "copies", NULL);
  g_autofree char *first = NULL;
  g_auto (GStrv) lines = NULL;
  Result r;

  make_image_folder (images);
  r = run_bootsc_in (dir, "train", "images", "--out", "run", "--preset",
                     "tiny", "--batch-size", "64", "--epochs", "1",
                     "--image-size", "8", "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  lines = read_lines (out, "assignments.csv");
  first = g_strdup_printf ("0,%s%sdark%simg-000.png,", images,
                           G_DIR_SEPARATOR_S, G_DIR_SEPARATOR_S);
  g_assert_true (g_str_has_prefix (lines[1], first));
  r = run_bootsc ("export-clusters", "--from", out, "--to", copies, NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_cmpuint (count_exported (copies, FALSE), ==, 160);
  remove_tree (dir);
}

/* A file name that is not UTF-8 (Latin-1 "café.png") is written as
 * valid UTF-8 in assignments.csv. */
static void
test_latin1_name (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-cli-l1-XXXXXX", NULL);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autofree char *from = g_build_filename (images, "dark", "img-000.png",
                                            NULL);
  g_autofree char *to = g_build_filename (images, "dark", "caf\xe9.png",
                                          NULL);
  g_autofree char *csv = g_build_filename (out, "assignments.csv", NULL);
  g_autofree char *copies = g_build_filename (dir, "copies", NULL);
  g_autofree char *text = NULL;
  g_autofree char *bytes = NULL;
  gsize length;
  Result r;

  make_image_folder (images);
  g_assert_true (g_file_get_contents (from, &bytes, &length, NULL));
  g_assert_true (g_file_set_contents (to, bytes, length, NULL));
  r = run_bootsc ("train", images, "--out", out, "--preset", "tiny",
                  "--batch-size", "64", "--epochs", "1", "--image-size", "8",
                  "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "/dark/caf\xef\xbf\xbd.png,"));
  /* The exact name stays recoverable: export-clusters finds the file. */
  g_assert_nonnull (strstr (text, ",path_uri\n"));
  g_assert_nonnull (strstr (text, "/dark/caf%E9.png\n"));
  r = run_bootsc ("export-clusters", "--from", out, "--to", copies, NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_cmpuint (count_exported (copies, FALSE), ==, 161);
  remove_tree (dir);
}

/* Without INPUT the bundled sample (2,000 images in 10 labelled folders)
 * is used: one mosaic per cluster and metrics that agree with the
 * assignments.  Slow (a few seconds): run with -m slow. */
static void
test_bundled_sample (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = NULL;
  g_autofree gint32 *labels = g_new (gint32, 2000);
  g_autofree gint32 *clusters = g_new (gint32, 2000);
  BscMetrics expect;
  JsonObject *m;
  Result r;

  if (!g_test_slow ())
    {
      g_test_skip ("trains on the bundled sample; run with -m slow");
      return;
    }
  dir = g_dir_make_tmp ("bsc-cli-sample-XXXXXX", NULL);
  out = g_build_filename (dir, "run", NULL);
  r = run_bootsc ("train", "--out", out, "--preset", "tiny", "--epochs", "2",
                  NULL);
  assert_quiet_run (r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "2000 samples"));
  result_clear (&r);
  lines = read_lines (out, "assignments.csv");
  g_assert_cmpuint (g_strv_length (lines), ==, 2001);
  for (guint i = 0; i < 2000; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);

      g_assert_cmpuint (g_strv_length (f), ==, 6);
      clusters[i] = atoi (f[2]);
      labels[i] = atoi (f[4]);
    }
  m = read_json (out, parser);
  bsc_metrics_compute (labels, clusters, 2000, &expect);
  g_assert_cmpfloat (json_object_get_double_member (m, "nmi"), ==, expect.nmi);
  g_assert_cmpint (json_object_get_int_member (m, "clusters"), ==, 10);
  for (guint k = 0; k < 10; k++)
    {
      g_autofree char *name = g_strdup_printf ("mosaic-%02u.png", k);

      check_png (out, name, 2000);
    }
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *build = g_getenv ("BSC_BUILD_DIR");

  g_test_init (&argc, &argv, NULL);
  bootsc_path = g_build_filename (build ? build : ".", "src", "cli", "bootsc",
                                  NULL);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/help-version", test_help_version);
  g_test_add_func ("/cli/uninstalled-translations",
                   test_uninstalled_translations);
  g_test_add_func ("/cli/train-blobs", test_train_blobs);
  g_test_add_func ("/cli/train-csv", test_train_csv);
  g_test_add_func ("/cli/train-images", test_train_images);
  g_test_add_func ("/cli/label-column-ignored", test_label_column_ignored);
  g_test_add_func ("/cli/latin1-name", test_latin1_name);
  g_test_add_func ("/cli/export-elsewhere", test_export_elsewhere);
  g_test_add_func ("/cli/resume", test_resume);
  g_test_add_func ("/cli/resume-recorded-input", test_resume_recorded_input);
  g_test_add_func ("/cli/bad-out", test_bad_out);
  g_test_add_func ("/cli/failed-run", test_failed_run);
  g_test_add_func ("/cli/failed-keeps-earlier", test_failed_keeps_earlier);
  g_test_add_func ("/cli/failed-later", test_failed_later);
  g_test_add_func ("/cli/unwritable-outputs", test_unwritable_outputs);
  g_test_add_func ("/cli/collapse", test_collapse);
  g_test_add_func ("/cli/clusters-zero", test_clusters_zero);
  g_test_add_func ("/cli/too-small", test_too_small);
  g_test_add_func ("/cli/load-failure", test_load_failure);
  g_test_add_func ("/cli/interrupt", test_interrupt);
  g_test_add_func ("/cli/german-locale", test_german_locale);
  g_test_add_func ("/cli/bundled-sample", test_bundled_sample);
  return g_test_run ();
}
