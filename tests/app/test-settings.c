/* test-settings.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's settings without an installed schema: the build folder's
 * compiled schema is used, and without that the built-in copy with
 * in-memory storage and a warning, never an abort.
 */

#include "config.h"

#include <gtk/gtk.h>

#include "bsc-window-private.h"

static void
test_build_dir (void)
{
  g_autoptr(GSettings) settings = NULL;

  settings = _bsc_window_new_settings (g_getenv ("BSC_SCHEMA_DIR"));
  g_assert_nonnull (settings);
  g_assert_cmpuint (g_settings_get_uint (settings, "epochs"), ==, 20);
  g_settings_set_uint (settings, "epochs", 7);
  g_assert_cmpuint (g_settings_get_uint (settings, "epochs"), ==, 7);
}

static void
test_missing (void)
{
  g_autoptr(GSettings) settings = NULL;

  g_test_expect_message ("bsc-app", G_LOG_LEVEL_WARNING, "*not installed*");
  settings = _bsc_window_new_settings ("/nonexistent/bootsc-schemas");
  g_test_assert_expected_messages ();
  g_assert_nonnull (settings);
  g_assert_cmpuint (g_settings_get_uint (settings, "batch-size"), ==, 256);
  g_settings_set_uint (settings, "batch-size", 64);
  g_assert_cmpuint (g_settings_get_uint (settings, "batch-size"), ==, 64);
}

int
main (int   argc,
      char *argv[])
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) installed = NULL;

  /* As when the uninstalled binary is run by hand. */
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
  g_setenv ("XDG_DATA_DIRS", "/nonexistent", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    installed = g_settings_schema_source_lookup (source,
                                                 APPLICATION_ID,
                                                 TRUE);
  if (installed != NULL)
    {
      g_test_skip ("The schema is installed on this machine");
      return 0;
    }
  g_test_add_func ("/settings/build-dir", test_build_dir);
  g_test_add_func ("/settings/missing", test_missing);
  return g_test_run ();
}
