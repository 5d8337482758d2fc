/* bsc-cli.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bootsc command's subcommands and their shared helpers.
 */

#pragma once

#include <gio/gio.h>

#include "bsc-config.h"
#include "bsc-load.h"

G_BEGIN_DECLS

/* Exit codes. */
enum
{
  BSC_EXIT_OK = 0,
  BSC_EXIT_FAILED = 1,
  BSC_EXIT_USAGE = 2,
  BSC_EXIT_INTERRUPTED = 130,
};

typedef struct
{
  /* Input and output */
  char      *input;
  char      *out;
  char      *labels;
  char      *label_column;
  char      *resume;
  char      *export_mode;     /* NULL, "copy" or "link" */
  char      *map_layout;      /* NULL or "tsne" (neighbourhoods), "pca" */
  gboolean   quiet;
  guint      stop_after;      /* 0: train to the end */

  /* Loader */
  BscLoadOptions load;
  gboolean   clusters_given;
  gboolean   config_given;    /* any training option was given */
  BscConfig  config;
} BscTrainOptions;

int      bsc_cli_train           (int       argc,
                                  char    **argv);
int      bsc_cli_inspect         (int       argc,
                                  char    **argv);
int      bsc_cli_export_clusters (int       argc,
                                  char    **argv);

/* The train options as a group of the top-level help (--help-all and
 * --help-train), so that the man page lists them. */
GOptionGroup *bsc_cli_train_option_group (void);

/* Runs a parsed train command; returns an exit code. */
int      bsc_cli_run_training    (BscTrainOptions *options);

/* "bootsc CMD: message" and the hint to --help on stderr; returns 2. */
int      bsc_cli_usage_error     (const char      *command,
                                  const char      *message);
/* "bootsc: error: message" on stderr; returns 1. */
int      bsc_cli_fail            (const GError    *error);

/* Loads INPUT (or the bundled sample when NULL) with progress on a
 * terminal unless quiet. */
BscDataset *bsc_cli_load         (const char            *input,
                                  const BscLoadOptions  *options,
                                  gboolean               quiet,
                                  GError               **error);

G_END_DECLS
