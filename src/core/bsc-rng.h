/* bsc-rng.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small deterministic generator (xoshiro256**, seeded by splitmix64)
 * whose whole state is four integers, so checkpoints resume it exactly.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 s[4];
} BscRng;

void    bsc_rng_init     (BscRng *rng,
                          guint64 seed);
guint64 bsc_rng_next     (BscRng *rng);
/* Uniform in [0, 1) with 24 random bits. */
float   bsc_rng_uniform  (BscRng *rng);
/* Uniform integer in [0, n). */
guint64 bsc_rng_below    (BscRng *rng,
                          guint64 n);
/* Standard normal. */
double  bsc_rng_normal   (BscRng *rng);
/* Standard normal in float precision, by the ziggurat method. */
float   bsc_rng_normal_float (BscRng *rng);
/* The feature augmentation of BOOTSC.md in one pass, from its own stream
 * (a 64-bit seed: the rows of a batch are independent of each other and
 * of how they are split between threads): each of x[0..n) zeroed with
 * probability p (25 random bits against p 2^25), else given std N (0, 1)
 * noise.  The same on every processor. */
void    bsc_rng_noise_and_mask (guint64  stream,
                                float   *x,
                                gsize    n,
                                float    std,
                                double   p);
/* Fisher-Yates shuffle of n indices. */
void    bsc_rng_shuffle  (BscRng *rng,
                          gsize  *indices,
                          gsize   n);

G_END_DECLS
