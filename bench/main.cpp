// kernel_bench: Google Benchmark micro-benchmarks of the CPU kernels at the shapes
// of inswapper_128, live_base and live_mini, each reported against this machine's
// fp32 peak measured at start-up.
//
// Unless the command line says otherwise, every benchmark runs 3 times and only the
// aggregates are printed: the machines this runs on are shared and noisy, and the
// median row is the number to read.
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_common.h"

namespace {

bool has_flag(const std::vector<char*>& args, const char* flag) {
    const size_t n = std::strlen(flag);
    for (const char* a : args) {
        if (std::strncmp(a, flag, n) == 0 && (a[n] == '=' || a[n] == '\0')) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace swaprun::bench;
    static char kRepetitions[] = "--benchmark_repetitions=3";
    static char kAggregatesOnly[] = "--benchmark_display_aggregates_only=true";
    std::vector<char*> args(argv, argv + argc);
    if (!has_flag(args, "--benchmark_repetitions")) args.push_back(kRepetitions);
    if (!has_flag(args, "--benchmark_display_aggregates_only") &&
        !has_flag(args, "--benchmark_report_aggregates_only")) {
        args.push_back(kAggregatesOnly);
    }
    int count = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;

    const std::vector<int> threads = thread_counts();
    // The peak is measured before any benchmark runs, so that every fraction of
    // peak in this run divides by the same number, and it is printed with the
    // context so the report says what 100 % means.
    benchmark::AddCustomContext("peak_isa", peak_isa());
    for (int t : threads) {
        char value[32];
        std::snprintf(value, sizeof value, "%.1f", fma_peak_gflops(t));
        benchmark::AddCustomContext("peak_gflops_threads_" + std::to_string(t), value);
    }

    register_peak_benchmarks(threads);
    register_conv_benchmarks(threads);
    register_gemm_benchmarks(threads);
    register_winograd_gemm_benchmarks();
    register_adain_benchmarks(threads);
    register_resize_benchmarks(threads);
    register_elementwise_benchmarks(threads);
    register_pipeline_benchmarks(threads);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
