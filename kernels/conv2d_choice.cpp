// How a convolution runs on this machine: its ISA, algorithm and micro-kernels, chosen
// from the shape and options alone (conv2d_choice.h). Each rule carries the
// measurements it rests on.
#include "kernels/conv2d_choice.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/conv2d_polyphase.h"
#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/row_winograd.h"
#include "kernels/strided_amx.h"
#include "kernels/winograd_amx.h"

namespace swaprun::kernels {
namespace {

bool winograd_applies(const Conv2dParams& p) {
    return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 &&
           p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1;
}

// Cost model: Winograd does 36/(4*4*9) = 1/4 of the direct multiplies in its
// GEMMs, plus transforms that cost per channel and tile, not per channel pair;
// with few channels those dominate and the direct path wins. Since a pass's V and M
// stay in L2 (winograd_tile_block), that takes very few. Measured on a Xeon
// (kernel_bench conv2d/, Winograd against direct, 2 threads): narrow_8to8 0.073
// against 0.090 ms, narrow_16to4 0.108 against 0.158, live_up3 (16 -> 16 at 512 x 512)
// 2.9 against 4.6, scrfd_stem (28 -> 28 at 320 x 320) 2.6 against 5.8. At narrow_4to16
// 0.082 against 0.097 on 2 threads but 0.161 against 0.162 on 1 (and 2.8 against 2.8 ms
// at 512 x 512), so the direct kernels keep layers of fewer than 8 input channels.
// (Sized by V alone, the passes spilled M, and the direct kernels won at 16 or 32
// output channels and at 28 -> 28 on Zen 4/5.)
bool winograd_wins(const Conv2dParams& p) { return p.in_channels >= 8 && p.out_channels >= 4; }

// A layer that reads its input upsampled may run as its four output phases stacked
// into one convolution of the half-size input (conv2d_polyphase.h). That divides the
// input transform's work by 4, drops the upsampling, leaves the GEMMs' and the output
// transform's work, adds the border corrections, and makes U four times the size (the
// GEMMs reading it for a quarter of the tiles): it pays where the transforms outweigh
// the GEMMs, with few output channels, or with three times as many input channels as
// output ones or more. Measured on a Xeon (kernel_bench conv2d/, Polyphase against Winograd
// reading the input upsampled, 2 threads, 2 alternating runs, the phases written in
// place): live_up2 (64 -> 16 at 256 x 256) 1.73-1.74 against 2.33-2.35 ms;
// live_up3_upsampled (16 -> 16 at 512 x 512) 2.58-2.60 against 3.41-3.54 (and as the
// first of its pair with the tail, conv2d_pair/live_up3_tail, 5.70-5.71 against
// 6.19-6.23); slower at live_mini_up1_upsampled (64 -> 64) 1.62-1.64 against 1.47-1.51
// and live_base_up0_upsampled (192 -> 192) 3.69-3.75 against 2.80-2.81.
// live_base_up1_upsampled (192 -> 64) took 4.61 against 4.36-4.57 with the stages
// shared (its stacked U, 7 MB, sets them at load), 4.13-4.14 against 4.42-4.47 with
// private tiles (which exec::ScheduleTuner finds); but in live_base (swaprun infer
// --profile, 3 alternating runs) 4.38-4.56 against 4.45-4.78: no clear gain for 5 MB
// more of U. Since the output stage builds its border corrections in registers
// (winograd_impl.h, lane_only) it gains: in a slower spell, 5.03 against 5.39-5.50 in
// kernel_bench (2 runs), 4.86-5.04 against 5.18-5.63 in live_base (4 alternating runs),
// for 7 MB more peak RSS (60 -> 67 MB) and about 3 ms more to load (medians of 12
// alternating loads, 41 against 38 ms in that spell).
bool polyphase_wins(const Conv2dParams& p) {
    return (p.out_channels <= 16 || p.in_channels >= 3 * p.out_channels) &&
           winograd_wins(polyphase::stacked_params(p));
}

// Where the direct kernels' pixel tiles beat their column tiles: at stride 1, with the
// output channels in whole vectors. Measured on a Xeon (kernel_bench conv2d/ direct_columns
// against direct_pixels, 1 thread): the generators' 16-channel layers at 512 x 512,
// live_up3 10.0 -> 9.6 ms and live_head 9.7 -> 8.2 ms (AVX2: 17.5 -> 16.2, 16.2 -> 15.1),
// and the wider stride-1 layers too (live_base_up1 29.3 -> 26.4 ms, scrfd_stage1 8.4 ->
// 6.9 ms; Winograd takes most of those). At stride 2 a broadcast value serves one or two
// taps, not three, and the pixel tiles were slower (live_down0_s2 4.0 -> 5.5 ms,
// live_base_down3_s2 5.8 -> 9.2 ms); with 3 output channels they fill 3 of 16 lanes.
// NEON's 4 x 4 pixel tiles (a transpose through memory) are unmeasured: there Auto keeps
// the column tiles.
bool pixel_tiles_win(const Conv2dParams& p, const direct::Kernels& dk) {
    const int64_t ocg = p.out_channels / p.groups;
    return dk.lanes >= 8 && ocg % dk.lanes == 0 && p.stride_w == 1;
}

// Where the long column tiles (AVX-512's 6 x 4) beat the wide ones (8 x 2): each useful
// FMA costs about a tenth less in them, so they win unless rounding the output channels
// up to 6 and the columns up to 4 vectors wastes more than that. Measured on a Xeon
// (kernel_bench conv2d/.../direct, wide against long, 2 threads, 2 alternating runs):
// live_base_down2_s2 (64 -> 192, 64 columns) 3.49-3.68 -> 3.26-3.32 ms, live_down1_s2
// (16 -> 64, 128) 1.36-1.38 -> 1.28-1.30, scrfd_stem (28 -> 28, 320) 6.58-7.42 ->
// 5.83-6.18, scrfd_stem_widen (28 -> 56) 12.6-13.2 -> 12.0-12.2; where rounding costs,
// live_down0_s2 (16 -> 16, 18 in 6s) 1.82-1.92 -> 1.87-1.99, scrfd_stage0 (56 -> 56,
// 160 columns in 192) 5.37-5.51 -> 6.57-6.75, scrfd_stage1 (88 -> 88, 80 columns in
// 128) 3.89-4.10 -> 5.06-5.10, narrow_8to8 0.113-0.120 -> 0.128-0.139. In live_base
// (swaprun infer --profile, 3 alternating runs) the pair down.1 + down.2 took
// 4.35-4.48 ms against 4.64-4.96.
bool long_columns_win(const Conv2dParams& p, const direct::Kernels& dk) {
    constexpr double kLongCostPerFma = 0.9;  // the wide tiles' being 1
    const direct::Variant &wide = dk.wide, &longer = dk.long_columns;
    if (longer.nr <= wide.nr) return false;  // no longer shape on this ISA
    // Output channels times columns, each rounded up to whole tiles.
    const auto padded_outputs = [&](const direct::Variant& v) {
        const int64_t cols = static_cast<int64_t>(dk.lanes) * v.nr;
        return static_cast<double>(cpu::ceil_div(p.out_channels / p.groups, v.mr) * v.mr *
                                   cpu::ceil_div(p.out_width, cols) * cols);
    };
    return kLongCostPerFma * padded_outputs(longer) < padded_outputs(wide);
}

// Where the row transforms (row_winograd.h) beat the direct kernels on a 7x7 layer they
// apply to. Measured on a Zen 4 (kernel_bench conv2d/live_head and live_tail, direct
// against row_winograd, 1 thread): AVX-512 head 12.8 -> 6.6-6.8 ms, tail 14.7 -> 8.9-10.5;
// AVX2 (SWAPRUN_DISABLE_AVX512=1, its tile inputs through memory) head 13.8-14.0 -> 7.7-7.8,
// tail 15.2-15.7 -> 13.8-14.3. NEON is unmeasured: there Auto keeps the direct kernels.
bool row_winograd_wins(const Conv2dParams& /*p*/, ConvIsa isa) {
    return isa == ConvIsa::Avx512 || isa == ConvIsa::Avx2;
}

// Where the stride-2 Winograd convolution (winograd_s2.h) beats the direct kernels: with
// enough input channels that its GEMMs, not its gathering and transforming of 9 x 9
// input tiles, take the time. Measured on a Xeon (kernel_bench conv2d/, direct against
// winograd_s2, 1 / 2 threads): live_base_down3_s2 (192 -> 192) 5.52 / 2.83 -> 3.94 /
// 2.29 ms; inswapper_down1_s2 (256 -> 512) 79.8 / 39.8 -> 57.1 / 28.4, down2_s2 (512 ->
// 1024) 76.3 / 38.8 -> 56.8 / 28.5; live_base_down2_s2 (64 -> 192) 7.80 / 3.94 -> 7.30 /
// 3.74, too little to give up its pair with down.1 (a pair's second runs on the direct
// kernels); live_down0_s2 (16 -> 16) 3.31 / 1.77 -> 13.3 / 8.56.
// AVX2 (SWAPRUN_DISABLE_AVX512=1): live_base_down3_s2 9.4-9.6 / 4.7 -> 5.5 / 3.2,
// inswapper_down1_s2 137 / 68.5-68.8 -> 88.7-89.6 / 45.6-46.9. NEON is unmeasured: there
// Auto keeps the direct kernels.
bool strided_winograd_wins(const Conv2dParams& p, ConvIsa isa) {
    return (isa == ConvIsa::Avx512 || isa == ConvIsa::Avx2) && p.in_channels >= 128 &&
           p.out_channels >= 64;
}

// The 4 x 4 output tiles of one image, for either Winograd algorithm.
int64_t winograd_tiles(const Conv2dParams& p) {
    return ((p.out_height + winograd::kTile - 1) / winograd::kTile) *
           ((p.out_width + winograd::kTile - 1) / winograd::kTile);
}

// Where the Winograd GEMMs take AVX-512's 6 x 4 micro-kernel (24 FMAs for 10 loads)
// rather than its 8 x 2 (16 for 10): from 128 input channels, where it measured faster,
// and where the tiles of a pass fill its columns of 64. Measured on a Xeon, 2 threads:
// - swaprun infer --profile, 8 x 2 against 6 x 4 from 128 channels, medians of 8
//   alternating runs: live_base's blocks 11.98 -> 11.00 ms and 11.49 -> 10.75 (two
//   sets), its up.0 (192 -> 192 at 64 x 64) 2.67 -> 2.59 and 2.57 -> 2.53, up.1 4.21 ->
//   4.12 and 4.15 -> 4.11, the model 38.2 -> 36.6 and 37.0 -> 35.9; live_mini's blocks
//   (128 -> 128) 5.85 -> 5.40, the model 22.5 -> 22.0; inswapper_128 (4 runs) its
//   128 -> 256 down.0 9.54 -> 8.99. Before the GEMMs fetched their weights ahead
//   (weight_prefetch.h) and passes shrank to one column, it was faster only from 512
//   channels (kernel_bench inswapper_block 22.7-23.2 -> 19.2-19.4 ms; live_base_block
//   0.73-0.74 -> 0.73-0.79); which of the two changed that was not isolated.
// - Below 128 channels it gains nothing: kernel_bench live_mini_up1_upsampled (64 -> 64)
//   1.36-1.39 ms against 1.36-1.44 (3 alternating runs), and scrfd_stage0 (56 -> 56)
//   was slower, 1.86-1.88 -> 1.92-2.05.
// - A pass fills whole columns: 64 tiles where 8 x 2 has 32. A layer of fewer tiles
//   multiplies the rest as zeros (ArcFace's 512-channel layers at 7 x 7 have 4), and so
//   does the first of a pair, which runs a row of tiles at a time (ConvOptions::
//   pair_first): inswapper_128's 256 -> 128 up.2 at 128 x 128, 32 tiles a row, took the
//   pair with its tail from 12.4 to 22.3 ms on 6 x 4.
bool wide_winograd_wins(const Conv2dParams& p, ConvIsa isa, bool pair_first) {
    const int64_t pass_tiles =
        pair_first ? cpu::ceil_div(p.out_width, winograd::kTile) : winograd_tiles(p);
    return isa == ConvIsa::Avx512 && p.in_channels >= 128 && pass_tiles >= 64;
}

// Where the stride-2 Winograd GEMMs take AVX-512's 6 x 4 micro-kernel: with 64 output
// tiles or more (a whole column of its 64), which every layer it runs in the generators
// has. Measured on a Xeon (kernel_bench conv2d/ winograd_s2, 8 x 2 against 6 x 4, 1 / 2
// threads, two runs): live_base_down3_s2 (192 -> 192, 64 tiles) 3.94-4.04 / 2.25-2.43
// -> 3.56-3.64 / 1.94-2.09 ms, inswapper_down2_s2 (512 -> 1024, 64 tiles) 52.8-54.5 /
// 27.3-27.4 -> 48.1-48.8 / 25.0-25.4, inswapper_down1_s2 (256 -> 512, 256 tiles)
// 53.6-56.0 / 28.4-28.6 -> 53.5-56.1 / 26.3-27.6. With fewer, the columns past the
// last tile are multiplied as zeros (ArcFace's stride-2 layers have 16 and 49 tiles).
bool wide_winograd_s2_wins(const Conv2dParams& p, ConvIsa isa) {
    return isa == ConvIsa::Avx512 && winograd_tiles(p) >= 64;
}

// Whether a Winograd layer's GEMMs run on AMX tiles, asked for bf16x3: the AVX-512
// kernels on a machine with AMX-BF16, output channels in whole tiles of 16, and at least
// two tile steps of input channels (64): with fewer, splitting V and making U outweigh
// the GEMMs' saving. Measured on this Xeon, 2 threads, swaprun infer --profile, fp32
// against bf16x3, 3 alternating runs: live_base's 16 -> 16 up.3 (the first of a pair
// with the tail) took the pair from 5.8-6.3 to 7.3-7.7 ms; the channel-scaled fixtures'
// layers were slower too, live_mini_w4's 32-channel blocks 0.050-0.054 -> 0.067-0.073 ms
// and live_base_w4's 48-channel ones 0.085-0.090 -> 0.109-0.126, its 48 -> 16 up.1
// 0.43-0.45 -> 0.51-0.53. From 64 on they gain: live_mini's 64 -> 64 up.1 1.44-1.53 ->
// 1.00-1.02 ms and its stacked 64 -> 64 up.2 1.87-1.89 -> 1.45-1.48.
bool amx_wins(const Conv2dParams& p, ConvIsa isa) {
    return isa == ConvIsa::Avx512 && p.out_channels % winograd_amx::kTileRows == 0 &&
           p.in_channels >= 2 * winograd_amx::kStep && winograd_amx::available();
}

// Whether a 3x3 stride-2 layer runs on AMX tiles, asked for bf16x3 (strided_amx.h):
// where it applies, on the AVX-512 kernels of a machine with AMX-BF16, for output
// channels of two tiles (the micro-kernel's 2 x 2) or more and input channels from 16
// (two taps to a tile step). Measured on a Xeon (family 6 model 167; swaprun infer
// --profile, 2 threads, live_base in bf16x3): its 16 -> 64 down.1 took 1.24-1.44 ms on
// the direct kernels, 0.57 on the tiles; its 16 -> 16 down.0 took 1.72 ms on the tiles
// (one tap a step then), and the head, no longer the first of a pair with it, 2.43 ms,
// where the pair takes 3.36-3.76. kernel_bench on 2 threads (the stride-2 Winograd
// kernel against the tiles): live_base_down2_s2 (64 -> 192) 2.96-3.19 -> 0.94-1.08 ms,
// live_base_down3_s2 (192 -> 192) 1.89-2.00 -> 0.80-0.89.
bool strided_amx_wins(const Conv2dParams& p, ConvIsa isa) {
    return isa == ConvIsa::Avx512 && strided_amx::applies(p) && p.in_channels >= 16 &&
           p.out_channels >= 2 * winograd_amx::kTileRows && winograd_amx::available();
}

// The most bytes of V (6 point slices) for which a Winograd layer makes U per run: half
// of a Zen 4 / Zen 5 core's L2, the rest left to the row of U and to M.
constexpr int64_t kPerRunVRowBytes = 512 * 1024;

// The most bytes of U (transformed weights, whether kept or made per run) for which
// each Winograd thread runs all three stages on its own tiles (winograd::Scratch):
// every thread then reads, or makes, all of U. Measured on Zen 5 with 2 threads
// (swaprun infer --profile, alternating): live_mini's up.1 (0.6 MB of U) 2.3 -> 1.5 ms,
// up.0 (1.2 MB) 1.05 -> 0.88 ms, its blocks (2.4 MB) 0.395 -> 0.377 ms each,
// live_base's up.1 (1.8 MB) 5.4 -> 4.5 ms; live_base's blocks and up.0 (5.3 MB)
// no faster (blocks 12.0-12.2 against 12.3-12.6 ms in all), inswapper_128's up.1
// (19 MB) slower (kernel_bench: 33 against 40 ms). On an Intel Xeon guest live_mini's
// blocks ran faster shared (0.35 against 0.38 ms each); the runtime times both per
// context (exec::ScheduleTuner), so this only sets how a context's first run goes.
// Threads split private tiles by whole micro-kernel columns: a layer of one column
// (a 32 x 32 layer on AVX-512's 6 x 4) runs shared, or one thread would take it all.
constexpr int64_t kPrivateUBytes = 3 * 1024 * 1024;

// The output channels rounded up to whole blocks of wk's mr: the rows of U.
int64_t winograd_rows(const Conv2dParams& p, const winograd::Kernels& wk) {
    return cpu::ceil_div(p.out_channels, wk.mr) * wk.mr;
}

// The tiles of one micro-kernel column of wk, and n tiles in whole columns.
int64_t column_tiles(const winograd::Kernels& wk) { return static_cast<int64_t>(wk.lanes) * wk.nr; }
int64_t whole_columns(int64_t n, const winograd::Kernels& wk) {
    return cpu::ceil_div(n, column_tiles(wk)) * column_tiles(wk);
}

// The most bytes of V and M together that one pass of a Winograd layer writes and
// reads back: a Zen 4 core's L2.
constexpr int64_t kPassBytes = 1024 * 1024;

// Tiles per pass: the input transform writes all 36 slices of V (in_c x tile_block
// each), the GEMMs read them back and write M (out_c x tile_block each), and the
// output transform reads M back, so V and M together should stay in L2, down to one
// micro-kernel column. Sizing by V alone (2 MiB of it) let M spill where the output
// channels outnumber or match the input ones. Measured on a Xeon (2 MiB of L2 per
// core), 1 thread: kernel_bench live_up3_upsampled polyphase (its stacked 16 -> 64
// layer at 256 x 256, 896 -> 64 tiles per pass) 8.1 -> 5.6 ms; live_mini's up.1 (64 ->
// 64 at 128 x 128, 224 -> 64 tiles) 3.38 -> 2.91 ms and its up.2's stacked layer 4.5 ->
// 4.0 ms (swaprun infer --profile; on 2 threads 1.85 -> 1.46 and 2.33 -> 2.01 ms).
// Each pass reads all of U again, which kept 64 tiles a pass until the GEMMs fetched
// their next slice of U ahead (weight_prefetch.h); then one column (32 tiles) was
// faster for the 192-channel layers too. On the Xeon, live_base (swaprun infer
// --profile, 2 threads, medians of 8 alternating runs): up.0 2.77 -> 2.68 ms, up.1
// 4.40 -> 4.29. (U made per run is made in one pass: kPerRunPassTiles.) The GEMMs on
// AMX tiles (bf16x3) fetch nothing ahead and keep 64 tiles a pass: with 32, live_base's
// up.0 took 2.14 ms against 1.97 and up.1 3.64 against 3.27 (medians of 6 runs).
int64_t winograd_tile_block(const Conv2dParams& p, int64_t tiles, const winograd::Kernels& wk,
                            bool amx) {
    const int64_t cols = column_tiles(wk);
    const int64_t per_tile = winograd::kPoints * 4 * (p.in_channels + winograd_rows(p, wk));
    const int64_t fit_l2 = kPassBytes / per_tile / cols * cols;
    const int64_t least = amx ? whole_columns(64, wk) : cols;
    return std::min<int64_t>({std::max(least, fit_l2), 1024, whole_columns(tiles, wk)});
}

// The most tiles of a layer whose U is made per run, in its one pass, where fewer would
// keep V and M in L2: a 32 x 32 layer's 64. Two passes of 32 made U twice, and
// live_base's blocks took 13.5 ms against 11.7 in one pass (swaprun infer --profile,
// medians of 8 runs); U from load in two passes took 10.8, but costs 85 MB more
// (peak RSS 59.5 -> 120 MB).
constexpr int64_t kPerRunPassTiles = 64;

}  // namespace

ConvIsa best_conv_isa() {
    static const ConvIsa best = [] {
#if SWAPRUN_WINOGRAD_NEON
        return simd::env_flag("SWAPRUN_DISABLE_NEON") ? ConvIsa::Portable : ConvIsa::Neon;
#elif SWAPRUN_WINOGRAD_X86
        if (!cpu::use_avx2()) return ConvIsa::Portable;
        if (!simd::env_flag("SWAPRUN_DISABLE_AVX512") && __builtin_cpu_supports("avx512f")) {
            return ConvIsa::Avx512;
        }
        return ConvIsa::Avx2;
#else
        return ConvIsa::Portable;
#endif
    }();
    return best;
}

const winograd::Kernels* winograd_kernels(ConvIsa isa, [[maybe_unused]] bool wide) {
    switch (isa) {
#if SWAPRUN_WINOGRAD_X86
        case ConvIsa::Avx2:
            return &winograd::kAvx2;
        case ConvIsa::Avx512:
            return wide ? &winograd::kAvx512Wide : &winograd::kAvx512;
#endif
#if SWAPRUN_WINOGRAD_NEON
        case ConvIsa::Neon:
            return &winograd::kNeon;
#endif
        default:
            return nullptr;
    }
}

const winograd_s2::Kernels* winograd_s2_kernels(ConvIsa isa, [[maybe_unused]] bool wide) {
    switch (isa) {
#if SWAPRUN_WINOGRAD_S2_X86
        case ConvIsa::Avx2:
            return &winograd_s2::kAvx2;
        case ConvIsa::Avx512:
            return wide ? &winograd_s2::kAvx512Wide : &winograd_s2::kAvx512;
#endif
#if SWAPRUN_WINOGRAD_S2_NEON
        case ConvIsa::Neon:
            return &winograd_s2::kNeon;
#endif
        default:
            return nullptr;
    }
}

ConvIsa resolve_isa(ConvIsa requested) {
    const ConvIsa best = best_conv_isa();
    if (requested == ConvIsa::Auto) return best;
    if (requested == ConvIsa::Portable) return ConvIsa::Portable;
    if (best == ConvIsa::Neon) return requested == ConvIsa::Neon ? best : ConvIsa::Portable;
    if (requested == ConvIsa::Neon) return ConvIsa::Portable;
    return static_cast<uint8_t>(requested) <= static_cast<uint8_t>(best) ? requested : best;
}

const direct::Kernels* direct_kernels(ConvIsa isa) {
    switch (isa) {
#if SWAPRUN_DIRECT_X86
        case ConvIsa::Avx2:
            return &direct::kAvx2;
        case ConvIsa::Avx512:
            return &direct::kAvx512;
#endif
#if SWAPRUN_DIRECT_NEON
        case ConvIsa::Neon:
            return &direct::kNeon;
#endif
        default:
            return nullptr;
    }
}

ConvOptions stacked_options(const ConvOptions& options, ConvIsa isa) {
    ConvOptions o;
    o.algorithm = ConvAlgorithm::Winograd;
    o.isa = isa;
    o.winograd_schedule = options.winograd_schedule;
    o.winograd_tiling = options.winograd_tiling;
    o.low_memory = options.low_memory;
    o.precision = options.precision;
    o.pair_first = options.pair_first;  // its bands are the layer's
    return o;
}

PackedLayout packed_layout(const Conv2dParams& p, ConvOptions options) {
    if (p.groups <= 0 || p.in_channels % p.groups != 0 || p.out_channels % p.groups != 0) {
        throw std::invalid_argument("PreparedConv2d: channels not divisible by groups");
    }
    PackedLayout l;
    l.isa = resolve_isa(options.isa);
    const int64_t icg = p.in_channels / p.groups, ocg = p.out_channels / p.groups;
    const int64_t taps = icg * p.kernel_h * p.kernel_w;
    const winograd::Kernels* wk = winograd_kernels(l.isa);
    if (options.upsampled_input && wk != nullptr && polyphase::applies(p) &&
        (options.algorithm == ConvAlgorithm::Polyphase ||
         (options.algorithm == ConvAlgorithm::Auto && polyphase_wins(p)))) {
        l.algorithm = ConvAlgorithm::Polyphase;
        l.weight_floats = static_cast<size_t>(p.out_channels * taps);  // the plain kernels
        return l;
    }
    if (wk != nullptr && winograd_applies(p) &&
        (options.algorithm == ConvAlgorithm::Winograd ||
         (options.algorithm == ConvAlgorithm::Auto && winograd_wins(p)))) {
        l.algorithm = ConvAlgorithm::Winograd;
        l.amx = options.precision == ConvPrecision::Bf16x3 && amx_wins(p, l.isa);
        const bool wide = !l.amx && (options.winograd_tiling == WinogradTiling::Auto
                                         ? wide_winograd_wins(p, l.isa, options.pair_first)
                                         : options.winograd_tiling == WinogradTiling::Wide);
        if (wide) wk = winograd_kernels(l.isa, true);
        l.winograd = wk;
        l.winograd_rows = winograd_rows(p, *wk);
        l.tiles = winograd_tiles(p);
        l.tile_block = winograd_tile_block(p, l.tiles, *wk, l.amx);
        // One pass for the whole run, so U made per run is made once; and the 6 slices
        // of V that the GEMMs of one row of U read, for every block of output
        // channels, stay in L2. With more (inswapper_128's 1024 channels: 1.5 MiB) they
        // came from L3 once per block, and the layer took 17 % longer (kernel_bench
        // inswapper_block) than with U from load.
        const int64_t one_pass = whole_columns(l.tiles, *wk);
        const int64_t v_row_bytes = 6 * p.in_channels * one_pass * 4;
        l.transform_per_run =
            p.batch == 1 &&
            one_pass <= std::max(l.tile_block, whole_columns(kPerRunPassTiles, *wk)) &&
            (v_row_bytes <= kPerRunVRowBytes || options.low_memory);
        if (l.transform_per_run) l.tile_block = one_pass;
        l.private_tiles =
            options.winograd_schedule == WinogradSchedule::Auto
                ? winograd::kPoints * l.winograd_rows * p.in_channels * 4 <= kPrivateUBytes &&
                      l.tiles > column_tiles(*wk)
                : options.winograd_schedule == WinogradSchedule::PrivateTiles;
        if (l.amx) {
            l.weight_floats = static_cast<size_t>(
                l.transform_per_run
                    ? 9 * winograd_amx::g_plane_floats(p.out_channels, p.in_channels)
                    : (winograd::kPoints * winograd_amx::a_words(p.out_channels, p.in_channels) +
                       1) /
                          2);
        } else {
            l.weight_floats = static_cast<size_t>(
                l.transform_per_run
                    ? l.winograd_rows / wk->mr * 9 * winograd::g_plane_floats(p.in_channels, wk->mr)
                    : winograd::kPoints * l.winograd_rows * p.in_channels);
        }
    } else if (options.precision == ConvPrecision::Bf16x3 && !options.upsampled_input &&
               (options.algorithm == ConvAlgorithm::Auto ||
                options.algorithm == ConvAlgorithm::StridedAmx) &&
               strided_amx_wins(p, l.isa)) {
        l.algorithm = ConvAlgorithm::StridedAmx;
        l.weight_floats = static_cast<size_t>((strided_amx::weight_words(p) + 1) / 2);
    } else if (const winograd_s2::Kernels* sk = winograd_s2_kernels(l.isa);
               sk != nullptr && !options.upsampled_input && winograd_s2::applies(p) &&
               (options.algorithm == ConvAlgorithm::StridedWinograd ||
                (options.algorithm == ConvAlgorithm::Auto && strided_winograd_wins(p, l.isa)))) {
        l.algorithm = ConvAlgorithm::StridedWinograd;
        if (options.winograd_tiling == WinogradTiling::Auto
                ? wide_winograd_s2_wins(p, l.isa)
                : options.winograd_tiling == WinogradTiling::Wide) {
            sk = winograd_s2_kernels(l.isa, true);
        }
        l.strided = sk;
        l.tile_block = winograd_s2::tile_block(p, static_cast<int64_t>(sk->lanes) * sk->nr);
        l.weight_floats = static_cast<size_t>(winograd_s2::packed_weight_floats(p, sk->mr));
    } else if (const direct::Kernels* dk = direct_kernels(l.isa);
               dk != nullptr && !options.upsampled_input && row_winograd::applies(p) &&
               (options.algorithm == ConvAlgorithm::RowWinograd ||
                (options.algorithm == ConvAlgorithm::Auto && row_winograd_wins(p, l.isa)))) {
        l.algorithm = ConvAlgorithm::RowWinograd;
        l.direct = p.out_channels <= dk->row_winograd_narrow.mr ? &dk->row_winograd_narrow
                                                                : &dk->row_winograd;
        l.weight_floats = static_cast<size_t>(row_winograd::packed_weight_floats(p, l.direct->mr));
    } else if (dk != nullptr) {
        // The depthwise kernel's row fill handles strides 1 and 2.
        const bool depthwise = icg == 1 && ocg == 1 && p.stride_w <= 2;
        const DirectTiling tiling = options.direct_tiling;
        const bool automatic = tiling == DirectTiling::Auto;
        const bool pixels = automatic ? pixel_tiles_win(p, *dk) : tiling == DirectTiling::Pixels;
        // Long column tiles asked for take every layer (so the tests run them on any
        // shape); Auto leaves the image tails' few channels to the narrow ones.
        const bool narrow = ocg <= dk->narrow.mr && tiling != DirectTiling::LongColumns;
        const bool longer =
            automatic ? long_columns_win(p, *dk) : tiling == DirectTiling::LongColumns;
        l.direct = depthwise ? &dk->depthwise
                   : pixels  ? &dk->pixels
                   : narrow  ? &dk->narrow
                   : longer  ? &dk->long_columns
                             : &dk->wide;
        const int64_t mr = l.direct->mr;
        const int64_t blocks = (ocg + mr - 1) / mr;
        l.weight_floats = static_cast<size_t>(p.groups * blocks * taps * mr);
    } else {
        l.weight_floats = static_cast<size_t>(p.out_channels * taps);
    }
    return l;
}

// Floats per phase of a padded row in the direct kernels' buffer: the output columns
// rounded up to whole micro-kernel tiles, plus the taps' reach past the last one, then
// up to an odd number of 64-byte lines. Whole lines start every row on a line, so the
// first tap's loads are aligned; an odd count puts consecutive rows in different cache
// sets. A 512-wide row was 515 floats, a line and 12 bytes past 32 lines: the 48 rows a
// 16-channel 3x3 tile reads fell into a few of L1's sets and evicted each other
// (kernel_bench live_up3 direct, 2 threads, on a Xeon, alternating: 5.2-5.5 -> 5.0-5.2
// ms). The row then holds at least one vector past the last tile, which the shifted taps
// of the narrow kernel read (conv2d_direct_impl.h, LaneShift).
int64_t direct_phase_len(const Conv2dParams& p, const direct::Kernels& dk,
                         const direct::Variant& v) {
    const int64_t cols = static_cast<int64_t>(dk.lanes) * v.nr;
    const int64_t ow_padded = (p.out_width + cols - 1) / cols * cols;
    const int64_t reach = ow_padded + ((p.kernel_w - 1) * p.dilation_w) / p.stride_w + 1;
    const int64_t lines = cpu::whole_lines(reach) / cpu::kLineFloats;
    return (lines | 1) * cpu::kLineFloats;
}

}  // namespace swaprun::kernels
