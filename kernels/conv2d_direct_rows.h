// The parts of the register-tiled direct convolution that its row kernels share
// (conv2d_direct_impl.h: column tiles; conv2d_direct_pixels.h: pixel tiles;
// conv2d_row_winograd.h: row transforms), templates over the xsimd architecture: the
// epilogue's activation, loading a tap's input vectors, the thread's ring of padded
// input rows and how a row is padded into it, and where a tap starts in a row.
// Included only through conv2d_direct_impl.h by the per-ISA translation units.
#pragma once

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct.h"
#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd_impl.h"
#include "kernels/lane_shift.h"  // the row kernels' shifted taps (conv2d_direct_impl.h)

namespace swaprun::kernels::direct::detail {

// The epilogue's activation on one vector: the same vector functions as the
// elementwise kernels (tanh and sigmoid within a few ulp of libm).
template <class A>
SWAPRUN_ALWAYS_INLINE xsimd::batch<float, A> activate(xsimd::batch<float, A> v,
                                                      const ActivationParams& act) {
    using simd::detail::activate;
    switch (act.kind) {
        case Activation::None:
            return v;
        case Activation::Relu:
            return activate<A, Activation::Relu>(v, act.alpha);
        case Activation::LeakyRelu:
            return activate<A, Activation::LeakyRelu>(v, act.alpha);
        case Activation::Tanh:
            return activate<A, Activation::Tanh>(v, act.alpha);
        case Activation::TanhUnit:
            return activate<A, Activation::TanhUnit>(v, act.alpha);
        case Activation::Sigmoid:
            return activate<A, Activation::Sigmoid>(v, act.alpha);
    }
    return v;
}

// Pins v to a register. g++ otherwise folds a loaded input vector into every FMA that
// uses it, as a memory operand, reloading it MR times per tap: the narrow 7x7 kernel
// (3 x 4 accumulators) became bound by unaligned loads at 30 % of the FMA peak.
template <class A>
SWAPRUN_ALWAYS_INLINE void keep_in_register(xsimd::batch<float, A>& v) {
#if defined(__x86_64__) || defined(__i386__)
    asm("" : "+v"(v.data));
#elif defined(__aarch64__)
    asm("" : "+w"(v.data));
#endif
}

// The N vectors from src (L floats each, in a row), each pinned to a register: a
// tap's input, which every output channel's FMA of the micro-kernel reads.
template <class A, int N>
SWAPRUN_ALWAYS_INLINE void load_pinned(const float* src, xsimd::batch<float, A> (&x)[N]) {
    using B = xsimd::batch<float, A>;
    for (int n = 0; n < N; ++n) {
        x[n] = B::load_unaligned(src + n * static_cast<int64_t>(B::size));
        keep_in_register<A>(x[n]);
    }
}

// Hides p's value from the optimizer, so that values loaded through it are not taken
// to be the ones loaded through another pointer earlier.
template <class T>
SWAPRUN_ALWAYS_INLINE void opaque(T*& p) {
    asm("" : "+r"(p));
}

// What a thread's ring of `ring` padded rows (Args::ring) holds: rows [next_py - ring,
// next_py) of plane `plane` (none at first).
struct Ring {
    int64_t plane = -1, next_py = 0;

    // Brings in the padded rows that output rows [oy, oy + count) of `plane` read and
    // the ring does not hold yet, each through fill(py, slot) (which pads row py of
    // every channel into ring slot `slot`); returns the slot of the first row's first
    // padded row. Rows already held stay, so consecutive output rows pad only the rows
    // that entered their window.
    template <class Fill>
    int64_t advance(const Conv2dParams& p, int64_t ring, int64_t row_plane, int64_t oy,
                    int64_t count, Fill&& fill) {
        const int64_t first = oy * p.stride_h - p.pad_top;
        const int64_t end = first + (count - 1) * p.stride_h + ring_rows(p);
        const bool held = row_plane == plane && first >= next_py - ring && first <= next_py;
        for (int64_t py = held ? next_py : first; py < end; ++py) fill(py, slot_of(py, ring));
        plane = row_plane;
        next_py = held ? std::max(next_py, end) : end;
        return slot_of(first, ring);
    }

    // The ring slot of padded row py (rows keep their slot while in the ring).
    static int64_t slot_of(int64_t py, int64_t ring) { return ((py % ring) + ring) % ring; }
};

// even[j] = pairs[2j] and odd[j] = pairs[2j + 1] for j in [lo, hi), where even and odd
// start on cache lines. The pairs up to the first line boundary go first, so that the
// vectorized loop stores whole lines: from lo = 1 on (a row's one column of zero
// padding) every store split two lines, and kernel_bench live_down0_s2 took 3.5 ms on
// 1 thread, 3.1 with whole lines. Where a line's worth of pairs follows lo, those go
// first as one fixed-length loop, which g++ makes a vector's worth of shuffles, not one
// pair at a time; the whole lines from the boundary on store the overlap again.
SWAPRUN_ALWAYS_INLINE void split_pairs(const float* __restrict pairs, float* __restrict even,
                                       float* __restrict odd, int64_t lo, int64_t hi) {
    auto split = [&](int64_t from, int64_t to) {
        for (int64_t j = from; j < to; ++j) {
            even[j] = pairs[2 * j];
            odd[j] = pairs[2 * j + 1];
        }
    };
    const int64_t line = std::min(hi, cpu::ceil_div(lo, cpu::kLineFloats) * cpu::kLineFloats);
    if (line > lo && hi - lo >= cpu::kLineFloats) {
        const float* __restrict from = pairs + 2 * lo;
        float* __restrict e = even + lo;
        float* __restrict o = odd + lo;
        for (int64_t k = 0; k < cpu::kLineFloats; ++k) {
            e[k] = from[2 * k];
            o[k] = from[2 * k + 1];
        }
    } else {
        split(lo, line);
    }
    split(line, hi);
}

// The input rows of both tilings: a row of one channel, padded (through the pad-mode
// index function) and split into stride_w phases, into a thread's ring.
template <class A>
struct Rows {
    // Padded input row py of every channel of the group at in_group into ring slot
    // `slot` of a thread's buffer `buf` (channel c's slot at buf + (c * ring + slot)
    // * stride_w * phase_len; with upsample_row, the blend row after the ring).
    static void fill_channels(const Args& a, const float* in_group, int64_t py, float* buf,
                              int64_t slot) {
        const Conv2dParams& p = *a.p;
        const int64_t icg = p.in_channels / p.groups, ring = a.ring;
        const int64_t row = p.stride_w * a.phase_len;
        float* blend = buf + icg * ring * row;
        for (int64_t c = 0; c < icg; ++c) {
            fill_row(a, in_group, c, py, buf + (c * ring + slot) * row, blend);
        }
    }

    // Input row py of channel c (py before padding is applied: it may lie outside the
    // image) padded and split into stride_w phases: dst[phase * phase_len + j] = padded
    // row at column j * sw + phase.
    static void fill_row(const Args& a, const float* in_group, int64_t c, int64_t py, float* dst,
                         float* blend) {
        const Conv2dParams& p = *a.p;
        const int64_t sw = p.stride_w, len = a.phase_len;
        const int64_t w = p.in_width;
        const int64_t iy = cpu::map_index(py, p.in_height, p.pad_mode);
        if (iy < 0) {
            std::fill(dst, dst + sw * len, 0.0f);
            return;
        }
        if (a.upsample_row != nullptr) {
            fill_upsampled_row(a, in_group, c, iy, dst, blend);
            return;
        }
        pad_row(a, in_group + (c * p.in_height + iy) * w, dst);
    }

    // At stride 1: the padding columns of the row at dst, whose columns inside the image
    // (dst[pad_left] on) are already there: pad_row without the copy.
    static void pad_borders(const Args& a, float* dst) {
        const Conv2dParams& p = *a.p;
        const int64_t len = a.phase_len;
        const int64_t right = p.pad_left + p.in_width;
        if (p.pad_mode == PadMode::Constant) {
            std::fill(dst, dst + p.pad_left, 0.0f);
            std::fill(dst + right, dst + len, 0.0f);
            return;
        }
        const float* row = dst + p.pad_left;
        auto border = [&](int64_t j) {
            const int64_t m = cpu::map_index(j - p.pad_left, p.in_width, p.pad_mode);
            dst[j] = m < 0 ? 0.0f : row[m];
        };
        const int64_t end = padded_end(p, 0, 1, right, len);
        for (int64_t j = 0; j < p.pad_left; ++j) border(j);
        for (int64_t j = right; j < end; ++j) border(j);
        std::fill(dst + end, dst + len, 0.0f);
    }

    // Of the buffer columns [from, len) of phase ph, where column j holds padded column
    // j * sw + ph: the end of those inside the padded row (pad_left + in_width +
    // pad_right). The columns past it feed only output columns past the row's end,
    // which are never stored: they are zeros, without a call of map_index each (a
    // 512-wide 7x7 row in 48-column tiles has 42 of them).
    static int64_t padded_end(const Conv2dParams& p, int64_t ph, int64_t sw, int64_t from,
                              int64_t len) {
        const int64_t padded = p.pad_left + p.in_width + p.pad_right;
        return std::clamp<int64_t>(cpu::ceil_div(padded - ph, sw), from, len);
    }

    // One input row (w floats at src) padded across and split into stride_w phases
    // into dst, as fill_row gives it.
    static void pad_row(const Args& a, const float* src, float* dst) {
        const Conv2dParams& p = *a.p;
        const int64_t sw = p.stride_w, len = a.phase_len;
        const int64_t w = p.in_width;
        if (sw == 2) {
            split_two_phases(p, src, dst, len);
            return;
        }
        for (int64_t ph = 0; ph < sw; ++ph, dst += len) {
            // Padded column j * sw + ph reads source column j * sw + ph - pad_left:
            // inside the row for j in [lo, hi), a strided copy; the rest goes
            // through the pad-mode index function.
            const int64_t lo = std::clamp<int64_t>(cpu::ceil_div(p.pad_left - ph, sw), 0, len);
            const int64_t hi =
                std::clamp<int64_t>(cpu::floor_div(p.pad_left + w - 1 - ph, sw) + 1, lo, len);
            const float* s0 = src + ph - p.pad_left;
            if (sw == 1) {
                std::copy(s0 + lo, s0 + hi, dst + lo);  // the common case: a memcpy
            } else {
                for (int64_t j = lo; j < hi; ++j) dst[j] = s0[j * sw];
            }
            // Outside [lo, hi) every column lies outside the row: zeros at zero padding,
            // as pad_borders and split_two_phases fill them, else the pad mode's.
            if (p.pad_mode == PadMode::Constant) {
                std::fill(dst, dst + lo, 0.0f);
                std::fill(dst + hi, dst + len, 0.0f);
                continue;
            }
            auto border = [&](int64_t j) {
                const int64_t m = cpu::map_index(j * sw + ph - p.pad_left, w, p.pad_mode);
                dst[j] = m < 0 ? 0.0f : src[m];
            };
            const int64_t end = padded_end(p, ph, sw, hi, len);
            for (int64_t j = 0; j < lo; ++j) border(j);
            for (int64_t j = hi; j < end; ++j) border(j);
            std::fill(dst + end, dst + len, 0.0f);
        }
    }

    // Row iy of the upsampled input (stride 1: one phase), made from the two rows of
    // the half-size input it mixes straight into the buffer at pad_left; then the
    // padding columns, through the pad-mode index function on the upsampled row.
    static void fill_upsampled_row(const Args& a, const float* in_group, int64_t c, int64_t iy,
                                   float* dst, float* blend) {
        const Conv2dParams& p = *a.p;
        const int64_t h = p.in_height / 2, w = p.in_width / 2;
        const float* plane = in_group + c * h * w;
        a.upsample_row(plane + simd::resize2x_far_row(iy, h) * w, plane + iy / 2 * w, w, blend,
                       dst + p.pad_left);
        pad_borders(a, dst);
    }

    // fill_row for stride 2: phase 0 (even padded columns) to dst, phase 1 (odd) to
    // dst + len, in one pass over the pairs both read inside the row (a loop g++
    // vectorizes into loads and shuffles; two strided copies ran element by element and
    // cost three times the stride-2 16-channel layer's arithmetic); the pad-mode index
    // function for the rest.
    static void split_two_phases(const Conv2dParams& p, const float* src, float* dst, int64_t len) {
        const int64_t w = p.in_width, pad = p.pad_left;
        float* even = dst;
        float* odd = dst + len;
        // Pair j reads columns 2j - pad and 2j + 1 - pad: both inside for j in [lo, hi).
        const int64_t lo = std::clamp<int64_t>(cpu::ceil_div(pad, 2), 0, len);
        const int64_t hi = std::clamp<int64_t>(cpu::floor_div(pad + w - 2, 2) + 1, lo, len);
        // Outside [lo, hi) only the pairs lo - 1 and hi may still have a column inside
        // the row. At zero padding the pairs past those are zeros: a call of map_index
        // per column was 5 % of kernel_bench live_base_down3_s2 (perf; its rows are 33
        // pairs of 48), and the layer took 5.4 ms on 1 thread with it, 5.1 without.
        auto border = [&](int64_t j) {
            for (int64_t ph = 0; ph < 2; ++ph) {
                const int64_t m = cpu::map_index(2 * j + ph - pad, w, p.pad_mode);
                (ph == 0 ? even : odd)[j] = m < 0 ? 0.0f : src[m];
            }
        };
        const bool zeros = p.pad_mode == PadMode::Constant;
        const int64_t left = zeros ? std::max<int64_t>(0, lo - 1) : 0;
        const int64_t right = zeros ? std::min(len, hi + 1) : padded_end(p, 0, 2, hi, len);
        std::fill(even, even + left, 0.0f);
        std::fill(odd, odd + left, 0.0f);
        for (int64_t j = left; j < lo; ++j) border(j);
        split_pairs(src - pad, even, odd, lo, hi);
        for (int64_t j = hi; j < right; ++j) border(j);
        std::fill(even + right, even + len, 0.0f);
        std::fill(odd + right, odd + len, 0.0f);
    }
};

// Where tap kw starts within a row's phases. Table: the precomputed offsets
// (a.tap_offset), keeping divisions out of the loop. Unit (stride and dilation 1
// across): column kw, a constant; with KW unrolled the offsets need no registers,
// and g++ otherwise spilled the accumulators of the 7-wide kernels. Stride2
// (dilation 1): column kw / 2 of phase kw % 2, a constant plus phase_len or not,
// which kept the loads of the table out of the loop: 7-9 % off live_base's
// stride-2 layers (kernel_bench live_base_down2_s2, live_base_down3_s2).
enum class Taps { Unit, Stride2, Table };

// Calls tile.template operator()<KW, T>() for the layer's kernel width and where its
// taps lie: the widths the kernels unroll (1, 3 and 7) with the constant offsets where
// stride and dilation allow them, else KW = 0 with the offset table. `tile` is a
// lambda that runs one tile; it is inlined, so that its accumulators stay in registers.
// Returns what the lambda returns.
template <class Tile>
SWAPRUN_ALWAYS_INLINE auto with_taps(const Conv2dParams& p, Tile&& tile) {
    const bool unit = p.stride_w == 1 && p.dilation_w == 1;
    const bool stride2 = p.stride_w == 2 && p.dilation_w == 1;
    switch (p.kernel_w) {
        case 1:  // one tap: offset 0 either way
            return tile.template operator()<1, Taps::Unit>();
        case 3:
            return unit      ? tile.template operator()<3, Taps::Unit>()
                   : stride2 ? tile.template operator()<3, Taps::Stride2>()
                             : tile.template operator()<3, Taps::Table>();
        case 7:
            return unit ? tile.template operator()<7, Taps::Unit>()
                        : tile.template operator()<7, Taps::Table>();
        default:
            return tile.template operator()<0, Taps::Table>();
    }
}

}  // namespace swaprun::kernels::direct::detail
