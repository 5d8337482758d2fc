/* bsc-sample-grid.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model is a plain array of indices behind GListModel; items are
 * small objects made when the grid view asks for them (only visible rows).
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bsc-run-view.h"
#include "bsc-sample-grid.h"

/* ---- items and the list model ---------------------------------------- */

#define BSC_TYPE_SAMPLE_ITEM (bsc_sample_item_get_type ())
G_DECLARE_FINAL_TYPE (BscSampleItem, bsc_sample_item, BSC, SAMPLE_ITEM, GObject)

struct _BscSampleItem
{
  GObject  parent_instance;
  guint32  index;
  float    confidence;   /* < 0: unknown */
};

G_DEFINE_FINAL_TYPE (BscSampleItem, bsc_sample_item, G_TYPE_OBJECT)

static void bsc_sample_item_class_init (BscSampleItemClass *klass) { }
static void bsc_sample_item_init (BscSampleItem *self) { }

#define BSC_TYPE_SAMPLE_LIST (bsc_sample_list_get_type ())
G_DECLARE_FINAL_TYPE (BscSampleList, bsc_sample_list, BSC, SAMPLE_LIST, GObject)

struct _BscSampleList
{
  GObject  parent_instance;
  guint32 *indices;
  float   *confidence;   /* per entry, or NULL */
  guint    n;
};

static GType
bsc_sample_list_get_item_type (GListModel *model)
{
  return BSC_TYPE_SAMPLE_ITEM;
}

static guint
bsc_sample_list_get_n_items (GListModel *model)
{
  return BSC_SAMPLE_LIST (model)->n;
}

static gpointer
bsc_sample_list_get_item (GListModel *model,
                          guint       position)
{
  BscSampleList *self = BSC_SAMPLE_LIST (model);
  BscSampleItem *item;

  if (position >= self->n)
    return NULL;
  item = g_object_new (BSC_TYPE_SAMPLE_ITEM, NULL);
  item->index = self->indices[position];
  item->confidence = self->confidence ? self->confidence[position] : -1;
  return item;
}

static void
bsc_sample_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = bsc_sample_list_get_item_type;
  iface->get_n_items = bsc_sample_list_get_n_items;
  iface->get_item = bsc_sample_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (BscSampleList, bsc_sample_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      bsc_sample_list_model_init))

static void
bsc_sample_list_finalize (GObject *object)
{
  BscSampleList *self = BSC_SAMPLE_LIST (object);

  g_free (self->indices);
  g_free (self->confidence);
  G_OBJECT_CLASS (bsc_sample_list_parent_class)->finalize (object);
}

static void
bsc_sample_list_class_init (BscSampleListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bsc_sample_list_finalize;
}

static void
bsc_sample_list_init (BscSampleList *self)
{
}

/* A new list: replacing a grid view's model is much cheaper than telling
 * it that thousands of items changed (GTK 4.8 walks them all). */
static BscSampleList *
bsc_sample_list_new (const guint32 *indices,
                     guint          n,
                     const float   *confidence)
{
  BscSampleList *self = g_object_new (BSC_TYPE_SAMPLE_LIST, NULL);

  self->indices = g_memdup2 (indices, n * sizeof (guint32));
  if (confidence != NULL)
    {
      self->confidence = g_new (float, n);
      for (guint i = 0; i < n; i++)
        self->confidence[i] = confidence[indices[i]];
    }
  self->n = n;
  return self;
}

/* ---- the grid -------------------------------------------------------- */

struct _BscSampleGrid
{
  GtkWidget      parent_instance;

  GtkWidget     *scrolled;
  GtkGridView   *grid;
  BscSampleList *list;
  BscThumbs     *thumbs;
  int            cell;
  gboolean       pending;   /* list not yet given to the grid view */
  guint          tick_id;   /* waits for a size to give it */
};

G_DEFINE_FINAL_TYPE (BscSampleGrid, bsc_sample_grid, GTK_TYPE_WIDGET)

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  BscSampleGrid *self = BSC_SAMPLE_GRID (user_data);
  GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (NULL);

  /* Samples without images (feature vectors) show their name instead. */
  /* The image fills its cell (the grid spreads spare width over the
   * columns), so there are no wide gaps between images. */
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_hexpand (picture, TRUE);
  gtk_widget_set_vexpand (picture, TRUE);
  gtk_widget_set_size_request (picture, self->cell, self->cell);
  gtk_widget_set_size_request (label, self->cell, self->cell);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_width_chars (GTK_LABEL (label), 6);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (cell, "thumb-cell");
  gtk_box_append (GTK_BOX (cell), picture);
  gtk_box_append (GTK_BOX (cell), label);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  BscSampleGrid *self = BSC_SAMPLE_GRID (user_data);
  BscSampleItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  GtkWidget *picture = gtk_widget_get_first_child (cell);
  GtkWidget *label = gtk_widget_get_last_child (cell);
  BscDataset *data = bsc_thumbs_get_dataset (self->thumbs);
  GdkTexture *texture = bsc_thumbs_get (self->thumbs, item->index);
  g_autofree char *name = bsc_dataset_dup_name (data, item->index);
  g_autofree char *tip = NULL;

  gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (texture));
  gtk_widget_set_visible (picture, texture != NULL);
  gtk_label_set_text (GTK_LABEL (label), name);
  gtk_widget_set_visible (label, texture == NULL);
  if (data->labels != NULL && item->confidence >= 0)
    tip = g_strdup_printf (_("%s\nlabel %s · confidence %.2f"), name,
                           bsc_run_view_label_name (data, data->labels[item->index]),
                           item->confidence);
  else if (item->confidence >= 0)
    tip = g_strdup_printf (_("%s\nconfidence %.2f"), name, item->confidence);
  gtk_widget_set_tooltip_text (cell, tip ? tip : name);
}

/* GTK 4.8's grid view binds every item when it is given a model while it
 * has no size (a hidden stack page, a side panel just shown), a
 * millisecond and a texture each: hand the list over only once the grid
 * is on screen with a size.  It also keeps max-columns x 30 cells bound
 * (1,920 at 64 columns: every image of a large selection), so the
 * maximum follows the width the grid has. */
static void
apply_list (BscSampleGrid *self)
{
  GtkNoSelection *selection;
  int columns = gtk_widget_get_width (GTK_WIDGET (self)) / MAX (self->cell, 1);

  gtk_grid_view_set_max_columns (self->grid, CLAMP (columns, 1, 64));

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_grid_view_set_model (self->grid, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  self->pending = FALSE;
}

static gboolean
apply_when_sized_cb (GtkWidget     *widget,
                     GdkFrameClock *clock,
                     gpointer       user_data)
{
  BscSampleGrid *self = BSC_SAMPLE_GRID (widget);

  if (gtk_widget_get_width (widget) <= 0 || gtk_widget_get_height (widget) <= 0)
    return G_SOURCE_CONTINUE;   /* not laid out yet: next frame */
  self->tick_id = 0;
  if (self->pending)
    apply_list (self);
  return G_SOURCE_REMOVE;
}

static void
apply_soon (BscSampleGrid *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (!self->pending || !gtk_widget_get_mapped (widget))
    return;
  if (gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0)
    apply_list (self);
  else if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, apply_when_sized_cb,
                                                  NULL, NULL);
}

static void
bsc_sample_grid_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (bsc_sample_grid_parent_class)->map (widget);
  apply_soon (BSC_SAMPLE_GRID (widget));
}

static void
bsc_sample_grid_unmap (GtkWidget *widget)
{
  BscSampleGrid *self = BSC_SAMPLE_GRID (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;
  GTK_WIDGET_CLASS (bsc_sample_grid_parent_class)->unmap (widget);
}

static void
bsc_sample_grid_dispose (GObject *object)
{
  BscSampleGrid *self = BSC_SAMPLE_GRID (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->list);
  g_clear_object (&self->thumbs);
  G_OBJECT_CLASS (bsc_sample_grid_parent_class)->dispose (object);
}

static void
bsc_sample_grid_class_init (BscSampleGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bsc_sample_grid_dispose;
  widget_class->map = bsc_sample_grid_map;
  widget_class->unmap = bsc_sample_grid_unmap;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "samplegrid");
}

static void
bsc_sample_grid_init (BscSampleGrid *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *selection;

  self->cell = 84;
  self->list = bsc_sample_list_new (NULL, 0, NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  self->grid = GTK_GRID_VIEW (gtk_grid_view_new (GTK_SELECTION_MODEL (selection),
                                                 factory));
  gtk_grid_view_set_max_columns (self->grid, 64);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled),
                                 GTK_WIDGET (self->grid));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
bsc_sample_grid_new (void)
{
  return g_object_new (BSC_TYPE_SAMPLE_GRID, NULL);
}

void
bsc_sample_grid_set_samples (BscSampleGrid *self,
                             BscThumbs     *thumbs,
                             const guint32 *indices,
                             gsize          n,
                             const float   *confidence)
{
  g_return_if_fail (BSC_IS_SAMPLE_GRID (self));
  g_return_if_fail (thumbs == NULL || BSC_IS_THUMBS (thumbs));

  g_set_object (&self->thumbs, thumbs);
  if (thumbs == NULL)
    n = 0;
  g_clear_object (&self->list);
  self->list = bsc_sample_list_new (indices, n, confidence);
  self->pending = TRUE;
  apply_soon (self);
}

void
bsc_sample_grid_set_cell_size (BscSampleGrid *self,
                               int            cell)
{
  g_return_if_fail (BSC_IS_SAMPLE_GRID (self));
  g_return_if_fail (cell > 0);

  self->cell = cell;
}
