/* bsc-projection.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2-D map of the spectral embedding.  For E (n x d, float, row-major):
 *   G = E^T E = V diag (lam) V^T          (d x d, double, dsyrk + dsyevd)
 *   M = V diag (lam^-1/2) V^T             (pseudo-inverse root: tiny lam -> 0)
 *   Y = E M                               the polar factor U V^T of E
 *   z_i = y_i / max (|y_i|, 1e-12)        rows normalised
 *   C = cov (Z), W2 = its top-2 eigenvectors, points = (Z - mean) W2
 * computed in chunks so that no n x d double matrix is ever held: the
 * second pass keeps only the row norms, and points = E (M W2) / |y_i|.
 * Prototypes (K x d) live in the space of Z already (they score
 * normalised polar factors during training), so they take only the PCA
 * step.  Each update is then turned by the orthogonal 2 x 2 matrix
 * (rotation or reflection) that best maps it onto the previous update of
 * the same n points (orthogonal Procrustes), so points drift rather than
 * jump or flip.  Not done: scaling, translation (both maps are centred).
 */

#include <math.h>
#include <float.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "bsc-error.h"
#include "bsc-projection.h"

#define CHUNK_ROWS 2048

struct _BscProjector
{
  gsize  n;       /* points of the previous update, 0 before the first */
  float *prev;    /* n x 2 */
};

BscProjector *
bsc_projector_new (void)
{
  return g_new0 (BscProjector, 1);
}

void
bsc_projector_free (BscProjector *self)
{
  if (self == NULL)
    return;
  g_free (self->prev);
  g_free (self);
}

/* rows x d floats into doubles. */
static void
to_double (double      *out,
           const float *in,
           gsize        count)
{
  for (gsize i = 0; i < count; i++)
    out[i] = in[i];
}

/* G (d x d, upper triangle filled) = E^T E over n rows of E. */
static void
gram (double      *g,
      const float *e,
      gsize        n,
      guint        d,
      double      *buf)
{
  memset (g, 0, sizeof (double) * d * d);
  for (gsize r0 = 0; r0 < n; r0 += CHUNK_ROWS)
    {
      gsize rows = MIN (CHUNK_ROWS, n - r0);

      to_double (buf, e + r0 * d, rows * d);
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, d, rows,
                   1.0, buf, d, 1.0, g, d);
    }
}

/* Eigen-decomposition of the symmetric a (d x d, upper triangle; replaced
 * by the eigenvectors as columns), eigenvalues ascending into lam. */
static gboolean
eigen (double  *a,
       double  *lam,
       guint    d,
       GError **error)
{
  lapack_int info = LAPACKE_dsyevd (LAPACK_ROW_MAJOR, 'V', 'U', d, a, d, lam);

  if (info != 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_LAPACK,
                   "Projection: dsyevd on the %u x %u Gram matrix failed "
                   "(info %d)", d, d, (int) info);
      return FALSE;
    }
  return TRUE;
}

/* m (d x d) = V diag (lam^-1/2) V^T with the eigenvalues below
 * lam_max * d * eps treated as zero (rank-deficient E). */
static void
inverse_root (double       *m,
              const double *v,
              const double *lam,
              guint         d)
{
  double tol = MAX (lam[d - 1], 0.0) * d * DBL_EPSILON;
  g_autofree double *vs = g_new (double, (gsize) d * d);

  for (guint i = 0; i < d; i++)
    for (guint k = 0; k < d; k++)
      vs[(gsize) i * d + k] = lam[k] > tol && lam[k] > 0.0
                              ? v[(gsize) i * d + k] / sqrt (lam[k]) : 0.0;
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, d, d, d,
               1.0, vs, d, v, d, 0.0, m, d);
}

/* Second pass: Z = rows-normalised E M, chunk by chunk.  Keeps 1 / |y_i|
 * in inv_norm, the column sums of Z in sum (d) and Z^T Z in c (upper);
 * Z itself, in floats, in z_out unless NULL. */
static void
normalised_moments (const float  *e,
                    gsize         n,
                    guint         d,
                    const double *m,
                    double       *inv_norm,
                    double       *sum,
                    double       *c,
                    double       *buf,
                    double       *y,
                    float        *z_out)
{
  memset (sum, 0, sizeof (double) * d);
  memset (c, 0, sizeof (double) * d * d);
  for (gsize r0 = 0; r0 < n; r0 += CHUNK_ROWS)
    {
      gsize rows = MIN (CHUNK_ROWS, n - r0);

      to_double (buf, e + r0 * d, rows * d);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d, d,
                   1.0, buf, d, m, d, 0.0, y, d);
      for (gsize i = 0; i < rows; i++)
        {
          double *yi = y + i * d;
          double inv = 1.0 / MAX (cblas_dnrm2 (d, yi, 1), 1e-12);

          inv_norm[r0 + i] = inv;
          cblas_dscal (d, inv, yi, 1);
          cblas_daxpy (d, 1.0, yi, 1, sum, 1);
          if (z_out != NULL)
            for (guint k = 0; k < d; k++)
              z_out[(r0 + i) * d + k] = (float) yi[k];
        }
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, d, rows,
                   1.0, y, d, 1.0, c, d);
    }
}

/* The two principal axes (d x 2, columns) of the covariance c (upper
 * triangle of Z^T Z, destroyed) of n rows with mean mu.  Each axis is
 * signed so that its largest component is positive (a fixed choice for
 * the first update). */
static gboolean
principal_axes (double       *c,
                const double *mu,
                gsize         n,
                guint         d,
                double       *w2,
                GError      **error)
{
  g_autofree double *lam = g_new (double, d);

  for (guint i = 0; i < d; i++)
    for (guint j = i; j < d; j++)
      c[(gsize) i * d + j] -= (double) n * mu[i] * mu[j];
  if (!eigen (c, lam, d, error))
    return FALSE;

  for (guint a = 0; a < 2; a++)
    {
      guint col = d - 1 - a, big = 0;
      double sign;

      for (guint i = 0; i < d; i++)
        if (fabs (c[(gsize) i * d + col]) > fabs (c[(gsize) big * d + col]))
          big = i;
      sign = c[(gsize) big * d + col] < 0.0 ? -1.0 : 1.0;
      for (guint i = 0; i < d; i++)
        w2[i * 2 + a] = sign * c[(gsize) i * d + col];
    }
  return TRUE;
}

/* points_i = e_i P / |y_i| - mu W2 with P = M W2 (d x 2). */
static void
project_points (const float  *e,
                gsize         n,
                guint         d,
                const double *p,
                const double *inv_norm,
                const double  offset[2],
                float        *points)
{
  for (gsize i = 0; i < n; i++)
    {
      const float *ei = e + i * d;
      double a = 0.0, b = 0.0;

      for (guint k = 0; k < d; k++)
        {
          a += ei[k] * p[k * 2];
          b += ei[k] * p[k * 2 + 1];
        }
      points[i * 2] = (float) (a * inv_norm[i] - offset[0]);
      points[i * 2 + 1] = (float) (b * inv_norm[i] - offset[1]);
    }
}

/* Prototype rows, normalised, through the PCA map; the normalised rows
 * themselves into proto_rows unless NULL. */
static void
project_prototypes (const float  *protos,
                    guint         k,
                    guint         d,
                    const double *w2,
                    const double  offset[2],
                    float        *out,
                    float        *proto_rows)
{
  for (guint r = 0; r < k; r++)
    {
      const float *w = protos + (gsize) r * d;
      double a = 0.0, b = 0.0, norm = 0.0;

      for (guint i = 0; i < d; i++)
        {
          a += w[i] * w2[i * 2];
          b += w[i] * w2[i * 2 + 1];
          norm += (double) w[i] * w[i];
        }
      norm = 1.0 / MAX (sqrt (norm), 1e-12);
      out[r * 2] = (float) (a * norm - offset[0]);
      out[r * 2 + 1] = (float) (b * norm - offset[1]);
      if (proto_rows != NULL)
        for (guint i = 0; i < d; i++)
          proto_rows[(gsize) r * d + i] = (float) (w[i] * norm);
    }
}

/* The orthogonal 2 x 2 r (row-major, applied as p r) maximising
 * trace (r^T A) with A = P^T Q: the best rotation or the best reflection,
 * whichever fits better. */
static void
procrustes_2d (const float *p,
               const float *q,
               gsize        n,
               double       r[4])
{
  double a11 = 0, a12 = 0, a21 = 0, a22 = 0, rot, ref;

  for (gsize i = 0; i < n; i++)
    {
      a11 += (double) p[2 * i] * q[2 * i];
      a12 += (double) p[2 * i] * q[2 * i + 1];
      a21 += (double) p[2 * i + 1] * q[2 * i];
      a22 += (double) p[2 * i + 1] * q[2 * i + 1];
    }
  rot = hypot (a11 + a22, a21 - a12);
  ref = hypot (a11 - a22, a12 + a21);
  if (rot >= ref)
    {
      double c = rot > 0 ? (a11 + a22) / rot : 1.0;
      double s = rot > 0 ? (a21 - a12) / rot : 0.0;

      r[0] = c, r[1] = -s, r[2] = s, r[3] = c;
    }
  else
    {
      double c = (a11 - a22) / ref, s = (a12 + a21) / ref;

      r[0] = c, r[1] = s, r[2] = s, r[3] = -c;
    }
}

static void
apply_2x2 (float        *pts,
           gsize         n,
           const double  r[4])
{
  for (gsize i = 0; i < n; i++)
    {
      double x = pts[2 * i], y = pts[2 * i + 1];

      pts[2 * i] = (float) (x * r[0] + y * r[2]);
      pts[2 * i + 1] = (float) (x * r[1] + y * r[3]);
    }
}

/* Rotates this update onto the previous one (same n) and remembers it. */
static void
align_and_remember (BscProjector *self,
                    float        *points,
                    gsize         n,
                    float        *proto_points,
                    guint         k)
{
  if (self->prev != NULL && self->n == n)
    {
      double r[4];

      procrustes_2d (points, self->prev, n, r);
      apply_2x2 (points, n, r);
      if (proto_points != NULL)
        apply_2x2 (proto_points, k, r);
    }
  g_free (self->prev);
  self->prev = g_memdup2 (points, sizeof (float) * 2 * n);
  self->n = n;
}

gboolean
bsc_projector_update (BscProjector *self,
                      const float  *embeddings,
                      gsize         n,
                      guint         d,
                      const float  *prototypes,
                      guint         n_prototypes,
                      float        *points,
                      float        *proto_points,
                      GError      **error)
{
  return bsc_projector_update_rows (self, embeddings, n, d, prototypes,
                                    n_prototypes, points, proto_points,
                                    NULL, NULL, error);
}

gboolean
bsc_projector_update_rows (BscProjector *self,
                           const float  *embeddings,
                           gsize         n,
                           guint         d,
                           const float  *prototypes,
                           guint         n_prototypes,
                           float        *points,
                           float        *proto_points,
                           float        *rows,
                           float        *proto_rows,
                           GError      **error)
{
  gsize chunk;
  g_autofree double *g = NULL, *lam = NULL, *m = NULL, *buf = NULL;
  g_autofree double *y = NULL, *inv_norm = NULL, *mu = NULL, *w2 = NULL;
  g_autofree double *p = NULL;
  double offset[2];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (embeddings != NULL && points != NULL, FALSE);
  g_return_val_if_fail (n >= 1 && d >= 2, FALSE);

  chunk = MIN (n, CHUNK_ROWS);
  g = g_new (double, (gsize) d * d);
  lam = g_new (double, d);
  m = g_new (double, (gsize) d * d);
  buf = g_new (double, chunk * d);
  y = g_new (double, chunk * d);
  inv_norm = g_new (double, n);
  mu = g_new (double, d);
  w2 = g_new (double, (gsize) d * 2);
  p = g_new0 (double, (gsize) d * 2);

  gram (g, embeddings, n, d, buf);
  if (!eigen (g, lam, d, error))
    return FALSE;
  inverse_root (m, g, lam, d);
  normalised_moments (embeddings, n, d, m, inv_norm, mu, g, buf, y, rows);
  cblas_dscal (d, 1.0 / (double) n, mu, 1);
  if (!principal_axes (g, mu, n, d, w2, error))
    return FALSE;

  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, d, 2, d,
               1.0, m, d, w2, 2, 0.0, p, 2);
  offset[0] = cblas_ddot (d, mu, 1, w2, 2);
  offset[1] = cblas_ddot (d, mu, 1, w2 + 1, 2);
  project_points (embeddings, n, d, p, inv_norm, offset, points);
  if (prototypes != NULL && proto_points != NULL)
    project_prototypes (prototypes, n_prototypes, d, w2, offset, proto_points,
                        proto_rows);

  align_and_remember (self, points, n,
                      prototypes != NULL ? proto_points : NULL, n_prototypes);
  return TRUE;
}
