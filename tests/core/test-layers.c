/* test-layers.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kernels of bsc-layers.c against two oracles: a naive loop in double
 * beside every BLAS call (forward values), and central finite differences
 * in double of that naive forward for every backward.  The loss is
 * L = sum (out * R) for a random R, so dL/dout = R.
 */

#include <math.h>
#include <string.h>

#include "bsc-layers.h"
#include "bsc-parallel.h"
#include "bsc-rng.h"
#include "core-util.h"

#define FD_H 1e-4

static BscRng rng;

static float *
rand_floats (gsize n,
             double scale)
{
  float *v = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    v[i] = (float) (scale * bsc_rng_normal (&rng));
  return v;
}

static double *
to_double (const float *v,
           gsize        n)
{
  double *d = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    d[i] = v[i];
  return d;
}

/* Relative closeness of an analytic gradient to a finite difference. */
static void
assert_grad_close (const float  *analytic,
                   const double *numeric,
                   gsize         n,
                   double        rtol)
{
  double scale = 1e-6, err = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      scale = MAX (scale, fabs (numeric[i]));
      err = MAX (err, fabs (analytic[i] - numeric[i]));
    }
  g_assert_cmpfloat (err, <=, rtol * scale);
}

/* Central differences of f over every entry of x (in place, restored). */
typedef double (*LossFunc) (gpointer data);

static double *
finite_diff (double   *x,
             gsize     n,
             LossFunc  f,
             gpointer  data)
{
  double *g = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      double keep = x[i], lp, lm;

      x[i] = keep + FD_H;
      lp = f (data);
      x[i] = keep - FD_H;
      lm = f (data);
      x[i] = keep;
      g[i] = (lp - lm) / (2 * FD_H);
    }
  return g;
}

/* ---- Linear ---- */

typedef struct
{
  double *x, *w, *b, *r;
  gsize   rows, in, out;
} LinearCase;

static void
linear_naive (const LinearCase *c,
              double           *y)
{
  for (gsize i = 0; i < c->rows; i++)
    for (gsize o = 0; o < c->out; o++)
      {
        double s = c->b[o];

        for (gsize k = 0; k < c->in; k++)
          s += c->x[i * c->in + k] * c->w[o * c->in + k];
        y[i * c->out + o] = s;
      }
}

static double
linear_loss (gpointer data)
{
  LinearCase *c = data;
  g_autofree double *y = g_new (double, c->rows * c->out);
  double l = 0.0;

  linear_naive (c, y);
  for (gsize i = 0; i < c->rows * c->out; i++)
    l += y[i] * c->r[i];
  return l;
}

static void
test_linear (void)
{
  gsize rows = 7, in = 5, out = 4;
  g_autofree float *x = rand_floats (rows * in, 1);
  g_autofree float *w = rand_floats (out * in, 1);
  g_autofree float *b = rand_floats (out, 1);
  g_autofree float *r = rand_floats (rows * out, 1);
  g_autofree float *y = g_new (float, rows * out);
  g_autofree float *dx = g_new (float, rows * in);
  g_autofree float *dw = g_new0 (float, out * in);
  g_autofree float *db = g_new0 (float, out);
  g_autofree double *yn = g_new (double, rows * out);
  g_autofree double *gx = NULL, *gw = NULL, *gb = NULL;
  LinearCase c = { to_double (x, rows * in), to_double (w, out * in),
                   to_double (b, out), to_double (r, rows * out), rows, in, out };

  /* Naive loop beside sgemm. */
  bsc_linear_forward (y, x, NULL, w, b, rows, in, out);
  linear_naive (&c, yn);
  for (gsize i = 0; i < rows * out; i++)
    g_assert_cmpfloat_with_epsilon (y[i], yn[i], 1e-5);

  bsc_linear_backward (dx, dw, db, r, x, NULL, w, rows, in, out, NULL);
  gx = finite_diff (c.x, rows * in, linear_loss, &c);
  gw = finite_diff (c.w, out * in, linear_loss, &c);
  gb = finite_diff (c.b, out, linear_loss, &c);
  assert_grad_close (dx, gx, rows * in, 1e-5);
  assert_grad_close (dw, gw, out * in, 1e-5);
  assert_grad_close (db, gb, out, 1e-5);

  /* Backward writes dW and db, whatever they held. */
  for (gsize i = 0; i < out; i++)
    db[i] = 1e6f;
  for (gsize i = 0; i < out * in; i++)
    dw[i] = NAN;
  bsc_linear_backward (NULL, dw, db, r, x, NULL, w, rows, in, out, NULL);
  assert_grad_close (dw, gw, out * in, 1e-5);
  assert_grad_close (db, gb, out, 1e-5);
  g_free (c.x);
  g_free (c.w);
  g_free (c.b);
  g_free (c.r);
}

/* dW = dY^T X checked as it is written: every value finite and below
 * 2^BSC_GRAD_LIMIT_EXP or not, whichever tile (the last row and column of
 * dW lie in edge tiles) and whichever kernel; only final values count (a
 * sum over 600 rows passes the kernel in several blocks of k: 2^120 in the
 * first, cancelled in the last, is not beyond); dW's values are the
 * unchecked product's. */
static void
test_linear_bounded (void)
{
  gsize rows = 600, in = 70, out = 45;
  g_autofree float *x = rand_floats (rows * in, 1);
  g_autofree float *w = rand_floats (out * in, 1);
  g_autofree float *dy = rand_floats (rows * out, 1);
  g_autofree float *dw = g_new (float, out * in);
  g_autofree float *dw0 = g_new (float, out * in);
  gboolean bounded = FALSE;
  const float big = 0x1p60f;

  bsc_linear_backward (NULL, dw0, NULL, dy, x, NULL, w, rows, in, out, NULL);
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_true (bounded);
  g_assert_cmpmem (dw, out * in * sizeof (float), dw0, out * in * sizeof (float));

  /* 2^120 at dW[out - 1][in - 1] */
  x[(rows - 1) * in + in - 1] = big;
  dy[(rows - 1) * out + out - 1] = big;
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_false (bounded);
  g_assert_cmpfloat (fabsf (dw[out * in - 1]), >=, 0x1p119f);

  /* + 2^120 from row 0, - 2^120 from the last row */
  x[in - 1] = big;
  dy[out - 1] = -big;
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_true (bounded);
  g_assert_cmpfloat (fabsf (dw[out * in - 1]), <, 0x1p100f);

  /* NaN and infinity anywhere in the inputs reach every limit */
  x[in - 1] = x[(rows - 1) * in + in - 1] = 1.0f;
  dy[out - 1] = dy[(rows - 1) * out + out - 1] = 1.0f;
  dy[7 * out] = NAN;
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_false (bounded);
  dy[7 * out] = 1.0f;
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_true (bounded);
  x[300 * in + 3] = INFINITY;
  bsc_linear_backward (NULL, dw, NULL, dy, x, NULL, w, rows, in, out,
                       &bounded);
  g_assert_false (bounded);
}

/* Asserts c[i ldc + j] (m x n) equals sum_k A_ik B_kj within 1e-4, with
 * A_ik = a[i sa + k ta], B_kj = b[k sb + j tb] in double. */
static void
assert_product (const float *c,
                gsize        ldc,
                gsize        m,
                gsize        n,
                gsize        kk,
                const float *a,
                gsize        sa,
                gsize        ta,
                const float *b,
                gsize        sb,
                gsize        tb)
{
  for (gsize i = 0; i < m; i++)
    for (gsize j = 0; j < n; j++)
      {
        double sum = 0.0;

        for (gsize k = 0; k < kk; k++)
          sum += (double) a[i * sa + k * ta] * b[k * sb + j * tb];
        g_assert_cmpfloat_with_epsilon (c[i * ldc + j], sum, 1e-4);
      }
}

/* A product split over two threads (bsc-layers.c cuts the longer side of
 * each result) against naive double loops: y = x W^T, dW += dY^T X,
 * dX = dY W. */
static void
linear_split_case (gsize rows,
                   gsize in,
                   gsize out)
{
  g_autofree float *x = rand_floats (rows * in, 1);
  g_autofree float *w = rand_floats (out * in, 1);
  g_autofree float *r = rand_floats (rows * out, 1);
  g_autofree float *y = g_new (float, rows * out);
  g_autofree float *dx = g_new (float, rows * in);
  g_autofree float *dw = g_new0 (float, out * in);

  bsc_linear_forward (y, x, NULL, w, NULL, rows, in, out);
  bsc_linear_backward (dx, dw, NULL, r, x, NULL, w, rows, in, out, NULL);
  assert_product (y, out, rows, out, in, x, in, 1, w, 1, in);
  assert_product (dw, in, out, in, rows, r, 1, out, x, in, 1);
  assert_product (dx, in, rows, in, out, r, out, 1, w, in, 1);
}

static void
test_linear_split (void)
{
  _bsc_parallel_set_threads (2);
  linear_split_case (150, 40, 130);   /* split by rows */
  linear_split_case (40, 30, 200);    /* forward split by columns */
  _bsc_parallel_set_threads (1);
}

/* A Linear layer reading its input through a BatchNorm map (forward and
 * dW, both thread splits: rows for dW's 300 x 200 and the forward's 512 x
 * 150, columns for the forward's 512 x 700) gives the bits of the same
 * layer on h written out by bsc_bn_forward_train and bsc_bn_apply. */
static void
linear_map_case (gsize out)
{
  gsize rows = 256, in = 300, n = 2 * rows * in;
  g_autofree float *a = rand_floats (n, 2);
  g_autofree float *gamma = rand_floats (in, 1), *beta = rand_floats (in, 1);
  g_autofree float *w = rand_floats (out * in, 1), *bias = rand_floats (out, 1);
  g_autofree float *dy = rand_floats (2 * rows * out, 1);
  g_autofree float *h = g_new (float, n), *h2 = g_new (float, n);
  g_autofree float *scale = g_new (float, 4 * in);
  float *shift = scale + 2 * in;
  g_autofree double *mean = g_new (double, 2 * in), *is = g_new (double, 2 * in);
  g_autofree float *y1 = g_new (float, 2 * rows * out);
  g_autofree float *y2 = g_new (float, 2 * rows * out);
  g_autofree float *dw1 = g_new (float, out * in), *dw2 = g_new (float, out * in);
  BscBnMap map = { scale, shift, rows, TRUE };

  bsc_bn_forward_train (h, mean, is, a, gamma, beta, rows, 2, in, TRUE, NULL,
                        NULL, 0.1, scale, shift);
  bsc_bn_apply (h2, a, scale, shift, rows, 2, in, TRUE);
  g_assert_cmpmem (h, n * sizeof (float), h2, n * sizeof (float));
  bsc_linear_forward (y1, h, NULL, w, bias, 2 * rows, in, out);
  bsc_linear_forward (y2, a, &map, w, bias, 2 * rows, in, out);
  g_assert_cmpmem (y1, 2 * rows * out * sizeof (float),
                   y2, 2 * rows * out * sizeof (float));
  bsc_linear_backward (NULL, dw1, NULL, dy, h, NULL, w, 2 * rows, in, out,
                       NULL);
  bsc_linear_backward (NULL, dw2, NULL, dy, a, &map, w, 2 * rows, in, out,
                       NULL);
  g_assert_cmpmem (dw1, out * in * sizeof (float), dw2,
                   out * in * sizeof (float));
}

static void
test_linear_map (void)
{
  _bsc_parallel_set_threads (2);
  linear_map_case (150);
  linear_map_case (700);
  _bsc_parallel_set_threads (1);
  linear_map_case (150);
}

/* bsc_zero and bsc_all_bounded over arrays long enough to be split. */
static void
test_zero_bounded (void)
{
  gsize n = (1 << 19) + 3;
  g_autofree float *v = g_new (float, n);

  _bsc_parallel_set_threads (2);
  for (gsize i = 0; i < n; i++)
    v[i] = 1.0f;
  bsc_zero (v, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (v[i], ==, 0.0f);
  g_assert_true (bsc_all_bounded (v, n, 10));
  v[n - 1] = 2048.0f;
  g_assert_false (bsc_all_bounded (v, n, 10));
  v[n - 1] = -1000.0f;
  g_assert_true (bsc_all_bounded (v, n, 10));
  v[1] = NAN;
  g_assert_false (bsc_all_bounded (v, n, 10));
  _bsc_parallel_set_threads (1);
}

/* ---- BatchNorm (+ReLU), train mode ---- */

typedef struct
{
  double  *a, *gamma, *beta, *r;
  gsize    rows, cols;
  gboolean relu;
} BnCase;

static void
bn_naive (const BnCase *c,
          double       *h,
          double       *mean,
          double       *var)
{
  for (gsize j = 0; j < c->cols; j++)
    {
      double m = 0.0, v = 0.0;

      for (gsize i = 0; i < c->rows; i++)
        m += c->a[i * c->cols + j];
      m /= c->rows;
      for (gsize i = 0; i < c->rows; i++)
        v += (c->a[i * c->cols + j] - m) * (c->a[i * c->cols + j] - m);
      v /= c->rows;
      for (gsize i = 0; i < c->rows; i++)
        {
          double t = (c->a[i * c->cols + j] - m) / sqrt (v + BSC_BN_EPS)
                     * c->gamma[j] + c->beta[j];

          h[i * c->cols + j] = c->relu ? MAX (t, 0.0) : t;
        }
      if (mean != NULL)
        {
          mean[j] = m;
          var[j] = v;
        }
    }
}

static double
bn_loss (gpointer data)
{
  BnCase *c = data;
  g_autofree double *h = g_new (double, c->rows * c->cols);
  double l = 0.0;

  bn_naive (c, h, NULL, NULL);
  for (gsize i = 0; i < c->rows * c->cols; i++)
    l += h[i] * c->r[i];
  return l;
}

static void
bn_case (gboolean relu,
         gsize    cols)
{
  gsize rows = 6, n = rows * cols;
  g_autofree float *a = rand_floats (n, 2);
  g_autofree float *gamma = rand_floats (cols, 1);
  g_autofree float *beta = rand_floats (cols, 1);
  g_autofree float *r = rand_floats (n, 1);
  g_autofree float *h = g_new (float, n);
  g_autofree float *g = g_memdup2 (r, n * sizeof (float));
  g_autofree float *dgamma = g_new0 (float, cols);
  g_autofree float *dbeta = g_new0 (float, cols);
  g_autofree float *rm = g_new0 (float, cols);
  g_autofree float *rv = g_new (float, cols);
  g_autofree double *mean = g_new (double, cols);
  g_autofree double *invstd = g_new (double, cols);
  g_autofree double *hn = g_new (double, n);
  g_autofree double *mn = g_new (double, cols);
  g_autofree double *vn = g_new (double, cols);
  g_autofree double *ga = NULL, *gg = NULL, *gb = NULL;
  BnCase c = { to_double (a, n), to_double (gamma, cols), to_double (beta, cols),
               to_double (r, n), rows, cols, relu };

  for (gsize j = 0; j < cols; j++)
    rv[j] = 1.0f;
  bsc_bn_forward_train (h, mean, invstd, a, gamma, beta, rows, 1, cols, relu,
                        rm, rv, 0.1, NULL, NULL);
  bn_naive (&c, hn, mn, vn);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (h[i], hn[i], 1e-5);
  for (gsize j = 0; j < cols; j++)
    {
      g_assert_cmpfloat_with_epsilon (rm[j], 0.1 * mn[j], 1e-6);
      g_assert_cmpfloat_with_epsilon (rv[j], 0.9 + 0.1 * vn[j] * rows / (rows - 1),
                                      1e-5);
    }

  bsc_bn_backward (g, dgamma, dbeta, a, mean, invstd, gamma, beta, relu,
                   rows, 1, cols);
  ga = finite_diff (c.a, n, bn_loss, &c);
  gg = finite_diff (c.gamma, cols, bn_loss, &c);
  gb = finite_diff (c.beta, cols, bn_loss, &c);
  assert_grad_close (g, ga, n, 1e-4);
  assert_grad_close (dgamma, gg, cols, 1e-4);
  assert_grad_close (dbeta, gb, cols, 1e-4);

  /* Eval mode with the running statistics. */
  bsc_bn_forward_eval (h, a, gamma, beta, rm, rv, rows, cols, relu);
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        double t = (a[i * cols + j] - rm[j]) / sqrt (rv[j] + BSC_BN_EPS)
                   * gamma[j] + beta[j];

        g_assert_cmpfloat_with_epsilon (h[i * cols + j], relu ? MAX (t, 0) : t,
                                        1e-5);
      }
  g_free (c.a);
  g_free (c.gamma);
  g_free (c.beta);
  g_free (c.r);
}

/* The backward pass recomputes the ReLU mask from a: with relu it gives
 * bit for bit what the unmasked pass gives on g already zeroed where the
 * forward output h is 0 (two groups, enough columns for both threads and
 * the vector loops' tails). */
static void
test_batchnorm_relu_mask (void)
{
  gsize rows = 256, cols = 301, n = 2 * rows * cols;
  g_autofree float *a = rand_floats (n, 3);
  g_autofree float *gamma = rand_floats (cols, 1);
  g_autofree float *beta = rand_floats (cols, 1);
  g_autofree float *g1 = rand_floats (n, 1);
  g_autofree float *g2 = g_memdup2 (g1, n * sizeof (float));
  g_autofree float *h = g_new (float, n);
  g_autofree float *dg1 = g_new (float, 2 * cols), *dg2 = g_new (float, 2 * cols);
  g_autofree double *mean = g_new (double, 2 * cols);
  g_autofree double *invstd = g_new (double, 2 * cols);
  gsize zeros = 0;

  bsc_bn_forward_train (h, mean, invstd, a, gamma, beta, rows, 2, cols, TRUE,
                        NULL, NULL, 0.1, NULL, NULL);
  for (gsize i = 0; i < n; i++)
    if (!(h[i] > 0.0f))
      {
        g2[i] = 0.0f;
        zeros++;
      }
  g_assert_cmpuint (zeros, >, n / 4);
  g_assert_cmpuint (zeros, <, 3 * n / 4);
  bsc_bn_backward (g1, dg1, dg1 + cols, a, mean, invstd, gamma, beta, TRUE,
                   rows, 2, cols);
  bsc_bn_backward (g2, dg2, dg2 + cols, a, mean, invstd, gamma, beta, FALSE,
                   rows, 2, cols);
  g_assert_cmpmem (g1, n * sizeof (float), g2, n * sizeof (float));
  g_assert_cmpmem (dg1, 2 * cols * sizeof (float), dg2,
                   2 * cols * sizeof (float));
}

/* Two stacked groups give each group's single-group result, running
 * statistics updated group 0 first, parameter gradients summed. */
static void
test_batchnorm_groups (void)
{
  gsize rows = 5, cols = 40, n = rows * cols;
  g_autofree float *a = rand_floats (2 * n, 2);
  g_autofree float *gamma = rand_floats (cols, 1);
  g_autofree float *beta = rand_floats (cols, 1);
  g_autofree float *r = rand_floats (2 * n, 1);
  g_autofree float *h2 = g_new (float, 2 * n), *h1 = g_new (float, 2 * n);
  g_autofree float *g2 = g_memdup2 (r, 2 * n * sizeof (float));
  g_autofree float *g1 = g_memdup2 (r, 2 * n * sizeof (float));
  g_autofree float *dg2 = g_new0 (float, 2 * cols), *dg1 = g_new0 (float, 2 * cols);
  g_autofree float *dk = g_new0 (float, 2 * cols);
  g_autofree float *rm2 = g_new0 (float, cols), *rv2 = g_new0 (float, cols);
  g_autofree float *rm1 = g_new0 (float, cols), *rv1 = g_new0 (float, cols);
  g_autofree double *m2 = g_new (double, 2 * cols), *i2 = g_new (double, 2 * cols);
  g_autofree double *m1 = g_new (double, 2 * cols), *i1 = g_new (double, 2 * cols);

  bsc_bn_forward_train (h2, m2, i2, a, gamma, beta, rows, 2, cols, TRUE, rm2,
                        rv2, 0.1, NULL, NULL);
  for (guint k = 0; k < 2; k++)
    bsc_bn_forward_train (h1 + k * n, m1 + k * cols, i1 + k * cols, a + k * n,
                          gamma, beta, rows, 1, cols, TRUE, rm1, rv1, 0.1,
                          NULL, NULL);
  g_assert_cmpmem (h2, 2 * n * 4, h1, 2 * n * 4);
  g_assert_cmpmem (rm2, cols * 4, rm1, cols * 4);
  g_assert_cmpmem (rv2, cols * 4, rv1, cols * 4);

  /* Grouped, the parameter gradients are the groups' sums in order,
   * written over whatever the buffers held. */
  for (gsize c = 0; c < 2 * cols; c++)
    dg2[c] = NAN;
  bsc_bn_backward (g2, dg2, dg2 + cols, a, m2, i2, gamma, beta, TRUE, rows, 2,
                   cols);
  for (guint k = 0; k < 2; k++)
    {
      bsc_bn_backward (g1 + k * n, k ? dk : dg1, (k ? dk : dg1) + cols,
                       a + k * n, m1 + k * cols, i1 + k * cols, gamma, beta,
                       TRUE, rows, 1, cols);
      for (gsize c = 0; k && c < 2 * cols; c++)
        dg1[c] += dk[c];
    }
  g_assert_cmpmem (g2, 2 * n * 4, g1, 2 * n * 4);
  g_assert_cmpmem (dg2, 2 * cols * 4, dg1, 2 * cols * 4);
}

static void
test_batchnorm (void)
{
  bn_case (FALSE, 5);
  bn_case (TRUE, 5);
  /* Wide enough to run column-parallel on two threads. */
  _bsc_parallel_set_threads (2);
  bn_case (TRUE, 600);
  _bsc_parallel_set_threads (1);
}

/* ---- Row normalisation ---- */

typedef struct
{
  double *o, *r;
  gsize   rows, cols;
} NormCase;

static double
norm_loss (gpointer data)
{
  NormCase *c = data;
  double l = 0.0;

  for (gsize i = 0; i < c->rows; i++)
    {
      double s = 0.0;

      for (gsize j = 0; j < c->cols; j++)
        s += c->o[i * c->cols + j] * c->o[i * c->cols + j];
      s = MAX (sqrt (s), 1e-12);
      for (gsize j = 0; j < c->cols; j++)
        l += c->o[i * c->cols + j] / s * c->r[i * c->cols + j];
    }
  return l;
}

static void
test_rownorm (void)
{
  gsize rows = 5, cols = 4, n = rows * cols;
  g_autofree float *o = rand_floats (n, 1);
  g_autofree float *r = rand_floats (n, 1);
  g_autofree float *z = g_new (float, n);
  g_autofree float *norms = g_new (float, rows);
  g_autofree float *d_o = g_new (float, n);
  g_autofree double *go = NULL;
  NormCase c = { to_double (o, n), to_double (r, n), rows, cols };

  bsc_rownorm_forward (z, norms, o, rows, cols);
  for (gsize i = 0; i < rows; i++)
    {
      double s = 0.0;

      for (gsize j = 0; j < cols; j++)
        s += (double) z[i * cols + j] * z[i * cols + j];
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-6);
    }
  bsc_rownorm_backward (d_o, r, z, norms, rows, cols);
  go = finite_diff (c.o, n, norm_loss, &c);
  assert_grad_close (d_o, go, n, 1e-4);

  /* A zero row stays finite (z = 0). */
  memset (o, 0, cols * sizeof (float));
  bsc_rownorm_forward (z, norms, o, rows, cols);
  g_assert_true (bsc_all_finite (z, n));
  g_assert_cmpfloat (z[0], ==, 0.0f);
  g_free (c.o);
  g_free (c.r);
}

/* ---- Affinity ---- */

typedef struct
{
  double *z, *r;   /* r: rows x (rows - 1) */
  gsize   rows, cols;
} AffCase;

static double
aff_loss (gpointer data)
{
  AffCase *c = data;
  double l = 0.0;

  for (gsize i = 0; i < c->rows; i++)
    for (gsize jj = 0; jj + 1 < c->rows; jj++)
      {
        gsize j = jj < i ? jj : jj + 1;
        double s = 0.0;

        for (gsize k = 0; k < c->cols; k++)
          s += c->z[i * c->cols + k] * c->z[j * c->cols + k];
        l += s * c->r[i * (c->rows - 1) + jj];
      }
  return l;
}

static void
test_affinity (void)
{
  gsize rows = 6, cols = 3, n = rows * cols, na = rows * (rows - 1);
  g_autofree float *z = rand_floats (n, 1);
  g_autofree float *r = rand_floats (na, 1);
  g_autofree float *a = g_new (float, na);
  g_autofree float *full = g_new (float, rows * rows);
  g_autofree float *dz = g_new0 (float, n);
  g_autofree double *gz = NULL;
  AffCase c = { to_double (z, n), to_double (r, na), rows, cols };

  /* Naive loop beside sgemm, and the authors' off-diagonal layout. */
  bsc_affinity_forward (a, full, z, rows, cols);
  for (gsize i = 0; i < rows; i++)
    for (gsize jj = 0; jj + 1 < rows; jj++)
      {
        gsize j = jj < i ? jj : jj + 1;
        double s = 0.0;

        for (gsize k = 0; k < cols; k++)
          s += c.z[i * cols + k] * c.z[j * cols + k];
        g_assert_cmpfloat_with_epsilon (a[i * (rows - 1) + jj], s, 1e-5);
      }
  bsc_affinity_backward (dz, full, r, z, rows, cols);
  gz = finite_diff (c.z, n, aff_loss, &c);
  assert_grad_close (dz, gz, n, 1e-5);
  g_free (c.z);
  g_free (c.r);
}

/* ---- Soft cross-entropy with temperature ---- */

typedef struct
{
  double *s, *q, logtau;
  gsize   rows, cols;
} CeCase;

static double
ce_loss (gpointer data)
{
  CeCase *c = data;
  double tau = exp (c->logtau), l = 0.0;

  for (gsize i = 0; i < c->rows; i++)
    {
      double m = -INFINITY, sum = 0.0;

      for (gsize j = 0; j < c->cols; j++)
        m = MAX (m, c->s[i * c->cols + j] / tau);
      for (gsize j = 0; j < c->cols; j++)
        sum += exp (c->s[i * c->cols + j] / tau - m);
      for (gsize j = 0; j < c->cols; j++)
        l -= c->q[i * c->cols + j] * (c->s[i * c->cols + j] / tau - m - log (sum));
    }
  return l / c->rows;
}

static void
test_soft_ce (void)
{
  gsize rows = 5, cols = 4, n = rows * cols;
  g_autofree float *s = rand_floats (n, 0.3);
  g_autofree float *q = g_new (float, n);
  g_autofree float *ds = g_new (float, n);
  g_autofree double *gs = NULL;
  double dlt = 0.0, loss, weight = 0.7, glt;
  CeCase c;

  /* Targets whose rows do not sum exactly to 1, like Sinkhorn's. */
  for (gsize i = 0; i < n; i++)
    q[i] = 0.1f + 0.4f * bsc_rng_uniform (&rng);
  c = (CeCase) { to_double (s, n), to_double (q, n), log (0.2), rows, cols };

  loss = bsc_soft_ce (s, q, rows, cols, 0.2, weight, ds, &dlt);
  g_assert_cmpfloat_with_epsilon (loss, ce_loss (&c), 1e-5);
  gs = finite_diff (c.s, n, ce_loss, &c);
  for (gsize i = 0; i < n; i++)
    gs[i] *= weight;
  assert_grad_close (ds, gs, n, 1e-4);
  {
    double keep = c.logtau, lp, lm;

    c.logtau = keep + FD_H;
    lp = ce_loss (&c);
    c.logtau = keep - FD_H;
    lm = ce_loss (&c);
    glt = weight * (lp - lm) / (2 * FD_H);
  }
  g_assert_cmpfloat_with_epsilon (dlt, glt, 1e-4 * MAX (1.0, fabs (glt)));
  g_free (c.s);
  g_free (c.q);
}

/* ---- SGD and the finiteness check ---- */

static void
test_sgd (void)
{
  float p[3] = { 1, -2, 0.5f }, m[3] = { 7, 7, 7 }, g[3] = { 0.1f, 0.2f, -0.3f };
  double d, m1, p1;

  /* First step: the buffer is d = g + wd p, whatever it held before. */
  bsc_sgd (p, m, g, 3, 0.1, 0.9, 0.01, TRUE);
  g_assert_cmpfloat_with_epsilon (m[0], 0.1 + 0.01 * 1, 1e-7);
  g_assert_cmpfloat_with_epsilon (p[0], 1 - 0.1 * 0.11, 1e-7);
  /* Later steps: m = 0.9 m + d. */
  d = g[1] + 0.01 * p[1];
  m1 = 0.9 * m[1] + d;
  p1 = p[1] - 0.1 * m1;
  bsc_sgd (p, m, g, 3, 0.1, 0.9, 0.01, FALSE);
  g_assert_cmpfloat_with_epsilon (m[1], m1, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], p1, 1e-6);

  g_assert_true (bsc_all_finite (p, 3));
  p[2] = NAN;
  g_assert_false (bsc_all_finite (p, 3));
  p[2] = -INFINITY;
  g_assert_false (bsc_all_finite (p, 3));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  bsc_rng_init (&rng, 42);
  g_test_add_func ("/layers/linear", test_linear);
  g_test_add_func ("/layers/batchnorm", test_batchnorm);
  g_test_add_func ("/layers/batchnorm-groups", test_batchnorm_groups);
  g_test_add_func ("/layers/batchnorm-relu-mask", test_batchnorm_relu_mask);
  g_test_add_func ("/layers/rownorm", test_rownorm);
  g_test_add_func ("/layers/affinity", test_affinity);
  g_test_add_func ("/layers/soft-ce", test_soft_ce);
  g_test_add_func ("/layers/sgd", test_sgd);
  /* Last: the cases above draw their data from rng in this order. */
  g_test_add_func ("/layers/linear-split", test_linear_split);
  g_test_add_func ("/layers/linear-bounded", test_linear_bounded);
  g_test_add_func ("/layers/linear-map", test_linear_map);
  g_test_add_func ("/layers/zero-bounded", test_zero_bounded);
  return g_test_run ();
}
