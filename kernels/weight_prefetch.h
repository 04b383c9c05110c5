// Weights fetched ahead of the GEMMs that read them.
#pragma once

#include <cstdint>

namespace swaprun::kernels {

// The part of a stream of weights that one micro-kernel call fetches into L2 while it
// multiplies: the weights its thread's next GEMMs will read (winograd_gemm.h). The
// Winograd layers read their kernels (or U) from memory on every run, since the
// generators' weights outgrow L2, and the hardware's stream prefetchers do not cross 4
// KB pages. live_base's blocks stalled on their 3x3 kernels while making U (perf:
// transform_row 5.6 % of the run's samples). Measured on a Xeon (swaprun infer
// --profile, 2 threads, medians of 10 alternating runs): live_base's blocks (U made per
// run, fetching the next block of output channels' kernels) 12.24 -> 11.63 ms, its up.0
// (U from load, fetching the next slice) 2.94 -> 2.75, the whole model 38.5 -> 37.6;
// with AVX2 (its 6 x 2 kernel) 17.23 -> 16.73, 4.40 -> 4.11 and 59.8 -> 58.7;
// inswapper_128 324 -> 311 ms (3 runs); live_mini no different. Fetching all of a
// block's lines before its GEMMs filled the core's miss buffers (the blocks 12.0-12.6
// -> 12.9-13.5 ms), so a call spreads its share over its channels. The stride-2
// Winograd GEMMs fetch nothing: there a thread's kernels mostly stay in L2 from one row
// of points to the next, and down.3 went 2.18 -> 2.31 ms.
struct Prefetch {
    const char* first = nullptr;
    int64_t lines = 0;  // 64-byte lines from first on

    static constexpr int64_t kLine = 64;

    // The lines of [from, from + bytes).
    static Prefetch of(const void* from, int64_t bytes) {
        return {static_cast<const char*>(from), bytes / kLine};
    }
    // Call `call` of `calls`' share: the calls split the lines evenly and in order.
    Prefetch share(int64_t calls, int64_t call) const {
        const int64_t begin = lines * call / calls, end = lines * (call + 1) / calls;
        return {first + begin * kLine, end - begin};
    }
};

}  // namespace swaprun::kernels
