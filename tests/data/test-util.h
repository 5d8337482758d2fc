/* test-util.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers shared by the data tests: temporary folders, small files and
 * running NumPy when it is installed.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new empty temporary folder; remove it with test_rm_rf. */
char     *test_tmpdir          (void);
void      test_rm_rf           (const char *path);
/* Writes bytes to dir/name (creating subfolders); returns the path. */
char     *test_write_file      (const char *dir,
                                const char *name,
                                const void *bytes,
                                gsize       size);
/* TRUE when /usr/bin/python3 can import numpy. */
gboolean  test_have_numpy      (void);
/* Runs /usr/bin/python3 -c script arg; asserts it exits 0. */
void      test_run_python      (const char *script,
                                const char *arg);

G_END_DECLS
