// PreparedConv2d: storage, packing at load (the choice: conv2d_choice.cpp; the packing
// itself: conv2d_weight_packing.cpp) and dispatch (pairs: conv2d_pair.cpp).
#include "kernels/conv2d_prepared.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

#include "kernels/conv2d_choice.h"
#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_polyphase.h"
#include "kernels/conv2d_portable.h"
#include "kernels/conv2d_weight_packing.h"
#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/kernels.h"
#include "kernels/row_winograd.h"
#include "kernels/strided_amx.h"
#include "kernels/winograd.h"
#include "kernels/winograd_s2.h"

namespace swaprun::kernels {
namespace {

constexpr size_t kAlign = 64;

// Bytes an AlignedFloats of `count` floats takes from its allocator.
size_t aligned_block_bytes(size_t count) {
    const size_t bytes = std::max<size_t>(count * sizeof(float), 1);
    return (bytes + AllocatedBlock::kAlignment - 1) / AllocatedBlock::kAlignment *
           AllocatedBlock::kAlignment;
}

// Restores the caller's OpenMP thread count on the way out.
class OmpThreads {
  public:
    explicit OmpThreads(int n) : previous_(omp_get_max_threads()) { omp_set_num_threads(n); }
    OmpThreads(const OmpThreads&) = delete;
    OmpThreads& operator=(const OmpThreads&) = delete;
    ~OmpThreads() { omp_set_num_threads(previous_); }

  private:
    int previous_;
};

size_t float_bytes(size_t count) {
    if (count > SIZE_MAX / sizeof(float)) throw std::bad_alloc();
    return count * sizeof(float);
}

}  // namespace

AlignedFloats::AlignedFloats(size_t count, const Allocator& allocator, Init init)
    : block_(float_bytes(count), allocator), size_(count) {
    static_assert(AllocatedBlock::kAlignment >= kAlign);
    if (init == Init::Zero) std::memset(block_.data(), 0, block_.bytes());
}

const char* to_string(ConvAlgorithm a) {
    switch (a) {
        case ConvAlgorithm::Auto:
            return "auto";
        case ConvAlgorithm::Direct:
            return "direct";
        case ConvAlgorithm::Winograd:
            return "winograd";
        case ConvAlgorithm::Polyphase:
            return "polyphase";
        case ConvAlgorithm::RowWinograd:
            return "row_winograd";
        case ConvAlgorithm::StridedWinograd:
            return "winograd_s2";
        case ConvAlgorithm::StridedAmx:
            return "strided_amx";
    }
    return "?";
}

const char* to_string(ConvIsa isa) {
    switch (isa) {
        case ConvIsa::Auto:
            return "auto";
        case ConvIsa::Portable:
            return "portable";
        case ConvIsa::Avx2:
            return "avx2";
        case ConvIsa::Avx512:
            return "avx512";
        case ConvIsa::Neon:
            return "neon";
    }
    return "?";
}

bool PreparedConv2d::reads_upsampled_input(const Conv2dParams& p, ConvOptions options) {
    // The layout the constructor builds for an upsampled input: Auto leaves the row
    // transforms to the direct kernels there, which read it as they pad their rows.
    options.upsampled_input = true;
    const PackedLayout l = packed_layout(p, options);
    if (l.algorithm == ConvAlgorithm::Polyphase) return true;
    // Asked for by name, the row transforms refuse it.
    if (options.algorithm == ConvAlgorithm::RowWinograd && row_winograd::applies(p)) return false;
    if (simd::table() == nullptr || p.stride_h != 1 || p.stride_w != 1 || p.dilation_h != 1 ||
        p.dilation_w != 1 || p.in_height % 2 != 0 || p.in_width % 2 != 0 || p.in_height <= 0 ||
        p.in_width <= 0 || p.pad_left < 0) {
        return false;
    }
    // The upsampled row is written in place, from pad_left, into the direct kernels'
    // one phase of a buffer row or into a Winograd band row: it must fit there (it
    // does for pads up to the kernel's width less one).
    if (l.algorithm == ConvAlgorithm::Winograd) {
        const int64_t tiles_w = (p.out_width + winograd::kTile - 1) / winograd::kTile;
        return p.pad_left + p.in_width <= 4 * tiles_w + 2;
    }
    if (l.direct == nullptr || l.direct == &direct_kernels(l.isa)->depthwise) return false;
    return p.pad_left + p.in_width <= direct_phase_len(p, *direct_kernels(l.isa), *l.direct);
}

size_t PreparedConv2d::storage_bytes(const Conv2dParams& p, ConvOptions options) {
    const PackedLayout l = packed_layout(p, options);
    const size_t stacked =
        l.algorithm == ConvAlgorithm::Polyphase
            ? storage_bytes(polyphase::stacked_params(p), stacked_options(options, l.isa))
            : 0;
    return aligned_block_bytes(static_cast<size_t>(std::max<int64_t>(1, p.out_channels))) +
           aligned_block_bytes(l.weight_floats) + stacked;
}

PreparedConv2d::PreparedConv2d(const Conv2dParams& p, const float* weight, const float* bias,
                               ConvOptions options, const Allocator& allocator)
    : p_(p), upsampled_input_(options.upsampled_input) {
    if (upsampled_input_ && !reads_upsampled_input(p, options)) {
        throw std::invalid_argument(
            "PreparedConv2d: this convolution cannot read its input upsampled "
            "(reads_upsampled_input)");
    }
    const PackedLayout layout = packed_layout(p, options);
    isa_ = layout.isa;
    algorithm_ = layout.algorithm;
    bias_ = AlignedFloats(static_cast<size_t>(std::max<int64_t>(1, p.out_channels)), allocator);
    if (bias != nullptr) {
        std::memcpy(bias_.data(), bias, static_cast<size_t>(p.out_channels) * sizeof(float));
    }

    if (algorithm_ == ConvAlgorithm::Polyphase) {
        weight_ =
            AlignedFloats(layout.weight_floats, allocator, AlignedFloats::Init::Uninitialized);
        std::memcpy(weight_.data(), weight, layout.weight_floats * sizeof(float));
        const Conv2dParams q = polyphase::stacked_params(p);
        std::vector<float> stacked(4 * layout.weight_floats), stacked_bias(q.out_channels);
        polyphase::stack_weights(p, weight, stacked.data());
        for (int64_t k = 0; k < q.out_channels; ++k) {
            stacked_bias[static_cast<size_t>(k)] = bias_.data()[k % p.out_channels];
        }
        phases_ = std::make_unique<const PreparedConv2d>(q, stacked.data(), stacked_bias.data(),
                                                         stacked_options(options, isa_), allocator);
        return;
    }
    if (algorithm_ == ConvAlgorithm::StridedWinograd) {
        strided_ = layout.strided;
        tile_block_ = layout.tile_block;
        k_padded_ = winograd_s2::k_blocks(p, strided_->mr) * strided_->mr;
        weight_ =
            AlignedFloats(layout.weight_floats, allocator, AlignedFloats::Init::Uninitialized);
        winograd_s2::pack_weights(p, weight, strided_->mr, weight_.data());
        return;
    }
    if (algorithm_ == ConvAlgorithm::StridedAmx) {
        weight_ =
            AlignedFloats(layout.weight_floats, allocator, AlignedFloats::Init::Uninitialized);
        strided_amx::pack_weights(p, weight, reinterpret_cast<uint16_t*>(weight_.data()));
        return;
    }
    if (algorithm_ == ConvAlgorithm::RowWinograd) {
        direct_ = layout.direct;
        phase_len_ =
            row_winograd::kPoints * row_winograd::padded_tiles(p, direct_kernels(isa_)->lanes);
        row_floats_ =
            cpu::whole_lines(p.in_channels * direct::buffer_rows(p, *direct_) * phase_len_);
        weight_ =
            AlignedFloats(layout.weight_floats, allocator, AlignedFloats::Init::Uninitialized);
        row_winograd::pack_weights(p, weight, direct_->mr, weight_.data());
        return;
    }
    if (layout.direct != nullptr) {
        direct_ = layout.direct;
        const int64_t icg = p.in_channels / p.groups;
        phase_len_ = direct_phase_len(p, *direct_kernels(isa_), *direct_);
        tap_offset_.resize(static_cast<size_t>(p.kernel_w));
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
            const int64_t t = kw * p.dilation_w;
            tap_offset_[static_cast<size_t>(kw)] = (t % p.stride_w) * phase_len_ + t / p.stride_w;
        }
        row_floats_ = icg * direct::buffer_rows(p, *direct_) * p.stride_w * phase_len_;
        if (upsampled_input_) row_floats_ += direct::upsample_row_floats(p);
        row_floats_ = cpu::whole_lines(row_floats_);
        if (direct_ == &direct_kernels(isa_)->depthwise) {
            // Buffer column j of phase ph is padded column j * stride_w + ph.
            column_source_.resize(static_cast<size_t>(p.stride_w * phase_len_));
            for (int64_t ph = 0; ph < p.stride_w; ++ph) {
                for (int64_t j = 0; j < phase_len_; ++j) {
                    column_source_[static_cast<size_t>(ph * phase_len_ + j)] = static_cast<int32_t>(
                        cpu::map_index(j * p.stride_w + ph - p.pad_left, p.in_width, p.pad_mode));
                }
            }
        }
        weight_ = AlignedFloats(layout.weight_floats, allocator);
        pack_direct_weights(p, direct_->mr, weight, weight_.data());
        return;
    }
    if (algorithm_ == ConvAlgorithm::Direct) {  // the portable kernel reads plain weights
        weight_ = AlignedFloats(layout.weight_floats, allocator);
        if (layout.weight_floats > 0) {
            std::memcpy(weight_.data(), weight, layout.weight_floats * sizeof(float));
        }
        return;
    }

    const winograd::Kernels* wk = layout.winograd;
    winograd_ = wk;
    const int64_t mr = wk->mr;
    k_padded_ = layout.winograd_rows;
    tiles_ = layout.tiles;
    tile_block_ = layout.tile_block;
    transform_per_run_ = layout.transform_per_run;
    private_tiles_ = layout.private_tiles;
    amx_ = layout.amx;

    const int64_t k_blocks = k_padded_ / mr;
    // Every value is written below (the padding rows as zeros): no zeroing pass, and
    // the first touch of the pages (a fault each, most of the load time of the
    // Winograd-heavy models) happens on all cores.
    weight_ = AlignedFloats(layout.weight_floats, allocator, AlignedFloats::Init::Uninitialized);
    if (amx_) {
        pack_amx_weights(p, weight, transform_per_run_, weight_.data());
        return;
    }
    if (transform_per_run_) {
        pack_winograd_kernels(p, mr, k_blocks, weight, weight_.data());
    } else {
        pack_winograd_u(p, mr, k_blocks, weight, weight_.data());
    }
}

namespace {

// Where a Polyphase layer's scratch parts start: the border corrections first, then
// the scratch that border_corrections() works in, which the stacked convolution's own
// takes over once they are made.
int64_t polyphase_scratch_at(const Conv2dParams& p) {
    return cpu::whole_lines(polyphase::corrections_floats(p));
}

}  // namespace

size_t PreparedConv2d::scratch_floats(int threads, WinogradSchedule schedule) const {
    if (algorithm_ == ConvAlgorithm::Polyphase) {
        return static_cast<size_t>(polyphase_scratch_at(p_)) +
               std::max(static_cast<size_t>(polyphase::corrections_scratch_floats(p_)),
                        phases_->scratch_floats(threads, schedule));
    }
    if (direct_ != nullptr) return static_cast<size_t>(std::max(1, threads) * row_floats_);
    if (algorithm_ == ConvAlgorithm::StridedAmx) {
        return static_cast<size_t>(strided_amx::scratch_floats(p_, threads));
    }
    if (strided_ != nullptr) {
        return static_cast<size_t>(
            winograd_s2::scratch_plan(p_, tile_block_, k_padded_, strided_->mr, strided_->lanes)
                .total(std::max(1, threads)));
    }
    if (algorithm_ != ConvAlgorithm::Winograd) return 0;
    const winograd::Kernels* wk = winograd_;
    threads = std::max(1, threads);
    return static_cast<size_t>(winograd::scratch_plan(p_, tiles_, tile_block_, k_padded_, wk->mr,
                                                      static_cast<int64_t>(wk->lanes) * wk->nr,
                                                      transform_per_run_, upsampled_input_,
                                                      runs_private(schedule), amx_, threads)
                                   .total(threads));
}

void PreparedConv2d::run(const float* input, float* output, float* scratch, int threads,
                         WinogradSchedule schedule) const {
    const Conv2dParams& p = p_;
    if (p.batch <= 0 || p.out_channels <= 0 || p.out_height <= 0 || p.out_width <= 0) return;
    threads = std::max(1, threads);
    if (algorithm_ == ConvAlgorithm::Polyphase) {
        float* const rest = scratch + polyphase_scratch_at(p);
        const winograd::PhaseOutput phases =
            polyphase::border_corrections(p, weight_.data(), input, scratch, rest, threads);
        winograd::Args a;
        phases_->fill_winograd_args(a, input, output, rest, threads, schedule);
        a.phases = &phases;
        phases_->winograd_->run(a);
        return;
    }
    if (algorithm_ == ConvAlgorithm::Winograd) {
        winograd::Args a;
        fill_winograd_args(a, input, output, scratch, threads, schedule);
        winograd_->run(a);
        return;
    }
    if (direct_ != nullptr) {
        direct::Args a;
        fill_direct_args(a, input, output, scratch, threads);
        direct_->run(a);
        return;
    }
    if (algorithm_ == ConvAlgorithm::StridedAmx) {
        // strided_amx's packed bf16 words, written so by pack_weights.
        strided_amx::run(p, reinterpret_cast<const uint16_t*>(weight_.data()), bias_.data(), input,
                         output, scratch, threads);
        return;
    }
    if (strided_ != nullptr) {
        winograd_s2::Args a;
        a.p = &p_;
        a.g = weight_.data();
        a.bias = bias_.data();
        a.input = input;
        a.output = output;
        a.scratch = scratch;
        a.block = tile_block_;
        a.threads = threads;
        strided_->run(a);
        return;
    }
    const OmpThreads scope(threads);
    conv2d_portable(p, input, weight_.data(), bias_.data(), output);
}

bool PreparedConv2d::pixel_tiles() const {
    return direct_ != nullptr && direct_ == &direct_kernels(isa_)->pixels;
}

bool PreparedConv2d::long_columns() const {
    return direct_ != nullptr && direct_ == &direct_kernels(isa_)->long_columns;
}

bool PreparedConv2d::depthwise() const {
    return direct_ != nullptr && direct_ == &direct_kernels(isa_)->depthwise;
}

const char* PreparedConv2d::winograd_kernels_name() const {
    if (strided_ != nullptr) return strided_->name;
    return winograd_ != nullptr && !amx_ ? winograd_->name : "";
}

bool PreparedConv2d::winograd_wide() const {
#if SWAPRUN_WINOGRAD_X86
    if (winograd_ == &winograd::kAvx512Wide && !amx_) return true;
#endif
#if SWAPRUN_WINOGRAD_S2_X86
    if (strided_ == &winograd_s2::kAvx512Wide) return true;
#endif
    return false;
}

void PreparedConv2d::fill_winograd_args(winograd::Args& a, const float* input, float* output,
                                        float* scratch, int threads,
                                        WinogradSchedule schedule) const {
    a.p = &p_;
    if (amx_ && !transform_per_run_) {
        // winograd_amx's packed bf16 words, written so by pack_amx_weights.
        a.u_amx = reinterpret_cast<const uint16_t*>(weight_.data());
    } else {
        (transform_per_run_ ? a.g : a.u) = weight_.data();
    }
    a.amx = amx_;
    a.bias = bias_.data();
    a.input = input;
    a.output = output;
    a.scratch = scratch;
    a.tiles = tiles_;
    a.tile_block = tile_block_;
    a.k_padded = k_padded_;
    a.private_tiles = runs_private(schedule);
    a.threads = threads;
    if (upsampled_input_) a.upsample_row = simd::table()->resize2x_row;
}

void PreparedConv2d::fill_direct_args(direct::Args& a, const float* input, float* output,
                                      float* scratch, int threads) const {
    a.p = &p_;
    a.w = weight_.data();
    a.bias = bias_.data();
    a.input = input;
    a.output = output;
    a.scratch = scratch;
    a.phase_len = phase_len_;
    a.row_floats = row_floats_;
    a.ring = direct::buffer_rows(p_, *direct_);
    a.tap_offset = tap_offset_.data();
    a.column_source = column_source_.data();
    if (upsampled_input_) a.upsample_row = simd::table()->resize2x_row;
    a.threads = threads;
}

// The one-shot entry point: prepares a direct convolution for this call (the
// runtime prepares once at load instead). Direct keeps the 1e-5 agreement with
// the reference that callers of this entry point expect.
void conv2d(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
            float* output) {
    if (p.batch <= 0 || p.out_channels <= 0 || p.out_height <= 0 || p.out_width <= 0) return;
    const PreparedConv2d conv(p, weight, bias, ConvOptions{ConvAlgorithm::Direct, ConvIsa::Auto});
    const int threads = omp_get_max_threads();
    AlignedFloats scratch(conv.scratch_floats(threads));
    conv.run(input, output, scratch.data(), threads);
}

}  // namespace swaprun::kernels
