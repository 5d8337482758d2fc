/* bsc-config.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every hyper-parameter of a BootSC run in one plain struct.  The CLI, the
 * GUI, checkpoints and metrics.json all read and write it through the
 * key/value functions below, so a new field is added in one place.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* Network widths: input -> hidden1 -> hidden2 (backbone), then
   * -> proj_hidden -> embed_dim (projection head), then K prototypes. */
  guint    input_dim;      /* set from the data; 0 until then */
  guint    hidden1;        /* 1024 */
  guint    hidden2;        /* 512 */
  guint    proj_hidden;    /* 4096 */
  guint    embed_dim;      /* 128 */
  guint    n_clusters;     /* 10; 0 means "the number of labels" */

  guint    batch_size;     /* 256; must be >= embed_dim */
  guint    epochs;         /* 100 */
  double   lr;             /* base learning rate; <= 0 means 0.04 * B / 256 */
  double   momentum;       /* 0.9 */
  double   weight_decay;   /* 5e-4 */
  double   lambda;         /* 1: weight of the cluster loss */
  double   sk_epsilon;     /* 0.05 */
  guint    sk_iterations;  /* 3 */
  double   tau_init;       /* 0.05: initial tau_c and tau_a */
  double   noise_std;      /* 0.01: feature augmentation noise */
  double   mask_prob;      /* 0.1: feature augmentation masking */
  guint64  seed;           /* 0 */
  guint    threads;        /* OpenBLAS threads; 0 means all cores */
  guint    eval_every;     /* evaluate every N epochs; 0 means only at the end */

  /* Image input (used by the loaders, kept here so a checkpoint records it) */
  guint    image_size;     /* 28: training resolution, square */
  gboolean image_rgb;      /* FALSE: grayscale; TRUE: RGB */
} BscConfig;

/* Presets of widths; "authors" is the default. */
typedef enum
{
  BSC_PRESET_AUTHORS,  /* 1024,512 / 4096,128 */
  BSC_PRESET_SMALL,    /* 512,256 / 1024,64 */
  BSC_PRESET_TINY,     /* 128,64 / 256,32 : demos and tests */
} BscPreset;

void      bsc_config_init       (BscConfig       *config);
void      bsc_config_set_preset (BscConfig       *config,
                                 BscPreset        preset);
gboolean  bsc_config_parse_preset (const char    *name,
                                   BscPreset     *preset);
double    bsc_config_get_lr     (const BscConfig *config);
gboolean  bsc_config_validate   (const BscConfig *config,
                                 GError         **error);

/* Key/value form: every field as "name" -> text (numbers in the C locale).
 * Used for metrics.json, checkpoints and GSettings. */
GHashTable *bsc_config_to_table   (const BscConfig *config);
gboolean    bsc_config_set_value  (BscConfig       *config,
                                   const char      *key,
                                   const char      *value,
                                   GError         **error);
char       *bsc_config_to_string  (const BscConfig *config);
/* NULL-terminated array of the keys, in a stable order. */
const char * const *bsc_config_keys (void);

G_END_DECLS
