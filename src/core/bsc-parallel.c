/* bsc-parallel.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A process-wide GThreadPool runs all chunks but the first, which the
 * caller runs itself; the caller then waits for the others.  Chunk
 * boundaries depend only on n, align and the thread count.  A parallel
 * loop inside a chunk runs serially in that chunk's thread.
 */

#include "bsc-parallel.h"

#define MAX_THREADS 64

typedef struct
{
  BscRangeFunc func;
  gpointer     data;
  GMutex       lock;
  GCond        done;
  guint        pending;
} Job;

typedef struct
{
  Job   *job;
  gsize  begin;
  gsize  end;
} Chunk;

static GThreadPool *pool;
static __thread guint depth;   /* > 0 inside a chunk */
static guint n_threads = 1;
G_LOCK_DEFINE_STATIC (pool_lock);

static void
chunk_worker (gpointer item,
              gpointer user_data)
{
  Chunk *c = item;
  Job *job = c->job;

  depth++;
  job->func (c->begin, c->end, job->data);
  depth--;
  g_mutex_lock (&job->lock);
  if (--job->pending == 0)
    g_cond_signal (&job->done);
  g_mutex_unlock (&job->lock);
}

void
_bsc_parallel_set_threads (guint n)
{
  n = CLAMP (n, 1, MAX_THREADS);
  G_LOCK (pool_lock);
  n_threads = n;
  if (n > 1 && pool == NULL)
    pool = g_thread_pool_new (chunk_worker, NULL, MAX_THREADS - 1, FALSE, NULL);
  G_UNLOCK (pool_lock);
}

guint
_bsc_parallel_get_threads (void)
{
  return n_threads;
}

void
_bsc_parallel_for (gsize        n,
                   gsize        align,
                   gsize        min_work,
                   BscRangeFunc func,
                   gpointer     data)
{
  Chunk chunks[MAX_THREADS];
  guint t = n_threads;
  gsize step;
  Job job;

  align = MAX (align, 1);
  if (t <= 1 || pool == NULL || depth > 0 || n < min_work || n < 2 * align)
    {
      func (0, n, data);
      return;
    }
  step = (n + t - 1) / t;
  step = (step + align - 1) / align * align;
  t = (guint) ((n + step - 1) / step);

  job.func = func;
  job.data = data;
  job.pending = t - 1;
  g_mutex_init (&job.lock);
  g_cond_init (&job.done);
  for (guint i = 1; i < t; i++)
    {
      chunks[i] = (Chunk) { &job, i * step, MIN (n, (i + 1) * step) };
      g_thread_pool_push (pool, &chunks[i], NULL);
    }
  depth++;
  func (0, MIN (n, step), data);
  depth--;
  g_mutex_lock (&job.lock);
  while (job.pending > 0)
    g_cond_wait (&job.done, &job.lock);
  g_mutex_unlock (&job.lock);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.done);
}

void
_bsc_parallel_tasks (gsize        n,
                     BscRangeFunc func,
                     gpointer     data)
{
  _bsc_parallel_for (n, 1, 0, func, data);
}
