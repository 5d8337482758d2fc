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

/* Tiny images are enlarged by whole pixels to at least this size, so
 * that cells and hovers scale them down, never blur them up. */
#define THUMB_MIN_SIZE 84

/* pixels: size x size, channels 1 or 3, row-major; the texture is RGB,
 * (size k) x (size k) with k = ceil (THUMB_MIN_SIZE / size), each pixel
 * repeated k x k times (nearest neighbour). */
static GdkTexture *
make_texture (const guint8 *pixels,
              guint         size,
              guint         channels)
{
  guint k = size >= THUMB_MIN_SIZE ? 1 : (THUMB_MIN_SIZE + size - 1) / size;
  gsize out = (gsize) size * k;
  guint8 *rgb = g_malloc ((gsize) out * out * 3);
  g_autoptr(GBytes) bytes = NULL;

  for (gsize y = 0; y < out; y++)
    for (gsize x = 0; x < out; x++)
      {
        const guint8 *p = pixels + ((gsize) (y / k) * size + x / k) * channels;
        guint8 *o = rgb + ((gsize) y * out + x) * 3;

        for (guint c = 0; c < 3; c++)
          o[c] = p[channels == 3 ? c : 0];
      }
  bytes = g_bytes_new_take (rgb, out * out * 3);
  return gdk_memory_texture_new ((int) out, (int) out, GDK_MEMORY_R8G8B8, bytes,
                                 out * 3);
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
