/* bsc-params.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "bsc-params.h"

struct _BscParams
{
  GtkBox          parent_instance;

  GSettings      *settings;

  GtkGrid        *model_grid;
  GtkButton      *reset_button;
  GtkLabel       *note;
  GtkSpinButton  *clusters;
  GtkDropDown    *preset;
  GtkSpinButton  *epochs;
  GtkSpinButton  *batch;
  GtkSpinButton  *lr;
  GtkSpinButton  *lambda;
  GtkSpinButton  *sk_epsilon;
  GtkSpinButton  *sk_iterations;
  GtkSpinButton  *seed;
  GtkSpinButton  *image_size;
  GtkSpinButton  *threads;
  GtkScale       *lr_scale;
  GtkAdjustment  *lr_adjustment;
  GtkLabel       *lr_label;
};

G_DEFINE_FINAL_TYPE (BscParams, bsc_params, GTK_TYPE_BOX)

enum { SIGNAL_LR_SCALE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const keys[] = {
  "n-clusters", "preset", "epochs", "batch-size", "lr", "lambda", "sk-epsilon",
  "sk-iterations", "seed", "image-size", "threads",
};

static void
lr_changed_cb (BscParams *self)
{
  g_signal_emit (self, signals[SIGNAL_LR_SCALE_CHANGED], 0,
                 bsc_params_get_lr_scale (self));
}

static void
reset_clicked_cb (BscParams *self)
{
  g_return_if_fail (self->settings != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (self->settings, keys[i]);
  gtk_adjustment_set_value (self->lr_adjustment, 0);
}

/* Zero means "automatic" for clusters, learning rate and threads. */
static gboolean
auto_output_cb (GtkSpinButton *spin,
                gpointer       user_data)
{
  if (gtk_spin_button_get_value (spin) != 0)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (spin), _("Auto"));
  return TRUE;
}

static int
auto_input_cb (GtkSpinButton *spin,
               double        *value,
               gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;

  if (g_str_equal (text, _("Auto")) || *text == '\0')
    {
      *value = 0;
      return TRUE;
    }
  *value = g_strtod (text, &end);
  if (end == text)
    *value = strtod (text, &end);   /* the locale's decimal comma */
  return end != text ? TRUE : GTK_INPUT_ERROR;
}

static char *
format_factor_cb (GtkScale *scale,
                  double    value,
                  gpointer  user_data)
{
  return g_strdup_printf ("×%.2g", pow (10, value));
}

static void
bsc_params_dispose (GObject *object)
{
  BscParams *self = BSC_PARAMS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BSC_TYPE_PARAMS);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (bsc_params_parent_class)->dispose (object);
}

static void
bsc_params_class_init (BscParamsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_params_dispose;

  /* lr-scale-changed (double factor) */
  signals[SIGNAL_LR_SCALE_CHANGED] =
    g_signal_new ("lr-scale-changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/bsc-params.ui");
  gtk_widget_class_bind_template_child (widget_class, BscParams, model_grid);
  gtk_widget_class_bind_template_child (widget_class, BscParams, reset_button);
  gtk_widget_class_bind_template_child (widget_class, BscParams, note);
  gtk_widget_class_bind_template_child (widget_class, BscParams, clusters);
  gtk_widget_class_bind_template_child (widget_class, BscParams, preset);
  gtk_widget_class_bind_template_child (widget_class, BscParams, epochs);
  gtk_widget_class_bind_template_child (widget_class, BscParams, batch);
  gtk_widget_class_bind_template_child (widget_class, BscParams, lr);
  gtk_widget_class_bind_template_child (widget_class, BscParams, lambda);
  gtk_widget_class_bind_template_child (widget_class, BscParams, sk_epsilon);
  gtk_widget_class_bind_template_child (widget_class, BscParams, sk_iterations);
  gtk_widget_class_bind_template_child (widget_class, BscParams, seed);
  gtk_widget_class_bind_template_child (widget_class, BscParams, image_size);
  gtk_widget_class_bind_template_child (widget_class, BscParams, threads);
  gtk_widget_class_bind_template_child (widget_class, BscParams, lr_scale);
  gtk_widget_class_bind_template_child (widget_class, BscParams, lr_adjustment);
  gtk_widget_class_bind_template_child (widget_class, BscParams, lr_label);
  gtk_widget_class_bind_template_callback (widget_class, lr_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_clicked_cb);
}

static void
bsc_params_init (BscParams *self)
{
  GtkSpinButton *autos[3];

  gtk_widget_init_template (GTK_WIDGET (self));
  autos[0] = self->clusters;
  autos[1] = self->lr;
  autos[2] = self->threads;
  for (guint i = 0; i < G_N_ELEMENTS (autos); i++)
    {
      g_signal_connect (autos[i], "output", G_CALLBACK (auto_output_cb), NULL);
      g_signal_connect (autos[i], "input", G_CALLBACK (auto_input_cb), NULL);
    }
  gtk_scale_set_format_value_func (self->lr_scale, format_factor_cb, NULL, NULL);
}

static gboolean
preset_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  BscPreset preset = BSC_PRESET_SMALL;

  bsc_config_parse_preset (g_variant_get_string (variant, NULL), &preset);
  g_value_set_uint (value, preset);
  return TRUE;
}

static GVariant *
preset_set_mapping (const GValue       *value,
                    const GVariantType *type,
                    gpointer            user_data)
{
  static const char * const nicks[] = { "authors", "small", "tiny" };
  guint i = g_value_get_uint (value);

  return g_variant_new_string (nicks[MIN (i, G_N_ELEMENTS (nicks) - 1)]);
}

void
bsc_params_set_settings (BscParams *self,
                         GSettings *settings)
{
  struct { const char *key; GtkSpinButton *spin; } binds[] = {
    { "n-clusters", self->clusters }, { "epochs", self->epochs },
    { "batch-size", self->batch }, { "lr", self->lr },
    { "lambda", self->lambda }, { "sk-epsilon", self->sk_epsilon },
    { "sk-iterations", self->sk_iterations }, { "seed", self->seed },
    { "image-size", self->image_size }, { "threads", self->threads },
  };

  g_return_if_fail (BSC_IS_PARAMS (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
  for (guint i = 0; i < G_N_ELEMENTS (binds); i++)
    g_settings_bind (settings, binds[i].key, binds[i].spin, "value",
                     G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "preset", self->preset, "selected",
                                G_SETTINGS_BIND_DEFAULT, preset_get_mapping,
                                preset_set_mapping, NULL, NULL);
}

static guint
spin_uint (GtkSpinButton *spin)
{
  return (guint) gtk_spin_button_get_value (spin);
}

void
bsc_params_get_config (BscParams *self,
                       guint      n_labels,
                       BscConfig *config)
{
  g_return_if_fail (BSC_IS_PARAMS (self));
  g_return_if_fail (config != NULL);

  bsc_config_init (config);
  bsc_config_set_preset (config, gtk_drop_down_get_selected (self->preset));
  config->n_clusters = spin_uint (self->clusters);
  if (config->n_clusters == 0)
    config->n_clusters = n_labels > 1 ? n_labels : 10;
  config->epochs = spin_uint (self->epochs);
  config->batch_size = spin_uint (self->batch);
  config->lr = gtk_spin_button_get_value (self->lr);
  config->lambda = gtk_spin_button_get_value (self->lambda);
  config->sk_epsilon = gtk_spin_button_get_value (self->sk_epsilon);
  config->sk_iterations = spin_uint (self->sk_iterations);
  config->seed = (guint64) gtk_spin_button_get_value (self->seed);
  config->image_size = spin_uint (self->image_size);
  config->threads = spin_uint (self->threads);
  config->eval_every = 1;
}

void
bsc_params_set_running (BscParams *self,
                        gboolean   running)
{
  g_return_if_fail (BSC_IS_PARAMS (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->model_grid), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), !running);
}

void
bsc_params_set_note (BscParams  *self,
                     const char *text)
{
  g_return_if_fail (BSC_IS_PARAMS (self));

  gtk_label_set_text (self->note, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note), text != NULL);
}

double
bsc_params_get_lr_scale (BscParams *self)
{
  g_return_val_if_fail (BSC_IS_PARAMS (self), 1.0);

  return pow (10, gtk_adjustment_get_value (self->lr_adjustment));
}

void
bsc_params_nudge_lr (BscParams *self,
                     int        steps)
{
  g_return_if_fail (BSC_IS_PARAMS (self));

  gtk_adjustment_set_value (self->lr_adjustment,
                            gtk_adjustment_get_value (self->lr_adjustment)
                            + steps * 0.1);
}

void
bsc_params_show_lr (BscParams *self,
                    double     lr)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BSC_IS_PARAMS (self));

  if (!isnan (lr))
    text = g_strdup_printf (_("Current learning rate: %.4g"), lr);
  gtk_label_set_text (self->lr_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->lr_label), text != NULL);
}
