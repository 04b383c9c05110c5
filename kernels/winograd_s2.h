// Winograd for 3x3 convolutions at stride 2 (the generators' down convolutions):
// 4 x 4 outputs from a 9 x 9 input tile in 81 multiplications per input and output
// channel pair, against 144 direct.
//
// Along one axis, output y[j] = w0 d[2j] + w1 d[2j + 1] + w2 d[2j + 2] of the tile's 9
// inputs d: a 2-tap correlation of the 5 even inputs e[m] = d[2m] with (w0, w2), which
// is F(4, 2) (5 points, cook_toom.h), plus w1 times the 4 odd inputs o[j] = d[2j + 1]
// as they are. So one axis has 9 points: the 5 of F(4, 2), then the 4 odd inputs, with
//   BT9 = [BT5 on the even inputs; I4 on the odd ones]      (9 x 9)
//   G9  = [G5 on (w0, w2); (0, 1, 0) x 4]                   (9 x 3)
//   AT9 = [AT5 | I4]                                        (4 x 9)
// and the tile is their product along rows and columns, as F(4x4, 3x3) is of F(4, 3):
//   V = BT9 d BT9^T,  U = G9 g G9^T,  Y = AT9 (sum_c U . V) AT9^T.
// F(4, 2)'s points are 0, +-1, 2 and infinity: on single tiles in float against double,
// 2.2e-6 of the kernel's norm at most and 1.0e-7 on average
// (ConvFast.StridedWinogradTransformsReproduceTheConvolution); 1/2, -1/2 or -2 in place
// of 2 gave 2.1e-6 to 3.0e-6 at most and 1.0e-7 to 1.1e-7 on average.
//
// The stages of a pass over a block of output tiles (lanes of a vector carry tiles):
//   V[xi][c][t]  input transform, all threads by input channel;
//   then each thread, for its blocks of mr output channels, one row of points p at a
//   time (9 points, whose slices of V stay in L2 for all its blocks): row p of the
//   block's U, made from its 3x3 kernels into a buffer of the thread's; the 9 GEMMs
//   M[p][q][k][t] = sum_c U[xi][k][c] V[xi][c][t] into another, at once transformed
//   along q and added, times AT9's column p, to the block's output tiles Y[k][16][t];
//   and after the last row of points, Y plus the bias, activated, into the output.
//   Each value is one thread's sum in a fixed order: the bits do not depend on the
//   thread count.
// U is made per run because it is 9 times the kernels' size: kept from load, every pass
// read it whole from memory (42 MB for inswapper_128's down.1, 8 passes), and the layer
// was no faster than the direct kernels (kernel_bench inswapper_down1_s2, 1 thread, on a
// Xeon: 83.6 ms against 79.8; made per run, 57.1). Made once a pass, it is not free:
// there, at 32 tiles a pass, perf put 15 % of the layer's samples in making it against
// 49 % in the GEMMs.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/cook_toom.h"
#include "kernels/cpu_common.h"
#include "kernels/kernel_types.h"

namespace swaprun::kernels::winograd_s2 {

inline constexpr int kTile = 4;                          // output tile edge
inline constexpr int kSpan = 2 * kTile + 1;              // input tile edge
inline constexpr int kEvenPoints = kTile + 1;            // F(4, 2) on the even inputs
inline constexpr int kAxisPoints = kEvenPoints + kTile;  // and the odd inputs as they are
inline constexpr int kPoints = kAxisPoints * kAxisPoints;

// F(4, 2)'s finite points; the last one is infinity.
inline constexpr double kFinitePoints[kEvenPoints - 1] = {0.0, 1.0, -1.0, 2.0};
inline constexpr cook_toom::Transforms<kTile, 2> kEven = cook_toom::make<kTile, 2>(kFinitePoints);

// AT9[j][q]: output j's weight of axis point q.
constexpr double at9(int j, int q) {
    return q < kEvenPoints ? kEven.at[j][q] : (q - kEvenPoints == j ? 1.0 : 0.0);
}

// G9[p][a]: axis point p's weight of kernel tap a.
constexpr double g9(int p, int a) {
    if (p < kEvenPoints) return a == 1 ? 0.0 : kEven.g[p][a / 2];
    return a == 1 ? 1.0 : 0.0;
}

// Whether a convolution of this shape can run so: 3x3 at stride 2, dilation 1, one
// group, zero padding.
inline bool applies(const Conv2dParams& p) {
    return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 2 && p.stride_w == 2 &&
           p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1 &&
           p.pad_mode == PadMode::Constant && p.pad_top >= 0 && p.pad_left >= 0 &&
           p.out_height > 0 && p.out_width > 0;
}

inline int64_t tiles_wide(const Conv2dParams& p) { return (p.out_width + kTile - 1) / kTile; }
inline int64_t tiles(const Conv2dParams& p) {
    return tiles_wide(p) * ((p.out_height + kTile - 1) / kTile);
}

// The 3x3 kernels, packed for the transform each run makes of them (U takes 9 times
// their size, which a pass would read from memory rather than make in cache): per block
// of `mr` output channels, 9 tap planes of in_channels x mr floats ([tap][c][r]), each
// padded to whole cache lines; zeros past out_channels.
inline int64_t g_plane_floats(int64_t in_channels, int mr) {
    return cpu::whole_lines(in_channels * mr);
}
// Blocks of `mr` output channels: the GEMMs' rows, zero rows past out_channels.
inline int64_t k_blocks(const Conv2dParams& p, int mr) { return (p.out_channels + mr - 1) / mr; }
int64_t packed_weight_floats(const Conv2dParams& p, int mr);
void pack_weights(const Conv2dParams& p, const float* weight, int mr, float* g);

struct Args {
    const Conv2dParams* p = nullptr;
    const float* g = nullptr;  // pack_weights
    const float* bias = nullptr;
    const float* input = nullptr;
    float* output = nullptr;
    float* scratch = nullptr;  // Scratch::total floats
    int64_t block = 0;         // tiles per pass: tile_block
    int threads = 1;
};

// The most bytes of one row of points' slices of V (9 x in_channels x block), which
// every block of output channels reads while they stay in L2. live_base's down.3 (192
// channels) in a model's run on a Xeon (swaprun infer --profile, 2 threads): 2.72-2.80
// ms in passes of 32 tiles, 2.90-2.98 in one pass of 64 (512 KiB).
inline constexpr int64_t kVRowBytes = 256 * 1024;

// Tiles per pass: whole micro-kernel columns of `cols` tiles, the slices of V of a row of
// points within kVRowBytes, no more than the image has.
inline int64_t tile_block(const Conv2dParams& p, int64_t cols) {
    const int64_t fit = kVRowBytes / (kAxisPoints * 4 * std::max<int64_t>(1, p.in_channels));
    const int64_t whole = (tiles(p) + cols - 1) / cols * cols;
    return std::clamp<int64_t>(fit / cols * cols, cols, std::max<int64_t>(cols, whole));
}

// Each thread's input rows of one channel for a pass (its band): the padded input rows
// of the tile rows the pass's tiles lie in, each split into its even padded columns
// (phase 0) and its odd ones (phase 1), phase_len floats each, zeros outside the image.
// A tile in tile column j reads padded columns 8j .. 8j + 8 of its rows: the even ones
// are phase 0 at 4j .. 4j + 4, the odd ones phase 1 at 4j .. 4j + 3. So from tile to
// tile a row's inputs lie 4 floats on in each phase, as a stride-1 tile's patch does in
// its row, and tile_columns.h transposes them into lanes the same way.
// A phase holds 4 more floats than the tiles' columns: the transposes read L + 4 floats
// from a quad's first tile on.
inline int64_t phase_len(const Conv2dParams& p) { return kTile * tiles_wide(p) + kTile; }
// Tile rows that a pass of `block` tiles can touch, and the band's padded rows for them.
inline int64_t band_tile_rows(const Conv2dParams& p, int64_t block) {
    return (block + tiles_wide(p) - 1) / tiles_wide(p) + 1;
}
inline int64_t band_floats(const Conv2dParams& p, int64_t block) {
    return (2 * kTile * band_tile_rows(p, block) + 1) * 2 * phase_len(p);
}

// Where the buffers lie in Args::scratch: V (kPoints slices of in_channels x block,
// v_stride apart), the output tiles Y (k_padded x 16 x block), then each thread's M
// for one row of points (9 x mr x block), its row of U (9 slices of a tap plane and a
// line), its input tiles transformed along their rows (kPoints x lanes), its output
// tiles on their way out (16 x lanes) and its band.
struct Scratch {
    int64_t v_stride = 0, v = 0, y = 0, per_thread = 0;
    int64_t y_at() const { return v; }
    int64_t thread_at(int t) const { return v + y + t * per_thread; }
    int64_t total(int threads) const { return v + y + threads * per_thread; }
};

// Floats between the slices of a row of U.
inline int64_t u_slice(const Conv2dParams& p, int mr) {
    return g_plane_floats(p.in_channels, mr) + cpu::kLineFloats;
}

inline Scratch scratch_plan(const Conv2dParams& p, int64_t block, int64_t k_padded, int mr,
                            int lanes) {
    Scratch s;
    // One line more than the slice: at multiples of 4 KiB the stores of one transform
    // would all fall in one L1 set.
    s.v_stride = cpu::whole_lines(p.in_channels * block) + cpu::kLineFloats;
    s.v = kPoints * s.v_stride;
    s.y = k_padded * kTile * kTile * block;
    s.per_thread = cpu::whole_lines(kAxisPoints * mr * block) + kAxisPoints * u_slice(p, mr) +
                   cpu::whole_lines((kPoints + kTile * kTile) * lanes) +
                   cpu::whole_lines(band_floats(p, block));
    return s;
}

struct Kernels {
    const char* name;
    int lanes;
    int mr;  // output channels per micro-kernel
    int nr;  // vectors of tiles per micro-kernel
    void (*run)(const Args& a);
};

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_S2_X86 1
extern const Kernels kAvx2;
extern const Kernels kAvx512;
extern const Kernels kAvx512Wide;  // 6 x 4 micro-kernels, for layers of many tiles
#else
#define SWAPRUN_WINOGRAD_S2_X86 0
#endif

#if defined(__aarch64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_S2_NEON 1
extern const Kernels kNeon;
#else
#define SWAPRUN_WINOGRAD_S2_NEON 0
#endif

}  // namespace swaprun::kernels::winograd_s2
