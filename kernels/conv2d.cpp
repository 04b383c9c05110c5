// Portable direct 2-D convolution: the fallback of PreparedConv2d where no SIMD
// micro-kernels exist for the machine (or they are disabled).
//
// Two schedules, both computing every output element in one thread with a fixed
// summation order (input channel, kernel row, kernel column):
//
//  * Channel-block schedule (at least 8 output channels per group). A task is one
//    output row of one block of up to 128 output channels. The block's weights are
//    repacked per thread as [tap][channel], so the innermost loop runs over output
//    channels: contiguous, vectorizable and independent of the image width, which
//    keeps small feature maps (32x32) as efficient as large ones. The accumulator
//    tile [columns][channels] stays in L1 while the loop walks the taps four at a
//    time; the four input samples per output column are scalars read with plain
//    indices in the interior and through the pad-mode index function only in the
//    border columns (rows outside a zero-padded input read a zero row), so the
//    input is never copied.
//
//  * Row schedule (depthwise and other narrow groups, e.g. 3 output channels). A
//    task is one output row of one channel; the inner loop runs over the output
//    columns of each kernel tap's valid range, and only the border columns go
//    through the pad-mode index function.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/conv2d_portable.h"
#include "kernels/cpu_common.h"

namespace swaprun::kernels {
namespace {

// Output columns per micro step: the AVX2 build has the registers for four.
#ifndef SWAPRUN_CONV_AVX2_COLS
#define SWAPRUN_CONV_AVX2_COLS 4
#endif
constexpr int kColsGeneric = 2;
constexpr int kColsAvx2 = SWAPRUN_CONV_AVX2_COLS;
constexpr int kTaps = 4;                  // kernel taps per micro step
constexpr int64_t kMaxBlock = 128;        // output channels per block
constexpr int64_t kAccFloats = 4096;      // accumulator tile (16 KiB)
constexpr int64_t kMinBlockChannels = 8;  // narrower groups use the row schedule
// Skews accumulator columns against the packed weight rows so that stores and
// loads of the hot loop do not alias modulo 4 KiB.
constexpr int64_t kAccSkew = 16;

// Distinguishes calls so that a thread's cached weight block is never reused
// across calls (the weight buffer may be rewritten between them).
std::atomic<uint64_t> g_call_counter{0};

struct Geometry {
    const Conv2dParams* p = nullptr;
    int64_t in_per_group = 0, out_per_group = 0;
    int64_t taps = 0;                    // in_per_group * kernel_h * kernel_w
    int64_t padded_taps = 0;             // taps rounded up to kTaps
    int64_t block = 0;                   // output channels per block
    int64_t acc_stride = 0;              // floats between accumulator columns
    int64_t blocks = 0;                  // blocks per group
    int64_t chunk = 0;                   // output columns per accumulator tile
    int64_t inner_lo = 0, inner_hi = 0;  // columns whose taps all read inside the row
};

struct Scratch {
    std::vector<float> packed;  // [padded_taps][block]
    uint64_t packed_call = 0;
    int64_t packed_first = -1;  // first output channel of the packed block
    std::vector<float> acc;
    std::vector<const float*> tap_row;
    std::vector<int64_t> tap_offset;  // kw * dilation_w - pad_left
    std::vector<float> zero_row;
};

thread_local Scratch t_scratch;

template <typename T>
void ensure_size(std::vector<T>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
}

// acc[t][o] += sum_g x[t][g] * w[g][o] for o in [0, block): the hot loop.
template <int C, int G>
SWAPRUN_ALWAYS_INLINE void block_step(float* __restrict acc, int64_t acc_stride, int64_t block,
                                      const float* __restrict w, const float (&x)[C][G]) {
    for (int64_t o = 0; o < block; ++o) {
        for (int c = 0; c < C; ++c) {
            float a = acc[c * acc_stride + o];
            for (int g = 0; g < G; ++g) a += x[c][g] * w[g * block + o];
            acc[c * acc_stride + o] = a;
        }
    }
}

// The input rows and column offsets of kTaps consecutive taps.
struct TapGroup {
    const float* row[kTaps];
    int64_t offset[kTaps];
};

// Reads the kTaps input samples of C consecutive output columns starting at ow.
template <int C, bool kInterior>
SWAPRUN_ALWAYS_INLINE void gather(const Conv2dParams& p, const TapGroup& taps, int64_t ow,
                                  float (&x)[C][kTaps]) {
    for (int c = 0; c < C; ++c) {
        const int64_t base = (ow + c) * p.stride_w;
        for (int g = 0; g < kTaps; ++g) {
            const int64_t col = base + taps.offset[g];
            if (kInterior) {
                x[c][g] = taps.row[g][col];
            } else {
                const int64_t m = cpu::map_index(col, p.in_width, p.pad_mode);
                x[c][g] = m < 0 ? 0.0f : taps.row[g][m];
            }
        }
    }
}

template <int C>
SWAPRUN_ALWAYS_INLINE void column_step(const Geometry& geo, const TapGroup& taps, int64_t ow,
                                       float* acc, const float* w) {
    float x[C][kTaps];
    if (ow >= geo.inner_lo && ow + C <= geo.inner_hi) {
        gather<C, true>(*geo.p, taps, ow, x);
    } else {
        gather<C, false>(*geo.p, taps, ow, x);
    }
    block_step<C, kTaps>(acc, geo.acc_stride, geo.block, w, x);
}

void pack_block(const Geometry& geo, const float* weight, int64_t first, int64_t valid,
                float* packed) {
    const int64_t block = geo.block;
    std::fill(packed, packed + geo.padded_taps * block, 0.0f);
    constexpr int64_t kStep = 64;
    for (int64_t k0 = 0; k0 < geo.taps; k0 += kStep) {
        const int64_t k1 = std::min(geo.taps, k0 + kStep);
        for (int64_t o = 0; o < valid; ++o) {
            const float* src = weight + (first + o) * geo.taps;
            for (int64_t k = k0; k < k1; ++k) packed[k * block + o] = src[k];
        }
    }
}

// One output row (n, oh) of one channel block; the weights are already packed.
template <int kCols>
SWAPRUN_ALWAYS_INLINE void block_row_impl(const Geometry& geo, Scratch& s, const float* input,
                                          const float* bias, int64_t n, int64_t group,
                                          int64_t first, int64_t valid, int64_t oh, float* output) {
    const Conv2dParams& p = *geo.p;
    const int64_t block = geo.block;

    // Input row of every tap (a zero row where a zero-padded read falls outside).
    int64_t k = 0;
    for (int64_t icg = 0; icg < geo.in_per_group; ++icg) {
        const int64_t ic = group * geo.in_per_group + icg;
        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
            const int64_t ih = cpu::map_index(oh * p.stride_h - p.pad_top + kh * p.dilation_h,
                                              p.in_height, p.pad_mode);
            const float* row =
                ih < 0 ? s.zero_row.data()
                       : input + ((n * p.in_channels + ic) * p.in_height + ih) * p.in_width;
            for (int64_t kw = 0; kw < p.kernel_w; ++kw, ++k) {
                s.tap_row[k] = row;
                s.tap_offset[k] = kw * p.dilation_w - p.pad_left;
            }
        }
    }
    for (; k < geo.padded_taps; ++k) {  // padding taps (zero weights) read a zero row
        s.tap_row[k] = s.zero_row.data();
        s.tap_offset[k] = -p.pad_left;
    }

    const float* packed = s.packed.data();
    float* acc = s.acc.data();
    for (int64_t c0 = 0; c0 < p.out_width; c0 += geo.chunk) {
        const int64_t c1 = std::min(p.out_width, c0 + geo.chunk);
        std::fill(acc, acc + (c1 - c0) * geo.acc_stride, 0.0f);
        for (int64_t k0 = 0; k0 < geo.padded_taps; k0 += kTaps) {
            const float* w = packed + k0 * block;
            TapGroup taps;
            for (int g = 0; g < kTaps; ++g) {
                taps.row[g] = s.tap_row[k0 + g];
                taps.offset[g] = s.tap_offset[k0 + g];
            }
            int64_t ow = c0;
            for (; ow + kCols <= c1; ow += kCols) {
                column_step<kCols>(geo, taps, ow, acc + (ow - c0) * geo.acc_stride, w);
            }
            for (; ow < c1; ++ow)
                column_step<1>(geo, taps, ow, acc + (ow - c0) * geo.acc_stride, w);
        }
        // Epilogue: bias, activation, and the transposed store into NCHW.
        for (int64_t o = 0; o < valid; ++o) {
            const int64_t oc = first + o;
            const float b = bias != nullptr ? bias[oc] : 0.0f;
            float* out = output + ((n * p.out_channels + oc) * p.out_height + oh) * p.out_width;
            for (int64_t ow = c0; ow < c1; ++ow) out[ow] = acc[(ow - c0) * geo.acc_stride + o] + b;
            cpu::activate_inplace(out + c0, c1 - c0, p.activation);
        }
    }
}

void block_row_generic(const Geometry& geo, Scratch& s, const float* input, const float* bias,
                       int64_t n, int64_t group, int64_t first, int64_t valid, int64_t oh,
                       float* output) {
    block_row_impl<kColsGeneric>(geo, s, input, bias, n, group, first, valid, oh, output);
}

SWAPRUN_TARGET_AVX2 void block_row_avx2(const Geometry& geo, Scratch& s, const float* input,
                                        const float* bias, int64_t n, int64_t group, int64_t first,
                                        int64_t valid, int64_t oh, float* output) {
    block_row_impl<kColsAvx2>(geo, s, input, bias, n, group, first, valid, oh, output);
}

void conv_blocked(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                  float* output) {
    Geometry geo;
    geo.p = &p;
    geo.in_per_group = p.in_channels / p.groups;
    geo.out_per_group = p.out_channels / p.groups;
    geo.taps = geo.in_per_group * p.kernel_h * p.kernel_w;
    geo.padded_taps = (geo.taps + kTaps - 1) / kTaps * kTaps;
    geo.block = std::min(kMaxBlock, (geo.out_per_group + 7) / 8 * 8);
    geo.acc_stride = geo.block + kAccSkew;
    geo.blocks = (geo.out_per_group + geo.block - 1) / geo.block;
    geo.chunk = std::max<int64_t>(8, kAccFloats / geo.block);
    geo.inner_lo = std::min(p.out_width, cpu::ceil_div(p.pad_left, p.stride_w));
    geo.inner_hi = std::clamp<int64_t>(
        cpu::floor_div(p.in_width - 1 - (p.kernel_w - 1) * p.dilation_w + p.pad_left, p.stride_w) +
            1,
        geo.inner_lo, p.out_width);

    const uint64_t call = g_call_counter.fetch_add(1, std::memory_order_relaxed) + 1;
    const bool avx2 = cpu::use_avx2();
    const int64_t tasks = p.batch * p.groups * geo.blocks * p.out_height;

#pragma omp parallel
    {
        Scratch& s = t_scratch;
        ensure_size(s.packed, geo.padded_taps * geo.block);
        ensure_size(s.acc, geo.chunk * geo.acc_stride);
        ensure_size(s.tap_row, geo.padded_taps);
        ensure_size(s.tap_offset, geo.padded_taps);
        if (static_cast<int64_t>(s.zero_row.size()) < p.in_width) {
            s.zero_row.assign(static_cast<size_t>(p.in_width), 0.0f);
        }
        s.packed_first = -1;

#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t oh = t % p.out_height;
            const int64_t b = (t / p.out_height) % geo.blocks;
            const int64_t group = (t / (p.out_height * geo.blocks)) % p.groups;
            const int64_t n = t / (p.out_height * geo.blocks * p.groups);
            const int64_t first = group * geo.out_per_group + b * geo.block;
            const int64_t valid = std::min(geo.block, geo.out_per_group - b * geo.block);
            if (s.packed_call != call || s.packed_first != first) {
                pack_block(geo, weight, first, valid, s.packed.data());
                s.packed_call = call;
                s.packed_first = first;
            }
            if (avx2) {
                block_row_avx2(geo, s, input, bias, n, group, first, valid, oh, output);
            } else {
                block_row_generic(geo, s, input, bias, n, group, first, valid, oh, output);
            }
        }
    }
}

// Adds the kernel_w taps of one input row to acc[0, out_width). In the interior
// (columns whose taps all read inside the row) the taps are fused into one pass
// over contiguous columns; border columns go through the pad-mode index function.
// Either way each column sums its taps in kw order.
template <int KW>  // the kernel width, or 0 when it is only known at run time
SWAPRUN_ALWAYS_INLINE void row_taps(const Conv2dParams& p, const float* __restrict row,
                                    const float* wrow, float* __restrict acc) {
    const int64_t kw_n = KW > 0 ? KW : p.kernel_w;
    const int64_t ow_n = p.out_width;
    const int64_t sw = p.stride_w;
    const int64_t dw = p.dilation_w;
    const int64_t pl = p.pad_left;
    const int64_t lo = std::clamp<int64_t>(cpu::ceil_div(pl, sw), 0, ow_n);
    const int64_t hi = std::clamp<int64_t>(
        cpu::floor_div(p.in_width - 1 - (kw_n - 1) * dw + pl, sw) + 1, lo, ow_n);

    auto border = [&](int64_t ow) {
        float a = acc[ow];
        for (int64_t kw = 0; kw < kw_n; ++kw) {
            const int64_t m = cpu::map_index(ow * sw + kw * dw - pl, p.in_width, p.pad_mode);
            if (m >= 0) a += wrow[kw] * row[m];
        }
        acc[ow] = a;
    };
    for (int64_t ow = 0; ow < lo; ++ow) border(ow);
    for (int64_t ow = hi; ow < ow_n; ++ow) border(ow);

    if constexpr (KW > 0) {
        if (sw == 1) {
            float w[KW];
            for (int kw = 0; kw < KW; ++kw) w[kw] = wrow[kw];
            const float* __restrict r = row - pl;
            for (int64_t ow = lo; ow < hi; ++ow) {
                float a = acc[ow];
                for (int kw = 0; kw < KW; ++kw) a += w[kw] * r[ow + kw * dw];
                acc[ow] = a;
            }
            return;
        }
    }
    for (int64_t kw = 0; kw < kw_n; ++kw) {
        const float w = wrow[kw];
        const float* __restrict r = row + kw * dw - pl;
        for (int64_t ow = lo; ow < hi; ++ow) acc[ow] += w * r[ow * sw];
    }
}

// One output row of one output channel.
template <int KW>
SWAPRUN_ALWAYS_INLINE void row_impl(const Conv2dParams& p, const float* input, const float* weight,
                                    const float* bias, int64_t n, int64_t oc, int64_t oh,
                                    float* acc, float* output) {
    const int64_t in_per_group = p.in_channels / p.groups;
    const int64_t group = oc / (p.out_channels / p.groups);
    const int64_t ow_n = p.out_width;
    std::fill(acc, acc + ow_n, 0.0f);
    for (int64_t icg = 0; icg < in_per_group; ++icg) {
        const int64_t ic = group * in_per_group + icg;
        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
            const int64_t ih = cpu::map_index(oh * p.stride_h - p.pad_top + kh * p.dilation_h,
                                              p.in_height, p.pad_mode);
            if (ih < 0) continue;
            const float* row = input + ((n * p.in_channels + ic) * p.in_height + ih) * p.in_width;
            const float* wrow = weight + ((oc * in_per_group + icg) * p.kernel_h + kh) * p.kernel_w;
            row_taps<KW>(p, row, wrow, acc);
        }
    }
    const float b = bias != nullptr ? bias[oc] : 0.0f;
    float* out = output + ((n * p.out_channels + oc) * p.out_height + oh) * ow_n;
    for (int64_t ow = 0; ow < ow_n; ++ow) out[ow] = acc[ow] + b;
    cpu::activate_inplace(out, ow_n, p.activation);
}

SWAPRUN_ALWAYS_INLINE void row_dispatch(const Conv2dParams& p, const float* input,
                                        const float* weight, const float* bias, int64_t n,
                                        int64_t oc, int64_t oh, float* acc, float* output) {
    switch (p.kernel_w) {
        case 1:
            return row_impl<1>(p, input, weight, bias, n, oc, oh, acc, output);
        case 3:
            return row_impl<3>(p, input, weight, bias, n, oc, oh, acc, output);
        case 5:
            return row_impl<5>(p, input, weight, bias, n, oc, oh, acc, output);
        case 7:
            return row_impl<7>(p, input, weight, bias, n, oc, oh, acc, output);
        default:
            return row_impl<0>(p, input, weight, bias, n, oc, oh, acc, output);
    }
}

void row_generic(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                 int64_t n, int64_t oc, int64_t oh, float* acc, float* output) {
    row_dispatch(p, input, weight, bias, n, oc, oh, acc, output);
}

SWAPRUN_TARGET_AVX2 void row_avx2(const Conv2dParams& p, const float* input, const float* weight,
                                  const float* bias, int64_t n, int64_t oc, int64_t oh, float* acc,
                                  float* output) {
    row_dispatch(p, input, weight, bias, n, oc, oh, acc, output);
}

void conv_rows(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
               float* output) {
    const bool avx2 = cpu::use_avx2();
    const int64_t tasks = p.batch * p.out_channels * p.out_height;
#pragma omp parallel
    {
        Scratch& s = t_scratch;
        ensure_size(s.acc, p.out_width);
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t oh = t % p.out_height;
            const int64_t oc = (t / p.out_height) % p.out_channels;
            const int64_t n = t / (p.out_height * p.out_channels);
            if (avx2) {
                row_avx2(p, input, weight, bias, n, oc, oh, s.acc.data(), output);
            } else {
                row_generic(p, input, weight, bias, n, oc, oh, s.acc.data(), output);
            }
        }
    }
}

}  // namespace

void conv2d_portable(const Conv2dParams& p, const float* input, const float* weight,
                     const float* bias, float* output) {
    if (p.batch <= 0 || p.out_channels <= 0 || p.out_height <= 0 || p.out_width <= 0) return;
    if (p.out_channels / p.groups >= kMinBlockChannels) {
        conv_blocked(p, input, weight, bias, output);
    } else {
        conv_rows(p, input, weight, bias, output);
    }
}

}  // namespace swaprun::kernels
