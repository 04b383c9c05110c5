// Scoped OpenMP thread count. omp_set_num_threads sets the calling thread's own
// count for the parallel regions it starts, so two contexts run on two threads can
// use different counts; the previous value is restored so the caller's own OpenMP
// code is unaffected.
#pragma once

#include <omp.h>

namespace swaprun::exec {

class ThreadCountScope {
  public:
    explicit ThreadCountScope(int threads) : previous_(omp_get_max_threads()) {
        omp_set_num_threads(threads);
    }
    ThreadCountScope(const ThreadCountScope&) = delete;
    ThreadCountScope& operator=(const ThreadCountScope&) = delete;
    ~ThreadCountScope() { omp_set_num_threads(previous_); }

  private:
    int previous_;
};

// The count a context uses for a requested one (0: every core).
inline int resolve_thread_count(int requested) {
    return requested > 0 ? requested : omp_get_num_procs();
}

}  // namespace swaprun::exec
