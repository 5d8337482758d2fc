/* bsc-layers.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linear, BatchNorm(+ReLU), row normalisation, affinity and soft
 * cross-entropy kernels, forward and backward.  Matrix products go through
 * OpenBLAS; elementwise passes are single loops over rows with the column
 * index innermost so they vectorise, and column reductions accumulate in
 * double.  Nothing here allocates except the per-call column accumulators.
 */

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "bsc-layers.h"

/* y (rows x out) = x (rows x in) W^T + b, W out x in (PyTorch layout). */
void
bsc_linear_forward (float       *y,
                    const float *x,
                    const float *w,
                    const float *b,
                    gsize        rows,
                    gsize        in,
                    gsize        out)
{
  float beta = 0.0f;

  if (b != NULL)
    {
      for (gsize r = 0; r < rows; r++)
        memcpy (y + r * out, b, out * sizeof (float));
      beta = 1.0f;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in,
               1.0f, x, in, w, in, beta, y, out);
}

/* dW (out x in) += dY^T (out x rows) X (rows x in); db += colsum dY;
 * dX (rows x in) = dY (rows x out) W (out x in). */
void
bsc_linear_backward (float       *dx,
                     float       *dw,
                     float       *db,
                     const float *dy,
                     const float *x,
                     const float *w,
                     gsize        rows,
                     gsize        in,
                     gsize        out)
{
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, out, in, rows,
               1.0f, dy, out, x, in, 1.0f, dw, in);
  if (db != NULL)
    {
      g_autofree double *acc = g_new0 (double, out);

      for (gsize r = 0; r < rows; r++)
        for (gsize c = 0; c < out; c++)
          acc[c] += dy[r * out + c];
      for (gsize c = 0; c < out; c++)
        db[c] += (float) acc[c];
    }
  if (dx != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out,
                 1.0f, dy, out, w, in, 0.0f, dx, in);
}

/* a rows x cols.  mean_c = sum_r a_rc / rows; var_c = sum_r (a_rc -
 * mean_c)^2 / rows (biased, two passes); invstd_c = 1/sqrt (var_c + eps). */
void
bsc_bn_stats (double      *mean,
              double      *invstd,
              double      *var,
              const float *a,
              gsize        rows,
              gsize        cols,
              double       eps)
{
  memset (mean, 0, cols * sizeof (double));
  memset (var, 0, cols * sizeof (double));
  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < cols; c++)
      mean[c] += a[r * cols + c];
  for (gsize c = 0; c < cols; c++)
    mean[c] /= (double) rows;
  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < cols; c++)
      {
        double d = a[r * cols + c] - mean[c];

        var[c] += d * d;
      }
  for (gsize c = 0; c < cols; c++)
    {
      var[c] /= (double) rows;
      invstd[c] = 1.0 / sqrt (var[c] + eps);
    }
}

/* h_rc = a_rc * scale_c + shift_c with scale = gamma invstd and shift =
 * beta - mean scale, i.e. (a - mean) invstd gamma + beta; ReLU optional. */
void
bsc_bn_apply (float        *h,
              const float  *a,
              const double *mean,
              const double *invstd,
              const float  *gamma,
              const float  *beta,
              gsize         rows,
              gsize         cols,
              gboolean      relu)
{
  g_autofree float *scale = g_new (float, cols);
  g_autofree float *shift = g_new (float, cols);

  for (gsize c = 0; c < cols; c++)
    {
      double s = gamma[c] * invstd[c];

      scale[c] = (float) s;
      shift[c] = (float) (beta[c] - mean[c] * s);
    }
  for (gsize r = 0; r < rows; r++)
    {
      const float *ar = a + r * cols;
      float *hr = h + r * cols;

      if (relu)
        for (gsize c = 0; c < cols; c++)
          {
            float v = ar[c] * scale[c] + shift[c];

            hr[c] = v > 0.0f ? v : 0.0f;
          }
      else
        for (gsize c = 0; c < cols; c++)
          hr[c] = ar[c] * scale[c] + shift[c];
    }
}

void
bsc_bn_update_running (float        *rm,
                       float        *rv,
                       const double *mean,
                       const double *var,
                       gsize         rows,
                       gsize         cols,
                       double        momentum)
{
  double unbias = rows > 1 ? (double) rows / (double) (rows - 1) : 1.0;

  for (gsize c = 0; c < cols; c++)
    {
      rm[c] = (float) ((1.0 - momentum) * rm[c] + momentum * mean[c]);
      rv[c] = (float) ((1.0 - momentum) * rv[c] + momentum * var[c] * unbias);
    }
}

/* g rows x cols: dL/dh in, dL/da out.  With g' = g [h > 0] (if relu),
 * xhat = (a - mean) invstd, n = rows:
 *   dgamma += sum_r g' xhat, dbeta += sum_r g',
 *   da = gamma invstd (g' - sum g'/n - xhat sum (g' xhat)/n). */
void
bsc_bn_backward (float        *g,
                 float        *dgamma,
                 float        *dbeta,
                 const float  *h,
                 const float  *a,
                 const double *mean,
                 const double *invstd,
                 const float  *gamma,
                 gsize         rows,
                 gsize         cols)
{
  g_autofree double *sg = g_new0 (double, cols);
  g_autofree double *sgx = g_new0 (double, cols);
  g_autofree float *fm = g_new (float, cols);
  g_autofree float *fi = g_new (float, cols);
  g_autofree float *k1 = g_new (float, cols);
  g_autofree float *k2 = g_new (float, cols);

  for (gsize c = 0; c < cols; c++)
    {
      fm[c] = (float) mean[c];
      fi[c] = (float) invstd[c];
    }
  for (gsize r = 0; r < rows; r++)
    {
      float *gr = g + r * cols;
      const float *ar = a + r * cols;

      if (h != NULL)
        {
          const float *hr = h + r * cols;

          for (gsize c = 0; c < cols; c++)
            gr[c] = hr[c] > 0.0f ? gr[c] : 0.0f;
        }
      for (gsize c = 0; c < cols; c++)
        {
          sg[c] += gr[c];
          sgx[c] += gr[c] * ((ar[c] - fm[c]) * fi[c]);
        }
    }
  for (gsize c = 0; c < cols; c++)
    {
      double gi = gamma[c] * invstd[c];

      dgamma[c] += (float) sgx[c];
      dbeta[c] += (float) sg[c];
      k1[c] = (float) (gi * sg[c] / (double) rows);
      k2[c] = (float) (gi * sgx[c] / (double) rows);
      fm[c] = (float) gi;
    }
  /* fm now holds gamma invstd. */
  for (gsize r = 0; r < rows; r++)
    {
      float *gr = g + r * cols;
      const float *ar = a + r * cols;

      for (gsize c = 0; c < cols; c++)
        {
          float xhat = (ar[c] - (float) mean[c]) * fi[c];

          gr[c] = fm[c] * gr[c] - k1[c] - xhat * k2[c];
        }
    }
}

/* o, z rows x cols: z_i = o_i / n_i with n_i = max (|o_i|, 1e-12). */
void
bsc_rownorm_forward (float       *z,
                     float       *norms,
                     const float *o,
                     gsize        rows,
                     gsize        cols)
{
  for (gsize r = 0; r < rows; r++)
    {
      const float *orow = o + r * cols;
      double s = 0.0;
      float n;

      for (gsize c = 0; c < cols; c++)
        s += (double) orow[c] * orow[c];
      n = (float) MAX (sqrt (s), 1e-12);
      norms[r] = n;
      for (gsize c = 0; c < cols; c++)
        z[r * cols + c] = orow[c] / n;
    }
}

/* dO_i = (g_i - z_i (z_i . g_i)) / n_i, the Jacobian of o/|o| applied to g
 * (for n_i = 1e-12, the clamped branch, the exact gradient is g / n_i;
 * such a row has z = o / 1e-12 ~ 0 so the formulas agree). */
void
bsc_rownorm_backward (float       *d_o,
                      const float *g,
                      const float *z,
                      const float *norms,
                      gsize        rows,
                      gsize        cols)
{
  for (gsize r = 0; r < rows; r++)
    {
      const float *gr = g + r * cols;
      const float *zr = z + r * cols;
      float *dr = d_o + r * cols;
      double dot = 0.0;
      float fdot, inv;

      for (gsize c = 0; c < cols; c++)
        dot += (double) zr[c] * gr[c];
      fdot = (float) dot;
      inv = 1.0f / norms[r];
      for (gsize c = 0; c < cols; c++)
        dr[c] = (gr[c] - zr[c] * fdot) * inv;
    }
}

/* full (rows x rows) = Z Z^T (Z rows x cols); a (rows x (rows-1)) row i
 * holds full_ij for j != i in ascending j. */
void
bsc_affinity_forward (float       *a,
                      float       *full,
                      const float *z,
                      gsize        rows,
                      gsize        cols)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, rows, cols,
               1.0f, z, cols, z, cols, 0.0f, full, rows);
  for (gsize i = 0; i < rows; i++)
    {
      float *ai = a + i * (rows - 1);
      const float *fi = full + i * rows;

      memcpy (ai, fi, i * sizeof (float));
      memcpy (ai + i, fi + i + 1, (rows - 1 - i) * sizeof (float));
    }
}

/* G (rows x rows) = dA scattered with a zero diagonal, then symmetrised
 * in place (G + G^T); dZ (rows x cols) += (G + G^T) Z. */
void
bsc_affinity_backward (float       *dz,
                       float       *g_full,
                       const float *da,
                       const float *z,
                       gsize        rows,
                       gsize        cols)
{
  for (gsize i = 0; i < rows; i++)
    {
      const float *di = da + i * (rows - 1);
      float *gi = g_full + i * rows;

      memcpy (gi, di, i * sizeof (float));
      gi[i] = 0.0f;
      memcpy (gi + i + 1, di + i, (rows - 1 - i) * sizeof (float));
    }
  for (gsize i = 0; i < rows; i++)
    for (gsize j = i + 1; j < rows; j++)
      {
        float s = g_full[i * rows + j] + g_full[j * rows + i];

        g_full[i * rows + j] = s;
        g_full[j * rows + i] = s;
      }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, rows,
               1.0f, g_full, rows, z, cols, 1.0f, dz, cols);
}

/* s, q, ds rows x cols.  With l = s / tau, P_i = softmax (l_i), r_i =
 * sum_j q_ij: loss = -(1/rows) sum_ij q_ij (l_ij - lse (l_i));
 * dloss/ds_ij = (r_i P_ij - q_ij) / (rows tau);
 * dloss/dlog tau = -(1/(rows tau)) sum_ij (r_i P_ij - q_ij) s_ij. */
double
bsc_soft_ce (const float *s,
             const float *q,
             gsize        rows,
             gsize        cols,
             double       tau,
             double       weight,
             float       *ds,
             double      *dlogtau)
{
  g_autofree float *p = g_new (float, cols);
  float itau = (float) (1.0 / tau);
  double loss = 0.0, dlt = 0.0;

  for (gsize i = 0; i < rows; i++)
    {
      const float *si = s + i * cols;
      const float *qi = q + i * cols;
      float m = -INFINITY;
      double sum = 0.0, r = 0.0, ql = 0.0, lse, gscale;

      for (gsize j = 0; j < cols; j++)
        m = MAX (m, si[j] * itau);
      for (gsize j = 0; j < cols; j++)
        {
          p[j] = expf (si[j] * itau - m);
          sum += p[j];
          r += qi[j];
          ql += (double) qi[j] * (si[j] * itau - m);
        }
      lse = log (sum);
      loss += r * lse - ql;
      gscale = 1.0 / sum;
      for (gsize j = 0; j < cols; j++)
        {
          double d = r * p[j] * gscale - qi[j];

          dlt += d * si[j];
          if (ds != NULL)
            ds[i * cols + j] = (float) (weight * d / (rows * tau));
        }
    }
  if (dlogtau != NULL)
    *dlogtau += -weight * dlt / (rows * tau);
  return loss / (double) rows;
}

gboolean
bsc_all_finite (const float *v,
                gsize        n)
{
  const guint32 *bits = (const guint32 *) v;
  guint32 bad = 0;

  /* A float is NaN or infinite exactly when its exponent bits are all set;
   * the integer OR-reduction vectorises. */
  for (gsize i = 0; i < n; i++)
    bad |= (bits[i] & 0x7f800000u) == 0x7f800000u;
  return bad == 0;
}
