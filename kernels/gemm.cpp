// Fast ONNX Gemm: Y = act(alpha * op(A) * op(B) + beta * C).
//
// A task is a block of up to 128 output columns times a chunk of rows. The block's
// op(B) panel is read as [k][column] rows: straight from B when it is not
// transposed, else from a per-thread packed copy. The innermost loop runs over
// contiguous output columns; the accumulator tile [rows][columns] stays in L1
// while k advances four at a time, and every output element is summed by one
// thread in increasing k. A transposed B with very few rows of A (a
// matrix-vector product) is computed as dot products instead, which reads B once.
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
constexpr int64_t kDotMaxRows = 4;    // trans_b with at most this many rows: dot products

std::atomic<uint64_t> g_call_counter{0};

struct Scratch {
    std::vector<float> panel;  // [k][block], only for a transposed B
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
    int64_t block = 0, blocks = 0;
    int64_t acc_stride = 0;
    int64_t rows = 0, row_chunks = 0;
};

// The op(B) panel of one column block: row k holds `width` columns at panel + k * ld.
struct Panel {
    const float* data = nullptr;
    int64_t ld = 0;
    int64_t width = 0;
};

// acc[r][j] += sum_g a[r][g] * panel[g][j] for j in [0, width).
template <int R, int G>
SWAPRUN_ALWAYS_INLINE void block_step(float* __restrict acc, int64_t acc_stride,
                                      const float* __restrict panel, int64_t ld, int64_t width,
                                      const float (&a)[R][G]) {
    for (int64_t j = 0; j < width; ++j) {
        for (int r = 0; r < R; ++r) {
            float s = acc[r * acc_stride + j];
            for (int g = 0; g < G; ++g) s += a[r][g] * panel[g * ld + j];
            acc[r * acc_stride + j] = s;
        }
    }
}

template <int R, int G>
SWAPRUN_ALWAYS_INLINE void row_step(const Plan& plan, const float* a, int64_t i, int64_t k0,
                                    float* acc, const Panel& panel) {
    const GemmParams& p = *plan.p;
    float av[R][G];
    for (int r = 0; r < R; ++r) {
        for (int g = 0; g < G; ++g) {
            const int64_t k = k0 + g;
            av[r][g] = p.trans_a ? a[k * p.m + i + r] : a[(i + r) * p.k + k];
        }
    }
    block_step<R, G>(acc, plan.acc_stride, panel.data + k0 * panel.ld, panel.ld, panel.width, av);
}

template <int G>
SWAPRUN_ALWAYS_INLINE void k_step(const Plan& plan, int rows_per_step, const float* a, int64_t i0,
                                  int64_t i1, int64_t k0, float* acc, const Panel& panel) {
    int64_t i = i0;
    if (rows_per_step == 4) {
        for (; i + 4 <= i1; i += 4) {
            row_step<4, G>(plan, a, i, k0, acc + (i - i0) * plan.acc_stride, panel);
        }
    }
    for (; i + 2 <= i1; i += 2) {
        row_step<2, G>(plan, a, i, k0, acc + (i - i0) * plan.acc_stride, panel);
    }
    for (; i < i1; ++i) row_step<1, G>(plan, a, i, k0, acc + (i - i0) * plan.acc_stride, panel);
}

void pack_panel(const GemmParams& p, const float* b, int64_t first, int64_t valid, int64_t ld,
                float* panel) {
    constexpr int64_t kStep = 64;
    for (int64_t k0 = 0; k0 < p.k; k0 += kStep) {
        const int64_t k1 = std::min(p.k, k0 + kStep);
        for (int64_t j = 0; j < valid; ++j) {
            const float* src = b + (first + j) * p.k;
            for (int64_t k = k0; k < k1; ++k) panel[k * ld + j] = src[k];
        }
    }
}

// Epilogue of one output row segment: alpha, bias, activation.
SWAPRUN_ALWAYS_INLINE void finish_row(const GemmParams& p, const float* c, int64_t i, int64_t first,
                                      int64_t valid, float* dst) {
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

template <int kRows>
SWAPRUN_ALWAYS_INLINE void task_impl(const Plan& plan, Scratch& s, const float* a, const float* c,
                                     const Panel& panel, int64_t first, int64_t i0, int64_t i1,
                                     float* y) {
    const GemmParams& p = *plan.p;
    float* acc = s.acc.data();
    std::fill(acc, acc + (i1 - i0) * plan.acc_stride, 0.0f);
    int64_t k0 = 0;
    for (; k0 + kSteps <= p.k; k0 += kSteps) k_step<kSteps>(plan, kRows, a, i0, i1, k0, acc, panel);
    for (; k0 < p.k; ++k0) k_step<1>(plan, kRows, a, i0, i1, k0, acc, panel);
    for (int64_t i = i0; i < i1; ++i) {
        const float* src = acc + (i - i0) * plan.acc_stride;
        float* dst = y + i * p.n + first;
        const float alpha = p.alpha;
        for (int64_t j = 0; j < panel.width; ++j) dst[j] = alpha * src[j];
        finish_row(p, c, i, first, panel.width, dst);
    }
}

void task_generic(const Plan& plan, Scratch& s, const float* a, const float* c, const Panel& panel,
                  int64_t first, int64_t i0, int64_t i1, float* y) {
    task_impl<2>(plan, s, a, c, panel, first, i0, i1, y);
}

SWAPRUN_TARGET_AVX2 void task_avx2(const Plan& plan, Scratch& s, const float* a, const float* c,
                                   const Panel& panel, int64_t first, int64_t i0, int64_t i1,
                                   float* y) {
    task_impl<4>(plan, s, a, c, panel, first, i0, i1, y);
}

// y[i][j] = dot(op(A)[i], B[j]) for a transposed B, one block of columns.
SWAPRUN_ALWAYS_INLINE void dot_impl(const GemmParams& p, const float* a, const float* b,
                                    const float* c, int64_t first, int64_t valid, float* y) {
    for (int64_t i = 0; i < p.m; ++i) {
        float* dst = y + i * p.n + first;
        for (int64_t j = 0; j < valid; ++j) {
            const float* bj = b + (first + j) * p.k;
            float s = 0.0f;
            if (p.trans_a) {
                for (int64_t k = 0; k < p.k; ++k) s += a[k * p.m + i] * bj[k];
            } else {
                const float* ai = a + i * p.k;
#pragma omp simd reduction(+ : s)
                for (int64_t k = 0; k < p.k; ++k) s += ai[k] * bj[k];
            }
            dst[j] = p.alpha * s;
        }
        finish_row(p, c, i, first, valid, dst);
    }
}

void dot_generic(const GemmParams& p, const float* a, const float* b, const float* c, int64_t first,
                 int64_t valid, float* y) {
    dot_impl(p, a, b, c, first, valid, y);
}

SWAPRUN_TARGET_AVX2 void dot_avx2(const GemmParams& p, const float* a, const float* b,
                                  const float* c, int64_t first, int64_t valid, float* y) {
    dot_impl(p, a, b, c, first, valid, y);
}

}  // namespace

void gemm(const GemmParams& p, const float* a, const float* b, const float* c, float* y) {
    if (p.m <= 0 || p.n <= 0) return;
    const bool avx2 = cpu::use_avx2();
    const double work = static_cast<double>(p.m) * static_cast<double>(p.n) *
                        static_cast<double>(std::max<int64_t>(p.k, 1));

    if (p.trans_b && p.m <= kDotMaxRows) {
        constexpr int64_t kCols = 32;
        const int64_t blocks = (p.n + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (blocks > 1 && work >= 65536.0)
        for (int64_t jb = 0; jb < blocks; ++jb) {
            const int64_t first = jb * kCols;
            const int64_t valid = std::min(kCols, p.n - first);
            if (avx2) {
                dot_avx2(p, a, b, c, first, valid, y);
            } else {
                dot_generic(p, a, b, c, first, valid, y);
            }
        }
        return;
    }

    Plan plan;
    plan.p = &p;
    plan.block = std::min(kMaxBlock, (p.n + 7) / 8 * 8);
    plan.blocks = (p.n + plan.block - 1) / plan.block;
    plan.acc_stride = plan.block + kAccSkew;
    plan.rows = std::max<int64_t>(4, kAccFloats / plan.block);
    plan.row_chunks = (p.m + plan.rows - 1) / plan.rows;

    const uint64_t call = g_call_counter.fetch_add(1, std::memory_order_relaxed) + 1;
    const int64_t tasks = plan.blocks * plan.row_chunks;

#pragma omp parallel if (tasks > 1 && work >= 65536.0)
    {
        Scratch& s = t_scratch;
        if (p.trans_b) ensure_size(s.panel, std::max<int64_t>(p.k, 1) * plan.block);
        ensure_size(s.acc, plan.rows * plan.acc_stride);

#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t jb = t / plan.row_chunks;
            const int64_t ic = t % plan.row_chunks;
            const int64_t first = jb * plan.block;
            Panel panel;
            panel.width = std::min(plan.block, p.n - first);
            if (p.trans_b) {
                if (s.panel_call != call || s.panel_first != first) {
                    pack_panel(p, b, first, panel.width, plan.block, s.panel.data());
                    s.panel_call = call;
                    s.panel_first = first;
                }
                panel.data = s.panel.data();
                panel.ld = plan.block;
            } else {
                panel.data = b + first;
                panel.ld = p.n;
            }
            const int64_t i0 = ic * plan.rows;
            const int64_t i1 = std::min(p.m, i0 + plan.rows);
            if (avx2) {
                task_avx2(plan, s, a, c, panel, first, i0, i1, y);
            } else {
                task_generic(plan, s, a, c, panel, first, i0, i1, y);
            }
        }
    }
}

}  // namespace swaprun::kernels
