// Winograd F(4x4, 3x3) convolution: the per-ISA stage kernels behind
// PreparedConv2d (private to kernels/).
//
// Layout. Output tiles are numbered row-major over the image (tile t covers
// output rows 4*(t / tiles_w).. and columns 4*(t % tiles_w)..). Tiles are taken
// in blocks; for each block the three stages run one after the other (by all
// threads together, or by each thread on its own tiles: see Scratch; or, for the
// first convolution of a pair, one row of tiles at a time by the thread that needs
// its rows: Kernels::run_band):
//   V[xi][c][t]  = (B^T d B)[xi]   input transform, vectorized over tiles
//   M[xi][k][t]  = sum_c U[xi][k][c] * V[xi][c][t]   36 independent GEMMs
//   out          = A^T M A + bias, activation        output transform
// The GEMM micro-kernel reads U as [xi][k / mr][c][mr] (zero rows past
// out_channels): it broadcasts mr consecutive weights per input channel and
// multiplies them with nr vectors of tiles. Each M element is one thread's sum
// over c in increasing order, whatever the thread count.
//
// The input. Each thread copies the input rows of a tile block that it transforms,
// one channel at a time, into a band with the padding written out (the pad mode's
// values, read through the same index function; for an input read upsampled, the
// rows are made there from the half-size input by the Resize kernel's row function,
// so the upsampled tensor is never written): the transform then reads every
// patch without a bounds check, so border tiles (every tile group of a 32x32 layer)
// take the same path as interior ones. Lane l of a group of L tiles carries tile
// tile_of_lane(l) of the group, the order in which the ISA's 4x4 transposes leave
// the tiles' columns (winograd_impl.h); the GEMMs see tiles as independent columns,
// so only the two transforms need agree on it.
//
// Where U comes from. Transformed, the weights take 36/9 = 4 times their size (85 MB
// for live_base's 16 block convolutions, 1.8 GB for inswapper_128's 12): kept whole,
// they are most of a model's memory and are read from DRAM on every pass. So a layer of
// at most 64 tiles, run in one pass (kPerRunPassTiles in conv2d_choice.cpp: the 32x32
// residual blocks of every generator), with few enough input channels that the GEMMs'
// share of V stays in L2 (live_base's and live_mini's blocks; not inswapper_128's:
// packed_layout in conv2d_choice.cpp), keeps only its 3x3 kernels, packed at load as
// [k / mr][tap][c][mr], and each GEMM task transforms the row of U it is about to use
// (6 points of mr output channels, all input channels) into its thread's slice of
// scratch, where it stays in L2. That costs about a tenth of the GEMMs' arithmetic,
// done once per run. Layers of several passes would repeat it per pass, so they keep U
// transformed at load.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/kernel_types.h"
#include "kernels/winograd_amx.h"

namespace swaprun::kernels::winograd {

inline constexpr int kPoints = 36;    // 6x6 transform points
inline constexpr int kTile = 4;       // output tile edge
inline constexpr int kSlicePad = 16;  // floats between point slices (see winograd_impl.h)

// The output of a Polyphase layer's stacked convolution (conv2d_polyphase.h) written
// as the layer's own: stacked channel (2a + b) * out_channels + o at (i, j) is the
// layer's channel o at (2i + a, 2j + b). The output transform takes the two phases of
// a row, (a, 0) and (a, 1), together and zips their rows, so it writes whole rows of
// the layer's output; it subtracts the border corrections from the pixels on the
// image's edges, then applies the layer's activation (the stacked convolution's
// Conv2dParams has none). The corrections (polyphase::border_corrections) of image n
// lie image_floats on from those of image 0, which these point at; h x w is the
// stacked convolution's output size.
struct PhaseOutput {
    int64_t out_channels = 0;  // the layer's: a quarter of the stacked convolution's
    ActivationParams activation;
    const float* top = nullptr;     // [out_c][2 * w]: from row 0, corners included
    const float* bottom = nullptr;  // [out_c][2 * w]: from row 2 * h - 1
    const float* left = nullptr;    // [out_c][2 * h]: from column 0 (0 on rows 0, 2h - 1)
    const float* right = nullptr;   // [out_c][2 * h]: from column 2 * w - 1 (likewise)
    int64_t image_floats = 0;
};

struct Args {
    const Conv2dParams* p = nullptr;
    const float* u = nullptr;     // transformed weights, or null: then g
    const float* g = nullptr;     // 3x3 kernels as [k / mr][tap][c][mr], transformed per run
    const float* bias = nullptr;  // out_channels values
    const float* input = nullptr;
    float* output = nullptr;
    // V, M, rows of U and bands, as scratch_plan lays them out.
    float* scratch = nullptr;
    // Set when the input is p's at half the height and width, read upsampled by 2
    // (ConvOptions::upsampled_input): the Resize kernel's row function, with which the
    // bands are filled (its temporary: Scratch::tmp).
    void (*upsample_row)(const float* far, const float* near, int64_t in_width, float* tmp,
                         float* out) = nullptr;
    // The GEMMs in bf16x3 on AMX tiles (winograd_amx.h; the AVX-512 kernels only, for
    // out_channels a multiple of 16): U from load packed for them in u_amx (36 points of
    // winograd_amx::a_words each), or, made per run, g holds the 3x3 kernels as
    // [tap][k][c] (planes of winograd_amx::g_plane_floats).
    bool amx = false;
    const uint16_t* u_amx = nullptr;
    int64_t tiles = 0, tile_block = 0, k_padded = 0;
    // How the threads share the work (see Scratch): false, the three stages one after
    // the other with all threads, V and M shared; true, each thread all three on its
    // own tiles, in its own V and M.
    bool private_tiles = false;
    int threads = 1;
    // Set for a Polyphase layer's stacked convolution: output holds the layer's output.
    const PhaseOutput* phases = nullptr;
};

// The 3x3 kernels of a layer whose U is made per run: per block of mr output
// channels, 9 tap planes of in_c * mr floats ([tap][c][r]), each padded to whole
// vectors of any ISA, so that the transform runs down them vector by vector.
inline int64_t g_plane_floats(int64_t in_channels, int64_t mr) {
    return cpu::whole_lines(in_channels * mr);
}
// Floats between the 6 point slices of one row of U made per run (padded as V's
// and M's are), and a thread's share of scratch for that row.
inline int64_t u_slice_floats(int64_t in_channels, int64_t mr) {
    return g_plane_floats(in_channels, mr) + kSlicePad;
}
inline int64_t u_row_floats(int64_t in_channels, int64_t mr) {
    return 6 * u_slice_floats(in_channels, mr);
}

// A thread's band: the padded input rows of one tile block of one channel. Rows are
// band_stride floats apart: the patches' 4 * tiles_w + 2 columns, and 2 more that
// the transposes' loads of the last tiles' columns 4 and 5 read past them.
inline int64_t band_stride(int64_t tiles_w) { return cpu::whole_lines(4 * tiles_w + 4); }
inline int64_t band_floats(const Conv2dParams& p, int64_t tile_block) {
    const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
    const int64_t tile_rows = (p.out_height + kTile - 1) / kTile;
    // A block of tile_block tiles starting anywhere touches at most this many.
    const int64_t touched = std::min(tile_rows, (tile_block + tiles_w - 2) / tiles_w + 1);
    return (touched * kTile + 2) * band_stride(tiles_w);
}

// The row function's temporary: the vertical blend of two half-size rows, one
// column of clamping either side (p's width is the upsampled one).
inline int64_t upsample_tmp_floats(const Conv2dParams& p) {
    return cpu::whole_lines(p.in_width / 2 + 2);
}

// Floats between the 36 point slices of V or M of `floats` each: one cache line more,
// because at exact multiples of 4 KiB the 36 stores (and loads) of one transform
// would all land in the same L1 set.
inline int64_t point_stride(int64_t floats) { return floats + kSlicePad; }

// Where the buffers lie in Args::scratch. Shared stages (private_tiles false): V
// (kPoints * v_stride) and M (kPoints * m_stride) for tile_block tiles, then each
// thread's own part. Private tiles: each thread's part only, which holds its own V
// and M for `block` tiles (and M for every output channel, as shared M does). A
// thread's part: [V, M: private tiles only][AMX tiles: amx only][one row of U: U made
// per run][band][the upsampling row function's temporary: upsampled input only].
//
// Why two ways. Shared, a thread's stage reads what the other threads wrote in the
// stage before (V by input channel, M by point), so every pass moves V and M between
// the cores' caches, and waits at two barriers; on 2 cores that held the 32x32 blocks'
// layers to 1.3-1.4 times their 1-thread speed, where two separate processes run
// each at its 1-thread speed. Private, nothing moves, but every thread reads all of
// U (or makes all of it, per run): right where U is small, wrong for inswapper_128's
// 1024-channel layers (151 MB of U each).
struct Scratch {
    int64_t block = 0;     // tiles per pass: a thread's, with private tiles
    int64_t v_stride = 0;  // floats between point slices of V
    int64_t m_stride = 0;  // and of M
    int64_t shared = 0;    // floats of V and M the threads share (private tiles: 0)
    int64_t amx = 0;       // floats of a thread's AMX tiles (amx_floats; not amx: 0)
    int64_t u_row = 0;     // floats of a thread's row of U (U from load or amx: 0)
    int64_t band = 0;      // floats of a thread's band
    int64_t tmp = 0;       // floats of its row function temporary (not upsampled: 0)
    int64_t per_thread = 0;

    // The first float of each part of thread t's share.
    int64_t thread_base(int t) const { return shared + t * per_thread; }
    int64_t private_v() const { return 0; }
    int64_t private_m() const { return kPoints * v_stride; }
    int64_t amx_at() const { return per_thread - tmp - band - u_row - amx; }
    int64_t u_row_at() const { return per_thread - tmp - band - u_row; }
    int64_t band_at() const { return per_thread - tmp - band; }
    int64_t tmp_at() const { return per_thread - tmp; }
    int64_t total(int threads) const { return shared + threads * per_thread; }
};

// Tiles per pass, when each thread runs its own: its share of the image (whole
// micro-kernel columns of `cols` tiles), no more than tile_block.
inline int64_t private_block(int64_t tiles, int64_t tile_block, int threads, int64_t cols) {
    const int64_t units = (tiles + cols - 1) / cols;
    const int64_t share = (units + threads - 1) / threads * cols;
    return std::max<int64_t>(cols, std::min(share, tile_block));
}

// A thread's AMX tiles (winograd_amx.h) for passes of `block` tiles: B for the points
// its GEMMs read in a row (U made per run: the 6 of a row of U; from load: one), and,
// U made per run, A of that row for one work item's output channels.
inline int64_t amx_floats(int64_t in_channels, int64_t block, bool per_run_u) {
    const int64_t a = per_run_u ? 6 * winograd_amx::a_words(winograd_amx::kChunk, in_channels) : 0;
    const int64_t b = (per_run_u ? 6 : 1) * winograd_amx::b_words(in_channels, block);
    return cpu::whole_lines((a + b + 1) / 2);  // two bf16 words to a float
}

inline Scratch scratch_plan(const Conv2dParams& p, int64_t tiles, int64_t tile_block,
                            int64_t k_padded, int64_t mr, int64_t cols, bool per_run_u,
                            bool upsampled, bool private_tiles, bool amx, int threads) {
    Scratch s;
    s.block = private_tiles ? private_block(tiles, tile_block, threads, cols) : tile_block;
    s.v_stride = point_stride(p.in_channels * s.block);
    s.m_stride = point_stride(k_padded * s.block);
    const int64_t v_and_m = kPoints * (s.v_stride + s.m_stride);
    s.shared = private_tiles ? 0 : v_and_m;
    s.amx = amx ? amx_floats(p.in_channels, s.block, per_run_u) : 0;
    s.u_row = per_run_u && !amx ? u_row_floats(p.in_channels, mr) : 0;
    s.band = band_floats(p, s.block);
    s.tmp = upsampled ? upsample_tmp_floats(p) : 0;
    s.per_thread = (private_tiles ? v_and_m : 0) + s.amx + s.u_row + s.band + s.tmp;
    return s;
}

struct Kernels {
    const char* name;
    int lanes;  // floats per vector
    int mr;     // output channels per micro-kernel
    int nr;     // vectors of tiles per micro-kernel
    void (*run)(const Args& a);
    // One row of output tiles by the calling thread, for a pair (direct::PairArgs):
    // its rows kTile * tile_row .. + kTile of image n, every channel, into out (channel
    // k's rows at out + k * kTile * out_width; with Args::phases the layer's 2 * kTile
    // rows of 2 * out_width), in scratch of band_scratch_floats(a).
    // U from load only (Args::u); Args::scratch, tile_block, private_tiles and threads
    // are not read.
    int64_t (*band_scratch_floats)(const Args& a);
    void (*run_band)(const Args& a, int64_t n, int64_t tile_row, float* out, float* scratch);
    // The GEMMs' micro-kernel alone (winograd_gemm::gemm_tile), for kernel_bench's
    // winograd_gemm/: m[r][..] = sum over c < channels of u[c * mr + r] * v[c * ldv + ..],
    // for r < mr and nr vectors of tiles, row r of m at m + r * ldm.
    void (*gemm_tile)(const float* u, const float* v, int64_t channels, int64_t ldv, float* m,
                      int64_t ldm);
};

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_X86 1
extern const Kernels kAvx2;
extern const Kernels kAvx512;
extern const Kernels kAvx512Wide;  // 6 x 4 micro-kernels, for many input channels
#else
#define SWAPRUN_WINOGRAD_X86 0
#endif

#if defined(__aarch64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_NEON 1
extern const Kernels kNeon;
#else
#define SWAPRUN_WINOGRAD_NEON 0
#endif

}  // namespace swaprun::kernels::winograd
