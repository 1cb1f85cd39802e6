/* The thread pool of Kiln's kernels (see kiln.h). */

#define _GNU_SOURCE
#include "kiln.h"

#include <dlfcn.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Pause iterations a worker spins for the next task before it sleeps (about 0.1 ms). */
#define SPIN_LIMIT 4000

int pool_threads = 1;
long l2_bytes = 1L << 20;
sgemm_fn sgemm;

static part_fn task_fn;
static const void *task_args;
static atomic_int task_epoch;
static atomic_int task_done;
static atomic_int sleepers;
static atomic_flag pool_busy = ATOMIC_FLAG_INIT;

static void *worker_main(void *arg) {
  int part = (int) (intptr_t) arg;
  int seen = 0;
  for (;;) {
    int epoch;
    int spins = 0;
    while ((epoch = atomic_load_explicit(&task_epoch, memory_order_acquire)) == seen) {
      if (++spins < SPIN_LIMIT) {
        __builtin_ia32_pause();
        continue;
      }
      atomic_fetch_add(&sleepers, 1);
      syscall(SYS_futex, &task_epoch, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
      atomic_fetch_sub(&sleepers, 1);
      spins = 0;
    }
    seen = epoch;
    task_fn(task_args, part, pool_threads);
    atomic_fetch_add_explicit(&task_done, 1, memory_order_release);
  }
  return NULL;
}

/*
 * Runs fn over all slices: on the pool when it has several threads and the work is large enough.
 * Small work is one slice on the calling thread. If another Java thread is using the pool at the
 * moment, the calling thread runs the same slices one after the other, so that the result does not
 * depend on what other threads do.
 */
void run(part_fn fn, const void *args, long work, long min_work) {
  if (pool_threads <= 1 || work < min_work) {
    fn(args, 0, 1);
    return;
  }
  if (atomic_flag_test_and_set(&pool_busy)) {
    for (int part = 0; part < pool_threads; part++) fn(args, part, pool_threads);
    return;
  }
  task_fn = fn;
  task_args = args;
  atomic_store_explicit(&task_done, 0, memory_order_relaxed);
  atomic_fetch_add(&task_epoch, 1);
  if (atomic_load(&sleepers) > 0) {
    syscall(SYS_futex, &task_epoch, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
  }
  fn(args, 0, pool_threads);
  while (atomic_load_explicit(&task_done, memory_order_acquire) < pool_threads - 1) {
    __builtin_ia32_pause();
  }
  atomic_flag_clear(&pool_busy);
}

typedef void (*set_threads_fn)(int threads);

/*
 * Starts threads - 1 workers (once) and takes cblas_sgemm from the OpenBLAS already loaded from
 * openblas_path, which is set to one thread of its own: Kiln's threads (or, with one, the calling
 * thread) do all the work. Returns the number of threads in use, or -1 if OpenBLAS's functions
 * could not be found.
 */
int kiln_pool_start(int threads, const char *openblas_path) {
  void *lib = dlopen(openblas_path, RTLD_NOW | RTLD_NOLOAD);
  if (lib == NULL) return -1;
  sgemm = (sgemm_fn) dlsym(lib, "cblas_sgemm");
  set_threads_fn set_threads = (set_threads_fn) dlsym(lib, "openblas_set_num_threads");
  if (sgemm == NULL || set_threads == NULL) return -1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  set_threads(1); /* Kiln's threads, or the one calling thread, do all the work */
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l2 > 0) l2_bytes = l2;
  if (threads > 1) {
    for (int t = 1; t < threads; t++) {
      pthread_t worker;
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      if (pthread_create(&worker, &attr, worker_main, (void *) (intptr_t) t) != 0) {
        threads = t;
      }
      pthread_attr_destroy(&attr);
      if (threads == t) break;
    }
    pool_threads = threads;
  }
  return pool_threads;
}
