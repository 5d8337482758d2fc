/* test-tsne.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The t-SNE map: perplexity calibration against the entropy and a naive
 * neighbour search, the gradient against central differences of
 * KL (P || Q) in double, separation of Gaussian blobs with and without
 * landmarks, warm starts that follow the input, degenerate input and
 * determinism (also across the two repulsion kernels).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-parallel.h"
#include "bsc-rng.h"
#include "bsc-tsne.h"
#include "bsc-tsne-private.h"

static float *
random_matrix (guint64 seed,
               gsize   rows,
               guint   cols)
{
  BscRng rng;
  float *m = g_new (float, rows * cols);

  bsc_rng_init (&rng, seed);
  for (gsize i = 0; i < rows * cols; i++)
    m[i] = (float) bsc_rng_normal (&rng);
  return m;
}

/* n_blobs x per points in d dimensions: centres N (0, 1) per coordinate,
 * points centre + std N (0, 1); labels (n) = the blob. */
static float *
blobs (guint64  seed,
       guint    n_blobs,
       gsize    per,
       guint    d,
       double   std,
       guint   *labels)
{
  BscRng rng;
  g_autofree double *centre = g_new (double, d);
  float *x = g_new (float, n_blobs * per * d);

  bsc_rng_init (&rng, seed);
  for (guint b = 0; b < n_blobs; b++)
    {
      for (guint k = 0; k < d; k++)
        centre[k] = bsc_rng_normal (&rng);
      for (gsize i = b * per; i < (b + 1) * per; i++)
        {
          labels[i] = b;
          for (guint k = 0; k < d; k++)
            x[i * d + k] = (float) (centre[k] + std * bsc_rng_normal (&rng));
        }
    }
  return x;
}

static void
assert_finite (const float *v,
               gsize        count)
{
  for (gsize i = 0; i < count; i++)
    g_assert_true (isfinite (v[i]));
}

/* ---- calibration --------------------------------------------------- */

typedef struct
{
  double d2;
  guint  j;
} Cand;

static int
cand_cmp (const void *a,
          const void *b)
{
  const Cand *x = a, *y = b;

  if (x->d2 != y->d2)
    return x->d2 < y->d2 ? -1 : 1;
  return (x->j > y->j) - (x->j < y->j);
}

static int
guint32_cmp (const void *a,
             const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/* d2 (n x n) between the rows of x scaled to unit length, in double. */
static float *
unit_distances (const float *x,
                gsize        n,
                guint        d)
{
  g_autofree double *u = g_new (double, n * d);
  float *d2 = g_new (float, n * n);

  for (gsize i = 0; i < n; i++)
    {
      double norm = 0.0;

      for (guint k = 0; k < d; k++)
        norm += (double) x[i * d + k] * x[i * d + k];
      for (guint k = 0; k < d; k++)
        u[i * d + k] = x[i * d + k] / sqrt (norm);
    }
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      {
        double s = 0.0;

        for (guint k = 0; k < d; k++)
          s += (u[i * d + k] - u[j * d + k]) * (u[i * d + k] - u[j * d + k]);
        d2[i * n + j] = (float) s;
      }
  return d2;
}

/* Row i's neighbours are its k nearest (a full sort), p sums to 1 and has
 * the entropy log (effective perplexity). */
static void
check_calibration (const float *d2,
                   gsize        n,
                   double       perplexity)
{
  double eff;
  guint k = _bsc_tsne_neighbours (n, perplexity, &eff);
  g_autofree guint32 *nbr = g_new (guint32, n * k);
  g_autofree float *p = g_new (float, n * k);
  g_autofree Cand *cand = g_new (Cand, n);
  g_autofree guint32 *want = g_new (guint32, k);

  g_assert_cmpuint (k, ==, (guint) MIN (n - 1, floor (3.0 * eff + 1e-9)));
  _bsc_tsne_conditional (d2, n, perplexity, nbr, p);
  for (gsize i = 0; i < n; i++)
    {
      double sum = 0.0, h = 0.0;
      gsize c = 0;

      for (guint t = 0; t < k; t++)
        {
          sum += p[i * k + t];
          h -= p[i * k + t] > 0 ? p[i * k + t] * log (p[i * k + t]) : 0.0;
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
      g_assert_cmpfloat_with_epsilon (h, log (eff), 1e-4);

      for (gsize j = 0; j < n; j++)
        if (j != i)
          cand[c++] = (Cand) { d2[i * n + j], (guint) j };
      qsort (cand, c, sizeof (Cand), cand_cmp);
      for (guint t = 0; t < k; t++)
        want[t] = cand[t].j;
      qsort (want, k, sizeof (guint32), guint32_cmp);
      qsort (nbr + i * k, k, sizeof (guint32), guint32_cmp);
      g_assert_cmpmem (nbr + i * k, k * sizeof (guint32),
                       want, k * sizeof (guint32));
    }
}

static void
test_calibration (void)
{
  g_autofree float *x = random_matrix (1, 300, 10);
  g_autofree float *d2 = unit_distances (x, 300, 10);
  g_autofree float *d2_few = unit_distances (x, 40, 10);

  check_calibration (d2, 300, 30.0);
  check_calibration (d2, 300, 5.0);
  check_calibration (d2, 300, 1.5);
  /* fewer points than 3 perplexity: the perplexity shrinks with them */
  check_calibration (d2_few, 40, 30.0);
}

/* Equal distances: the uniform distribution over the neighbours. */
static void
test_calibration_equal (void)
{
  gsize n = 20;
  guint k = _bsc_tsne_neighbours (n, 30.0, NULL);
  g_autofree float *d2 = g_new0 (float, n * n);
  g_autofree guint32 *nbr = g_new (guint32, n * k);
  g_autofree float *p = g_new (float, n * k);

  g_assert_cmpuint (k, ==, 19);
  _bsc_tsne_conditional (d2, n, 30.0, nbr, p);
  for (gsize i = 0; i < n * k; i++)
    g_assert_cmpfloat_with_epsilon (p[i], 1.0 / k, 1e-7);
}

/* ---- gradient ------------------------------------------------------ */

/* KL (P || Q) of the layout y (n x 2) in double. */
static double
kl (const float  *p,
    const double *y,
    gsize         n)
{
  double z = 0.0, c = 0.0;

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      if (i != j)
        {
          double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];

          z += 1.0 / (1.0 + dx * dx + dy * dy);
        }
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      if (i != j && p[i * n + j] > 0.0f)
        {
          double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
          double q = 1.0 / (1.0 + dx * dx + dy * dy) / z;

          c += p[i * n + j] * log (p[i * n + j] / q);
        }
  return c;
}

static void
test_gradient (void)
{
  const gsize n = 30;
  const guint d = 8;
  g_autofree float *x = random_matrix (2, n, d);
  g_autofree float *y = random_matrix (3, n, 2);
  g_autofree float *p = g_new (float, n * n);
  g_autofree float *grad = g_new (float, n * 2);
  g_autofree float *grad12 = g_new (float, n * 2);
  g_autofree double *yd = g_new (double, n * 2);
  double total = 0.0, err = 0.0, norm = 0.0, h = 1e-5;

  g_assert_true (_bsc_tsne_kl_gradient (x, n, d, 5.0, 1.0, y, p, grad));
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      {
        g_assert_cmpfloat_with_epsilon (p[i * n + j], p[j * n + i], 1e-9);
        total += p[i * n + j];
      }
  g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-5);
  g_assert_cmpfloat (p[0], ==, 0.0f);

  for (gsize c = 0; c < n * 2; c++)
    yd[c] = y[c];
  for (gsize c = 0; c < n * 2; c++)
    {
      double up, down, fd;

      yd[c] = y[c] + h;
      up = kl (p, yd, n);
      yd[c] = y[c] - h;
      down = kl (p, yd, n);
      yd[c] = y[c];
      fd = (up - down) / (2.0 * h);
      err += (grad[c] - fd) * (grad[c] - fd);
      norm += fd * fd;
    }
  g_assert_cmpfloat (norm, >, 1e-6);
  g_assert_cmpfloat (sqrt (err / norm), <, 1e-3);

  /* exaggeration multiplies the attraction only */
  g_assert_true (_bsc_tsne_kl_gradient (x, n, d, 5.0, 12.0, y, p, grad12));
  for (gsize i = 0; i < n; i++)
    for (guint a = 0; a < 2; a++)
      {
        double attract = 0.0;

        for (gsize j = 0; j < n; j++)
          {
            double dx = yd[2 * i] - yd[2 * j];
            double dy = yd[2 * i + 1] - yd[2 * j + 1];

            attract += p[i * n + j] * (yd[2 * i + a] - yd[2 * j + a])
                       / (1.0 + dx * dx + dy * dy);
          }
        g_assert_cmpfloat_with_epsilon (grad12[2 * i + a] - grad[2 * i + a],
                                        4.0 * 11.0 * attract, 1e-5);
      }
}

/* ---- layouts ------------------------------------------------------- */

/* The fraction of points whose k nearest points in 2-D all share their
 * label (a naive search). */
static double
knn_purity (const float *pts,
            const guint *labels,
            gsize        n,
            guint        k)
{
  g_autofree float *best = g_new (float, k);
  g_autofree gsize *who = g_new (gsize, k);
  gsize pure = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint count = 0, same = 0;

      for (gsize j = 0; j < n; j++)
        {
          float dx = pts[2 * i] - pts[2 * j];
          float dy = pts[2 * i + 1] - pts[2 * j + 1];
          float v = dx * dx + dy * dy;
          guint pos;

          if (j == i || (count == k && !(v < best[k - 1])))
            continue;
          pos = count < k ? count++ : k - 1;
          for (; pos > 0 && best[pos - 1] > v; pos--)
            best[pos] = best[pos - 1], who[pos] = who[pos - 1];
          best[pos] = v;
          who[pos] = j;
        }
      for (guint t = 0; t < k; t++)
        same += labels[who[t]] == labels[i];
      pure += same == k;
    }
  return (double) pure / n;
}

/* Centroids (n_blobs x 2) and mean distances to them (n_blobs). */
static void
blob_stats (const float *pts,
            const guint *labels,
            gsize        n,
            guint        n_blobs,
            double      *centroid,
            double      *radius)
{
  g_autofree gsize *count = g_new0 (gsize, n_blobs);

  memset (centroid, 0, sizeof (double) * 2 * n_blobs);
  memset (radius, 0, sizeof (double) * n_blobs);
  for (gsize i = 0; i < n; i++)
    {
      centroid[2 * labels[i]] += pts[2 * i];
      centroid[2 * labels[i] + 1] += pts[2 * i + 1];
      count[labels[i]]++;
    }
  for (guint b = 0; b < n_blobs; b++)
    centroid[2 * b] /= count[b], centroid[2 * b + 1] /= count[b];
  for (gsize i = 0; i < n; i++)
    radius[labels[i]] += hypot (pts[2 * i] - centroid[2 * labels[i]],
                                pts[2 * i + 1] - centroid[2 * labels[i] + 1])
                         / count[labels[i]];
}

/* Centred, unit RMS radius. */
static void
assert_normalised (const float *pts,
                   gsize        n)
{
  double cx = 0.0, cy = 0.0, r2 = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      cx += pts[2 * i] / n;
      cy += pts[2 * i + 1] / n;
      r2 += ((double) pts[2 * i] * pts[2 * i]
             + (double) pts[2 * i + 1] * pts[2 * i + 1]) / n;
    }
  g_assert_cmpfloat_with_epsilon (cx, 0.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (cy, 0.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (r2, 1.0, 1e-4);
}

/* Every blob's 2-D centroid is farther from every other than the mean
 * radius of the blobs. */
static void
assert_apart (const double *centroid,
              const double *radius,
              guint         n_blobs)
{
  double mean_radius = 0.0;

  for (guint b = 0; b < n_blobs; b++)
    mean_radius += radius[b] / n_blobs;
  for (guint a = 0; a < n_blobs; a++)
    for (guint b = a + 1; b < n_blobs; b++)
      g_assert_cmpfloat (hypot (centroid[2 * a] - centroid[2 * b],
                                centroid[2 * a + 1] - centroid[2 * b + 1]),
                         >, mean_radius);
}

#define BLOBS 6
#define PER 80
#define DIM 32

static void
test_separation (void)
{
  guint labels[BLOBS * PER];
  g_autofree float *x = blobs (10, BLOBS, PER, DIM, 0.5, labels);
  g_autofree float *pts = g_new (float, BLOBS * PER * 2);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (7);
  g_autoptr(GError) error = NULL;
  double centroid[BLOBS * 2], radius[BLOBS], purity;

  g_assert_true (bsc_tsne_update (tsne, x, BLOBS * PER, DIM, NULL, 0, pts,
                                  &error));
  g_assert_no_error (error);
  assert_finite (pts, BLOBS * PER * 2);
  assert_normalised (pts, BLOBS * PER);
  purity = knn_purity (pts, labels, BLOBS * PER, 10);
  g_test_message ("10-NN purity %.4f", purity);
  g_assert_cmpfloat (purity, >=, 0.95);
  blob_stats (pts, labels, BLOBS * PER, BLOBS, centroid, radius);
  assert_apart (centroid, radius, BLOBS);
}

#define LM_PER 1000

static void
test_landmarks (void)
{
  gsize n = BLOBS * LM_PER;
  g_autofree guint *labels = g_new (guint, n);
  g_autofree float *x = blobs (11, BLOBS, LM_PER, DIM, 0.5, labels);
  g_autofree float *pts = g_new (float, n * 2);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (8);
  double centroid[BLOBS * 2], radius[BLOBS], purity;
  float mean[BLOBS * DIM] = { 0 }, placed[BLOBS * 2];

  g_assert_cmpuint (n, >, BSC_TSNE_MAX_LANDMARKS);
  g_assert_true (bsc_tsne_update (tsne, x, n, DIM, NULL, 0, pts, NULL));
  assert_finite (pts, n * 2);
  purity = knn_purity (pts, labels, n, 10);
  g_test_message ("10-NN purity %.4f", purity);
  g_assert_cmpfloat (purity, >=, 0.95);
  blob_stats (pts, labels, n, BLOBS, centroid, radius);
  assert_apart (centroid, radius, BLOBS);

  /* each blob's mean row lands among its points */
  for (gsize i = 0; i < n; i++)
    for (guint k = 0; k < DIM; k++)
      mean[labels[i] * DIM + k] += x[i * DIM + k] / LM_PER;
  g_assert_true (bsc_tsne_place (tsne, mean, BLOBS, DIM, placed));
  for (guint b = 0; b < BLOBS; b++)
    g_assert_cmpfloat (hypot (placed[2 * b] - centroid[2 * b],
                              placed[2 * b + 1] - centroid[2 * b + 1]),
                       <, radius[b]);
  g_assert_false (bsc_tsne_place (tsne, mean, BLOBS, DIM - 1, placed));
}

/* The k nearest of point i by the distances d2 (n x n) into who. */
static void
nearest_k (const float *d2,
           gsize        n,
           gsize        i,
           guint        k,
           gsize       *who)
{
  g_autofree Cand *cand = g_new (Cand, n);
  gsize c = 0;

  for (gsize j = 0; j < n; j++)
    if (j != i)
      cand[c++] = (Cand) { d2[i * n + j], (guint) j };
  qsort (cand, c, sizeof (Cand), cand_cmp);
  for (guint t = 0; t < k; t++)
    who[t] = cand[t].j;
}

/* Rows without structure (uniform in a cube) make early exaggeration
 * shrink the whole layout towards a point; the map must come back out of
 * it with neighbourhoods kept (chance: 10 / n). */
static void
test_no_structure (void)
{
  const gsize n = 1000;
  const guint d = 64;
  g_autofree float *x = g_new (float, n * d);
  g_autofree float *pts = g_new (float, n * 2);
  g_autofree float *d2 = NULL, *d2_map = g_new (float, n * n);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (3);
  gsize in[10], out[10], kept = 0;
  BscRng rng;

  bsc_rng_init (&rng, 18);
  for (gsize i = 0; i < n * d; i++)
    x[i] = 2.0f * bsc_rng_uniform (&rng) - 1.0f;
  g_assert_true (bsc_tsne_update (tsne, x, n, d, NULL, 0, pts, NULL));
  assert_finite (pts, n * 2);
  assert_normalised (pts, n);

  d2 = unit_distances (x, n, d);
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      d2_map[i * n + j] = hypotf (pts[2 * i] - pts[2 * j],
                                  pts[2 * i + 1] - pts[2 * j + 1]);
  for (gsize i = 0; i < n; i++)
    {
      nearest_k (d2, n, i, 10, in);
      nearest_k (d2_map, n, i, 10, out);
      for (guint a = 0; a < 10; a++)
        for (guint b = 0; b < 10; b++)
          kept += in[a] == out[b];
    }
  g_test_message ("10-NN kept %.3f", kept / (10.0 * n));
  g_assert_cmpfloat (kept / (10.0 * n), >=, 0.15);
}

/* A slightly changed input moves the points a little: the map follows. */
static void
test_warm_start (void)
{
  gsize n = BLOBS * PER;
  guint labels[BLOBS * PER];
  g_autofree float *x = blobs (12, BLOBS, PER, DIM, 0.5, labels);
  g_autofree float *noise = random_matrix (13, n, DIM);
  g_autofree float *first = g_new (float, n * 2);
  g_autofree float *second = g_new (float, n * 2);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (9);
  double moved = 0.0;

  g_assert_true (bsc_tsne_update (tsne, x, n, DIM, NULL, 0, first, NULL));
  for (gsize i = 0; i < n * DIM; i++)
    x[i] += 1e-3f * noise[i];
  g_assert_true (bsc_tsne_update (tsne, x, n, DIM, NULL, 0, second, NULL));
  assert_finite (second, n * 2);
  assert_normalised (second, n);
  for (gsize i = 0; i < n; i++)
    moved += hypot (second[2 * i] - first[2 * i],
                    second[2 * i + 1] - first[2 * i + 1]) / n;
  g_test_message ("mean displacement %.4f of the RMS radius", moved);
  g_assert_cmpfloat (moved, <, 0.1);
  g_assert_cmpfloat (moved, >, 0.0);
  g_assert_cmpfloat (knn_purity (second, labels, n, 10), >=, 0.95);
}

static void
test_degenerate (void)
{
  g_autofree float *x = random_matrix (14, 50, 4);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (1);
  g_autoptr(GError) error = NULL;
  float pts[50 * 2], init[50 * 2] = { 0 }, placed[2];

  g_assert_false (bsc_tsne_place (tsne, x, 1, 4, placed));
  g_test_expect_message ("bsc-core", G_LOG_LEVEL_CRITICAL, "*n >= 1*");
  g_assert_false (bsc_tsne_update (tsne, x, 0, 4, NULL, 0, pts, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* all rows identical, from a start without spread */
  for (gsize i = 1; i < 50; i++)
    memcpy (x + i * 4, x, sizeof (float) * 4);
  g_assert_true (bsc_tsne_update (tsne, x, 50, 4, init, 0, pts, &error));
  g_assert_no_error (error);
  assert_finite (pts, 50 * 2);
  g_assert_true (bsc_tsne_update (tsne, x, 50, 4, NULL, 0, pts, &error));
  assert_finite (pts, 50 * 2);
  g_assert_true (bsc_tsne_place (tsne, x, 1, 4, placed));
  assert_finite (placed, 2);

  /* a zero row and a row of zeros to place */
  memset (x, 0, sizeof (float) * 4);
  g_assert_true (bsc_tsne_update (tsne, x, 50, 4, NULL, 0, pts, &error));
  assert_finite (pts, 50 * 2);
  g_assert_true (bsc_tsne_place (tsne, x, 1, 4, placed));
  assert_finite (placed, 2);

  /* one point sits at the centre; two and five are finite */
  g_clear_pointer (&x, g_free);
  x = random_matrix (15, 5, 4);
  g_assert_true (bsc_tsne_update (tsne, x, 1, 4, NULL, 0, pts, &error));
  g_assert_cmpfloat (pts[0], ==, 0.0f);
  g_assert_cmpfloat (pts[1], ==, 0.0f);
  for (gsize n = 2; n <= 5; n++)
    {
      g_assert_true (bsc_tsne_update (tsne, x, n, 4, NULL, 0, pts, &error));
      g_assert_no_error (error);
      assert_finite (pts, n * 2);
      assert_normalised (pts, n);
    }
  g_assert_true (bsc_tsne_update (tsne, x, 5, 4, NULL, 3, pts, &error));
  assert_finite (pts, 5 * 2);
}

static void
test_not_finite (void)
{
  g_autofree float *x = random_matrix (16, 40, 6);
  g_autoptr(BscTsne) tsne = bsc_tsne_new (1);
  g_autoptr(GError) error = NULL;
  float pts[40 * 2], placed[4], again[2];

  x[17 * 6 + 3] = NAN;
  g_assert_false (bsc_tsne_update (tsne, x, 40, 6, NULL, 0, pts, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Row 17 "));
  g_assert_false (bsc_tsne_place (tsne, x, 1, 6, placed));
  g_clear_error (&error);

  /* after a good update, a row with infinity to place goes to the centre */
  x[17 * 6 + 3] = 0.5f;
  g_assert_true (bsc_tsne_update (tsne, x, 40, 6, NULL, 0, pts, &error));
  x[6] = INFINITY;
  g_assert_true (bsc_tsne_place (tsne, x, 2, 6, placed));
  assert_finite (placed, 4);
  g_assert_cmpfloat (placed[2], ==, 0.0f);
  g_assert_cmpfloat (placed[3], ==, 0.0f);
  /* an infinite row in an update is refused, naming it; the map stays */
  g_assert_false (bsc_tsne_update (tsne, x, 40, 6, NULL, 0, pts, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Row 1 "));
  g_assert_true (bsc_tsne_place (tsne, x, 1, 6, again));
  g_assert_cmpmem (again, sizeof again, placed, sizeof again);
}

/* The same seed gives the same bits, also on the portable kernel. */
static void
test_deterministic (void)
{
  gsize n = 300;
  guint labels[300];
  g_autofree float *x = blobs (17, 3, 100, 16, 0.3, labels);
  g_autofree float *a = g_new (float, n * 2);
  g_autofree float *b = g_new (float, n * 2);
  g_autofree float *c = g_new (float, n * 2);
  g_autoptr(BscTsne) ta = bsc_tsne_new (5);
  g_autoptr(BscTsne) tb = bsc_tsne_new (5);
  g_autoptr(BscTsne) tc = bsc_tsne_new (6);

  g_assert_true (bsc_tsne_update (ta, x, n, 16, NULL, 0, a, NULL));
  _bsc_tsne_set_portable (TRUE);
  g_assert_true (bsc_tsne_update (tb, x, n, 16, NULL, 0, b, NULL));
  _bsc_tsne_set_portable (FALSE);
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));

  g_assert_true (bsc_tsne_update (ta, x, n, 16, NULL, 0, a, NULL));
  g_assert_true (bsc_tsne_update (tb, x, n, 16, NULL, 0, b, NULL));
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));

  g_assert_true (bsc_tsne_update (tc, x, n, 16, NULL, 0, c, NULL));
  g_assert_true (memcmp (a, c, n * 2 * sizeof (float)) != 0);
}

/* Copies of a row share one place, and the rest of the map is the map of
 * the distinct rows: three blobs with every row given three times (the
 * copies scattered) lay out as the blobs alone, bit for bit. */
static void
test_duplicates (void)
{
  const gsize m = 150, n = 3 * m;
  const guint d = 16;
  guint labels[150];
  g_autofree float *x = blobs (23, 3, 50, d, 0.3, labels);
  g_autofree float *xd = g_new (float, n * d);
  g_autofree float *alone = g_new (float, m * 2);
  g_autofree float *with = g_new (float, n * 2);
  g_autofree gsize *src = g_new (gsize, n);
  g_autoptr(BscTsne) ta = bsc_tsne_new (2);
  g_autoptr(BscTsne) tb = bsc_tsne_new (2);
  g_autoptr(BscTsne) tc = bsc_tsne_new (2);
  float same[40 * 4], same_out[40 * 2];

  /* row i of xd is row src[i] of x; the first copy of each comes in order */
  for (gsize i = 0; i < n; i++)
    src[i] = i < m ? i : (i * 7) % m;
  for (gsize i = 0; i < n; i++)
    memcpy (xd + i * d, x + src[i] * d, sizeof (float) * d);
  g_assert_true (bsc_tsne_update (ta, x, m, d, NULL, 0, alone, NULL));
  g_assert_true (bsc_tsne_update (tb, xd, n, d, NULL, 0, with, NULL));
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpfloat (with[2 * i], ==, alone[2 * src[i]]);
      g_assert_cmpfloat (with[2 * i + 1], ==, alone[2 * src[i] + 1]);
    }
  /* a warm update keeps them together */
  g_assert_true (bsc_tsne_update (tb, xd, n, d, NULL, 0, with, NULL));
  for (gsize i = m; i < n; i++)
    g_assert_cmpmem (with + 2 * i, 2 * sizeof (float),
                     with + 2 * src[i], 2 * sizeof (float));

  /* the same number of distinct rows but other copies: a fresh map (the
   * one a new object makes), not the last one's places shifted by one */
  {
    g_autofree float *pa = g_memdup2 (x, sizeof (float) * m * d);
    g_autofree float *pb = g_memdup2 (x, sizeof (float) * m * d);
    g_autofree float *oa = g_new (float, m * 2);
    g_autofree float *ob = g_new (float, m * 2);
    g_autofree float *fresh = g_new (float, m * 2);
    g_autoptr(BscTsne) warm = bsc_tsne_new (2);
    g_autoptr(BscTsne) anew = bsc_tsne_new (2);

    memcpy (pa + 1 * d, pa, sizeof (float) * d);          /* row 1 = row 0 */
    memcpy (pb + 101 * d, pb + 100 * d, sizeof (float) * d);   /* 101 = 100 */
    g_assert_true (bsc_tsne_update (warm, pa, m, d, NULL, 0, oa, NULL));
    g_assert_true (bsc_tsne_update (warm, pb, m, d, NULL, 0, ob, NULL));
    g_assert_true (bsc_tsne_update (anew, pb, m, d, NULL, 0, fresh, NULL));
    g_assert_cmpmem (ob, m * 2 * sizeof (float), fresh, m * 2 * sizeof (float));
  }

  /* forty copies of one row: one place, the centre */
  for (guint i = 0; i < 40 * 4; i++)
    same[i] = (float) (i % 4) + 0.5f;
  g_assert_true (bsc_tsne_update (tc, same, 40, 4, NULL, 0, same_out, NULL));
  for (guint i = 0; i < 40 * 2; i++)
    g_assert_cmpfloat (same_out[i], ==, 0.0f);
}

/* One thread gives the layout of two; a cancelled update fails, and the
 * next one starts afresh and gives the first layout again. */
static void
test_threads_cancel (void)
{
  gsize n = 240;
  guint labels[240];
  g_autofree float *x = blobs (29, 4, 60, 12, 0.3, labels);
  g_autofree float *a = g_new (float, n * 2);
  g_autofree float *b = g_new (float, n * 2);
  g_autoptr(BscTsne) ta = bsc_tsne_new (4);
  g_autoptr(BscTsne) tb = bsc_tsne_new (4);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (bsc_tsne_update (ta, x, n, 12, NULL, 0, a, NULL));
  bsc_tsne_set_threads (tb, 1);
  g_assert_true (bsc_tsne_update (tb, x, n, 12, NULL, 0, b, NULL));
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));

  bsc_tsne_set_cancellable (tb, cancellable);
  g_cancellable_cancel (cancellable);
  g_assert_false (bsc_tsne_update (tb, x, n, 12, NULL, 0, b, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_CANCELLED);
  g_cancellable_reset (cancellable);
  g_assert_true (bsc_tsne_update (tb, x, n, 12, NULL, 0, b, NULL));
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the parallel paths, as the application runs them */
  _bsc_parallel_set_threads (2);
  g_test_add_func ("/tsne/calibration", test_calibration);
  g_test_add_func ("/tsne/calibration-equal", test_calibration_equal);
  g_test_add_func ("/tsne/gradient", test_gradient);
  g_test_add_func ("/tsne/separation", test_separation);
  g_test_add_func ("/tsne/landmarks", test_landmarks);
  g_test_add_func ("/tsne/no-structure", test_no_structure);
  g_test_add_func ("/tsne/warm-start", test_warm_start);
  g_test_add_func ("/tsne/degenerate", test_degenerate);
  g_test_add_func ("/tsne/not-finite", test_not_finite);
  g_test_add_func ("/tsne/deterministic", test_deterministic);
  g_test_add_func ("/tsne/duplicates", test_duplicates);
  g_test_add_func ("/tsne/threads-cancel", test_threads_cancel);
  return g_test_run ();
}
