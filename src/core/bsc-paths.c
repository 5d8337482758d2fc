/* bsc-paths.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the programs find their translations and icons: where they were
 * installed, or, run from the build folder as the README does, in the
 * build folder (compiled .mo files) and the source tree (icons).
 */

#include "config.h"

#include "bsc-paths.h"

gboolean
bsc_paths_uninstalled (void)
{
  static gsize uninstalled = 0;

  if (g_once_init_enter (&uninstalled))
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *root = g_strconcat (BUILD_ROOT, G_DIR_SEPARATOR_S,
                                           NULL);

      g_once_init_leave (&uninstalled,
                         exe != NULL && g_str_has_prefix (exe, root) ? 2 : 1);
    }
  return uninstalled == 2;
}

const char *
bsc_paths_locale_dir (void)
{
  return bsc_paths_uninstalled () ? BUILD_LOCALEDIR : LOCALEDIR;
}

const char *
bsc_paths_icon_dir (void)
{
  return bsc_paths_uninstalled () ? SOURCE_DATADIR G_DIR_SEPARATOR_S "icons"
                                  : NULL;
}
