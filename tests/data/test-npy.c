/* test-npy.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * .npy files written by NumPy (every dtype, order, endianness and header
 * version) read back exactly; files we write load in NumPy; bad headers
 * are refused with the file and offset.
 */

#include "bsc-npy.h"
#include "bsc-error.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

/* Writes NAME.npy for every case into argv[1]: a 2x3x4 array of
 * arange(24) * 0.5 - 3 (floats), arange(24) - 10 (signed), arange(24)
 * (unsigned) or arange(24) % 3 == 0 (bool). */
static const char numpy_writer[] =
  "import sys, os, numpy as np\n"
  "from numpy.lib import format as F\n"
  "d = sys.argv[1]\n"
  "cases = [('f4_C_1', '<f4', 'C', (1, 0)), ('f8_C_2', '<f8', 'C', (2, 0)),\n"
  "  ('f2_C_3', '<f2', 'C', (3, 0)), ('f4be_C_1', '>f4', 'C', (1, 0)),\n"
  "  ('f4_F_1', '<f4', 'F', (1, 0)), ('f8be_F_2', '>f8', 'F', (2, 0)),\n"
  "  ('i1_C_1', 'i1', 'C', (1, 0)), ('i2_F_1', '<i2', 'F', (1, 0)),\n"
  "  ('i4be_C_1', '>i4', 'C', (1, 0)), ('i8_C_3', '<i8', 'C', (3, 0)),\n"
  "  ('u1_C_1', 'u1', 'C', (1, 0)), ('u2be_F_1', '>u2', 'F', (1, 0)),\n"
  "  ('u8_C_1', '<u8', 'C', (1, 0)), ('b1_C_1', '?', 'C', (1, 0)),\n"
  "  ('b1_F_2', '?', 'F', (2, 0))]\n"
  "base = np.arange(24).reshape(2, 3, 4)\n"
  "for name, dt, order, ver in cases:\n"
  "  dt = np.dtype(dt)\n"
  "  a = {'f': base * 0.5 - 3, 'i': base - 10, 'u': base,\n"
  "       'b': base % 3 == 0}[dt.kind]\n"
  "  a = np.array(a, dtype=dt, order=order)\n"
  "  assert order == 'C' or a.flags.f_contiguous\n"
  "  with open(os.path.join(d, name + '.npy'), 'wb') as f:\n"
  "    F.write_array(f, a, version=ver)\n"
  "np.save(os.path.join(d, 'vec.npy'), np.array([1.5, -2.25], '<f4'))\n"
  "np.save(os.path.join(d, 'scalar.npy'), np.float64(7.5))\n"
  "np.save(os.path.join(d, 'half.npy'), np.array([0.5], '<f8'))\n"
  "np.save(os.path.join(d, 'f2_special.npy'),\n"
  "        np.array([65504, 6e-8, -0.0, np.inf, 1e-5], '<f2'))\n";

static double
expected_value (char kind,
                int  i)
{
  switch (kind)
    {
    case 'f': return i * 0.5 - 3;
    case 'i': return i - 10;
    case 'u': return i;
    case 'b': return i % 3 == 0;
    default: g_assert_not_reached ();
    }
}

static void
check_case (const char *dir,
            const char *name)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *values = NULL;
  g_autofree gint32 *ints = NULL;
  BscNpyShape shape;
  int i;

  values = bsc_npy_read_float (path, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape.ndim, ==, 3);
  g_assert_cmpuint (shape.shape[0], ==, 2);
  g_assert_cmpuint (shape.shape[1], ==, 3);
  g_assert_cmpuint (shape.shape[2], ==, 4);
  g_assert_cmpuint (shape.n_values, ==, 24);
  for (i = 0; i < 24; i++)
    g_assert_cmpfloat (values[i], ==, expected_value (name[0], i));

  if (name[0] == 'f')
    return;
  ints = bsc_npy_read_int (path, &shape, &error);
  g_assert_no_error (error);
  for (i = 0; i < 24; i++)
    g_assert_cmpint (ints[i], ==, (int) expected_value (name[0], i));
}

static void
test_npy_numpy_files (void)
{
  static const char *names[] = {
    "f4_C_1", "f8_C_2", "f2_C_3", "f4be_C_1", "f4_F_1", "f8be_F_2",
    "i1_C_1", "i2_F_1", "i4be_C_1", "i8_C_3", "u1_C_1", "u2be_F_1",
    "u8_C_1", "b1_C_1", "b1_F_2",
  };
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *v = NULL, *s = NULL, *h = NULL;
  g_autofree gint32 *bad = NULL;
  BscNpyShape shape;
  guint i;

  if (!test_have_numpy ())
    {
      g_test_skip ("python3-numpy is not installed");
      return;
    }
  dir = test_tmpdir ();
  test_run_python (numpy_writer, dir);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    check_case (dir, names[i]);

  {
    g_autofree char *p = g_build_filename (dir, "vec.npy", NULL);
    v = bsc_npy_read_float (p, &shape, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (shape.ndim, ==, 1);
    g_assert_cmpuint (shape.n_values, ==, 2);
    g_assert_cmpfloat (v[0], ==, 1.5f);
    g_assert_cmpfloat (v[1], ==, -2.25f);
  }
  {
    g_autofree char *p = g_build_filename (dir, "scalar.npy", NULL);
    s = bsc_npy_read_float (p, &shape, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (shape.ndim, ==, 0);
    g_assert_cmpuint (shape.n_values, ==, 1);
    g_assert_cmpfloat (s[0], ==, 7.5f);
  }
  {
    g_autofree char *p = g_build_filename (dir, "f2_special.npy", NULL);
    h = bsc_npy_read_float (p, &shape, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (h[0], ==, 65504.0f);
    g_assert_cmpfloat (h[1], ==, ldexpf (1.0f, -24));   /* subnormal */
    g_assert_cmpfloat (h[2], ==, 0.0f);
    g_assert_true (signbit (h[2]));
    g_assert_true (isinf (h[3]));
    g_assert_cmpfloat (h[4], ==, ldexpf (168.0f, -24));  /* 1e-5 in f16 */
  }
  {
    g_autofree char *p = g_build_filename (dir, "half.npy", NULL);
    bad = bsc_npy_read_int (p, &shape, &error);
    g_assert_null (bad);
    g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "half.npy"));
    g_assert_nonnull (strstr (error->message, "0.5"));
  }
  test_rm_rf (dir);
}

static const char numpy_checker[] =
  "import sys, os, numpy as np\n"
  "d = sys.argv[1]\n"
  "f = np.load(os.path.join(d, 'out_f.npy'))\n"
  "assert f.dtype == np.float32 and f.shape == (3, 2), (f.dtype, f.shape)\n"
  "assert (f == np.array([[0, 1.5], [-2, 3.25], [1e30, -1e-30]],\n"
  "                      np.float32)).all(), f\n"
  "i = np.load(os.path.join(d, 'out_i.npy'))\n"
  "assert i.dtype == np.int32 and i.shape == (4,), (i.dtype, i.shape)\n"
  "assert list(i) == [0, -1, 2147483647, -2147483648], i\n"
  "e = np.load(os.path.join(d, 'out_e.npy'))\n"
  "assert e.shape == (0, 5), e.shape\n"
  "for n in ('out_f.npy', 'out_i.npy', 'out_e.npy'):\n"
  "  with open(os.path.join(d, n), 'rb') as fp:\n"
  "    head = fp.read(10)\n"
  "    assert (10 + head[8] + 256 * head[9]) % 64 == 0\n";

static void
test_npy_write (void)
{
  const float f[] = { 0, 1.5f, -2, 3.25f, 1e30f, -1e-30f };
  const gint32 i[] = { 0, -1, G_MAXINT32, G_MININT32 };
  const gsize fshape[] = { 3, 2 }, ishape[] = { 4 }, eshape[] = { 0, 5 };
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *pf = g_build_filename (dir, "out_f.npy", NULL);
  g_autofree char *pi = g_build_filename (dir, "out_i.npy", NULL);
  g_autofree char *pe = g_build_filename (dir, "out_e.npy", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *rf = NULL;
  g_autofree gint32 *ri = NULL;
  g_autoptr(GDir) listing = NULL;
  BscNpyShape shape;
  guint k, n_files = 0;

  g_assert_true (bsc_npy_write_float (pf, f, 2, fshape, &error));
  g_assert_true (bsc_npy_write_int (pi, i, 1, ishape, &error));
  g_assert_true (bsc_npy_write_float (pe, NULL, 2, eshape, &error));
  g_assert_no_error (error);

  rf = bsc_npy_read_float (pf, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape.ndim, ==, 2);
  g_assert_cmpuint (shape.shape[0], ==, 3);
  for (k = 0; k < 6; k++)
    g_assert_cmpfloat (rf[k], ==, f[k]);
  ri = bsc_npy_read_int (pi, &shape, &error);
  g_assert_no_error (error);
  for (k = 0; k < 4; k++)
    g_assert_cmpint (ri[k], ==, i[k]);

  /* No temporary files are left behind. */
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 3);

  if (test_have_numpy ())
    test_run_python (numpy_checker, dir);
  test_rm_rf (dir);
}

static void
expect_refused (const char *bytes,
                gsize       size,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *v = NULL;
  BscNpyShape shape;

  v = bsc_npy_parse_float ((const guint8 *) bytes, size, "bad.npy", &shape,
                           &error);
  g_assert_null (v);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "bad.npy"));
  g_assert_nonnull (strstr (error->message, "offset"));
  if (strstr (error->message, fragment) == NULL)
    g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
}

/* Builds a version 1 file from a header dict and n data bytes. */
static GByteArray *
make_npy (const char *dict,
          gsize       n_data)
{
  GByteArray *b = g_byte_array_new ();
  guint8 head[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
  gsize len = strlen (dict);
  gsize k;

  head[8] = len & 0xff;
  head[9] = len >> 8;
  g_byte_array_append (b, head, 10);
  g_byte_array_append (b, (const guint8 *) dict, len);
  for (k = 0; k < n_data; k++)
    g_byte_array_append (b, (const guint8 *) "\0", 1);
  return b;
}

static void
test_npy_bad (void)
{
  g_autoptr(GByteArray) ok = NULL, trunc = NULL, cplx = NULL, obj = NULL;
  g_autoptr(GByteArray) noshape = NULL, badshape = NULL, badf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *v = NULL;
  g_autofree float *missing = NULL;
  BscNpyShape shape;

  expect_refused ("", 0, "bad magic");
  expect_refused ("hello world, not numpy", 22, "bad magic");
  expect_refused ("\x93NUMPY\x04\x00\x10\x00{}", 12, "version");
  expect_refused ("\x93NUMPY\x01\x00\xff\x00{'descr'", 17, "truncated header");

  ok = make_npy ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n",
                 8);
  v = bsc_npy_parse_float (ok->data, ok->len, "ok.npy", &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape.n_values, ==, 2);
  g_assert_cmpfloat (v[0], ==, 0.0f);

  trunc = make_npy ("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
                    20);
  expect_refused ((char *) trunc->data, trunc->len, "truncated data");
  cplx = make_npy ("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8);
  expect_refused ((char *) cplx->data, cplx->len, "dtype");
  obj = make_npy ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8);
  expect_refused ((char *) obj->data, obj->len, "dtype");
  noshape = make_npy ("{'descr': '<f4', 'fortran_order': False, }", 8);
  expect_refused ((char *) noshape->data, noshape->len, "shape");
  badshape = make_npy ("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }",
                       8);
  expect_refused ((char *) badshape->data, badshape->len, "shape");
  badf = make_npy ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8);
  expect_refused ((char *) badf->data, badf->len, "fortran_order");

  missing = bsc_npy_read_float ("/nonexistent/x.npy", &shape, &error);
  g_assert_null (missing);
  g_assert_error (error, BSC_ERROR, BSC_ERROR_IO);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy/numpy-files", test_npy_numpy_files);
  g_test_add_func ("/npy/write", test_npy_write);
  g_test_add_func ("/npy/bad", test_npy_bad);
  return g_test_run ();
}
