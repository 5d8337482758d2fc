/* bsc-vmath.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The exponentials of the Sinkhorn targets and the soft cross-entropy,
 * sixteen floats or eight doubles at a time where the processor has
 * AVX-512, else one at a time by the same operations in the same order:
 * both paths give the same bits (plain multiplies and adds, no fused
 * multiply-add: see the pragma), so results do not depend on the
 * processor.
 *
 * exp (x) = 2^k exp (r), k = x / ln 2 rounded to nearest (by the 1.5 2^52
 * trick: an add and a subtract, the same in both paths), r = x - k ln 2
 * in two parts (Cody and Waite), exp (r) by its Taylor series to r^13
 * (|r| <= ln 2 / 2: below half an ulp of error in the series) and 2^k put
 * in the exponent bits, in double (the soft cross-entropy rounds it to
 * float).  Results below the normal range are flushed to 0 (x < -708:
 * e^-708 is 3e-308), above it (x > 709) they are infinity; NaN stays NaN.
 */

#include <math.h>
#include <string.h>

#include "bsc-cpu.h"
#include "bsc-layers.h"
#include "bsc-vmath.h"

#pragma GCC push_options
#pragma GCC optimize ("fp-contract=off")

#define LOG2E 1.4426950408889634074
#define LN2_HI 6.93147180369123816490e-01   /* 32 bits: k LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10
#define ROUND_D 6755399441055744.0          /* 1.5 2^52 */
#define EXP_D_MIN -708.0
#define EXP_D_MAX 709.0

/* 1 / i! for the series, highest power first. */
static const double series_d[] = {
  1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
  1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0,
  1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0
};

#define N_SERIES_D G_N_ELEMENTS (series_d)

static double
exp_d (double x)
{
  double k, r, p;
  gint64 e;
  guint64 bits;

  if (!(x >= EXP_D_MIN))
    return isnan (x) ? x : 0.0;
  if (x > EXP_D_MAX)
    return INFINITY;
  k = (x * LOG2E + ROUND_D) - ROUND_D;
  r = (x - k * LN2_HI) - k * LN2_LO;
  p = series_d[0];
  for (guint i = 1; i < N_SERIES_D; i++)
    p = p * r + series_d[i];
  e = (gint64) k + 1023;
  bits = (guint64) e << 52;
  memcpy (&k, &bits, sizeof k);
  return p * k;
}

static void
exp_portable (double       *dst,
              const double *src,
              gsize         n)
{
  for (gsize i = 0; i < n; i++)
    dst[i] = exp_d (src[i]);
}

/* The lanes of a row's sums: element j goes to lane j % 8, the lanes are
 * added up in order at the end. */
#define LANES 8

static double
lanes_total (const double *lane)
{
  double t = 0.0;

  for (guint l = 0; l < LANES; l++)
    t += lane[l];
  return t;
}

/* One row of the soft cross-entropy on its way: inputs, the float
 * probabilities p, and the sums of its two passes by lanes. */
typedef struct
{
  const float *s;
  const float *q;
  gsize        n;
  float        itau;
  float        m;         /* max_j s_j / tau */
  float       *p;         /* n: exp (s_j / tau - m) */
  float       *ds;        /* n or NULL */
  double       weight;
  double       denom;     /* rows tau */
  double       rt;        /* sum_j q_j */
  double       gscale;    /* 1 / sum_j p_j */
  double       sum[LANES];
  double       r[LANES];
  double       ql[LANES];
  double       dlt[LANES];
} CeRow;

/* Pass 1: x_j = s_j / tau - m, p_j = exp x_j; sums of p, q, q x. */
static void
ce_sums_portable (CeRow *c)
{
  for (gsize j = 0; j < c->n; j++)
    {
      float x = c->s[j] * c->itau - c->m;

      c->p[j] = (float) exp_d (x);
      c->sum[j % LANES] += c->p[j];
      c->r[j % LANES] += c->q[j];
      c->ql[j % LANES] += (double) c->q[j] * x;
    }
}

/* Pass 2: d_j = r P_j - q_j (P = p gscale), ds_j = weight d_j / denom;
 * sum of d s. */
static void
ce_grad_portable (CeRow *c)
{
  for (gsize j = 0; j < c->n; j++)
    {
      double d = c->rt * c->p[j] * c->gscale - c->q[j];

      c->dlt[j % LANES] += d * c->s[j];
      if (c->ds != NULL)
        c->ds[j] = (float) (c->weight * d / c->denom);
    }
}

static float
row_max_portable (const float *s,
                  gsize        n,
                  float        itau)
{
  float m = -INFINITY;

  for (gsize j = 0; j < n; j++)
    m = MAX (m, s[j] * itau);
  return m;
}

#if BSC_HAVE_AVX512

#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw")

#include <immintrin.h>

static inline __m512d
exp8 (__m512d x)
{
  __m512d k, r, p;
  __mmask8 low = _mm512_cmp_pd_mask (x, _mm512_set1_pd (EXP_D_MIN),
                                     _CMP_LT_OQ);
  __mmask8 high = _mm512_cmp_pd_mask (x, _mm512_set1_pd (EXP_D_MAX),
                                      _CMP_GT_OQ);
  __mmask8 nan = _mm512_cmp_pd_mask (x, x, _CMP_UNORD_Q);
  __m512d xc = _mm512_mask_blend_pd (low | high | nan, x, _mm512_setzero_pd ());
  __m512i e;

  k = _mm512_sub_pd (_mm512_add_pd (_mm512_mul_pd (xc, _mm512_set1_pd (LOG2E)),
                                    _mm512_set1_pd (ROUND_D)),
                     _mm512_set1_pd (ROUND_D));
  r = _mm512_sub_pd (_mm512_sub_pd (xc, _mm512_mul_pd (k, _mm512_set1_pd (LN2_HI))),
                     _mm512_mul_pd (k, _mm512_set1_pd (LN2_LO)));
  p = _mm512_set1_pd (series_d[0]);
  for (guint i = 1; i < N_SERIES_D; i++)
    p = _mm512_add_pd (_mm512_mul_pd (p, r), _mm512_set1_pd (series_d[i]));
  e = _mm512_add_epi64 (_mm512_cvtpd_epi64 (k), _mm512_set1_epi64 (1023));
  p = _mm512_mul_pd (p, _mm512_castsi512_pd (_mm512_slli_epi64 (e, 52)));
  p = _mm512_mask_blend_pd (low, p, _mm512_setzero_pd ());
  p = _mm512_mask_blend_pd (high, p, _mm512_set1_pd (INFINITY));
  return _mm512_mask_blend_pd (nan, p, x);
}

static void
exp_avx512 (double       *dst,
            const double *src,
            gsize         n)
{
  for (gsize i = 0; i < n; i += 8)
    {
      __mmask8 valid = n - i >= 8 ? 0xff : (__mmask8) ((1u << (n - i)) - 1);

      _mm512_mask_storeu_pd (dst + i, valid,
                             exp8 (_mm512_maskz_loadu_pd (valid, src + i)));
    }
}

static inline __mmask16
lanes16 (gsize left)
{
  return left >= 16 ? 0xffff : (__mmask16) ((1u << left) - 1);
}

static inline __m512d
low8 (__m512 v)
{
  return _mm512_cvtps_pd (_mm512_castps512_ps256 (v));
}

static inline __m512d
high8 (__m512 v)
{
  return _mm512_cvtps_pd (_mm512_extractf32x8_ps (v, 1));
}

static float
row_max_avx512 (const float *s,
                gsize        n,
                float        itau)
{
  __m512 m = _mm512_set1_ps (-INFINITY), vt = _mm512_set1_ps (itau);

  for (gsize j = 0; j < n; j += 16)
    m = _mm512_mask_max_ps (m, lanes16 (n - j), m,
                            _mm512_mul_ps (_mm512_maskz_loadu_ps (lanes16 (n - j),
                                                                  s + j),
                                           vt));
  return _mm512_reduce_max_ps (m);
}

static void
ce_sums_avx512 (CeRow *c)
{
  __m512d vs = _mm512_setzero_pd (), vr = vs, vq = vs;
  __m512 vt = _mm512_set1_ps (c->itau), vm = _mm512_set1_ps (c->m);

  for (gsize j = 0; j < c->n; j += 16)
    {
      __mmask16 v = lanes16 (c->n - j);
      __mmask8 v0 = (__mmask8) v, v1 = (__mmask8) (v >> 8);
      __m512 x = _mm512_sub_ps (_mm512_mul_ps (_mm512_maskz_loadu_ps (v, c->s + j),
                                               vt), vm);
      __m256 e0 = _mm512_cvtpd_ps (exp8 (low8 (x)));
      __m256 e1 = _mm512_cvtpd_ps (exp8 (high8 (x)));
      __m512 e = _mm512_insertf32x8 (_mm512_castps256_ps512 (e0), e1, 1);
      __m512 qv = _mm512_maskz_loadu_ps (v, c->q + j);

      _mm512_mask_storeu_ps (c->p + j, v, e);
      vs = _mm512_mask_add_pd (vs, v0, vs, low8 (e));
      vr = _mm512_mask_add_pd (vr, v0, vr, low8 (qv));
      vq = _mm512_mask_add_pd (vq, v0, vq, _mm512_mul_pd (low8 (qv), low8 (x)));
      vs = _mm512_mask_add_pd (vs, v1, vs, high8 (e));
      vr = _mm512_mask_add_pd (vr, v1, vr, high8 (qv));
      vq = _mm512_mask_add_pd (vq, v1, vq, _mm512_mul_pd (high8 (qv),
                                                          high8 (x)));
    }
  _mm512_storeu_pd (c->sum, vs);
  _mm512_storeu_pd (c->r, vr);
  _mm512_storeu_pd (c->ql, vq);
}

static void
ce_grad_avx512 (CeRow *c)
{
  __m512d acc = _mm512_setzero_pd ();
  __m512d vr = _mm512_set1_pd (c->rt), vg = _mm512_set1_pd (c->gscale);
  __m512d vw = _mm512_set1_pd (c->weight), vd = _mm512_set1_pd (c->denom);

  for (gsize j = 0; j < c->n; j += 16)
    {
      __mmask16 v = lanes16 (c->n - j);
      __m512 pv = _mm512_maskz_loadu_ps (v, c->p + j);
      __m512 qv = _mm512_maskz_loadu_ps (v, c->q + j);
      __m512 sv = _mm512_maskz_loadu_ps (v, c->s + j);
      __m512d d0 = _mm512_sub_pd (_mm512_mul_pd (_mm512_mul_pd (vr, low8 (pv)),
                                                 vg), low8 (qv));
      __m512d d1 = _mm512_sub_pd (_mm512_mul_pd (_mm512_mul_pd (vr, high8 (pv)),
                                                 vg), high8 (qv));

      acc = _mm512_mask_add_pd (acc, (__mmask8) v, acc,
                                _mm512_mul_pd (d0, low8 (sv)));
      acc = _mm512_mask_add_pd (acc, (__mmask8) (v >> 8), acc,
                                _mm512_mul_pd (d1, high8 (sv)));
      if (c->ds != NULL)
        {
          __m256 g0 = _mm512_cvtpd_ps (_mm512_div_pd (_mm512_mul_pd (vw, d0),
                                                      vd));
          __m256 g1 = _mm512_cvtpd_ps (_mm512_div_pd (_mm512_mul_pd (vw, d1),
                                                      vd));

          _mm512_mask_storeu_ps (c->ds + j, v,
                                 _mm512_insertf32x8 (_mm512_castps256_ps512 (g0),
                                                     g1, 1));
        }
    }
  _mm512_storeu_pd (c->dlt, acc);
}

#pragma GCC pop_options

#endif /* BSC_HAVE_AVX512 */

/* One row of the soft cross-entropy (see bsc_soft_ce): returns its loss
 * r lse - sum q x, adds its sum of d s to *dlt. */
static double
soft_ce_row (CeRow    *c,
             double   *dlt,
             gboolean  avx512)
{
  double st;

  memset (c->sum, 0, sizeof c->sum);
  memset (c->r, 0, sizeof c->r);
  memset (c->ql, 0, sizeof c->ql);
  memset (c->dlt, 0, sizeof c->dlt);
#if BSC_HAVE_AVX512
  if (avx512)
    {
      /* + 0: -0 and +0 alike, whichever the reduction met first */
      c->m = row_max_avx512 (c->s, c->n, c->itau) + 0.0f;
      ce_sums_avx512 (c);
    }
  else
#endif
    {
      c->m = row_max_portable (c->s, c->n, c->itau) + 0.0f;
      ce_sums_portable (c);
    }
  st = lanes_total (c->sum);
  c->rt = lanes_total (c->r);
  c->gscale = 1.0 / st;
#if BSC_HAVE_AVX512
  if (avx512)
    ce_grad_avx512 (c);
  else
#endif
    ce_grad_portable (c);
  *dlt += lanes_total (c->dlt);
  return c->rt * log (st) - lanes_total (c->ql);
}

/* TRUE: the portable loops even where AVX-512 runs (for the tests). */
static gboolean force_portable;

void
_bsc_vmath_set_portable (gboolean portable)
{
  force_portable = portable;
}

static gboolean
use_avx512 (void)
{
  return BSC_HAVE_AVX512 && !force_portable && _bsc_cpu_avx512 ();
}

void
_bsc_exp (double       *dst,
          const double *src,
          gsize         n)
{
#if BSC_HAVE_AVX512
  if (use_avx512 ())
    {
      exp_avx512 (dst, src, n);
      return;
    }
#endif
  exp_portable (dst, src, n);
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
  CeRow c = { .n = cols, .itau = (float) (1.0 / tau), .p = p,
              .weight = weight, .denom = rows * tau };
  double loss = 0.0, dlt = 0.0;
  gboolean avx512 = use_avx512 ();

  for (gsize i = 0; i < rows; i++)
    {
      c.s = s + i * cols;
      c.q = q + i * cols;
      c.ds = ds != NULL ? ds + i * cols : NULL;
      loss += soft_ce_row (&c, &dlt, avx512);
    }
  if (dlogtau != NULL)
    *dlogtau += -weight * dlt / c.denom;
  return loss / (double) rows;
}

#pragma GCC pop_options
