// Fast ONNX Gemm: Y = act(alpha * op(A) * op(B) + beta * C).
//
// A task is a block of up to 128 output columns times a chunk of rows. Each thread
// packs the block's op(B) panel as [k][column] (K rounded up to 4 with zero rows),
// so the innermost loop runs over contiguous output columns whatever trans_b is.
// The accumulator tile [rows][columns] stays in L1 while k advances four at a
// time; every output element is summed by one thread in increasing k.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {
namespace {

constexpr int kSteps = 4;             // k values per micro step
constexpr int64_t kMaxBlock = 128;    // output columns per block
constexpr int64_t kAccFloats = 4096;  // accumulator tile (16 KiB)
constexpr int64_t kAccSkew = 16;      // see conv2d.cpp: avoids 4 KiB aliasing

std::atomic<uint64_t> g_call_counter{0};

struct Scratch {
    std::vector<float> panel;  // [padded_k][block]
    uint64_t panel_call = 0;
    int64_t panel_first = -1;
    std::vector<float> acc;
};

thread_local Scratch t_scratch;

template <typename T>
void ensure_size(std::vector<T>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
}

struct Plan {
    const GemmParams* p = nullptr;
    int64_t padded_k = 0;
    int64_t block = 0, blocks = 0;
    int64_t acc_stride = 0;
    int64_t rows = 0, row_chunks = 0;
};

// acc[r][j] += sum_g a[r][g] * panel[g][j] for j in [0, block).
template <int R>
SWAPRUN_ALWAYS_INLINE void block_step(float* __restrict acc, int64_t acc_stride, int64_t block,
                                      const float* __restrict panel, const float (&a)[R][kSteps]) {
    for (int64_t j = 0; j < block; ++j) {
        for (int r = 0; r < R; ++r) {
            float s = acc[r * acc_stride + j];
            for (int g = 0; g < kSteps; ++g) s += a[r][g] * panel[g * block + j];
            acc[r * acc_stride + j] = s;
        }
    }
}

template <int R>
SWAPRUN_ALWAYS_INLINE void row_step(const Plan& plan, const float* a, int64_t i, int64_t k0,
                                    float* acc, const float* panel) {
    const GemmParams& p = *plan.p;
    float av[R][kSteps];
    for (int r = 0; r < R; ++r) {
        for (int g = 0; g < kSteps; ++g) {
            const int64_t k = k0 + g;
            av[r][g] = k >= p.k ? 0.0f : (p.trans_a ? a[k * p.m + i + r] : a[(i + r) * p.k + k]);
        }
    }
    block_step<R>(acc, plan.acc_stride, plan.block, panel, av);
}

void pack_panel(const Plan& plan, const float* b, int64_t first, int64_t valid, float* panel) {
    const GemmParams& p = *plan.p;
    const int64_t block = plan.block;
    std::fill(panel, panel + plan.padded_k * block, 0.0f);
    if (!p.trans_b) {
        for (int64_t k = 0; k < p.k; ++k) {
            const float* src = b + k * p.n + first;
            std::copy(src, src + valid, panel + k * block);
        }
    } else {
        constexpr int64_t kStep = 64;
        for (int64_t k0 = 0; k0 < p.k; k0 += kStep) {
            const int64_t k1 = std::min(p.k, k0 + kStep);
            for (int64_t j = 0; j < valid; ++j) {
                const float* src = b + (first + j) * p.k;
                for (int64_t k = k0; k < k1; ++k) panel[k * block + j] = src[k];
            }
        }
    }
}

template <int kRows>
SWAPRUN_ALWAYS_INLINE void task_impl(const Plan& plan, Scratch& s, const float* a, const float* c,
                                     int64_t first, int64_t valid, int64_t i0, int64_t i1,
                                     float* y) {
    const GemmParams& p = *plan.p;
    float* acc = s.acc.data();
    const float* panel = s.panel.data();
    std::fill(acc, acc + (i1 - i0) * plan.acc_stride, 0.0f);
    for (int64_t k0 = 0; k0 < plan.padded_k; k0 += kSteps) {
        const float* w = panel + k0 * plan.block;
        int64_t i = i0;
        for (; i + kRows <= i1; i += kRows) {
            row_step<kRows>(plan, a, i, k0, acc + (i - i0) * plan.acc_stride, w);
        }
        for (; i < i1; ++i) row_step<1>(plan, a, i, k0, acc + (i - i0) * plan.acc_stride, w);
    }
    for (int64_t i = i0; i < i1; ++i) {
        const float* src = acc + (i - i0) * plan.acc_stride;
        float* dst = y + i * p.n + first;
        const float alpha = p.alpha;
        for (int64_t j = 0; j < valid; ++j) dst[j] = alpha * src[j];
        if (c != nullptr) {
            const float beta = p.beta;
            const float* crow = c + (i % p.bias_rows) * p.bias_cols;
            if (p.bias_cols == 1) {
                const float cv = beta * crow[0];
                for (int64_t j = 0; j < valid; ++j) dst[j] += cv;
            } else {
                for (int64_t j = 0; j < valid; ++j) dst[j] += beta * crow[first + j];
            }
        }
        cpu::activate_inplace(dst, valid, p.activation);
    }
}

void task_generic(const Plan& plan, Scratch& s, const float* a, const float* c, int64_t first,
                  int64_t valid, int64_t i0, int64_t i1, float* y) {
    task_impl<2>(plan, s, a, c, first, valid, i0, i1, y);
}

SWAPRUN_TARGET_AVX2 void task_avx2(const Plan& plan, Scratch& s, const float* a, const float* c,
                                   int64_t first, int64_t valid, int64_t i0, int64_t i1, float* y) {
    task_impl<4>(plan, s, a, c, first, valid, i0, i1, y);
}

}  // namespace

void gemm(const GemmParams& p, const float* a, const float* b, const float* c, float* y) {
    if (p.m <= 0 || p.n <= 0) return;
    Plan plan;
    plan.p = &p;
    plan.padded_k = (std::max<int64_t>(p.k, 0) + kSteps - 1) / kSteps * kSteps;
    plan.block = std::min(kMaxBlock, (p.n + 7) / 8 * 8);
    plan.blocks = (p.n + plan.block - 1) / plan.block;
    plan.acc_stride = plan.block + kAccSkew;
    plan.rows = std::max<int64_t>(4, kAccFloats / plan.block);
    plan.row_chunks = (p.m + plan.rows - 1) / plan.rows;

    const uint64_t call = g_call_counter.fetch_add(1, std::memory_order_relaxed) + 1;
    const bool avx2 = cpu::use_avx2();
    const int64_t tasks = plan.blocks * plan.row_chunks;
    const double work = static_cast<double>(p.m) * static_cast<double>(p.n) *
                        static_cast<double>(std::max<int64_t>(p.k, 1));

#pragma omp parallel if (tasks > 1 && work >= 65536.0)
    {
        Scratch& s = t_scratch;
        ensure_size(s.panel, plan.padded_k * plan.block);
        ensure_size(s.acc, plan.rows * plan.acc_stride);

#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t jb = t / plan.row_chunks;
            const int64_t ic = t % plan.row_chunks;
            const int64_t first = jb * plan.block;
            const int64_t valid = std::min(plan.block, p.n - first);
            if (s.panel_call != call || s.panel_first != first) {
                pack_panel(plan, b, first, valid, s.panel.data());
                s.panel_call = call;
                s.panel_first = first;
            }
            const int64_t i0 = ic * plan.rows;
            const int64_t i1 = std::min(p.m, i0 + plan.rows);
            if (avx2) {
                task_avx2(plan, s, a, c, first, valid, i0, i1, y);
            } else {
                task_generic(plan, s, a, c, first, valid, i0, i1, y);
            }
        }
    }
}

}  // namespace swaprun::kernels
