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

#include "bsc-gemm-private.h"
#include "bsc-layers.h"
#include "bsc-parallel.h"

/* The kernels below are loops the compiler must vectorise; -O2 alone
 * (the project default) does not. */
#pragma GCC optimize ("O3")

typedef struct
{
  float       *acc;
  const float *m;
  gsize        rows;
  gsize        cols;
} ColsumJob;

#define COLSUM_BLOCK 32

/* Columns [c0, c1): float partial sums over blocks of rows (vectorised),
 * added up in double. */
static void
colsum_range (gsize    c0,
              gsize    c1,
              gpointer data)
{
  ColsumJob *j = data;
  g_autofree double *sum = g_new0 (double, c1 - c0);
  g_autofree float *part = g_new (float, c1 - c0);

  for (gsize r0 = 0; r0 < j->rows; r0 += COLSUM_BLOCK)
    {
      gsize r1 = MIN (j->rows, r0 + COLSUM_BLOCK);

      memset (part, 0, (c1 - c0) * sizeof (float));
      for (gsize r = r0; r < r1; r++)
        {
          const float *restrict mr = j->m + r * j->cols + c0;
          float *restrict p = part;

          for (gsize c = 0; c < c1 - c0; c++)
            p[c] += mr[c];
        }
      for (gsize c = 0; c < c1 - c0; c++)
        sum[c] += part[c];
    }
  for (gsize c = c0; c < c1; c++)
    j->acc[c] = (float) sum[c - c0];
}

/* sums (cols) = column sums of m (rows x cols). */
void
bsc_colsum (float       *sums,
            const float *m,
            gsize        rows,
            gsize        cols)
{
  ColsumJob j = { sums, m, rows, cols };

  _bsc_parallel_for (cols, 16, 256, colsum_range, &j);
}

/* Row-major C (m x n) = op (A) op (B) + beta C, op (A) m x k, op (B)
 * k x n. */
typedef struct
{
  CBLAS_TRANSPOSE ta;
  CBLAS_TRANSPOSE tb;
  gsize           m;
  gsize           n;
  gsize           k;
  const float    *a;
  gsize           lda;
  const float    *b;
  gsize           ldb;
  float           beta;
  float          *c;
  gsize           ldc;
} Product;

typedef struct
{
  Product             p;
  gboolean            split_n;
  const BscGemmExtra *x;      /* for the whole product, or NULL */
  gint                over;   /* a value of C reached x's limit */
} GemmJob;

/* The affine map of train-mode BN in float, one expression wherever it is
 * evaluated: backward recomputes the ReLU mask h > 0 from a with it, bit
 * for bit what the forward pass saw, instead of reading h again. */
static inline float
bn_affine (float a,
           float scale,
           float shift)
{
  return a * scale + shift;
}

/* With the sign cleared, a float's bits order like its magnitude; NaN and
 * infinity lie above every finite value: TRUE when one of bits[0..n)
 * reaches limit. */
static inline gboolean
any_beyond (const guint32 *restrict bits,
            gsize                   n,
            guint32                 limit)
{
  guint32 bad = 0;

  for (gsize i = 0; i < n; i++)
    bad |= (bits[i] & 0x7fffffffu) >= limit;
  return bad != 0;
}

/* The bits of 2^max_exp, the bound of bsc_all_bounded. */
static guint32
bound_bits (int max_exp)
{
  return (guint32) (127 + max_exp) << 23;
}

/* A copy of X (rows x cols, row stride ld) read through map, as the
 * AVX-512 kernel reads it while packing. */
static float *
mapped_copy (const float      *x,
             gsize             rows,
             gsize             cols,
             gsize             ld,
             const BscPackMap *map)
{
  float *y = g_new (float, rows * cols);

  for (gsize i = 0; i < rows; i++)
    {
      gsize g = (map->row0 + i) / map->group_rows;
      const float *sc = map->scale + g * map->ld + map->col0;
      const float *sh = map->shift + g * map->ld + map->col0;

      for (gsize j = 0; j < cols; j++)
        {
          float v = bn_affine (x[i * ld + j], sc[j], sh[j]);

          y[i * cols + j] = map->relu && !(v > 0.0f) ? 0.0f : v;
        }
    }
  return y;
}

/* Row-major C (m x n) = op (A) op (B) + beta C in this thread, with x's
 * parts (or NULL): the AVX-512 kernel where the processor has it, else
 * OpenBLAS and the same parts done around it (the maps on copies of the
 * operands, the bias copied into C, the check after). */
static void
sgemm_serial (Product       p,
              BscGemmExtra *x)
{
  g_autofree float *ma = NULL, *mb = NULL;

  if (_bsc_gemm_avx512_usable ()
      && _bsc_sgemm_avx512 (p.ta == CblasTrans, p.tb == CblasTrans, p.m, p.n,
                            p.k, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc,
                            x))
    return;
  if (x != NULL && x->map_a != NULL)
    {
      g_return_if_fail (p.ta == CblasNoTrans);
      p.a = ma = mapped_copy (p.a, p.m, p.k, p.lda, x->map_a);
      p.lda = p.k;
    }
  if (x != NULL && x->map_b != NULL)
    {
      g_return_if_fail (p.tb == CblasNoTrans);
      p.b = mb = mapped_copy (p.b, p.k, p.n, p.ldb, x->map_b);
      p.ldb = p.n;
    }
  if (x != NULL && x->bias != NULL)
    {
      for (gsize i = 0; i < p.m; i++)
        memcpy (p.c + i * p.ldc, x->bias, p.n * sizeof (float));
      p.beta = 1.0f;
    }
  cblas_sgemm (CblasRowMajor, p.ta, p.tb, p.m, p.n, p.k, 1.0f, p.a, p.lda,
               p.b, p.ldb, p.beta, p.c, p.ldc);
  if (x != NULL)
    x->over = FALSE;
  for (gsize i = 0; x != NULL && x->limit != 0 && i < p.m && !x->over; i++)
    x->over = any_beyond ((const guint32 *) (p.c + i * p.ldc), p.n,
                          x->limit);
}

/* Rows [i0, i1) of C (or its columns when split_n), one serial sgemm, with
 * the job's extra parts placed on them. */
static void
gemm_range (gsize    i0,
            gsize    i1,
            gpointer data)
{
  GemmJob *j = data;
  Product p = j->p;
  BscGemmExtra x = { 0 };
  BscPackMap map_a, map_b;

  if (j->x != NULL)
    {
      x = *j->x;
      if (x.map_a != NULL)
        map_a = *x.map_a, x.map_a = &map_a;
      if (x.map_b != NULL)
        map_b = *x.map_b, x.map_b = &map_b;
    }
  if (j->split_n)
    {
      p.b += p.tb == CblasNoTrans ? i0 : i0 * p.ldb;
      p.c += i0;
      p.n = i1 - i0;
      if (x.bias != NULL)
        x.bias += i0;
      if (x.map_b != NULL)
        map_b.col0 += i0;
    }
  else
    {
      p.a += p.ta == CblasNoTrans ? i0 * p.lda : i0;
      p.c += i0 * p.ldc;
      p.m = i1 - i0;
      if (x.map_a != NULL)
        map_a.row0 += i0;
    }
  sgemm_serial (p, j->x != NULL ? &x : NULL);
  if (x.over)
    g_atomic_int_set (&j->over, 1);
}

#define GEMM_ALIGN 16
#define GEMM_MIN_SPLIT 64

/* The product p, split along the longer side of C into one disjoint part
 * per thread of the engine's pool, each a serial product (the model keeps
 * OpenBLAS single-threaded: its spinning workers would compete with the
 * pool); every element is computed as a serial sgemm of its part would,
 * so the split depends only on the thread count.  With x's parts (or
 * NULL): TRUE when a value of C reaches its limit. */
static gboolean
bsc_sgemm (Product             p,
           const BscGemmExtra *x)
{
  GemmJob j = { p, p.n > p.m, x, 0 };

  _bsc_parallel_for (j.split_n ? p.n : p.m, GEMM_ALIGN, GEMM_MIN_SPLIT,
                     gemm_range, &j);
  return g_atomic_int_get (&j.over) != 0;
}

/* The packing map of x (rows x in) read through xmap. */
static BscPackMap
pack_map (const BscBnMap *xmap,
          gsize           in)
{
  return (BscPackMap) { xmap->scale, xmap->shift, in, xmap->group_rows, 0, 0,
                        xmap->relu };
}

/* y (rows x out) = x (rows x in) W^T + b, W out x in (PyTorch layout). */
void
bsc_linear_forward (float          *y,
                    const float    *x,
                    const BscBnMap *xmap,
                    const float    *w,
                    const float    *b,
                    gsize           rows,
                    gsize           in,
                    gsize           out)
{
  BscPackMap map = xmap != NULL ? pack_map (xmap, in) : (BscPackMap) { 0 };
  BscGemmExtra extra = { b, xmap != NULL ? &map : NULL, NULL, 0, FALSE };

  bsc_sgemm ((Product) { CblasNoTrans, CblasTrans, rows, out, in, x, in, w, in,
                         0.0f, y, out }, &extra);
}

/* dW (out x in) = dY^T (out x rows) X (rows x in); db = colsum dY;
 * dX (rows x in) = dY (rows x out) W (out x in). */
void
bsc_linear_backward (float          *dx,
                     float          *dw,
                     float          *db,
                     const float    *dy,
                     const float    *x,
                     const BscBnMap *xmap,
                     const float    *w,
                     gsize           rows,
                     gsize           in,
                     gsize           out,
                     gboolean       *dw_bounded)
{
  BscPackMap map = xmap != NULL ? pack_map (xmap, in) : (BscPackMap) { 0 };
  BscGemmExtra extra = { NULL, NULL, xmap != NULL ? &map : NULL,
                         dw_bounded != NULL ? bound_bits (BSC_GRAD_LIMIT_EXP)
                                            : 0, FALSE };
  gboolean over;

  over = bsc_sgemm ((Product) { CblasTrans, CblasNoTrans, out, in, rows, dy,
                                out, x, in, 0.0f, dw, in }, &extra);
  if (dw_bounded != NULL)
    *dw_bounded = !over;
  if (db != NULL)
    bsc_colsum (db, dy, rows, out);
  if (dx != NULL)
    bsc_sgemm ((Product) { CblasNoTrans, CblasNoTrans, rows, in, out, dy, out,
                           w, in, 0.0f, dx, in }, NULL);
}

/* Per-call state of the column-parallel BatchNorm kernels. */
typedef struct
{
  float        *h;
  float        *g;
  const float  *a;
  double       *mean;
  double       *invstd;
  const float  *gamma;
  const float  *beta;
  float        *rm;
  float        *rv;
  float        *dgamma;
  float        *dbeta;
  float        *s1;      /* cols: per-column float scratch */
  float        *s2;
  float        *s3;
  float        *s4;
  float        *s5;
  float        *s6;
  float        *s7;
  float        *scale;   /* groups x cols: the affine map out, or NULL */
  float        *shift;
  double       *d1;      /* cols: per-column double scratch */
  double       *d2;
  gsize         rows;      /* per group */
  gsize         cols;
  guint         groups;
  double        eps;
  double        momentum;
  gboolean      relu;    /* ReLU after the affine map (backward: its mask) */
  gboolean      first;   /* the first group: dgamma, dbeta = rather than += */
} BnJob;

#define BN_ALIGN 16
#define BN_MIN_WORK 256

/* h[r, c] = a[r, c] scale[c] + shift[c], then ReLU, for c in [c0, c1). */
static void
bn_apply_cols (float       *restrict h,
               const float *restrict a,
               const float *restrict scale,
               const float *restrict shift,
               gsize        rows,
               gsize        cols,
               gsize        c0,
               gsize        c1,
               gboolean     relu)
{
  for (gsize r = 0; r < rows; r++)
    {
      const float *restrict ar = a + r * cols;
      float *restrict hr = h + r * cols;

      if (relu)
        for (gsize c = c0; c < c1; c++)
          {
            float v = bn_affine (ar[c], scale[c], shift[c]);

            hr[c] = v > 0.0f ? v : 0.0f;
          }
      else
        for (gsize c = c0; c < c1; c++)
          hr[c] = bn_affine (ar[c], scale[c], shift[c]);
    }
}

/* The BN passes walk a block of BN_COL_BLOCK columns down all rows: each
 * row's part lies a whole row away from the last, usually on another page,
 * where the processor's own prefetchers stop.  So fetch the part
 * BN_PREFETCH_ROWS rows ahead of row r of x (rows x cols) ourselves; on
 * the authors' widths this cut the BatchNorm passes by a third. */
#define BN_PREFETCH_ROWS 8

static inline void
bn_prefetch (const float *x,
             gsize        r,
             gsize        rows,
             gsize        cols,
             gsize        c0,
             gsize        c1)
{
  if (r + BN_PREFETCH_ROWS >= rows)
    return;
  for (gsize c = c0; c < c1; c += 64 / sizeof (float))
    __builtin_prefetch (x + (r + BN_PREFETCH_ROWS) * cols + c);
}

/* Columns [c0, c1) of train-mode BN: mean and biased variance in one pass
 * of double sums (sum, sum of squares), then apply, then the running
 * statistics (unbiased variance) when rm is set. */
static void
bn_train_range (gsize    c0,
                gsize    c1,
                gpointer data)
{
  BnJob *j = data;
  double *restrict sum = j->d1, *restrict sq = j->d2;
  gsize rows = j->rows, cols = j->cols;
  double unbias = rows > 1 ? (double) rows / (double) (rows - 1) : 1.0;

  for (gsize c = c0; c < c1; c++)
    sum[c] = sq[c] = 0.0;
  for (gsize r = 0; r < rows; r++)
    {
      const float *restrict ar = j->a + r * cols;

      bn_prefetch (j->a, r, rows, cols, c0, c1);
      for (gsize c = c0; c < c1; c++)
        {
          double v = ar[c];

          sum[c] += v;
          sq[c] += v * v;
        }
    }
  for (gsize c = c0; c < c1; c++)
    {
      double m = sum[c] / rows;
      double var = MAX (sq[c] / rows - m * m, 0.0);
      double is = 1.0 / sqrt (var + j->eps);
      double sc = j->gamma[c] * is;

      j->mean[c] = m;
      j->invstd[c] = is;
      j->s1[c] = (float) sc;
      j->s2[c] = (float) (j->beta[c] - m * sc);
      if (j->scale != NULL)
        {
          j->scale[c] = j->s1[c];
          j->shift[c] = j->s2[c];
        }
      if (j->rm != NULL)
        {
          j->rm[c] = (float) ((1.0 - j->momentum) * j->rm[c] + j->momentum * m);
          j->rv[c] = (float) ((1.0 - j->momentum) * j->rv[c]
                              + j->momentum * var * unbias);
        }
    }
  if (j->h != NULL)
    bn_apply_cols (j->h, j->a, j->s1, j->s2, rows, cols, c0, c1, j->relu);
}

/* The job of group g: its rows of a, h, g and its statistics. */
static BnJob
bn_group (const BnJob *j,
          guint        g)
{
  BnJob jg = *j;
  gsize off = g * j->rows * j->cols;

  jg.a = j->a + off;
  jg.h = j->h ? j->h + off : NULL;
  jg.g = j->g ? j->g + off : NULL;
  jg.mean = j->mean + g * j->cols;
  jg.invstd = j->invstd + g * j->cols;
  jg.scale = j->scale ? j->scale + g * j->cols : NULL;
  jg.shift = j->shift ? j->shift + g * j->cols : NULL;
  jg.first = g == 0;
  return jg;
}

/* Columns per block of the BN passes: a block's rows of a, h and g stay
 * in the L2 cache between the two passes over it. */
#define BN_COL_BLOCK 64

/* Columns [c0, c1) of every group in turn (view 0 first), so one parallel
 * dispatch serves all groups and the running statistics see the groups in
 * order; by blocks of BN_COL_BLOCK columns. */
static void
bn_each_group (BnJob  *j,
               gsize   c0,
               gsize   c1,
               void  (*range) (gsize, gsize, gpointer))
{
  for (gsize b0 = c0; b0 < c1; b0 += BN_COL_BLOCK)
    for (guint g = 0; g < j->groups; g++)
      {
        BnJob jg = bn_group (j, g);

        range (b0, MIN (c1, b0 + BN_COL_BLOCK), &jg);
      }
}

static void
bn_train_groups (gsize    c0,
                 gsize    c1,
                 gpointer data)
{
  bn_each_group (data, c0, c1, bn_train_range);
}

static void
bn_job_alloc (BnJob *j,
              gsize  cols)
{
  j->s1 = g_new (float, 7 * cols);
  j->s2 = j->s1 + cols;
  j->s3 = j->s2 + cols;
  j->s4 = j->s3 + cols;
  j->s5 = j->s4 + cols;
  j->s6 = j->s5 + cols;
  j->s7 = j->s6 + cols;
  j->d1 = g_new (double, 2 * cols);
  j->d2 = j->d1 + cols;
}

static void
bn_job_free (BnJob *j)
{
  g_free (j->s1);
  g_free (j->d1);
}

/* a, h (groups x rows) x cols; each group normalised on its own.  Batch
 * mean_c, biased var_c, invstd_c = 1/sqrt (var_c + eps) into mean, invstd
 * (groups x cols); h = (a - mean) invstd gamma + beta (ReLU'd if relu), as
 * h = a scale + shift with scale and shift in float (into scale, shift if
 * not NULL; h not written if NULL); running rm = (1-m) rm + m mean, rv =
 * (1-m) rv + m var rows/(rows-1) per group in order, if rm. */
void
bsc_bn_forward_train (float        *h,
                      double       *mean,
                      double       *invstd,
                      const float  *a,
                      const float  *gamma,
                      const float  *beta,
                      gsize         rows,
                      guint         groups,
                      gsize         cols,
                      gboolean      relu,
                      float        *rm,
                      float        *rv,
                      double        momentum,
                      float        *scale,
                      float        *shift)
{
  BnJob j = { .h = h, .a = a, .mean = mean, .invstd = invstd, .gamma = gamma,
              .beta = beta, .rm = rm, .rv = rv, .scale = scale,
              .shift = shift, .rows = rows, .cols = cols, .groups = groups,
              .eps = BSC_BN_EPS, .momentum = momentum, .relu = relu };

  bn_job_alloc (&j, cols);
  _bsc_parallel_for (cols, BN_ALIGN, BN_MIN_WORK, bn_train_groups, &j);
  bn_job_free (&j);
}

typedef struct
{
  float       *h;
  const float *a;
  const float *scale;
  const float *shift;
  gsize        rows;
  guint        groups;
  gsize        cols;
  gboolean     relu;
} ApplyJob;

static void
apply_range (gsize    c0,
             gsize    c1,
             gpointer data)
{
  ApplyJob *j = data;

  for (guint g = 0; g < j->groups; g++)
    bn_apply_cols (j->h + g * j->rows * j->cols, j->a + g * j->rows * j->cols,
                   j->scale + g * j->cols, j->shift + g * j->cols, j->rows,
                   j->cols, c0, c1, j->relu);
}

void
bsc_bn_apply (float       *h,
              const float *a,
              const float *scale,
              const float *shift,
              gsize        rows,
              guint        groups,
              gsize        cols,
              gboolean     relu)
{
  ApplyJob j = { h, a, scale, shift, rows, groups, cols, relu };

  _bsc_parallel_for (cols, BN_ALIGN, BN_MIN_WORK, apply_range, &j);
}

static void
bn_eval_range (gsize    c0,
               gsize    c1,
               gpointer data)
{
  BnJob *j = data;

  for (gsize c = c0; c < c1; c++)
    {
      double is = 1.0 / sqrt ((double) j->rv[c] + j->eps);
      double sc = j->gamma[c] * is;

      j->s1[c] = (float) sc;
      j->s2[c] = (float) (j->beta[c] - j->rm[c] * sc);
    }
  bn_apply_cols (j->h, j->a, j->s1, j->s2, j->rows, j->cols, c0, c1, j->relu);
}

/* h = (a - rm) / sqrt (rv + eps) gamma + beta, ReLU'd if relu. */
void
bsc_bn_forward_eval (float       *h,
                     const float *a,
                     const float *gamma,
                     const float *beta,
                     const float *rm,
                     const float *rv,
                     gsize        rows,
                     gsize        cols,
                     gboolean     relu)
{
  BnJob j = { .h = h, .a = a, .gamma = gamma, .beta = beta,
              .rm = (float *) rm, .rv = (float *) rv, .rows = rows,
              .cols = cols, .eps = BSC_BN_EPS, .relu = relu };

  bn_job_alloc (&j, cols);
  _bsc_parallel_for (cols, BN_ALIGN, BN_MIN_WORK, bn_eval_range, &j);
  bn_job_free (&j);
}

#define BN_ROW_BLOCK 32

/* g if v > 0, else +0: an AND with a bit mask, which GCC vectorises
 * where it leaves the equivalent select as a branch. */
static inline float
relu_mask (float g,
           float v)
{
  guint32 bits;

  memcpy (&bits, &g, sizeof bits);
  bits &= -(guint32) (v > 0.0f);
  memcpy (&g, &bits, sizeof bits);
  return g;
}

/* One row of pass 1 over n columns, with the ReLU mask: g' = g [h > 0]
 * (h > 0 where the forward map sc a + sh is); pg += g', pgx += g' xhat. */
static void
bn_back_row_mask (const float *restrict gr,
                  const float *restrict ar,
                  const float *restrict sc,
                  const float *restrict sh,
                  const float *restrict fm,
                  const float *restrict fi,
                  float       *restrict pg,
                  float       *restrict pgx,
                  gsize                 n)
{
  for (gsize c = 0; c < n; c++)
    {
      float gv = relu_mask (gr[c], bn_affine (ar[c], sc[c], sh[c]));
      float xh = (ar[c] - fm[c]) * fi[c];

      pg[c] = pg[c] + gv;
      pgx[c] = pgx[c] + gv * xh;
    }
}

/* Rows [r0, r1), columns [c0, c1) of pass 1 with the mask into the
 * float partials s3, s4. */
static void
bn_back_block_mask (const BnJob *j,
                    gsize        r0,
                    gsize        r1,
                    gsize        c0,
                    gsize        c1)
{
  gsize cols = j->cols;

  for (gsize r = r0; r < r1; r++)
    {
      bn_prefetch (j->g, r, j->rows, cols, c0, c1);
      bn_prefetch (j->a, r, j->rows, cols, c0, c1);
      bn_back_row_mask (j->g + r * cols + c0, j->a + r * cols + c0,
                        j->s6 + c0, j->s7 + c0, j->s1 + c0, j->s2 + c0,
                        j->s3 + c0, j->s4 + c0, c1 - c0);
    }
}

/* The same without a mask: g' = g. */
static void
bn_back_block_plain (const BnJob *j,
                     gsize        r0,
                     gsize        r1,
                     gsize        c0,
                     gsize        c1)
{
  const float *restrict fm = j->s1, *restrict fi = j->s2;
  float *restrict pg = j->s3, *restrict pgx = j->s4;
  gsize cols = j->cols;

  for (gsize r = r0; r < r1; r++)
    {
      const float *restrict gr = j->g + r * cols;
      const float *restrict ar = j->a + r * cols;

      bn_prefetch (j->g, r, j->rows, cols, c0, c1);
      bn_prefetch (j->a, r, j->rows, cols, c0, c1);
      for (gsize c = c0; c < c1; c++)
        {
          pg[c] += gr[c];
          pgx[c] += gr[c] * ((ar[c] - fm[c]) * fi[c]);
        }
    }
}

/* Pass 1 over columns [c0, c1): sums of g' and g' xhat into d1, d2.
 * Float partial sums over blocks of BN_ROW_BLOCK rows (so the loop
 * vectorises), added up in double. */
static void
bn_back_sums (BnJob *j,
              gsize  c0,
              gsize  c1)
{
  double *restrict sg = j->d1, *restrict sgx = j->d2;
  float *restrict pg = j->s3, *restrict pgx = j->s4;

  for (gsize c = c0; c < c1; c++)
    sg[c] = sgx[c] = 0.0;
  for (gsize r0 = 0; r0 < j->rows; r0 += BN_ROW_BLOCK)
    {
      for (gsize c = c0; c < c1; c++)
        pg[c] = pgx[c] = 0.0f;
      if (j->relu)
        bn_back_block_mask (j, r0, MIN (j->rows, r0 + BN_ROW_BLOCK), c0, c1);
      else
        bn_back_block_plain (j, r0, MIN (j->rows, r0 + BN_ROW_BLOCK), c0, c1);
      for (gsize c = c0; c < c1; c++)
        {
          sg[c] += pg[c];
          sgx[c] += pgx[c];
        }
    }
}

/* Pass 2: da = gi g' - k1 - xhat k2 (in place into g). */
static void
bn_back_apply (BnJob *j,
               gsize  c0,
               gsize  c1)
{
  const float *restrict fm = j->s1, *restrict fi = j->s2;
  const float *restrict k1 = j->s3, *restrict k2 = j->s4;
  const float *restrict gi = j->s5;
  const float *restrict sc = j->s6, *restrict sh = j->s7;
  gsize cols = j->cols;

  for (gsize r = 0; r < j->rows; r++)
    {
      float *restrict gr = j->g + r * cols;
      const float *restrict ar = j->a + r * cols;

      if (j->relu)
        {
          for (gsize c = c0; c < c1; c++)
            {
              float gv = relu_mask (gr[c], bn_affine (ar[c], sc[c], sh[c]));

              gr[c] = gi[c] * gv - k1[c] - (ar[c] - fm[c]) * fi[c] * k2[c];
            }
        }
      else
        for (gsize c = c0; c < c1; c++)
          gr[c] = gi[c] * gr[c] - k1[c] - (ar[c] - fm[c]) * fi[c] * k2[c];
    }
}

static void
bn_backward_range (gsize    c0,
                   gsize    c1,
                   gpointer data)
{
  BnJob *j = data;
  gsize rows = j->rows;

  for (gsize c = c0; c < c1; c++)
    {
      /* the forward's scale and shift, as bn_train_range computes them */
      double sc = j->gamma[c] * j->invstd[c];

      j->s1[c] = (float) j->mean[c];
      j->s2[c] = (float) j->invstd[c];
      j->s6[c] = (float) sc;
      j->s7[c] = (float) (j->beta[c] - j->mean[c] * sc);
    }
  bn_back_sums (j, c0, c1);
  for (gsize c = c0; c < c1; c++)
    {
      double gam = j->gamma[c] * j->invstd[c];

      j->dgamma[c] = (j->first ? 0.0f : j->dgamma[c]) + (float) j->d2[c];
      j->dbeta[c] = (j->first ? 0.0f : j->dbeta[c]) + (float) j->d1[c];
      j->s3[c] = (float) (gam * j->d1[c] / rows);
      j->s4[c] = (float) (gam * j->d2[c] / rows);
      j->s5[c] = (float) gam;
    }
  bn_back_apply (j, c0, c1);
}

/* The backward counterpart of bn_train_groups. */
static void
bn_backward_groups (gsize    c0,
                    gsize    c1,
                    gpointer data)
{
  bn_each_group (data, c0, c1, bn_backward_range);
}

/* g (groups x rows) x cols: dL/dh in, dL/da out, per group.  With g' = g
 * [h > 0] if relu (h > 0 recomputed from a: the forward's gamma, beta,
 * mean and invstd give its scale and shift), xhat = (a - mean) invstd,
 * n = rows:
 *   dgamma = sum_r g' xhat, dbeta = sum_r g' (groups added in order),
 *   da = gamma invstd (g' - sum g'/n - xhat sum (g' xhat)/n). */
void
bsc_bn_backward (float        *g,
                 float        *dgamma,
                 float        *dbeta,
                 const float  *a,
                 const double *mean,
                 const double *invstd,
                 const float  *gamma,
                 const float  *beta,
                 gboolean      relu,
                 gsize         rows,
                 guint         groups,
                 gsize         cols)
{
  BnJob j = { .g = g, .dgamma = dgamma, .dbeta = dbeta, .a = a,
              .mean = (double *) mean, .invstd = (double *) invstd,
              .gamma = gamma, .beta = beta, .rows = rows, .cols = cols,
              .groups = groups, .relu = relu };

  bn_job_alloc (&j, cols);
  _bsc_parallel_for (cols, BN_ALIGN, BN_MIN_WORK, bn_backward_groups, &j);
  bn_job_free (&j);
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
  sgemm_serial ((Product) { CblasNoTrans, CblasTrans, rows, rows, cols, z,
                            cols, z, cols, 0.0f, full, rows }, NULL);
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
  sgemm_serial ((Product) { CblasNoTrans, CblasNoTrans, rows, cols, rows,
                            g_full, rows, z, cols, 1.0f, dz, cols }, NULL);
}

typedef struct
{
  float       *p;
  float       *m;
  const float *g;
  float        lr;
  float        mu;
  float        wd;
  gboolean     first;
} SgdJob;

static void
sgd_range (gsize    i0,
           gsize    i1,
           gpointer data)
{
  SgdJob *j = data;
  float *restrict p = j->p, *restrict m = j->m;
  const float *restrict g = j->g;
  float lr = j->lr, mu = j->first ? 0.0f : j->mu, wd = j->wd;

  /* mu = 0 on the first step gives m = d exactly (0 * m is 0 for the
   * finite, zero-initialised buffer). */
  for (gsize i = i0; i < i1; i++)
    {
      m[i] = mu * m[i] + (g[i] + wd * p[i]);
      p[i] -= lr * m[i];
    }
}

void
bsc_sgd (float       *p,
         float       *m,
         const float *g,
         gsize        n,
         double       lr,
         double       momentum,
         double       weight_decay,
         gboolean     first)
{
  SgdJob j = { p, m, g, (float) lr, (float) momentum, (float) weight_decay,
               first };

  if (first)
    memset (m, 0, n * sizeof (float));
  _bsc_parallel_for (n, 1024, 1 << 16, sgd_range, &j);
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

typedef struct
{
  const guint32 *bits;
  guint32        limit;
  gint           bad;
} BoundJob;

static void
bounded_range (gsize    i0,
               gsize    i1,
               gpointer data)
{
  BoundJob *j = data;

  if (any_beyond (j->bits + i0, i1 - i0, j->limit))
    g_atomic_int_set (&j->bad, 1);
}

gboolean
bsc_all_bounded (const float *v,
                 gsize        n,
                 int          max_exp)
{
  BoundJob j = { (const guint32 *) v, 0, 0 };

  g_return_val_if_fail (max_exp >= -126 && max_exp <= 128, FALSE);

  j.limit = bound_bits (max_exp);
  _bsc_parallel_for (n, 1024, 1 << 18, bounded_range, &j);
  return g_atomic_int_get (&j.bad) == 0;
}

static void
zero_range (gsize    i0,
            gsize    i1,
            gpointer data)
{
  memset ((float *) data + i0, 0, (i1 - i0) * sizeof (float));
}

/* v (n) = 0, split over the engine's threads. */
void
bsc_zero (float *v,
          gsize  n)
{
  _bsc_parallel_for (n, 1024, 1 << 18, zero_range, v);
}
