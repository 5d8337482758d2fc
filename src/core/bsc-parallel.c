/* bsc-parallel.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Persistent workers, one per thread beyond the caller's, each with its
 * own ticket: a loop hands chunk i to worker i by storing the chunk and
 * bumping that worker's ticket, runs chunk 0 itself, then waits until
 * every chunk is done.  A training step makes some forty parallel calls a
 * few microseconds apart, so both sides spin a little before they sleep:
 * waking a sleeping thread costs 30-100 us here, spinning finds the next
 * job in well under one.  Spinning yields the processor after a few
 * microseconds and sleeps after SPIN_US, so an idle or paused engine
 * costs nothing and a busy machine keeps its share.
 *
 * Chunk boundaries depend only on n, align and the thread count.  A
 * parallel loop inside a chunk runs serially in that chunk's thread; loops
 * from different threads take turns.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bsc-parallel.h"

#define MAX_THREADS 64
#define SPIN_US 2000        /* spin this long before sleeping */
#define PAUSE_US 20         /* then only pause, no yield */

typedef struct
{
  BscRangeFunc func;
  gpointer     data;
  gint         pending;     /* atomic: chunks not yet finished */
} Job;

typedef struct
{
  Job   *job;
  gsize  begin;
  gsize  end;
  gint   ticket;            /* atomic: bumped for each chunk handed over */
  gint   sleeping;          /* atomic: the worker sleeps on wake */
  GCond  wake;
} Slot;

static Slot slots[MAX_THREADS];
static guint n_workers;     /* workers started (slots 1 .. n_workers) */
static guint n_threads = 1;
static GMutex sleep_lock;   /* guards every sleep and wake-up */
static GCond done;
static gint caller_sleeping;   /* atomic: the caller sleeps on done */
static GMutex dispatch;     /* one parallel loop at a time */
static __thread guint depth;   /* > 0 inside a chunk */
static __thread gboolean serial_here;   /* see _bsc_parallel_set_serial_here */
G_LOCK_DEFINE_STATIC (setup_lock);

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Spins until (*word == value) == equal, or SPIN_US passed; TRUE if the
 * condition came true. */
static gboolean
spin_until (gint     *word,
            gint      value,
            gboolean  equal)
{
  gint64 start = g_get_monotonic_time (), now;

  for (guint i = 0;; i++)
    {
      if ((g_atomic_int_get (word) == value) == equal)
        return TRUE;
      if (i % 64 != 63)
        {
          cpu_relax ();
          continue;
        }
      now = g_get_monotonic_time ();
      if (now - start > SPIN_US)
        return FALSE;
      if (now - start > PAUSE_US)
        g_thread_yield ();
    }
}

static gpointer
worker_main (gpointer data)
{
  Slot *slot = data;
  gint seen = 0;   /* the ticket at start: it may move before we run */

  depth = 1;
  for (;;)
    {
      Job *job;

      if (!spin_until (&slot->ticket, seen, FALSE))
        {
          g_mutex_lock (&sleep_lock);
          g_atomic_int_set (&slot->sleeping, 1);
          while (g_atomic_int_get (&slot->ticket) == seen)
            g_cond_wait (&slot->wake, &sleep_lock);
          g_atomic_int_set (&slot->sleeping, 0);
          g_mutex_unlock (&sleep_lock);
        }
      seen = g_atomic_int_get (&slot->ticket);
      job = slot->job;
      job->func (slot->begin, slot->end, job->data);
      /* job lives on the caller's stack: not touched after this */
      if (g_atomic_int_dec_and_test (&job->pending)
          && g_atomic_int_get (&caller_sleeping))
        {
          g_mutex_lock (&sleep_lock);
          g_cond_signal (&done);
          g_mutex_unlock (&sleep_lock);
        }
    }
  return NULL;
}

void
_bsc_parallel_set_threads (guint n)
{
  n = CLAMP (n, 1, MAX_THREADS);
  G_LOCK (setup_lock);
  g_mutex_lock (&dispatch);
  while (n_workers + 1 < n)
    {
      Slot *slot = &slots[n_workers + 1];
      GThread *thread;

      g_cond_init (&slot->wake);
      thread = g_thread_try_new ("bsc-worker", worker_main, slot, NULL);
      if (thread == NULL)
        break;   /* the caller runs the chunks of missing workers */
      g_thread_unref (thread);
      n_workers++;
    }
  n_threads = n;
  g_mutex_unlock (&dispatch);
  G_UNLOCK (setup_lock);
}

guint
_bsc_parallel_get_threads (void)
{
  return n_threads;
}

static void
hand_over (Slot  *slot,
           Job   *job,
           gsize  begin,
           gsize  end)
{
  slot->job = job;
  slot->begin = begin;
  slot->end = end;
  g_atomic_int_inc (&slot->ticket);
  if (g_atomic_int_get (&slot->sleeping))
    {
      g_mutex_lock (&sleep_lock);
      g_cond_signal (&slot->wake);
      g_mutex_unlock (&sleep_lock);
    }
}

void
_bsc_parallel_for (gsize        n,
                   gsize        align,
                   gsize        min_work,
                   BscRangeFunc func,
                   gpointer     data)
{
  guint t = n_threads;
  gsize step;
  Job job = { func, data, 0 };

  align = MAX (align, 1);
  if (t <= 1 || depth > 0 || serial_here || n < min_work || n < 2 * align)
    {
      func (0, n, data);
      return;
    }
  step = (n + t - 1) / t;
  step = (step + align - 1) / align * align;
  t = (guint) ((n + step - 1) / step);

  g_mutex_lock (&dispatch);
  depth++;
  g_atomic_int_set (&job.pending, (gint) MIN (t - 1, n_workers));
  for (guint i = 1; i < t && i <= n_workers; i++)
    hand_over (&slots[i], &job, i * step, MIN (n, (i + 1) * step));
  func (0, MIN (n, step), data);
  for (guint i = n_workers + 1; i < t; i++)
    func (i * step, MIN (n, (i + 1) * step), data);
  if (!spin_until (&job.pending, 0, TRUE))
    {
      g_mutex_lock (&sleep_lock);
      g_atomic_int_set (&caller_sleeping, 1);
      while (g_atomic_int_get (&job.pending) > 0)
        g_cond_wait (&done, &sleep_lock);
      g_atomic_int_set (&caller_sleeping, 0);
      g_mutex_unlock (&sleep_lock);
    }
  depth--;
  g_mutex_unlock (&dispatch);
}

gboolean
_bsc_parallel_set_serial_here (gboolean serial)
{
  gboolean was = serial_here;

  serial_here = serial;
  return was;
}

void
_bsc_parallel_tasks (gsize        n,
                     BscRangeFunc func,
                     gpointer     data)
{
  _bsc_parallel_for (n, 1, 0, func, data);
}

/* ---- large arrays -------------------------------------------------- */

#define HUGE_PAGE (2u << 20)

gpointer
_bsc_big_alloc (gsize bytes)
{
  void *p = NULL;

  if (bytes < HUGE_PAGE)
    return g_try_malloc (MAX (bytes, 1));
  if (posix_memalign (&p, HUGE_PAGE, bytes) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  /* advice only: without transparent huge pages the memory works as is */
  madvise (p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

gpointer
_bsc_big_alloc0 (gsize bytes)
{
  gpointer p = _bsc_big_alloc (bytes);

  if (p != NULL)
    memset (p, 0, MAX (bytes, 1));
  return p;
}

/* ---- scratch ------------------------------------------------------- */

typedef struct
{
  gpointer data[BSC_N_SCRATCH];
  gsize    size[BSC_N_SCRATCH];
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *sc = data;

  for (guint i = 0; i < BSC_N_SCRATCH; i++)
    g_free (sc->data[i]);
  g_free (sc);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

gpointer
_bsc_scratch (BscScratchSlot slot,
              gsize          bytes)
{
  Scratch *sc = g_private_get (&scratch_key);

  g_return_val_if_fail (slot < BSC_N_SCRATCH, NULL);

  if (sc == NULL)
    {
      sc = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, sc);
    }
  if (sc->size[slot] < bytes)
    {
      g_free (sc->data[slot]);
      sc->data[slot] = g_try_malloc (bytes);
      sc->size[slot] = sc->data[slot] != NULL ? bytes : 0;
    }
  return sc->data[slot];
}
