// Thread counts, tensors and counters shared by every kernel benchmark.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "bench/bench_common.h"

namespace swaprun::bench {

std::vector<int> thread_counts() {
    std::vector<int> counts{1, 2, omp_get_num_procs()};
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
    return counts;
}

std::vector<float> random_tensor(int64_t count, float scale, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-scale, scale);
    std::vector<float> v(static_cast<size_t>(count));
    for (float& x : v) x = dist(rng);
    return v;
}

void set_threads(int threads) { omp_set_num_threads(threads); }

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void set_counters(benchmark::State& state, const Work& work, int threads, double seconds) {
    const double calls = static_cast<double>(state.iterations());
    if (seconds <= 0.0 || calls == 0.0) return;
    if (work.flops > 0.0) {
        const double gflops = work.flops * calls / seconds / 1e9;
        state.counters["GFLOP/s"] = gflops;
        state.counters["peak_%"] = 100.0 * gflops / fma_peak_gflops(threads);
    }
    if (work.bytes > 0.0) state.counters["GB/s"] = work.bytes * calls / seconds / 1e9;
}

}  // namespace swaprun::bench
