/* test-metrics.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ACC, NMI and ARI against scikit-learn 1.2 (fixtures copied from
 * ../shared/reference/fixtures/metrics and hand-made special cases), and
 * the Hungarian algorithm against brute force.
 */

#include <math.h>
#include <string.h>

#include "bsc-metrics.h"
#include "bsc-npy.h"

static char *
fixture_path (const char *name)
{
  const char *root = g_getenv ("BSC_SOURCE_DIR");

  g_assert_nonnull (root);
  return g_build_filename (root, "tests", "trainer", "fixtures", name, NULL);
}

/* The fixtures are NumPy files of int64, one dimension. */
static gint32 *
read_labels (const char *name,
             gsize      *n)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  BscNpyShape shape;
  gint32 *v;

  v = bsc_npy_read_int (path, &shape, &error);
  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_cmpuint (shape.ndim, ==, 1);
  *n = shape.n_values;
  return v;
}

static void
check_case (const char *line)
{
  g_auto(GStrv) f = g_strsplit_set (line, " ", -1);
  g_autofree char *lname = NULL, *pname = NULL;
  g_autofree gint32 *labels = NULL, *pred = NULL;
  gsize n1, n2;
  BscMetrics m;

  g_assert_cmpuint (g_strv_length (f), ==, 5);
  lname = g_strconcat (f[0], "_labels.npy", NULL);
  pname = g_strconcat (f[0], "_pred.npy", NULL);
  labels = read_labels (lname, &n1);
  pred = read_labels (pname, &n2);
  g_assert_cmpuint (n1, ==, g_ascii_strtoull (f[1], NULL, 10));
  g_assert_cmpuint (n2, ==, n1);

  bsc_metrics_compute (labels, pred, n1, &m);
  g_test_message ("%s: acc %.9f nmi %.9f ari %.9f", f[0], m.acc, m.nmi, m.ari);
  g_assert_cmpfloat_with_epsilon (m.acc, g_ascii_strtod (f[2], NULL), 1e-6);
  g_assert_cmpfloat_with_epsilon (m.nmi, g_ascii_strtod (f[3], NULL), 1e-6);
  g_assert_cmpfloat_with_epsilon (m.ari, g_ascii_strtod (f[4], NULL), 1e-6);
}

static void
test_sklearn_fixtures (void)
{
  g_autofree char *path = fixture_path ("VALUES.txt");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint cases = 0;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      check_case (lines[i]);
      cases++;
    }
  g_assert_cmpuint (cases, ==, 6);
}

typedef struct
{
  const char   *name;
  gint32        labels[8];
  gint32        pred[8];
  gsize         n;
  double        acc, nmi, ari;   /* scikit-learn 1.2 for nmi, ari */
} SpecialCase;

static void
test_special_cases (void)
{
  static const SpecialCase cases[] = {
    { "const_const", { 0, 0, 0, 0 }, { 3, 3, 3, 3 }, 4, 1.0, 1.0, 1.0 },
    { "const_vs_var", { 0, 0, 0, 0 }, { 0, 1, 0, 1 }, 4, 0.5, 0.0, 0.0 },
    { "var_vs_const", { 0, 1, 2, 1 }, { 2, 2, 2, 2 }, 4, 0.5, 0.0, 0.0 },
    { "singletons", { 0, 1, 2, 3 }, { 3, 2, 1, 0 }, 4, 1.0, 1.0, 1.0 },
    { "singletons_vs_pairs", { 0, 1, 2, 3 }, { 0, 0, 1, 1 }, 4, 0.5,
      0.6666666666666666, 0.0 },
    { "one", { 5 }, { 2 }, 1, 1.0, 1.0, 1.0 },
    { "gap", { 0, 0, 4, 4, 2 }, { 7, 7, 1, 1, 1 }, 5, 0.8,
      0.7789794173345359, 0.5454545454545454 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      BscMetrics m;

      bsc_metrics_compute (cases[c].labels, cases[c].pred, cases[c].n, &m);
      g_test_message ("%s", cases[c].name);
      g_assert_cmpfloat_with_epsilon (m.acc, cases[c].acc, 1e-12);
      g_assert_cmpfloat_with_epsilon (m.nmi, cases[c].nmi, 1e-12);
      g_assert_cmpfloat_with_epsilon (m.ari, cases[c].ari, 1e-12);
    }
}

static void
test_contingency (void)
{
  static const gint32 labels[] = { 0, 1, 1, 2, 2, 2 };
  static const gint32 clusters[] = { 1, 1, 0, 0, 0, 3 };
  static const gsize expect[] = { 0, 1, 2,  1, 1, 0,  0, 0, 0,  0, 0, 1 };
  g_autofree gsize *t = bsc_metrics_contingency (labels, 3, clusters, 4, 6);

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    g_assert_cmpuint (t[i], ==, expect[i]);
}

/* Smallest total over every injective map of the shorter side. */
static double
brute_force (const double *cost,
             guint         rows,
             guint         cols,
             guint         r,
             guint32       used)
{
  guint done = (guint) __builtin_popcount (used);
  double best = INFINITY;

  if (done + (rows - r) < MIN (rows, cols))   /* cannot match enough */
    return INFINITY;
  if (r == rows)
    return 0.0;
  if (rows > cols)   /* leaving this row unmatched is allowed */
    best = brute_force (cost, rows, cols, r + 1, used);
  for (guint j = 0; j < cols; j++)
    if (!(used & (1u << j)))
      best = MIN (best, cost[r * cols + j]
                  + brute_force (cost, rows, cols, r + 1, used | (1u << j)));
  return best;
}

static void
check_assignment (const double *cost,
                  guint         rows,
                  guint         cols,
                  const gint   *a,
                  double        total)
{
  guint32 used = 0;
  guint matched = 0;
  double sum = 0.0;

  for (guint i = 0; i < rows; i++)
    {
      if (a[i] < 0)
        continue;
      g_assert_cmpint (a[i], <, (gint) cols);
      g_assert_cmpuint (used & (1u << a[i]), ==, 0);
      used |= 1u << a[i];
      sum += cost[i * cols + a[i]];
      matched++;
    }
  g_assert_cmpuint (matched, ==, MIN (rows, cols));
  g_assert_cmpfloat_with_epsilon (sum, total, 1e-9);
}

static void
test_hungarian_brute_force (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);

  for (guint trial = 0; trial < 300; trial++)
    {
      guint rows = g_rand_int_range (rng, 1, 7);
      guint cols = g_rand_int_range (rng, 1, 7);
      double cost[36];
      gint a[6];
      double total;

      for (guint i = 0; i < rows * cols; i++)   /* ties are common on purpose */
        cost[i] = trial % 2 ? g_rand_int_range (rng, 0, 4)
                            : g_rand_double_range (rng, -1.0, 1.0);
      total = bsc_hungarian (cost, rows, cols, a);
      check_assignment (cost, rows, cols, a, total);
      g_assert_cmpfloat_with_epsilon (total,
                                      brute_force (cost, rows, cols, 0, 0),
                                      1e-9);
    }
}

static void
test_hungarian_empty (void)
{
  gint a[3] = { 5, 5, 5 };

  g_assert_cmpfloat (bsc_hungarian (NULL, 3, 0, a), ==, 0.0);
  g_assert_cmpint (a[0], ==, -1);
  g_assert_cmpint (a[2], ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/sklearn-fixtures", test_sklearn_fixtures);
  g_test_add_func ("/metrics/special-cases", test_special_cases);
  g_test_add_func ("/metrics/contingency", test_contingency);
  g_test_add_func ("/metrics/hungarian-brute-force",
                   test_hungarian_brute_force);
  g_test_add_func ("/metrics/hungarian-empty", test_hungarian_empty);
  return g_test_run ();
}
