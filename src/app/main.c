/* main.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "bsc-application.h"
#include "bsc-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BscApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, bsc_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = bsc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
