/* bsc-params.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parameter panel: every run parameter bound to GSettings, and the
 * learning-rate factor that can change while training runs.
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-config.h"

G_BEGIN_DECLS

#define BSC_TYPE_PARAMS (bsc_params_get_type ())
G_DECLARE_FINAL_TYPE (BscParams, bsc_params, BSC, PARAMS, GtkBox)

void    bsc_params_set_settings  (BscParams *self,
                                  GSettings *settings);
/* Fills config from the panel; n_labels resolves "auto" clusters. */
void    bsc_params_get_config    (BscParams *self,
                                  guint      n_labels,
                                  BscConfig *config);
/* While a run lasts, only the learning-rate factor stays editable. */
void    bsc_params_set_running   (BscParams *self,
                                  gboolean   running);
double  bsc_params_get_lr_scale  (BscParams *self);
/* A line above the parameters (NULL hides it): what they do not show,
 * such as a continued model's own configuration. */
void    bsc_params_set_note      (BscParams  *self,
                                  const char *text);
/* Multiplies the factor by 10^(steps / 10) (keyboard shortcuts). */
void    bsc_params_nudge_lr      (BscParams *self,
                                  int        steps);
/* Shows the current learning rate under the factor (NaN hides it). */
void    bsc_params_show_lr       (BscParams *self,
                                  double     lr);

G_END_DECLS
