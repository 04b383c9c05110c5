// Register-tiled direct convolution: the per-ISA micro-kernels behind
// PreparedConv2d's Direct algorithm (private to kernels/).
//
// A task is one output row (n, group, oy), or two for the narrow kernel where its
// shifted taps serve both (Variant::rows_per_task). The input rows it reads (every input
// channel of the group, every kernel row) come from a small per-thread ring of
// padded rows: each input row is padded there once, through the pad-mode index
// function, and split into stride_w phases, so that the taps of consecutive output
// columns are contiguous for any stride and dilation. A thread takes consecutive
// output rows, so each task pads only the rows that entered its window (one for a
// stride-1 layer, where copying every kernel row again cost a third of a 7x7
// layer's time). Then, per block of mr output channels and nr vectors of output
// columns, the micro-kernel keeps mr x nr accumulators in registers while it walks
// the taps (input channel, kernel row, kernel column: a fixed order), broadcasting
// mr packed weights per tap (column tiles). Pixel tiles turn this around: one vector
// of output channels by a vector's count of output columns, one input value broadcast
// for every tap that reads it, the outputs transposed into rows at the end. Bias and
// activation are applied before the store.
#pragma once

#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/kernel_types.h"

namespace swaprun::kernels::direct {

struct Args {
    const Conv2dParams* p = nullptr;
    const float* w = nullptr;     // packed [group][oc block][icg][kh][kw][mr], zero-padded
    const float* bias = nullptr;  // out_channels values
    const float* input = nullptr;
    float* output = nullptr;
    float* scratch = nullptr;             // row_floats per thread
    int64_t phase_len = 0;                // floats per phase row in the row buffer
    int64_t row_floats = 0;               // per-thread row buffer
    int64_t ring = 0;                     // rows of one channel in it: buffer_rows()
    const int64_t* tap_offset = nullptr;  // per kernel column: phase * phase_len + column
    // Depthwise only: per buffer column (phase * phase_len + j), the input column it
    // holds, or -1 for a zero (padding, or past the row).
    const int32_t* column_source = nullptr;
    // Set when the input is p's at half the height and width, read upsampled by 2
    // (bilinear, half-pixel: ConvOptions::upsampled_input): the Resize kernel's row
    // function (simd::Table::resize2x_row), so that the rows are the ones a Resize
    // would write. The wide and narrow kernels only, at stride 1; each thread's
    // buffer ends with upsample_row_floats() more floats.
    void (*upsample_row)(const float* far, const float* near, int64_t in_width, float* tmp,
                         float* out) = nullptr;
    int threads = 1;
};

// The vertical blend of two input rows, one column of clamping either side.
inline int64_t upsample_row_floats(const Conv2dParams& p) { return p.in_width / 2 + 2; }

// Rows of one channel the ring holds: the span of input rows one output row reads.
inline int64_t ring_rows(const Conv2dParams& p) { return (p.kernel_h - 1) * p.dilation_h + 1; }

struct Variant {
    int mr;  // output channels per micro-kernel
    int nr;  // vectors of output columns per micro-kernel
    void (*run)(const Args& a);
    int64_t rows_per_task = 1;  // output rows per task (of one group, or one channel)
};

// The row kernels a pair can run with: Kernels::wide, narrow, pixels, row_winograd,
// row_winograd_narrow and long_columns.
enum class Tiling : uint8_t { Wide, Narrow, Pixels, RowWinograd, RowWinogradNarrow, LongColumns };

// A first convolution of a pair that is not one of the row kernels: it makes `rows`
// rows of its output at a time (a Winograd layer, a row of output tiles at a time:
// winograd::Kernels::run_band). run(context, n, band, out, scratch) writes rows
// [band * rows, band * rows + rows) of image n, every channel (channel k's rows at
// out + k * rows * out_width), by the calling thread, in scratch_floats of scratch.
struct FirstBands {
    void (*run)(const void* context, int64_t n, int64_t band, float* out, float* scratch) = nullptr;
    const void* context = nullptr;
    int64_t rows = 0;
    int64_t scratch_floats = 0;
};

// Two convolutions run as one, the second reading the first's output (one group each;
// see PreparedConv2d::run_pair): each thread takes a run of the second's output rows,
// and computes the rows of the first's output that they read, one at a time (or a band
// at a time: FirstBands), into a buffer of its own, from which the second's ring is
// padded. The first's output is never written whole, so a large one never goes
// through memory; each value is the same as the two run one after the other give.
struct PairArgs {
    Args first, second;  // first.output and second.input are not read
    Tiling first_tiling = Tiling::Wide, second_tiling = Tiling::Wide;
    FirstBands bands;          // set where the first makes bands (first and first_tiling unread)
    float* scratch = nullptr;  // thread_floats per thread
    int64_t thread_floats = 0;
    int threads = 1;
};

// A thread's share of PairArgs::scratch: the first's buffer (its row kernel's, or
// FirstBands::scratch_floats), `rows` rows of its output (every channel: 1, or
// FirstBands::rows), the second's buffer.
inline int64_t pair_middle_floats(const Conv2dParams& first, int64_t rows) {
    return cpu::whole_lines(first.out_channels * rows * first.out_width);
}
inline int64_t pair_thread_floats(const Conv2dParams& first, int64_t first_floats, int64_t rows,
                                  int64_t second_row_floats) {
    return cpu::whole_lines(first_floats) + pair_middle_floats(first, rows) + second_row_floats;
}

struct Kernels {
    const char* name;
    int lanes;
    Variant wide;    // for groups with many output channels
    Variant narrow;  // for groups with at most narrow.mr output channels (image tails)
    // Pixel tiles (PixelImpl in conv2d_direct_pixels.h): one vector of output channels
    // by a vector's count of output columns, the input broadcast.
    Variant pixels;
    // For depthwise layers (one input and one output channel per group): see Depthwise in
    // conv2d_direct_impl.h.
    Variant depthwise;
    // 7x7 layers at stride 1 through F(4, 7) along the rows (conv2d_row_winograd.h):
    // mr output channels by nr vectors of tiles; the narrow one for the 3-channel
    // image tails. Their ring slots hold transformed rows: 10 points per 4 columns.
    Variant row_winograd;
    Variant row_winograd_narrow;
    // Column tiles of fewer output channels by more vectors of columns (AVX-512: 6 x 4
    // against wide's 8 x 2: 24 FMAs for 10 loads, not 16), for rows that fill them
    // (long_columns_win in conv2d_choice.cpp). Where an ISA has no such shape, wide's.
    Variant long_columns;
    void (*run_pair)(const PairArgs& a);  // any two of the row kernels
};

// Output rows a depthwise task computes: its input rows are padded once for all of them.
inline constexpr int64_t kDepthwiseBandRows = 16;

// Rows of one channel a thread's buffer holds for `v`: the window of its task's output
// rows (one row's: the ring; a depthwise band's).
inline int64_t buffer_rows(const Conv2dParams& p, const Variant& v) {
    return (v.rows_per_task - 1) * p.stride_h + ring_rows(p);
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_DIRECT_X86 1
extern const Kernels kAvx2;
extern const Kernels kAvx512;
#else
#define SWAPRUN_DIRECT_X86 0
#endif

#if defined(__aarch64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_DIRECT_NEON 1
extern const Kernels kNeon;
#else
#define SWAPRUN_DIRECT_NEON 0
#endif

}  // namespace swaprun::kernels::direct
