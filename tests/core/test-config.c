/* test-config.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BscConfig (defaults, presets, validation, key/value form) and BscRng.
 */

#include <locale.h>
#include <math.h>
#include <string.h>

#include "bsc-config.h"
#include "bsc-error.h"
#include "bsc-cpu.h"
#include "bsc-rng.h"
#include "bsc-rng-private.h"

static void
test_defaults (void)
{
  BscConfig c;
  BscPreset p;
  g_autoptr (GError) error = NULL;

  bsc_config_init (&c);
  g_assert_cmpuint (c.hidden1, ==, 1024);
  g_assert_cmpuint (c.hidden2, ==, 512);
  g_assert_cmpuint (c.proj_hidden, ==, 4096);
  g_assert_cmpuint (c.embed_dim, ==, 128);
  g_assert_cmpuint (c.batch_size, ==, 256);
  g_assert_cmpuint (c.sk_iterations, ==, 3);
  g_assert_cmpfloat (c.momentum, ==, 0.9);
  g_assert_cmpfloat (c.weight_decay, ==, 5e-4);
  g_assert_cmpfloat (c.tau_init, ==, 0.05);
  g_assert_cmpfloat (bsc_config_get_lr (&c), ==, 0.04);
  c.batch_size = 512;
  g_assert_cmpfloat (bsc_config_get_lr (&c), ==, 0.08);
  c.lr = 0.5;
  g_assert_cmpfloat (bsc_config_get_lr (&c), ==, 0.5);
  g_assert_true (bsc_config_validate (&c, &error));
  g_assert_no_error (error);

  g_assert_true (bsc_config_parse_preset ("tiny", &p));
  g_assert_cmpint (p, ==, BSC_PRESET_TINY);
  g_assert_true (bsc_config_parse_preset ("Authors", &p));
  g_assert_cmpint (p, ==, BSC_PRESET_AUTHORS);
  g_assert_false (bsc_config_parse_preset ("huge", &p));
  bsc_config_set_preset (&c, BSC_PRESET_SMALL);
  g_assert_cmpuint (c.hidden1, ==, 512);
  g_assert_cmpuint (c.embed_dim, ==, 64);
  bsc_config_set_preset (&c, BSC_PRESET_TINY);
  g_assert_cmpuint (c.proj_hidden, ==, 256);
  g_assert_cmpuint (c.embed_dim, ==, 32);
}

static void
assert_invalid (BscConfig  *c,
                const char *word)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (bsc_config_validate (c, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, word));
  bsc_config_init (c);
}

static void
test_validate (void)
{
  BscConfig c;

  bsc_config_init (&c);
  c.batch_size = 64;
  assert_invalid (&c, "embed_dim");
  c.embed_dim = 1;   /* a 1-d embedding has no map */
  c.batch_size = 64;
  assert_invalid (&c, "embed_dim");
  c.momentum = 1.5;
  assert_invalid (&c, "momentum");
  c.lr = NAN;
  assert_invalid (&c, "lr");
  c.sk_epsilon = 0;
  assert_invalid (&c, "sk_epsilon");
  c.hidden1 = 0;
  assert_invalid (&c, "hidden1");
  c.n_clusters = 1;
  assert_invalid (&c, "n_clusters");
  c.mask_prob = 1.0;
  assert_invalid (&c, "mask_prob");

  /* integer ranges print whole numbers, real ones as %g */
  c.epochs = 0;
  assert_invalid (&c, "epochs is 0; it must be between 1 and 1048576");
  c.input_dim = 20000000;
  assert_invalid (&c, "input_dim is 20000000; it must be between 0 and "
                  "16777216");
  c.lambda = 2e6;
  assert_invalid (&c, "lambda is 2000000; it must be between 0 and 1e+06");
}

static void
test_table (void)
{
  g_autoptr (GHashTable) table = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char * const *keys = bsc_config_keys ();
  BscConfig a, b;

  bsc_config_init (&a);
  a.input_dim = 784;
  a.lr = 0.0123456789012345;
  a.seed = G_GUINT64_CONSTANT (18446744073709551615);
  a.image_rgb = TRUE;
  a.noise_std = 1e-7;
  table = bsc_config_to_table (&a);
  g_assert_cmpuint (g_hash_table_size (table), ==, g_strv_length ((char **) keys));
  g_assert_cmpstr (g_hash_table_lookup (table, "seed"), ==, "18446744073709551615");
  g_assert_cmpstr (g_hash_table_lookup (table, "image_rgb"), ==, "true");
  g_assert_null (strchr (g_hash_table_lookup (table, "lr"), ','));
  g_assert_cmpstr (g_hash_table_lookup (table, "momentum"), ==, "0.9");

  /* Round trip: every value comes back exactly. */
  memset (&b, 0, sizeof b);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_assert_true (bsc_config_set_value (&b, keys[i],
                                           g_hash_table_lookup (table, keys[i]),
                                           &error));
      g_assert_no_error (error);
    }
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);

  text = bsc_config_to_string (&a);
  g_assert_nonnull (strstr (text, "batch_size=256"));

  g_assert_true (bsc_config_set_value (&b, "lr", " 1.5 ", &error));
  g_assert_cmpfloat (b.lr, ==, 1.5);
  g_assert_true (bsc_config_set_value (&b, "image_rgb", "no", &error));
  g_assert_false (b.image_rgb);
  g_assert_false (bsc_config_set_value (&b, "lr", "1,5", &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_clear_error (&error);
  g_assert_false (bsc_config_set_value (&b, "epochs", "-3", &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_clear_error (&error);
  g_assert_false (bsc_config_set_value (&b, "epochs", "99999999999", &error));
  g_clear_error (&error);
  g_assert_false (bsc_config_set_value (&b, "colour", "red", &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "colour"));
}

/* Under a locale that writes 1,5 the numbers still use a dot. */
static void
test_locale (void)
{
  const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8" };
  g_autoptr (GHashTable) table = NULL;
  g_autoptr (GError) error = NULL;
  const char *found = NULL;
  BscConfig c;

  for (guint i = 0; i < G_N_ELEMENTS (names) && found == NULL; i++)
    found = setlocale (LC_NUMERIC, names[i]);
  if (found == NULL)
    {
      g_test_skip ("no locale with a decimal comma installed");
      return;
    }
  bsc_config_init (&c);
  table = bsc_config_to_table (&c);
  g_assert_cmpstr (g_hash_table_lookup (table, "momentum"), ==, "0.9");
  g_assert_true (bsc_config_set_value (&c, "lr", "0.25", &error));
  g_assert_cmpfloat (c.lr, ==, 0.25);
  setlocale (LC_NUMERIC, "C");
}

static void
test_rng (void)
{
  BscRng a, b;
  gsize idx[50];
  guint counts[5] = { 0 };
  gboolean seen[50] = { FALSE };
  double sum = 0.0, sq = 0.0;
  int n = 20000;

  bsc_rng_init (&a, 0);
  bsc_rng_init (&b, 0);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (bsc_rng_next (&a), ==, bsc_rng_next (&b));
  bsc_rng_init (&b, 1);
  g_assert_cmpuint (bsc_rng_next (&a), !=, bsc_rng_next (&b));

  for (int i = 0; i < n; i++)
    {
      float u = bsc_rng_uniform (&a);
      double z = bsc_rng_normal (&a);

      g_assert_cmpfloat (u, >=, 0.0f);
      g_assert_cmpfloat (u, <, 1.0f);
      counts[bsc_rng_below (&a, 5)]++;
      sum += z;
      sq += z * z;
    }
  for (guint k = 0; k < 5; k++)
    g_assert_cmpuint (counts[k], >, n / 5 - 400);
  g_assert_cmpfloat (fabs (sum / n), <, 0.05);
  g_assert_cmpfloat (fabs (sq / n - 1.0), <, 0.05);

  for (gsize i = 0; i < 50; i++)
    idx[i] = i;
  bsc_rng_shuffle (&a, idx, 50);
  for (gsize i = 0; i < 50; i++)
    {
      g_assert_cmpuint (idx[i], <, 50);
      g_assert_false (seen[idx[i]]);
      seen[idx[i]] = TRUE;
    }
}

/* z[0..n) against N (0, 1): moments, the share beyond several thresholds
 * against erfc (the ziggurat's tail and wedge paths included), a
 * Kolmogorov-Smirnov distance. */
static void
assert_standard_normal (const float *z,
                        int          n)
{
  const double cut[] = { 0.5, 1.0, 2.0, 3.0, 3.442619855899, 4.0 };
  guint beyond[G_N_ELEMENTS (cut)] = { 0 };
  guint bins[200] = { 0 };
  double m[5] = { 0 }, ks = 0.0, cdf = 0.0;

  for (int i = 0; i < n; i++)
    {
      double v = z[i], p = 1.0;
      int bin = (int) floor ((v + 5.0) * 20.0);

      g_assert_true (isfinite (v));
      for (int k = 1; k <= 4; k++)
        m[k] += (p *= v);
      for (guint c = 0; c < G_N_ELEMENTS (cut); c++)
        beyond[c] += fabs (v) > cut[c];
      bins[CLAMP (bin, 0, 199)]++;
    }
  g_assert_cmpfloat (fabs (m[1] / n), <, 5.0 / sqrt (n));   /* 5 sigma */
  g_assert_cmpfloat (fabs (m[2] / n - 1.0), <, 7.0 / sqrt (n));
  g_assert_cmpfloat (fabs (m[3] / n), <, 15.0 / sqrt (n));
  g_assert_cmpfloat (fabs (m[4] / n - 3.0), <, 50.0 / sqrt (n));
  for (guint c = 0; c < G_N_ELEMENTS (cut); c++)
    {
      double expect = erfc (cut[c] / G_SQRT2) * n;

      g_assert_cmpfloat (fabs (beyond[c] - expect), <, 5.0 * sqrt (expect) + 1);
    }
  /* bins of width 0.05 from -5: the empirical CDF at each right edge */
  for (int k = 0; k < 200; k++)
    {
      double edge = -5.0 + (k + 1) * 0.05;

      cdf += (double) bins[k] / n;
      ks = MAX (ks, fabs (cdf - 0.5 * erfc (-edge / G_SQRT2)));
    }
  g_assert_cmpfloat (ks, <, 1.95 / sqrt (n));   /* 0.1% level */
}

/* The ziggurat's float normals. */
static void
test_rng_ziggurat (void)
{
  const int n = 1000000;
  g_autofree float *z = g_new (float, n);
  BscRng a;

  bsc_rng_init (&a, 42);
  for (int i = 0; i < n; i++)
    z[i] = bsc_rng_normal_float (&a);
  assert_standard_normal (z, n);
}

/* bsc_rng_noise_and_mask: rows of 784 from streams 0, 1, ... */
static float *
augment_rows (int    n,
              float  x,
              float  std,
              double p)
{
  float *v = g_new (float, n);

  for (int i = 0; i < n; i++)
    v[i] = x;
  for (int r = 0; r * 784 < n; r++)
    bsc_rng_noise_and_mask ((guint64) r, v + r * 784, MIN (784, n - r * 784),
                            std, p);
  return v;
}

/* The augmentation: kept elements get N (0, std^2) noise whatever p
 * (the mask and the noise use separate bits of a draw), the share of
 * zeros is p, the same stream gives the same row and another stream
 * another, and the AVX-512 kernel gives the portable loop's floats bit
 * for bit, for every length and remainder. */
static void
test_rng_augment (void)
{
  const int n = 1000000;
  const double ps[] = { 0.0, 0.1, 0.5, 1.0 };
  const gsize lengths[] = { 1, 7, 8, 9, 15, 16, 17, 100, 784, 1001 };
  g_autofree float *v = augment_rows (n, 0.0f, 1.0f, 0.0);
  g_autofree float *w = augment_rows (n, 2.0f, 0.0f, 0.1);
  g_autofree float *kept = g_new (float, n);
  g_autofree float *r1 = NULL, *r2 = NULL;
  int zeros = 0, nk = 0;

  assert_standard_normal (v, n);
  g_free (v);
  v = augment_rows (n, 0.0f, 1.0f, 0.5);
  for (int i = 0; i < n; i++)
    if (v[i] != 0.0f)
      kept[nk++] = v[i];
  g_assert_cmpint (abs (nk - n / 2), <, 5 * 500);   /* 5 sigma */
  assert_standard_normal (kept, nk);
  /* std 0: kept elements exactly as they were */
  for (int i = 0; i < n; i++)
    {
      g_assert_true (w[i] == 0.0f || w[i] == 2.0f);
      zeros += w[i] == 0.0f;
    }
  g_assert_cmpint (abs (zeros - n / 10), <, 5 * 300);
  g_free (v);
  v = augment_rows (784, 1.0f, 0.01f, 1.0);
  for (int i = 0; i < 784; i++)
    g_assert_cmpfloat (v[i], ==, 0.0f);

  r1 = augment_rows (784, 0.5f, 0.01f, 0.1);
  r2 = augment_rows (784, 0.5f, 0.01f, 0.1);
  g_assert_cmpmem (r1, 784 * sizeof (float), r2, 784 * sizeof (float));
  bsc_rng_noise_and_mask (1, r2, 784, 0.01f, 0.1);
  bsc_rng_noise_and_mask (1, r1, 784, 0.01f, 0.1);
  g_assert_cmpmem (r1, 784 * sizeof (float), r2, 784 * sizeof (float));
  g_free (r2);
  r2 = augment_rows (784, 0.5f, 0.01f, 0.1);
  bsc_rng_noise_and_mask (2, r2, 784, 0.01f, 0.1);
  g_assert_true (memcmp (r1, r2, 784 * sizeof (float)) != 0);

  if (!_bsc_cpu_avx512 ())
    {
      g_test_message ("no AVX-512 here: the portable loop alone");
      return;
    }
  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
    for (guint pi = 0; pi < G_N_ELEMENTS (ps); pi++)
      for (guint64 stream = 0; stream < 40; stream++)
        {
          gsize len = lengths[li];
          g_autofree float *a = g_new (float, len + 1);
          g_autofree float *b = g_new (float, len + 1);
          float std = stream % 2 ? 0.01f : 3.0f;

          for (gsize i = 0; i <= len; i++)
            a[i] = b[i] = (float) ((i * 37 + stream) % 255) / 255.0f;
          _bsc_rng_augment_portable (stream, a, len, std, ps[pi]);
          _bsc_rng_augment_avx512 (stream, b, len, std, ps[pi]);
          g_assert_cmpmem (a, (len + 1) * sizeof (float),
                           b, (len + 1) * sizeof (float));
          bsc_rng_noise_and_mask (stream, b, len, std, ps[pi]);
          _bsc_rng_augment_portable (stream, a, len, std, ps[pi]);
          g_assert_cmpmem (a, (len + 1) * sizeof (float),
                           b, (len + 1) * sizeof (float));
        }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/validate", test_validate);
  g_test_add_func ("/config/table", test_table);
  g_test_add_func ("/config/locale", test_locale);
  g_test_add_func ("/rng/basics", test_rng);
  g_test_add_func ("/rng/ziggurat", test_rng_ziggurat);
  g_test_add_func ("/rng/augment", test_rng_augment);
  return g_test_run ();
}
