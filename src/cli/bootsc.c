/* bootsc.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bootsc command: dispatches to its subcommands.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "bsc-cli.h"
#include "bsc-paths.h"

static const char commands_summary[] = N_(
  "Commands:\n"
  "  train [INPUT] --out DIR   train BootSC and write every result into DIR\n"
  "  inspect [INPUT]           show what a load of INPUT finds, without "
  "training\n"
  "  export-clusters --from DIR|FILE --to DIR [--link]\n"
  "                            make one folder per cluster from a run's\n"
  "                            assignments.csv (copies or symbolic links)\n"
  "\n"
  "INPUT is an image folder (subfolders name the labels), a .npy or .csv\n"
  "matrix, or an IDX file (MNIST family, gzip or not).  Without INPUT the\n"
  "bundled Fashion-MNIST sample is used.\n"
  "\n"
  "Run \"bootsc COMMAND --help\" for the options of a command\n"
  "(\"bootsc --help-all\" lists the train options too).\n"
  "Exit status: 0 done, 1 failed, 2 bad usage, 130 interrupted (Ctrl-C).");

int
bsc_cli_usage_error (const char *command,
                     const char *message)
{
  fprintf (stderr, "bootsc%s%s: %s\n", command ? " " : "",
           command ? command : "", message);
  fprintf (stderr, "Try \"bootsc%s%s --help\".\n", command ? " " : "",
           command ? command : "");
  return BSC_EXIT_USAGE;
}

int
bsc_cli_fail (const GError *error)
{
  fprintf (stderr, "bootsc: error: %s\n", error->message);
  return BSC_EXIT_FAILED;
}

static int
run_top_level (int    argc,
               char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version,
      N_("Show the version and exit"), NULL },
    { NULL }
  };

  context = g_option_context_new ("COMMAND [OPTIONS]");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Deep spectral clustering with optimal-"
                                "transport supervision (BootSC), headless."));
  g_option_context_set_description (context, _(commands_summary));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, bsc_cli_train_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return bsc_cli_usage_error (NULL, error->message);
  if (version)
    {
      printf ("bootsc %s\n", PACKAGE_VERSION);
      return BSC_EXIT_OK;
    }
  if (argc > 1)
    return bsc_cli_usage_error (NULL, _("unknown command"));
  return bsc_cli_usage_error (NULL, _("a command is required"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, bsc_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || argv[1][0] == '-')
    return run_top_level (argc, argv);
  if (strcmp (argv[1], "train") == 0)
    return bsc_cli_train (argc - 1, argv + 1);
  if (strcmp (argv[1], "inspect") == 0)
    return bsc_cli_inspect (argc - 1, argv + 1);
  if (strcmp (argv[1], "export-clusters") == 0)
    return bsc_cli_export_clusters (argc - 1, argv + 1);
  if (strcmp (argv[1], "help") == 0)
    {
      char *help_argv[] = { argv[0], (char *) "--help", NULL };

      return run_top_level (2, help_argv);
    }
  {
    g_autofree char *message = g_strdup_printf ("unknown command \"%s\"",
                                                argv[1]);

    return bsc_cli_usage_error (NULL, message);
  }
}
