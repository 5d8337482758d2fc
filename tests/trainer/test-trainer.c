/* test-trainer.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The training driver on a small generated dataset with tiny widths:
 * validation errors, schedule, dropped last batch, augmentation
 * statistics, determinism, evaluation, probe, failed steps, and
 * checkpoints that resume bit for bit.
 */

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bsc-error.h"
#include "bsc-metrics.h"
#include "bsc-trainer-private.h"

#define N_SAMPLES 240
#define DIM 16
#define N_CLASSES 3
#define BATCH 32

/* Labelled blobs: class c is 1 on the dimensions j with j % classes == c,
 * plus uniform noise in [-noise, noise]. */
static BscDataset *
make_noisy_blobs (gsize  n,
                  guint  dim,
                  guint  classes,
                  double noise,
                  guint  seed)
{
  BscDataset *data = bsc_dataset_new (BSC_SOURCE_FEATURES, "blobs");
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);

  data->n_samples = n;
  data->dim = dim;
  data->features = g_new (float, n * dim);
  data->labels = g_new (gint32, n);
  data->n_classes = classes;
  for (guint c = 0; c < classes; c++)
    g_ptr_array_add (data->class_names, g_strdup_printf ("class%u", c));
  for (gsize i = 0; i < n; i++)
    {
      data->labels[i] = (gint32) (i % classes);
      for (guint j = 0; j < dim; j++)
        data->features[i * dim + j] =
          (j % classes == i % classes ? 1.0f : 0.0f)
          + (float) (noise * g_rand_double_range (rng, -1.0, 1.0));
    }
  return data;
}

static BscDataset *
make_blobs (gsize n,
            guint dim,
            guint seed)
{
  return make_noisy_blobs (n, dim, N_CLASSES, 0.3, seed);
}

static void
tiny_config (BscConfig *config)
{
  bsc_config_init (config);
  config->hidden1 = 32;
  config->hidden2 = 24;
  config->proj_hidden = 48;
  config->embed_dim = 16;
  config->n_clusters = N_CLASSES;
  config->batch_size = BATCH;
  config->epochs = 4;
  config->lr = 0.1;
  config->seed = 3;
  config->threads = 2;
}

static BscTrainer *
new_trainer (BscDataset      *data,
             const BscConfig *config)
{
  g_autoptr(GError) error = NULL;
  BscTrainer *t = bsc_trainer_new (data, config, &error);

  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

static void
run_steps (BscTrainer *t,
           guint64     steps)
{
  for (guint64 s = 0; s < steps; s++)
    {
      g_autoptr(GError) error = NULL;
      BscStepStats stats;

      g_assert_true (bsc_trainer_step (t, &stats, &error));
      g_assert_no_error (error);
      g_assert_true (isfinite (stats.loss));
    }
}

/* Every state tensor bit for bit, and the trainer's position. */
static void
assert_same_state (BscTrainer *a,
                   BscTrainer *b)
{
  const char * const *names = bsc_model_state_names (a->model);

  for (guint i = 0; names[i] != NULL; i++)
    {
      gsize na, nb;
      float *ta = bsc_model_tensor (a->model, names[i], &na);
      float *tb = bsc_model_tensor (b->model, names[i], &nb);

      g_assert_cmpuint (na, ==, nb);
      if (memcmp (ta, tb, na * 4) != 0)
        g_test_message ("tensor %s differs", names[i]);
      g_assert_cmpmem (ta, na * 4, tb, nb * 4);
    }
  g_assert_cmpuint (a->epoch, ==, b->epoch);
  g_assert_cmpuint (a->step, ==, b->step);
  g_assert_cmpuint (a->position, ==, b->position);
  g_assert_cmpmem (a->shuffle_rng.s, 32, b->shuffle_rng.s, 32);
  g_assert_cmpmem (a->perm, a->data->n_samples * sizeof (gsize),
                   b->perm, b->data->n_samples * sizeof (gsize));
  g_assert_cmpfloat (a->lr_scale, ==, b->lr_scale);
  g_assert_cmpint (bsc_model_has_momentum (a->model), ==,
                   bsc_model_has_momentum (b->model));
}

static void
assert_same_evaluation (BscTrainer *a,
                        BscTrainer *b)
{
  g_autoptr(BscEvaluation) ea = bsc_trainer_evaluate (a, NULL, NULL);
  g_autoptr(BscEvaluation) eb = bsc_trainer_evaluate (b, NULL, NULL);
  gsize n = ea->n_samples;

  g_assert_cmpmem (ea->clusters, n * 4, eb->clusters, n * 4);
  g_assert_cmpmem (ea->embeddings, n * ea->embed_dim * 4,
                   eb->embeddings, n * eb->embed_dim * 4);
}

/* ---- validation ---------------------------------------------------- */

static void
expect_error (BscDataset      *data,
              const BscConfig *config,
              gint             code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BscTrainer) t = bsc_trainer_new (data, config, &error);

  g_assert_null (t);
  g_assert_error (error, BSC_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
test_validation (void)
{
  g_autoptr(BscDataset) small = make_blobs (BATCH - 1, DIM, 1);
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscDataset) unlabelled = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  BscConfig config;

  tiny_config (&config);
  expect_error (small, &config, BSC_ERROR_TOO_FEW);

  config.n_clusters = N_SAMPLES + 1;
  expect_error (data, &config, BSC_ERROR_TOO_FEW);

  tiny_config (&config);
  config.batch_size = config.embed_dim - 1;
  expect_error (data, &config, BSC_ERROR_INVALID_ARG);

  tiny_config (&config);
  config.input_dim = DIM + 1;
  expect_error (data, &config, BSC_ERROR_INVALID_DATA);

  g_clear_pointer (&unlabelled->labels, g_free);
  unlabelled->n_classes = 0;
  tiny_config (&config);
  config.n_clusters = 0;
  expect_error (unlabelled, &config, BSC_ERROR_INVALID_ARG);

  t = new_trainer (data, &config);   /* K from the labels */
  g_assert_cmpuint (bsc_trainer_get_config (t)->n_clusters, ==, N_CLASSES);
  g_assert_cmpuint (bsc_trainer_get_config (t)->input_dim, ==, DIM);
  g_assert_true (bsc_trainer_get_dataset (t) == data);
}

/* ---- schedule and batches ------------------------------------------ */

static void
test_schedule (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  g_autoptr(GError) error = NULL;
  BscStepStats stats;
  BscConfig config;
  guint spe = N_SAMPLES / BATCH;

  tiny_config (&config);
  t = new_trainer (data, &config);
  g_assert_cmpuint (bsc_trainer_get_steps_per_epoch (t), ==, spe);
  g_assert_cmpuint (bsc_trainer_get_total_steps (t), ==, 4 * spe);
  g_assert_cmpfloat_with_epsilon (bsc_trainer_get_lr (t), 0.1, 1e-15);

  run_steps (t, spe - 1);
  g_assert_cmpuint (bsc_trainer_get_epoch (t), ==, 0);
  g_assert_true (bsc_trainer_step (t, &stats, NULL));
  g_assert_cmpfloat_with_epsilon (stats.lr, 0.1, 1e-15);
  g_assert_cmpuint (bsc_trainer_get_epoch (t), ==, 1);
  g_assert_cmpuint (bsc_trainer_get_step (t), ==, spe);
  g_assert_cmpfloat_with_epsilon (bsc_trainer_get_lr (t), 0.075, 1e-15);

  bsc_trainer_set_lr_scale (t, 0.5);
  g_assert_cmpfloat_with_epsilon (bsc_trainer_get_lr (t), 0.0375, 1e-15);
  g_assert_true (bsc_trainer_step (t, &stats, NULL));
  g_assert_cmpfloat_with_epsilon (stats.lr, 0.0375, 1e-15);
  bsc_trainer_set_lr_scale (t, 1.0);

  run_steps (t, 3 * spe - 1);
  g_assert_true (bsc_trainer_is_finished (t));
  g_assert_cmpuint (bsc_trainer_get_epoch (t), ==, 4);
  g_assert_cmpfloat (bsc_trainer_get_lr (t), ==, 0.0);
  g_assert_false (bsc_trainer_step (t, &stats, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_FAILED);
}

/* Each epoch is a fresh permutation; its last N % B samples are not
 * trained on in that epoch. */
static void
test_drop_last (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  g_autofree gsize *first = NULL;
  g_autofree guint *seen = g_new0 (guint, N_SAMPLES);
  BscConfig config;
  guint spe = N_SAMPLES / BATCH;

  tiny_config (&config);
  t = new_trainer (data, &config);
  run_steps (t, 1);
  first = g_memdup2 (t->perm, sizeof (gsize) * N_SAMPLES);
  for (gsize i = 0; i < N_SAMPLES; i++)
    seen[first[i]]++;
  for (gsize i = 0; i < N_SAMPLES; i++)
    g_assert_cmpuint (seen[i], ==, 1);
  g_assert_cmpuint (N_SAMPLES - spe * BATCH, ==, 16);

  run_steps (t, spe - 1);   /* the order holds for the whole epoch */
  g_assert_cmpmem (t->perm, N_SAMPLES * sizeof (gsize), first,
                   N_SAMPLES * sizeof (gsize));
  run_steps (t, 1);         /* a new epoch, a new order */
  g_assert_cmpuint (t->position, ==, 1);
  g_assert_true (memcmp (t->perm, first, N_SAMPLES * sizeof (gsize)) != 0);
}

/* ---- augmentation -------------------------------------------------- */

static void
augmentation_stats (const float *x,
                    gsize        count,
                    double      *zero_frac,
                    double      *mean,
                    double      *std)
{
  double s = 0.0, s2 = 0.0;
  gsize nz = 0;

  for (gsize i = 0; i < count; i++)
    {
      if (x[i] == 0.0f)
        continue;
      nz++;
      s += x[i];
      s2 += (double) x[i] * x[i];
    }
  *zero_frac = 1.0 - (double) nz / count;
  *mean = s / nz;
  *std = sqrt (s2 / nz - *mean * *mean);
}

static void
test_augmentation (void)
{
  g_autoptr(BscDataset) data = bsc_dataset_new (BSC_SOURCE_FEATURES, "flat");
  g_autoptr(BscTrainer) t = NULL, t1 = NULL;
  gsize indices[BATCH], dim = 512, count = BATCH * dim;
  g_autofree float *view0 = NULL;
  double zf, mean, std;
  BscConfig config;

  data->n_samples = BATCH;
  data->dim = dim;
  data->features = g_new (float, count);
  for (gsize i = 0; i < count; i++)
    data->features[i] = 0.5f;
  for (gsize i = 0; i < BATCH; i++)
    indices[i] = BATCH - 1 - i;
  tiny_config (&config);
  config.noise_std = 0.1;
  config.mask_prob = 0.2;
  t = new_trainer (data, &config);
  _bsc_trainer_augment_batch (t, indices, 5);

  for (guint v = 0; v < 2; v++)   /* 16384 values per view */
    {
      augmentation_stats (v ? t->x1 : t->x0, count, &zf, &mean, &std);
      g_test_message ("view %u: zeros %.4f mean %.4f std %.4f", v, zf, mean,
                      std);
      g_assert_cmpfloat_with_epsilon (zf, 0.2, 0.015);
      g_assert_cmpfloat_with_epsilon (mean, 0.5, 0.004);
      g_assert_cmpfloat_with_epsilon (std, 0.1, 0.004);
    }
  g_assert_true (memcmp (t->x0, t->x1, count * 4) != 0);

  /* The same step gives the same views whatever the thread count; the
   * next step gives others. */
  view0 = g_memdup2 (t->x0, count * 4);
  config.threads = 3;
  t1 = new_trainer (data, &config);
  _bsc_trainer_augment_batch (t1, indices, 5);
  g_assert_cmpmem (t1->x0, count * 4, view0, count * 4);
  _bsc_trainer_augment_batch (t1, indices, 6);
  g_assert_true (memcmp (t1->x0, view0, count * 4) != 0);
}

static void
test_no_augmentation (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  gsize indices[BATCH];
  BscConfig config;

  tiny_config (&config);
  config.noise_std = 0.0;
  config.mask_prob = 0.0;
  t = new_trainer (data, &config);
  for (gsize i = 0; i < BATCH; i++)
    indices[i] = 7 * i;
  _bsc_trainer_augment_batch (t, indices, 0);
  for (gsize i = 0; i < BATCH; i++)
    {
      g_assert_cmpmem (t->x0 + i * DIM, DIM * 4,
                       data->features + indices[i] * DIM, DIM * 4);
      g_assert_cmpmem (t->x1 + i * DIM, DIM * 4,
                       data->features + indices[i] * DIM, DIM * 4);
    }
}

/* ---- determinism, evaluation, probe -------------------------------- */

static void
test_determinism (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) a = NULL, b = NULL, c = NULL;
  BscConfig config;
  const float *wa, *wc;
  gsize n;

  tiny_config (&config);
  a = new_trainer (data, &config);
  b = new_trainer (data, &config);
  run_steps (a, 10);
  run_steps (b, 10);
  assert_same_state (a, b);
  assert_same_evaluation (a, b);

  config.seed = 4;
  c = new_trainer (data, &config);
  run_steps (c, 10);
  wa = bsc_model_tensor (a->model, "bb_fc1_w", &n);
  wc = bsc_model_tensor (c->model, "bb_fc1_w", NULL);
  g_assert_true (memcmp (wa, wc, n * 4) != 0);
}

static void
check_evaluation (BscTrainer    *t,
                  BscEvaluation *ev)
{
  BscMetrics m;
  gsize total = 0;
  guint k = ev->n_clusters;

  g_assert_cmpuint (ev->n_samples, ==, N_SAMPLES);
  g_assert_cmpuint (ev->step, ==, bsc_trainer_get_step (t));
  for (guint c = 0; c < k; c++)
    total += ev->cluster_sizes[c];
  g_assert_cmpuint (total, ==, N_SAMPLES);
  for (gsize i = 0; i < N_SAMPLES; i++)
    {
      const float *l = ev->logits + i * k;

      for (guint c = 0; c < k; c++)
        g_assert_cmpfloat (l[c], <=, l[ev->clusters[i]]);
      g_assert_cmpfloat (ev->confidence[i], >=, 1.0f / k - 1e-6f);
      g_assert_cmpfloat (ev->confidence[i], <=, 1.0f + 1e-6f);
    }
  bsc_metrics_compute (t->data->labels, ev->clusters, N_SAMPLES, &m);
  g_assert_true (ev->has_metrics);
  g_assert_cmpfloat (ev->acc, ==, m.acc);
  g_assert_cmpfloat (ev->nmi, ==, m.nmi);
  g_assert_cmpfloat (ev->ari, ==, m.ari);
}

static void
test_evaluate (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  g_autoptr(BscEvaluation) e0 = NULL, e1 = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  BscConfig config;
  gsize changed = 0;
  double tau;

  tiny_config (&config);
  t = new_trainer (data, &config);
  e0 = bsc_trainer_evaluate (t, NULL, &error);
  g_assert_no_error (error);
  check_evaluation (t, e0);
  g_assert_cmpuint (e0->changed, ==, 0);

  run_steps (t, 2 * bsc_trainer_get_steps_per_epoch (t));
  e1 = bsc_trainer_evaluate (t, NULL, &error);
  g_assert_no_error (error);
  check_evaluation (t, e1);
  g_assert_cmpuint (e1->epoch, ==, 2);
  for (gsize i = 0; i < N_SAMPLES; i++)
    changed += e0->clusters[i] != e1->clusters[i];
  g_assert_cmpuint (e1->changed, ==, changed);

  /* Confidence of sample 0 from its logits and tau_c. */
  tau = exp (MIN (bsc_model_tensor (t->model, "logit_scale", NULL)[0], 0.0f));
  {
    double sum = 0.0;

    for (guint c = 0; c < N_CLASSES; c++)
      sum += exp ((e1->logits[c] - e1->logits[e1->clusters[0]]) / tau);
    g_assert_cmpfloat_with_epsilon (e1->confidence[0], 1.0 / sum, 1e-6);
  }

  g_cancellable_cancel (cancel);
  g_assert_null (bsc_trainer_evaluate (t, cancel, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_CANCELLED);
}

static void
test_probe (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL, same = NULL;
  g_autoptr(BscProbe) p = NULL;
  g_autoptr(GError) error = NULL;
  BscConfig config;

  tiny_config (&config);
  t = new_trainer (data, &config);
  same = new_trainer (data, &config);
  run_steps (t, 3);
  run_steps (same, 3);
  p = bsc_trainer_probe (t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p->batch, ==, BATCH);
  g_assert_cmpmem (p->indices, BATCH * sizeof (gsize), same->probe,
                   BATCH * sizeof (gsize));
  for (guint i = 0; i < BATCH; i++)
    {
      g_assert_cmpuint (p->indices[i], <, N_SAMPLES);
      if (i > 0)
        g_assert_cmpuint (p->indices[i - 1], <, p->indices[i]);
      g_assert_cmpfloat (p->affinity[i * BATCH + i], ==, 0.0f);
      g_assert_cmpint (p->clusters[i], >=, 0);
      g_assert_cmpint (p->clusters[i], <, N_CLASSES);
    }
  assert_same_state (t, same);   /* probing changed nothing */
  run_steps (t, 1);
  run_steps (same, 1);
  assert_same_state (t, same);
}

/* Overlapping blobs (4 classes, uniform noise as wide as the signal):
 * 15 epochs separate them, mean ACC over 5 seeds at least 0.85 (0.94 when
 * written, single seeds 0.79-0.99; untrained about 0.4). */
static void
test_learns_blobs (void)
{
  g_autoptr(BscDataset) data = make_noisy_blobs (600, DIM, 4, 1.0, 1);
  BscConfig config;
  double sum = 0.0;

  tiny_config (&config);
  config.n_clusters = 4;
  config.batch_size = 64;
  config.epochs = 15;
  config.lr = 0.0;
  config.threads = 1;
  for (guint seed = 0; seed < 5; seed++)
    {
      g_autoptr(BscTrainer) t = NULL;
      g_autoptr(BscEvaluation) ev = NULL;

      config.seed = seed;
      t = new_trainer (data, &config);
      run_steps (t, bsc_trainer_get_total_steps (t));
      ev = bsc_trainer_evaluate (t, NULL, NULL);
      g_test_message ("seed %u: ACC %.3f NMI %.3f", seed, ev->acc, ev->nmi);
      sum += ev->acc;
    }
  g_assert_cmpfloat (sum / 5, >=, 0.85);
}

/* ---- failure ------------------------------------------------------- */

/* A NaN parameter makes the step fail; nothing else moves. */
static void
test_failed_step (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL, ref = NULL;
  g_autoptr(GError) error = NULL;
  BscConfig config;
  guint spe = N_SAMPLES / BATCH;

  tiny_config (&config);
  t = new_trainer (data, &config);
  ref = new_trainer (data, &config);
  run_steps (t, spe);   /* at an epoch boundary: the failed step shuffles */
  run_steps (ref, spe);
  bsc_model_tensor (t->model, "proto_b", NULL)[0] = NAN;
  bsc_model_tensor (ref->model, "proto_b", NULL)[0] = NAN;

  g_assert_false (bsc_trainer_step (t, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Step "));
  assert_same_state (t, ref);
}

/* ---- checkpoints --------------------------------------------------- */

static char *
temp_path (const char *name)
{
  g_autofree char *dir = g_dir_make_tmp ("bsc-trainer-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static void
remove_temp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static BscTrainer *
save_and_load (BscTrainer *t,
               BscDataset *data)
{
  g_autofree char *path = temp_path ("model.safetensors");
  g_autoptr(GError) error = NULL;
  BscTrainer *loaded;
  BscConfig config;

  g_assert_true (bsc_trainer_save (t, path, &error));
  g_assert_no_error (error);
  g_assert_true (bsc_checkpoint_read_config (path, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&config, sizeof config, &t->config, sizeof config);
  loaded = bsc_trainer_load (data, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  remove_temp (path);
  return loaded;
}

static void
test_checkpoint_round_trip (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL, loaded = NULL;
  g_autoptr(BscEvaluation) ev = NULL;
  BscConfig config;

  tiny_config (&config);
  t = new_trainer (data, &config);
  run_steps (t, 3);
  bsc_trainer_set_lr_scale (t, 0.3);
  ev = bsc_trainer_evaluate (t, NULL, NULL);
  loaded = save_and_load (t, data);
  assert_same_state (t, loaded);
  g_assert_cmpmem (loaded->probe, BATCH * sizeof (gsize), t->probe,
                   BATCH * sizeof (gsize));
  g_assert_nonnull (loaded->last_clusters);
  g_assert_cmpmem (loaded->last_clusters, N_SAMPLES * 4, ev->clusters,
                   N_SAMPLES * 4);
  g_assert_cmpfloat (bsc_trainer_get_lr (loaded), ==, bsc_trainer_get_lr (t));
}

/* Training k steps, saving, loading and training the rest equals an
 * uninterrupted run bit for bit, at an epoch boundary and mid-epoch. */
static void
test_exact_resume (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) whole = NULL;
  BscConfig config;
  guint spe = N_SAMPLES / BATCH;
  guint64 cuts[] = { spe, 2 * spe + 3 };

  tiny_config (&config);
  whole = new_trainer (data, &config);
  run_steps (whole, 4 * spe);

  for (guint c = 0; c < G_N_ELEMENTS (cuts); c++)
    {
      g_autoptr(BscTrainer) first = new_trainer (data, &config);
      g_autoptr(BscTrainer) resumed = NULL;

      run_steps (first, cuts[c]);
      resumed = save_and_load (first, data);
      run_steps (resumed, 4 * spe - cuts[c]);
      g_assert_true (bsc_trainer_is_finished (resumed));
      assert_same_state (whole, resumed);
      assert_same_evaluation (whole, resumed);
    }
}

/* The file is plain safetensors: aligned header, contiguous tensors that
 * fill the file, 2-D weight shapes, string metadata. */
static void
test_checkpoint_format (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscTrainer) t = NULL;
  g_autofree char *path = temp_path ("model.safetensors");
  g_autofree char *bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *header, *meta, *w;
  JsonArray *shape;
  guint64 len;
  gsize size, end = 0;
  BscConfig config;

  tiny_config (&config);
  t = new_trainer (data, &config);
  g_assert_true (bsc_trainer_save (t, path, NULL));
  g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
  memcpy (&len, bytes, 8);
  len = GUINT64_FROM_LE (len);
  g_assert_cmpuint (len % 8, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, bytes + 8, len, NULL));
  header = json_node_get_object (json_parser_get_root (parser));
  meta = json_object_get_object_member (header, "__metadata__");
  g_assert_cmpstr (json_object_get_string_member (meta, "config.hidden1"),
                   ==, "32");
  g_assert_cmpstr (json_object_get_string_member (meta, "trainer.step"),
                   ==, "0");

  members = json_object_get_members (header);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "__metadata__"))
      {
        JsonArray *off = json_object_get_array_member (
          json_object_get_object_member (header, l->data), "data_offsets");

        end = MAX (end, (gsize) json_array_get_int_element (off, 1));
      }
  g_assert_cmpuint (end, ==, size - 8 - len);
  w = json_object_get_object_member (header, "bb_fc1_w");
  g_assert_cmpstr (json_object_get_string_member (w, "dtype"), ==, "F32");
  shape = json_object_get_array_member (w, "shape");
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 32);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, DIM);
  remove_temp (path);
}

static void
write_bytes (const char *path,
             const char *bytes,
             gsize       size)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, bytes, (gssize) size, &error);
  g_assert_no_error (error);
}

static void
expect_load_error (BscDataset *data,
                   const char *path,
                   gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BscTrainer) t = bsc_trainer_load (data, path, &error);

  g_assert_null (t);
  g_assert_error (error, BSC_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
test_checkpoint_errors (void)
{
  g_autoptr(BscDataset) data = make_blobs (N_SAMPLES, DIM, 1);
  g_autoptr(BscDataset) other = make_blobs (N_SAMPLES + 8, DIM, 1);
  g_autoptr(BscDataset) wide = make_blobs (N_SAMPLES, DIM + 1, 1);
  g_autoptr(BscDataset) same_size = make_blobs (N_SAMPLES, DIM, 2);
  g_autoptr(BscTrainer) t = NULL;
  g_autofree char *path = temp_path ("model.safetensors");
  g_autofree char *bytes = NULL;
  gsize size;
  BscConfig config;

  tiny_config (&config);
  t = new_trainer (data, &config);
  g_assert_true (bsc_trainer_save (t, path, NULL));
  expect_load_error (other, path, BSC_ERROR_INVALID_DATA);
  expect_load_error (wide, path, BSC_ERROR_INVALID_DATA);
  /* as many samples of as many values, but other ones */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BscTrainer) wrong = bsc_trainer_load (same_size, path, &error);

    g_assert_null (wrong);
    g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "other samples"));
  }

  g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
  write_bytes (path, bytes, size - 100);   /* truncated */
  expect_load_error (data, path, BSC_ERROR_INVALID_DATA);
  write_bytes (path, bytes, 5);
  expect_load_error (data, path, BSC_ERROR_INVALID_DATA);
  bytes[8] = '#';                           /* header not JSON */
  write_bytes (path, bytes, size);
  expect_load_error (data, path, BSC_ERROR_INVALID_DATA);
  /* Another program's safetensors file. */
  write_bytes (path, "\x20\0\0\0\0\0\0\0{\"__metadata__\":{\"format\":\"pt\"}}  ",
               40);
  expect_load_error (data, path, BSC_ERROR_INVALID_DATA);
  g_assert_false (bsc_checkpoint_read_config (path, &config, NULL));
  remove_temp (path);
  expect_load_error (data, path, BSC_ERROR_IO);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/validation", test_validation);
  g_test_add_func ("/trainer/schedule", test_schedule);
  g_test_add_func ("/trainer/drop-last", test_drop_last);
  g_test_add_func ("/trainer/augmentation", test_augmentation);
  g_test_add_func ("/trainer/no-augmentation", test_no_augmentation);
  g_test_add_func ("/trainer/determinism", test_determinism);
  g_test_add_func ("/trainer/evaluate", test_evaluate);
  g_test_add_func ("/trainer/probe", test_probe);
  g_test_add_func ("/trainer/learns-blobs", test_learns_blobs);
  g_test_add_func ("/trainer/failed-step", test_failed_step);
  g_test_add_func ("/trainer/checkpoint-round-trip",
                   test_checkpoint_round_trip);
  g_test_add_func ("/trainer/exact-resume", test_exact_resume);
  g_test_add_func ("/trainer/checkpoint-format", test_checkpoint_format);
  g_test_add_func ("/trainer/checkpoint-errors", test_checkpoint_errors);
  return g_test_run ();
}
