// Fast broadcasting binary ops and elementwise unary ops.
//
// Binary: the operand shapes are right-aligned against the output, axes of size 1
// are dropped and adjacent axes that both operands walk the same way are merged,
// leaving a few outer axes and one inner run in which each operand is either
// contiguous or a repeated scalar. The inner run is a plain vectorizable loop;
// outer runs are split across threads.
//
// With a simd::Table (AVX2 / AVX-512) the inner runs and unary slices go through
// its explicitly vectorized loops, which include a vector tanh and sigmoid: glibc's
// scalar tanhf dominated the generators' final TanhUnit.
#include <cmath>
#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {
namespace {

constexpr int64_t kParallelMin = 1 << 15;  // elements below which a loop stays serial

template <BinaryOp kOp>
SWAPRUN_ALWAYS_INLINE float apply(float a, float b) {
    if constexpr (kOp == BinaryOp::Add) return a + b;
    if constexpr (kOp == BinaryOp::Sub) return a - b;
    if constexpr (kOp == BinaryOp::Mul) return a * b;
    if constexpr (kOp == BinaryOp::Div) return a / b;
    if constexpr (kOp == BinaryOp::Pow) return std::pow(a, b);
    if constexpr (kOp == BinaryOp::Max) return a < b ? b : a;
    if constexpr (kOp == BinaryOp::Min) return b < a ? b : a;
    if constexpr (kOp == BinaryOp::PRelu) return a < 0.0f ? a * b : a;
    return 0.0f;
}

// One inner run of n outputs; sa / sb are 0 (repeat) or 1 (contiguous).
template <BinaryOp kOp>
SWAPRUN_ALWAYS_INLINE void run(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                               int64_t n) {
    if (sa == 1 && sb == 1) {
        if (out == a) {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(out[i], b[i]);
        } else if (out == b) {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(a[i], out[i]);
        } else {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(a[i], b[i]);
        }
    } else if (sa == 1) {
        const float bv = b[0];
        if (out == a) {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(out[i], bv);
        } else {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(a[i], bv);
        }
    } else if (sb == 1) {
        const float av = a[0];
        if (out == b) {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(av, out[i]);
        } else {
            for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(av, b[i]);
        }
    } else {
        const float v = apply<kOp>(a[0], b[0]);
        for (int64_t i = 0; i < n; ++i) out[i] = v;
    }
}

struct Layout {
    int rank = 0;  // merged axes, the last one being the inner run
    int64_t dims[kMaxRank] = {};
    int64_t sa[kMaxRank] = {};
    int64_t sb[kMaxRank] = {};
};

Layout merge_axes(const Shape& as, const Shape& bs, const Shape& os) {
    // Per output axis: its size and each operand's stride (0 where broadcast).
    int64_t dims[kMaxRank], sa[kMaxRank], sb[kMaxRank];
    int64_t stride_a = 1, stride_b = 1;
    for (int d = os.rank - 1; d >= 0; --d) {
        dims[d] = os.dims[d];
        const int da = d - (os.rank - as.rank);
        const int db = d - (os.rank - bs.rank);
        const int64_t na = da >= 0 ? as.dims[da] : 1;
        const int64_t nb = db >= 0 ? bs.dims[db] : 1;
        sa[d] = na == 1 ? 0 : stride_a;
        sb[d] = nb == 1 ? 0 : stride_b;
        stride_a *= na;
        stride_b *= nb;
    }
    Layout l;
    for (int d = 0; d < os.rank; ++d) {
        if (dims[d] == 1) continue;
        if (l.rank > 0) {
            const int q = l.rank - 1;
            if (l.sa[q] == sa[d] * dims[d] && l.sb[q] == sb[d] * dims[d]) {
                l.dims[q] *= dims[d];
                l.sa[q] = sa[d];
                l.sb[q] = sb[d];
                continue;
            }
        }
        l.dims[l.rank] = dims[d];
        l.sa[l.rank] = sa[d];
        l.sb[l.rank] = sb[d];
        ++l.rank;
    }
    if (l.rank == 0) {  // a scalar result
        l.rank = 1;
        l.dims[0] = 1;
        l.sa[0] = 0;
        l.sb[0] = 0;
    }
    return l;
}

template <BinaryOp kOp>
SWAPRUN_ALWAYS_INLINE void binary_impl(const Layout& l, const float* a, const float* b,
                                       float* out) {
    const int inner = l.rank - 1;
    const int64_t n = l.dims[inner];
    int64_t outer = 1;
    for (int d = 0; d < inner; ++d) outer *= l.dims[d];

    if (outer == 1) {
        // One long run: split it into contiguous slices.
        constexpr int64_t kSlice = 1 << 14;
        const int64_t slices = (n + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t s = 0; s < slices; ++s) {
            const int64_t i0 = s * kSlice;
            const int64_t len = n - i0 < kSlice ? n - i0 : kSlice;
            run<kOp>(a + i0 * l.sa[inner], l.sa[inner], b + i0 * l.sb[inner], l.sb[inner], out + i0,
                     len);
        }
        return;
    }
#pragma omp parallel for schedule(static) if (outer * n >= kParallelMin)
    for (int64_t o = 0; o < outer; ++o) {
        int64_t rest = o, oa = 0, ob = 0;
        for (int d = inner - 1; d >= 0; --d) {
            const int64_t i = rest % l.dims[d];
            rest /= l.dims[d];
            oa += i * l.sa[d];
            ob += i * l.sb[d];
        }
        run<kOp>(a + oa, l.sa[inner], b + ob, l.sb[inner], out + o * n, n);
    }
}

template <BinaryOp kOp>
void binary_generic(const Layout& l, const float* a, const float* b, float* out) {
    binary_impl<kOp>(l, a, b, out);
}

template <BinaryOp kOp>
SWAPRUN_TARGET_AVX2 void binary_avx2(const Layout& l, const float* a, const float* b, float* out) {
    binary_impl<kOp>(l, a, b, out);
}

// binary_impl's loop structure, with the inner runs done by a simd::Table.
void binary_simd(const simd::Table& t, BinaryOp op, const Layout& l, const float* a, const float* b,
                 float* out) {
    const int inner = l.rank - 1;
    const int64_t n = l.dims[inner];
    const int64_t sa = l.sa[inner], sb = l.sb[inner];
    int64_t outer = 1;
    for (int d = 0; d < inner; ++d) outer *= l.dims[d];

    if (outer == 1) {
        constexpr int64_t kSlice = 1 << 14;
        const int64_t slices = (n + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t s = 0; s < slices; ++s) {
            const int64_t i0 = s * kSlice;
            const int64_t len = n - i0 < kSlice ? n - i0 : kSlice;
            t.binary(op, a + i0 * sa, sa, b + i0 * sb, sb, out + i0, len);
        }
        return;
    }
#pragma omp parallel for schedule(static) if (outer * n >= kParallelMin)
    for (int64_t o = 0; o < outer; ++o) {
        int64_t rest = o, oa = 0, ob = 0;
        for (int d = inner - 1; d >= 0; --d) {
            const int64_t i = rest % l.dims[d];
            rest /= l.dims[d];
            oa += i * l.sa[d];
            ob += i * l.sb[d];
        }
        t.binary(op, a + oa, sa, b + ob, sb, out + o * n, n);
    }
}

template <BinaryOp kOp>
void binary_dispatch(const Layout& l, const float* a, const float* b, float* out) {
    if (const simd::Table* t = simd::table(); t != nullptr && kOp != BinaryOp::Pow) {
        binary_simd(*t, kOp, l, a, b, out);
    } else if (cpu::use_avx2()) {
        binary_avx2<kOp>(l, a, b, out);
    } else {
        binary_generic<kOp>(l, a, b, out);
    }
}

template <UnaryOp kOp>
SWAPRUN_ALWAYS_INLINE float apply_unary(float x, float alpha) {
    if constexpr (kOp == UnaryOp::Identity) return x;
    if constexpr (kOp == UnaryOp::Relu) return x > 0.0f ? x : 0.0f;
    if constexpr (kOp == UnaryOp::LeakyRelu) return x < 0.0f ? alpha * x : x;
    if constexpr (kOp == UnaryOp::Tanh) return std::tanh(x);
    if constexpr (kOp == UnaryOp::TanhUnit) return (std::tanh(x) + 1.0f) * 0.5f;
    if constexpr (kOp == UnaryOp::Sigmoid) return 1.0f / (1.0f + std::exp(-x));
    if constexpr (kOp == UnaryOp::Sqrt) return std::sqrt(x);
    if constexpr (kOp == UnaryOp::Neg) return -x;
    if constexpr (kOp == UnaryOp::Abs) return std::fabs(x);
    if constexpr (kOp == UnaryOp::Exp) return std::exp(x);
    if constexpr (kOp == UnaryOp::Log) return std::log(x);
    return x;
}

template <UnaryOp kOp>
SWAPRUN_ALWAYS_INLINE void unary_impl(float alpha, int64_t count, const float* in, float* out) {
    constexpr int64_t kSlice = 1 << 14;
    const int64_t slices = (count + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
    for (int64_t s = 0; s < slices; ++s) {
        const int64_t i0 = s * kSlice;
        const int64_t i1 = count - i0 < kSlice ? count : i0 + kSlice;
        if (in == out) {
            for (int64_t i = i0; i < i1; ++i) out[i] = apply_unary<kOp>(out[i], alpha);
        } else {
            for (int64_t i = i0; i < i1; ++i) out[i] = apply_unary<kOp>(in[i], alpha);
        }
    }
}

template <UnaryOp kOp>
void unary_generic(float alpha, int64_t count, const float* in, float* out) {
    unary_impl<kOp>(alpha, count, in, out);
}

void unary_simd(const simd::Table& t, UnaryOp op, float alpha, int64_t count, const float* in,
                float* out) {
    constexpr int64_t kSlice = 1 << 14;
    const int64_t slices = (count + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
    for (int64_t s = 0; s < slices; ++s) {
        const int64_t i0 = s * kSlice;
        const int64_t len = count - i0 < kSlice ? count - i0 : kSlice;
        t.unary(op, alpha, in + i0, out + i0, len);
    }
}

template <UnaryOp kOp>
void unary_dispatch(float alpha, int64_t count, const float* in, float* out) {
    if (const simd::Table* t = simd::table(); t != nullptr) {
        unary_simd(*t, kOp, alpha, count, in, out);
    } else {  // no AVX2 build needed: on x86 the table exists whenever AVX2 may run
        unary_generic<kOp>(alpha, count, in, out);
    }
}

}  // namespace

void binary(BinaryOp op, const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
            const Shape& out_shape, float* output) {
    if (out_shape.elements() <= 0) return;
    const Layout l = merge_axes(a_shape, b_shape, out_shape);
    switch (op) {
        case BinaryOp::Add:
            return binary_dispatch<BinaryOp::Add>(l, a, b, output);
        case BinaryOp::Sub:
            return binary_dispatch<BinaryOp::Sub>(l, a, b, output);
        case BinaryOp::Mul:
            return binary_dispatch<BinaryOp::Mul>(l, a, b, output);
        case BinaryOp::Div:
            return binary_dispatch<BinaryOp::Div>(l, a, b, output);
        case BinaryOp::Pow:
            return binary_dispatch<BinaryOp::Pow>(l, a, b, output);
        case BinaryOp::Max:
            return binary_dispatch<BinaryOp::Max>(l, a, b, output);
        case BinaryOp::Min:
            return binary_dispatch<BinaryOp::Min>(l, a, b, output);
        case BinaryOp::PRelu:
            return binary_dispatch<BinaryOp::PRelu>(l, a, b, output);
    }
}

void unary(UnaryOp op, float alpha, int64_t count, const float* input, float* output) {
    if (count <= 0) return;
    switch (op) {
        case UnaryOp::Identity:
            if (input != output) unary_dispatch<UnaryOp::Identity>(alpha, count, input, output);
            return;
        case UnaryOp::Relu:
            return unary_dispatch<UnaryOp::Relu>(alpha, count, input, output);
        case UnaryOp::LeakyRelu:
            return unary_dispatch<UnaryOp::LeakyRelu>(alpha, count, input, output);
        case UnaryOp::Tanh:
            return unary_dispatch<UnaryOp::Tanh>(alpha, count, input, output);
        case UnaryOp::TanhUnit:
            return unary_dispatch<UnaryOp::TanhUnit>(alpha, count, input, output);
        case UnaryOp::Sigmoid:
            return unary_dispatch<UnaryOp::Sigmoid>(alpha, count, input, output);
        case UnaryOp::Sqrt:
            return unary_dispatch<UnaryOp::Sqrt>(alpha, count, input, output);
        case UnaryOp::Neg:
            return unary_dispatch<UnaryOp::Neg>(alpha, count, input, output);
        case UnaryOp::Abs:
            return unary_dispatch<UnaryOp::Abs>(alpha, count, input, output);
        case UnaryOp::Exp:
            return unary_dispatch<UnaryOp::Exp>(alpha, count, input, output);
        case UnaryOp::Log:
            return unary_dispatch<UnaryOp::Log>(alpha, count, input, output);
    }
}

}  // namespace swaprun::kernels
