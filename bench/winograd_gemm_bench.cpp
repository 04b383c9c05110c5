// winograd_gemm/: the Winograd convolutions' GEMM micro-kernel alone, on one thread,
// so that its fraction of the FMA peak is its own: conv2d/ counts a Winograd layer's
// work as the direct convolution's multiplies (and so can pass 100 %), and its time
// includes the transforms. A pass of a layer multiplies, for each of the 36 points,
// U's k_padded x in_channels slice by V's in_channels x tiles slice, a micro-kernel
// (mr output channels by nr vectors of tiles) at a time, in the order the stages run
// them (winograd_impl.h, Pass::gemm). Here one point's U, V and M serve all 36, so
// they stay in cache (in L2 up to live_base's 192 channels, as in the layers whose U
// is made per run; inswapper_128's U of a point, 4 MiB, does not fit): the figure is
// the micro-kernel's, not a layer's.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_common.h"
#include "kernels/conv2d_prepared.h"
#include "kernels/winograd.h"

namespace swaprun::bench {
namespace {

namespace k = swaprun::kernels;

struct GemmShape {
    const char* name;
    int64_t in_c, out_c, tiles;  // tiles: a pass's (winograd_tile_block, conv2d_choice.cpp)
};

// The generators' Winograd layers, each a pass of 64 tiles: the residual blocks (the
// whole 32 x 32 layer) and live_base's up.1.
constexpr GemmShape kShapes[] = {
    {"live_base_block", 192, 192, 64},
    {"live_mini_block", 128, 128, 64},
    {"live_base_up1", 192, 64, 64},
    {"inswapper_block", 1024, 1024, 64},
};

void bm_winograd_gemm(benchmark::State& state, const GemmShape& s, const k::winograd::Kernels& wk) {
    const int64_t cols = static_cast<int64_t>(wk.lanes) * wk.nr;
    const int64_t k_blocks = (s.out_c + wk.mr - 1) / wk.mr;
    const int64_t block = (s.tiles + cols - 1) / cols * cols;  // whole micro-kernel columns
    const auto u = random_tensor(k_blocks * wk.mr * s.in_c, 0.1f, 21);
    const auto v = random_tensor(s.in_c * block, 1.0f, 22);
    // 64-byte aligned copies: the micro-kernel's vector loads and stores are aligned.
    k::AlignedFloats u_a(u.size()), v_a(v.size()), m(static_cast<size_t>(k_blocks * wk.mr * block));
    std::copy(u.begin(), u.end(), u_a.data());
    std::copy(v.begin(), v.end(), v_a.data());
    Work work;
    work.flops = 2.0 * 36.0 * static_cast<double>(s.out_c * s.in_c * s.tiles);
    run_kernel(state, work, [&] {
        for (int xi = 0; xi < 36; ++xi) {
            for (int64_t kb = 0; kb < k_blocks; ++kb) {
                for (int64_t cb = 0; cb < block / cols; ++cb) {
                    wk.gemm_tile(u_a.data() + kb * s.in_c * wk.mr, v_a.data() + cb * cols, s.in_c,
                                 block, m.data() + kb * wk.mr * block + cb * cols, block);
                }
            }
        }
    });
    state.SetLabel(std::string(wk.name) + " " + std::to_string(wk.mr) + "x" +
                   std::to_string(wk.nr));
}

}  // namespace

void register_winograd_gemm_benchmarks() {
    const k::ConvIsa isa = k::best_conv_isa();
    const k::winograd::Kernels* narrow = k::winograd_kernels(isa);
    if (narrow == nullptr) return;  // the portable path has no Winograd kernels
    const k::winograd::Kernels* wide = k::winograd_kernels(isa, true);
    // The wide kernels where the ISA has a second shape (AVX-512).
    std::vector<std::pair<const char*, const k::winograd::Kernels*>> kernels{{"narrow", narrow}};
    if (wide != narrow) kernels.emplace_back("wide", wide);
    for (const GemmShape& s : kShapes) {
        for (const auto& [tiling, wk] : kernels) {
            const std::string name = std::string("winograd_gemm/") + s.name + "/" + tiling;
            register_threaded(name, {1}, [&s, wk = wk](benchmark::State& state) {
                bm_winograd_gemm(state, s, *wk);
            });
        }
    }
}

}  // namespace swaprun::bench
