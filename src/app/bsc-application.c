/* bsc-application.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application: command line (files to open, --start), application
 * actions and their accelerators, the about dialog, and following the
 * desktop's dark style (GTK 4.8 does not read it by itself).
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "bsc-application.h"
#include "bsc-paths.h"
#include "bsc-window.h"
#include "bsc-worker.h"

struct _BscApplication
{
  GtkApplication  parent_instance;

  GDBusProxy     *portal;
  gboolean        start;   /* --start: train as soon as the data is loaded */
};

G_DEFINE_FINAL_TYPE (BscApplication, bsc_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "start", 's', 0, G_OPTION_ARG_NONE, NULL,
    N_("Start training as soon as the collection is loaded"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

BscApplication *
bsc_application_new (void)
{
  return g_object_new (BSC_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN
                                | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

static BscWindow *
get_window (BscApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (bsc_window_new (self));
  return BSC_WINDOW (window);
}

static void
bsc_application_activate (GApplication *app)
{
  BscApplication *self = BSC_APPLICATION (app);
  BscWindow *window = get_window (self);

  gtk_window_present (GTK_WINDOW (window));
  bsc_window_open_default (window, self->start);
  self->start = FALSE;
}

static void
bsc_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  BscApplication *self = BSC_APPLICATION (app);
  BscWindow *window = get_window (self);

  gtk_window_present (GTK_WINDOW (window));
  bsc_window_open_file (window, files[0], self->start);
  self->start = FALSE;
}

static int
bsc_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  BscApplication *self = BSC_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("bootsc-explorer %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->start = g_variant_dict_contains (options, "start");
  return -1;
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *authors[] = { _("The BootSC Explorer authors"), NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("BootSC Explorer"),
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Watch deep spectral clustering learn "
                                       "to sort your images"),
                         "website", "https://github.com/bootsc/explorer",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         "translator-credits", _("translator-credits"),
                         "copyright", _("© 2026 The BootSC Explorer authors\n"
                                        "Sample images: Fashion-MNIST, "
                                        "© Zalando SE, MIT licence"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing each window stops its run; the application then ends once
   * every worker has finished (they hold it). */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.open-file", { "<Control><Shift>o", NULL } },
  { "win.start", { "<Control>Return", "F5", NULL } },
  { "win.pause", { "space", NULL } },
  { "win.step", { "<Control>period", NULL } },
  { "win.stop", { "<Control>Escape", NULL } },
  { "win.export-csv", { "<Control>e", NULL } },
  { "win.export-png", { "<Control><Shift>e", NULL } },
  { "win.export-folders", { "<Control><Shift>f", NULL } },
  { "win.save-model", { "<Control>s", NULL } },
  { "win.continue-model", { "<Control><Shift>s", NULL } },
  { "win.view(0)", { "<Alt>1", NULL } },
  { "win.view(1)", { "<Alt>2", NULL } },
  { "win.view(2)", { "<Alt>3", NULL } },
  { "win.view(3)", { "<Alt>4", NULL } },
  { "win.view(4)", { "<Alt>5", NULL } },
  { "win.view(5)", { "<Alt>6", NULL } },
  { "win.view-info", { "F1", NULL } },
  { "win.fit-map", { "<Control>0", NULL } },
  { "win.lr-up", { "<Control>plus", "<Control>equal", NULL } },
  { "win.lr-down", { "<Control>minus", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

/* Dark style: GTK 4.8 does not follow the desktop's colour scheme by
 * itself, so read it from the settings portal (Freedesktop
 * org.freedesktop.appearance color-scheme: 1 prefers dark). */
static void
apply_color_scheme (GVariant *value)
{
  GtkSettings *settings = gtk_settings_get_default ();
  g_autoptr(GVariant) inner = NULL;
  guint32 scheme = 0;

  while (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_clear_pointer (&inner, g_variant_unref);
      inner = g_variant_get_variant (value);
      value = inner;
    }
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    scheme = g_variant_get_uint32 (value);
  if (settings != NULL && g_getenv ("GTK_THEME") == NULL)
    g_object_set (settings, "gtk-application-prefer-dark-theme",
                  scheme == 1, NULL);
}

static void
portal_signal_cb (GDBusProxy *proxy,
                  const char *sender,
                  const char *signal,
                  GVariant   *params,
                  gpointer    user_data)
{
  const char *ns, *key;
  g_autoptr(GVariant) value = NULL;

  if (g_strcmp0 (signal, "SettingChanged") != 0)
    return;
  g_variant_get (params, "(&s&sv)", &ns, &key, &value);
  if (g_str_equal (ns, "org.freedesktop.appearance")
      && g_str_equal (key, "color-scheme"))
    apply_color_scheme (value);
}

static void
portal_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GVariant) value = NULL;

  ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, NULL);
  if (ret == NULL)
    return;
  g_variant_get (ret, "(v)", &value);
  apply_color_scheme (value);
}

static void
portal_proxy_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BscApplication) self = user_data;

  self->portal = g_dbus_proxy_new_for_bus_finish (result, NULL);
  if (self->portal == NULL)
    return;
  g_signal_connect (self->portal, "g-signal", G_CALLBACK (portal_signal_cb), NULL);
  g_dbus_proxy_call (self->portal, "Read",
                     g_variant_new ("(ss)", "org.freedesktop.appearance",
                                    "color-scheme"),
                     G_DBUS_CALL_FLAGS_NONE, 2000, NULL, portal_read_cb, NULL);
}

static void
follow_color_scheme (BscApplication *self)
{
  g_dbus_proxy_new_for_bus (G_BUS_TYPE_SESSION,
                            G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                            NULL, "org.freedesktop.portal.Desktop",
                            "/org/freedesktop/portal/desktop",
                            "org.freedesktop.portal.Settings", NULL,
                            portal_proxy_cb, g_object_ref (self));
}

static void
load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* SIGTERM (a logout, say): close the windows as Quit does, so runs end
 * cleanly, but keep the model of a run it cuts short for the next start. */
static gboolean
terminate_cb (gpointer user_data)
{
  GtkApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  bsc_worker_keep_unfinished ();
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_list_free (windows);
  return G_SOURCE_CONTINUE;
}

static void
bsc_application_startup (GApplication *app)
{
  BscApplication *self = BSC_APPLICATION (app);

  G_APPLICATION_CLASS (bsc_application_parent_class)->startup (app);
  g_unix_signal_add (SIGTERM, terminate_cb, app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
  /* Run from the build folder: the icons of the source tree. */
  if (bsc_paths_icon_dir () != NULL)
    gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (
                                      gdk_display_get_default ()),
                                    bsc_paths_icon_dir ());
  gtk_window_set_default_icon_name (APPLICATION_ID);
  load_css ();
  if (g_getenv ("BSC_NO_PORTAL") == NULL)
    follow_color_scheme (self);
}

static void
bsc_application_dispose (GObject *object)
{
  BscApplication *self = BSC_APPLICATION (object);

  g_clear_object (&self->portal);
  G_OBJECT_CLASS (bsc_application_parent_class)->dispose (object);
}

static void
bsc_application_class_init (BscApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = bsc_application_dispose;
  app_class->activate = bsc_application_activate;
  app_class->open = bsc_application_open;
  app_class->startup = bsc_application_startup;
  app_class->handle_local_options = bsc_application_handle_local_options;
}

static void
bsc_application_init (BscApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[FOLDER or FILE]"));
}
