/* test-export.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The export library on hand-made results: CSV quoting survives a round
 * trip, history.csv reads back what was written, and metrics JSON holds
 * numbers in their shortest form.
 */

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bsc-export.h"

static const char *const paths[] = {
  "/photos/a,b.png", "/photos/say \"hi\".png", "/photos/plain.png",
};

static BscDataset *
make_dataset (void)
{
  BscDataset *data = bsc_dataset_new (BSC_SOURCE_IMAGES, "/photos");

  data->n_samples = 3;
  data->dim = 1;
  data->features = g_new0 (float, 3);
  data->paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (data->paths, g_strdup (paths[i]));
  data->labels = g_new (gint32, 3);
  data->labels[0] = 1, data->labels[1] = 0, data->labels[2] = 1;
  data->n_classes = 2;
  g_ptr_array_add (data->class_names, g_strdup ("cats, big"));
  g_ptr_array_add (data->class_names, g_strdup ("dogs"));
  return data;
}

/* Quoted fields (commas, quotes) read back as written. */
static void
test_assignments_round_trip (void)
{
  g_autoptr (BscDataset) data = make_dataset ();
  g_autofree char *dir = g_dir_make_tmp ("bsc-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "assignments.csv", NULL);
  g_autofree char *text = NULL;
  gint32 clusters[] = { 2, 0, 1 };
  float confidence[] = { 0.5f, 0.75f, 1.0f };
  BscEvaluation eval = { .n_samples = 3, .n_clusters = 3,
                         .clusters = clusters, .confidence = confidence };
  g_autoptr (GPtrArray) read_paths = NULL;
  g_autoptr (GArray) read_clusters = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (bsc_export_assignments (path, data, &eval, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==,
                   "index,path,cluster,confidence,label,label_name\n"
                   "0,\"/photos/a,b.png\",2,0.500000,1,dogs\n"
                   "1,\"/photos/say \"\"hi\"\".png\",0,0.750000,0,"
                   "\"cats, big\"\n"
                   "2,/photos/plain.png,1,1.000000,1,dogs\n");
  g_assert_true (bsc_export_read_assignments (path, &read_paths,
                                              &read_clusters, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read_paths->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (read_paths->pdata[i], ==, paths[i]);
      g_assert_cmpint (g_array_index (read_clusters, gint32, i), ==,
                       clusters[i]);
    }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_read_assignments_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "a.csv", NULL);
  g_autoptr (GPtrArray) p = NULL;
  g_autoptr (GArray) c = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "index,cluster\n0,1\n1,x\n", -1,
                                      NULL));
  g_assert_false (bsc_export_read_assignments (path, &p, &c, &error));
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "index,group\n0,1\n", -1, NULL));
  g_assert_false (bsc_export_read_assignments (path, &p, &c, &error));
  g_assert_nonnull (strstr (error->message, "\"cluster\""));
  g_unlink (path);
  g_rmdir (dir);
}

/* history.csv reads back to 9 significant digits, evaluations included,
 * and rows past max_step are dropped. */
static void
test_history_round_trip (void)
{
  g_autoptr (BscHistory) history = bsc_history_new ();
  g_autoptr (BscHistory) back = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bsc-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.csv", NULL);
  BscEvaluation eval = { .has_metrics = TRUE, .acc = 0.5, .nmi = 0.25,
                         .ari = 0.125, .changed = 7 };
  g_autoptr (GError) error = NULL;

  for (guint s = 1; s <= 6; s++)
    {
      BscStepStats stats = { .loss = 1.0 / s, .loss_cluster = 0.1 * s,
                             .loss_affinity = 2, .tau_c = 0.05,
                             .tau_a = 0.0625, .lr = 0.04 * (7 - s) / 6 };

      bsc_history_add_step (history, s, s / 2, &stats);
      if (s % 2 == 0)
        bsc_history_add_eval (history, s, s / 2, &eval);
    }
  g_assert_true (bsc_export_history (path, history, &error));
  back = bsc_history_load (path, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bsc_history_get_n_rows (back), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const BscHistoryRow *a = bsc_history_get_row (history, i);
      const BscHistoryRow *b = bsc_history_get_row (back, i);

      g_assert_cmpuint (a->step, ==, b->step);
      g_assert_cmpuint (a->epoch, ==, b->epoch);
      g_assert_cmpfloat_with_epsilon (a->stats.loss, b->stats.loss, 1e-8);
      g_assert_cmpfloat_with_epsilon (a->stats.lr, b->stats.lr, 1e-10);
      g_assert_cmpint (a->evaluated, ==, b->evaluated);
      g_assert_cmpint (a->has_metrics, ==, b->has_metrics);
      if (b->has_metrics)
        {
          g_assert_cmpfloat (b->nmi, ==, 0.25);
          g_assert_cmpuint (b->changed, ==, 7);
        }
    }
  g_unlink (path);
  g_rmdir (dir);
}

/* Numbers written as short as they read back: 0.9, not
 * 0.90000000000000002; strings escaped. */
static void
test_metrics_json (void)
{
  g_autoptr (BscDataset) data = make_dataset ();
  gsize sizes[] = { 1, 1, 1 };
  BscEvaluation eval = { .epoch = 4, .n_samples = 3, .n_clusters = 3,
                         .cluster_sizes = sizes, .has_metrics = TRUE,
                         .acc = 2.0 / 3, .nmi = 0.5, .ari = 0.1 };
  BscConfig config;
  BscRunInfo info = { .config = &config, .data = data, .eval = &eval,
                      .seconds_per_epoch = 1.25, .steps = 8 };
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;

  bsc_config_init (&config);
  g_free (data->source);
  data->source = g_strdup ("/photos/\"quoted\"\\dir");
  text = bsc_export_metrics_string (&info, TRUE);
  g_assert_nonnull (strstr (text, "\"momentum\": 0.9,"));
  g_assert_nonnull (strstr (text, "\"nmi\": 0.5,"));
  g_assert_nonnull (strstr (text, "\"epochs\": 4,"));
  g_assert_nonnull (strstr (text, "\"cluster_sizes\": [1, 1, 1]"));
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpfloat (json_object_get_double_member (root, "acc"), ==, 2.0 / 3);
  g_assert_cmpstr (json_object_get_string_member (root, "source"), ==,
                   "/photos/\"quoted\"\\dir");
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (root, "config"),
                     "batch_size"), ==, 256);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export/assignments", test_assignments_round_trip);
  g_test_add_func ("/export/assignments-errors", test_read_assignments_errors);
  g_test_add_func ("/export/history", test_history_round_trip);
  g_test_add_func ("/export/metrics-json", test_metrics_json);
  return g_test_run ();
}
