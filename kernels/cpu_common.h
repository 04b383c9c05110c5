// Helpers shared by the fast CPU kernels (private to kernels/*.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "kernels/kernel_types.h"

// Hot loops are written once as always-inline bodies and instantiated twice: for
// the baseline ISA and, on x86 with GCC/Clang, for AVX2+FMA, picked at run time.
// Both are plain C++ that the compiler auto-vectorizes; the choice depends only
// on the machine, so results stay independent of the thread count.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_X86_DISPATCH 1
#define SWAPRUN_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define SWAPRUN_X86_DISPATCH 0
#define SWAPRUN_TARGET_AVX2
#endif

#if defined(__GNUC__)
#define SWAPRUN_ALWAYS_INLINE inline __attribute__((always_inline))
#define SWAPRUN_NOINLINE __attribute__((noinline))
#else
#define SWAPRUN_ALWAYS_INLINE inline
#define SWAPRUN_NOINLINE
#endif

namespace swaprun::kernels::cpu {

// True when the AVX2+FMA instantiations may run on this machine. Setting the
// environment variable SWAPRUN_DISABLE_AVX2 (to anything but "0") forces the
// baseline build, so tests can cover both on one machine.
inline bool use_avx2() {
#if SWAPRUN_X86_DISPATCH
    static const bool ok = [] {
        const char* off = std::getenv("SWAPRUN_DISABLE_AVX2");
        if (off != nullptr && off[0] != '\0' && !(off[0] == '0' && off[1] == '\0')) return false;
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    return ok;
#else
    return false;
#endif
}

// Maps a possibly out-of-range index onto [0, n), or returns -1 where the read
// must produce the padding constant.
inline int64_t map_index(int64_t i, int64_t n, PadMode mode) {
    if (i >= 0 && i < n) return i;
    switch (mode) {
        case PadMode::Constant:
            return -1;
        case PadMode::Edge:
            return i < 0 ? 0 : n - 1;
        case PadMode::Reflect: {
            if (n == 1) return 0;
            const int64_t period = 2 * (n - 1);
            int64_t r = i % period;
            if (r < 0) r += period;
            return r < n ? r : period - r;
        }
    }
    return -1;
}

inline int64_t ceil_div(int64_t a, int64_t b) {  // b > 0
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

inline int64_t floor_div(int64_t a, int64_t b) {  // b > 0
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Floats in a 64-byte cache line, and `floats` rounded up to whole lines: the unit in
// which buffers are laid out, so that each part starts on a line.
inline constexpr int64_t kLineFloats = 16;
inline constexpr int64_t whole_lines(int64_t floats) {
    return (floats + kLineFloats - 1) / kLineFloats * kLineFloats;
}

// Fetches into the cache the lines of `floats` floats from `from`, for reading soon.
SWAPRUN_ALWAYS_INLINE void fetch_lines(const float* from, int64_t floats) {
    for (int64_t x = 0; x < floats; x += kLineFloats) __builtin_prefetch(from + x, 0, 3);
}

// Fetches the line after `at` in each of `slices` slices `stride` floats apart, to be
// stored to soon: the Winograd input transforms, which store a vector to each slice of V
// and the next call the vector after it. With the write hint, which without -mprfchw
// among a translation unit's flags is a plain fetch.
SWAPRUN_ALWAYS_INLINE void fetch_next_in_slices(float* at, int slices, int64_t stride) {
    for (int i = 0; i < slices; ++i) __builtin_prefetch(at + i * stride + kLineFloats, 1, 3);
}

// Applies an activation in place to n contiguous values.
SWAPRUN_ALWAYS_INLINE void activate_inplace(float* x, int64_t n, const ActivationParams& act) {
    switch (act.kind) {
        case Activation::None:
            break;
        case Activation::Relu:
            for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
            break;
        case Activation::LeakyRelu: {
            const float a = act.alpha;
            for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0.0f ? a * x[i] : x[i];
            break;
        }
        case Activation::Tanh:
            for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
            break;
        case Activation::TanhUnit:
            for (int64_t i = 0; i < n; ++i) x[i] = (std::tanh(x[i]) + 1.0f) * 0.5f;
            break;
        case Activation::Sigmoid:
            for (int64_t i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + std::exp(-x[i]));
            break;
    }
}

}  // namespace swaprun::kernels::cpu
