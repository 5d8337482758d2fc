/* bsc-checkpoint.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checkpoints in the safetensors format: an 8-byte little-endian header
 * length, a JSON header (per tensor: dtype, shape, data_offsets into the
 * byte buffer that follows; "__metadata__": string -> string), padded
 * with spaces to a multiple of 8, then the little-endian tensor bytes.
 * Tensors: every name of bsc_model_state_names (F32), and the trainer's
 * "trainer.permutation", "trainer.probe" and "trainer.last_clusters"
 * (I32).  Metadata: "config.KEY" for every configuration key and
 * "trainer.KEY" for the position (epoch, step, position in the epoch),
 * the shuffle stream's four words and the augmentation seed as decimal
 * strings, the lr scale, and whether momentum is set.  Files are written
 * to a temporary name and renamed, so a crash never leaves half a file.
 */

#include <errno.h>
#include <unistd.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bsc-error.h"
#include "bsc-trainer-private.h"

#define FORMAT_NAME "bootsc-checkpoint"
#define FORMAT_VERSION "1"
#define MAX_HEADER (64 * 1024 * 1024)

G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

typedef struct
{
  const char *name;
  const char *dtype;          /* "F32" or "I32" */
  const void *data;
  gsize       n_values;
  gsize       shape[2];
  guint       ndim;
} Entry;

/* ---- writing -------------------------------------------------------- */

/* The 2-D shape of a weight (out x in) when the name says which one; any
 * other tensor is 1-D. */
static void
guess_shape (const BscConfig *c,
             const char      *name,
             Entry           *e)
{
  static const char *weights[] = { "bb_fc1_w", "bb_fc2_w", "ph_fc1_w",
                                   "ph_fc2_w", "proto_w" };
  guint rows[] = { c->hidden1, c->hidden2, c->proj_hidden, c->embed_dim,
                   c->n_clusters };
  guint cols[] = { c->input_dim, c->hidden1, c->hidden2, c->proj_hidden,
                   c->embed_dim };
  const char *base = g_str_has_prefix (name, "mom_") ? name + 4 : name;

  e->ndim = 1;
  e->shape[0] = e->n_values;
  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    if (g_str_equal (base, weights[i])
        && (gsize) rows[i] * cols[i] == e->n_values)
      {
        e->ndim = 2;
        e->shape[0] = rows[i];
        e->shape[1] = cols[i];
      }
}

static GArray *
collect_entries (BscTrainer *self,
                 gint32    **ints)
{
  const char * const *names = bsc_model_state_names (self->model);
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  gsize n = self->data->n_samples, b = self->config.batch_size;
  gint32 *perm = g_new (gint32, 2 * n + b);

  for (guint i = 0; names[i] != NULL; i++)
    {
      Entry e = { names[i], "F32", NULL, 0, { 0, 0 }, 1 };

      e.data = bsc_model_tensor (self->model, names[i], &e.n_values);
      guess_shape (&self->config, names[i], &e);
      g_array_append_val (entries, e);
    }

  for (gsize i = 0; i < n; i++)
    perm[i] = (gint32) self->perm[i];
  for (gsize i = 0; i < b; i++)
    perm[n + i] = (gint32) self->probe[i];
  g_array_append_val (entries, ((Entry) { "trainer.permutation", "I32", perm,
                                          n, { n, 0 }, 1 }));
  g_array_append_val (entries, ((Entry) { "trainer.probe", "I32", perm + n,
                                          b, { b, 0 }, 1 }));
  if (self->last_clusters != NULL)
    g_array_append_val (entries, ((Entry) { "trainer.last_clusters", "I32",
                                            self->last_clusters, n,
                                            { n, 0 }, 1 }));
  *ints = perm;
  return entries;
}

/* A fingerprint of the values trained on (MD5, not for security: a
 * resumed run must see the same samples, not only as many). */
static char *
data_md5 (const BscDataset *data)
{
  gsize bytes = data->n_samples * data->dim
                * (data->pixels != NULL ? 1 : sizeof (float));
  const void *values = data->pixels != NULL ? (const void *) data->pixels
                                            : (const void *) data->features;

  return g_compute_checksum_for_data (G_CHECKSUM_MD5, values, bytes);
}

/* The trainer's fingerprint, computed at its first checkpoint (the data
 * does not change under a trainer). */
static const char *
trainer_data_md5 (BscTrainer *self)
{
  if (self->data_md5 == NULL)
    self->data_md5 = data_md5 (self->data);
  return self->data_md5;
}

static void
add_metadata_uint (JsonBuilder *b,
                   const char  *key,
                   guint64      value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, text);
}

static void
add_metadata (JsonBuilder *b,
              BscTrainer  *self)
{
  g_autoptr(GHashTable) table = bsc_config_to_table (&self->config);
  const char * const *keys = bsc_config_keys ();
  char lr[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *rng = NULL;

  json_builder_set_member_name (b, "__metadata__");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, FORMAT_NAME);
  json_builder_set_member_name (b, "format_version");
  json_builder_add_string_value (b, FORMAT_VERSION);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *key = g_strconcat ("config.", keys[i], NULL);

      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, g_hash_table_lookup (table, keys[i]));
    }
  add_metadata_uint (b, "trainer.epoch", self->epoch);
  add_metadata_uint (b, "trainer.step", self->step);
  add_metadata_uint (b, "trainer.position", self->position);
  add_metadata_uint (b, "trainer.n_samples", self->data->n_samples);
  json_builder_set_member_name (b, "trainer.data_md5");
  json_builder_add_string_value (b, trainer_data_md5 (self));
  add_metadata_uint (b, "trainer.augment_seed", self->augment_seed);
  add_metadata_uint (b, "trainer.has_momentum",
                     bsc_model_has_momentum (self->model));
  rng = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                         " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                         self->shuffle_rng.s[0], self->shuffle_rng.s[1],
                         self->shuffle_rng.s[2], self->shuffle_rng.s[3]);
  json_builder_set_member_name (b, "trainer.shuffle_rng");
  json_builder_add_string_value (b, rng);
  json_builder_set_member_name (b, "trainer.lr_scale");
  json_builder_add_string_value (b, g_ascii_dtostr (lr, sizeof lr,
                                                    self->lr_scale));
  json_builder_end_object (b);
}

static void
add_entry (JsonBuilder *b,
           const Entry *e,
           gsize        offset)
{
  json_builder_set_member_name (b, e->name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, e->dtype);
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (guint d = 0; d < e->ndim; d++)
    json_builder_add_int_value (b, (gint64) e->shape[d]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "data_offsets");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, (gint64) offset);
  json_builder_add_int_value (b, (gint64) (offset + 4 * e->n_values));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* The header JSON, padded with spaces to a multiple of 8 bytes. */
static GString *
build_header (BscTrainer *self,
              GArray     *entries)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize offset = 0;
  GString *header;

  json_builder_begin_object (b);
  add_metadata (b, self);
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *e = &g_array_index (entries, Entry, i);

      add_entry (b, e, offset);
      offset += 4 * e->n_values;
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  header = g_string_new (text);
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');
  return header;
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        size,
           const char  *path,
           GError     **error)
{
  const guint8 *p = data;

  while (size > 0)
    {
      gssize w = write (fd, p, MIN (size, (gsize) 1 << 24));

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          int saved = errno;

          g_set_error (error, BSC_ERROR, BSC_ERROR_IO,
                       "Could not write %s: %s", path, g_strerror (saved));
          return FALSE;
        }
      p += w;
      size -= (gsize) w;
    }
  return TRUE;
}

static gboolean
write_file (int          fd,
            GString     *header,
            GArray      *entries,
            const char  *path,
            GError     **error)
{
  guint64 len = GUINT64_TO_LE ((guint64) header->len);

  if (!write_all (fd, &len, 8, path, error)
      || !write_all (fd, header->str, header->len, path, error))
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *e = &g_array_index (entries, Entry, i);

      if (!write_all (fd, e->data, 4 * e->n_values, path, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
bsc_trainer_save (BscTrainer  *self,
                  const char  *path,
                  GError     **error)
{
  g_autofree gint32 *ints = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GString) header = NULL;
  g_autofree char *tmp = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entries = collect_entries (self, &ints);
  header = build_header (self, entries);
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp (tmp);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, BSC_ERROR, BSC_ERROR_IO,
                   "Could not create a file beside %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = write_file (fd, header, entries, path, error);
  ok = g_close (fd, ok ? error : NULL) && ok;
  if (ok && g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "Could not rename %s to "
                   "%s: %s", tmp, path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}

/* ---- reading -------------------------------------------------------- */

typedef struct
{
  GMappedFile *file;
  const char  *path;
  const guint8 *data;       /* the byte buffer after the header */
  gsize        data_size;
  JsonParser  *parser;
  JsonObject  *header;      /* tensors */
  JsonObject  *metadata;
} Checkpoint;

static void
checkpoint_clear (Checkpoint *c)
{
  g_clear_object (&c->parser);
  g_clear_pointer (&c->file, g_mapped_file_unref);
}

static gboolean
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
               "%s is not a usable checkpoint: %s", path, msg);
  return FALSE;
}

static gboolean
parse_header (Checkpoint  *c,
              const char  *bytes,
              gsize        size,
              GError     **error)
{
  guint64 len;
  JsonNode *root, *meta;

  if (size < 8)
    return fail (error, c->path, "the file is %" G_GSIZE_FORMAT " bytes long",
                 size);
  memcpy (&len, bytes, 8);
  len = GUINT64_FROM_LE (len);
  if (len > MAX_HEADER || len > size - 8)
    return fail (error, c->path, "not a safetensors checkpoint (its first "
                 "8 bytes give a header length of %" G_GUINT64_FORMAT
                 ", which does not fit the file)", len);
  c->parser = json_parser_new ();
  if (!json_parser_load_from_data (c->parser, bytes + 8, (gssize) len, NULL))
    return fail (error, c->path, "the header is not JSON");
  root = json_parser_get_root (c->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail (error, c->path, "the header is not a JSON object");
  c->header = json_node_get_object (root);
  meta = json_object_get_member (c->header, "__metadata__");
  if (meta == NULL || !JSON_NODE_HOLDS_OBJECT (meta))
    return fail (error, c->path, "it has no __metadata__");
  c->metadata = json_node_get_object (meta);
  c->data = (const guint8 *) bytes + 8 + len;
  c->data_size = size - 8 - len;
  return TRUE;
}

static const char *
meta_string (Checkpoint *c,
             const char *key)
{
  JsonNode *node = json_object_get_member (c->metadata, key);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
checkpoint_open (Checkpoint  *c,
                 const char  *path,
                 GError     **error)
{
  GError *local = NULL;
  const char *format;

  memset (c, 0, sizeof *c);
  c->path = path;
  c->file = g_mapped_file_new (path, FALSE, &local);
  if (c->file == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "Could not read %s: %s",
                   path, local->message);
      g_error_free (local);
      return FALSE;
    }
  if (!parse_header (c, g_mapped_file_get_contents (c->file),
                     g_mapped_file_get_length (c->file), error))
    return FALSE;
  format = meta_string (c, "format");
  if (g_strcmp0 (format, FORMAT_NAME) != 0
      || g_strcmp0 (meta_string (c, "format_version"), FORMAT_VERSION) != 0)
    return fail (error, path, "it is not a BootSC checkpoint of version "
                 FORMAT_VERSION " (format \"%s\")", format ? format : "none");
  return TRUE;
}

static gboolean
config_from_metadata (Checkpoint  *c,
                      BscConfig   *config,
                      GError     **error)
{
  const char * const *keys = bsc_config_keys ();

  bsc_config_init (config);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *key = g_strconcat ("config.", keys[i], NULL);
      const char *value = meta_string (c, key);
      g_autoptr(GError) local = NULL;

      if (value == NULL)
        return fail (error, c->path, "the configuration lacks %s", keys[i]);
      if (!bsc_config_set_value (config, keys[i], value, &local))
        return fail (error, c->path, "%s", local->message);
    }
  return TRUE;
}

gboolean
bsc_checkpoint_read_config (const char  *path,
                            BscConfig   *config,
                            GError     **error)
{
  Checkpoint c;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = checkpoint_open (&c, path, error)
       && config_from_metadata (&c, config, error);
  checkpoint_clear (&c);
  return ok;
}

/* The bytes of tensor name into *bytes, checked: dtype, element count,
 * offsets inside the file. */
static gboolean
tensor_bytes (Checkpoint    *c,
              const char    *name,
              const char    *dtype,
              gsize          n_values,
              const guint8 **bytes,
              GError       **error)
{
  JsonNode *node = json_object_get_member (c->header, name);
  JsonObject *t;
  JsonArray *shape, *off;
  gsize count = 1;
  gint64 start, end;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, c->path, "tensor %s is missing", name);
  t = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (t, "dtype", ""),
                 dtype) != 0)
    return fail (error, c->path, "tensor %s is not %s", name, dtype);
  shape = json_object_get_array_member (t, "shape");
  off = json_object_get_array_member (t, "data_offsets");
  if (shape == NULL || off == NULL || json_array_get_length (off) != 2)
    return fail (error, c->path, "tensor %s has no shape or offsets", name);
  for (guint i = 0; i < json_array_get_length (shape); i++)
    count *= (gsize) MAX (json_array_get_int_element (shape, i), 0);
  if (count != n_values)
    return fail (error, c->path, "tensor %s has %" G_GSIZE_FORMAT " values "
                 "where %" G_GSIZE_FORMAT " are expected (the widths or the "
                 "dataset differ)", name, count, n_values);
  start = json_array_get_int_element (off, 0);
  end = json_array_get_int_element (off, 1);
  if (start < 0 || end - start != (gint64) (4 * n_values)
      || (guint64) end > c->data_size)
    return fail (error, c->path, "tensor %s lies outside the file", name);
  *bytes = c->data + start;
  return TRUE;
}

static gboolean
load_model_tensors (Checkpoint  *c,
                    BscModel    *model,
                    GError     **error)
{
  const char * const *names = bsc_model_state_names (model);

  for (guint i = 0; names[i] != NULL; i++)
    {
      gsize n;
      float *t = bsc_model_tensor (model, names[i], &n);
      const guint8 *src;

      if (!tensor_bytes (c, names[i], "F32", n, &src, error))
        return FALSE;
      memcpy (t, src, 4 * n);
    }
  return TRUE;
}

/* An I32 tensor of n indices below limit into out (as gsize). */
static gboolean
load_indices (Checkpoint  *c,
              const char  *name,
              gsize        n,
              gsize        limit,
              gsize       *out,
              GError     **error)
{
  const guint8 *src;

  if (!tensor_bytes (c, name, "I32", n, &src, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      gint32 v;

      memcpy (&v, src + 4 * i, 4);
      if (v < 0 || (gsize) v >= limit)
        return fail (error, c->path, "%s[%" G_GSIZE_FORMAT "] = %d is out of "
                     "range", name, i, v);
      out[i] = (gsize) v;
    }
  return TRUE;
}

static gboolean
meta_uint (Checkpoint  *c,
           const char  *key,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  const char *text = meta_string (c, key);

  if (text == NULL
      || !g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL))
    return fail (error, c->path, "%s is missing or not a number below %"
                 G_GUINT64_FORMAT, key, max);
  return TRUE;
}

static gboolean
load_rng (Checkpoint  *c,
          BscRng      *rng,
          GError     **error)
{
  const char *text = meta_string (c, "trainer.shuffle_rng");
  g_auto(GStrv) words = text ? g_strsplit (text, " ", -1) : NULL;

  if (words == NULL || g_strv_length (words) != 4)
    return fail (error, c->path, "trainer.shuffle_rng is not four numbers");
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_string_to_unsigned (words[i], 10, 0, G_MAXUINT64,
                                     &rng->s[i], NULL))
      return fail (error, c->path, "trainer.shuffle_rng is not four numbers");
  return TRUE;
}

static gboolean
load_counters (Checkpoint  *c,
               BscTrainer  *self,
               GError     **error)
{
  guint64 epoch, position, momentum;
  const char *scale = meta_string (c, "trainer.lr_scale");
  char *end = NULL;

  if (!meta_uint (c, "trainer.epoch", self->config.epochs, &epoch, error)
      || !meta_uint (c, "trainer.step", G_MAXUINT64, &self->step, error)
      || !meta_uint (c, "trainer.position", self->steps_per_epoch - 1,
                     &position, error)
      || !meta_uint (c, "trainer.augment_seed", G_MAXUINT64,
                     &self->augment_seed, error)
      || !meta_uint (c, "trainer.has_momentum", 1, &momentum, error)
      || !load_rng (c, &self->shuffle_rng, error))
    return FALSE;
  self->epoch = (guint) epoch;
  self->position = (guint) position;
  bsc_model_set_has_momentum (self->model, momentum != 0);
  self->lr_scale = scale ? g_ascii_strtod (scale, &end) : -1.0;
  if (scale == NULL || *end != '\0' || !(self->lr_scale >= 0.0))
    return fail (error, c->path, "trainer.lr_scale is not a number");
  return TRUE;
}

static gboolean
check_dataset (Checkpoint       *c,
               const BscConfig  *config,
               BscDataset       *data,
               GError          **error)
{
  guint64 n;

  if (!meta_uint (c, "trainer.n_samples", G_MAXUINT64, &n, error))
    return FALSE;
  if (n != data->n_samples)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s was trained on %" G_GUINT64_FORMAT " samples but %s "
                   "has %" G_GSIZE_FORMAT, c->path, n, data->source,
                   data->n_samples);
      return FALSE;
    }
  if (config->input_dim != data->dim)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s was trained on samples of %u values but those of %s "
                   "have %" G_GSIZE_FORMAT, c->path, config->input_dim,
                   data->source, data->dim);
      return FALSE;
    }
  /* (checkpoints older than the fingerprint have none to compare) */
  if (meta_string (c, "trainer.data_md5") != NULL)
    {
      g_autofree char *md5 = data_md5 (data);

      if (strcmp (md5, meta_string (c, "trainer.data_md5")) != 0)
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                       "%s was trained on other samples than those of %s "
                       "(as many, but not the same values)", c->path,
                       data->source);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
restore_trainer (Checkpoint  *c,
                 BscTrainer  *self,
                 GError     **error)
{
  gsize n = self->data->n_samples;

  if (!load_model_tensors (c, self->model, error)
      || !load_indices (c, "trainer.permutation", n, n, self->perm, error)
      || !load_indices (c, "trainer.probe", self->config.batch_size, n,
                        self->probe, error)
      || !load_counters (c, self, error))
    return FALSE;
  if (json_object_has_member (c->header, "trainer.last_clusters"))
    {
      g_autofree gsize *last = g_new (gsize, n);

      if (!load_indices (c, "trainer.last_clusters", n,
                         self->config.n_clusters, last, error))
        return FALSE;
      self->last_clusters = g_new (gint32, n);
      for (gsize i = 0; i < n; i++)
        self->last_clusters[i] = (gint32) last[i];
    }
  return TRUE;
}

BscTrainer *
bsc_trainer_load (BscDataset  *data,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(BscTrainer) self = NULL;
  Checkpoint c;
  BscConfig config;
  gboolean ok;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ok = checkpoint_open (&c, path, error)
       && config_from_metadata (&c, &config, error)
       && check_dataset (&c, &config, data, error)
       && (self = bsc_trainer_new (data, &config, error)) != NULL
       && restore_trainer (&c, self, error);
  checkpoint_clear (&c);
  return ok ? g_steal_pointer (&self) : NULL;
}
