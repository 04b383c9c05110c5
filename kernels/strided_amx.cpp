// The 3x3 stride-2 convolutions on AMX tiles (strided_amx.h). Compiled with
// -mamx-tile, -mamx-bf16 and AVX-512 with BF16 (kernels/CMakeLists.txt); run only after
// winograd_amx::available().
#include "kernels/strided_amx.h"

#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kernels/cpu_common.h"
#include "kernels/winograd_amx.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_AMX 1
// As in winograd_amx.cpp: g++ 12's "undefined" AVX-512 vectors warn where inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/amx_bf16x3.h"
#include "kernels/conv2d_direct_rows.h"
#else
#define SWAPRUN_AMX 0
#endif

namespace swaprun::kernels::strided_amx {

namespace {

using winograd_amx::kStep;
using winograd_amx::kTileRows;
using winograd_amx::kTileWords;

constexpr int64_t kPairsPerStep = kStep / 2;  // B's rows: pairs of input channels
constexpr int64_t kCTileFloats = kTileRows * kTileRows;

// The most bytes of split input (hi and lo) a thread holds at a time: the input rows of
// a few output rows, split just before the tiles read them, so that both happen in L2
// beside the weights. Measured on a Xeon with 2 MiB of L2 (kernel_bench
// live_base_down2_s2 / live_base_down3_s2 in bf16x3, 2 threads): 128 KiB 1.09 / 0.91 ms,
// 512 KiB 0.94 / 0.80, 1 MiB 0.99 / 0.77, 2 MiB 1.26 / 0.94.
constexpr int64_t kSplitBytes = 512 * 1024;

// A layer of at most 16 input channels would fill half of each tile step. Instead its
// rows hold 4 slots of 8 pairs, the taps kx = 0, 2, 1 and a slot of zeros, so that one
// step of 16 pairs takes two taps: (0, 2), then (1, zeros); 6 steps per output row
// instead of 9. Its weights are packed as 3 "taps" (the kernel rows) of 64 channels in
// that order.
constexpr int64_t kMergedChannels = kPairsPerStep;
constexpr int kMergedSlot[3] = {0, 2, 1};  // the slot of tap column kx

bool merged(const Conv2dParams& p) { return p.in_channels <= kMergedChannels; }

// Where a thread's split input and its accumulators' staging lie in its scratch.
struct Geometry {
    bool merged = false;        // two taps to a tile step (merged(p))
    int taps = 0;               // GEMMs per output tile: 9 taps, or 3 kernel rows merged
    int slots = 0;              // slots per split row: one per tap column (and zeros)
    int64_t steps = 0;          // tile steps per tap
    int64_t pairs = 0;          // pairs of input channels per slot
    int64_t ld = 0;             // words per pair of one slot: the output's columns
    int64_t slot_words = 0;     // words per slot (all its pairs)
    int64_t chunk = 0;          // output rows split at a time: 2 chunk + 1 input rows
    int64_t words = 0;          // hi words of a thread's split input (lo as many after)
    int64_t thread_floats = 0;  // split input, then 4 accumulator tiles' staging
};

Geometry geometry(const Conv2dParams& p) {
    Geometry g;
    g.merged = merged(p);
    g.taps = g.merged ? 3 : 9;
    g.slots = g.merged ? 4 : 3;
    g.steps = g.merged ? 2 : winograd_amx::steps(p.in_channels);
    g.pairs = g.merged ? kMergedChannels / 2 : g.steps * kPairsPerStep;
    g.ld = cpu::whole_lines(p.out_width + 1);  // tap 0's stores reach one word past
    g.slot_words = g.pairs * g.ld;
    const int64_t row_words = g.slots * g.slot_words;
    const int64_t row_bytes = 2 * row_words * static_cast<int64_t>(sizeof(uint32_t));
    g.chunk = std::clamp<int64_t>((kSplitBytes / row_bytes - 1) / 2, 1, p.out_height);
    g.words = (2 * g.chunk + 1) * row_words;
    g.thread_floats = cpu::whole_lines(2 * g.words + 4 * kCTileFloats);
    return g;
}

// Channels of one packed tap's A: the input's, or a merged kernel row's 4 slots.
int64_t tap_channels(const Conv2dParams& p) {
    return merged(p) ? 4 * kMergedChannels : p.in_channels;
}

}  // namespace

bool applies(const Conv2dParams& p) {
    return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 2 && p.stride_w == 2 &&
           p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1 &&
           p.pad_mode == PadMode::Constant && p.pad_top == 1 && p.pad_left == 1 &&
           p.in_height == 2 * p.out_height && p.in_width == 2 * p.out_width &&
           p.out_channels % kTileRows == 0 && p.out_width % kTileRows == 0 && p.in_channels > 0 &&
           p.out_channels > 0 && p.out_height > 0;
}

int64_t weight_words(const Conv2dParams& p) {
    return geometry(p).taps * winograd_amx::a_words(p.out_channels, tap_channels(p));
}

void pack_weights(const Conv2dParams& p, const float* weight, uint16_t* a) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t tap_words = winograd_amx::a_words(out_c, tap_channels(p));
    if (!merged(p)) {
        for (int t = 0; t < 9; ++t) {
            winograd_amx::pack_u(weight + t, out_c, in_c, in_c * 9, 9, a + t * tap_words);
        }
        return;
    }
    const int64_t width = tap_channels(p);
    std::vector<float> row(static_cast<size_t>(out_c * width));
    for (int ky = 0; ky < 3; ++ky) {
        std::fill(row.begin(), row.end(), 0.0f);
        for (int64_t k = 0; k < out_c; ++k) {
            for (int kx = 0; kx < 3; ++kx) {
                for (int64_t c = 0; c < in_c; ++c) {
                    row[static_cast<size_t>(k * width + kMergedSlot[kx] * kMergedChannels + c)] =
                        weight[(k * in_c + c) * 9 + ky * 3 + kx];
                }
            }
        }
        winograd_amx::pack_u(row.data(), out_c, width, width, 1, a + ky * tap_words);
    }
}

int64_t scratch_floats(const Conv2dParams& p, int threads) {
    return std::max(1, threads) * geometry(p).thread_floats;
}

#if SWAPRUN_AMX

namespace {

// Splits rows `begin` .. `end` of a chunk whose first output row is oy0 (row r: input
// row 2 oy0 + r - 1), as strided_amx.h lays them out.
void split_rows(const Conv2dParams& p, const Geometry& g, const float* image, int64_t oy0,
                int64_t begin, int64_t end, uint32_t* hi) {
    const int64_t width = p.in_width, plane = p.in_height * width, slot_words = g.slot_words;
    uint32_t* const lo = hi + g.words;
    // Lanes of two vectors of 16 consecutive columns: the even ones, then the odd.
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (int64_t r = begin; r < end; ++r) {
        const int64_t iy = 2 * oy0 + r - 1;
        for (int64_t j = 0; j < g.pairs; ++j) {
            const int64_t at = r * g.slots * slot_words + j * g.ld;
            const int64_t c = 2 * j;
            // Zeros: every slot of the padding, and a merged row's fourth slot.
            const bool padding = iy < 0 || c >= p.in_channels;
            for (int slot = padding ? 0 : 3; slot < g.slots; ++slot) {
                std::fill_n(hi + at + slot * slot_words, g.ld, 0u);
                std::fill_n(lo + at + slot * slot_words, g.ld, 0u);
            }
            if (padding) continue;
            hi[at] = lo[at] = 0;  // column -1
            const float* x0 = image + c * plane + iy * width;
            const bool second = c + 1 < p.in_channels;
            for (int64_t m = 0; m < p.out_width; m += kTileRows) {
                bf16x3::Halves h[2][2];  // [channel][even, odd]
                for (int ch = 0; ch < 2; ++ch) {
                    if (ch == 1 && !second) {
                        h[1][0] = h[1][1] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
                        break;
                    }
                    const float* x = x0 + ch * plane + 2 * m;
                    const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + kTileRows);
                    h[ch][0] = bf16x3::halves(_mm512_permutex2var_ps(a, even, b));
                    h[ch][1] = bf16x3::halves(_mm512_permutex2var_ps(a, odd, b));
                }
                // Tap 0 the odd columns one word on, tap 1 the even ones, tap 2 the odd.
                const int parity[3] = {1, 0, 1};
                for (int kx = 0; kx < 3; ++kx) {
                    const int slot = g.merged ? kMergedSlot[kx] : kx;
                    const int64_t to = at + slot * slot_words + m + (kx == 0 ? 1 : 0);
                    const int e = parity[kx];
                    _mm512_storeu_si512(hi + to, bf16x3::hi_pairs(h[0][e], h[1][e]));
                    _mm512_storeu_si512(lo + to, bf16x3::lo_pairs(h[0][e], h[1][e]));
                }
            }
        }
    }
}

// KT tiles of 16 output channels (A's runs at a, `run` words apart, taps `tap_words`
// apart) by PT tiles of 16 output pixels (tap t's B at b[pt][t], steps `step` words
// apart, lo words `lo` after hi), summed over the taps (9, or 3 merged) and steps in
// order, into `staging` (tile 2 kt + pt at kCTileFloats of each).
template <int KT, int PT>
void block(const uint16_t* a, int64_t run, int64_t tap_words, const uint32_t* const (&b)[2][9],
           int taps, int64_t steps, int64_t step, int64_t lo, int64_t stride, float* staging) {
    bf16x3::zero<KT, PT>();
    for (int t = 0; t < taps; ++t) {
        for (int64_t s = 0; s < steps; ++s) {
            bf16x3::step<KT, PT>(a + t * tap_words + s * 2 * kTileWords, run, b[0][t] + s * step,
                                 b[1][t] + s * step, lo * sizeof(uint32_t), stride);
        }
    }
    bf16x3::store<KT, PT>(staging, 2 * kCTileFloats, kCTileFloats, bf16x3::kTileRowBytes);
}

using BlockFn = void (*)(const uint16_t*, int64_t, int64_t, const uint32_t* const (&)[2][9], int,
                         int64_t, int64_t, int64_t, int64_t, float*);
constexpr BlockFn kBlocks[2][2] = {{&block<1, 1>, &block<1, 2>}, {&block<2, 1>, &block<2, 2>}};

// Output rows oy0 .. oy1 of one image from their split input (a chunk's).
void compute_rows(const Conv2dParams& p, const Geometry& g, const uint16_t* a, const float* bias,
                  const uint32_t* hi, int64_t oy0, int64_t oy1, float* out, float* staging) {
    using Batch = xsimd::batch<float, xsimd::avx512f>;
    const int64_t tiles_w = p.out_width / kTileRows;
    const int64_t k_tiles = p.out_channels / kTileRows;
    const int64_t tap_words = winograd_amx::a_words(p.out_channels, tap_channels(p));
    const int64_t run = g.steps * 2 * kTileWords;
    const int64_t plane = p.out_height * p.out_width;
    const int64_t q0 = oy0 * tiles_w, q1 = oy1 * tiles_w;
    // Tap t's B for pixel tile q: its input row's slot for the tap, at its column (merged:
    // kernel row t, from its first slot).
    const auto b_of = [&](int64_t q, int t) {
        const int64_t oy = q / tiles_w, ox = q % tiles_w * kTileRows;
        const int ky = g.merged ? t : t / 3, slot = g.merged ? 0 : t % 3;
        return hi + (g.slots * (2 * (oy - oy0) + ky) + slot) * g.slot_words + ox;
    };
    // Each pair of output channel tiles over the chunk's pixels: its weights, read from
    // L2 once per chunk rather than once per pair of pixel tiles.
    for (int64_t kt = 0; kt < k_tiles; kt += 2) {
        const int kt_count = static_cast<int>(std::min<int64_t>(2, k_tiles - kt));
        for (int64_t q = q0; q < q1; q += 2) {
            const int pt_count = static_cast<int>(std::min<int64_t>(2, q1 - q));
            const uint32_t* b[2][9] = {};
            for (int pt = 0; pt < 2; ++pt) {
                for (int t = 0; t < g.taps; ++t) {
                    b[pt][t] = b_of(q + std::min(pt, pt_count - 1), t);
                }
            }
            kBlocks[kt_count - 1][pt_count - 1](
                a + kt * run, run, tap_words, b, g.taps, g.steps, kPairsPerStep * g.ld, g.words,
                g.ld * static_cast<int64_t>(sizeof(uint32_t)), staging);
            for (int ki = 0; ki < kt_count; ++ki) {
                for (int pt = 0; pt < pt_count; ++pt) {
                    const float* c = staging + (2 * ki + pt) * kCTileFloats;
                    const int64_t oy = (q + pt) / tiles_w, ox = (q + pt) % tiles_w * kTileRows;
                    for (int64_t r = 0; r < kTileRows; ++r) {
                        const int64_t k = (kt + ki) * kTileRows + r;
                        const Batch v = Batch::load_aligned(c + r * kTileRows) + Batch(bias[k]);
                        direct::detail::activate<xsimd::avx512f>(v, p.activation)
                            .store_unaligned(out + k * plane + oy * p.out_width + ox);
                    }
                }
            }
        }
    }
}

}  // namespace

void run(const Conv2dParams& p, const uint16_t* a, const float* bias, const float* input,
         float* output, float* scratch, int threads) {
    threads = std::max(1, threads);
    const int64_t in_image = p.in_channels * p.in_height * p.in_width;
    const int64_t out_image = p.out_channels * p.out_height * p.out_width;
    const Geometry g = geometry(p);
#pragma omp parallel num_threads(threads)
    {
        // Rows by the threads that came (at most `threads`), each its own part of scratch.
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t share = (p.out_height + nt - 1) / nt;
        const int64_t oy0 = std::min(p.out_height, t * share);
        const int64_t oy1 = std::min(p.out_height, oy0 + share);
        if (oy0 < oy1) {
            float* mine = scratch + t * g.thread_floats;
            auto* hi = reinterpret_cast<uint32_t*>(mine);
            const int64_t row_words = g.slots * g.slot_words;
            const winograd_amx::TileSession tiles;
            for (int64_t n = 0; n < p.batch; ++n) {
                const float* image = input + n * in_image;
                for (int64_t cy = oy0; cy < oy1; cy += g.chunk) {
                    const int64_t rows = std::min(g.chunk, oy1 - cy);
                    int64_t first = 0;
                    if (cy > oy0) {
                        // The last input row of the chunk before is this one's first.
                        for (uint32_t* part : {hi, hi + g.words}) {
                            std::copy_n(part + 2 * g.chunk * row_words, row_words, part);
                        }
                        first = 1;
                    }
                    split_rows(p, g, image, cy, first, 2 * rows + 1, hi);
                    compute_rows(p, g, a, bias, hi, cy, cy + rows, output + n * out_image,
                                 mine + 2 * g.words);
                }
            }
        }
    }
}

#else  // no AMX on this processor family: winograd_amx::available() is false

void run(const Conv2dParams&, const uint16_t*, const float*, const float*, float*, float*, int) {
    throw std::logic_error("strided_amx: AMX is x86-64 only");
}

#endif

}  // namespace swaprun::kernels::strided_amx
