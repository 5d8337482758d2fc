/* bsc-polar.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The polar factor O = U V^T of E = U S V^T (rows x cols, rows >= cols):
 * the orthonormal re-parameterisation of BOOTSC.md step 3, by one of two
 * routes:
 *
 *  - float SVD (LAPACK sgesdd), the default: what the PyTorch reference
 *    and the authors' code compute, float32 rounding in E's weak
 *    directions included (E's condition number reaches 5,000-10,000 in
 *    training).  Over ten seeds of Fashion-MNIST (bench-fmnist --seeds
 *    0,...,9, 20 epochs) the engine's NMI is 0.537 this way, the
 *    reference's own mean, against 0.519 by the exact route (an earlier
 *    engine with other augmentation streams: 0.521 against 0.509); the
 *    reference run in float64 gives 0.519, so rounding, not a bug, is
 *    what separates them.  It costs ~1.5 ms a step more than the Gram
 *    route here: LAPACK runs sgesdd's QR and bidiagonalisation unblocked
 *    at 128 columns (BLAS2); CholeskyQR2 in double before a 128 x 128
 *    sgesdd is no faster (1.0 + 1.3 ms against 2.2).
 *  - BSC_POLAR=gram: the eigendecomposition of the small Gram matrix in
 *    double precision, E^T E = V L V^T, O = E V L^-1/2 V^T, exact to
 *    float precision.  Directions whose singular value is below 1e-6 of
 *    the largest are dropped (their columns of O get no component), so a
 *    rank-deficient E gives a finite O.
 *
 * Either route falls back to the other when its LAPACK call fails; the
 * first route's error is reported when both do.
 */

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-parallel.h"
#include "bsc-polar.h"

/* Relative cut on eigenvalues of E^T E: sigma < 1e-6 sigma_max. */
#define POLAR_EIG_CUT 1e-12

static gboolean
no_memory (gsize    rows,
           gsize    cols,
           GError **error)
{
  g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
               "Out of memory for the polar factor of a %" G_GSIZE_FORMAT
               " x %" G_GSIZE_FORMAT " matrix", rows, cols);
  return FALSE;
}

/* dst (cols x rows, row-major) = src^T (src rows x cols, row-major). */
static void
transpose (float       *dst,
           const float *src,
           gsize        rows,
           gsize        cols)
{
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      dst[j * rows + i] = src[i * cols + j];
}

/* The float SVD route: O = U Vt from sgesdd of a copy of E.  The work
 * LAPACKE_sgesdd would do, without its allocations (on every call) and
 * its NaN scan: E is transposed to column-major here, sgesdd_work runs on
 * the per-thread scratch with the workspace size LAPACKE would query, and
 * U and Vt come back to row-major the same way, so the result is LAPACKE's
 * bit for bit. */
static gboolean
polar_svd (const float  *e,
           gsize         rows,
           gsize         cols,
           float        *o,
           float        *svals,
           GError      **error)
{
  gsize n = rows * cols;
  float query, *at, *ut, *vtt, *u, *vt, *s, *work;
  lapack_int *iwork, lwork, info;

  /* The optimal workspace, asked with no matrix (as LAPACKE asks). */
  info = LAPACKE_sgesdd_work (LAPACK_COL_MAJOR, 'S', rows, cols, NULL, rows,
                              NULL, NULL, rows, NULL, cols, &query, -1, NULL);
  lwork = (lapack_int) query;
  /* at, ut (column-major E and U), vtt, u, vt, s, iwork, work: the
   * per-thread scratch, as on the Gram route (a call per view and step;
   * fresh buffers would fault in new pages). */
  at = info != 0 ? NULL
       : _bsc_scratch (BSC_SCRATCH_POLAR,
                       (4 * n + 2 * cols * cols + cols + (gsize) lwork)
                       * sizeof (float) + 8 * cols * sizeof (lapack_int));
  if (at == NULL)
    return no_memory (rows, cols, error);
  ut = at + n;
  u = ut + n;
  vt = u + n;
  vtt = vt + cols * cols;
  s = vtt + cols * cols;
  work = s + cols;
  iwork = (lapack_int *) (work + lwork);
  transpose (at, e, rows, cols);
  info = LAPACKE_sgesdd_work (LAPACK_COL_MAJOR, 'S', rows, cols, at, rows, s,
                              ut, rows, vtt, cols, work, lwork, iwork);
  if (info != 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_LAPACK,
                   "Singular value decomposition of the %" G_GSIZE_FORMAT
                   " x %" G_GSIZE_FORMAT " embedding failed (sgesdd info %d)",
                   rows, cols, (int) info);
      return FALSE;
    }
  transpose (u, ut, cols, rows);
  transpose (vt, vtt, cols, cols);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, cols,
               1.0f, u, cols, vt, cols, 0.0f, o, cols);
  if (svals != NULL)
    memcpy (svals, s, cols * sizeof (float));
  return TRUE;
}

/* G = E^T E (upper triangle, row-major) and its eigendecomposition by
 * dsyevd, called column-major on the same storage (the row-major upper
 * triangle is the column-major lower one) with our own workspace, so
 * LAPACKE neither transposes nor allocates: row k of g is then
 * eigenvector k, for lam[k] in ascending order. */
static lapack_int
gram_eigen (const double *ed,
            gsize         rows,
            gsize         cols,
            double       *g,
            double       *lam,
            double       *work,
            lapack_int    lwork,
            lapack_int   *iwork,
            lapack_int    liwork)
{
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, cols, rows, 1.0, ed,
               cols, 0.0, g, cols);
  return LAPACKE_dsyevd_work (LAPACK_COL_MAJOR, 'V', 'L', (lapack_int) cols,
                              g, (lapack_int) cols, lam, work, lwork, iwork,
                              liwork);
}

/* m = V diag (lam^-1/2) V^T (cols x cols, full) from vt (row k =
 * eigenvector k, scaled here), leaving out directions with tiny
 * eigenvalues. */
static void
inverse_sqrt (double       *vt,
              const double *lam,
              gsize         cols,
              double       *m)
{
  double cut = lam[cols - 1] * POLAR_EIG_CUT;

  for (gsize k = 0; k < cols; k++)
    {
      double f = lam[k] > cut && lam[k] > 0.0 ? pow (lam[k], -0.25) : 0.0;

      for (gsize i = 0; i < cols; i++)
        vt[k * cols + i] *= f;
    }
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, cols, cols, 1.0, vt,
               cols, 0.0, m, cols);
  for (gsize i = 0; i < cols; i++)
    for (gsize j = 0; j < i; j++)
      m[i * cols + j] = m[j * cols + i];
}

/* TRUE when BSC_POLAR=gram asks for the double Gram route. */
static gboolean
polar_gram_asked (void)
{
  static gsize asked = 0;

  if (g_once_init_enter (&asked))
    g_once_init_leave (&asked,
                       g_strcmp0 (g_getenv ("BSC_POLAR"), "gram") == 0 ? 2 : 1);
  return asked == 2;
}

/* The Gram route (see the top of this file). */
static gboolean
polar_gram (const float  *e,
            gsize         rows,
            gsize         cols,
            float        *o,
            float        *svals,
            GError      **error)
{
  double *ed, *g, *m, *lam, *od, *work;
  lapack_int *iwork;
  gsize n = rows * cols;
  /* dsyevd's workspace for eigenvectors of a cols x cols matrix */
  lapack_int lwork = 1 + 6 * (lapack_int) cols + 2 * (lapack_int) (cols * cols);
  lapack_int liwork = 3 + 5 * (lapack_int) cols;
  lapack_int info;

  ed = _bsc_scratch (BSC_SCRATCH_POLAR,
                     (2 * n + 2 * cols * cols + cols + (gsize) lwork)
                     * sizeof (double) + (gsize) liwork * sizeof (lapack_int));
  if (ed == NULL)
    return no_memory (rows, cols, error);
  od = ed + n;
  g = od + n;
  m = g + cols * cols;
  lam = m + cols * cols;
  work = lam + cols;
  iwork = (lapack_int *) (work + lwork);
  for (gsize i = 0; i < n; i++)
    ed[i] = e[i];

  info = gram_eigen (ed, rows, cols, g, lam, work, lwork, iwork, liwork);
  if (info != 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_LAPACK,
                   "Eigendecomposition of the Gram matrix of the %"
                   G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT " embedding failed "
                   "(dsyevd info %d)", rows, cols, (int) info);
      return FALSE;
    }
  if (svals != NULL)
    for (gsize k = 0; k < cols; k++)
      svals[k] = (float) sqrt (MAX (lam[cols - 1 - k], 0.0));

  inverse_sqrt (g, lam, cols, m);
  /* O = E M in double, into a buffer distinct from E. */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, cols,
               1.0, ed, cols, m, cols, 0.0, od, cols);
  for (gsize i = 0; i < n; i++)
    o[i] = (float) od[i];
  return TRUE;
}

gboolean
bsc_polar (const float  *e,
           gsize         rows,
           gsize         cols,
           float        *o,
           float        *svals,
           GError      **error)
{
  gboolean gram;
  GError *first = NULL;

  g_return_val_if_fail (e != NULL && o != NULL, FALSE);
  g_return_val_if_fail (rows >= cols && cols > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gram = polar_gram_asked ();
  if (gram ? polar_gram (e, rows, cols, o, svals, &first)
           : polar_svd (e, rows, cols, o, svals, &first))
    return TRUE;
  g_debug ("%s; trying the other route", first->message);
  if (gram ? polar_svd (e, rows, cols, o, svals, NULL)
           : polar_gram (e, rows, cols, o, svals, NULL))
    {
      g_error_free (first);
      return TRUE;
    }
  g_propagate_error (error, first);
  return FALSE;
}
