/* test-model.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model as the trainer uses it: tensor names, determinism, the probe
 * and inference, and degenerate or broken input (identical samples,
 * constant rows, huge values, NaN) that must train or fail with a reason
 * while leaving the model exactly as it was.
 */

#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-layers.h"
#include "bsc-model.h"
#include "bsc-rng.h"
#include "core-util.h"

#define DIM 16
#define BATCH 16

static void
tiny_config (BscConfig *c)
{
  bsc_config_init (c);
  c->input_dim = DIM;
  c->hidden1 = 32;
  c->hidden2 = 24;
  c->proj_hidden = 48;
  c->embed_dim = 8;
  c->n_clusters = 3;
  c->batch_size = BATCH;
  c->threads = 1;
  c->seed = 5;
}

static BscModel *
tiny_model (guint64 seed)
{
  g_autoptr (GError) error = NULL;
  BscConfig c;
  BscModel *m;

  tiny_config (&c);
  c.seed = seed;
  m = bsc_model_new (&c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static float *
rand_batch (guint64 seed,
            gsize   rows)
{
  float *x = g_new (float, rows * DIM);
  BscRng rng;

  bsc_rng_init (&rng, seed);
  for (gsize i = 0; i < rows * DIM; i++)
    x[i] = bsc_rng_uniform (&rng);
  return x;
}

/* Every state tensor concatenated, to compare two states bit for bit. */
static GByteArray *
state_bytes (BscModel *m)
{
  const char * const *names = bsc_model_state_names (m);
  GByteArray *b = g_byte_array_new ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      gsize n = 0;
      float *t = bsc_model_tensor (m, names[i], &n);

      g_byte_array_append (b, (const guint8 *) t, n * sizeof (float));
    }
  return b;
}

static void
assert_same_state (GByteArray *a,
                   GByteArray *b)
{
  g_assert_cmpmem (a->data, a->len, b->data, b->len);
}

static void
test_names (void)
{
  g_autoptr (BscModel) m = tiny_model (0);
  const char * const *names = bsc_model_state_names (m);
  const char *expect[] = {
    "bb_fc1_w", "bb_fc1_b", "bb_bn1_w", "bb_bn1_b", "bb_fc2_w", "bb_fc2_b",
    "bb_bn2_w", "bb_bn2_b", "ph_fc1_w", "ph_bn1_w", "ph_bn1_b", "ph_fc2_w",
    "ph_bn2_w", "ph_bn2_b", "proto_w", "proto_b", "logit_scale",
    "logit_scale_w",
  };
  guint n = g_strv_length ((char **) names);
  gsize size = 0;
  float *t;

  /* 18 parameters, 18 momentum buffers, 4 x 3 BN buffers. */
  g_assert_cmpuint (n, ==, 18 + 18 + 12);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *mom = g_strconcat ("mom_", expect[i], NULL);
      g_autofree char *grad = g_strconcat ("grad_", expect[i], NULL);

      g_assert_cmpstr (names[i], ==, expect[i]);
      g_assert_cmpstr (names[18 + i], ==, mom);
      g_assert_nonnull (bsc_model_tensor (m, grad, NULL));
    }
  g_assert_cmpstr (names[36], ==, "bb_bn1_rm");
  g_assert_cmpstr (names[47], ==, "ph_bn2_nbt");
  t = bsc_model_tensor (m, "bb_fc1_w", &size);
  g_assert_cmpuint (size, ==, 32 * DIM);
  /* PyTorch's default ranges: |w| <= 1/sqrt (fan_in), gamma 1, rv 1. */
  for (gsize i = 0; i < size; i++)
    g_assert_cmpfloat (fabsf (t[i]), <=, 1.0f / sqrtf (DIM));
  g_assert_cmpfloat (bsc_model_tensor (m, "bb_bn1_w", NULL)[3], ==, 1.0f);
  g_assert_cmpfloat (bsc_model_tensor (m, "ph_bn2_rv", NULL)[0], ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (bsc_model_tensor (m, "logit_scale", NULL)[0],
                                  log (0.05), 1e-6);
  g_assert_null (bsc_model_tensor (m, "no_such_tensor", NULL));
  g_assert_false (bsc_model_has_momentum (m));
}

static void
train_steps (BscModel *m,
             guint     steps)
{
  for (guint s = 0; s < steps; s++)
    {
      g_autofree float *x0 = rand_batch (100 + s, BATCH);
      g_autofree float *x1 = rand_batch (200 + s, BATCH);
      g_autoptr (GError) error = NULL;
      BscStepStats st;

      g_assert_true (bsc_model_train_step (m, x0, x1, BATCH, 0.04, &st, &error));
      g_assert_no_error (error);
      g_assert_true (isfinite (st.loss));
      g_assert_cmpfloat (st.tau_c, <=, 1.0);
      g_assert_cmpfloat (st.lr, ==, 0.04);
    }
}

static void
test_deterministic (void)
{
  g_autoptr (BscModel) a = tiny_model (3);
  g_autoptr (BscModel) b = tiny_model (3);
  g_autoptr (BscModel) c = tiny_model (4);
  g_autoptr (GByteArray) sa = NULL, sb = NULL, sc = NULL;

  sa = state_bytes (a);
  sc = state_bytes (c);
  g_assert_true (sa->len == sc->len && memcmp (sa->data, sc->data, sa->len) != 0);
  g_clear_pointer (&sa, g_byte_array_unref);
  train_steps (a, 4);
  train_steps (b, 4);
  g_assert_true (bsc_model_has_momentum (a));
  sa = state_bytes (a);
  sb = state_bytes (b);
  assert_same_state (sa, sb);
}

/* Two threads, widths large enough for the column-parallel kernels and
 * threaded BLAS: still bit-identical between runs. */
static void
test_deterministic_threads (void)
{
  g_autoptr (BscModel) a = NULL, b = NULL;
  g_autoptr (GByteArray) sa = NULL, sb = NULL;
  g_autoptr (GError) error = NULL;
  BscConfig c;

  tiny_config (&c);
  c.hidden1 = 300;
  c.proj_hidden = 600;
  c.threads = 2;
  a = bsc_model_new (&c, &error);
  b = bsc_model_new (&c, &error);
  g_assert_no_error (error);
  train_steps (a, 3);
  train_steps (b, 3);
  sa = state_bytes (a);
  sb = state_bytes (b);
  assert_same_state (sa, sb);
}

static void
test_probe_and_infer (void)
{
  g_autoptr (BscModel) m = tiny_model (1);
  g_autoptr (GByteArray) before = NULL, after = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *x = rand_batch (9, 5 * BATCH);
  g_autofree float *aff = g_new (float, BATCH * BATCH);
  g_autofree float *tgt = g_new (float, BATCH * BATCH);
  g_autofree float *logits = g_new (float, BATCH * 3);
  g_autofree float *z = g_new (float, 5 * BATCH * 8);
  g_autofree float *p = g_new (float, 5 * BATCH * 3);
  g_autofree float *p1 = g_new (float, 3 * 3);

  train_steps (m, 2);
  before = state_bytes (m);
  g_assert_true (bsc_model_probe (m, x, BATCH, aff, tgt, logits, &error));
  g_assert_no_error (error);
  after = state_bytes (m);
  assert_same_state (before, after);
  for (gsize i = 0; i < BATCH; i++)
    {
      double rsum = 0.0;

      g_assert_cmpfloat (aff[i * BATCH + i], ==, 0.0f);
      g_assert_cmpfloat (tgt[i * BATCH + i], ==, 0.0f);
      for (gsize j = 0; j < BATCH; j++)
        {
          g_assert_cmpfloat_with_epsilon (aff[i * BATCH + j], aff[j * BATCH + i],
                                          1e-5);
          g_assert_cmpfloat (aff[i * BATCH + j], <=, 1.0f + 1e-5f);
          rsum += tgt[i * BATCH + j];
        }
      g_assert_cmpfloat_with_epsilon (rsum, 1.0, 1e-4);
    }

  /* Inference over more rows than the work space holds (chunks) agrees
   * with inference of a few rows alone, and leaves the state alone. */
  g_assert_true (bsc_model_infer (m, x, 5 * BATCH, NULL, z, p, &error));
  g_assert_true (bsc_model_infer (m, x + 70 * DIM, 3, NULL, NULL, p1, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (max_abs_diff (p + 70 * 3, p1, 9), <=, 1e-5);
  for (gsize i = 0; i < 5 * BATCH; i++)
    {
      double s = 0.0;

      for (gsize k = 0; k < 8; k++)
        s += (double) z[i * 8 + k] * z[i * 8 + k];
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-5);
    }
  g_clear_pointer (&after, g_byte_array_unref);
  after = state_bytes (m);
  assert_same_state (before, after);
}

/* Either trains to finite values, or fails with a BscError and leaves the
 * state exactly as it was. */
static void
step_trains_or_refuses (BscModel    *m,
                        const float *x0,
                        const float *x1,
                        const char  *what)
{
  g_autoptr (GByteArray) before = state_bytes (m);
  g_autoptr (GByteArray) after = NULL;
  g_autoptr (GError) error = NULL;
  gboolean had_momentum = bsc_model_has_momentum (m);
  BscStepStats st = { 0 };
  gboolean ok;

  ok = bsc_model_train_step (m, x0, x1, BATCH, 0.04, &st, &error);
  after = state_bytes (m);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_true (isfinite (st.loss));
      g_assert_true (bsc_all_finite ((float *) after->data, after->len / 4));
      g_test_message ("%s: trained, loss %g", what, st.loss);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == BSC_ERROR);
      g_assert_cmpstr (error->message, !=, "");
      assert_same_state (before, after);
      g_assert_cmpint (bsc_model_has_momentum (m), ==, had_momentum);
      g_test_message ("%s: refused: %s", what, error->message);
    }
}

static void
test_degenerate (void)
{
  g_autoptr (BscModel) m = tiny_model (2);
  g_autofree float *same = g_new (float, BATCH * DIM);
  g_autofree float *rows = g_new (float, BATCH * DIM);
  g_autofree float *zero = g_new0 (float, BATCH * DIM);
  g_autofree float *huge = rand_batch (3, BATCH);
  g_autofree float *x = rand_batch (4, BATCH);

  for (gsize i = 0; i < BATCH * DIM; i++)
    {
      same[i] = (float) (i % DIM) / DIM;     /* identical samples */
      rows[i] = (float) (i / DIM) / BATCH;   /* each row constant */
      huge[i] *= 1e30f;
    }
  train_steps (m, 1);
  step_trains_or_refuses (m, same, same, "identical samples");
  step_trains_or_refuses (m, rows, rows, "constant rows");
  step_trains_or_refuses (m, zero, zero, "zero input");
  step_trains_or_refuses (m, huge, huge, "values of 1e30");
  step_trains_or_refuses (m, x, same, "one view degenerate");
  train_steps (m, 2);
}

static void
test_nan_refused (void)
{
  g_autoptr (BscModel) m = tiny_model (2);
  g_autoptr (GByteArray) before = NULL, after = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *x = rand_batch (4, BATCH);

  train_steps (m, 1);
  before = state_bytes (m);
  x[5] = NAN;
  g_assert_false (bsc_model_train_step (m, x, x, BATCH, 0.04, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_NUMERIC);
  after = state_bytes (m);
  assert_same_state (before, after);
  g_clear_error (&error);
  x[5] = INFINITY;
  g_assert_false (bsc_model_train_step (m, x, x, BATCH, 0.04, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_NUMERIC);
  g_clear_pointer (&after, g_byte_array_unref);
  after = state_bytes (m);
  assert_same_state (before, after);
}

static void
test_small_batch (void)
{
  g_autoptr (BscModel) m = tiny_model (2);
  g_autoptr (GError) error = NULL;
  g_autofree float *x = rand_batch (4, BATCH);
  BscConfig c;

  /* Fewer rows than embedding dimensions. */
  g_assert_false (bsc_model_train_step (m, x, x, 7, 0.04, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_clear_error (&error);
  g_assert_false (bsc_model_probe (m, x, 4, NULL, NULL, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_clear_error (&error);

  g_assert_false (bsc_model_train_step (m, x, x, BATCH, NAN, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_clear_error (&error);

  /* A batch larger than configured grows the work space. */
  {
    g_autofree float *big = rand_batch (5, 2 * BATCH);

    g_assert_true (bsc_model_train_step (m, big, big, 2 * BATCH, 0.04, NULL,
                                         &error));
    g_assert_no_error (error);
  }

  /* Invalid configurations are refused with a reason. */
  tiny_config (&c);
  c.input_dim = 0;
  g_assert_null (bsc_model_new (&c, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
  g_clear_error (&error);
  tiny_config (&c);
  c.batch_size = 4;
  g_assert_null (bsc_model_new (&c, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG);
}

static void
test_flops (void)
{
  g_autoptr (BscModel) m = tiny_model (0);
  double b = BATCH, fwd;

  /* Forward products of both views: 2B rows through every Linear. */
  fwd = 2 * 2 * b * (DIM * 32 + 32 * 24 + 24 * 48 + 48 * 8);
  g_assert_cmpfloat (bsc_model_step_flops (m, BATCH), >, 3 * fwd - 2 * 2 * b * DIM * 32);
  g_assert_cmpfloat (bsc_model_step_flops (m, BATCH), <, 4 * fwd);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/names", test_names);
  g_test_add_func ("/model/deterministic", test_deterministic);
  g_test_add_func ("/model/deterministic-threads", test_deterministic_threads);
  g_test_add_func ("/model/probe-and-infer", test_probe_and_infer);
  g_test_add_func ("/model/degenerate", test_degenerate);
  g_test_add_func ("/model/nan-refused", test_nan_refused);
  g_test_add_func ("/model/small-batch", test_small_batch);
  g_test_add_func ("/model/flops", test_flops);
  return g_test_run ();
}
