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

#include "bsc-rng.h"

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

void
bsc_rng_noise_and_mask (BscRng *rng,
                        float  *x,
                        gsize   n,
                        float   std,
                        double  p)
{
  const guint64 threshold = (guint64) (p * 4294967296.0);

  g_once (&zig_once, zig_setup, NULL);
  for (gsize i = 0; i < n; i += 2)
    {
      guint64 bits = next (rng);

      /* a masked element is zeroed, so it draws no noise */
      x[i] = (bits >> 32) < threshold ? 0.0f
                                      : x[i] + std * (float) zig_normal (rng);
      if (i + 1 < n)
        x[i + 1] = (bits & 0xffffffff) < threshold
                   ? 0.0f : x[i + 1] + std * (float) zig_normal (rng);
    }
}
