/* bsc-thumbs.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "bsc-thumbs.h"

struct _BscThumbs
{
  GObject      parent_instance;

  BscDataset  *data;
  GdkTexture **textures;   /* n_samples, NULL until first asked for */
  gsize        n_made;
};

G_DEFINE_FINAL_TYPE (BscThumbs, bsc_thumbs, G_TYPE_OBJECT)

static BscThumbs *current;   /* weak: the cache of the newest dataset */

static void
bsc_thumbs_finalize (GObject *object)
{
  BscThumbs *self = BSC_THUMBS (object);

  if (current == self)
    current = NULL;
  for (gsize i = 0; self->textures != NULL && i < self->data->n_samples; i++)
    g_clear_object (&self->textures[i]);
  g_free (self->textures);
  bsc_dataset_unref (self->data);
  G_OBJECT_CLASS (bsc_thumbs_parent_class)->finalize (object);
}

static void
bsc_thumbs_class_init (BscThumbsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bsc_thumbs_finalize;
}

static void
bsc_thumbs_init (BscThumbs *self)
{
}

BscThumbs *
bsc_thumbs_get_for (BscDataset *data)
{
  g_return_val_if_fail (data != NULL, NULL);

  if (current != NULL && current->data == data)
    return g_object_ref (current);
  current = g_object_new (BSC_TYPE_THUMBS, NULL);
  current->data = bsc_dataset_ref (data);
  current->textures = g_new0 (GdkTexture *, data->n_samples);
  return current;
}

BscDataset *
bsc_thumbs_get_dataset (BscThumbs *self)
{
  g_return_val_if_fail (BSC_IS_THUMBS (self), NULL);

  return self->data;
}

static GdkTexture *
make_texture (const guint8 *pixels,
              guint         size,
              guint         channels)
{
  gsize n = (gsize) size * size;
  guint8 *rgb = g_malloc (n * 3);
  g_autoptr(GBytes) bytes = NULL;

  for (gsize p = 0; p < n; p++)
    for (guint c = 0; c < 3; c++)
      rgb[p * 3 + c] = pixels[p * channels + (channels == 3 ? c : 0)];
  bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8, bytes,
                                 (gsize) size * 3);
}

GdkTexture *
bsc_thumbs_get (BscThumbs *self,
                gsize      index)
{
  const guint8 *pixels;
  guint size = 0, channels = 0;

  g_return_val_if_fail (BSC_IS_THUMBS (self), NULL);
  g_return_val_if_fail (index < self->data->n_samples, NULL);

  if (self->textures[index] != NULL)
    return self->textures[index];
  pixels = bsc_dataset_get_thumbnail (self->data, index, &size, &channels);
  if (pixels == NULL || size == 0 || (channels != 1 && channels != 3))
    return NULL;
  self->textures[index] = make_texture (pixels, size, channels);
  self->n_made++;
  return self->textures[index];
}

gsize
bsc_thumbs_get_n_made (BscThumbs *self)
{
  g_return_val_if_fail (BSC_IS_THUMBS (self), 0);

  return self->n_made;
}
