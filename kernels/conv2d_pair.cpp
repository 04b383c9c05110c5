// Two convolutions run as a pair, the second reading the first's rows while they are
// still in cache (PreparedConv2d::run_pair; direct::run_pair does the work).
#include <stdexcept>

#include "kernels/conv2d_choice.h"
#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_polyphase.h"
#include "kernels/conv2d_prepared.h"
#include "kernels/elementwise_simd.h"
#include "kernels/winograd.h"

namespace swaprun::kernels {
namespace {

// How the first convolution of a pair runs: on a row kernel, or in bands (a Winograd
// layer with U from load, a row of output tiles at a time; a Polyphase layer whose
// stacked convolution is one, a row of its tiles: twice the rows of the layer's
// output), or not at all. transform_per_run: the Winograd convolution's (a Polyphase
// layer's stacked one's).
enum class FirstKind { Rows, Bands, None };

FirstKind first_kind(ConvAlgorithm algorithm, const direct::Variant* direct, ConvIsa isa,
                     bool transform_per_run) {
    if (direct != nullptr) {
        return direct == &direct_kernels(isa)->depthwise ? FirstKind::None : FirstKind::Rows;
    }
    const bool winograd =
        algorithm == ConvAlgorithm::Winograd || algorithm == ConvAlgorithm::Polyphase;
    return winograd && !transform_per_run ? FirstKind::Bands : FirstKind::None;
}

// The shapes and layouts run_pair takes: second reads first's output as it is, both one
// group, one ISA, second on its direct kernels (not depthwise) and first as FirstKind
// allows.
bool pairable(const Conv2dParams& first, FirstKind first_kind, ConvIsa first_isa,
              const Conv2dParams& second, const direct::Variant* second_kernel, ConvIsa second_isa,
              bool second_upsampled) {
    if (second_upsampled || first.groups != 1 || second.groups != 1 ||
        first.batch != second.batch || first.out_channels != second.in_channels ||
        first.out_height != second.in_height || first.out_width != second.in_width ||
        first_kind == FirstKind::None || second_kernel == nullptr || first_isa != second_isa) {
        return false;
    }
    return second_kernel != &direct_kernels(first_isa)->depthwise;
}

// The row kernel of a pairable layer's variant.
direct::Tiling tiling_of(const direct::Kernels& dk, const direct::Variant* v) {
    return v == &dk.pixels                ? direct::Tiling::Pixels
           : v == &dk.narrow              ? direct::Tiling::Narrow
           : v == &dk.row_winograd        ? direct::Tiling::RowWinograd
           : v == &dk.row_winograd_narrow ? direct::Tiling::RowWinogradNarrow
           : v == &dk.long_columns        ? direct::Tiling::LongColumns
                                          : direct::Tiling::Wide;
}

// A Winograd (or Polyphase) first of a pair: FirstBands::context for winograd_band.
struct WinogradFirst {
    winograd::Args args;
    const winograd::Kernels* kernels = nullptr;
    winograd::PhaseOutput phases;  // a Polyphase first's, which args.phases points to
};

void winograd_band(const void* context, int64_t n, int64_t band, float* out, float* scratch) {
    const auto& first = *static_cast<const WinogradFirst*>(context);
    first.kernels->run_band(first.args, n, band, out, scratch);
}

}  // namespace

bool PreparedConv2d::can_pair(const Conv2dParams& first, ConvOptions first_options,
                              const Conv2dParams& second, ConvOptions second_options) {
    const PackedLayout f = packed_layout(first, first_options);
    const PackedLayout s = packed_layout(second, second_options);
    const bool per_run =
        f.algorithm == ConvAlgorithm::Polyphase
            ? packed_layout(polyphase::stacked_params(first), stacked_options(first_options, f.isa))
                  .transform_per_run
            : f.transform_per_run;
    return pairable(first, first_kind(f.algorithm, f.direct, f.isa, per_run), f.isa, second,
                    s.direct, s.isa, second_options.upsampled_input);
}

PreparedConv2d::PairFirst PreparedConv2d::pair_first() const {
    const PreparedConv2d& w = winograd_part();  // makes the bands
    if (first_kind(algorithm_, direct_, isa_, w.transform_per_run_) != FirstKind::Bands) {
        return PairFirst{row_floats_, 1, 0};
    }
    winograd::Args a;
    w.fill_winograd_args(a, nullptr, nullptr, nullptr, 1);
    if (phases_ == nullptr) {
        return PairFirst{w.winograd_->band_scratch_floats(a), winograd::kTile, 0};
    }
    // The border corrections, made before the pair runs, then its threads' scratch (in
    // which border_corrections() works first).
    return PairFirst{w.winograd_->band_scratch_floats(a), 2 * winograd::kTile,
                     cpu::whole_lines(polyphase::corrections_floats(p_))};
}

size_t PreparedConv2d::pair_scratch_floats(const PreparedConv2d& first,
                                           const PreparedConv2d& second, int threads) {
    const PairFirst f = first.pair_first();
    const int64_t threads_floats =
        std::max(1, threads) *
        direct::pair_thread_floats(first.p_, f.scratch_floats, f.rows, second.row_floats_);
    const int64_t corrections_work =
        f.shared_floats > 0 ? polyphase::corrections_scratch_floats(first.p_) : 0;
    return static_cast<size_t>(f.shared_floats + std::max(threads_floats, corrections_work));
}

void PreparedConv2d::run_pair(const PreparedConv2d& first, const PreparedConv2d& second,
                              const float* input, float* output, float* scratch, int threads) {
    const FirstKind kind =
        first_kind(first.algorithm_, first.direct_, first.isa_, first.transform_per_run_);
    if (!pairable(first.p_, kind, first.isa_, second.p_, second.direct_, second.isa_,
                  second.upsampled_input_)) {
        throw std::invalid_argument("PreparedConv2d::run_pair: these two cannot run as a pair");
    }
    const Conv2dParams& q = second.p_;
    if (q.batch <= 0 || q.out_channels <= 0 || q.out_height <= 0 || q.out_width <= 0) return;
    threads = std::max(1, threads);
    const direct::Kernels& dk = *direct_kernels(first.isa_);
    const PairFirst f = first.pair_first();
    direct::PairArgs a;
    second.fill_direct_args(a.second, nullptr, output, nullptr, threads);
    a.second_tiling = tiling_of(dk, second.direct_);
    WinogradFirst bands;  // a Winograd first's arguments, which a.bands points to
    if (kind == FirstKind::Bands) {
        const PreparedConv2d& w = first.winograd_part();
        w.fill_winograd_args(bands.args, input, nullptr, nullptr, 1);
        bands.kernels = w.winograd_;
        if (first.phases_ != nullptr) {
            bands.phases = polyphase::border_corrections(
                first.p_, first.weight_.data(), input, scratch, scratch + f.shared_floats, threads);
            bands.args.phases = &bands.phases;
        }
        a.bands = direct::FirstBands{&winograd_band, &bands, f.rows, f.scratch_floats};
        // The pair reads the first's shape and input (as given) from a.first.
        a.first.p = &first.p_;
        a.first.input = input;
        if (first.upsampled_input_) a.first.upsample_row = simd::table()->resize2x_row;
    } else {
        first.fill_direct_args(a.first, input, nullptr, nullptr, threads);
        a.first_tiling = tiling_of(dk, first.direct_);
    }
    a.scratch = scratch + f.shared_floats;
    a.thread_floats =
        direct::pair_thread_floats(first.p_, f.scratch_floats, f.rows, second.row_floats_);
    a.threads = threads;
    dk.run_pair(a);
}

}  // namespace swaprun::kernels
