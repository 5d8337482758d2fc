/* bsc-rng.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * xoshiro256** (Blackman and Vigna), seeded through splitmix64 so that any
 * 64-bit seed, zero included, gives a well-mixed non-zero state.  Normal
 * draws use the Box-Muller transform without caching the second value, so
 * the whole state stays the four words a checkpoint stores.
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

guint64
bsc_rng_next (BscRng *rng)
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
