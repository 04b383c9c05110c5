// The fp32 peak of this machine, measured on the spot: the best peak loop the CPU
// supports (chosen at run time, so one binary runs on any x86-64), run on 1..N
// threads. Kernel benchmarks divide their GFLOP/s by the cached result.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/peak_loops.h"

namespace swaprun::bench {
namespace {

struct PeakLoop {
    const char* isa;
    double flops_per_iteration;
    float (*run)(long long iterations);
};

// Every loop this machine can run, best last.
std::vector<PeakLoop> supported_loops() {
    std::vector<PeakLoop> loops{{"baseline", kFlopsBaseline, &peak_loop_baseline}};
#if defined(SWAPRUN_BENCH_X86)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        loops.push_back({"avx2+fma", kFlopsAvx2, &peak_loop_avx2});
    }
    if (__builtin_cpu_supports("avx512f")) {
        loops.push_back({"avx512f", kFlopsAvx512, &peak_loop_avx512});
    }
#endif
    return loops;
}

const PeakLoop& best_loop() {
    static const PeakLoop best = supported_loops().back();
    return best;
}

// One run of `iterations` steps on each of `threads` threads; returns GFLOP/s.
double run_loop(const PeakLoop& loop, int threads, long long iterations) {
    std::vector<float> sink(static_cast<size_t>(threads));
    const double start = now_seconds();
#pragma omp parallel num_threads(threads)
    sink[static_cast<size_t>(omp_get_thread_num())] = loop.run(iterations);
    const double seconds = now_seconds() - start;
    benchmark::DoNotOptimize(sink.data());
    return loop.flops_per_iteration * static_cast<double>(iterations) * threads / seconds / 1e9;
}

// Steps that take about `seconds` on one thread.
long long calibrate(const PeakLoop& loop, double seconds) {
    long long iterations = 1 << 14;
    for (;;) {
        const double start = now_seconds();
        benchmark::DoNotOptimize(loop.run(iterations));
        const double took = now_seconds() - start;
        if (took > 0.005) {
            return std::max(
                1LL, static_cast<long long>(static_cast<double>(iterations) * seconds / took));
        }
        iterations *= 4;
    }
}

void bm_peak(benchmark::State& state, PeakLoop loop) {
    const int threads = static_cast<int>(state.range(0));
    // About 20 ms per call: long enough to hide the OpenMP fork/join, short enough
    // for several iterations per repetition.
    static std::map<const char*, long long> steps;
    long long& iterations = steps[loop.isa];
    if (iterations == 0) iterations = calibrate(loop, 0.02);
    Work work;
    work.flops = loop.flops_per_iteration * static_cast<double>(iterations) * threads;
    std::vector<float> sink(static_cast<size_t>(threads));
    run_kernel(state, work, [&] {
#pragma omp parallel num_threads(threads)
        sink[static_cast<size_t>(omp_get_thread_num())] = loop.run(iterations);
        benchmark::DoNotOptimize(sink.data());
    });
    state.SetLabel(loop.isa);
}

}  // namespace

const char* peak_isa() { return best_loop().isa; }

double fma_peak_gflops(int threads) {
    // Recursive: the peak for several threads is judged against the 1-thread one.
    static std::recursive_mutex mutex;
    static std::map<int, double> cache;
    const std::lock_guard<std::recursive_mutex> lock(mutex);
    const auto found = cache.find(threads);
    if (found != cache.end()) return found->second;

    const PeakLoop& loop = best_loop();
    static const long long iterations = calibrate(loop, 0.02);
    // What the cores would give if all of them were free: n times one core.
    const double linear = threads > 1 ? threads * fma_peak_gflops(1) : 0.0;
    // About 0.2 s of warm-up: starts the OpenMP team and lets the cores reach the
    // clock they hold under load (a single short run measured a few % low).
    for (int k = 0; k < 10; ++k) run_loop(loop, threads, iterations);
    // The best of several short runs. Unlike a kernel's time, the peak is a property
    // of the machine: load from other processes can only lower a run, never raise
    // it, so the fastest run is the closest estimate. With several threads, runs go
    // on (for up to 2 s) until one of them finds the cores free at the same time.
    double best = 0.0;
    const double deadline = now_seconds() + 2.0;
    for (int k = 0;; ++k) {
        best = std::max(best, run_loop(loop, threads, iterations));
        if (k >= 10 && (best >= 0.9 * linear || now_seconds() > deadline)) break;
    }
    if (best < 0.75 * linear) {
        std::fprintf(stderr,
                     "kernel_bench: warning: %d threads reach %.1f GFLOP/s, %.0f %% of %d x the "
                     "1-thread peak; other processes hold cores, so fractions of peak at %d "
                     "threads come out too high\n",
                     threads, best, 100.0 * best / linear, threads, threads);
    }
    return cache[threads] = best;
}

void register_peak_benchmarks(const std::vector<int>& threads) {
    for (const PeakLoop& loop : supported_loops()) {
        register_threaded(std::string("fma_peak/") + loop.isa, threads,
                          [loop](benchmark::State& state) { bm_peak(state, loop); });
    }
}

}  // namespace swaprun::bench
