// The FMA peak loops, one per instruction set, each in its own translation unit
// compiled for that ISA (see CMakeLists.txt). This header and those files include
// nothing but the intrinsics headers: an inline function from a shared header,
// compiled with -mavx512f in one file and without it elsewhere, could be merged by
// the linker into the AVX-512 copy and crash machines without it.
#pragma once

namespace swaprun::bench {

// Each loop runs `iterations` steps of independent accumulator chains held in
// registers and returns a value that depends on every chain (so no step can be
// dropped). kFlops* is the number of floating-point operations per step.

// x86-64 baseline: SSE multiply + add on 4-wide vectors (no FMA instruction).
inline constexpr double kFlopsBaseline = 12.0 * 4 * 2;  // 12 chains, 4 lanes, mul + add
float peak_loop_baseline(long long iterations);

#if defined(SWAPRUN_BENCH_X86)
inline constexpr double kFlopsAvx2 = 12.0 * 8 * 2;  // 12 chains, 8 lanes, FMA = 2 flops
float peak_loop_avx2(long long iterations);

inline constexpr double kFlopsAvx512 = 24.0 * 16 * 2;  // 24 chains, 16 lanes
float peak_loop_avx512(long long iterations);
#endif

}  // namespace swaprun::bench
