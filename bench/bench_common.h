// Shared pieces of kernel_bench: thread counts, the measured FMA peak, tensors,
// and the loop that times a kernel and turns its work into counters.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace swaprun::bench {

// The OpenMP thread counts every benchmark runs with: 1, 2 and all cores. Each
// benchmark takes its count as argument 0 ("threads:N" in its name).
std::vector<int> thread_counts();

// The instruction set the peak loop uses on this machine ("avx512f", "avx2+fma",
// "baseline").
const char* peak_isa();

// This machine's fp32 peak in GFLOP/s with `threads` threads: the best of a few
// short runs of the best peak loop, measured on first use and cached, so every
// kernel's fraction of peak divides by the same number.
double fma_peak_gflops(int threads);

void register_peak_benchmarks(const std::vector<int>& threads);
void register_conv_benchmarks(const std::vector<int>& threads);
void register_gemm_benchmarks(const std::vector<int>& threads);
// One thread: the micro-kernel alone (winograd_gemm_bench.cpp).
void register_winograd_gemm_benchmarks();
void register_adain_benchmarks(const std::vector<int>& threads);
void register_resize_benchmarks(const std::vector<int>& threads);
void register_elementwise_benchmarks(const std::vector<int>& threads);
void register_pipeline_benchmarks(const std::vector<int>& threads);

// Deterministic values uniform in [-scale, scale] (a fixed seed per call site).
std::vector<float> random_tensor(int64_t count, float scale, uint32_t seed);

// What one call of a kernel does: floating-point operations (2 per multiply-add)
// for compute-bound kernels, bytes of the tensors read and written once each (the
// least traffic the op needs) for memory-bound ones. Either may be 0.
struct Work {
    double flops = 0.0;
    double bytes = 0.0;
};

// Runs `call` once untimed (first touch of the outputs, OpenMP team start, per-thread
// scratch), then times it in the benchmark loop with the OpenMP thread count taken
// from argument 0. Sets the counters GFLOP/s and peak_% (when flops > 0) and GB/s
// (when bytes > 0), computed from wall time, which is what the kernels save: with
// several threads CPU time would count every thread.
template <typename Call>
void run_kernel(benchmark::State& state, const Work& work, Call&& call);

// Registers `fn` as NAME/threads:N for every thread count, in milliseconds of
// wall time.
template <typename Fn>
void register_threaded(const std::string& name, const std::vector<int>& threads, Fn&& fn) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), std::forward<Fn>(fn));
    b->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
    for (int t : threads) b->Arg(t);
}

// Implementation details of run_kernel, kept out of the template.
void set_threads(int threads);
double now_seconds();
void set_counters(benchmark::State& state, const Work& work, int threads, double seconds);

template <typename Call>
void run_kernel(benchmark::State& state, const Work& work, Call&& call) {
    const int threads = static_cast<int>(state.range(0));
    set_threads(threads);
    call();
    const double start = now_seconds();
    for (auto _ : state) {
        call();
        benchmark::ClobberMemory();
    }
    set_counters(state, work, threads, now_seconds() - start);
}

}  // namespace swaprun::bench
