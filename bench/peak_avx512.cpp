// AVX-512F peak loop. Compiled with -mavx512f -mfma; only called after
// __builtin_cpu_supports("avx512f").
//
// 24 accumulators cover a 4-6 cycle latency on two FMA pipes with room to spare
// and leave the constants in registers (32 zmm registers).
#include <immintrin.h>

#include "bench/peak_loops.h"

namespace swaprun::bench {

float peak_loop_avx512(long long iterations) {
    // See peak_avx2.cpp: the chains converge to 1 and stay normal.
    const __m512 m = _mm512_set1_ps(0.999f);
    const __m512 c = _mm512_set1_ps(0.001f);
    __m512 a[24];
    for (int k = 0; k < 24; ++k) a[k] = _mm512_set1_ps(0.5f + 0.01f * static_cast<float>(k));
    for (long long i = 0; i < iterations; ++i) {
        // Fully unrolled by the compiler: a[] lives in registers.
#pragma GCC unroll 24
        for (int k = 0; k < 24; ++k) a[k] = _mm512_fmadd_ps(a[k], m, c);
    }
    __m512 s = a[0];
    for (int k = 1; k < 24; ++k) s = _mm512_add_ps(s, a[k]);
    // Not _mm512_reduce_add_ps: with g++ 12 it trips -Wuninitialized inside the header.
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, s);
    float total = 0.0f;
    for (float x : lanes) total += x;
    return total;
}

}  // namespace swaprun::bench
