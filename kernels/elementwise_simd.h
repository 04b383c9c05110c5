// Explicitly vectorized (xsimd) inner loops of the memory-bound kernels: adain,
// the exact x2 bilinear resize, unary and binary elementwise ops.
//
// The loop bodies are templates over the xsimd architecture
// (elementwise_simd_impl.h), instantiated once per ISA in their own translation
// unit compiled for that ISA (elementwise_avx2.cpp, elementwise_avx512.cpp), so
// the rest of the library stays baseline code. The entry points pick a table of
// those instantiations at run time, or none: then they use their portable loops.
// The choice depends only on the machine and the environment, never on the
// thread count, so results stay thread-count independent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "kernels/cpu_common.h"
#include "kernels/kernel_types.h"

namespace swaprun::kernels::simd {

struct Table {
    const char* name;

    // out[i] = op(in[i]) for i < n; returns false (and does nothing) for ops it
    // does not cover. out may equal in.
    bool (*unary)(UnaryOp op, float alpha, const float* in, float* out, int64_t n);

    // One inner run of a broadcast binary op: sa / sb are 0 (repeat a[0] / b[0])
    // or 1 (contiguous). Returns false for ops it does not cover (Pow). out may
    // equal a or b where that operand is contiguous.
    bool (*binary)(BinaryOp op, const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                   int64_t n);

    // Mean and biased variance of n > 0 values in one pass, in double.
    void (*moments)(const float* x, int64_t n, double* mean, double* var);

    // y[i] = act((x[i] - center) * a + b) (+ residual[i] when residual is given).
    // y may equal residual.
    void (*adain_apply)(const ActivationParams& act, const float* x, float center, float a, float b,
                        const float* residual, float* y, int64_t n);

    // One output row of an exact x2 bilinear half-pixel resize (output row y of an
    // input of h rows: near = y / 2, far = resize2x_far_row(y, h)):
    // v = 0.25 * far + 0.75 * near (the vertical mix), then
    // out[2j] = 0.25 v[j-1] + 0.75 v[j] and out[2j+1] = 0.75 v[j] + 0.25 v[j+1],
    // with v clamped at the edges. tmp holds in_width + 2 floats.
    void (*resize2x_row)(const float* far, const float* near, int64_t in_width, float* tmp,
                         float* out);

    // Three-tap correlations summed over rows, the border corrections of a polyphase
    // layer (conv2d_polyphase.cpp): for o < outputs and i in [1, n - 1),
    //   out[o * out_stride + i] = sum over r < rows of
    //       w[0] x[i - 1] + w[step] x[i] + w[2 step] x[i + 1]
    // with x = lines + r * n and w = taps + o * output_taps + r * tap_stride, each row's
    // three products added to the sum by fused multiply-adds in that order, rows in
    // increasing order. Each output's positions 0 and n - 1 are set to 0.
    void (*correlate3)(int64_t outputs, int64_t rows, int64_t n, const float* lines,
                       const float* taps, int64_t tap_stride, int64_t output_taps, int64_t step,
                       float* out, int64_t out_stride);

    // The image warps' inner loops (pipeline/warp_affine.cpp, pipeline/paste_back.cpp),
    // bit for bit as their scalar loops; nullptr where gathers do not pay (NEON).
    //
    // n RGB8 pixels sampled bilinearly, each from a 2x2 block inside the image: pixel i
    // blends the taps at src + offset[i], 3 bytes to its right, and the same two one row
    // (stride bytes) below, by wx[i] across and wy[i] down, rounded half away from zero
    // to 0..255. out receives 3 n bytes.
    void (*bilinear_rgb8)(const uint8_t* src, int64_t stride, const int32_t* offset,
                          const float* wx, const float* wy, int64_t n, uint8_t* out);

    // n RGB8 frame pixels (3 n bytes at frame) blended with a crop and its soft mask,
    // both sampled as above (the crop's block at crop + crop_offset[i], the mask's at
    // mask + mask_offset[i], rows crop_stride bytes and mask_stride floats apart):
    // frame = round(w * crop + (1 - w) * frame) where the mask's w > 0, unchanged elsewhere.
    void (*paste_rgb8)(const uint8_t* crop, int64_t crop_stride, const int32_t* crop_offset,
                       const float* mask, int64_t mask_stride, const int32_t* mask_offset,
                       const float* wx, const float* wy, int64_t n, uint8_t* frame);
};

#if SWAPRUN_X86_DISPATCH
extern const Table kAvx2;
extern const Table kAvx512;
#endif

// NEON is part of every AArch64 CPU: no run-time check, only the opt-out.
#if defined(__aarch64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_NEON_TABLE 1
extern const Table kNeon;
#else
#define SWAPRUN_NEON_TABLE 0
#endif

inline bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && v[0] != '\0' && !(v[0] == '0' && v[1] == '\0');
}

// The table for this machine, or nullptr for the portable loops.
// SWAPRUN_DISABLE_AVX2 forces the portable loops (as for every kernel);
// SWAPRUN_DISABLE_AVX512 stops at AVX2, so tests can cover all three on one machine.
// On AArch64, SWAPRUN_DISABLE_NEON forces the portable loops.
// The input row that output row y of an exact x2 bilinear resize mixes with row y / 2:
// the row above for even y, the row below for odd y, clamped to the input's h rows.
inline int64_t resize2x_far_row(int64_t y, int64_t h) {
    const int64_t near = y / 2;
    return y % 2 == 0 ? std::max<int64_t>(near - 1, 0) : std::min<int64_t>(near + 1, h - 1);
}

inline const Table* table() {
#if SWAPRUN_NEON_TABLE
    static const Table* const t = env_flag("SWAPRUN_DISABLE_NEON") ? nullptr : &kNeon;
    return t;
#elif SWAPRUN_X86_DISPATCH
    static const Table* const t = []() -> const Table* {
        if (!cpu::use_avx2()) return nullptr;
        if (!env_flag("SWAPRUN_DISABLE_AVX512") && __builtin_cpu_supports("avx512f")) {
            return &kAvx512;
        }
        return &kAvx2;
    }();
    return t;
#else
    return nullptr;
#endif
}

}  // namespace swaprun::kernels::simd
