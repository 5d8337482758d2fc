/* bsc-cli-train.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `bootsc train`: its options and their checks.  Values go through
 * bsc_config_set_value, so ranges and the C-locale number syntax are
 * checked in one place for the CLI, the GUI and checkpoints.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bsc-cli.h"
#include "bsc-error.h"

/* An option whose text value sets one configuration key. */
typedef struct
{
  const char *option;
  const char *key;
  char       *value;
} ConfigOption;

static ConfigOption config_options[] = {
  { "clusters", "n_clusters", NULL },
  { "epochs", "epochs", NULL },
  { "batch-size", "batch_size", NULL },
  { "lr", "lr", NULL },
  { "lambda", "lambda", NULL },
  { "sk-epsilon", "sk_epsilon", NULL },
  { "sk-iterations", "sk_iterations", NULL },
  { "seed", "seed", NULL },
  { "threads", "threads", NULL },
  { "eval-every", "eval_every", NULL },
  { "image-size", "image_size", NULL },
};

enum { CLUSTERS, EPOCHS, BATCH, LR, LAMBDA, SK_EPS, SK_ITER, SEED, THREADS,
       EVAL_EVERY, IMAGE_SIZE };

typedef struct
{
  char     *widths;
  char     *preset;
  char     *stop_after;
  gboolean  rgb, gray;
  char    **rest;
} TrainArgs;

static const char train_description[] = N_(
  "Writes into DIR: assignments.csv (sample, cluster, confidence, label;\n"
  "images: absolute path as UTF-8, and path_uri with the exact name of\n"
  "any file whose name is not UTF-8),\n"
  "metrics.json (acc, nmi, ari when labels exist, samples, clusters,\n"
  "epochs, seconds_per_epoch, configuration), history.csv (per step losses,\n"
  "temperatures, learning rate; per evaluation metrics; epoch is the\n"
  "1-based epoch the step belongs to), embeddings.npy,\n"
  "model.safetensors (a checkpoint for --resume), and PNG charts:\n"
  "curves.png, affinity.png, projection.png (the embedding map: t-SNE,\n"
  "or --map pca), sizes.png, confusion.png (labels) and mosaic-NN.png\n"
  "per cluster (images); each PNG carries the\n"
  "configuration and metrics as text chunks.\n"
  "\n"
  "Ctrl-C stops after the current step and still writes every file\n"
  "(exit status 130); a second Ctrl-C does not cut the writing short.\n"
  "A run that fails (exit status 1), even one whose INPUT does not\n"
  "load, records why in metrics.json (\"failed\": true) and keeps the\n"
  "checkpoint of its last good step.\n"
  "A file that cannot be written (a full disk) does not stop the\n"
  "others, which go smallest and most useful first: metrics.json,\n"
  "assignments.csv, history.csv, embeddings.npy, the charts, then\n"
  "model.safetensors; each failure is reported, metrics.json lists\n"
  "them under \"unwritten\" and the exit status is 1.\n"
  "A run that fails before its first step changes nothing an earlier\n"
  "run left in DIR: it records why in failed-metrics.json beside those\n"
  "files (in metrics.json when there are none).  Once a run has\n"
  "results of its own, the files an earlier run left in DIR that this\n"
  "one does not rewrite are removed (only the names listed above).\n"
  "When one cluster holds most samples or many are empty, a warning\n"
  "says so and metrics.json has \"collapsed\": true.  Numbers are read\n"
  "and written with a dot, whatever the locale.\n"
  "\n"
  "Examples:\n"
  "  bootsc train --out run                 (the bundled sample)\n"
  "  bootsc train photos/ --out run --clusters 8 --epochs 50\n"
  "  bootsc train t10k-images-idx3-ubyte.gz --labels "
  "t10k-labels-idx1-ubyte.gz \\\n"
  "      --out fmnist --epochs 20\n"
  "  bootsc train --resume run/model.safetensors --out run");

static GOptionEntry *
make_entries (BscTrainOptions *o,
              TrainArgs       *args)
{
  ConfigOption *c = config_options;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out,
      N_("Folder for the results (created; required)"), N_("DIR") },
    { "clusters", 'k', 0, G_OPTION_ARG_STRING, &c[CLUSTERS].value,
      N_("Number of clusters (default: the number of labels, else 10)"), N_("K") },
    { "epochs", 'e', 0, G_OPTION_ARG_STRING, &c[EPOCHS].value,
      N_("Training epochs; the learning rate decays to 0 over them "
      "(default: 100)"), N_("N") },
    { "batch-size", 'b', 0, G_OPTION_ARG_STRING, &c[BATCH].value,
      N_("Samples per step, at least the embedding width (default: 256)"), N_("B") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &args->preset,
      N_("Network widths: authors (1024,512,4096,128; the default), small "
      "(512,256,1024,64) or tiny (128,64,256,32)"), N_("NAME") },
    { "widths", 'w', 0, G_OPTION_ARG_STRING, &args->widths,
      N_("Network widths: backbone hidden1,hidden2 then head hidden,embedding"),
      N_("H1,H2,P,E") },
    { "lr", 0, 0, G_OPTION_ARG_STRING, &c[LR].value,
      N_("Base learning rate (default: 0.04 x B / 256)"), N_("RATE") },
    { "lambda", 0, 0, G_OPTION_ARG_STRING, &c[LAMBDA].value,
      N_("Weight of the cluster loss against the affinity loss "
      "(default: 1)"), N_("X") },
    { "sk-epsilon", 0, 0, G_OPTION_ARG_STRING, &c[SK_EPS].value,
      N_("Sinkhorn-Knopp entropic regularisation (default: 0.05)"), N_("EPS") },
    { "sk-iterations", 0, 0, G_OPTION_ARG_STRING, &c[SK_ITER].value,
      N_("Sinkhorn-Knopp iterations (default: 3)"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &c[SEED].value,
      N_("Random seed; the same seed and threads give the same run "
      "(default: 0)"), N_("N") },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &c[THREADS].value,
      N_("OpenBLAS and decoder threads (default: 0, all cores)"), N_("N") },
    { "image-size", 0, 0, G_OPTION_ARG_STRING, &c[IMAGE_SIZE].value,
      N_("Training resolution of images, square (default: 28)"), N_("PIXELS") },
    { "rgb", 0, 0, G_OPTION_ARG_NONE, &args->rgb,
      N_("Train on colour images (default: chosen from the collection)"), NULL },
    { "gray", 0, 0, G_OPTION_ARG_NONE, &args->gray,
      N_("Train on grayscale images"), NULL },
    { "eval-every", 0, 0, G_OPTION_ARG_STRING, &c[EVAL_EVERY].value,
      N_("Evaluate every N epochs, 0 only at the end (default: 1)"), N_("N") },
    { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &o->labels,
      N_("Ground-truth labels for a matrix or IDX input (.npy, text, IDX)"),
      N_("FILE") },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &o->label_column,
      N_("CSV input: the column (name or 0-based index) holding labels"),
      N_("COLUMN") },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &o->resume,
      N_("Continue the run saved in a checkpoint (its configuration is used; "
      "without INPUT, the input its metrics.json names)"),
      N_("CHECKPOINT") },
    { "stop-after", 0, 0, G_OPTION_ARG_STRING, &args->stop_after,
      N_("Stop after this epoch and save (resume later with --resume)"), N_("EPOCH") },
    { "export-clusters", 0, 0, G_OPTION_ARG_STRING, &o->export_mode,
      N_("Also make DIR/clusters/cluster-NN folders of the images"), N_("copy|link") },
    { "map", 0, 0, G_OPTION_ARG_STRING, &o->map_layout,
      N_("Layout of projection.png: tsne (neighbourhoods, the default) or pca "
      "(the two main directions)"), N_("tsne|pca") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args->rest,
      NULL, NULL },
    { NULL }
  };

  return g_memdup2 (entries, sizeof entries);
}

static gboolean
parse_widths (const char  *text,
              BscConfig   *config,
              GError     **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  static const char *const keys[] = { "hidden1", "hidden2", "proj_hidden",
                                      "embed_dim" };

  if (g_strv_length (parts) != 4)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   _("--widths needs four numbers H1,H2,P,E, not \"%s\""), text);
      return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    if (!bsc_config_set_value (config, keys[i], g_strstrip (parts[i]), error))
      return FALSE;
  return TRUE;
}

/* What the user calls a configuration key: its option, or its place in
 * --widths; NULL for keys with neither. */
static const char *
key_option_name (const char *key,
                 gsize       length)
{
  static const char *const widths[][2] = {
    { "hidden1", "H1 of --widths" }, { "hidden2", "H2 of --widths" },
    { "proj_hidden", "P of --widths" },
    { "embed_dim", "the embedding width (the last of --widths)" },
  };
  static char buf[64];

  for (guint i = 0; i < G_N_ELEMENTS (config_options); i++)
    if (strlen (config_options[i].key) == length
        && strncmp (config_options[i].key, key, length) == 0)
      {
        g_snprintf (buf, sizeof buf, "--%s", config_options[i].option);
        return buf;
      }
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    if (strlen (widths[i][0]) == length
        && strncmp (widths[i][0], key, length) == 0)
      return widths[i][1];
  return NULL;
}

/* A configuration message with the keys in it (n_clusters, ...) named
 * as the options that set them (--clusters, ...). */
static char *
with_option_names (const char *message)
{
  GString *out = g_string_new (NULL);
  const char *p = message;

  while (*p)
    {
      gsize n = 0;
      const char *name;

      while (g_ascii_isalnum (p[n]) || p[n] == '_')
        n++;
      if (n == 0)
        {
          g_string_append_c (out, *p++);
          continue;
        }
      name = key_option_name (p, n);
      if (name)
        g_string_append (out, name);
      else
        g_string_append_len (out, p, n);
      p += n;
    }
  return g_string_free (out, FALSE);
}

static gboolean
validate_config (const BscConfig  *config,
                 GError          **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *message = NULL;

  if (bsc_config_validate (config, &local))
    return TRUE;
  message = with_option_names (local->message);
  g_set_error_literal (error, local->domain, local->code, message);
  return FALSE;
}

static gboolean
apply_config_options (BscTrainOptions *o,
                      TrainArgs       *args,
                      GError         **error)
{
  BscPreset preset;

  if (args->preset && !bsc_config_parse_preset (args->preset, &preset))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   _("--preset must be authors, small or tiny, not \"%s\""),
                   args->preset);
      return FALSE;
    }
  if (args->preset)
    bsc_config_set_preset (&o->config, preset);
  o->config_given = args->preset || args->widths;
  if (args->widths && !parse_widths (args->widths, &o->config, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (config_options); i++)
    {
      ConfigOption *c = &config_options[i];
      g_autoptr (GError) local = NULL;

      o->config_given |= c->value != NULL;
      if (c->value == NULL
          || bsc_config_set_value (&o->config, c->key, c->value, &local))
        continue;
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG, _("--%s %s: %s"),
                   c->option, c->value, local->message);
      return FALSE;
    }
  o->clusters_given = config_options[CLUSTERS].value != NULL;
  return validate_config (&o->config, error);
}

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (BSC_ERROR,
                                                BSC_ERROR_INVALID_ARG,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
apply_other_options (BscTrainOptions *o,
                     TrainArgs       *args,
                     GError         **error)
{
  guint64 value;

  if (args->rgb && args->gray)
    return invalid (error, _("--rgb and --gray exclude each other"));
  if (o->export_mode && strcmp (o->export_mode, "copy") != 0
      && strcmp (o->export_mode, "link") != 0)
    return invalid (error, _("--export-clusters must be copy or link, "
                    "not \"%s\""), o->export_mode);
  if (o->map_layout && strcmp (o->map_layout, "tsne") != 0
      && strcmp (o->map_layout, "pca") != 0)
    return invalid (error, _("--map must be tsne or pca, not \"%s\""),
                    o->map_layout);
  if (args->stop_after
      && !g_ascii_string_to_unsigned (args->stop_after, 10, 1, G_MAXUINT,
                                      &value, NULL))
    return invalid (error, _("--stop-after needs an epoch number >= 1, "
                    "not \"%s\""), args->stop_after);
  o->stop_after = args->stop_after ? (guint) value : 0;
  if (args->rest && args->rest[0] && args->rest[1])
    return invalid (error, _("one INPUT at most (got \"%s\" and \"%s\")"),
                    args->rest[0], args->rest[1]);
  if (o->out == NULL)
    return invalid (error, _("--out DIR is required"));
  o->input = args->rest && args->rest[0] ? g_strdup (args->rest[0]) : NULL;
  o->load.image_size = o->config.image_size;
  o->load.image_rgb = args->rgb ? 1 : args->gray ? 0 : -1;
  o->load.labels_path = o->labels;
  o->load.label_column = o->label_column;
  o->load.threads = o->config.threads;
  return TRUE;
}

static void
train_options_clear (BscTrainOptions *o,
                     TrainArgs       *args)
{
  g_free (o->input);
  g_free (o->out);
  g_free (o->labels);
  g_free (o->label_column);
  g_free (o->resume);
  g_free (o->export_mode);
  g_free (o->map_layout);
  g_free (args->widths);
  g_free (args->preset);
  g_free (args->stop_after);
  g_strfreev (args->rest);
  for (guint i = 0; i < G_N_ELEMENTS (config_options); i++)
    g_clear_pointer (&config_options[i].value, g_free);
}

GOptionGroup *
bsc_cli_train_option_group (void)
{
  static BscTrainOptions o;
  static TrainArgs args;
  g_autofree GOptionEntry *entries = make_entries (&o, &args);
  GOptionGroup *group = g_option_group_new ("train",
                                            _("Options of bootsc train:"),
                                            _("Show the options of bootsc "
                                              "train"), NULL, NULL);

  /* The remaining-arguments entry belongs to the train command only. */
  for (guint i = 0; entries[i].long_name; i++)
    if (strcmp (entries[i].long_name, G_OPTION_REMAINING) == 0)
      entries[i] = (GOptionEntry) { NULL };
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  return group;
}

int
bsc_cli_train (int    argc,
               char **argv)
{
  BscTrainOptions o = { 0 };
  TrainArgs args = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree GOptionEntry *entries = make_entries (&o, &args);
  int status;

  g_set_prgname ("bootsc train");
  context = g_option_context_new ("[INPUT]");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Train BootSC on INPUT (an image folder, "
                                ".npy/.csv matrix or IDX file; default: the "
                                "bundled sample) and write every result "
                                "into DIR.\n\nWithout options: --preset "
                                "authors (the paper's network), 100 epochs, "
                                "batches of 256, as many clusters as labels "
                                "(else 10)."));
  g_option_context_set_description (context, _(train_description));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  bsc_config_init (&o.config);
  bsc_load_options_init (&o.load);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !apply_config_options (&o, &args, &error)
      || !apply_other_options (&o, &args, &error))
    status = bsc_cli_usage_error ("train", error->message);
  else
    status = bsc_cli_run_training (&o);
  train_options_clear (&o, &args);
  return status;
}
