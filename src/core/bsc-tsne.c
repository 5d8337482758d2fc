/* bsc-tsne.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exact t-SNE on the L <= BSC_TSNE_MAX_LANDMARKS landmarks.  For their rows
 * scaled to unit length, x_i (L x d), and the layout y_i (L x 2):
 *   d2_ij   = |x_i|^2 + |x_j|^2 - 2 x_i.x_j            (clamped at 0)
 *   p_j|i   = exp (-beta_i d2_ij) / sum over i's k nearest neighbours,
 *             beta_i such that the entropy of p_.|i is log perplexity
 *   p_ij    = (p_j|i + p_i|j) / 2L                      (sparse, by row)
 *   w_ij    = 1 / (1 + |y_i - y_j|^2),  Z = sum_{i != j} w_ij
 *   dC/dy_i = 4 sum_j (exag p_ij - w_ij / Z) w_ij (y_i - y_j)
 * the attraction over P's entries, the repulsion over all L^2 pairs in 16
 * lanes whose summation order does not depend on the vector width (the
 * AVX-512 and the portable kernel give the same bits).  Descent with
 * momentum and per-coordinate gains as in van der Maaten's reference code,
 * the layout kept from shrinking below its starting size (see
 * centre_and_floor).  Every other point goes to a weighted mean of its
 * K_PLACE nearest landmarks' places, kept local on the map (see
 * weighted_mean).  Not done:
 * Barnes-Hut or FFT repulsion (the landmarks bound the cost instead),
 * refining the placed points.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bsc-cpu.h"
#include "bsc-error.h"
#include "bsc-layers.h"
#include "bsc-parallel.h"
#include "bsc-rng.h"
#include "bsc-tsne.h"
#include "bsc-tsne-private.h"

/* The lane arithmetic below leaves the instructions to the compiler;
 * fp-contract off: no multiply and add are fused into one rounding in
 * either kernel, so both give the same bits. */
#pragma GCC optimize ("O3,fp-contract=off")

#define DEFAULT_PERPLEXITY 30.0
#define ENTROPY_TOL 1e-5
#define CALIBRATE_STEPS 100
#define EXAGGERATION 12.0
#define EARLY_ITERS 250         /* exaggerated, momentum 0.5 */
#define LATE_ITERS 500          /* plain, momentum 0.8 */
#define WARM_ITERS 100          /* a warm update's default */
#define EARLY_MOMENTUM 0.5f
#define LATE_MOMENTUM 0.8f
#define MIN_GAIN 0.01f
#define INIT_STD 1e-4
#define K_PLACE 10
#define PLACE_REACH 8.0         /* locality of placement, in landmark spacings */
#define PLACE_BLOCK 1024        /* rows per similarity block (10 MB) */
#define N_LANES 16

/* P, symmetric, by row: row i's entries at [row[i], row[i + 1]). */
typedef struct
{
  gsize    n;
  gsize   *row;
  guint32 *col;
  float   *val;
} Affinities;

struct _BscTsne
{
  guint64  seed;
  double   perplexity;
  gboolean serial;
  GCancellable *cancellable;

  /* The last update; n == 0 before the first (or after one that failed
   * part way). */
  gsize    n;           /* distinct rows laid out */
  gsize    n_rows;      /* rows given, duplicates included */
  gsize   *first;       /* with duplicates: each distinct row's first row
                         * (n of them), else NULL */
  guint    d;
  gsize    n_land;      /* min (n, BSC_TSNE_MAX_LANDMARKS) */
  gsize   *land;        /* their rows of x, ascending; NULL: all rows */
  float   *land_rows;   /* n_land x d, unit length */
  float   *land_norm2;  /* n_land: |row|^2, 1 or 0 */
  float   *yx;          /* n_land: the layout in the optimiser's units */
  float   *yy;
  float   *land_out;    /* n_land x 2: the places handed out */
};

static gboolean force_portable;

/* ---- set-up -------------------------------------------------------- */

BscTsne *
bsc_tsne_new (guint64 seed)
{
  BscTsne *self = g_new0 (BscTsne, 1);

  self->seed = seed;
  self->perplexity = DEFAULT_PERPLEXITY;
  return self;
}

static void
map_clear (BscTsne *self)
{
  self->n = 0;
  self->n_rows = 0;
  g_clear_pointer (&self->first, g_free);
  self->d = 0;
  self->n_land = 0;
  g_clear_pointer (&self->land, g_free);
  g_clear_pointer (&self->land_rows, g_free);
  g_clear_pointer (&self->land_norm2, g_free);
  g_clear_pointer (&self->yx, g_free);
  g_clear_pointer (&self->yy, g_free);
  g_clear_pointer (&self->land_out, g_free);
}

void
bsc_tsne_free (BscTsne *self)
{
  if (self == NULL)
    return;
  map_clear (self);
  g_clear_object (&self->cancellable);
  g_free (self);
}

void
bsc_tsne_set_threads (BscTsne *self,
                      guint    threads)
{
  g_return_if_fail (self != NULL);

  self->serial = threads == 1;
}

void
bsc_tsne_set_cancellable (BscTsne      *self,
                          GCancellable *cancellable)
{
  g_return_if_fail (self != NULL);

  g_set_object (&self->cancellable, cancellable);
}

void
bsc_tsne_set_perplexity (BscTsne *self,
                         double   perplexity)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (perplexity > 0.0 && isfinite (perplexity));

  self->perplexity = perplexity;
}

void
_bsc_tsne_set_portable (gboolean portable)
{
  g_atomic_int_set (&force_portable, portable);
}

/* count x size bytes, or NULL with BSC_ERROR_NO_MEMORY. */
static gpointer
try_alloc (gsize    count,
           gsize    size,
           GError **error)
{
  gpointer p = g_try_malloc_n (MAX (count, 1), size);

  if (p == NULL)
    g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                 "t-SNE: out of memory for %" G_GSIZE_FORMAT " x %"
                 G_GSIZE_FORMAT " bytes", count, size);
  return p;
}

static gboolean
check_finite (const float  *x,
              gsize         n,
              guint         d,
              GError      **error)
{
  for (gsize i = 0; i < n; i++)
    for (guint k = 0; k < d; k++)
      if (!isfinite (x[i * d + k]))
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                       "Row %" G_GSIZE_FORMAT " of the embedding is not "
                       "finite (column %u)", i, k);
          return FALSE;
        }
  return TRUE;
}

/* dst (m x d) = the rows of x picked by which (NULL: rows 0 .. m-1)
 * scaled to unit length, a zero row left zero; norm2 (m) = their squared
 * lengths.  A row with NaN or infinity becomes zero with norm2 NaN. */
static void
unit_rows (float       *dst,
           float       *norm2,
           const float *x,
           const gsize *which,
           gsize        m,
           guint        d)
{
  for (gsize r = 0; r < m; r++)
    {
      const float *src = x + (which != NULL ? which[r] : r) * d;
      float *out = dst + r * d;
      double sum = 0.0, scale, check = 0.0;

      for (guint k = 0; k < d; k++)
        sum += (double) src[k] * src[k];
      scale = sum > 0.0 && isfinite (sum) ? 1.0 / sqrt (sum) : 0.0;
      for (guint k = 0; k < d; k++)
        {
          out[k] = (float) (src[k] * scale);
          check += (double) out[k] * out[k];
        }
      norm2[r] = isfinite (sum) ? (float) check : NAN;
    }
}

/* ---- input affinities ---------------------------------------------- */

guint
_bsc_tsne_neighbours (gsize   n,
                      double  perplexity,
                      double *effective)
{
  double eff = 1.0;
  guint k = 0;

  if (n >= 2)
    {
      eff = MAX (MIN (perplexity, (n - 1) / 3.0), 1.0);
      /* the epsilon: 3 ((n - 1) / 3) may round just below n - 1 */
      k = (guint) MIN ((double) (n - 1), floor (3.0 * eff + 1e-9));
    }
  if (effective != NULL)
    *effective = eff;
  return k;
}

/* d2 (n x n) = max (|x_i|^2 + |x_j|^2 - 2 x_i.x_j, 0). */
static void
squared_distances (float       *d2,
                   const float *rows,
                   const float *norm2,
                   gsize        n,
                   guint        d)
{
  bsc_linear_forward (d2, rows, NULL, rows, NULL, n, d, n);
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      d2[i * n + j] = MAX (norm2[i] + norm2[j] - 2.0f * d2[i * n + j], 0.0f);
}

/* Whether (da, a) is farther than (db, b): by distance, ties by index, so
 * the neighbours chosen do not depend on the order of the scan. */
static inline gboolean
farther (float   da,
         guint32 a,
         float   db,
         guint32 b)
{
  return da > db || (da == db && a > b);
}

/* Restores the max-heap (farthest on top) below pos. */
static void
sift_down (float   *dist,
           guint32 *idx,
           guint    size,
           guint    pos)
{
  for (;;)
    {
      guint c = 2 * pos + 1, top = pos;
      float td;
      guint32 ti;

      if (c < size && farther (dist[c], idx[c], dist[top], idx[top]))
        top = c;
      if (c + 1 < size
          && farther (dist[c + 1], idx[c + 1], dist[top], idx[top]))
        top = c + 1;
      if (top == pos)
        return;
      td = dist[pos], dist[pos] = dist[top], dist[top] = td;
      ti = idx[pos], idx[pos] = idx[top], idx[top] = ti;
      pos = top;
    }
}

/* The k nearest of row i's n distances (i itself left out) into idx and
 * dist, in heap order. */
static void
nearest (const float *row,
         gsize        n,
         gsize        i,
         guint        k,
         guint32     *idx,
         float       *dist)
{
  guint size = 0;

  for (gsize j = 0; j < n; j++)
    {
      if (j == i)
        continue;
      if (size < k)
        {
          guint pos = size++;

          /* sift up */
          while (pos > 0 && farther (row[j], j, dist[(pos - 1) / 2],
                                     idx[(pos - 1) / 2]))
            {
              dist[pos] = dist[(pos - 1) / 2];
              idx[pos] = idx[(pos - 1) / 2];
              pos = (pos - 1) / 2;
            }
          dist[pos] = row[j];
          idx[pos] = j;
        }
      else if (farther (dist[0], idx[0], row[j], j))
        {
          dist[0] = row[j];
          idx[0] = j;
          sift_down (dist, idx, k, 0);
        }
    }
}

/* H of e_t = exp (-beta gap_t) / sum, with the sum and the variance of gap
 * under it (H' (beta) = -beta var).  gap >= 0 with a 0, so sum >= 1. */
static double
entropy (const double *gap,
         guint         k,
         double        beta,
         double       *e,
         double       *sum,
         double       *var)
{
  double s = 0.0, m1 = 0.0, m2 = 0.0;

  for (guint t = 0; t < k; t++)
    {
      e[t] = exp (-beta * gap[t]);
      s += e[t];
      m1 += gap[t] * e[t];
      m2 += gap[t] * gap[t] * e[t];
    }
  m1 /= s;
  m2 /= s;
  *sum = s;
  *var = MAX (m2 - m1 * m1, 0.0);
  return log (s) + beta * m1;
}

/* p (k) = exp (-beta (d2 - d2_min)) / sum with the entropy log_perp:
 * Newton steps on H (beta), kept inside the bracket by bisection (or
 * doubling while there is no upper end).  Equal distances (H = log k at
 * every beta) give the uniform distribution; a target below what the
 * ties at the minimum allow ends at a large but finite beta.  work: 2k. */
static void
calibrate_row (const float *dist,
               guint        k,
               double       log_perp,
               double      *work,
               float       *p)
{
  double *gap = work, *e = work + k;
  double dmin = G_MAXDOUBLE, mean = 0.0, lo = 0.0, hi = INFINITY;
  double beta, sum = 1.0;

  for (guint t = 0; t < k; t++)
    dmin = MIN (dmin, dist[t]);
  for (guint t = 0; t < k; t++)
    {
      gap[t] = dist[t] - dmin;
      mean += gap[t] / k;
    }
  if (!(mean > 0.0))
    {
      for (guint t = 0; t < k; t++)
        p[t] = 1.0f / k;
      return;
    }

  beta = 1.0 / mean;
  for (guint step = 0;; step++)
    {
      double var, diff = entropy (gap, k, beta, e, &sum, &var) - log_perp;
      double next;

      if (fabs (diff) < ENTROPY_TOL || step == CALIBRATE_STEPS)
        break;
      if (diff > 0.0)
        lo = beta;
      else
        hi = beta;
      next = beta + diff / (beta * var);
      if (!(next > lo && next < hi))
        next = isinf (hi) ? 2.0 * beta : 0.5 * (lo + hi);
      beta = next;
    }
  for (guint t = 0; t < k; t++)
    p[t] = (float) (e[t] / sum);
}

typedef struct
{
  const float *d2;
  gsize        n;
  guint        k;
  double       log_perp;
  guint32     *nbr;
  float       *p;
} CondJob;

static void
conditional_range (gsize    i0,
                   gsize    i1,
                   gpointer data)
{
  CondJob *job = data;
  g_autofree float *dist = g_new (float, job->k);
  g_autofree double *work = g_new (double, 2 * (gsize) job->k);

  for (gsize i = i0; i < i1; i++)
    {
      nearest (job->d2 + i * job->n, job->n, i, job->k,
               job->nbr + i * job->k, dist);
      calibrate_row (dist, job->k, job->log_perp, work, job->p + i * job->k);
    }
}

void
_bsc_tsne_conditional (const float *d2,
                       gsize        n,
                       double       perplexity,
                       guint32     *nbr,
                       float       *p)
{
  double eff;
  CondJob job = { d2, n, _bsc_tsne_neighbours (n, perplexity, &eff), 0.0,
                  nbr, p };

  if (job.k == 0)
    return;
  job.log_perp = log (eff);
  _bsc_parallel_for (n, 1, 64, conditional_range, &job);
}

static void
affinities_clear (Affinities *p)
{
  g_clear_pointer (&p->row, g_free);
  g_clear_pointer (&p->col, g_free);
  g_clear_pointer (&p->val, g_free);
}

typedef struct
{
  guint32 col;
  float   val;
} Entry;

static int
entry_cmp (const void *a,
           const void *b)
{
  guint32 x = ((const Entry *) a)->col, y = ((const Entry *) b)->col;

  return (x > y) - (x < y);
}

/* Row i of P from its unsorted entries: sorted by column, the (at most
 * two) entries of a column added, everything divided by 2n. */
static void
merge_row (Affinities *p,
           Entry      *ent,
           gsize       count,
           gsize      *fill)
{
  gsize first = *fill;
  float scale = (float) (0.5 / p->n);

  /* equal columns come from p_j|i and p_i|j: their sum, either order */
  qsort (ent, count, sizeof (Entry), entry_cmp);
  for (gsize s = 0; s < count; s++)
    {
      if (*fill > first && p->col[*fill - 1] == ent[s].col)
        p->val[*fill - 1] += ent[s].val;
      else
        {
          p->col[*fill] = ent[s].col;
          p->val[(*fill)++] = ent[s].val;
        }
    }
  for (gsize e = first; e < *fill; e++)
    p->val[e] *= scale;
}

/* P = (P_cond + P_cond^T) / 2n from each row's k neighbours and p_j|i. */
static gboolean
joint_affinities (const guint32  *nbr,
                  const float    *pc,
                  gsize           n,
                  guint           k,
                  Affinities     *p,
                  GError        **error)
{
  gsize nnz = 2 * n * k, fill = 0;
  g_autofree gsize *start = try_alloc (n + 1, sizeof (gsize), error);
  g_autofree gsize *pos = start ? try_alloc (n, sizeof (gsize), error) : NULL;
  g_autofree Entry *ent = pos ? try_alloc (nnz, sizeof (Entry), error) : NULL;

  p->n = n;
  if (ent == NULL
      || (p->row = try_alloc (n + 1, sizeof (gsize), error)) == NULL
      || (p->col = try_alloc (nnz, sizeof (guint32), error)) == NULL
      || (p->val = try_alloc (nnz, sizeof (float), error)) == NULL)
    return FALSE;

  memset (start, 0, sizeof (gsize) * (n + 1));
  for (gsize e = 0; e < n * k; e++)
    {
      start[e / k + 1]++;
      start[nbr[e] + 1]++;
    }
  for (gsize i = 0; i < n; i++)
    start[i + 1] += start[i];
  memcpy (pos, start, sizeof (gsize) * n);
  for (gsize e = 0; e < n * k; e++)
    {
      guint32 i = (guint32) (e / k), j = nbr[e];

      ent[pos[i]++] = (Entry) { j, pc[e] };
      ent[pos[j]++] = (Entry) { i, pc[e] };
    }
  for (gsize i = 0; i < n; i++)
    {
      p->row[i] = fill;
      merge_row (p, ent + start[i], start[i + 1] - start[i], &fill);
    }
  p->row[n] = fill;
  return TRUE;
}

/* P of the n unit rows (n x d, squared lengths norm2). */
static gboolean
affinities_of (const float  *rows,
               const float  *norm2,
               gsize         n,
               guint         d,
               double        perplexity,
               Affinities   *p,
               GError      **error)
{
  guint k = _bsc_tsne_neighbours (n, perplexity, NULL);
  g_autofree float *d2 = try_alloc (n * n, sizeof (float), error);
  g_autofree float *pc = d2 ? try_alloc (n * k, sizeof (float), error) : NULL;
  g_autofree guint32 *nbr = NULL;

  if (pc == NULL
      || (nbr = try_alloc (n * k, sizeof (guint32), error)) == NULL)
    return FALSE;
  squared_distances (d2, rows, norm2, n, d);
  _bsc_tsne_conditional (d2, n, perplexity, nbr, pc);
  g_clear_pointer (&d2, g_free);
  return joint_affinities (nbr, pc, n, k, p, error);
}

/* ---- gradient ------------------------------------------------------ */

typedef float Lanes __attribute__ ((vector_size (N_LANES * sizeof (float))));

#define LOAD_LANES(v, p) memcpy (&(v), (p), sizeof (Lanes))

/* Rows [i0, i1) of the repulsion over all n points, in N_LANES lanes
 * (lane l takes the points j = l mod N_LANES; the last partial block has
 * its missing lanes masked to 0):
 *   z_i = sum_{j != i} w_ij,  r_i = sum_j w_ij^2 (y_i - y_j).
 * Inlined into each kernel below, which then differ only in the vector
 * instructions the compiler picks for the same lane arithmetic. */
static inline __attribute__ ((always_inline)) void
repulsion_body (const float *yx,
                const float *yy,
                gsize        n,
                gsize        i0,
                gsize        i1,
                float       *rx,
                float       *ry,
                double      *z)
{
  gsize full = n / N_LANES * N_LANES;
  float tx[N_LANES] = { 0 }, ty[N_LANES] = { 0 }, tm[N_LANES] = { 0 };
  Lanes lx, ly, lm;

  for (gsize j = full; j < n; j++)
    tx[j - full] = yx[j], ty[j - full] = yy[j], tm[j - full] = 1.0f;
  LOAD_LANES (lx, tx);
  LOAD_LANES (ly, ty);
  LOAD_LANES (lm, tm);

  for (gsize i = i0; i < i1; i++)
    {
      Lanes xi = (Lanes) { 0 } + yx[i], yi = (Lanes) { 0 } + yy[i];
      Lanes sz = { 0 }, sx = { 0 }, sy = { 0 }, bx, by, dx, dy, w;
      double tz = 0.0, rsx = 0.0, rsy = 0.0;

      for (gsize j = 0; j < full; j += N_LANES)
        {
          LOAD_LANES (bx, yx + j);
          LOAD_LANES (by, yy + j);
          dx = xi - bx;
          dy = yi - by;
          w = 1.0f / (1.0f + dx * dx + dy * dy);
          sz += w;
          sx += w * w * dx;
          sy += w * w * dy;
        }
      dx = xi - lx;
      dy = yi - ly;
      w = lm / (1.0f + dx * dx + dy * dy);
      sz += w;
      sx += w * w * dx;
      sy += w * w * dy;

      for (guint l = 0; l < N_LANES; l++)
        tz += sz[l], rsx += sx[l], rsy += sy[l];
      z[i] = tz - 1.0;   /* w_ii = 1 was counted */
      rx[i] = (float) rsx;
      ry[i] = (float) rsy;
    }
}

/* Rows [i0, i1) of the attraction a_i = sum_j p_ij w_ij (y_i - y_j) over
 * P's entries, N_LANES entries at a time (the last block's missing lanes
 * with p = 0), the same lanes in both kernels as above. */
static inline __attribute__ ((always_inline)) void
attraction_body (const Affinities *p,
                 const float      *yx,
                 const float      *yy,
                 gsize             i0,
                 gsize             i1,
                 float            *ax,
                 float            *ay)
{
  for (gsize i = i0; i < i1; i++)
    {
      Lanes xi = (Lanes) { 0 } + yx[i], yi = (Lanes) { 0 } + yy[i];
      Lanes sx = { 0 }, sy = { 0 }, bx, by, pv, dx, dy, a;
      gsize e = p->row[i], end = p->row[i + 1];
      float gx[N_LANES], gy[N_LANES], gp[N_LANES] = { 0 };
      double tx = 0.0, ty = 0.0;

      for (; e < end; e += N_LANES)
        {
          if (e + N_LANES <= end)
            {
              for (guint l = 0; l < N_LANES; l++)
                gx[l] = yx[p->col[e + l]], gy[l] = yy[p->col[e + l]];
              LOAD_LANES (pv, p->val + e);
            }
          else
            {
              for (guint l = 0; l < N_LANES; l++)
                {
                  guint32 j = e + l < end ? p->col[e + l] : 0;

                  gx[l] = yx[j];
                  gy[l] = yy[j];
                  gp[l] = e + l < end ? p->val[e + l] : 0.0f;
                }
              LOAD_LANES (pv, gp);
            }
          LOAD_LANES (bx, gx);
          LOAD_LANES (by, gy);
          dx = xi - bx;
          dy = yi - by;
          a = pv / (1.0f + dx * dx + dy * dy);
          sx += a * dx;
          sy += a * dy;
        }
      for (guint l = 0; l < N_LANES; l++)
        tx += sx[l], ty += sy[l];
      ax[i] = (float) tx;
      ay[i] = (float) ty;
    }
}

/* The gradient's sums over rows [i0, i1), see the bodies above. */
static void
pair_sums_portable (const Affinities *p,
                    const float      *yx,
                    const float      *yy,
                    gsize             i0,
                    gsize             i1,
                    float            *out,
                    double           *z)
{
  gsize n = p->n;

  repulsion_body (yx, yy, n, i0, i1, out, out + n, z);
  attraction_body (p, yx, yy, i0, i1, out + 2 * n, out + 3 * n);
}

#if BSC_HAVE_AVX512
#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw")

static void
pair_sums_avx512 (const Affinities *p,
                  const float      *yx,
                  const float      *yy,
                  gsize             i0,
                  gsize             i1,
                  float            *out,
                  double           *z)
{
  gsize n = p->n;

  repulsion_body (yx, yy, n, i0, i1, out, out + n, z);
  attraction_body (p, yx, yy, i0, i1, out + 2 * n, out + 3 * n);
}

#pragma GCC pop_options
#else
#define pair_sums_avx512 pair_sums_portable
#endif

typedef struct
{
  const Affinities *p;
  const float      *yx, *yy;
  gsize             n;
  gboolean          avx512;
  float            *gx, *gy;     /* the gradient */
  float            *rx, *ry;     /* per row: repulsion, attraction (in */
  float            *ax, *ay;     /* this order, n apart), Z */
  double           *z;
} Gradient;

/* g's arrays in buf (6n floats) and z (n doubles). */
static void
gradient_init (Gradient         *g,
               const Affinities *p,
               const float      *yx,
               const float      *yy,
               float            *buf,
               double           *z)
{
  gsize n = p->n;

  *g = (Gradient) { p, yx, yy, n,
                    !g_atomic_int_get (&force_portable) && _bsc_cpu_avx512 (),
                    buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n,
                    buf + 5 * n, z };
}

static void
gradient_range (gsize    i0,
                gsize    i1,
                gpointer data)
{
  Gradient *g = data;

  if (g->avx512)
    pair_sums_avx512 (g->p, g->yx, g->yy, i0, i1, g->rx, g->z);
  else
    pair_sums_portable (g->p, g->yx, g->yy, i0, i1, g->rx, g->z);
}

/* The gradient of KL (exag P || Q): rows in parallel, Z added up row by
 * row in order, so the result does not even depend on the thread count. */
static void
gradient (Gradient *g,
          double    exag)
{
  double z = 0.0;

  _bsc_parallel_for (g->n, 8, 64, gradient_range, g);
  for (gsize i = 0; i < g->n; i++)
    z += g->z[i];
  z = z > 0.0 ? z : 1.0;
  for (gsize i = 0; i < g->n; i++)
    {
      g->gx[i] = (float) (4.0 * (exag * g->ax[i] - g->rx[i] / z));
      g->gy[i] = (float) (4.0 * (exag * g->ay[i] - g->ry[i] / z));
    }
}

gboolean
_bsc_tsne_kl_gradient (const float *x,
                       gsize        n,
                       guint        d,
                       double       perplexity,
                       double       exaggeration,
                       const float *y,
                       float       *p,
                       float       *grad)
{
  g_autofree float *rows = g_new (float, n * d);
  g_autofree float *norm2 = g_new (float, n);
  g_autofree float *buf = g_new (float, 8 * n);
  g_autofree double *z = g_new (double, n);
  Affinities aff = { 0 };
  Gradient g;

  unit_rows (rows, norm2, x, NULL, n, d);
  if (!affinities_of (rows, norm2, n, d, perplexity, &aff, NULL))
    {
      affinities_clear (&aff);
      return FALSE;
    }
  memset (p, 0, sizeof (float) * n * n);
  for (gsize i = 0; i < n; i++)
    for (gsize e = aff.row[i]; e < aff.row[i + 1]; e++)
      p[i * n + aff.col[e]] = aff.val[e];
  for (gsize i = 0; i < n; i++)
    buf[6 * n + i] = y[2 * i], buf[7 * n + i] = y[2 * i + 1];

  gradient_init (&g, &aff, buf + 6 * n, buf + 7 * n, buf, z);
  gradient (&g, exaggeration);
  for (gsize i = 0; i < n; i++)
    grad[2 * i] = g.gx[i], grad[2 * i + 1] = g.gy[i];
  affinities_clear (&aff);
  return TRUE;
}

/* ---- descent ------------------------------------------------------- */

/* One step on one coordinate: a gain grows while the velocity keeps
 * pointing down the gradient and shrinks when the gradient turns. */
static void
momentum_step (float       *y,
               const float *grad,
               float       *vel,
               float       *gain,
               gsize        n,
               float        momentum,
               float        rate)
{
  for (gsize i = 0; i < n; i++)
    {
      float k = grad[i] * vel[i] < 0.0f ? gain[i] + 0.2f : gain[i] * 0.8f;

      gain[i] = MAX (k, MIN_GAIN);
      vel[i] = momentum * vel[i] - rate * gain[i] * grad[i];
      y[i] += vel[i];
    }
}

/* v -= its mean; returns the sum of the squares left. */
static double
centre (float *v,
        gsize  n)
{
  double mean = 0.0, ss = 0.0;

  for (gsize i = 0; i < n; i++)
    mean += v[i];
  mean /= n;
  for (gsize i = 0; i < n; i++)
    {
      v[i] = (float) (v[i] - mean);
      ss += (double) v[i] * v[i];
    }
  return ss;
}

/* Centres the layout and keeps its RMS radius at least that of the start.
 * Without structure in P (uniform random rows, say) early exaggeration
 * shrinks every direction of the layout, ten orders of magnitude in a
 * hundred steps, until floats underflow (and each denormal costs a
 * microcode assist).  At that scale every w_ij is 1 to float precision
 * and the gradient is linear in y, so scaling y and the velocities
 * together changes nothing but the range of the numbers. */
static void
centre_and_floor (float *yx,
                  float *yy,
                  float *vel,
                  gsize  n)
{
  double r2 = (centre (yx, n) + centre (yy, n)) / n;
  double floor2 = 2.0 * INIT_STD * INIT_STD;
  float s;

  if (!(r2 > 0.0 && r2 < floor2))
    return;
  s = (float) sqrt (floor2 / r2);
  for (gsize i = 0; i < n; i++)
    yx[i] *= s, yy[i] *= s;
  for (gsize i = 0; i < 2 * n; i++)
    vel[i] *= s;
}

/* total steps from the layout (yx, yy), the first `early` of them with P
 * exaggerated and momentum 0.5; gains and velocities start afresh.  The
 * learning rate is the "auto" one of openTSNE and scikit-learn. */
static gboolean
descend (float             *yx,
         float             *yy,
         const Affinities  *p,
         guint              early,
         guint              total,
         GCancellable      *cancellable,
         GError           **error)
{
  gsize n = p->n;
  float rate = (float) MAX (n / EXAGGERATION / 4.0, 50.0);
  g_autofree float *buf = try_alloc (10 * n, sizeof (float), error);
  g_autofree double *z = buf ? try_alloc (n, sizeof (double), error) : NULL;
  float *vel, *gain;
  Gradient g;

  if (z == NULL)
    return FALSE;
  gradient_init (&g, p, yx, yy, buf, z);
  vel = buf + 6 * n;
  gain = buf + 8 * n;
  memset (vel, 0, sizeof (float) * 2 * n);
  for (gsize i = 0; i < 2 * n; i++)
    gain[i] = 1.0f;

  for (guint it = 0; it < total; it++)
    {
      float momentum = it < early ? EARLY_MOMENTUM : LATE_MOMENTUM;

      if (it % 16 == 0 && g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, BSC_ERROR, BSC_ERROR_CANCELLED,
                               "The map's layout was cancelled");
          return FALSE;
        }
      gradient (&g, it < early ? EXAGGERATION : 1.0);
      momentum_step (yx, g.gx, vel, gain, n, momentum, rate);
      momentum_step (yy, g.gy, vel + n, gain + n, n, momentum, rate);
      centre_and_floor (yx, yy, vel, n);
    }
  return TRUE;
}

/* ---- the map ------------------------------------------------------- */

static int
gsize_cmp (const void *a,
           const void *b)
{
  gsize x = *(const gsize *) a, y = *(const gsize *) b;

  return (x > y) - (x < y);
}

/* n_land of the n rows, uniformly without replacement (a partial
 * Fisher-Yates shuffle), ascending. */
static gboolean
choose_landmarks (BscTsne  *self,
                  gsize     n,
                  BscRng   *rng,
                  GError  **error)
{
  g_autofree gsize *idx = try_alloc (n, sizeof (gsize), error);

  if (idx == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    idx[i] = i;
  for (gsize t = 0; t < self->n_land; t++)
    {
      gsize r = t + (gsize) bsc_rng_below (rng, n - t), tmp = idx[t];

      idx[t] = idx[r];
      idx[r] = tmp;
    }
  qsort (idx, self->n_land, sizeof (gsize), gsize_cmp);
  self->land = g_steal_pointer (&idx);
  /* only the first n_land stay: shrink (a failed shrink keeps it all) */
  idx = g_try_realloc (self->land, sizeof (gsize) * self->n_land);
  if (idx != NULL)
    self->land = g_steal_pointer (&idx);
  return TRUE;
}

/* The landmarks' rows of init, or a seeded standard normal start when
 * there is no init (or one without spread, or not finite), scaled to a
 * standard deviation of INIT_STD about their mean. */
static void
initial_layout (BscTsne     *self,
                const float *init,
                BscRng      *rng)
{
  gsize n = self->n_land;
  double var = 0.0, scale;

  for (gsize i = 0; init != NULL && i < n; i++)
    {
      gsize r = self->land != NULL ? self->land[i] : i;

      self->yx[i] = init[2 * r];
      self->yy[i] = init[2 * r + 1];
    }
  if (init != NULL)
    {
      centre (self->yx, n);
      centre (self->yy, n);
      for (gsize i = 0; i < n; i++)
        var += ((double) self->yx[i] * self->yx[i]
                + (double) self->yy[i] * self->yy[i]) / (2.0 * n);
    }
  if (!(var > 0.0 && isfinite (var)))
    {
      for (gsize i = 0; i < n; i++)
        {
          self->yx[i] = (float) bsc_rng_normal (rng);
          self->yy[i] = (float) bsc_rng_normal (rng);
        }
      var = 1.0;
    }
  scale = INIT_STD / sqrt (var);
  for (gsize i = 0; i < n; i++)
    {
      self->yx[i] = (float) (self->yx[i] * scale);
      self->yy[i] = (float) (self->yy[i] * scale);
    }
}

/* A new map for n rows of d: landmarks, their rows, the start. */
static gboolean
map_start (BscTsne      *self,
           const float  *x,
           gsize         n,
           guint         d,
           const float  *init,
           GError      **error)
{
  gsize l = MIN (n, BSC_TSNE_MAX_LANDMARKS);
  BscRng rng;

  map_clear (self);
  bsc_rng_init (&rng, self->seed);
  self->n_land = l;
  if ((self->land_rows = try_alloc (l * d, sizeof (float), error)) == NULL
      || (self->land_norm2 = try_alloc (l, sizeof (float), error)) == NULL
      || (self->yx = try_alloc (l, sizeof (float), error)) == NULL
      || (self->yy = try_alloc (l, sizeof (float), error)) == NULL
      || (self->land_out = try_alloc (2 * l, sizeof (float), error)) == NULL
      || (n > l && !choose_landmarks (self, n, &rng, error)))
    return FALSE;

  self->n = n;
  self->d = d;
  unit_rows (self->land_rows, self->land_norm2, x, self->land, l, d);
  initial_layout (self, init, &rng);
  return TRUE;
}

/* P of the landmarks, then the full schedule or a warm run. */
static gboolean
map_descend (BscTsne  *self,
             gboolean  fresh,
             guint     iterations,
             GError  **error)
{
  Affinities p = { 0 };
  gboolean ok;

  if (self->n_land < 2)
    return TRUE;   /* one point: nothing to lay out */
  if (!affinities_of (self->land_rows, self->land_norm2, self->n_land,
                      self->d, self->perplexity, &p, error))
    {
      affinities_clear (&p);
      return FALSE;
    }
  if (fresh)
    ok = descend (self->yx, self->yy, &p, EARLY_ITERS,
                  EARLY_ITERS + LATE_ITERS, self->cancellable, error);
  else
    ok = descend (self->yx, self->yy, &p, 0,
                  iterations != 0 ? iterations : WARM_ITERS,
                  self->cancellable, error);
  affinities_clear (&p);
  return ok;
}

/* land_out = the layout centred and scaled to unit RMS radius (left at
 * the centre when every point is there), also into the landmarks' rows
 * of out. */
static void
map_output (BscTsne *self,
            float   *out)
{
  gsize n = self->n_land;
  double cx = 0.0, cy = 0.0, r2 = 0.0, scale;

  for (gsize i = 0; i < n; i++)
    cx += self->yx[i], cy += self->yy[i];
  cx /= n;
  cy /= n;
  for (gsize i = 0; i < n; i++)
    r2 += ((self->yx[i] - cx) * (self->yx[i] - cx)
           + (self->yy[i] - cy) * (self->yy[i] - cy)) / n;
  scale = r2 > 0.0 ? 1.0 / sqrt (r2) : 1.0;
  for (gsize i = 0; i < n; i++)
    {
      gsize r = self->land != NULL ? self->land[i] : i;

      self->land_out[2 * i] = (float) ((self->yx[i] - cx) * scale);
      self->land_out[2 * i + 1] = (float) ((self->yy[i] - cy) * scale);
      out[2 * r] = self->land_out[2 * i];
      out[2 * r + 1] = self->land_out[2 * i + 1];
    }
}

/* ---- placement ----------------------------------------------------- */

typedef struct
{
  const float *norm2;       /* b: the rows' squared lengths (NaN: skip) */
  const float *s;           /* b x n_land: their dot products */
  const float *land_norm2;
  const float *land_out;
  gsize        n_land;
  double       reach2;      /* squared map distance of locality, see below */
  float       *out;         /* b x 2 */
} PlaceJob;

/* The mean of the k nearest landmarks' places weighted by
 * exp (-(d2 - d2_min) / h), h the mean of d2 - d2_min over the k: the
 * weights adapt to how the k distances spread, so a point much nearer
 * one landmark than the others sits nearly on it and one among equals
 * at their centre; every weight lies in (0, 1], the nearest 1.  Each
 * weight is also cut by how far its landmark lies on the map from the
 * nearest one's place, exp (-|y_t - y_0|^2 / reach2): near neighbours in
 * the input whose places the layout put apart (a cluster's two edges,
 * two clusters) would otherwise pull the point into the empty space
 * between them, and the placed points would draw webs across the map. */
static void
weighted_mean (const float   *d2,
               const guint32 *who,
               guint          k,
               const float   *land_out,
               double         reach2,
               float         *out)
{
  double h = 0.0, sx = 0.0, sy = 0.0, sw = 0.0;
  double x0 = land_out[2 * who[0]], y0 = land_out[2 * who[0] + 1];

  for (guint t = 0; t < k; t++)
    h += ((double) d2[t] - d2[0]) / k;
  for (guint t = 0; t < k; t++)
    {
      double dx = land_out[2 * who[t]] - x0, dy = land_out[2 * who[t] + 1] - y0;
      double w = (h > 0.0 ? exp (-((double) d2[t] - d2[0]) / h) : 1.0)
                 * exp (-(dx * dx + dy * dy) / reach2);

      sx += w * land_out[2 * who[t]];
      sy += w * land_out[2 * who[t] + 1];
      sw += w;
    }
  out[0] = (float) (sx / sw);
  out[1] = (float) (sy / sw);
}

static void
place_range (gsize    r0,
             gsize    r1,
             gpointer data)
{
  PlaceJob *job = data;
  guint k = (guint) MIN (K_PLACE, job->n_land);

  for (gsize r = r0; r < r1; r++)
    {
      const float *s = job->s + r * job->n_land;
      float best[K_PLACE], n2 = job->norm2[r];
      guint32 who[K_PLACE];
      guint count = 0;

      if (isnan (n2))
        {
          job->out[2 * r] = job->out[2 * r + 1] = 0.0f;
          continue;
        }
      /* insertion into the sorted k best; ties keep the lower index */
      for (gsize l = 0; l < job->n_land; l++)
        {
          float v = MAX (n2 + job->land_norm2[l] - 2.0f * s[l], 0.0f);
          guint pos;

          if (count == k && !(v < best[k - 1]))
            continue;
          pos = count < k ? count++ : k - 1;
          for (; pos > 0 && best[pos - 1] > v; pos--)
            best[pos] = best[pos - 1], who[pos] = who[pos - 1];
          best[pos] = v;
          who[pos] = (guint32) l;
        }
      weighted_mean (best, who, k, job->land_out, job->reach2, job->out + 2 * r);
    }
}

static int
float_compare (gconstpointer a,
               gconstpointer b)
{
  float fa = *(const float *) a, fb = *(const float *) b;

  return fa < fb ? -1 : fa > fb;
}

/* The locality of placement: 2 r^2 for a Gaussian of standard deviation
 * r = PLACE_REACH times the median distance from a landmark's place to
 * the nearest other landmark's; infinite when there is no such spacing.
 * On Fashion-MNIST's 60,000 training images (3 epochs, 2,500 landmarks)
 * the share of each point's 10 map neighbours with its label goes from
 * 0.654 without the cut to 0.674 / 0.669 / 0.666 with r = 4 / 8 / 16
 * spacings; 8 fills each cluster's area without webs between them. */
static double
placement_reach2 (const float *land_out,
                  gsize        l)
{
  g_autofree float *nearest = g_new (float, MAX (l, 1));
  double spacing;

  if (l < 2)
    return INFINITY;
  for (gsize i = 0; i < l; i++)
    {
      float best = INFINITY, xi = land_out[2 * i], yi = land_out[2 * i + 1];

      for (gsize j = 0; j < l; j++)
        {
          float dx = land_out[2 * j] - xi, dy = land_out[2 * j + 1] - yi;
          float v = dx * dx + dy * dy;

          if (j != i && v < best)
            best = v;
        }
      nearest[i] = best;
    }
  qsort (nearest, l, sizeof (float), float_compare);
  spacing = sqrt ((double) nearest[l / 2]);
  return spacing > 0.0 ? 2.0 * (PLACE_REACH * spacing) * (PLACE_REACH * spacing)
                       : INFINITY;
}

/* Places the m rows of x picked by which (NULL: rows 0 .. m-1) on the
 * landmarks' places, block by block: point r into out[2 which[r]] (or
 * out[2 r]).  Rows with NaN or infinity go to the centre. */
static gboolean
place_rows (const BscTsne  *self,
            const float    *x,
            const gsize    *which,
            gsize           m,
            float          *out,
            GError        **error)
{
  gsize block = MIN (m, PLACE_BLOCK), l = self->n_land;
  guint d = self->d;
  g_autofree float *rows = try_alloc (block * d, sizeof (float), error);
  g_autofree float *norm2 = rows ? try_alloc (block, sizeof (float), error)
                                 : NULL;
  g_autofree float *s = norm2 ? try_alloc (block * l, sizeof (float), error)
                              : NULL;
  g_autofree float *pts = s ? try_alloc (2 * block, sizeof (float), error)
                            : NULL;

  double reach2;

  if (pts == NULL)
    return FALSE;
  reach2 = placement_reach2 (self->land_out, l);
  for (gsize b0 = 0; b0 < m; b0 += block)
    {
      gsize b = MIN (block, m - b0);
      PlaceJob job = { norm2, s, self->land_norm2, self->land_out, l, reach2,
                       pts };

      if (which != NULL)
        unit_rows (rows, norm2, x, which + b0, b, d);
      else
        unit_rows (rows, norm2, x + b0 * d, NULL, b, d);
      bsc_linear_forward (s, rows, NULL, self->land_rows, NULL, b, d, l);
      _bsc_parallel_for (b, 1, 64, place_range, &job);
      for (gsize r = 0; r < b; r++)
        {
          gsize o = which != NULL ? which[b0 + r] : b0 + r;

          out[2 * o] = pts[2 * r];
          out[2 * o + 1] = pts[2 * r + 1];
        }
    }
  return TRUE;
}

/* The rows that are not landmarks, placed. */
static gboolean
place_rest (BscTsne      *self,
            const float  *x,
            float        *out,
            GError      **error)
{
  gsize m = self->n - self->n_land, t = 0, r = 0;
  g_autofree gsize *rest = NULL;

  if (m == 0)
    return TRUE;
  if ((rest = try_alloc (m, sizeof (gsize), error)) == NULL)
    return FALSE;
  for (gsize i = 0; i < self->n; i++)
    {
      if (t < self->n_land && self->land[t] == i)
        t++;
      else
        rest[r++] = i;
    }
  return place_rows (self, x, rest, m, out, error);
}

static gboolean
update_steps (BscTsne      *self,
              const float  *x,
              gsize         n,
              guint         d,
              const float  *init,
              gboolean      fresh,
              guint         iterations,
              float        *out,
              GError      **error)
{
  if (fresh && !map_start (self, x, n, d, init, error))
    return FALSE;
  if (!fresh)
    unit_rows (self->land_rows, self->land_norm2, x, self->land,
               self->n_land, d);
  if (!map_descend (self, fresh, iterations, error))
    return FALSE;
  map_output (self, out);
  return place_rest (self, x, out, error);
}

/* The rows of x (n x d) with distinct contents, bit for bit: first[k] is
 * the first row of the k-th content, of_row[i] the k of row i.  Returns
 * how many there are. */
static gsize
distinct_rows (const float *x,
               gsize        n,
               guint        d,
               gsize       *first,
               gsize       *of_row)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                      (GDestroyNotify) g_bytes_unref,
                                                      NULL);
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    {
      GBytes *key = g_bytes_new_static (x + i * d, sizeof (float) * d);
      gpointer k;

      if (g_hash_table_lookup_extended (seen, key, NULL, &k))
        {
          of_row[i] = GPOINTER_TO_SIZE (k) - 1;
          g_bytes_unref (key);
          continue;
        }
      first[m] = i;
      of_row[i] = m;
      g_hash_table_insert (seen, key, GSIZE_TO_POINTER (m + 1));
      m++;
    }
  return m;
}

/* rows first[0 .. m-1] of src (cols wide) into dst. */
static void
gather_rows (float       *dst,
             const float *src,
             const gsize *first,
             gsize        m,
             guint        cols)
{
  for (gsize k = 0; k < m; k++)
    memcpy (dst + k * cols, src + first[k] * cols, sizeof (float) * cols);
}

/* One update on the distinct rows; copies share their row's place. */
static gboolean
update_distinct (BscTsne      *self,
                 const float  *x,
                 gsize         n,
                 guint         d,
                 const float  *init,
                 guint         iterations,
                 float        *out,
                 gboolean     *fresh,
                 GError      **error)
{
  g_autofree gsize *first = try_alloc (n, sizeof (gsize), error);
  g_autofree gsize *of_row = first ? try_alloc (n, sizeof (gsize), error) : NULL;
  g_autofree float *xu = NULL, *init_u = NULL, *out_u = NULL;
  gsize m;

  if (of_row == NULL)
    return FALSE;
  m = distinct_rows (x, n, d, first, of_row);
  /* The layout is kept by distinct row: the same count but another
   * pattern of copies would give points their neighbours' places. */
  *fresh = self->n != m || self->n_rows != n || self->d != d
           || (m < n) != (self->first != NULL)
           || (m < n && memcmp (first, self->first, sizeof (gsize) * m) != 0);
  if (m == n)
    {
      g_clear_pointer (&self->first, g_free);
      return update_steps (self, x, n, d, init, *fresh, iterations, out, error);
    }

  xu = try_alloc (m * d, sizeof (float), error);
  out_u = xu ? try_alloc (m * 2, sizeof (float), error) : NULL;
  if (out_u == NULL)
    return FALSE;
  gather_rows (xu, x, first, m, d);
  if (init != NULL)
    {
      init_u = g_new (float, m * 2);
      gather_rows (init_u, init, first, m, 2);
    }
  if (!update_steps (self, xu, m, d, init_u, *fresh, iterations, out_u, error))
    return FALSE;
  g_free (self->first);
  self->first = g_memdup2 (first, sizeof (gsize) * m);
  for (gsize i = 0; i < n; i++)
    {
      out[2 * i] = out_u[2 * of_row[i]];
      out[2 * i + 1] = out_u[2 * of_row[i] + 1];
    }
  return TRUE;
}

gboolean
bsc_tsne_update (BscTsne      *self,
                 const float  *x,
                 gsize         n,
                 guint         d,
                 const float  *init,
                 guint         iterations,
                 float        *out,
                 GError      **error)
{
  gint64 start = g_get_monotonic_time ();
  gboolean fresh = TRUE, ok, was_serial = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x != NULL && out != NULL, FALSE);
  g_return_val_if_fail (n >= 1 && d >= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* refused input leaves the previous map as it was */
  if (!check_finite (x, n, d, error))
    return FALSE;
  if (self->serial)
    was_serial = _bsc_parallel_set_serial_here (TRUE);
  ok = update_distinct (self, x, n, d, init, iterations, out, &fresh, error);
  if (self->serial)
    _bsc_parallel_set_serial_here (was_serial);
  if (!ok)
    {
      /* a half-updated map would mix two layouts: start afresh next time */
      map_clear (self);
      return FALSE;
    }
  self->n_rows = n;
  g_debug ("t-SNE: %s of %" G_GSIZE_FORMAT " points (%" G_GSIZE_FORMAT
           " distinct, %" G_GSIZE_FORMAT " laid out) in %.1f ms",
           fresh ? "first layout" : "warm update", n, self->n, self->n_land,
           (g_get_monotonic_time () - start) / 1000.0);
  return TRUE;
}

gboolean
bsc_tsne_place (BscTsne     *self,
                const float *x,
                gsize        m,
                guint        d,
                float       *out)
{
  gboolean ok, was_serial = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (m == 0 || (x != NULL && out != NULL), FALSE);

  if (self->n == 0 || d != self->d)
    return FALSE;
  if (self->serial)
    was_serial = _bsc_parallel_set_serial_here (TRUE);
  ok = place_rows (self, x, NULL, m, out, NULL);
  if (self->serial)
    _bsc_parallel_set_serial_here (was_serial);
  return ok;
}
