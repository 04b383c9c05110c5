// AVX2+FMA peak loop. Compiled with -mavx2 -mfma; only called after
// __builtin_cpu_supports says the machine has both.
//
// FMA latency is 4-5 cycles and current x86 cores issue two per cycle, so at least
// 8-10 independent chains are needed to keep both pipes busy; 12 accumulators plus
// the two constants fit in the 16 ymm registers.
#include <immintrin.h>

#include "bench/peak_loops.h"

namespace swaprun::bench {

float peak_loop_avx2(long long iterations) {
    // acc = acc * m + c converges to c / (1 - m) = 1: the values stay normal (no
    // denormal or overflow slow paths) however long the loop runs. No chain starts
    // at exactly 1, a fixed point the compiler would fold into a constant.
    const __m256 m = _mm256_set1_ps(0.999f);
    const __m256 c = _mm256_set1_ps(0.001f);
    __m256 a0 = _mm256_set1_ps(0.1f), a1 = _mm256_set1_ps(0.2f), a2 = _mm256_set1_ps(0.3f);
    __m256 a3 = _mm256_set1_ps(0.4f), a4 = _mm256_set1_ps(0.5f), a5 = _mm256_set1_ps(0.6f);
    __m256 a6 = _mm256_set1_ps(0.7f), a7 = _mm256_set1_ps(0.8f), a8 = _mm256_set1_ps(0.9f);
    __m256 a9 = _mm256_set1_ps(1.1f), a10 = _mm256_set1_ps(1.2f), a11 = _mm256_set1_ps(1.3f);
    for (long long i = 0; i < iterations; ++i) {
        a0 = _mm256_fmadd_ps(a0, m, c);
        a1 = _mm256_fmadd_ps(a1, m, c);
        a2 = _mm256_fmadd_ps(a2, m, c);
        a3 = _mm256_fmadd_ps(a3, m, c);
        a4 = _mm256_fmadd_ps(a4, m, c);
        a5 = _mm256_fmadd_ps(a5, m, c);
        a6 = _mm256_fmadd_ps(a6, m, c);
        a7 = _mm256_fmadd_ps(a7, m, c);
        a8 = _mm256_fmadd_ps(a8, m, c);
        a9 = _mm256_fmadd_ps(a9, m, c);
        a10 = _mm256_fmadd_ps(a10, m, c);
        a11 = _mm256_fmadd_ps(a11, m, c);
    }
    const __m256 s =
        _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                                    _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7))),
                      _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    return _mm256_cvtss_f32(s);
}

}  // namespace swaprun::bench
