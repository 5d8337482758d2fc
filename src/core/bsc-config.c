/* bsc-config.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Defaults, presets, validation and the key/value form of BscConfig.  One
 * table describes every field (name, type, offset, allowed range) so
 * validation, parsing and printing cannot drift apart.  Numbers are always
 * written and read in the C locale.
 */

#include <math.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bsc-config.h"
#include "bsc-error.h"

typedef enum
{
  FIELD_UINT,
  FIELD_UINT64,
  FIELD_DOUBLE,
  FIELD_BOOL,
} FieldType;

typedef struct
{
  const char *name;
  FieldType   type;
  gsize       offset;
  double      min;       /* inclusive */
  double      max;       /* inclusive */
} Field;

#define F(name, type, min, max) \
  { #name, type, G_STRUCT_OFFSET (BscConfig, name), min, max }

static const Field fields[] = {
  F (input_dim, FIELD_UINT, 0, 1 << 24),
  F (hidden1, FIELD_UINT, 1, 1 << 16),
  F (hidden2, FIELD_UINT, 1, 1 << 16),
  F (proj_hidden, FIELD_UINT, 1, 1 << 16),
  F (embed_dim, FIELD_UINT, 2, 1 << 14),   /* the map needs a plane */
  F (n_clusters, FIELD_UINT, 0, 1 << 16),
  F (batch_size, FIELD_UINT, 2, 1 << 16),
  F (epochs, FIELD_UINT, 1, 1 << 20),
  F (lr, FIELD_DOUBLE, 0, 100),
  F (momentum, FIELD_DOUBLE, 0, 0.999999),
  F (weight_decay, FIELD_DOUBLE, 0, 1),
  F (lambda, FIELD_DOUBLE, 0, 1e6),
  F (sk_epsilon, FIELD_DOUBLE, 1e-6, 1e6),
  F (sk_iterations, FIELD_UINT, 1, 10000),
  F (tau_init, FIELD_DOUBLE, 1e-6, 1),
  F (noise_std, FIELD_DOUBLE, 0, 1e6),
  F (mask_prob, FIELD_DOUBLE, 0, 0.999999),
  F (seed, FIELD_UINT64, 0, 0),
  F (threads, FIELD_UINT, 0, 1024),
  F (eval_every, FIELD_UINT, 0, 1 << 20),
  F (image_size, FIELD_UINT, 4, 1024),
  F (image_rgb, FIELD_BOOL, 0, 1),
};

#undef F

static const char *const field_names[] = {
  "input_dim", "hidden1", "hidden2", "proj_hidden", "embed_dim", "n_clusters",
  "batch_size", "epochs", "lr", "momentum", "weight_decay", "lambda",
  "sk_epsilon", "sk_iterations", "tau_init", "noise_std", "mask_prob", "seed",
  "threads", "eval_every", "image_size", "image_rgb", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (fields) + 1 == G_N_ELEMENTS (field_names));

void
bsc_config_init (BscConfig *config)
{
  g_return_if_fail (config != NULL);

  *config = (BscConfig) {
    .input_dim = 0,
    .n_clusters = 10,
    .batch_size = 256,
    .epochs = 100,
    .lr = 0.0,
    .momentum = 0.9,
    .weight_decay = 5e-4,
    .lambda = 1.0,
    .sk_epsilon = 0.05,
    .sk_iterations = 3,
    .tau_init = 0.05,
    .noise_std = 0.01,
    .mask_prob = 0.1,
    .seed = 0,
    .threads = 0,
    .eval_every = 1,
    .image_size = 28,
    .image_rgb = FALSE,
  };
  bsc_config_set_preset (config, BSC_PRESET_AUTHORS);
}

void
bsc_config_set_preset (BscConfig *config,
                       BscPreset  preset)
{
  static const guint widths[][4] = {
    [BSC_PRESET_AUTHORS] = { 1024, 512, 4096, 128 },
    [BSC_PRESET_SMALL] = { 512, 256, 1024, 64 },
    [BSC_PRESET_TINY] = { 128, 64, 256, 32 },
  };

  g_return_if_fail (config != NULL);
  g_return_if_fail ((guint) preset <= BSC_PRESET_TINY);

  config->hidden1 = widths[preset][0];
  config->hidden2 = widths[preset][1];
  config->proj_hidden = widths[preset][2];
  config->embed_dim = widths[preset][3];
}

gboolean
bsc_config_parse_preset (const char *name,
                         BscPreset  *preset)
{
  static const char *const names[] = { "authors", "small", "tiny" };

  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      {
        if (preset != NULL)
          *preset = (BscPreset) i;
        return TRUE;
      }
  return FALSE;
}

double
bsc_config_get_lr (const BscConfig *config)
{
  g_return_val_if_fail (config != NULL, 0.0);

  if (config->lr > 0.0)
    return config->lr;
  return 0.04 * config->batch_size / 256.0;
}

static double
field_get (const BscConfig *config,
           const Field     *f)
{
  const guint8 *p = (const guint8 *) config + f->offset;

  switch (f->type)
    {
    case FIELD_UINT:
      return *(const guint *) p;
    case FIELD_UINT64:
      return (double) *(const guint64 *) p;
    case FIELD_DOUBLE:
      return *(const double *) p;
    case FIELD_BOOL:
      return *(const gboolean *) p ? 1.0 : 0.0;
    default:
      g_assert_not_reached ();
    }
}

/* The shortest of %.15g / %.17g that reads back to the same double, in
 * the C locale (0.9 rather than 0.90000000000000002). */
static char *
double_to_text (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v)
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  return g_strdup (buf);
}

static char *
field_to_text (const BscConfig *config,
               const Field     *f)
{
  const guint8 *p = (const guint8 *) config + f->offset;

  switch (f->type)
    {
    case FIELD_UINT:
      return g_strdup_printf ("%u", *(const guint *) p);
    case FIELD_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) p);
    case FIELD_DOUBLE:
      return double_to_text (*(const double *) p);
    case FIELD_BOOL:
      return g_strdup (*(const gboolean *) p ? "true" : "false");
    default:
      g_assert_not_reached ();
    }
}

gboolean
bsc_config_validate (const BscConfig  *config,
                     GError          **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const Field *f = &fields[i];
      double v = field_get (config, f);

      if (f->type == FIELD_UINT64 || f->type == FIELD_BOOL)
        continue;
      if (!isfinite (v) || v < f->min || v > f->max)
        {
          g_autofree char *text = field_to_text (config, f);
          /* Integer fields print whole bounds: 1048576, not 1.04858e+06. */
          const char *format = f->type == FIELD_UINT ? "%.0f" : "%g";
          char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

          g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                       "%s is %s; it must be between %s and %s", f->name, text,
                       g_ascii_formatd (lo, sizeof lo, format, f->min),
                       g_ascii_formatd (hi, sizeof hi, format, f->max));
          return FALSE;
        }
    }

  if (config->batch_size < config->embed_dim)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "batch_size (%u) must be at least embed_dim (%u): the "
                   "orthonormal re-parameterisation needs a batch of at "
                   "least as many rows as embedding dimensions",
                   config->batch_size, config->embed_dim);
      return FALSE;
    }
  if (config->n_clusters == 1)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "n_clusters is 1; it must be at least 2 (or 0 for the "
                   "number of labels)");
      return FALSE;
    }
  return TRUE;
}

const char * const *
bsc_config_keys (void)
{
  return field_names;
}

GHashTable *
bsc_config_to_table (const BscConfig *config)
{
  GHashTable *table;

  g_return_val_if_fail (config != NULL, NULL);

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_hash_table_insert (table, g_strdup (fields[i].name),
                         field_to_text (config, &fields[i]));
  return table;
}

char *
bsc_config_to_string (const BscConfig *config)
{
  GString *s;

  g_return_val_if_fail (config != NULL, NULL);

  s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = field_to_text (config, &fields[i]);

      g_string_append_printf (s, "%s%s=%s", i ? " " : "", fields[i].name, text);
    }
  return g_string_free (s, FALSE);
}

static gboolean
parse_bool (const char *value,
            gboolean   *out)
{
  static const char *const yes[] = { "true", "yes", "1", "on" };
  static const char *const no[] = { "false", "no", "0", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (value, yes[i]) == 0)
        return (*out = TRUE, TRUE);
      if (g_ascii_strcasecmp (value, no[i]) == 0)
        return (*out = FALSE, TRUE);
    }
  return FALSE;
}

static gboolean
parse_field (BscConfig   *config,
             const Field *f,
             const char  *value)
{
  guint8 *p = (guint8 *) config + f->offset;
  char *end = NULL;
  guint64 u;
  double d;

  switch (f->type)
    {
    case FIELD_UINT:
      if (!g_ascii_isdigit (*value))
        return FALSE;
      u = g_ascii_strtoull (value, &end, 10);
      if (*end != '\0' || u > G_MAXUINT)
        return FALSE;
      *(guint *) p = (guint) u;
      return TRUE;
    case FIELD_UINT64:
      if (!g_ascii_isdigit (*value))
        return FALSE;
      errno = 0;
      u = g_ascii_strtoull (value, &end, 10);
      if (*end != '\0' || errno != 0)
        return FALSE;
      *(guint64 *) p = u;
      return TRUE;
    case FIELD_DOUBLE:
      d = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0' || !isfinite (d))
        return FALSE;
      *(double *) p = d;
      return TRUE;
    case FIELD_BOOL:
      return parse_bool (value, (gboolean *) p);
    default:
      g_assert_not_reached ();
    }
}

gboolean
bsc_config_set_value (BscConfig   *config,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  static const char *const type_names[] = {
    "a non-negative integer", "a non-negative integer", "a number",
    "true or false",
  };

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const Field *f = &fields[i];
      g_autofree char *stripped = NULL;

      if (strcmp (f->name, key) != 0)
        continue;
      stripped = g_strstrip (g_strdup (value));
      if (!parse_field (config, f, stripped))
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                       "Invalid value \"%s\" for %s: expected %s", value, key,
                       type_names[f->type]);
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
               "Unknown configuration key \"%s\"", key);
  return FALSE;
}
