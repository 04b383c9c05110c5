// The micro-kernel of the Winograd convolutions' GEMMs (winograd_impl.h,
// winograd_s2_impl.h), a template over the xsimd architecture. Included only by the
// per-ISA translation units, each instantiation compiled with its ISA's flags.
#pragma once

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/cpu_common.h"
#include "kernels/weight_prefetch.h"

namespace swaprun::kernels::winograd_gemm {

// m[r][n * L ..] = sum_c u[c][r] * v[c][n * L ..] for r < MR, n < NR: the weights u
// broadcast MR at a time, NR vectors of tiles of v, each M element one sum over c in
// increasing order; `ahead`'s lines fetched meanwhile, at most channels / 2 of them.
template <class A, int MR, int NR>
SWAPRUN_ALWAYS_INLINE void multiply_tile(const float* __restrict u, const float* __restrict v,
                                         int64_t channels, int64_t ldv, float* __restrict m,
                                         int64_t ldm, Prefetch ahead) {
    using B = xsimd::batch<float, A>;
    constexpr int L = static_cast<int>(B::size);
    // Every loop over r and n is unrolled by pragma, so that acc's indices are constants
    // when g++ decides what lives in registers: with its zeroing and storing loops left
    // to it, acc had a copy on the stack as well, zeroed there, stored after each loop
    // over the channels and reloaded for the stores to m (119 stack accesses a call in
    // AVX-512's 6 x 4 kernel, none now; kernel_bench winograd_gemm/live_base_block
    // 1.09-1.11 -> 1.05-1.07 ms).
    B acc[MR][NR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 16
        for (int n = 0; n < NR; ++n) acc[r][n] = B(0.0f);
    }
    const auto step = [&](int64_t c) __attribute__((always_inline)) {
        B x[NR];
#pragma GCC unroll 16
        for (int n = 0; n < NR; ++n) x[n] = B::load_aligned(v + c * ldv + n * L);
        const float* uc = u + c * MR;
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const B w(uc[r]);
#pragma GCC unroll 16
            for (int n = 0; n < NR; ++n) acc[r][n] = xsimd::fma(w, x[n], acc[r][n]);
        }
    };
    // Two channels to a line, the lines first: a loop of fixed shape. Spreading the
    // lines over all the channels (a varying count of them to a line) slowed AVX2's 6 x 2
    // kernel even with nothing to fetch (live_base's blocks 17.0 -> 17.8 ms: swaprun
    // infer --profile with SWAPRUN_DISABLE_AVX512=1, 2 threads, medians of 6 runs).
    int64_t c = 0;
    for (int64_t line = 0; line < std::min(ahead.lines, channels / 2); ++line, c += 2) {
        __builtin_prefetch(ahead.first + Prefetch::kLine * line, 0, 2);
        step(c);
        step(c + 1);
    }
    for (; c < channels; ++c) step(c);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 16
        for (int n = 0; n < NR; ++n) acc[r][n].store_aligned(m + r * ldm + n * L);
    }
}

// multiply_tile, fetching nothing ahead. Never inlined: inside the stages' loops g++ ran
// short of registers for AVX2's 16 and reloaded the stride and a vector of V per FMA
// (live_mini_block 0.90 -> 1.20 ms on 1 thread, kernel_bench with
// SWAPRUN_DISABLE_AVX512=1).
template <class A, int MR, int NR>
SWAPRUN_NOINLINE void gemm_tile(const float* __restrict u, const float* __restrict v,
                                int64_t channels, int64_t ldv, float* __restrict m, int64_t ldm) {
    multiply_tile<A, MR, NR>(u, v, channels, ldv, m, ldm, Prefetch{});
}

// multiply_tile, fetching `ahead`.
template <class A, int MR, int NR>
SWAPRUN_NOINLINE void gemm_tile_fetching(const float* __restrict u, const float* __restrict v,
                                         int64_t channels, int64_t ldv, float* __restrict m,
                                         int64_t ldm, Prefetch ahead) {
    multiply_tile<A, MR, NR>(u, v, channels, ldv, m, ldm, ahead);
}

}  // namespace swaprun::kernels::winograd_gemm
