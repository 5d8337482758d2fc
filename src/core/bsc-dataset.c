/* bsc-dataset.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bsc-dataset.h"
#include "bsc-load-private.h"

#include <string.h>

static void
skipped_free (gpointer data)
{
  BscSkipped *skipped = data;

  g_free (skipped->path);
  g_free (skipped->reason);
  g_free (skipped);
}

BscDataset *
bsc_dataset_new (BscSourceKind  kind,
                 const char    *source)
{
  BscDataset *self = g_new0 (BscDataset, 1);

  self->kind = kind;
  self->source = g_strdup (source);
  self->class_names = g_ptr_array_new_with_free_func (g_free);
  self->skipped = g_ptr_array_new_with_free_func (skipped_free);
  self->ref_count = 1;
  return self;
}

BscDataset *
bsc_dataset_ref (BscDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
bsc_dataset_unref (BscDataset *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  if (self->thumbs != self->pixels)
    g_free (self->thumbs);
  g_free (self->features);
  g_free (self->pixels);
  g_free (self->labels);
  g_free (self->source);
  g_ptr_array_unref (self->class_names);
  g_clear_pointer (&self->paths, g_ptr_array_unref);
  g_clear_pointer (&self->display_names, g_ptr_array_unref);
  g_ptr_array_unref (self->skipped);
  g_free (self);
}

void
bsc_dataset_get_row (const BscDataset *self,
                     gsize             i,
                     float            *out)
{
  gsize j;

  g_return_if_fail (self != NULL);
  g_return_if_fail (i < self->n_samples);
  g_return_if_fail (out != NULL);

  if (self->features != NULL)
    {
      memcpy (out, self->features + i * self->dim, self->dim * sizeof (float));
      return;
    }
  for (j = 0; j < self->dim; j++)
    out[j] = self->pixels[i * self->dim + j] * (1.0f / 255.0f);
}

const guint8 *
bsc_dataset_get_thumbnail (const BscDataset *self,
                           gsize             i,
                           guint            *size,
                           guint            *channels)
{
  gsize stride;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->n_samples, NULL);

  if (self->thumbs != NULL && self->thumbs != self->pixels)
    {
      stride = (gsize) self->thumb_size * self->thumb_size
               * self->thumb_channels;
      if (size)
        *size = self->thumb_size;
      if (channels)
        *channels = self->thumb_channels;
      return self->thumbs + i * stride;
    }
  if (self->pixels == NULL || self->width == 0
      || self->width != self->height)
    return NULL;
  if (size)
    *size = self->width;
  if (channels)
    *channels = self->channels;
  return self->pixels + i * self->dim;
}

char *
bsc_dataset_dup_name (const BscDataset *self,
                      gsize             i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->n_samples, NULL);

  if (self->display_names != NULL)
    return g_strdup (g_ptr_array_index (self->display_names, i));
  return g_strdup_printf ("#%" G_GSIZE_FORMAT, i);
}

gsize *
bsc_dataset_class_counts (const BscDataset *self)
{
  gsize *counts;
  gsize i;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->labels == NULL || self->n_classes == 0)
    return NULL;
  counts = g_new0 (gsize, self->n_classes);
  for (i = 0; i < self->n_samples; i++)
    if (self->labels[i] >= 0 && (guint) self->labels[i] < self->n_classes)
      counts[self->labels[i]]++;
  return counts;
}

void
bsc_dataset_add_skipped (BscDataset *self,
                         const char *path,
                         const char *reason)
{
  BscSkipped *skipped;

  g_return_if_fail (self != NULL);
  g_return_if_fail (path != NULL);

  skipped = g_new0 (BscSkipped, 1);
  skipped->path = g_strdup (path);
  skipped->reason = g_strdup (reason ? reason : "unusable");
  g_ptr_array_add (self->skipped, skipped);
}

void
bsc_dataset_add_passed_over (BscDataset *self,
                             const char *path,
                             const char *reason)
{
  g_return_if_fail (self != NULL);

  bsc_dataset_add_skipped (self, path, reason);
  ((BscSkipped *) g_ptr_array_index (self->skipped,
                                     self->skipped->len - 1))->on_purpose = TRUE;
}

guint
bsc_dataset_count_unusable (const BscDataset *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint k = 0; k < self->skipped->len; k++)
    n += !((BscSkipped *) g_ptr_array_index (self->skipped, k))->on_purpose;
  return n;
}

static const char *
kind_name (BscSourceKind kind)
{
  switch (kind)
    {
    case BSC_SOURCE_FEATURES: return _("feature matrix");
    case BSC_SOURCE_IMAGES: return _("image folder");
    case BSC_SOURCE_IDX: return _("IDX images");
    default: return _("unknown");
    }
}

/* "Label:" and its value, the values of every field in one column (as
 * wide as the longest label in the language shown, plus a space). */
static void G_GNUC_PRINTF (3, 4)
append_field (GString    *out,
              const char *label,
              const char *format,
              ...)
{
  const char *labels[] = { _("Source:"), _("Kind:"), _("Samples:"),
                           _("Dimensions:"), _("Images:"), _("Thumbnails:"),
                           _("Labels:"), _("Skipped:") };
  glong width = 0;
  va_list args;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, g_utf8_strlen (labels[i], -1));
  g_string_append (out, label);
  for (glong k = g_utf8_strlen (label, -1); k <= width; k++)
    g_string_append_c (out, ' ');
  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
  g_string_append_c (out, '\n');
}

static void
describe_labels (const BscDataset *self,
                 GString          *out)
{
  g_autofree gsize *counts = bsc_dataset_class_counts (self);
  guint k;

  if (counts == NULL)
    {
      append_field (out, _("Labels:"), "%s", _("none"));
      return;
    }
  append_field (out, _("Labels:"), ngettext ("%u class", "%u classes",
                                             self->n_classes),
                self->n_classes);
  for (k = 0; k < self->n_classes; k++)
    {
      const char *name = k < self->class_names->len
                         ? g_ptr_array_index (self->class_names, k) : "?";
      g_string_append_printf (out, "  %3u  %-24s %" G_GSIZE_FORMAT "\n",
                              k, name, counts[k]);
    }
}

static void
describe_skipped (const BscDataset *self,
                  GString          *out)
{
  guint unusable = bsc_dataset_count_unusable (self);
  guint over = self->skipped->len - unusable;

  /* files that could not be used, then folders left out on purpose */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint n = pass == 0 ? unusable : over;

      if (n == 0 && pass == 1)
        continue;
      if (pass == 0)
        append_field (out, _("Skipped:"), ngettext ("%u file", "%u files", n), n);
      else
        g_string_append_printf (out, ngettext ("Not searched: %u folder\n",
                                               "Not searched: %u folders\n", n),
                                n);
      for (guint k = 0; k < self->skipped->len; k++)
        {
          BscSkipped *s = g_ptr_array_index (self->skipped, k);
          g_autofree char *name = NULL;

          if (s->on_purpose != (pass == 1))
            continue;
          name = g_filename_display_name (s->path);
          g_string_append_printf (out, "  %s: %s\n", name, s->reason);
        }
    }
}

char *
bsc_dataset_describe (const BscDataset *self)
{
  GString *out;
  g_autofree char *source = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  source = g_filename_display_name (self->source ? self->source : "");
  append_field (out, _("Source:"), "%s", source);
  append_field (out, _("Kind:"), "%s", kind_name (self->kind));
  append_field (out, _("Samples:"), "%" G_GSIZE_FORMAT, self->n_samples);
  append_field (out, _("Dimensions:"), "%" G_GSIZE_FORMAT, self->dim);
  if (self->width > 0)
    append_field (out, _("Images:"), _("%u x %u, %s"), self->width,
                  self->height, self->channels == 3 ? _("RGB") : _("grayscale"));
  if (self->thumbs != NULL && self->thumbs != self->pixels)
    append_field (out, _("Thumbnails:"), "%u x %u", self->thumb_size,
                  self->thumb_size);
  describe_labels (self, out);
  describe_skipped (self, out);
  return g_string_free (out, FALSE);
}
