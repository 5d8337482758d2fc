/* bsc-load-matrix.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feature matrices and labels: NumPy .npy (n x d, or n x ... flattened),
 * CSV (numbers in the C locale whatever LC_NUMERIC says, optional header
 * and label column, RFC 4180 quotes within a line) and IDX files of the
 * MNIST family (big-endian header 0 0 type ndim, then ndim big-endian
 * sizes), raw or gzip.  Every value must be finite; a refusal names the
 * file and the line, row or offset.
 */

#include "config.h"

#include "bsc-load-private.h"
#include "bsc-error.h"
#include "bsc-npy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char *fashion_names[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

static gboolean
data_error (GError    **error,
            const char *path,
            const char *format,
            ...) G_GNUC_PRINTF (3, 4);

static gboolean
data_error (GError    **error,
            const char *path,
            const char *format,
            ...)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA, "%s: %s", name, what);
  return FALSE;
}

/* ---- labels ---------------------------------------------------------- */

static int
compare_int32_cb (gconstpointer a,
                  gconstpointer b)
{
  gint32 x = *(const gint32 *) a, y = *(const gint32 *) b;

  return (x > y) - (x < y);
}

/* The classes are the distinct label values in ascending order, named by
 * their values: labels 0..9 stay classes 0..9, and labels 1990, 2000 and
 * 2010 become classes 0, 1 and 2 named "1990", "2000" and "2010" (a class
 * per integer up to the largest would be millions of empty ones). */
gboolean
_bsc_dataset_set_int_labels (BscDataset  *self,
                             gint32      *labels,
                             const char  *origin,
                             GError     **error)
{
  g_autofree char *lower = g_ascii_strdown (origin, -1);
  g_autofree gint32 *values = NULL;
  gsize i, n_values = 0;
  gboolean fashion;

  for (i = 0; i < self->n_samples; i++)
    if (labels[i] < 0)
      {
        gint32 bad = labels[i];

        g_free (labels);
        return data_error (error, origin, "label %d of sample %" G_GSIZE_FORMAT
                           " is negative (expected 0 or more)", bad, i);
      }
  values = g_memdup2 (labels, MAX (self->n_samples, 1) * sizeof (gint32));
  qsort (values, self->n_samples, sizeof (gint32), compare_int32_cb);
  for (i = 0; i < self->n_samples; i++)
    if (n_values == 0 || values[i] != values[n_values - 1])
      values[n_values++] = values[i];
  for (i = 0; i < self->n_samples; i++)
    labels[i] = (gint32) ((gint32 *) bsearch (&labels[i], values, n_values,
                                              sizeof (gint32),
                                              compare_int32_cb) - values);

  g_free (self->labels);
  g_ptr_array_set_size (self->class_names, 0);
  self->labels = labels;
  self->n_classes = (guint) n_values;
  fashion = n_values == 10 && values[9] == 9 && strstr (lower, "fashion");
  for (i = 0; i < n_values; i++)
    g_ptr_array_add (self->class_names, fashion
                     ? g_strdup (fashion_names[i])
                     : g_strdup_printf ("%d", values[i]));
  return TRUE;
}

static int
compare_str_cb (gconstpointer a,
                gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

void
_bsc_dataset_set_named_labels (BscDataset  *self,
                               char       **names)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  gsize i;

  for (i = 0; i < self->n_samples; i++)
    if (!g_hash_table_contains (index, names[i]))
      {
        g_hash_table_add (index, names[i]);
        g_ptr_array_add (sorted, names[i]);
      }
  g_ptr_array_sort (sorted, compare_str_cb);
  g_ptr_array_set_size (self->class_names, 0);
  for (i = 0; i < sorted->len; i++)
    {
      g_hash_table_insert (index, g_ptr_array_index (sorted, i),
                           GSIZE_TO_POINTER (i));
      g_ptr_array_add (self->class_names,
                       g_utf8_make_valid (g_ptr_array_index (sorted, i), -1));
    }
  g_free (self->labels);
  self->labels = g_new (gint32, MAX (self->n_samples, 1));
  for (i = 0; i < self->n_samples; i++)
    self->labels[i] = GPOINTER_TO_SIZE (g_hash_table_lookup (index, names[i]));
  self->n_classes = sorted->len;
}

/* Strings that are all integers become int labels, else names. */
static gboolean
set_text_labels (BscDataset  *self,
                 char       **values,
                 const char  *origin,
                 GError     **error)
{
  g_autofree gint32 *ints = g_new (gint32, MAX (self->n_samples, 1));
  gsize i;

  for (i = 0; i < self->n_samples; i++)
    {
      gint64 v;
      if (!g_ascii_string_to_signed (values[i], 10, G_MININT32, G_MAXINT32,
                                     &v, NULL))
        {
          _bsc_dataset_set_named_labels (self, values);
          return TRUE;
        }
      ints[i] = (gint32) v;
    }
  return _bsc_dataset_set_int_labels (self, g_steal_pointer (&ints), origin,
                                      error);
}

static gboolean
check_count (BscDataset  *self,
             gsize        n,
             const char  *path,
             GError     **error)
{
  if (n == self->n_samples)
    return TRUE;
  return data_error (error, path, "%" G_GSIZE_FORMAT " labels for %"
                     G_GSIZE_FORMAT " samples (expected one label per sample)",
                     n, self->n_samples);
}

static gboolean
load_text_labels (BscDataset  *self,
                  const char  *path,
                  GBytes      *bytes,
                  GError     **error)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  guint k;

  for (k = 0; lines[k] != NULL; k++)
    {
      char *line = g_strstrip (lines[k]);
      if (line[0] != '\0')
        g_ptr_array_add (values, line);
    }
  if (!check_count (self, values->len, path, error))
    return FALSE;
  g_ptr_array_add (values, NULL);
  return set_text_labels (self, (char **) values->pdata, path, error);
}

static gint32 *idx_parse_labels (GBytes      *bytes,
                                 const char  *path,
                                 gsize       *n,
                                 GError     **error);

gboolean
_bsc_dataset_load_labels (BscDataset  *self,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(GBytes) bytes = _bsc_read_maybe_gzip (path, error);
  const guint8 *data;
  gsize size, n;
  gint32 *labels;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (size >= 6 && memcmp (data, "\x93NUMPY", 6) == 0)
    {
      BscNpyShape shape;
      labels = bsc_npy_read_int (path, &shape, error);
      n = shape.n_values;
      if (labels != NULL && shape.ndim == 2 && shape.shape[1] != 1)
        {
          g_free (labels);
          return data_error (error, path, "labels must be a 1-D array, "
                             "found %" G_GSIZE_FORMAT " columns", shape.shape[1]);
        }
    }
  else if (_bsc_idx_sniff (data, size))
    labels = idx_parse_labels (bytes, path, &n, error);
  else if (g_str_has_suffix (path, ".npy") || g_str_has_suffix (path, ".NPY"))
    return data_error (error, path, "offset 0: not a NumPy .npy file (no "
                       "\\x93NUMPY magic)");
  else
    return load_text_labels (self, path, bytes, error);

  if (labels == NULL)
    return FALSE;
  if (!check_count (self, n, path, error))
    {
      g_free (labels);
      return FALSE;
    }
  return _bsc_dataset_set_int_labels (self, labels, path, error);
}

/* ---- .npy ------------------------------------------------------------ */

static gboolean
check_finite (const float *values,
              gsize        n,
              gsize        dim,
              const char  *path,
              GError     **error)
{
  gsize i;

  for (i = 0; i < n * dim; i++)
    if (!isfinite (values[i]))
      return data_error (error, path, "row %" G_GSIZE_FORMAT ", column %"
                         G_GSIZE_FORMAT ": %s (expected a finite number)",
                         i / dim, i % dim, isnan (values[i]) ? "NaN" : "infinity");
  return TRUE;
}

BscDataset *
_bsc_load_npy (const char  *path,
               GError     **error)
{
  g_autoptr(BscDataset) ds = bsc_dataset_new (BSC_SOURCE_FEATURES, path);
  BscNpyShape shape;
  float *values = bsc_npy_read_float (path, &shape, error);

  if (values == NULL)
    return NULL;
  ds->features = values;
  if (shape.ndim < 2)
    {
      data_error (error, path, "expected a 2-D array (samples x features), "
                  "found %u dimension%s", shape.ndim, shape.ndim == 1 ? "" : "s");
      return NULL;
    }
  if (shape.n_values == 0)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_autoptr(GString) dims = g_string_new (NULL);
      guint k;

      for (k = 0; k < shape.ndim; k++)
        g_string_append_printf (dims, "%s%" G_GSIZE_FORMAT, k ? " x " : "",
                                shape.shape[k]);
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW, "%s: holds %s (shape "
                   "%s)", name, shape.shape[0] == 0 ? "no samples"
                   : "samples without values", dims->str);
      return NULL;
    }
  ds->n_samples = shape.shape[0];
  ds->dim = shape.n_values / ds->n_samples;
  if (!check_finite (values, ds->n_samples, ds->dim, path, error))
    return NULL;
  return g_steal_pointer (&ds);
}

/* ---- CSV ------------------------------------------------------------- */

typedef struct
{
  const char *path;
  char        delim;
  int         label_col;   /* -1 none */
  guint       n_cols;
  GArray     *values;      /* float */
  GPtrArray  *labels;      /* char *, owned */
} Csv;

/* Whether c is blank around a field: spaces, and tabs unless they
 * delimit the fields. */
static gboolean
csv_is_blank (char c,
              char delim)
{
  return c == ' ' || (c == '\t' && delim != '\t');
}

/* The quoted field that starts at *r (on its opening quote), unquoted
 * into *w as RFC 4180 has it: delimiters are data and "" is one quote.
 * Leaves *r after the closing quote; FALSE when the line ends first. */
static gboolean
csv_unquote (char **r,
             char **w)
{
  char *p = *r + 1, *q = *w;

  for (;; p++)
    {
      if (*p == '\0')
        return FALSE;
      if (*p == '"' && p[1] != '"')
        break;
      if (*p == '"')
        p++;
      *q++ = *p;
    }
  *r = p + 1;
  *w = q;
  return TRUE;
}

/* Splits a line in place into fields, RFC 4180 style: a field in double
 * quotes may hold the delimiter and "" for a quote; blanks around a
 * field are dropped.  A quote inside an unquoted field is kept as text.
 * Fields cannot span lines, so a quote left open is an error. */
static GPtrArray *
csv_split (const Csv   *csv,
           char        *line,
           guint        line_no,
           GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  char *r = line, *w = line;

  for (;;)
    {
      char *field = w, *last = w;
      gboolean done;

      while (csv_is_blank (*r, csv->delim))
        r++;
      if (*r == '"')
        {
          if (!csv_unquote (&r, &w))
            {
              data_error (error, csv->path, "line %u, column %u: a quoted "
                          "field is not closed (expected a closing \")",
                          line_no, fields->len + 1);
              return NULL;
            }
          last = w;
          while (csv_is_blank (*r, csv->delim))
            r++;
          if (*r != '\0' && *r != csv->delim)
            {
              data_error (error, csv->path, "line %u, column %u: '%c' after "
                          "a closing quote (expected the delimiter '%c')",
                          line_no, fields->len + 1, *r, csv->delim);
              return NULL;
            }
        }
      for (; *r != '\0' && *r != csv->delim; r++)
        {
          *w++ = *r;
          if (!csv_is_blank (*r, csv->delim))
            last = w;
        }
      g_ptr_array_add (fields, field);
      done = *r == '\0';
      *last = '\0';          /* last <= r: the delimiter is read already */
      if (done)
        return g_steal_pointer (&fields);
      r++;
      w = last + 1;
    }
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end;

  if (text[0] == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return *end == '\0';
}

static gboolean
csv_is_header (GPtrArray *fields,
               int        label_col)
{
  double v;
  guint k;

  for (k = 0; k < fields->len; k++)
    if ((int) k != label_col
        && !parse_number (g_ptr_array_index (fields, k), &v))
      return TRUE;
  return FALSE;
}

/* Tab, else semicolon when there is no comma, else comma; what is in
 * quotes does not count. */
static char
csv_delimiter (const char *first_line)
{
  gboolean quoted = FALSE, tab = FALSE, semicolon = FALSE, comma = FALSE;
  const char *p;

  for (p = first_line; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted)
        {
          tab |= *p == '\t';
          semicolon |= *p == ';';
          comma |= *p == ',';
        }
    }
  if (tab)
    return '\t';
  if (semicolon && !comma)
    return ';';
  return ',';
}

/* Resolves the label column from the first row (header or not). */
static gboolean
csv_label_column (Csv         *csv,
                  GPtrArray   *first,
                  const char  *label_column,
                  gboolean    *has_header,
                  GError     **error)
{
  guint64 index;
  guint k;

  csv->label_col = -1;
  if (label_column == NULL || label_column[0] == '\0')
    {
      *has_header = csv_is_header (first, -1);
      return TRUE;
    }
  if (g_ascii_string_to_unsigned (label_column, 10, 0, first->len - 1,
                                  &index, NULL))
    {
      csv->label_col = (int) index;
      *has_header = csv_is_header (first, csv->label_col);
      return TRUE;
    }
  for (k = 0; k < first->len; k++)
    if (g_strcmp0 (g_ptr_array_index (first, k), label_column) == 0)
      {
        csv->label_col = k;
        *has_header = TRUE;
        return TRUE;
      }
  return data_error (error, csv->path, "line 1: no column named '%s' "
                     "(expected a column name from the header or a 0-based "
                     "index below %u)", label_column, first->len);
}

static gboolean
csv_row (Csv        *csv,
         GPtrArray  *fields,
         guint       line_no,
         GError    **error)
{
  guint k;

  if (fields->len != csv->n_cols)
    return data_error (error, csv->path, "line %u: expected %u values, "
                       "found %u", line_no, csv->n_cols, fields->len);
  for (k = 0; k < fields->len; k++)
    {
      const char *text = g_ptr_array_index (fields, k);
      double v;
      float f;

      if ((int) k == csv->label_col)
        {
          g_ptr_array_add (csv->labels, g_strdup (text));
          continue;
        }
      if (!parse_number (text, &v))
        return data_error (error, csv->path, "line %u, column %u: '%s' is "
                           "not a number (expected a number like 1.5%s)",
                           line_no, k + 1, text, csv->label_col < 0
                           ? ", or name this column as the label column" : "");
      f = (float) v;
      if (!isfinite (f))
        return data_error (error, csv->path, "line %u, column %u: '%s' is "
                           "not finite (expected a finite number)",
                           line_no, k + 1, text);
      g_array_append_val (csv->values, f);
    }
  return TRUE;
}

static gboolean
csv_parse (Csv         *csv,
           char        *text,
           const char  *label_column,
           GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean started = FALSE;
  guint k;

  for (k = 0; lines[k] != NULL; k++)
    {
      char *line = g_strstrip (lines[k]);
      g_autoptr(GPtrArray) fields = NULL;
      gboolean header = FALSE;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (!started)
        csv->delim = csv_delimiter (line);
      fields = csv_split (csv, line, k + 1, error);
      if (fields == NULL)
        return FALSE;
      if (!started)
        {
          started = TRUE;
          csv->n_cols = fields->len;
          if (!csv_label_column (csv, fields, label_column, &header, error))
            return FALSE;
          if (header)
            continue;
        }
      if (!csv_row (csv, fields, k + 1, error))
        return FALSE;
    }
  return TRUE;
}

BscDataset *
_bsc_load_csv (const char  *path,
               const char  *label_column,
               GError     **error)
{
  g_autoptr(BscDataset) ds = bsc_dataset_new (BSC_SOURCE_FEATURES, path);
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  Csv csv = { path, ',', -1, 0, values, labels };
  gsize len;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (strlen (text) != len)
    {
      data_error (error, path, "offset %zu: a zero byte (expected text)",
                  strlen (text));
      return NULL;
    }
  g_strdelimit (text, "\r", '\n');
  if (!csv_parse (&csv, text, label_column, error))
    return NULL;

  ds->dim = csv.n_cols - (csv.label_col >= 0);
  ds->n_samples = ds->dim ? values->len / ds->dim : 0;
  ds->features = (float *) g_array_free (g_steal_pointer (&values), FALSE);
  if (csv.label_col >= 0)
    {
      g_ptr_array_add (labels, NULL);
      if (!set_text_labels (ds, (char **) labels->pdata, path, error))
        return NULL;
    }
  return g_steal_pointer (&ds);
}

/* ---- IDX ------------------------------------------------------------- */

GBytes *
_bsc_read_maybe_gzip (const char  *path,
                      GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gzFile gz = gzopen (path, "rb");
  guint8 chunk[1 << 16];
  int got, errnum = 0;

  if (gz == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s: cannot open: %s",
                   name, g_strerror (errno));
      return NULL;
    }
  gzbuffer (gz, 1 << 17);
  while ((got = gzread (gz, chunk, sizeof chunk)) > 0)
    g_byte_array_append (out, chunk, got);
  if (got < 0)
    {
      data_error (error, path, "offset %" G_GSIZE_FORMAT ": %s (the file is "
                  "damaged or truncated)", (gsize) out->len,
                  gzerror (gz, &errnum));
      gzclose (gz);
      return NULL;
    }
  gzclose (gz);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static guint
idx_item_size (guint8 type)
{
  switch (type)
    {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
    }
}

gboolean
_bsc_idx_sniff (const guint8 *bytes,
                gsize         size)
{
  return size >= 8 && bytes[0] == 0 && bytes[1] == 0
         && idx_item_size (bytes[2]) > 0 && bytes[3] >= 1 && bytes[3] <= 8;
}

typedef struct
{
  guint8        type;
  guint         ndim;
  guint32       dims[8];
  gsize         n_values;
  const guint8 *data;
} IdxHeader;

static gboolean
idx_parse_header (GBytes      *bytes,
                  const char  *path,
                  IdxHeader   *h,
                  GError     **error)
{
  gsize size, need, k;
  const guint8 *b = g_bytes_get_data (bytes, &size);

  if (!_bsc_idx_sniff (b, size))
    return data_error (error, path, "offset 0: not an IDX file (expected "
                       "0, 0, a type code and a dimension count)");
  h->type = b[2];
  h->ndim = b[3];
  need = 4 + 4 * h->ndim;
  if (size < need)
    return data_error (error, path, "offset %" G_GSIZE_FORMAT ": truncated "
                       "header", size);
  h->n_values = 1;
  for (k = 0; k < h->ndim; k++)
    {
      const guint8 *d = b + 4 + 4 * k;
      h->dims[k] = ((guint32) d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3];
      h->n_values *= h->dims[k];
    }
  h->data = b + need;
  if ((size - need) / idx_item_size (h->type) < h->n_values)
    return data_error (error, path, "offset %" G_GSIZE_FORMAT ": truncated "
                       "data (expected %" G_GSIZE_FORMAT " bytes after the "
                       "header)", size, h->n_values * idx_item_size (h->type));
  return TRUE;
}

/* Element i as a double, from big-endian storage. */
static double
idx_get (const IdxHeader *h,
         gsize            i)
{
  const guint8 *p = h->data + i * idx_item_size (h->type);
  guint64 bits = 0;
  guint k, size = idx_item_size (h->type);
  float f;
  double d;

  for (k = 0; k < size; k++)
    bits = (bits << 8) | p[k];
  switch (h->type)
    {
    case 0x08: return p[0];
    case 0x09: return (gint8) p[0];
    case 0x0B: return (gint16) bits;
    case 0x0C: return (gint32) bits;
    case 0x0D:
      {
        guint32 b32 = (guint32) bits;
        memcpy (&f, &b32, 4);
        return f;
      }
    default:
      memcpy (&d, &bits, 8);
      return d;
    }
}

static gint32 *
idx_parse_labels (GBytes      *bytes,
                  const char  *path,
                  gsize       *n,
                  GError     **error)
{
  IdxHeader h;
  g_autofree gint32 *labels = NULL;
  gsize i;

  if (!idx_parse_header (bytes, path, &h, error))
    return NULL;
  if (h.ndim != 1 || h.type == 0x0D || h.type == 0x0E)
    {
      data_error (error, path, "offset 2: expected a 1-D integer IDX labels "
                  "file, found %u dimensions of type 0x%02x", h.ndim, h.type);
      return NULL;
    }
  labels = g_new (gint32, MAX (h.n_values, 1));
  for (i = 0; i < h.n_values; i++)
    labels[i] = (gint32) idx_get (&h, i);
  *n = h.n_values;
  return g_steal_pointer (&labels);
}

/* Appends the samples of one IDX file to ds; the first file fixes the
 * geometry and the later ones must match it. */
static gboolean
idx_append (BscDataset  *ds,
            GBytes      *bytes,
            const char  *path,
            GError     **error)
{
  IdxHeader h;
  gsize n, dim, i, old;
  gboolean pixels;

  if (!idx_parse_header (bytes, path, &h, error))
    return FALSE;
  if (h.ndim < 2)
    return data_error (error, path, "holds labels (a 1-D IDX file), not "
                       "samples; pass it as the labels file");
  n = h.dims[0];
  dim = n ? h.n_values / n : 0;
  pixels = h.type == 0x08 && h.ndim == 3;
  if (ds->n_samples > 0 && (dim != ds->dim || pixels != (ds->pixels != NULL)))
    return data_error (error, path, "samples of %" G_GSIZE_FORMAT " values do "
                       "not match the %" G_GSIZE_FORMAT " of the first file",
                       dim, ds->dim);
  old = ds->n_samples;
  ds->dim = dim;
  ds->n_samples += n;
  if (pixels)
    {
      ds->width = h.dims[2];
      ds->height = h.dims[1];
      ds->channels = 1;
      ds->pixels = g_realloc (ds->pixels, MAX (ds->n_samples * dim, 1));
      memcpy (ds->pixels + old * dim, h.data, n * dim);
      return TRUE;
    }
  ds->features = g_realloc_n (ds->features, MAX (ds->n_samples * dim, 1),
                              sizeof (float));
  for (i = 0; i < n * dim; i++)
    ds->features[old * dim + i] = (float) idx_get (&h, i);
  return check_finite (ds->features + old * dim, n, dim, path, error);
}

/* For .../train-images-idx3-ubyte[.gz], the matching labels file if it
 * exists, else NULL. */
static char *
idx_labels_for (const char *images)
{
  g_autofree char *dir = g_path_get_dirname (images);
  g_autofree char *base = g_path_get_basename (images);
  char *at = strstr (base, "-images-idx3-ubyte");
  g_autofree char *stem = NULL;
  const char *suffixes[] = { "", ".gz" };
  guint k;

  if (at == NULL)
    return NULL;
  *at = '\0';
  stem = g_strconcat (base, "-labels-idx1-ubyte", NULL);
  for (k = 0; k < G_N_ELEMENTS (suffixes); k++)
    {
      g_autofree char *name = g_strconcat (stem, suffixes[k], NULL);
      char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

/* The labels of every file in order, or nothing when one lacks them. */
static gboolean
idx_auto_labels (BscDataset          *ds,
                 const char * const  *files,
                 GError             **error)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree char *last = NULL;
  guint k;

  for (k = 0; files[k] != NULL; k++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autofree gint32 *labels = NULL;
      gsize n;

      g_free (last);
      last = idx_labels_for (files[k]);
      if (last == NULL)
        return TRUE;
      bytes = _bsc_read_maybe_gzip (last, error);
      labels = bytes ? idx_parse_labels (bytes, last, &n, error) : NULL;
      if (labels == NULL)
        return FALSE;
      g_array_append_vals (all, labels, n);
    }
  if (!check_count (ds, all->len, last, error))
    return FALSE;
  return _bsc_dataset_set_int_labels (ds, (gint32 *) g_array_free (
                                        g_steal_pointer (&all), FALSE),
                                      ds->source, error);
}

BscDataset *
_bsc_load_idx (const char          *source,
               const char * const  *files,
               gboolean             auto_labels,
               GError             **error)
{
  g_autoptr(BscDataset) ds = bsc_dataset_new (BSC_SOURCE_IDX, source);
  guint k;

  for (k = 0; files[k] != NULL; k++)
    {
      g_autoptr(GBytes) bytes = _bsc_read_maybe_gzip (files[k], error);
      if (bytes == NULL || !idx_append (ds, bytes, files[k], error))
        return NULL;
    }
  if (ds->pixels != NULL)
    {
      ds->thumbs = ds->pixels;
      ds->thumb_size = ds->width;
      ds->thumb_channels = 1;
    }
  if (auto_labels && !idx_auto_labels (ds, files, error))
    return NULL;
  return g_steal_pointer (&ds);
}
