/* bsc-run-view.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "bsc-run-view.h"

G_DEFINE_INTERFACE (BscRunView, bsc_run_view, GTK_TYPE_WIDGET)

static GQuark updates_quark;

static void
bsc_run_view_default_init (BscRunViewInterface *iface)
{
  updates_quark = g_quark_from_static_string ("bsc-run-view-updates");
}

void
bsc_run_view_reset (BscRunView    *self,
                BscDataset *data)
{
  g_return_if_fail (BSC_IS_RUN_VIEW (self));

  g_object_set_qdata (G_OBJECT (self), updates_quark, GUINT_TO_POINTER (0));
  BSC_RUN_VIEW_GET_IFACE (self)->reset (self, data);
}

void
bsc_run_view_update (BscRunView     *self,
                 BscSnapshot *snapshot)
{
  guint n;

  g_return_if_fail (BSC_IS_RUN_VIEW (self));
  g_return_if_fail (snapshot != NULL);

  if (!BSC_RUN_VIEW_GET_IFACE (self)->update (self, snapshot))
    return;
  n = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (self), updates_quark));
  g_object_set_qdata (G_OBJECT (self), updates_quark, GUINT_TO_POINTER (n + 1));
}

gboolean
bsc_run_view_draw_export (BscRunView  *self,
                      cairo_t  *cr,
                      int       width,
                      int       height,
                      gboolean  dark)
{
  g_return_val_if_fail (BSC_IS_RUN_VIEW (self), FALSE);

  return BSC_RUN_VIEW_GET_IFACE (self)->draw_export (self, cr, width, height, dark);
}

/* The first descendant menu button styled "view-info". */
static GtkWidget *
find_info_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_widget_has_css_class (widget, "view-info"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_info_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
bsc_run_view_show_info (BscRunView *self)
{
  BscRunViewInterface *iface;
  GtkWidget *button;

  g_return_if_fail (BSC_IS_RUN_VIEW (self));

  iface = BSC_RUN_VIEW_GET_IFACE (self);
  if (iface->show_info != NULL)
    iface->show_info (self);
  else if ((button = find_info_button (GTK_WIDGET (self))) != NULL)
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
}

guint
bsc_run_view_get_n_updates (BscRunView *self)
{
  g_return_val_if_fail (BSC_IS_RUN_VIEW (self), 0);

  return GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (self), updates_quark));
}

const char *
bsc_run_view_label_name (const BscDataset *data,
                         gint32            label)
{
  g_return_val_if_fail (data != NULL, "?");

  if (data->class_names == NULL || label < 0
      || (guint) label >= data->class_names->len)
    return "?";
  return g_ptr_array_index (data->class_names, label);
}

gboolean
bsc_run_view_is_dark (GtkWidget *widget)
{
  GdkRGBA fg;

  /* Light text means a dark background, whatever the theme's name. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return 0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue > 0.5;
}

char *
bsc_run_view_eval_when (const BscEvalData *eval)
{
  g_return_val_if_fail (eval != NULL, NULL);

  if (eval->step == 0)
    return g_strdup (_("before training"));
  return g_strdup_printf (_("after epoch %u · step %'" PRIu64),
                          eval->epoch, eval->step);
}
