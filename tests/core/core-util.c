/* core-util.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "bsc-npy.h"
#include "core-util.h"

static guint n_failures;

/* The folder of fixture set set: tests/fixtures/SET, or set itself when
 * it is an absolute path (a set generated elsewhere, as parity-full.sh
 * does). */
static char *
fx_set_dir (const char *set)
{
  const char *src = g_getenv ("BSC_SOURCE_DIR");

  if (g_path_is_absolute (set))
    return g_strdup (set);
  g_assert_nonnull (src);
  return g_build_filename (src, "tests", "fixtures", set, NULL);
}

static char *
fx_path (const char *set,
         const char *name,
         gboolean    f64)
{
  g_autofree char *dir = fx_set_dir (set);
  g_autofree char *file = g_strconcat (name, ".npy", NULL);

  if (f64)
    return g_build_filename (dir, "f64", file, NULL);
  return g_build_filename (dir, file, NULL);
}

float *
fx_load (const char *set,
         const char *name,
         gboolean    f64,
         gsize      *n)
{
  g_autofree char *path = fx_path (set, name, f64);
  g_autoptr (GError) error = NULL;
  BscNpyShape shape;
  float *v;

  v = bsc_npy_read_float (path, &shape, &error);
  g_assert_no_error (error);
  if (n != NULL)
    *n = shape.n_values;
  return v;
}

gboolean
polar_by_svd (void)
{
  return g_strcmp0 (g_getenv ("BSC_POLAR"), "gram") != 0;
}

double
max_abs_diff (const float *a,
              const float *b,
              gsize        n)
{
  double m = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - b[i]);

      if (!(d <= m))
        m = isnan (d) ? INFINITY : d;
    }
  return m;
}

double
fx_check (const char  *set,
          const char  *name,
          const float *got,
          gsize        n,
          double       rtol,
          double       atol)
{
  gsize ng = 0;
  g_autofree float *gold = fx_load (set, name, TRUE, &ng);
  double gmax = 0.0, err, lim;

  g_assert_nonnull (got);
  if (ng != n)
    {
      g_test_message ("%s/%s: size %" G_GSIZE_FORMAT ", golden %" G_GSIZE_FORMAT,
                      set, name, n, ng);
      n_failures++;
      return INFINITY;
    }
  for (gsize i = 0; i < n; i++)
    gmax = MAX (gmax, fabs (gold[i]));
  err = max_abs_diff (got, gold, n);
  lim = rtol * gmax + atol;
  if (!(err <= lim))
    {
      g_test_message ("FAIL %s/%s: max err %.3e > limit %.3e", set, name, err,
                      lim);
      n_failures++;
    }
  return lim > 0 ? err / lim : err;
}

guint
fx_failures (void)
{
  return n_failures;
}

void
fx_reset (void)
{
  n_failures = 0;
}

void
fx_config (const char *set,
           BscConfig  *config)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = fx_set_dir (set);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  JsonObject *o;
  JsonArray *bb, *ph;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  bb = json_object_get_array_member (o, "backbone");
  ph = json_object_get_array_member (o, "head");
  bsc_config_init (config);
  config->input_dim = json_object_get_int_member (o, "D");
  config->hidden1 = json_array_get_int_element (bb, 0);
  config->hidden2 = json_array_get_int_element (bb, 1);
  config->proj_hidden = json_array_get_int_element (ph, 0);
  config->embed_dim = json_array_get_int_element (ph, 1);
  config->n_clusters = json_object_get_int_member (o, "K");
  config->batch_size = json_object_get_int_member (o, "B");
  config->lr = json_object_get_double_member (o, "lr");
  config->momentum = json_object_get_double_member (o, "momentum");
  config->weight_decay = json_object_get_double_member (o, "weight_decay");
  config->lambda = json_object_get_double_member (o, "lamb");
  config->sk_iterations = json_object_get_int_member (o, "sinkhorn_iterations");
  config->sk_epsilon = json_object_get_double_member (o, "sinkhorn_epsilon");
  config->tau_init = json_object_get_double_member (o, "tau0");
  config->threads = 1;
}

BscModel *
fx_model (const char *set)
{
  g_autoptr (GError) error = NULL;
  const char * const *names;
  BscConfig config;
  BscModel *model;

  fx_config (set, &config);
  model = bsc_model_new (&config, &error);
  g_assert_no_error (error);
  names = bsc_model_state_names (model);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *init = g_strconcat ("init_", names[i], NULL);
      g_autofree float *v = NULL;
      gsize n = 0, nt = 0;
      float *t;

      if (g_str_has_prefix (names[i], "mom_"))
        continue;
      v = fx_load (set, init, FALSE, &n);
      t = bsc_model_tensor (model, names[i], &nt);
      g_assert_nonnull (t);
      g_assert_cmpuint (n, ==, nt);
      memcpy (t, v, n * sizeof (float));
    }
  return model;
}
