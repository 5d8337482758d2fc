/* test-images.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Image folders: every PNG colour type and depth, transparency, interlace,
 * JPEG with EXIF orientation, area resize and centre crop, ImageFolder
 * labels, thumbnails, threads, cancellation, and every kind of bad file.
 */

#include "bsc-load.h"
#include "bsc-error.h"
#include "test-util.h"

#include <png.h>
#include <zlib.h>
#include <string.h>
#include <unistd.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

typedef struct
{
  int          color_type;
  int          depth;
  gboolean     interlace;
  const png_color *palette;
  int          n_palette;
  const guint8 *trns;
  int          n_trns;
} PngSpec;

/* Writes a PNG whose samples (one int per channel value, unpacked) are
 * values, w x h, with the colour type and depth of spec. */
static void
write_png (const char    *path,
           guint          w,
           guint          h,
           const PngSpec *spec,
           const int     *values)
{
  g_autofree char *parent = g_path_get_dirname (path);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL,
                                             NULL, NULL);
  png_infop info = png_create_info_struct (png);
  FILE *fp;
  guint channels, y, x;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  fp = fopen (path, "wb");
  g_assert_nonnull (fp);
  png_init_io (png, fp);
  png_set_IHDR (png, info, w, h, spec->depth, spec->color_type,
                spec->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->palette)
    png_set_PLTE (png, info, spec->palette, spec->n_palette);
  if (spec->trns)
    png_set_tRNS (png, info, spec->trns, spec->n_trns, NULL);
  png_write_info (png, info);
  if (spec->depth < 8)
    png_set_packing (png);
  channels = png_get_channels (png, info);
  {
    gsize row_bytes = (gsize) w * channels * (spec->depth == 16 ? 2 : 1);
    g_autofree png_bytep rows = g_malloc0 (row_bytes * h);
    g_autofree png_bytep *ptrs = g_new (png_bytep, h);

    for (y = 0; y < h; y++)
      {
        ptrs[y] = rows + y * row_bytes;
        for (x = 0; x < w * channels; x++)
          {
            int v = values[y * w * channels + x];
            if (spec->depth == 16)
              {
                ptrs[y][2 * x] = v >> 8;
                ptrs[y][2 * x + 1] = v & 0xff;
              }
            else
              ptrs[y][x] = v;
          }
      }
    png_write_image (png, ptrs);
  }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (fp);
}

static void
write_gray8 (const char   *dir,
             const char   *name,
             guint         w,
             guint         h,
             const int    *values)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const PngSpec spec = { PNG_COLOR_TYPE_GRAY, 8 };

  write_png (path, w, h, &spec, values);
}

static BscDataset *
load_dir (const char *dir,
          guint       size,
          int         rgb,
          GError    **error)
{
  BscLoadOptions options;

  bsc_load_options_init (&options);
  options.image_size = size;
  options.image_rgb = rgb;
  options.threads = 2;
  return bsc_load (dir, &options, NULL, NULL, NULL, error);
}

/* Writes the image twice (two samples are the minimum), loads it at its
 * own 2 x 2 size and checks the first sample. */
static void
check_png_case (const PngSpec *spec,
                const int     *values,
                guint          expected_channels,
                const guint8  *expected)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *a = g_build_filename (dir, "a.png", NULL);
  g_autofree char *b = g_build_filename (dir, "b.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  guint k;

  write_png (a, 2, 2, spec, values);
  write_png (b, 2, 2, spec, values);
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->channels, ==, expected_channels);
  g_assert_cmpuint (ds->dim, ==, 4 * expected_channels);
  for (k = 0; k < ds->dim; k++)
    g_assert_cmpuint (ds->pixels[k], ==, expected[k]);
  g_assert_cmpuint (ds->skipped->len, ==, 0);
  test_rm_rf (dir);
}

static void
test_png_gray_depths (void)
{
  const PngSpec g1 = { PNG_COLOR_TYPE_GRAY, 1 }, g2 = { PNG_COLOR_TYPE_GRAY, 2 };
  const PngSpec g4 = { PNG_COLOR_TYPE_GRAY, 4 }, g8 = { PNG_COLOR_TYPE_GRAY, 8 };
  const PngSpec g16 = { PNG_COLOR_TYPE_GRAY, 16 };
  const int v1[] = { 0, 1, 1, 0 }, v2[] = { 0, 1, 2, 3 };
  const int v4[] = { 0, 5, 10, 15 }, v8[] = { 0, 7, 200, 255 };
  const int v16[] = { 0, 25700, 65535, 32896 };
  const guint8 e1[] = { 0, 255, 255, 0 }, e2[] = { 0, 85, 170, 255 };
  const guint8 e8[] = { 0, 7, 200, 255 }, e16[] = { 0, 100, 255, 128 };

  check_png_case (&g1, v1, 1, e1);
  check_png_case (&g2, v2, 1, e2);
  check_png_case (&g4, v4, 1, e2);
  check_png_case (&g8, v8, 1, e8);
  check_png_case (&g16, v16, 1, e16);
}

static void
test_png_alpha (void)
{
  const PngSpec ga8 = { PNG_COLOR_TYPE_GRAY_ALPHA, 8 };
  const PngSpec ga16 = { PNG_COLOR_TYPE_GRAY_ALPHA, 16 };
  const PngSpec rgba8 = { PNG_COLOR_TYPE_RGBA, 8 };
  const int va[] = { 200, 255, 200, 0, 0, 128, 255, 128 };
  const int va16[] = { 51400, 65535, 51400, 0, 0, 32896, 65535, 32896 };
  /* over gray 128: (v a + 128 (255 - a) + 127) / 255 */
  const guint8 ea[] = { 200, 128, 64, 192 };
  const int vrgba[] = { 255, 0, 0, 255,   0, 255, 0, 0,
                        0, 0, 255, 128,   10, 20, 30, 255 };
  const guint8 ergba[] = { 255, 0, 0,  128, 128, 128,
                           64, 64, 192,  10, 20, 30 };

  check_png_case (&ga8, va, 1, ea);
  check_png_case (&ga16, va16, 1, ea);
  check_png_case (&rgba8, vrgba, 3, ergba);
}

static void
test_png_colour (void)
{
  const PngSpec rgb8 = { PNG_COLOR_TYPE_RGB, 8 };
  const PngSpec rgb16 = { PNG_COLOR_TYPE_RGB, 16 };
  const png_color palette[] = { { 255, 0, 0 }, { 0, 0, 255 }, { 9, 9, 9 } };
  const guint8 trns[] = { 0 };
  const PngSpec pal = { PNG_COLOR_TYPE_PALETTE, 8, FALSE, palette, 3, trns, 1 };
  const PngSpec pal2 = { PNG_COLOR_TYPE_PALETTE, 2, FALSE, palette, 3 };
  const int vrgb[] = { 255, 0, 0,  0, 255, 0,  0, 0, 255,  10, 20, 30 };
  const guint8 ergb[] = { 255, 0, 0,  0, 255, 0,  0, 0, 255,  10, 20, 30 };
  const int vrgb16[] = { 65535, 0, 0,  0, 65535, 0,  0, 0, 65535,
                         2570, 5140, 7710 };
  const int vgrayrgb[] = { 5, 5, 5,  6, 6, 6,  7, 7, 7,  8, 8, 8 };
  const guint8 egray[] = { 5, 6, 7, 8 };
  const int vpal[] = { 0, 1, 1, 2 };
  const guint8 epal[] = { 128, 128, 128,  0, 0, 255,  0, 0, 255,  9, 9, 9 };
  const guint8 epal2[] = { 255, 0, 0,  0, 0, 255,  0, 0, 255,  9, 9, 9 };

  check_png_case (&rgb8, vrgb, 3, ergb);
  check_png_case (&rgb16, vrgb16, 3, ergb);
  /* RGB files whose pixels are all gray make a grayscale collection */
  check_png_case (&rgb8, vgrayrgb, 1, egray);
  check_png_case (&pal, vpal, 3, epal);
  check_png_case (&pal2, vpal, 3, epal2);
}

static void
test_png_interlaced (void)
{
  const PngSpec spec = { PNG_COLOR_TYPE_GRAY, 8, TRUE };
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *a = g_build_filename (dir, "a.png", NULL);
  g_autofree char *b = g_build_filename (dir, "b.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  int values[81];
  guint k;

  for (k = 0; k < 81; k++)
    values[k] = (k * 37) % 256;
  write_png (a, 9, 9, &spec, values);
  write_png (b, 9, 9, &spec, values);
  ds = load_dir (dir, 9, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  for (k = 0; k < 81; k++)
    g_assert_cmpuint (ds->pixels[k], ==, values[k]);
  test_rm_rf (dir);
}

/* 3 x 3 to 2 x 2: output 0 covers [0, 1.5): 2/3 of pixel 0, 1/3 of
 * pixel 1.  A 6 x 4 image is cropped to its central 4 x 4 first. */
static void
test_resize_crop (void)
{
  g_autofree char *dir = test_tmpdir ();
  const int three[] = { 0, 90, 180,  0, 90, 180,  0, 90, 180 };
  int wide[24];
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  guint k;

  for (k = 0; k < 24; k++)
    wide[k] = (k % 6 == 0 || k % 6 == 5) ? 255 : (k / 6) * 40;
  write_gray8 (dir, "a-three.png", 3, 3, three);
  write_gray8 (dir, "b-wide.png", 6, 4, wide);
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->width, ==, 2);
  g_assert_cmpuint (ds->pixels[0], ==, 30);
  g_assert_cmpuint (ds->pixels[1], ==, 150);
  g_assert_cmpuint (ds->pixels[2], ==, 30);
  g_assert_cmpuint (ds->pixels[3], ==, 150);
  /* rows 0,1 -> mean of 0 and 40 = 20; rows 2,3 -> 100; no 255 border */
  g_assert_cmpuint (ds->pixels[4], ==, 20);
  g_assert_cmpuint (ds->pixels[5], ==, 20);
  g_assert_cmpuint (ds->pixels[6], ==, 100);
  g_assert_cmpuint (ds->pixels[7], ==, 100);
  test_rm_rf (dir);
}

static void
test_colour_modes (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *c = g_build_filename (dir, "b-colour.png", NULL);
  const PngSpec rgb8 = { PNG_COLOR_TYPE_RGB, 8 };
  const int gray[] = { 10, 20, 30, 40 };
  const int colour[] = { 255, 0, 0,  0, 255, 0,  0, 0, 255,  100, 100, 100 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) mixed = NULL, forced_gray = NULL, forced_rgb = NULL;

  write_gray8 (dir, "a-gray.png", 2, 2, gray);
  write_png (c, 2, 2, &rgb8, colour);

  mixed = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mixed->channels, ==, 3);
  g_assert_cmpuint (mixed->pixels[0], ==, 10);
  g_assert_cmpuint (mixed->pixels[1], ==, 10);
  g_assert_cmpuint (mixed->pixels[2], ==, 10);
  g_assert_cmpuint (mixed->pixels[12], ==, 255);
  g_assert_cmpuint (mixed->pixels[13], ==, 0);

  forced_gray = load_dir (dir, 2, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forced_gray->channels, ==, 1);
  g_assert_cmpuint (forced_gray->pixels[4], ==, 76);   /* 0.299 * 255 */
  g_assert_cmpuint (forced_gray->pixels[5], ==, 150);  /* 0.587 * 255 */
  g_assert_cmpuint (forced_gray->pixels[6], ==, 29);   /* 0.114 * 255 */
  g_assert_cmpuint (forced_gray->pixels[7], ==, 100);

  forced_rgb = load_dir (dir, 2, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forced_rgb->channels, ==, 3);
  g_assert_cmpmem (forced_rgb->pixels, 24, mixed->pixels, 24);
  test_rm_rf (dir);
}

static void
test_thumbnails (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  BscLoadOptions options;
  g_autofree int *big = g_new (int, 40 * 30);
  const int small[] = { 1, 2, 3, 4 };
  const guint8 *thumb;
  guint size = 0, channels = 0, k;

  for (k = 0; k < 40 * 30; k++)
    big[k] = 77;
  write_gray8 (dir, "a-big.png", 40, 30, big);
  write_gray8 (dir, "b-small.png", 2, 2, small);
  bsc_load_options_init (&options);
  options.image_size = 4;
  options.thumb_size = 16;
  ds = bsc_load (dir, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->thumb_size, ==, 16);
  g_assert_true (ds->thumbs != ds->pixels);
  thumb = bsc_dataset_get_thumbnail (ds, 0, &size, &channels);
  g_assert_cmpuint (size, ==, 16);
  g_assert_cmpuint (channels, ==, 1);
  for (k = 0; k < 256; k++)
    g_assert_cmpuint (thumb[k], ==, 77);
  /* the small image is enlarged from its sample: corners keep values */
  thumb = bsc_dataset_get_thumbnail (ds, 1, &size, &channels);
  g_assert_cmpuint (thumb[0], ==, 1);
  g_assert_cmpuint (thumb[255], ==, 4);
  test_rm_rf (dir);
}

static void
test_image_folder_labels (void)
{
  g_autofree char *dir = test_tmpdir ();
  const int v[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL, flat = NULL;
  g_autofree gsize *counts = NULL;
  g_autofree char *name = NULL;

  write_gray8 (dir, "b/z.png", 2, 2, v);
  write_gray8 (dir, "a/x.png", 2, 2, v);
  write_gray8 (dir, "a/sub/y.png", 2, 2, v);
  g_free (test_write_file (dir, "c-empty/.hidden", "", 0));
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 3);
  g_assert_cmpuint (ds->n_classes, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 1), ==, "b");
  g_assert_cmpstr (g_ptr_array_index (ds->display_names, 0), ==, "a/sub/y.png");
  g_assert_cmpstr (g_ptr_array_index (ds->display_names, 1), ==, "a/x.png");
  g_assert_cmpstr (g_ptr_array_index (ds->display_names, 2), ==, "b/z.png");
  g_assert_cmpint (ds->labels[0], ==, 0);
  g_assert_cmpint (ds->labels[1], ==, 0);
  g_assert_cmpint (ds->labels[2], ==, 1);
  counts = bsc_dataset_class_counts (ds);
  g_assert_cmpuint (counts[0], ==, 2);
  g_assert_cmpuint (counts[1], ==, 1);
  name = bsc_dataset_dup_name (ds, 2);
  g_assert_cmpstr (name, ==, "b/z.png");

  /* an image directly in the root: no labels */
  write_gray8 (dir, "root.png", 2, 2, v);
  flat = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flat->n_samples, ==, 4);
  g_assert_null (flat->labels);
  g_assert_cmpuint (flat->n_classes, ==, 0);
  test_rm_rf (dir);
}

static const char *
reason_for (BscDataset *ds,
            const char *path)
{
  guint k;

  for (k = 0; k < ds->skipped->len; k++)
    {
      BscSkipped *s = g_ptr_array_index (ds->skipped, k);
      if (strcmp (s->path, path) == 0)
        return s->reason;
    }
  return NULL;
}

/* A run's results, or cluster folders exported, inside the collection
 * are not loaded as a class of their own (they were, feeding the charts
 * and copies of the images back into the next run); the folder opened
 * is searched even when it is such a folder. */
static void
test_results_inside (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *sorted = g_build_filename (dir, "a", "sorted", NULL);
  g_autofree char *clusters = g_build_filename (dir, "a", "sorted", "cluster-00",
                                                NULL);
  const int v[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL, opened = NULL;

  write_gray8 (dir, "a/x.png", 2, 2, v);
  write_gray8 (dir, "b/y.png", 2, 2, v);
  write_gray8 (dir, "run/curves.png", 2, 2, v);
  g_free (test_write_file (dir, "run/metrics.json",
                          "{\"config\": {\"embed_dim\": 128, \"sk_iterations\": 3}}",
                          -1));
  /* a metrics.json of the collection's own is just a file */
  g_free (test_write_file (dir, "b/metrics.json", "{\"accuracy\": 0.9}", -1));
  write_gray8 (dir, "a/sorted/cluster-00/x.png", 2, 2, v);
  write_gray8 (dir, "a/sorted/cluster-01/w.png", 2, 2, v);
  g_free (test_write_file (dir, "a/sorted/" BSC_CLUSTERS_MARK, "x", 1));
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->n_classes, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 1), ==, "b");
  g_assert_nonnull (strstr (reason_for (ds, run), "metrics.json"));
  g_assert_nonnull (strstr (reason_for (ds, sorted), "exported"));
  g_assert_cmpuint (bsc_dataset_count_unusable (ds), ==, 1);   /* b/metrics.json */

  opened = load_dir (sorted, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opened->n_samples, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (opened->class_names, 0), ==, "cluster-00");
  g_assert_null (reason_for (opened, clusters));
  test_rm_rf (dir);
}

static void
assert_reason (BscDataset *ds,
               const char *dir,
               const char *name,
               const char *fragment)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const char *reason = reason_for (ds, path);

  if (reason == NULL || strstr (reason, fragment) == NULL)
    g_test_message ("%s: %s", name, reason ? reason : "(not skipped)");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, fragment));
}

/* A JPEG with an EXIF orientation 6 (rotate clockwise) segment: the left
 * half (black) of the stored 16 x 8 image becomes the top. */
static void
test_jpeg_orientation (void)
{
  static const guint8 exif[] = {
    0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
    'I', 'I', 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 8);
  g_autofree char *jpeg = NULL;
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  gsize len;
  guint x, y;

  for (y = 0; y < 8; y++)
    for (x = 0; x < 16; x++)
      memset (gdk_pixbuf_get_pixels (pb) + y * gdk_pixbuf_get_rowstride (pb)
              + x * 3, x < 8 ? 0 : 255, 3);
  if (!gdk_pixbuf_save_to_buffer (pb, &jpeg, &len, "jpeg", &error,
                                  "quality", "100", NULL))
    {
      g_test_skip ("gdk-pixbuf cannot write JPEG");
      return;
    }
  g_byte_array_append (file, (guint8 *) jpeg, 2);              /* SOI */
  g_byte_array_append (file, exif, sizeof exif);
  g_byte_array_append (file, (guint8 *) jpeg + 2, len - 2);
  g_free (test_write_file (dir, "rotated.jpg", file->data, file->len));
  g_free (test_write_file (dir, "named-like-text.txt", file->data, file->len));
  g_free (test_write_file (dir, "truncated.jpg", file->data, file->len - 40));

  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  assert_reason (ds, dir, "truncated.jpg", "damaged JPEG");
  g_assert_cmpuint (ds->channels, ==, 1);
  g_assert_cmpuint (ds->pixels[0], <, 40);
  g_assert_cmpuint (ds->pixels[1], <, 40);
  g_assert_cmpuint (ds->pixels[2], >, 215);
  g_assert_cmpuint (ds->pixels[3], >, 215);
  test_rm_rf (dir);
}

/* A 600 x 300 JPEG, black left half: decoded at a reduced size, cropped
 * to the central square and averaged to 2 x 2. */
static void
test_jpeg_large (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 600, 300);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  g_autofree char *a = g_build_filename (dir, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (dir, "b.jpg", NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pb);
  guint x, y;

  for (y = 0; y < 300; y++)
    for (x = 0; x < 600; x++)
      memset (pixels + y * gdk_pixbuf_get_rowstride (pb) + x * 3,
              x < 300 ? 0 : 255, 3);
  if (!gdk_pixbuf_save (pb, a, "jpeg", &error, "quality", "95", NULL))
    {
      g_test_skip ("gdk-pixbuf cannot write JPEG");
      return;
    }
  g_assert_true (gdk_pixbuf_save (pb, b, "jpeg", &error, NULL));
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->pixels[0], <, 8);
  g_assert_cmpuint (ds->pixels[2], <, 8);
  g_assert_cmpuint (ds->pixels[1], >, 247);
  g_assert_cmpuint (ds->pixels[3], >, 247);
  g_assert_cmpuint (ds->thumb_size, ==, 64);
  test_rm_rf (dir);
}

/* A PNG header announcing 100000 x 100000 pixels, with a valid CRC, and
 * nothing after it. */
static void
write_huge_png (const char *dir)
{
  guint8 bytes[33] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                       0, 0, 0, 13, 'I', 'H', 'D', 'R',
                       0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 0, 0, 0, 0 };
  guint32 crc = crc32 (0, bytes + 12, 17);

  bytes[29] = crc >> 24;
  bytes[30] = crc >> 16;
  bytes[31] = crc >> 8;
  bytes[32] = crc;
  g_free (test_write_file (dir, "huge.png", bytes, sizeof bytes));
}

static void
make_link (const char *target,
           const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
make_bad_folder (const char *dir)
{
  const int v[] = { 10, 20, 30, 40 };
  g_autofree char *ok = NULL, *bytes = NULL, *sub = NULL;
  gsize len;

  write_gray8 (dir, "ok1.png", 2, 2, v);
  write_gray8 (dir, "ok2.png", 2, 2, v);
  write_gray8 (dir, "caf\xe9-latin1.png", 2, 2, v);
  ok = g_build_filename (dir, "ok1.png", NULL);
  g_assert_true (g_file_get_contents (ok, &bytes, &len, NULL));
  g_free (test_write_file (dir, "empty.png", "", 0));
  g_free (test_write_file (dir, "truncated.png", bytes, len / 2));
  g_free (test_write_file (dir, "text.png", "hello, world\n", 13));
  write_huge_png (dir);

  sub = g_build_filename (dir, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  make_link ("/nonexistent/nothing.png", dir, "broken.png");
  make_link ("loop-b", dir, "loop-a");
  make_link ("loop-a", dir, "loop-b");
  make_link ("..", sub, "up");
  make_link (".", sub, "self");
}

static void
test_bad_files (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *latin = NULL;

  make_bad_folder (dir);
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 3);
  assert_reason (ds, dir, "empty.png", "empty file");
  assert_reason (ds, dir, "truncated.png", "damaged PNG");
  assert_reason (ds, dir, "text.png", "not an image");
  assert_reason (ds, dir, "huge.png", "100000 x 100000");
  assert_reason (ds, dir, "broken.png", "broken symbolic link");
  assert_reason (ds, dir, "loop-a", "symbolic link loop");
  assert_reason (ds, dir, "loop-b", "symbolic link loop");
  assert_reason (ds, dir, "sub/up", "already searched");
  assert_reason (ds, dir, "sub/self", "already searched");
  g_assert_cmpuint (ds->skipped->len, ==, 9);

  /* the Latin-1 name loads, with a displayable UTF-8 name */
  latin = g_build_filename (dir, "caf\xe9-latin1.png", NULL);
  g_assert_cmpstr (g_ptr_array_index (ds->paths, 0), ==, latin);
  g_assert_true (g_utf8_validate (g_ptr_array_index (ds->display_names, 0),
                                  -1, NULL));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (ds->display_names, 0),
                                   "caf"));
  g_assert_cmpuint (ds->pixels[0], ==, 10);
  g_assert_cmpuint (ds->pixels[3], ==, 40);

  summary = bsc_dataset_describe (ds);
  g_assert_true (g_utf8_validate (summary, -1, NULL));
  g_assert_nonnull (strstr (summary, "Samples:    3\n"));
  g_assert_nonnull (strstr (summary, "truncated.png: damaged PNG"));
  g_assert_nonnull (strstr (summary, "broken.png: broken symbolic link"));
  test_rm_rf (dir);
}

static void
test_unreadable (void)
{
  g_autofree char *dir = NULL, *locked = NULL;
  const int v[] = { 10, 20, 30, 40 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("running as root: mode 000 does not stop reading");
      return;
    }
  dir = test_tmpdir ();
  write_gray8 (dir, "a.png", 2, 2, v);
  write_gray8 (dir, "b.png", 2, 2, v);
  write_gray8 (dir, "locked.png", 2, 2, v);
  locked = g_build_filename (dir, "locked.png", NULL);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  ds = load_dir (dir, 2, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->skipped->len, ==, 1);
  assert_reason (ds, dir, "locked.png", "Permission denied");
  test_rm_rf (dir);
}

static void
test_too_few (void)
{
  g_autofree char *dir = test_tmpdir ();
  const int v[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) empty = NULL, one = NULL;

  empty = load_dir (dir, 2, -1, &error);
  g_assert_null (empty);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_clear_error (&error);

  write_gray8 (dir, "only.png", 2, 2, v);
  g_free (test_write_file (dir, "bad.png", "x", 1));
  one = load_dir (dir, 2, -1, &error);
  g_assert_null (one);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_assert_nonnull (strstr (error->message, "1 file skipped:\n  "));
  g_assert_nonnull (strstr (error->message, "bad.png: "));
  g_clear_pointer (&one, bsc_dataset_unref);
  g_clear_error (&error);
  for (int i = 0; i < 21; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%02d.png", i);

      g_free (test_write_file (dir, name, "x", 1));
    }
  one = load_dir (dir, 2, -1, &error);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_assert_nonnull (strstr (error->message, "22 files skipped:\n  "));
  g_assert_true (g_str_has_suffix (error->message, "\n  and 2 more"));
  test_rm_rf (dir);
}

typedef struct
{
  gsize calls;
  gsize last_done;
  gsize total;
  gsize search_calls;   /* (found, 0) while the folder is searched */
  gsize last_found;
} Progress;

static void
progress_cb (gsize    done,
             gsize    total,
             gpointer user_data)
{
  Progress *p = user_data;

  if (total == 0)
    {
      /* the search comes first and counts up */
      g_assert_cmpuint (p->calls, ==, 0);
      g_assert_cmpuint (done, >, p->last_found);
      p->search_calls++;
      p->last_found = done;
      return;
    }
  p->calls++;
  p->last_done = MAX (p->last_done, done);
  p->total = total;
}

static void
test_threads_progress_cancel (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) one = NULL, three = NULL, cancelled = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  BscLoadOptions options;
  Progress progress = { 0 };
  int v[64];
  guint i, k;

  for (i = 0; i < 150; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u/%03u.png", i % 3, i);
      for (k = 0; k < 64; k++)
        v[k] = (i * 7 + k * 3) % 256;
      write_gray8 (dir, name, 8, 8, v);
    }
  bsc_load_options_init (&options);
  options.image_size = 4;
  options.threads = 1;
  one = bsc_load (dir, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  options.threads = 3;
  three = bsc_load (dir, &options, progress_cb, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (three->n_samples, ==, 150);
  g_assert_cmpmem (one->pixels, 150 * 16, three->pixels, 150 * 16);
  g_assert_cmpmem (one->labels, 150 * 4, three->labels, 150 * 4);
  g_assert_cmpuint (progress.total, ==, 150);
  g_assert_cmpuint (progress.last_done, ==, 150);
  g_assert_cmpuint (progress.calls, >=, 2);

  g_cancellable_cancel (cancellable);
  cancelled = bsc_load (dir, &options, NULL, NULL, cancellable, &error);
  g_assert_null (cancelled);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_CANCELLED);
  test_rm_rf (dir);
}

static void
test_sample (void)
{
  g_autofree char *path = bsc_load_find_sample ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  g_autofree gsize *counts = NULL;
  guint k;

  Progress progress = { 0 };

  g_assert_nonnull (path);
  ds = bsc_load (path, NULL, progress_cb, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2000);
  /* found 256, 512, ... 1792 while searching, then decoded 2000 of 2000 */
  g_assert_cmpuint (progress.search_calls, ==, 7);
  g_assert_cmpuint (progress.last_found, ==, 1792);
  g_assert_cmpuint (progress.total, ==, 2000);
  g_assert_cmpuint (progress.last_done, ==, 2000);
  g_assert_cmpuint (ds->dim, ==, 784);
  g_assert_cmpuint (ds->channels, ==, 1);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_cmpuint (ds->skipped->len, ==, 0);
  g_assert_true (ds->thumbs == ds->pixels);
  counts = bsc_dataset_class_counts (ds);
  for (k = 0; k < 10; k++)
    g_assert_cmpuint (counts[k], ==, 200);
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 8), ==, "T-shirt_top");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/images/png-gray-depths", test_png_gray_depths);
  g_test_add_func ("/images/png-alpha", test_png_alpha);
  g_test_add_func ("/images/png-colour", test_png_colour);
  g_test_add_func ("/images/png-interlaced", test_png_interlaced);
  g_test_add_func ("/images/resize-crop", test_resize_crop);
  g_test_add_func ("/images/colour-modes", test_colour_modes);
  g_test_add_func ("/images/thumbnails", test_thumbnails);
  g_test_add_func ("/images/folder-labels", test_image_folder_labels);
  g_test_add_func ("/images/results-inside", test_results_inside);
  g_test_add_func ("/images/jpeg-orientation", test_jpeg_orientation);
  g_test_add_func ("/images/jpeg-large", test_jpeg_large);
  g_test_add_func ("/images/bad-files", test_bad_files);
  g_test_add_func ("/images/unreadable", test_unreadable);
  g_test_add_func ("/images/too-few", test_too_few);
  g_test_add_func ("/images/threads-progress-cancel",
                   test_threads_progress_cancel);
  g_test_add_func ("/images/sample", test_sample);
  return g_test_run ();
}
