/* bsc-rng.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * xoshiro256** (Blackman and Vigna), seeded through splitmix64 so that any
 * 64-bit seed, zero included, gives a well-mixed non-zero state.  Normal
 * draws use the Box-Muller transform without caching the second value, so
 * the whole state stays the four words a checkpoint stores; bulk float
 * noise uses Marsaglia and Tsang's ziggurat (one draw per value in 98.8%
 * of cases, five times faster than Box-Muller), same property.
 */

#include <math.h>

#include "bsc-cpu.h"
#include "bsc-rng.h"
#include "bsc-rng-private.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

void
bsc_rng_init (BscRng  *rng,
              guint64  seed)
{
  g_return_if_fail (rng != NULL);

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&seed);
}

static inline guint64
next (BscRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

guint64
bsc_rng_next (BscRng *rng)
{
  return next (rng);
}

float
bsc_rng_uniform (BscRng *rng)
{
  return (float) (bsc_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform double in (0, 1], 53 bits. */
static double
uniform_open0 (BscRng *rng)
{
  return ((double) (bsc_rng_next (rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

guint64
bsc_rng_below (BscRng  *rng,
               guint64  n)
{
  guint64 limit, x;

  g_return_val_if_fail (n > 0, 0);

  /* Rejection sampling: accept only draws below the largest multiple of n
   * so every residue is equally likely. */
  limit = G_MAXUINT64 - G_MAXUINT64 % n;
  do
    x = bsc_rng_next (rng);
  while (x >= limit);
  return x % n;
}

double
bsc_rng_normal (BscRng *rng)
{
  double u1 = uniform_open0 (rng);
  double u2 = uniform_open0 (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

void
bsc_rng_shuffle (BscRng *rng,
                 gsize  *indices,
                 gsize   n)
{
  g_return_if_fail (rng != NULL);
  g_return_if_fail (indices != NULL || n == 0);

  for (gsize i = n; i > 1; i--)
    {
      gsize j = (gsize) bsc_rng_below (rng, i);
      gsize t = indices[i - 1];

      indices[i - 1] = indices[j];
      indices[j] = t;
    }
}

/* ---- ziggurat ------------------------------------------------------ */

/* Marsaglia and Tsang, "The Ziggurat Method for Generating Random
 * Variables" (2000): 128 layers of equal area under exp (-x^2/2); the
 * base layer ends in the tail beyond ZIG_R. */
#define ZIG_LAYERS 128
#define ZIG_R 3.442619855899
#define ZIG_AREA 9.91256303526217e-3

static guint32 zig_k[ZIG_LAYERS];   /* |hz| below this: inside the layer */
static double zig_w[ZIG_LAYERS];    /* hz * w = x */
static double zig_f[ZIG_LAYERS];    /* exp (-x^2/2) at the layer's edge */

static gpointer
zig_setup (gpointer data)
{
  const double m = 2147483648.0;
  double dn = ZIG_R, tn = dn, q = ZIG_AREA / exp (-0.5 * dn * dn);

  zig_k[0] = (guint32) ((dn / q) * m);
  zig_k[1] = 0;
  zig_w[0] = q / m;
  zig_w[ZIG_LAYERS - 1] = dn / m;
  zig_f[0] = 1.0;
  zig_f[ZIG_LAYERS - 1] = exp (-0.5 * dn * dn);
  for (int i = ZIG_LAYERS - 2; i >= 1; i--)
    {
      dn = sqrt (-2.0 * log (ZIG_AREA / dn + exp (-0.5 * dn * dn)));
      zig_k[i + 1] = (guint32) ((dn / tn) * m);
      tn = dn;
      zig_f[i] = exp (-0.5 * dn * dn);
      zig_w[i] = dn / m;
    }
  return NULL;
}

/* Uniform double in (0, 1), 53 bits. */
static inline double
uniform_open (BscRng *rng)
{
  return ((double) (next (rng) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* The rare cases: the tail (layer 0) and the wedges at layer edges. */
static double
zig_slow (BscRng *rng,
          gint32  hz,
          guint   iz)
{
  double x = hz * zig_w[iz];

  if (iz == 0)
    {
      double y;

      do
        {
          x = -log (uniform_open (rng)) / ZIG_R;
          y = -log (uniform_open (rng));
        }
      while (y + y < x * x);
      return hz > 0 ? ZIG_R + x : -ZIG_R - x;
    }
  if (zig_f[iz] + uniform_open (rng) * (zig_f[iz - 1] - zig_f[iz])
      < exp (-0.5 * x * x))
    return x;
  return NAN;   /* rejected: draw again */
}

static G_ALWAYS_INLINE inline double
zig_normal (BscRng *rng)
{
  for (;;)
    {
      guint64 bits = next (rng);
      gint32 hz = (gint32) (bits >> 32);
      guint iz = (guint) bits & (ZIG_LAYERS - 1);
      guint32 mag = hz < 0 ? -(guint32) hz : (guint32) hz;
      double x;

      if (mag < zig_k[iz])
        return hz * zig_w[iz];
      x = zig_slow (rng, hz, iz);
      if (!isnan (x))
        return x;
    }
}

static GOnce zig_once = G_ONCE_INIT;

float
bsc_rng_normal_float (BscRng *rng)
{
  g_once (&zig_once, zig_setup, NULL);
  return (float) zig_normal (rng);
}

/* ---- the feature augmentation ----------------------------------------
 *
 * One row: eight xoshiro256** streams side by side (the lanes of an
 * AVX-512 register), seeded from the row's stream by splitmix64, and a
 * ninth (tail) for the ziggurat's rare slow path.  Element e takes the
 * draw of lane e % 8 in round e / 8, and uses its bits apart:
 *   bits 0-6    the ziggurat layer iz
 *   bits 7-31   the mask decision: zeroed when below p 2^25
 *   bits 32-63  the ziggurat's signed hz
 * so the mask and the noise are independent.  A kept element whose hz
 * falls outside its layer's rectangle (1.2 %) takes its normal from the
 * tail stream, in element order.  The AVX-512 kernel and the portable loop
 * below compute the same floats in the same order, bit for bit (no fused
 * multiply-adds in either: see the pragma), so results do not depend on
 * the processor. */

#pragma GCC push_options
#pragma GCC optimize ("fp-contract=off")

#define AUG_LANES 8
#define AUG_MASK_BITS 25

typedef struct
{
  guint64 s[4][AUG_LANES];   /* s[i][lane]: word i of each lane's state */
  BscRng  tail;
} AugStreams;

static float zig_wf[ZIG_LAYERS];   /* zig_w in float, for the fast path */

static gpointer
aug_setup (gpointer data)
{
  g_once (&zig_once, zig_setup, NULL);
  for (int i = 0; i < ZIG_LAYERS; i++)
    zig_wf[i] = (float) zig_w[i];
  return NULL;
}

static GOnce aug_once = G_ONCE_INIT;

static void
aug_seed (AugStreams *st,
          guint64     stream)
{
  guint64 x = stream;

  for (guint l = 0; l < AUG_LANES; l++)
    for (guint i = 0; i < 4; i++)
      st->s[i][l] = splitmix64 (&x);
  bsc_rng_init (&st->tail, splitmix64 (&x));
}

static guint32
aug_threshold (double p)
{
  return (guint32) (CLAMP (p, 0.0, 1.0) * (double) (1u << AUG_MASK_BITS));
}

/* The normal of a kept element off the fast path, from the tail. */
static float
aug_slow (BscRng  *tail,
          gint32   hz,
          guint    iz)
{
  double x = zig_slow (tail, hz, iz);

  return (float) (isnan (x) ? zig_normal (tail) : x);
}

/* Element value from its draw: 0 if masked, else x + std z. */
static inline float
aug_element (float    x,
             guint64  bits,
             float    std,
             guint32  threshold,
             BscRng  *tail)
{
  guint iz = (guint) bits & (ZIG_LAYERS - 1);
  guint32 u = (guint32) (bits >> 7) & ((1u << AUG_MASK_BITS) - 1);
  gint32 hz = (gint32) (bits >> 32);
  guint32 mag = hz < 0 ? -(guint32) hz : (guint32) hz;
  float z;

  if (u < threshold)
    return 0.0f;
  if (mag < zig_k[iz])
    z = (float) hz * zig_wf[iz];
  else
    z = aug_slow (tail, hz, iz);
  return x + std * z;
}

void
_bsc_rng_augment_portable (guint64  stream,
                           float   *x,
                           gsize    n,
                           float    std,
                           double   p)
{
  guint32 threshold = aug_threshold (p);
  AugStreams st;

  g_once (&aug_once, aug_setup, NULL);
  aug_seed (&st, stream);
  for (gsize e0 = 0; e0 < n; e0 += AUG_LANES)
    for (guint l = 0; l < AUG_LANES; l++)
      {
        BscRng lane = { { st.s[0][l], st.s[1][l], st.s[2][l], st.s[3][l] } };
        guint64 bits = next (&lane);

        for (guint i = 0; i < 4; i++)
          st.s[i][l] = lane.s[i];
        if (e0 + l < n)
          x[e0 + l] = aug_element (x[e0 + l], bits, std, threshold, &st.tail);
      }
}

#if BSC_HAVE_AVX512

#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw")

#include <immintrin.h>

/* xoshiro256** on eight lanes: s1 * 5 and * 9 as shifts and adds. */
static inline __m512i
next8 (__m512i s[4])
{
  __m512i r = _mm512_rol_epi64 (_mm512_add_epi64 (_mm512_slli_epi64 (s[1], 2),
                                                  s[1]), 7);
  __m512i result = _mm512_add_epi64 (_mm512_slli_epi64 (r, 3), r);
  __m512i t = _mm512_slli_epi64 (s[1], 17);

  s[2] = _mm512_xor_si512 (s[2], s[0]);
  s[3] = _mm512_xor_si512 (s[3], s[1]);
  s[1] = _mm512_xor_si512 (s[1], s[2]);
  s[0] = _mm512_xor_si512 (s[0], s[3]);
  s[2] = _mm512_xor_si512 (s[2], t);
  s[3] = _mm512_rol_epi64 (s[3], 45);
  return result;
}

/* 16 32-bit lanes: the low (or high) halves of two rounds of draws. */
static inline __m512i
halves (__m512i b0,
        __m512i b1,
        int     high)
{
  if (high)
    {
      b0 = _mm512_srli_epi64 (b0, 32);
      b1 = _mm512_srli_epi64 (b1, 32);
    }
  return _mm512_inserti64x4 (_mm512_castsi256_si512 (_mm512_cvtepi64_epi32 (b0)),
                             _mm512_cvtepi64_epi32 (b1), 1);
}

/* t[iz] for 16 lanes of iz < 128, t in eight registers (gathers are slow
 * on some processors; four two-register permutes and a select by bits 5
 * and 6 of iz are not). */
static inline __m512i
lookup128 (const __m512i t[8],
           __m512i       iz)
{
  __mmask16 b5 = _mm512_test_epi32_mask (iz, _mm512_set1_epi32 (32));
  __mmask16 b6 = _mm512_test_epi32_mask (iz, _mm512_set1_epi32 (64));
  __m512i q0 = _mm512_permutex2var_epi32 (t[0], iz, t[1]);
  __m512i q1 = _mm512_permutex2var_epi32 (t[2], iz, t[3]);
  __m512i q2 = _mm512_permutex2var_epi32 (t[4], iz, t[5]);
  __m512i q3 = _mm512_permutex2var_epi32 (t[6], iz, t[7]);

  return _mm512_mask_blend_epi32 (b6, _mm512_mask_blend_epi32 (b5, q0, q1),
                                  _mm512_mask_blend_epi32 (b5, q2, q3));
}

void
_bsc_rng_augment_avx512 (guint64  stream,
                         float   *x,
                         gsize    n,
                         float    std,
                         double   p)
{
  const __m512i layer = _mm512_set1_epi32 (ZIG_LAYERS - 1);
  const __m512i ubits = _mm512_set1_epi32 ((1u << AUG_MASK_BITS) - 1);
  const __m512i thr = _mm512_set1_epi32 ((int) aug_threshold (p));
  const __m512 vstd = _mm512_set1_ps (std);
  AugStreams st;
  __m512i s[4], tk[8], tw[8];

  g_once (&aug_once, aug_setup, NULL);
  aug_seed (&st, stream);
  for (guint i = 0; i < 4; i++)
    s[i] = _mm512_loadu_si512 (st.s[i]);
  for (guint i = 0; i < 8; i++)
    {
      tk[i] = _mm512_loadu_si512 (zig_k + 16 * i);
      tw[i] = _mm512_loadu_si512 (zig_wf + 16 * i);
    }
  for (gsize e0 = 0; e0 < n; e0 += 2 * AUG_LANES)
    {
      __m512i b0 = next8 (s), b1 = next8 (s);
      __m512i lo = halves (b0, b1, 0), hz = halves (b0, b1, 1);
      __m512i iz = _mm512_and_si512 (lo, layer);
      __m512i u = _mm512_and_si512 (_mm512_srli_epi32 (lo, 7), ubits);
      __mmask16 valid = n - e0 >= 16 ? 0xffff : (__mmask16) ((1u << (n - e0)) - 1);
      __mmask16 masked = _mm512_cmplt_epu32_mask (u, thr);
      __mmask16 fast = _mm512_cmplt_epu32_mask (_mm512_abs_epi32 (hz),
                                                lookup128 (tk, iz));
      __m512 z = _mm512_mul_ps (_mm512_cvtepi32_ps (hz),
                                _mm512_castsi512_ps (lookup128 (tw, iz)));
      __m512 xv = _mm512_maskz_loadu_ps (valid, x + e0);
      __m512 out = _mm512_add_ps (xv, _mm512_mul_ps (vstd, z));
      __mmask16 slow = valid & ~masked & ~fast;

      out = _mm512_mask_mov_ps (out, masked, _mm512_setzero_ps ());
      if (slow)
        {
          float xs[16], os[16];
          gint32 hs[16], is[16];

          _mm512_storeu_ps (xs, xv);
          _mm512_storeu_ps (os, out);
          _mm512_storeu_si512 (hs, hz);
          _mm512_storeu_si512 (is, iz);
          for (guint l = 0; l < 16; l++)
            if (slow & (1u << l))
              os[l] = xs[l] + std * aug_slow (&st.tail, hs[l], (guint) is[l]);
          out = _mm512_loadu_ps (os);
        }
      _mm512_mask_storeu_ps (x + e0, valid, out);
    }
}

#pragma GCC pop_options

#endif /* BSC_HAVE_AVX512 */

#pragma GCC pop_options

void
bsc_rng_noise_and_mask (guint64  stream,
                        float   *x,
                        gsize    n,
                        float    std,
                        double   p)
{
  g_return_if_fail (x != NULL || n == 0);

  (_bsc_cpu_avx512 () ? _bsc_rng_augment_avx512
                      : _bsc_rng_augment_portable) (stream, x, n, std, p);
}
