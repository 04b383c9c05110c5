// Baseline peak loop for machines without FMA: separate multiply and add, so the
// number it gives is the peak of the code the kernels' generic build can reach.
#include "bench/peak_loops.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace swaprun::bench {

#if defined(__SSE2__)

float peak_loop_baseline(long long iterations) {
    // Same recurrence as the FMA loops: converges to 1, stays normal.
    const __m128 m = _mm_set1_ps(0.999f);
    const __m128 c = _mm_set1_ps(0.001f);
    __m128 a[12];
    for (int k = 0; k < 12; ++k) a[k] = _mm_set1_ps(0.5f + 0.01f * static_cast<float>(k));
    for (long long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int k = 0; k < 12; ++k) a[k] = _mm_add_ps(_mm_mul_ps(a[k], m), c);
    }
    __m128 s = a[0];
    for (int k = 1; k < 12; ++k) s = _mm_add_ps(s, a[k]);
    return _mm_cvtss_f32(s);
}

#else

// Other architectures: 48 scalar chains, which the compiler turns into 4-wide
// vectors (and FMAs where contraction is the default), matching kFlopsBaseline.
float peak_loop_baseline(long long iterations) {
    float a[48];
    for (int k = 0; k < 48; ++k) a[k] = 0.5f + 0.01f * static_cast<float>(k);
    for (long long i = 0; i < iterations; ++i) {
        for (int k = 0; k < 48; ++k) a[k] = a[k] * 0.999f + 0.001f;
    }
    float s = 0.0f;
    for (int k = 0; k < 48; ++k) s += a[k];
    return s;
}

#endif

}  // namespace swaprun::bench
