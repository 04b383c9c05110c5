#include "vulkan/half_convert.h"

#include "vulkan/half.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define SWAPRUN_HAVE_F16C_PATH 1
#endif

namespace swaprun::vulkan {
namespace {

#ifdef SWAPRUN_HAVE_F16C_PATH
// Compiled for F16C and AVX whatever the build's baseline; called only where the CPU
// has both.
__attribute__((target("avx,f16c"))) size_t floats_to_halves_f16c(const float* src, uint16_t* dst,
                                                                 size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), h);
    }
    return i;
}

__attribute__((target("avx,f16c"))) size_t halves_to_floats_f16c(const uint16_t* src, float* dst,
                                                                 size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    return i;
}

// F16C's instructions are VEX-encoded, so they need AVX's register state enabled by the
// OS (what __builtin_cpu_supports("avx") checks); the F16C bit itself is read from
// CPUID, which clang's __builtin_cpu_supports does not know by name.
bool cpu_has_f16c() {
    static const bool has = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        return __builtin_cpu_supports("avx") && __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 &&
               (ecx & bit_F16C) != 0;
    }();
    return has;
}
#endif

}  // namespace

bool half_convert_uses_f16c() {
#ifdef SWAPRUN_HAVE_F16C_PATH
    return cpu_has_f16c();
#else
    return false;
#endif
}

// The F16C loops convert whole groups of 8; the scalar conversions take the rest
// (everything, without F16C).
void floats_to_halves(const float* src, uint16_t* dst, size_t count) {
    size_t i = 0;
#ifdef SWAPRUN_HAVE_F16C_PATH
    if (cpu_has_f16c()) i = floats_to_halves_f16c(src, dst, count);
#endif
    for (; i < count; ++i) dst[i] = float_to_half(src[i]);
}

void halves_to_floats(const uint16_t* src, float* dst, size_t count) {
    size_t i = 0;
#ifdef SWAPRUN_HAVE_F16C_PATH
    if (cpu_has_f16c()) i = halves_to_floats_f16c(src, dst, count);
#endif
    for (; i < count; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace swaprun::vulkan
