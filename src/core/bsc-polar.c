/* bsc-polar.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The polar factor O = U V^T of E = U S V^T (rows x cols, rows >= cols):
 * the orthonormal re-parameterisation of BOOTSC.md step 3.  Computed from
 * the eigendecomposition of the small Gram matrix in double precision,
 *   E^T E = V L V^T,  O = E V L^-1/2 V^T,
 * which is several times faster than a thin SVD of E and as accurate,
 * since double holds the squared condition number with room to spare.
 * Directions whose singular value is below 1e-6 of the largest are dropped
 * (their columns of O get no component), so a rank-deficient E gives a
 * finite O.  If the symmetric eigensolver fails, a float SVD is used.
 */

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-polar.h"

/* Relative cut on eigenvalues of E^T E: sigma < 1e-6 sigma_max. */
#define POLAR_EIG_CUT 1e-12

/* Fallback: O = U Vt from sgesdd of a copy of E. */
static gboolean
polar_svd (const float  *e,
           gsize         rows,
           gsize         cols,
           float        *o,
           float        *svals,
           GError      **error)
{
  g_autofree float *a = g_memdup2 (e, rows * cols * sizeof (float));
  g_autofree float *u = g_new (float, rows * cols);
  g_autofree float *vt = g_new (float, cols * cols);
  g_autofree float *s = g_new (float, cols);
  lapack_int info;

  info = LAPACKE_sgesdd (LAPACK_ROW_MAJOR, 'S', rows, cols, a, cols, s, u,
                         cols, vt, cols);
  if (info != 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_LAPACK,
                   "Singular value decomposition of the %" G_GSIZE_FORMAT
                   " x %" G_GSIZE_FORMAT " embedding failed (sgesdd info %d)",
                   rows, cols, (int) info);
      return FALSE;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, cols,
               1.0f, u, cols, vt, cols, 0.0f, o, cols);
  if (svals != NULL)
    memcpy (svals, s, cols * sizeof (float));
  return TRUE;
}

/* G (cols x cols, upper) = E^T E in double; on return G's columns are
 * the eigenvectors and lam the eigenvalues in ascending order. */
static lapack_int
gram_eigen (const double *ed,
            gsize         rows,
            gsize         cols,
            double       *g,
            double       *lam)
{
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, cols, rows, 1.0, ed,
               cols, 0.0, g, cols);
  return LAPACKE_dsyevd (LAPACK_ROW_MAJOR, 'V', 'U', cols, g, cols, lam);
}

/* M = V diag (1 / sqrt (lam)) V^T over the kept eigenpairs; V (cols x
 * cols) is scaled in place by lam^-1/4 so that M = V' V'^T. */
static void
inverse_sqrt (double       *v,
              const double *lam,
              gsize         cols,
              double       *m)
{
  double cut = lam[cols - 1] * POLAR_EIG_CUT;

  for (gsize k = 0; k < cols; k++)
    {
      double f = lam[k] > cut && lam[k] > 0.0 ? pow (lam[k], -0.25) : 0.0;

      for (gsize i = 0; i < cols; i++)
        v[i * cols + k] *= f;
    }
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, cols, cols, 1.0, v,
               cols, 0.0, m, cols);
  for (gsize i = 0; i < cols; i++)
    for (gsize j = 0; j < i; j++)
      m[i * cols + j] = m[j * cols + i];
}

gboolean
bsc_polar (const float  *e,
           gsize         rows,
           gsize         cols,
           float        *o,
           float        *svals,
           GError      **error)
{
  g_autofree double *ed = NULL;
  g_autofree double *g = NULL;
  g_autofree double *m = NULL;
  g_autofree double *lam = NULL;
  g_autofree double *od = NULL;
  gsize n = rows * cols;
  lapack_int info;

  g_return_val_if_fail (e != NULL && o != NULL, FALSE);
  g_return_val_if_fail (rows >= cols && cols > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ed = g_try_new (double, n);
  g = g_try_new (double, cols * cols);
  m = g_try_new (double, cols * cols);
  lam = g_try_new (double, cols);
  if (ed == NULL || g == NULL || m == NULL || lam == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for the polar factor of a %" G_GSIZE_FORMAT
                   " x %" G_GSIZE_FORMAT " matrix", rows, cols);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    ed[i] = e[i];

  info = gram_eigen (ed, rows, cols, g, lam);
  if (info != 0)
    {
      g_debug ("dsyevd info %d; falling back to sgesdd", (int) info);
      return polar_svd (e, rows, cols, o, svals, error);
    }
  if (svals != NULL)
    for (gsize k = 0; k < cols; k++)
      svals[k] = (float) sqrt (MAX (lam[cols - 1 - k], 0.0));

  inverse_sqrt (g, lam, cols, m);
  /* O = E M in double, into a buffer distinct from E. */
  od = g_try_new (double, n);
  if (od == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for the polar factor");
      return FALSE;
    }
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, cols,
               1.0, ed, cols, m, cols, 0.0, od, cols);
  for (gsize i = 0; i < n; i++)
    o[i] = (float) od[i];
  return TRUE;
}
