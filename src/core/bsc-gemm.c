/* bsc-gemm.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Single-precision matrix products on AVX-512, for the engine's Linear
 * layers.  Debian 12's OpenBLAS (0.3.21) picks its kernels by processor
 * model and falls back to AVX2 (half the width) on models it does not
 * know; where it does pick AVX-512 (Cooperlake on our Zen 4) this kernel
 * is still a few per cent faster on the products of a step (bench-gemm).
 *
 *   C (m x n, row-major) = op (A) (m x k) op (B) (k x n) + beta C
 *
 * and the parts a training step wants of its products, each where it
 * costs no extra pass over memory (BscGemmExtra):
 *  - + a bias row instead of beta C (a Linear layer's bias, added as the
 *    first pass over k stores C: no copy of it in every row beforehand);
 *  - an operand read through BatchNorm's affine map and ReLU as it is
 *    packed (the layer before need not write its output h);
 *  - C's final values checked against a bound as they are stored (the
 *    gradient check before SGD).
 *
 * The classic layout of Goto's algorithm: B is packed by blocks of KC x NC
 * into panels of NR columns (each k step one 32-float row), A by blocks of
 * MC x KC into panels of MR rows (each k step MR consecutive floats), and a
 * 12 x 32 register tile accumulates MR NR products per k step: 24 FMAs
 * against two vector loads and twelve broadcasts.  Transposed operands are
 * packed through 16 x 16 in-register transposes.
 *
 * Deliberately not here: alpha (the engine always multiplies by 1),
 * threads (the caller splits C over its pool), column-major C.  Results
 * depend only on the shapes: the block sizes are fixed functions of them.
 */

#include "bsc-gemm-private.h"

#include "bsc-cpu.h"
#include "bsc-parallel.h"

#if BSC_HAVE_AVX512_GEMM

#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw,fma")
/* fp-contract off: an operand read through BatchNorm's map is multiplied
 * then shifted, two roundings, as BatchNorm itself computes h (the
 * kernel's FMAs are explicit). */
#pragma GCC optimize ("O3,fp-contract=off")

#include <immintrin.h>

#define MR 12
#define NR 32
/* Blocks: a B panel (KC NR floats, 32 KB) stays in L1 while MC / MR A
 * panels pass; the A block (MC KC, 144 KB) stays in L2; the B block (KC
 * NC, 512 KB) in L2 or L3.  bench-gemm moves by less than its noise for
 * KC 256-512, MC 96-192, NC 256-1024. */
#define KC_MAX 256
#define MC_MAX 144
#define NC_MAX 512
#define ALIGN_BYTES 64
/* pack_rows reads one row segment after another, each a row of the
 * source away from the last (another page, where the hardware prefetchers
 * stop): it fetches the segment this many rows ahead itself, +4 % on
 * bench-gemm against OpenBLAS beside it. */
#define PACK_PREFETCH_ROWS 8

/* x split into equal blocks of at most max, each a multiple of unit. */
static gsize
block_size (gsize x,
            gsize max,
            gsize unit)
{
  gsize blocks = (x + max - 1) / max;
  gsize size = (x + blocks - 1) / blocks;

  return (size + unit - 1) / unit * unit;
}

/* r[0..15] = its transpose (r[i][j] <-> r[j][i]): three rounds of
 * shuffles, within 128-bit lanes, then across them. */
static inline void
transpose16 (__m512 r[16])
{
  __m512 t[16], u[16];

  for (int i = 0; i < 8; i++)
    {
      t[2 * i] = _mm512_unpacklo_ps (r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps (r[2 * i], r[2 * i + 1]);
    }
  /* u[4 g + j]: rows 4g..4g+3, columns j, j + 4, j + 8, j + 12. */
  for (int g = 0; g < 4; g++)
    {
      __m512 *s = t + 4 * g;

      u[4 * g + 0] = _mm512_shuffle_ps (s[0], s[2], 0x44);
      u[4 * g + 1] = _mm512_shuffle_ps (s[0], s[2], 0xee);
      u[4 * g + 2] = _mm512_shuffle_ps (s[1], s[3], 0x44);
      u[4 * g + 3] = _mm512_shuffle_ps (s[1], s[3], 0xee);
    }
  for (int j = 0; j < 4; j++)
    {
      __m512 v0 = _mm512_shuffle_f32x4 (u[j], u[4 + j], 0x88);
      __m512 w0 = _mm512_shuffle_f32x4 (u[j], u[4 + j], 0xdd);
      __m512 v1 = _mm512_shuffle_f32x4 (u[8 + j], u[12 + j], 0x88);
      __m512 w1 = _mm512_shuffle_f32x4 (u[8 + j], u[12 + j], 0xdd);

      r[j] = _mm512_shuffle_f32x4 (v0, v1, 0x88);
      r[j + 8] = _mm512_shuffle_f32x4 (v0, v1, 0xdd);
      r[j + 4] = _mm512_shuffle_f32x4 (w0, w1, 0x88);
      r[j + 12] = _mm512_shuffle_f32x4 (w0, w1, 0xdd);
    }
}

static inline __mmask16
lanes (gsize n)
{
  return n >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << n) - 1);
}

/* x read through map: max (x scale + shift, 0) (or without the max), in
 * the lanes of mask (the others 0); scale and shift of row group g from
 * feature f on. */
static inline __m512
mapped (__m512             x,
        __mmask16          mask,
        const BscPackMap  *map,
        gsize              g,
        gsize              f)
{
  const float *sc = map->scale + g * map->ld + f;
  const float *sh = map->shift + g * map->ld + f;
  __m512 v = _mm512_add_ps (_mm512_mul_ps (x, _mm512_maskz_loadu_ps (mask, sc)),
                            _mm512_maskz_loadu_ps (mask, sh));

  if (map->relu)
    v = _mm512_max_ps (v, _mm512_setzero_ps ());
  return _mm512_maskz_mov_ps (mask, v);
}

/* width <= 16 lanes of a panel of width w: dst[p w + l] = src[l ld + p]
 * for p < kc and l < valid, 0 for valid <= l < width (src rows are
 * contiguous along p).  With map, src's rows are samples s0, s0 + 1, ...
 * and its columns features f0, f0 + 1, ..., read through the map. */
static void
pack_transposed (float            *dst,
                 gsize             w,
                 const float      *src,
                 gsize             ld,
                 gsize             width,
                 gsize             valid,
                 gsize             kc,
                 const BscPackMap *map,
                 gsize             s0,
                 gsize             f0)
{
  __mmask16 store = lanes (width);

  for (gsize p0 = 0; p0 < kc; p0 += 16)
    {
      gsize np = MIN (16, kc - p0);
      __mmask16 load = lanes (np);
      __m512 r[16];

      for (gsize l = 0; l < 16; l++)
        r[l] = l < valid ? _mm512_maskz_loadu_ps (load, src + l * ld + p0)
                      : _mm512_setzero_ps ();
      if (map != NULL)
        for (gsize l = 0; l < valid; l++)
          r[l] = mapped (r[l], load, map, (s0 + l) / map->group_rows,
                         f0 + p0);
      transpose16 (r);
      for (gsize q = 0; q < np; q++)
        _mm512_mask_storeu_ps (dst + (p0 + q) * w, store, r[q]);
    }
}

/* Panels of width w (w kc floats each) for lanes [0, nw) of a block of
 * op (X) whose rows run along the lanes: panel q gets dst[q w kc + p w +
 * l] = src[p ld + q w + l] for p < kc, lanes past nl zero.  Row by row, so
 * the source streams in order.  With map, src's rows are samples s0, s0 +
 * 1, ... and its columns (the lanes) features f0, f0 + 1, ... */
static void
pack_rows (float            *dst,
           gsize             w,
           gsize             nw,
           const float      *src,
           gsize             ld,
           gsize             nl,
           gsize             kc,
           const BscPackMap *map,
           gsize             s0,
           gsize             f0)
{
  for (gsize p = 0; p < kc; p++)
    {
      gsize g = map != NULL ? (s0 + p) / map->group_rows : 0;

      if (p + PACK_PREFETCH_ROWS < kc)
        for (gsize l = 0; l < nl; l += 16)
          __builtin_prefetch (src + (p + PACK_PREFETCH_ROWS) * ld + l);
      for (gsize q = 0; q < nw; q += w)
        for (gsize l = q; l < q + w; l += 16)
          {
            gsize width = MIN (16, q + w - l);
            gsize valid = l < nl ? MIN (width, nl - l) : 0;
            __m512 v = _mm512_maskz_loadu_ps (lanes (valid), src + p * ld + l);

            if (map != NULL)
              v = mapped (v, lanes (valid), map, g, f0 + l);
            _mm512_mask_storeu_ps (dst + q * kc + p * w + (l - q),
                                   lanes (width), v);
          }
    }
}

/* Panels of width w for lanes [0, nw) of a block of op (X) whose rows run
 * along k: X's row l0 + l starts at src + l ld.  With map, as
 * pack_transposed. */
static void
pack_cols (float            *dst,
           gsize             w,
           gsize             nw,
           const float      *src,
           gsize             ld,
           gsize             nl,
           gsize             kc,
           const BscPackMap *map,
           gsize             s0,
           gsize             f0)
{
  for (gsize q = 0; q < nw; q += w)
    for (gsize l = q; l < q + w; l += 16)
      {
        gsize width = MIN (16, q + w - l);
        gsize valid = l < nl ? MIN (width, nl - l) : 0;

        pack_transposed (dst + q * kc + (l - q), w, src + l * ld, ld, width,
                         valid, kc, map, s0 + l, f0);
      }
}

/* A block of op (X), lanes [l0, l0 + nw) of total and k [p0, p0 + kc),
 * into panels of width w (nw a multiple of w).  The lanes are the rows of
 * C for A (w = MR), its columns for B (w = NR).  along_lanes: X is stored
 * with k as its row index, each row running along the lanes (A
 * transposed, B not); else each of its rows runs along k.  With map, X as
 * stored has samples for rows and features for columns. */
static void
pack_block (float            *dst,
            gsize             w,
            const float      *x,
            gsize             ld,
            gboolean          along_lanes,
            gsize             total,
            gsize             l0,
            gsize             nw,
            gsize             p0,
            gsize             kc,
            const BscPackMap *map)
{
  gsize nl = MIN (nw, total - l0);
  gsize r0 = map != NULL ? map->row0 : 0, c0 = map != NULL ? map->col0 : 0;

  if (along_lanes)
    pack_rows (dst, w, nw, x + p0 * ld + l0, ld, nl, kc, map, r0 + p0,
               c0 + l0);
  else
    pack_cols (dst, w, nw, x + l0 * ld + p0, ld, nl, kc, map, r0 + l0,
               c0 + p0);
}

/* Lanes of v whose magnitude's bits reach limit (NaN and infinity
 * included: their bits lie above every finite value's). */
static inline __mmask16
beyond (__mmask16 lanes,
        __m512    v,
        __m512i   limit)
{
  __m512i mag = _mm512_and_si512 (_mm512_castps_si512 (v),
                                  _mm512_set1_epi32 (0x7fffffff));

  return _mm512_mask_cmpge_epu32_mask (lanes, mag, limit);
}

/* How a pass over k stores its part of C. */
typedef struct
{
  float        beta;    /* C = acc + beta C (beta 0: C is not read) */
  const float *bias;    /* or, not NULL: C = acc + bias (a row, by column) */
  guint32      limit;   /* not 0: check the stored values against it */
} Store;

/* The register tile: acc (mr x NR) = the first mr rows of an A panel
 * (kc x MR) . a B panel (kc x NR), then stored over rows x cols of C as
 * st says; col is the tile's first column in C (for the bias).  mr is a
 * constant in each caller, so the loops unroll into registers.  With a
 * limit (the bits of a float), the stored values are checked against it
 * on the way out: TRUE when one reaches it. */
static inline __attribute__ ((always_inline)) gboolean
tile (const int                 mr,
      gsize                     kc,
      const float *restrict     a,
      const float *restrict     b,
      float                    *c,
      gsize                     ldc,
      gsize                     rows,
      gsize                     cols,
      const Store              *st,
      gsize                     col)
{
  __m512 acc[MR][2];
  __mmask16 over = 0;
  float beta = st->beta;
  guint32 limit = st->limit;

#pragma GCC unroll 12
  for (int r = 0; r < mr; r++)
    acc[r][0] = acc[r][1] = _mm512_setzero_ps ();
  for (gsize p = 0; p < kc; p++)
    {
      __m512 b0 = _mm512_load_ps (b), b1 = _mm512_load_ps (b + 16);

#pragma GCC unroll 12
      for (int r = 0; r < mr; r++)
        {
          __m512 ar = _mm512_set1_ps (a[r]);

          acc[r][0] = _mm512_fmadd_ps (ar, b0, acc[r][0]);
          acc[r][1] = _mm512_fmadd_ps (ar, b1, acc[r][1]);
        }
      a += MR;
      b += NR;
    }

  {
    __mmask16 m0 = lanes (cols), m1 = cols > 16 ? lanes (cols - 16) : 0;
    __m512 vb = _mm512_set1_ps (beta), b0 = _mm512_setzero_ps (), b1 = b0;
    __m512i vl = _mm512_set1_epi32 ((int) limit);

    if (st->bias != NULL)
      {
        b0 = _mm512_maskz_loadu_ps (m0, st->bias + col);
        b1 = _mm512_maskz_loadu_ps (m1, st->bias + col + 16);
      }

#pragma GCC unroll 12
    for (int r = 0; r < mr; r++)
      {
        float *cr = c + r * ldc;

        if ((gsize) r >= rows)
          break;
        if (st->bias != NULL)
          {
            acc[r][0] = _mm512_add_ps (acc[r][0], b0);
            acc[r][1] = _mm512_add_ps (acc[r][1], b1);
          }
        else if (beta != 0.0f)
          {
            acc[r][0] = _mm512_fmadd_ps (vb, _mm512_maskz_loadu_ps (m0, cr),
                                         acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps (vb,
                                         _mm512_maskz_loadu_ps (m1, cr + 16),
                                         acc[r][1]);
          }
        _mm512_mask_storeu_ps (cr, m0, acc[r][0]);
        _mm512_mask_storeu_ps (cr + 16, m1, acc[r][1]);
        if (limit != 0)
          over |= beyond (m0, acc[r][0], vl) | beyond (m1, acc[r][1], vl);
      }
  }
  return over != 0;
}

/* The tile for rows rows of C: the last panel of a block that is not a
 * multiple of MR runs 4 or 8 rows, not 12. */
static gboolean
kernel (gsize        kc,
        const float *a,
        const float *b,
        float       *c,
        gsize        ldc,
        gsize        rows,
        gsize        cols,
        const Store *st,
        gsize        col)
{
  if (rows > 8)
    return tile (MR, kc, a, b, c, ldc, rows, cols, st, col);
  else if (rows > 4)
    return tile (8, kc, a, b, c, ldc, rows, cols, st, col);
  else
    return tile (4, kc, a, b, c, ldc, rows, cols, st, col);
}

/* C block (rows [i0, i0 + mc), columns [j0, j0 + nc)) = packed A . B,
 * stored as st says; TRUE when a value reaches its limit (if not 0). */
static gboolean
macro_kernel (const float *ap,
              const float *bp,
              gsize        kc,
              float       *c,
              gsize        ldc,
              gsize        j0,
              gsize        mc,
              gsize        nc,
              const Store *st)
{
  gboolean over = FALSE;

  for (gsize j = 0; j < nc; j += NR)
    for (gsize i = 0; i < mc; i += MR)
      over |= kernel (kc, ap + i * kc, bp + j * kc, c + i * ldc + j, ldc,
                      MIN (MR, mc - i), MIN (NR, nc - j), st, j0 + j);
  return over;
}

static float *
scratch (BscScratchSlot slot,
         gsize          floats)
{
  guint8 *p = _bsc_scratch (slot, floats * sizeof (float) + ALIGN_BYTES);

  if (p == NULL)
    return NULL;
  return (float *) (p + (ALIGN_BYTES - (guintptr) p % ALIGN_BYTES)
                      % ALIGN_BYTES);
}

gboolean
_bsc_sgemm_avx512 (gboolean      trans_a,
                   gboolean      trans_b,
                   gsize         m,
                   gsize         n,
                   gsize         k,
                   const float  *a,
                   gsize         lda,
                   const float  *b,
                   gsize         ldb,
                   float         beta,
                   float        *c,
                   gsize         ldc,
                   BscGemmExtra *x)
{
  BscGemmExtra none = { 0 };
  gsize kcb, mcb, ncb;
  float *ap, *bp;

  if (x == NULL)
    x = &none;
  x->over = FALSE;
  if (m == 0 || n == 0)
    return TRUE;
  if (k == 0)
    return FALSE;
  kcb = block_size (k, KC_MAX, 1);
  mcb = block_size (m, MC_MAX, MR);
  ncb = block_size (n, NC_MAX, NR);
  ap = scratch (BSC_SCRATCH_GEMM_A, mcb * kcb);
  bp = scratch (BSC_SCRATCH_GEMM_B, ncb * kcb);
  if (ap == NULL || bp == NULL)
    return FALSE;

  for (gsize j0 = 0; j0 < n; j0 += ncb)
    {
      gsize nc = MIN (ncb, n - j0);

      for (gsize p0 = 0; p0 < k; p0 += kcb)
        {
          gsize kc = MIN (kcb, k - p0);
          /* the first pass adds the bias or beta C, the others what the
           * passes before stored; only the last stores final values */
          Store st = { p0 == 0 ? beta : 1.0f, p0 == 0 ? x->bias : NULL,
                       p0 + kc == k ? x->limit : 0 };

          pack_block (bp, NR, b, ldb, !trans_b, n, j0,
                      (nc + NR - 1) / NR * NR, p0, kc, x->map_b);
          for (gsize i0 = 0; i0 < m; i0 += mcb)
            {
              gsize mc = MIN (mcb, m - i0);

              pack_block (ap, MR, a, lda, trans_a, m, i0,
                          (mc + MR - 1) / MR * MR, p0, kc, x->map_a);
              if (macro_kernel (ap, bp, kc, c + i0 * ldc + j0, ldc, j0, mc,
                                nc, &st))
                x->over = TRUE;
            }
        }
    }
  return TRUE;
}

#pragma GCC pop_options

#endif /* BSC_HAVE_AVX512_GEMM */

gboolean
_bsc_gemm_avx512_usable (void)
{
  static gsize usable = 0;

  if (g_once_init_enter (&usable))
    {
      gboolean yes = BSC_HAVE_AVX512_GEMM && _bsc_cpu_avx512 ()
                     && g_strcmp0 (g_getenv ("BSC_GEMM"), "openblas") != 0;

      g_once_init_leave (&usable, yes ? 2 : 1);
    }
  return usable == 2;
}
