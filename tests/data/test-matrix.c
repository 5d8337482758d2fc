/* test-matrix.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feature matrices and labels: .npy, CSV (header, label column, locale),
 * IDX raw and gzip with automatic labels, labels side files, and every
 * refusal naming the file, line or offset.
 */

#include "bsc-load.h"
#include "bsc-error.h"
#include "bsc-npy.h"
#include "test-util.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static BscDataset *
load (const char  *path,
      const char  *labels,
      const char  *label_column,
      GError     **error)
{
  BscLoadOptions options;

  bsc_load_options_init (&options);
  options.labels_path = labels;
  options.label_column = label_column;
  return bsc_load (path, &options, NULL, NULL, NULL, error);
}

static void
assert_error_has (const GError *error,
                  const char   *a,
                  const char   *b)
{
  g_assert_nonnull (error);
  if (strstr (error->message, a) == NULL
      || (b != NULL && strstr (error->message, b) == NULL))
    g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, a));
  if (b != NULL)
    g_assert_nonnull (strstr (error->message, b));
}

static void
test_npy_features_and_labels (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *x = g_build_filename (dir, "x.npy", NULL);
  g_autofree char *y = g_build_filename (dir, "y.npy", NULL);
  const float values[] = { 1, 2, 3, 4, 5, 6 };
  const gint32 labels[] = { 2, 0, 2 };
  const gsize shape[] = { 3, 2 }, lshape[] = { 3 };
  g_autofree char *txt = test_write_file (dir, "y.txt", "1\n1\n0\n\n", 7);
  g_autofree char *names = test_write_file (dir, "n.txt", "cat\ndog\ncat\n", 12);
  g_autofree char *short_txt = test_write_file (dir, "short.txt", "1\n0\n", 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) a = NULL, b = NULL, c = NULL, d = NULL;
  guint k;

  g_assert_true (bsc_npy_write_float (x, values, 2, shape, &error));
  g_assert_true (bsc_npy_write_int (y, labels, 1, lshape, &error));

  a = load (x, y, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->kind, ==, BSC_SOURCE_FEATURES);
  g_assert_cmpuint (a->n_samples, ==, 3);
  g_assert_cmpuint (a->dim, ==, 2);
  for (k = 0; k < 6; k++)
    g_assert_cmpfloat (a->features[k], ==, values[k]);
  /* classes are the distinct values {0, 2}, named by them */
  g_assert_cmpuint (a->n_classes, ==, 2);
  g_assert_cmpint (a->labels[0], ==, 1);
  g_assert_cmpint (a->labels[1], ==, 0);
  g_assert_cmpint (a->labels[2], ==, 1);
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 0), ==, "0");
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 1), ==, "2");

  b = load (x, txt, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->labels[0], ==, 1);
  g_assert_cmpint (b->labels[2], ==, 0);
  g_assert_cmpuint (b->n_classes, ==, 2);

  c = load (x, names, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->n_classes, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->class_names, 1), ==, "dog");
  g_assert_cmpint (c->labels[1], ==, 1);
  g_assert_cmpint (c->labels[2], ==, 0);

  d = load (x, short_txt, NULL, &error);
  g_assert_null (d);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  assert_error_has (error, "short.txt", "2 labels for 3 samples");
  test_rm_rf (dir);
}

/* Integer labels far apart (years, ids) make one class per distinct
 * value, not one per integer up to the largest; a negative label is
 * refused with its own value in the message. */
static void
test_sparse_labels (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *x = g_build_filename (dir, "x.npy", NULL);
  g_autofree char *y = g_build_filename (dir, "y.npy", NULL);
  g_autofree char *neg = g_build_filename (dir, "neg.npy", NULL);
  const float values[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  const gint32 years[] = { 2010, 1990, G_MAXINT32, 1990 };
  const gint32 negative[] = { 3, -7, 1, 0 };
  const gsize shape[] = { 4, 2 }, lshape[] = { 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) a = NULL, b = NULL;

  g_assert_true (bsc_npy_write_float (x, values, 2, shape, &error));
  g_assert_true (bsc_npy_write_int (y, years, 1, lshape, &error));
  g_assert_true (bsc_npy_write_int (neg, negative, 1, lshape, &error));

  a = load (x, y, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->n_classes, ==, 3);
  g_assert_cmpint (a->labels[0], ==, 1);
  g_assert_cmpint (a->labels[1], ==, 0);
  g_assert_cmpint (a->labels[2], ==, 2);
  g_assert_cmpint (a->labels[3], ==, 0);
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 0), ==, "1990");
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 1), ==, "2010");
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 2), ==, "2147483647");

  b = load (x, neg, NULL, &error);
  g_assert_null (b);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  assert_error_has (error, "neg.npy", "label -7 of sample 1 is negative");
  g_clear_error (&error);

  /* text named .npy is not read as text labels */
  {
    g_autofree char *fake = test_write_file (dir, "fake.npy", "1\n0\n1\n0\n",
                                             8);
    g_autoptr(BscDataset) c = load (x, fake, NULL, &error);

    g_assert_null (c);
    assert_error_has (error, "fake.npy", "not a NumPy .npy file");
  }
  test_rm_rf (dir);
}

static void
test_npy_refused (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *nan_path = g_build_filename (dir, "nan.npy", NULL);
  g_autofree char *vec_path = g_build_filename (dir, "vec.npy", NULL);
  g_autofree char *one_path = g_build_filename (dir, "one.npy", NULL);
  const float values[] = { 1, 2, NAN, 4 }, finite[] = { 1, 2, 3, 4 };
  g_autofree char *none_path = g_build_filename (dir, "none.npy", NULL);
  const gsize shape[] = { 2, 2 }, vshape[] = { 4 }, oshape[] = { 1, 4 };
  const gsize nshape[] = { 0, 20 }, zshape[] = { 5, 2, 0 };
  g_autofree char *bad = test_write_file (dir, "bad.npy",
                                          "\x93NUMPY\x01\x00\x08\x00{'x': 1}",
                                          18);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;

  g_assert_true (bsc_npy_write_float (nan_path, values, 2, shape, &error));
  g_assert_true (bsc_npy_write_float (vec_path, values, 1, vshape, &error));
  g_assert_true (bsc_npy_write_float (one_path, finite, 2, oshape, &error));

  ds = load (nan_path, NULL, NULL, &error);
  g_assert_null (ds);
  assert_error_has (error, "nan.npy", "row 1, column 0: NaN");
  g_clear_error (&error);
  ds = load (vec_path, NULL, NULL, &error);
  g_assert_null (ds);
  assert_error_has (error, "vec.npy", "2-D");
  g_clear_error (&error);
  ds = load (bad, NULL, NULL, &error);
  g_assert_null (ds);
  assert_error_has (error, "bad.npy", "offset");
  g_clear_error (&error);
  ds = load (one_path, NULL, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  g_clear_error (&error);

  /* nothing in it: the shape says why */
  g_assert_true (bsc_npy_write_float (none_path, finite, 2, nshape, &error));
  ds = load (none_path, NULL, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW);
  assert_error_has (error, "none.npy: holds no samples (shape 0 x 20)", NULL);
  g_clear_error (&error);
  g_assert_true (bsc_npy_write_float (none_path, finite, 3, zshape, &error));
  ds = load (none_path, NULL, NULL, &error);
  g_assert_null (ds);
  assert_error_has (error, "none.npy: holds samples without values (shape "
                    "5 x 2 x 0)", NULL);
  g_clear_error (&error);

  /* text named .npy is not read as CSV, whatever the case of the name */
  text = test_write_file (dir, "text.NPY", "1,2\n3,4\n5,6\n", 12);
  ds = load (text, NULL, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  assert_error_has (error, "text.NPY: offset 0: not a NumPy .npy file",
                    "no \\x93NUMPY magic");
  g_clear_error (&error);

  /* a file named like IDX without its magic says so, not "not a .npy,
   * CSV or IDX file" */
  {
    g_autofree char *idx = test_write_file (dir, "bad-images-idx3-ubyte",
                                            "\x12\x34\x08\x03\0\0\0\1xxxx", 12);
    g_autoptr(BscDataset) misnamed = load (idx, NULL, NULL, &error);

    g_assert_null (misnamed);
    assert_error_has (error, "bad-images-idx3-ubyte: offset 0: not an IDX file",
                      "two zero bytes");
  }
  test_rm_rf (dir);
}

static void
test_csv (void)
{
  static const char with_header[] =
    "x,label,y\r\n1.5,cat,-2e-1\r\n\r\n3,dog,4\r\n\"5\",cat,6\r\n";
  static const char plain[] = "1,2,3\n4,5,6\n# comment\n7,8,9\n";
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *h = test_write_file (dir, "h.csv", with_header,
                                        strlen (with_header));
  g_autofree char *p = test_write_file (dir, "p.csv", plain, strlen (plain));
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) a = NULL, b = NULL, c = NULL, d = NULL;

  a = load (h, NULL, "label", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->n_samples, ==, 3);
  g_assert_cmpuint (a->dim, ==, 2);
  g_assert_cmpfloat (a->features[0], ==, 1.5f);
  g_assert_cmpfloat (a->features[1], ==, -0.2f);
  g_assert_cmpfloat (a->features[4], ==, 5.0f);
  g_assert_cmpuint (a->n_classes, ==, 2);
  g_assert_cmpint (a->labels[0], ==, 0);
  g_assert_cmpint (a->labels[1], ==, 1);
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 0), ==, "cat");

  b = load (p, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->n_samples, ==, 3);
  g_assert_cmpuint (b->dim, ==, 3);
  g_assert_null (b->labels);
  g_assert_cmpfloat (b->features[8], ==, 9.0f);
  {
    float row[3];
    bsc_dataset_get_row (b, 1, row);
    g_assert_cmpfloat (row[0], ==, 4.0f);
    g_assert_cmpfloat (row[2], ==, 6.0f);
  }

  /* column 2 as labels, by index: integers */
  c = load (p, NULL, "2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->dim, ==, 2);
  g_assert_cmpfloat (c->features[2], ==, 4.0f);
  /* labels 3, 6, 9: three classes, named by their values */
  g_assert_cmpint (c->labels[2], ==, 2);
  g_assert_cmpuint (c->n_classes, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (c->class_names, 2), ==, "9");

  d = load (h, NULL, "species", &error);
  g_assert_null (d);
  assert_error_has (error, "h.csv", "no column named 'species'");
  test_rm_rf (dir);
}

/* RFC 4180 quotes: delimiters and "" inside them are text, and a
 * number may be quoted. */
static void
test_csv_quoted (void)
{
  static const char text[] =
    "name,\"x, in m\",y\n"
    "\"Smith, John\",1.5,\"2\"\n"
    " \"say \"\"hi\"\"\" , \"-3e1\" ,4\n"
    "\"\",5,6\n";
  static const char semi[] = "\"a;b\";\"1,5\"\n1;2\n3;4\n";
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = test_write_file (dir, "q.csv", text, strlen (text));
  g_autofree char *spath = test_write_file (dir, "s.csv", semi, strlen (semi));
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;

  ds = load (path, NULL, "name", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 3);
  g_assert_cmpuint (ds->dim, ==, 2);
  g_assert_cmpfloat (ds->features[0], ==, 1.5f);
  g_assert_cmpfloat (ds->features[1], ==, 2.0f);
  g_assert_cmpfloat (ds->features[2], ==, -30.0f);
  g_assert_cmpfloat (ds->features[3], ==, 4.0f);
  g_assert_cmpfloat (ds->features[5], ==, 6.0f);
  g_assert_cmpuint (ds->n_classes, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 0), ==, "");
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 1), ==, "Smith, John");
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 2), ==, "say \"hi\"");
  g_assert_cmpint (ds->labels[0], ==, 1);
  g_assert_cmpint (ds->labels[1], ==, 2);
  g_assert_cmpint (ds->labels[2], ==, 0);

  /* a quoted comma does not make the first line comma-separated */
  g_clear_pointer (&ds, bsc_dataset_unref);
  ds = load (spath, NULL, "0", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->dim, ==, 1);
  g_assert_cmpfloat (ds->features[0], ==, 2.0f);
  g_assert_cmpfloat (ds->features[1], ==, 4.0f);
  test_rm_rf (dir);
}

static void
expect_csv_refused (const char *dir,
                    const char *name,
                    const char *text,
                    const char *fragment)
{
  g_autofree char *path = test_write_file (dir, name, text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = load (path, NULL, NULL, &error);

  g_assert_null (ds);
  assert_error_has (error, name, fragment);
}

static void
test_csv_refused (void)
{
  g_autofree char *dir = test_tmpdir ();

  expect_csv_refused (dir, "ragged.csv", "1,2,3\n4,5,6\n7,8\n",
                      "line 3: expected 3 values, found 2");
  expect_csv_refused (dir, "nan.csv", "a,b\n1,2\n3,nan\n",
                      "line 3, column 2: 'nan' is not finite");
  expect_csv_refused (dir, "inf.csv", "1,-inf\n1,2\n", "line 1, column 2");
  expect_csv_refused (dir, "big.csv", "1,2\n1e39,2\n", "line 2, column 1");
  expect_csv_refused (dir, "word.csv", "1,2\n3,x\n", "line 2, column 2: 'x' "
                      "is not a number");
  expect_csv_refused (dir, "names.csv", "a,b\n1,cat\n", "label column");
  expect_csv_refused (dir, "empty-field.csv", "1,2\n3,\n", "line 2, column 2");
  expect_csv_refused (dir, "one.csv", "a,b\n1,2\n", "1 sample of 2 values");
  expect_csv_refused (dir, "empty.csv", "", "0 samples");
  expect_csv_refused (dir, "open-quote.csv", "1,2\n3,\"4\n5,6\n",
                      "line 2, column 2: a quoted field is not closed");
  expect_csv_refused (dir, "after-quote.csv", "1,2\n\"3\"x,4\n",
                      "line 2, column 1: 'x' after a closing quote");
  expect_csv_refused (dir, "quoted-word.csv", "1,2\n3,\"a,b\"\n",
                      "line 2, column 2: 'a,b' is not a number");
  test_rm_rf (dir);
}

/* Numbers in files are read with a dot under every locale. */
static void
test_csv_locale (void)
{
  static const char text[] = "0.5,1.25\n-3.75,2e3\n";
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = test_write_file (dir, "l.csv", text, strlen (text));
  g_autofree char *old = g_strdup (setlocale (LC_NUMERIC, NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  const char *german = setlocale (LC_NUMERIC, "de_DE.UTF-8");

  if (german == NULL)
    german = setlocale (LC_NUMERIC, "de_DE");
  if (german != NULL)
    g_assert_cmpfloat (strtod ("0.5", NULL), ==, 0.0);   /* the C library */
  else
    g_test_message ("no German locale: checking that parsing ignores "
                    "LC_NUMERIC under %s", old);
  ds = load (path, NULL, NULL, &error);
  setlocale (LC_NUMERIC, old);
  g_assert_no_error (error);
  g_assert_cmpfloat (ds->features[0], ==, 0.5f);
  g_assert_cmpfloat (ds->features[1], ==, 1.25f);
  g_assert_cmpfloat (ds->features[2], ==, -3.75f);
  g_assert_cmpfloat (ds->features[3], ==, 2000.0f);
  test_rm_rf (dir);
}

/* An IDX file of type code type with dims and raw big-endian data. */
static void
write_idx (const char   *path,
           gboolean      gzip,
           guint8        type,
           guint         ndim,
           const guint32 *dims,
           const guint8 *data,
           gsize         size)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  guint8 head[4] = { 0, 0, type, ndim };
  guint k;

  g_byte_array_append (b, head, 4);
  for (k = 0; k < ndim; k++)
    {
      guint32 be = GUINT32_TO_BE (dims[k]);
      g_byte_array_append (b, (guint8 *) &be, 4);
    }
  g_byte_array_append (b, data, size);
  if (gzip)
    {
      gzFile gz = gzopen (path, "wb");
      g_assert_cmpint (gzwrite (gz, b->data, b->len), ==, (int) b->len);
      gzclose (gz);
    }
  else
    g_assert_true (g_file_set_contents (path, (char *) b->data, b->len, NULL));
}

static void
test_idx (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *img = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  g_autofree char *lab = g_build_filename (dir, "train-labels-idx1-ubyte.gz", NULL);
  g_autofree char *t10k = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  g_autofree char *t10k_lab = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
  g_autofree char *flt = g_build_filename (dir, "floats.idx", NULL);
  const guint32 dims[] = { 3, 2, 2 }, ldims[] = { 3 }, fdims[] = { 2, 2 };
  const guint8 pixels[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255 };
  const guint8 labels[3] = { 7, 0, 7 };
  const guint8 floats[16] = { 0x3f, 0xc0, 0, 0,  0xc0, 0x20, 0, 0,
                              0, 0, 0, 0,  0x42, 0x28, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) a = NULL, b = NULL, c = NULL, all = NULL;

  write_idx (img, TRUE, 0x08, 3, dims, pixels, 12);
  write_idx (lab, TRUE, 0x08, 1, ldims, labels, 3);
  write_idx (t10k, FALSE, 0x08, 3, dims, pixels, 12);
  write_idx (t10k_lab, FALSE, 0x08, 1, ldims, labels, 3);
  write_idx (flt, FALSE, 0x0D, 2, fdims, floats, 16);

  a = load (img, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->kind, ==, BSC_SOURCE_IDX);
  g_assert_cmpuint (a->n_samples, ==, 3);
  g_assert_cmpuint (a->dim, ==, 4);
  g_assert_cmpuint (a->width, ==, 2);
  g_assert_cmpuint (a->height, ==, 2);
  g_assert_cmpuint (a->pixels[11], ==, 255);
  {
    float row[4];
    bsc_dataset_get_row (a, 2, row);
    g_assert_cmpfloat (row[0], ==, 8 / 255.0f);
    g_assert_cmpfloat (row[3], ==, 1.0f);
  }
  /* labels 7, 0, 7: the classes "0" and "7" */
  g_assert_cmpuint (a->n_classes, ==, 2);
  g_assert_cmpint (a->labels[0], ==, 1);
  g_assert_cmpint (a->labels[1], ==, 0);
  g_assert_cmpstr (g_ptr_array_index (a->class_names, 1), ==, "7");

  b = load (flt, t10k_lab, NULL, &error);
  g_assert_null (b);
  assert_error_has (error, "t10k-labels-idx1-ubyte", "3 labels for 2 samples");
  g_clear_error (&error);
  b = load (flt, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (b->features[0], ==, 1.5f);
  g_assert_cmpfloat (b->features[1], ==, -2.5f);
  g_assert_cmpfloat (b->features[3], ==, 42.0f);

  /* a folder of IDX files opens as all of them, sorted */
  all = load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_samples, ==, 6);
  g_assert_cmpuint (all->n_classes, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (all->class_names, all->labels[5]), ==,
                   "7");

  /* a truncated IDX file */
  write_idx (img, TRUE, 0x08, 3, dims, pixels, 10);
  c = load (img, NULL, NULL, &error);
  g_assert_null (c);
  assert_error_has (error, "train-images-idx3-ubyte.gz", "truncated data");
  test_rm_rf (dir);
}

static void
test_fashion_mnist (void)
{
  const char *dir = "/usr/share/datasets/fashion-mnist";
  g_autofree char *path = g_build_filename (dir, "t10k-images-idx3-ubyte.gz",
                                            NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL;
  g_autofree char *summary = NULL;
  g_autofree gsize *counts = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("dataset-fashion-mnist is not installed");
      return;
    }
  ds = load (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 10000);
  g_assert_cmpuint (ds->dim, ==, 784);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_cmpstr (g_ptr_array_index (ds->class_names, 9), ==, "Ankle boot");
  g_assert_cmpint (ds->labels[0], ==, 9);   /* the first test image */
  counts = bsc_dataset_class_counts (ds);
  g_assert_cmpuint (counts[3], ==, 1000);
  summary = bsc_dataset_describe (ds);
  g_assert_nonnull (strstr (summary, "Samples:    10000"));
  g_assert_nonnull (strstr (summary, "Ankle boot"));
  g_assert_nonnull (strstr (summary, "1000"));

  /* the package's folder opens directly: train and test, 70,000 */
  g_clear_pointer (&ds, bsc_dataset_unref);
  ds = load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 70000);
  g_assert_cmpuint (ds->n_classes, ==, 10);
}

static void
test_not_found (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = load ("/nonexistent/data.csv", NULL, NULL, &error);

  g_assert_null (ds);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_IO);
  assert_error_has (error, "/nonexistent/data.csv", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/matrix/npy", test_npy_features_and_labels);
  g_test_add_func ("/matrix/npy-refused", test_npy_refused);
  g_test_add_func ("/matrix/sparse-labels", test_sparse_labels);
  g_test_add_func ("/matrix/csv", test_csv);
  g_test_add_func ("/matrix/csv-quoted", test_csv_quoted);
  g_test_add_func ("/matrix/csv-refused", test_csv_refused);
  g_test_add_func ("/matrix/csv-locale", test_csv_locale);
  g_test_add_func ("/matrix/idx", test_idx);
  g_test_add_func ("/matrix/fashion-mnist", test_fashion_mnist);
  g_test_add_func ("/matrix/not-found", test_not_found);
  return g_test_run ();
}
