// gemm as the generators use it: the style Gemm of every AdaIN block maps the
// 1x512 source latent to 2C scale/shift values (ONNX Gemm, transB = 1). With one
// row it is a matrix-vector product, bound by reading the weights, so it reports
// GB/s next to GFLOP/s.
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "kernels/kernels.h"

namespace swaprun::bench {
namespace {

namespace k = swaprun::kernels;

struct GemmShape {
    const char* name;
    int64_t m, k, n;
};

constexpr GemmShape kShapes[] = {
    {"inswapper_style", 1, 512, 2048},
    {"live_base_style", 1, 512, 384},
};

void bm_gemm(benchmark::State& state, const GemmShape& s) {
    k::GemmParams p;
    p.m = s.m;
    p.n = s.n;
    p.k = s.k;
    p.trans_b = true;
    p.bias_rows = 1;
    p.bias_cols = s.n;
    const auto a = random_tensor(s.m * s.k, 1.0f, 11);
    const auto b = random_tensor(s.n * s.k, 0.2f, 12);
    const auto c = random_tensor(s.n, 0.02f, 13);
    std::vector<float> y(static_cast<size_t>(s.m * s.n));

    Work work;
    work.flops = 2.0 * static_cast<double>(s.m * s.n * s.k);
    work.bytes = 4.0 * static_cast<double>(s.m * s.k + s.n * s.k + s.n + s.m * s.n);
    run_kernel(state, work, [&] { k::gemm(p, a.data(), b.data(), c.data(), y.data()); });
}

}  // namespace

void register_gemm_benchmarks(const std::vector<int>& threads) {
    for (const GemmShape& s : kShapes) {
        const std::string name = std::string("gemm/") + s.name + "/" + std::to_string(s.m) + "x" +
                                 std::to_string(s.k) + "x" + std::to_string(s.n) + "_transB";
        register_threaded(name, threads, [&s](benchmark::State& state) { bm_gemm(state, s); });
    }
}

}  // namespace swaprun::bench
