/* bsc-application.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BSC_TYPE_APPLICATION (bsc_application_get_type ())
G_DECLARE_FINAL_TYPE (BscApplication, bsc_application, BSC, APPLICATION,
                      GtkApplication)

BscApplication *bsc_application_new (void);

G_END_DECLS
