/* bsc-export.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "bsc-export.h"

struct _BscHistory
{
  GArray *rows;   /* of BscHistoryRow */
};

BscHistory *
bsc_history_new (void)
{
  BscHistory *self = g_new0 (BscHistory, 1);

  self->rows = g_array_new (FALSE, TRUE, sizeof (BscHistoryRow));
  return self;
}

void
bsc_history_free (BscHistory *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->rows);
  g_free (self);
}

void
bsc_history_add_step (BscHistory         *self,
                      guint64             step,
                      guint               epoch,
                      const BscStepStats *stats)
{
  BscHistoryRow row = { .step = step, .epoch = epoch, .stats = *stats };

  g_return_if_fail (self != NULL && stats != NULL);

  g_array_append_val (self->rows, row);
}

void
bsc_history_add_eval (BscHistory          *self,
                      guint64              step,
                      guint                epoch,
                      const BscEvaluation *eval)
{
  BscHistoryRow *row;

  g_return_if_fail (self != NULL && eval != NULL);

  if (self->rows->len == 0
      || g_array_index (self->rows, BscHistoryRow, self->rows->len - 1).step
         != step)
    {
      BscHistoryRow empty = { .step = step, .epoch = epoch };

      empty.stats.loss = empty.stats.loss_cluster = NAN;
      empty.stats.loss_affinity = empty.stats.tau_c = NAN;
      empty.stats.tau_a = empty.stats.lr = NAN;
      g_array_append_val (self->rows, empty);
    }
  row = &g_array_index (self->rows, BscHistoryRow, self->rows->len - 1);
  row->evaluated = TRUE;
  row->has_metrics = eval->has_metrics;
  row->acc = eval->acc;
  row->nmi = eval->nmi;
  row->ari = eval->ari;
  row->changed = eval->changed;
}

guint
bsc_history_get_n_rows (const BscHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rows->len;
}

const BscHistoryRow *
bsc_history_get_row (const BscHistory *self,
                     guint             i)
{
  g_return_val_if_fail (self != NULL && i < self->rows->len, NULL);

  return &g_array_index (self->rows, BscHistoryRow, i);
}

/* ------------------------------------------------------------------ */

static void
append_double (GString    *out,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void
append_field (GString    *out,
              const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
write_file (const char *path,
            GString    *contents,
            GError    **error)
{
  g_autoptr (GError) local = NULL;

  if (g_file_set_contents (path, contents->str, contents->len, &local))
    return TRUE;
  g_set_error (error, G_FILE_ERROR, local->code, "Cannot write %s: %s", path,
               local->message);
  return FALSE;
}

/* The path column holds absolute paths (so that the files are found
 * from any directory) as display names (valid UTF-8); when a file name
 * is not UTF-8, a path_uri column keeps every name exactly, escaped. */
static gboolean
needs_uris (const GPtrArray *paths)
{
  for (guint i = 0; paths && i < paths->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (paths, i), -1, NULL))
      return TRUE;
  return FALSE;
}

static void
append_uri (GString    *out,
            const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *uri = g_filename_to_uri (absolute, NULL, NULL);

  g_string_append_c (out, ',');
  if (uri)
    append_field (out, uri);
}

gboolean
bsc_export_assignments (const char          *path,
                        const BscDataset    *data,
                        const BscEvaluation *eval,
                        GError             **error)
{
  g_autoptr (GString) out = g_string_new ("index");
  gboolean names = data->class_names && data->class_names->len > 0;
  gboolean uris = needs_uris (data->paths);

  g_return_val_if_fail (path != NULL && data != NULL && eval != NULL, FALSE);
  g_return_val_if_fail (eval->n_samples == data->n_samples, FALSE);

  if (data->paths)
    g_string_append (out, ",path");
  g_string_append (out, ",cluster,confidence");
  if (data->labels)
    g_string_append (out, names ? ",label,label_name" : ",label");
  g_string_append (out, uris ? ",path_uri\n" : "\n");
  for (gsize i = 0; i < data->n_samples; i++)
    {
      g_string_append_printf (out, "%" G_GSIZE_FORMAT ",", i);
      if (data->paths)
        {
          g_autofree char *absolute =
            g_canonicalize_filename (g_ptr_array_index (data->paths, i), NULL);
          g_autofree char *name = g_filename_display_name (absolute);

          append_field (out, name);
          g_string_append_c (out, ',');
        }
      g_string_append_printf (out, "%d,", eval->clusters[i]);
      append_double (out, "%.6f", eval->confidence[i]);
      if (data->labels)
        g_string_append_printf (out, ",%d", data->labels[i]);
      if (data->labels && names)
        {
          g_string_append_c (out, ',');
          append_field (out, g_ptr_array_index (data->class_names,
                                                data->labels[i]));
        }
      if (uris)
        append_uri (out, g_ptr_array_index (data->paths, i));
      g_string_append_c (out, '\n');
    }
  return write_file (path, out, error);
}

gboolean
bsc_export_history (const char       *path,
                    const BscHistory *history,
                    GError          **error)
{
  /* epoch: the 1-based epoch each step belongs to. */
  g_autoptr (GString) out = g_string_new (
    "step,epoch,loss,loss_cluster,loss_affinity,tau_c,tau_a,lr,"
    "acc,nmi,ari,changed\n");

  g_return_val_if_fail (path != NULL && history != NULL, FALSE);

  for (guint i = 0; i < history->rows->len; i++)
    {
      const BscHistoryRow *r = &g_array_index (history->rows, BscHistoryRow, i);
      const double values[] = { r->stats.loss, r->stats.loss_cluster,
                                r->stats.loss_affinity, r->stats.tau_c,
                                r->stats.tau_a, r->stats.lr };

      if (r->step == 0)   /* before any step: nothing to record */
        continue;
      g_string_append_printf (out, "%" G_GUINT64_FORMAT ",%u", r->step,
                              r->epoch);
      for (guint k = 0; k < G_N_ELEMENTS (values); k++)
        {
          g_string_append_c (out, ',');
          append_double (out, "%.9g", values[k]);
        }
      g_string_append (out, ",");
      if (r->has_metrics)
        {
          append_double (out, "%.6f", r->acc);
          g_string_append_c (out, ',');
          append_double (out, "%.6f", r->nmi);
          g_string_append_c (out, ',');
          append_double (out, "%.6f", r->ari);
        }
      else
        g_string_append (out, ",,");
      if (r->evaluated)
        g_string_append_printf (out, ",%" G_GSIZE_FORMAT "\n", r->changed);
      else
        g_string_append (out, ",\n");
    }
  return write_file (path, out, error);
}

/* ------------------------------------------------------------------ */

/* Splits CSV text into rows of fields (RFC 4180 quoting). */
static GPtrArray *
csv_parse (const char *text,
           gsize       length)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GString) field = g_string_new (NULL);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  gboolean quoted = FALSE;

  for (gsize i = 0; i <= length; i++)
    {
      char c = i < length ? text[i] : '\n';

      if (quoted && c == '"' && i + 1 < length && text[i + 1] == '"')
        g_string_append_c (field, text[i++]);
      else if (c == '"' && (quoted || field->len == 0))
        quoted = !quoted;
      else if (quoted || (c != ',' && c != '\n' && c != '\r'))
        g_string_append_c (field, c);
      else if (c == '\r')
        continue;
      else
        {
          g_ptr_array_add (row, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          if (c != '\n')
            continue;
          if (!(row->len == 1 && *(char *) row->pdata[0] == '\0'))
            {
              g_ptr_array_add (row, NULL);
              g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
            }
          else
            g_ptr_array_free (row, TRUE);
          row = g_ptr_array_new_with_free_func (g_free);
        }
    }
  g_ptr_array_free (row, TRUE);
  return rows;
}

static int
column_index (char       **header,
              const char  *name)
{
  for (int i = 0; header[i]; i++)
    if (g_strcmp0 (header[i], name) == 0)
      return i;
  return -1;
}

static gboolean
read_cluster (char       **fields,
              int          column,
              const char  *path,
              guint        line,
              gint32      *cluster,
              GError     **error)
{
  gint64 value;

  if ((int) g_strv_length (fields) <= column
      || !g_ascii_string_to_signed (fields[column], 10, 0, G_MAXINT32, &value,
                                    NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s, line %u: expected a cluster number in column %d",
                   path, line, column + 1);
      return FALSE;
    }
  *cluster = (gint32) value;
  return TRUE;
}

/* A row's file: from path_uri when there is one, else from path. */
static char *
path_field (char **fields,
            int    path_col,
            int    uri_col)
{
  int n = (int) g_strv_length (fields);
  char *path = NULL;

  if (uri_col >= 0 && uri_col < n && fields[uri_col][0] != '\0')
    path = g_filename_from_uri (fields[uri_col], NULL, NULL);
  if (path == NULL)
    path = g_strdup (n > path_col ? fields[path_col] : "");
  return path;
}

gboolean
bsc_export_read_assignments (const char  *path,
                             GPtrArray  **paths,
                             GArray     **clusters,
                             GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  gsize length;
  int path_col, uri_col, cluster_col;

  g_return_val_if_fail (path != NULL && paths && clusters, FALSE);

  if (!g_file_get_contents (path, &text, &length, error))
    return FALSE;
  rows = csv_parse (text, length);
  if (rows->len == 0
      || (cluster_col = column_index (rows->pdata[0], "cluster")) < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s, line 1: expected a header with a \"cluster\" column",
                   path);
      return FALSE;
    }
  path_col = column_index (rows->pdata[0], "path");
  uri_col = column_index (rows->pdata[0], "path_uri");
  *paths = path_col >= 0 ? g_ptr_array_new_with_free_func (g_free) : NULL;
  *clusters = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint r = 1; r < rows->len; r++)
    {
      char **fields = rows->pdata[r];
      gint32 cluster;

      if (!read_cluster (fields, cluster_col, path, r + 1, &cluster, error))
        {
          g_clear_pointer (paths, g_ptr_array_unref);
          g_clear_pointer (clusters, g_array_unref);
          return FALSE;
        }
      g_array_append_val (*clusters, cluster);
      if (*paths)
        g_ptr_array_add (*paths, path_field (fields, path_col, uri_col));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */

/* Configuration values are text in the C locale; JSON gets numbers and
 * booleans as such. */
static void
add_config_value (JsonBuilder *builder,
                  const char  *value)
{
  char *end = NULL;
  double number;

  if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "false") == 0)
    {
      json_builder_add_boolean_value (builder, value[0] == 't');
      return;
    }
  number = g_ascii_strtod (value, &end);
  if (value[0] != '\0' && end != NULL && *end == '\0' && isfinite (number))
    {
      if (strpbrk (value, ".eEnN") == NULL)
        json_builder_add_int_value (builder, (gint64) number);
      else
        json_builder_add_double_value (builder, number);
      return;
    }
  json_builder_add_string_value (builder, value);
}

/* The configuration as run: the automatic learning rate (0) replaced by
 * the base rate it stands for. */
static BscConfig
effective_config (const BscConfig *config)
{
  BscConfig copy = *config;

  copy.lr = bsc_config_get_lr (config);
  return copy;
}

static void
add_config (JsonBuilder     *builder,
            const BscConfig *config)
{
  BscConfig effective = effective_config (config);
  g_autoptr (GHashTable) table = bsc_config_to_table (&effective);
  const char * const *keys = bsc_config_keys ();

  json_builder_set_member_name (builder, "config");
  json_builder_begin_object (builder);
  for (guint i = 0; keys[i]; i++)
    {
      const char *value = g_hash_table_lookup (table, keys[i]);

      if (value == NULL)
        continue;
      json_builder_set_member_name (builder, keys[i]);
      add_config_value (builder, value);
    }
  json_builder_end_object (builder);
}

static void
add_member_double (JsonBuilder *builder,
                   const char  *name,
                   double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_member_int (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* The shortest C-locale text that reads back as the same double
 * (json-glib writes 17 digits: 0.9 would become 0.90000000000000002). */
static void
append_json_double (GString *out,
                    double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void append_json (GString *out, JsonNode *node, int indent);

static void
append_json_value (GString  *out,
                   JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    append_json_double (out, json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else
    append_json_string (out, json_node_get_string (node));
}

/* Objects one member a line (indent >= 0), arrays of numbers on one. */
static void
append_json (GString  *out,
             JsonNode *node,
             int       indent)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr (GList) members = json_object_get_members (object);

      g_string_append_c (out, '{');
      for (GList *l = members; l; l = l->next)
        {
          if (indent >= 0)
            g_string_append_printf (out, "\n%*s", 2 * (indent + 1), "");
          append_json_string (out, l->data);
          g_string_append (out, indent >= 0 ? ": " : ":");
          append_json (out, json_object_get_member (object, l->data),
                       indent >= 0 ? indent + 1 : -1);
          if (l->next)
            g_string_append_c (out, ',');
        }
      if (indent >= 0)
        g_string_append_printf (out, "\n%*s", 2 * indent, "");
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_json (out, json_array_get_element (array, i), indent);
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (out, "null");
  else
    append_json_value (out, node);
}

static char *
json_text (JsonNode *root,
                gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  append_json (out, root, pretty ? 0 : -1);
  return g_string_free (out, FALSE);
}

static void
add_member_string (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* A file as the member name, absolute (so that it can be found from
 * anywhere) and as UTF-8; with name_uri holding its exact bytes when
 * they are not UTF-8. */
static void
add_member_path (JsonBuilder *builder,
                 const char  *name,
                 const char  *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *display = g_filename_display_name (absolute);
  g_autofree char *uri = NULL;
  g_autofree char *uri_name = NULL;

  add_member_string (builder, name, display);
  if (g_utf8_validate (absolute, -1, NULL)
      || (uri = g_filename_to_uri (absolute, NULL, NULL)) == NULL)
    return;
  uri_name = g_strconcat (name, "_uri", NULL);
  add_member_string (builder, uri_name, uri);
}

/* "failed" and its "error", or "interrupted"; "unwritten" when some
 * files could not be written; then "collapsed" and its "warning". */
static void
add_status (JsonBuilder      *builder,
            const BscRunInfo *info)
{
  json_builder_set_member_name (builder, info->error ? "failed"
                                                     : "interrupted");
  json_builder_add_boolean_value (builder, info->error || info->interrupted);
  if (info->unwritten && info->unwritten[0])
    {
      json_builder_set_member_name (builder, "unwritten");
      json_builder_begin_array (builder);
      for (guint i = 0; info->unwritten[i]; i++)
        json_builder_add_string_value (builder, info->unwritten[i]);
      json_builder_end_array (builder);
    }
  if (info->error)
    {
      add_member_string (builder, "error", info->error);
      return;
    }
  json_builder_set_member_name (builder, "collapsed");
  json_builder_add_boolean_value (builder, info->warning != NULL);
  if (info->warning)
    add_member_string (builder, "warning", info->warning);
}

char *
bsc_export_metrics_string (const BscRunInfo *info,
                           gboolean          pretty)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *source = info->data ? info->data->source : info->source;
  const BscEvaluation *eval = info->eval;

  json_builder_begin_object (builder);
  if (eval && eval->has_metrics)
    {
      add_member_double (builder, "acc", eval->acc);
      add_member_double (builder, "nmi", eval->nmi);
      add_member_double (builder, "ari", eval->ari);
    }
  if (info->data)
    add_member_int (builder, "samples", info->data->n_samples);
  add_member_int (builder, "clusters", info->config->n_clusters);
  add_member_int (builder, "epochs", eval ? eval->epoch : 0);
  add_member_int (builder, "steps", info->steps);
  add_member_double (builder, "seconds_per_epoch", info->seconds_per_epoch);
  add_status (builder, info);
  if (source)
    add_member_path (builder, "source", source);
  if (info->labels_path)
    add_member_path (builder, "labels", info->labels_path);
  if (info->label_column)
    add_member_string (builder, "label_column", info->label_column);
  if (eval)
    {
      json_builder_set_member_name (builder, "cluster_sizes");
      json_builder_begin_array (builder);
      for (guint k = 0; k < eval->n_clusters; k++)
        json_builder_add_int_value (builder, eval->cluster_sizes[k]);
      json_builder_end_array (builder);
    }
  add_config (builder, info->config);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_text (root, pretty);
}

gboolean
bsc_export_metrics (const char       *path,
                    const BscRunInfo *info,
                    GError          **error)
{
  g_autoptr (GString) out = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (path != NULL && info != NULL, FALSE);

  text = bsc_export_metrics_string (info, TRUE);
  out = g_string_new (text);
  g_string_append_c (out, '\n');
  return write_file (path, out, error);
}

void
bsc_export_png_text (const BscRunInfo   *info,
                     char             ***keys,
                     char             ***values)
{
  g_autoptr (GStrvBuilder) k = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) v = g_strv_builder_new ();
  BscConfig effective = effective_config (info->config);
  g_autofree char *config = bsc_config_to_string (&effective);
  g_autofree char *metrics = bsc_export_metrics_string (info, FALSE);
  g_autofree char *source = g_filename_display_name (info->data->source);

  g_strv_builder_add (k, "Software");
  g_strv_builder_add (v, "bootsc " PACKAGE_VERSION);
  g_strv_builder_add (k, "Source");
  g_strv_builder_add (v, source);
  g_strv_builder_add (k, "bootsc:config");
  g_strv_builder_add (v, config);
  g_strv_builder_add (k, "bootsc:metrics");
  g_strv_builder_add (v, metrics);
  *keys = g_strv_builder_end (k);
  *values = g_strv_builder_end (v);
}

static double
field_double (char **fields,
              guint  n,
              int    column)
{
  char *end = NULL;
  double v;

  if (column < 0 || (guint) column >= n || fields[column][0] == '\0')
    return NAN;
  v = g_ascii_strtod (fields[column], &end);
  return end && *end == '\0' ? v : NAN;
}

static void
history_row_from_fields (BscHistoryRow  *r,
                         char          **header,
                         char          **fields)
{
  guint n = g_strv_length (fields);
  double changed = field_double (fields, n, column_index (header, "changed"));

  r->step = (guint64) field_double (fields, n, column_index (header, "step"));
  r->epoch = (guint) field_double (fields, n, column_index (header, "epoch"));
  r->stats.loss = field_double (fields, n, column_index (header, "loss"));
  r->stats.loss_cluster = field_double (fields, n,
                                        column_index (header, "loss_cluster"));
  r->stats.loss_affinity = field_double (fields, n,
                                         column_index (header, "loss_affinity"));
  r->stats.tau_c = field_double (fields, n, column_index (header, "tau_c"));
  r->stats.tau_a = field_double (fields, n, column_index (header, "tau_a"));
  r->stats.lr = field_double (fields, n, column_index (header, "lr"));
  r->acc = field_double (fields, n, column_index (header, "acc"));
  r->nmi = field_double (fields, n, column_index (header, "nmi"));
  r->ari = field_double (fields, n, column_index (header, "ari"));
  r->has_metrics = isfinite (r->acc);
  r->evaluated = isfinite (changed);
  r->changed = r->evaluated ? (gsize) changed : 0;
}

BscHistory *
bsc_history_load (const char  *path,
                  guint64      max_step,
                  GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  BscHistory *self;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  rows = csv_parse (text, length);
  if (rows->len == 0 || column_index (rows->pdata[0], "step") < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s, line 1: expected a history header with \"step\"",
                   path);
      return NULL;
    }
  self = bsc_history_new ();
  for (guint i = 1; i < rows->len; i++)
    {
      BscHistoryRow r = { 0 };

      history_row_from_fields (&r, rows->pdata[0], rows->pdata[i]);
      if (r.step <= max_step)
        g_array_append_val (self->rows, r);
    }
  return self;
}
