// A convolution prepared once, when the model is loaded: the algorithm is chosen
// for the layer's shape, and the weights are packed (and Winograd-transformed)
// into the layout the micro-kernels read, in 64-byte aligned storage. run()
// allocates nothing: the caller passes scratch of scratch_floats() floats.
//
// An instance is immutable after construction, so one serves any number of
// contexts and threads at once. Results do not depend on the thread count:
// every output element is computed by one thread with a fixed summation order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "kernels/allocator.h"
#include "kernels/kernel_types.h"

namespace swaprun::kernels {

namespace direct {
struct Variant;
}

// Floats in 64-byte aligned storage (what the vector loads of the packed
// weights and the scratch tiles assume), from `allocator` (the default:
// aligned_alloc); zero-initialized unless the caller writes every value itself.
class AlignedFloats {
  public:
    enum class Init { Zero, Uninitialized };
    AlignedFloats() = default;
    explicit AlignedFloats(size_t count, const Allocator& allocator = {}, Init init = Init::Zero);
    float* data() { return static_cast<float*>(block_.data()); }
    const float* data() const { return static_cast<const float*>(block_.data()); }
    size_t size() const { return size_; }

  private:
    AllocatedBlock block_;
    size_t size_ = 0;
};

enum class ConvAlgorithm : uint8_t {
    Auto = 0,      // chosen by the cost model
    Direct = 1,    // register-blocked direct convolution (any shape)
    Winograd = 2,  // F(4x4, 3x3): 3x3, stride 1, dilation 1, one group
    // An input read upsampled (ConvOptions::upsampled_input) into a 3x3 convolution
    // with one pixel of zero padding: the four output phases as one Winograd
    // convolution of the input at its own size (conv2d_polyphase.h).
    Polyphase = 3,
    // 7x7, stride 1, one group: Winograd F(4, 7) along the rows, the kernel rows summed
    // in the transformed domain (row_winograd.h); on the direct kernels' ring of rows.
    RowWinograd = 4,
    // 3x3, stride 2, one group, zero padding: 4 x 4 outputs from 9 x 9 inputs in 81
    // multiplications, F(4, 2) on each axis's even inputs and the odd ones as they are
    // (winograd_s2.h).
    StridedWinograd = 5,
    // 3x3, stride 2, zero padding, in bf16x3 on AMX tiles: the taps as GEMMs read from
    // the input by strided tile loads (strided_amx.h). Chosen where it applies with
    // ConvPrecision::Bf16x3 (asked for by name, with Bf16x3 too).
    StridedAmx = 6
};

// The instruction set a prepared convolution runs on.
enum class ConvIsa : uint8_t { Auto = 0, Portable = 1, Avx2 = 2, Avx512 = 3, Neon = 4 };

namespace direct {
struct Args;
}  // namespace direct
namespace winograd {
struct Args;
struct Kernels;
}  // namespace winograd
namespace winograd_s2 {
struct Kernels;
}  // namespace winograd_s2

// How a Winograd layer's threads share it (winograd::Scratch): the three stages one
// after the other by all threads, or each thread all three on its own tiles.
enum class WinogradSchedule : uint8_t { Auto = 0, SharedStages = 1, PrivateTiles = 2 };

// The arithmetic of a convolution's products. Fp32: float throughout. Bf16x3: where
// the machine has AMX tiles (Intel Xeon since Sapphire Rapids), the Winograd GEMMs
// (winograd_amx.h) and the 3x3 stride-2 convolutions (strided_amx.h) take each product
// as three bf16 products summed in float, about 16 significant bits instead of 24 and
// several times the speed; what PyTorch calls float32 matmul precision "high".
// Elsewhere, and for every other layer, as Fp32.
enum class ConvPrecision : uint8_t { Fp32 = 0, Bf16x3 = 1 };

// How the SIMD direct kernels tile a layer's outputs (conv2d_direct.h): vectors of
// output columns by a few output channels, the weights broadcast (Columns: the wide and
// narrow kernels; LongColumns: fewer channels by more vectors, direct::Kernels::
// long_columns); or vectors of output channels by a vector's count of columns, the
// input broadcast (the pixel kernel).
enum class DirectTiling : uint8_t { Auto = 0, Columns = 1, Pixels = 2, LongColumns = 3 };

// The Winograd GEMMs' micro-kernel on AVX-512 (stride 1 and 2): Narrow 8 output
// channels by 2 vectors of tiles, Wide 6 by 4 (winograd_avx512.cpp). Other ISAs have one.
enum class WinogradTiling : uint8_t { Auto = 0, Narrow = 1, Wide = 2 };

struct ConvOptions {
    ConvAlgorithm algorithm = ConvAlgorithm::Auto;
    // Auto: the best this machine has, after the SWAPRUN_DISABLE_AVX2 /
    // SWAPRUN_DISABLE_AVX512 / SWAPRUN_DISABLE_NEON opt-outs. A named ISA the
    // machine lacks falls back to the next one down.
    ConvIsa isa = ConvIsa::Auto;
    // The input comes at half the height and width that the params give, and is read
    // upsampled by 2 (bilinear, half-pixel, edges clamped: what ONNX Resize does with
    // mode linear and scale 2, kernels::resize) without that tensor being written.
    // Only where reads_upsampled_input() allows it.
    bool upsampled_input = false;
    // Winograd: how the threads share a layer (winograd::Scratch): Auto picks by the
    // size of the transformed weights; the others are for tests and benchmarks. run()
    // can override the choice per call (the runtime times both: exec::ScheduleTuner).
    WinogradSchedule winograd_schedule = WinogradSchedule::Auto;
    // Direct: Auto picks by the shape (pixel_tiles_win, long_columns_win in
    // conv2d_choice.cpp); the
    // others are for tests and benchmarks. Depthwise layers keep their own kernel.
    DirectTiling direct_tiling = DirectTiling::Auto;
    // Winograd on AVX-512: Auto picks by the input channels and the tiles of a pass,
    // or for StridedWinograd by the output tiles (wide_winograd_wins,
    // wide_winograd_s2_wins in conv2d_choice.cpp); the others are for tests and
    // benchmarks. Bf16x3's tiles (amx()) have their own micro-kernel.
    WinogradTiling winograd_tiling = WinogradTiling::Auto;
    // Winograd: a layer that runs in one pass keeps its 3x3 kernels and transforms them
    // each run (winograd.h) even where the GEMMs' share of the transformed input
    // outgrows L2, rather than keeping the transformed kernels, four times the size.
    // Slower there: inswapper_128's 1024-channel blocks (1.8 GB of transformed
    // kernels) took about a fifth longer in all.
    bool low_memory = false;
    ConvPrecision precision = ConvPrecision::Fp32;
    // The layer will run as the first of a pair (run_pair): a Winograd one then runs a
    // row of output tiles at a time, and Auto takes the micro-kernel whose columns that
    // row fills.
    bool pair_first = false;
};

const char* to_string(ConvAlgorithm a);
const char* to_string(ConvIsa isa);

// The ISA Auto resolves to on this machine.
ConvIsa best_conv_isa();

// The Winograd stages' kernels of an ISA (its narrow micro-kernels, or with `wide` its
// wide ones where it has two: AVX-512), or null where it has none: those the
// convolutions run with (winograd.h), for kernel_bench's winograd_gemm/.
const winograd::Kernels* winograd_kernels(ConvIsa isa, bool wide = false);

class PreparedConv2d {
  public:
    // weight [out_c, in_c / groups, kh, kw], bias [out_c] or null; both are copied,
    // packed, into storage from `allocator`.
    PreparedConv2d(const Conv2dParams& p, const float* weight, const float* bias,
                   ConvOptions options = {}, const Allocator& allocator = {});
    // Bytes the constructor takes from its allocator for this shape and these options
    // (on this machine: the layout depends on the ISA), so that a caller can provide
    // them as one block. Throws std::invalid_argument as the constructor does.
    static size_t storage_bytes(const Conv2dParams& p, ConvOptions options = {});
    // Whether a convolution of this shape can take ConvOptions::upsampled_input:
    // Winograd or the SIMD direct kernels (not depthwise), stride and dilation 1, even
    // height and width, and padding within the row buffer or band.
    static bool reads_upsampled_input(const Conv2dParams& p, ConvOptions options = {});

    PreparedConv2d(const PreparedConv2d&) = delete;
    PreparedConv2d& operator=(const PreparedConv2d&) = delete;
    PreparedConv2d(PreparedConv2d&&) = default;
    PreparedConv2d& operator=(PreparedConv2d&&) = default;

    const Conv2dParams& params() const { return p_; }
    ConvAlgorithm algorithm() const { return algorithm_; }
    ConvIsa isa() const { return isa_; }
    // Winograd: whether the kernels are transformed per run rather than kept
    // transformed (winograd.h says which layers).
    bool transforms_weights_per_run() const { return transform_per_run_; }
    // Winograd: whether each thread runs the three stages on its own tiles
    // (winograd::Scratch says when).
    bool private_tiles() const { return private_tiles_; }
    // Winograd and StridedWinograd (fp32): the micro-kernel's name, as kernel_bench
    // labels it ("avx512", "avx512_wide", ...); empty for the other algorithms and on
    // AMX tiles.
    const char* winograd_kernels_name() const;
    // Winograd and StridedWinograd (fp32): whether the wide micro-kernel runs
    // (WinogradTiling::Wide, or Auto where wide_winograd_wins or wide_winograd_s2_wins).
    bool winograd_wide() const;
    // Whether the products run in bf16x3 on AMX tiles (ConvPrecision::Bf16x3 on a
    // machine that has them): a Winograd layer's GEMMs, or StridedAmx.
    bool amx() const { return amx_ || algorithm_ == ConvAlgorithm::StridedAmx; }
    // Direct: whether the SIMD kernels run pixel tiles (DirectTiling::Pixels), or their
    // depthwise kernel (one input and one output channel per group).
    bool pixel_tiles() const;
    // Direct: whether they run the long column tiles (direct::Kernels::long_columns).
    bool long_columns() const;
    bool depthwise() const;
    // Polyphase: the convolution its four output phases run as, stacked (null for the
    // other algorithms).
    const PreparedConv2d* stacked_phases() const { return phases_.get(); }
    bool upsampled_input() const { return upsampled_input_; }

    // Winograd and Polyphase (its stacked Winograd convolution's): whether the two
    // schedules (WinogradSchedule) are there to choose from on a run: they give the same
    // bits; which is faster depends on the machine (a caller may time both:
    // exec::ScheduleTuner).
    bool has_schedules() const {
        return algorithm_ == ConvAlgorithm::Winograd || algorithm_ == ConvAlgorithm::Polyphase;
    }

    // Scratch run() needs with `threads` threads and `schedule` (64-byte aligned).
    size_t scratch_floats(int threads, WinogradSchedule schedule = WinogradSchedule::Auto) const;

    // output = conv(input); scratch holds scratch_floats(threads, schedule) floats.
    // schedule: Auto runs private_tiles(); the others override it (has_schedules()).
    void run(const float* input, float* output, float* scratch, int threads,
             WinogradSchedule schedule = WinogradSchedule::Auto) const;

    // Whether run_pair can run a convolution `second` on the output of `first`, from
    // their shapes and options alone: second on the SIMD direct kernels (not
    // depthwise), first on them too or on Winograd with U kept from load (or Polyphase
    // with its stacked convolution's), one group each, one ISA, second reading first's
    // output as it is.
    static bool can_pair(const Conv2dParams& first, ConvOptions first_options,
                         const Conv2dParams& second, ConvOptions second_options);
    // output = second(first(input)), first's output never written whole: each thread
    // computes the rows of it that its rows of second's output read, into a row of its
    // own (a Winograd first: a row of output tiles; a Polyphase first: a row of its
    // stacked convolution's, twice the rows; direct::PairArgs). The same values as the
    // two runs one after the other.
    // scratch holds pair_scratch_floats(first, second, threads) floats.
    static size_t pair_scratch_floats(const PreparedConv2d& first, const PreparedConv2d& second,
                                      int threads);
    static void run_pair(const PreparedConv2d& first, const PreparedConv2d& second,
                         const float* input, float* output, float* scratch, int threads);

  private:
    // What the first convolution of a pair takes of a thread's scratch, how many rows
    // of its output it makes at a time (direct::pair_thread_floats), and what it takes
    // of the pair's scratch before the threads' (a Polyphase first's border
    // corrections).
    struct PairFirst {
        int64_t scratch_floats = 0;
        int64_t rows = 1;
        int64_t shared_floats = 0;
    };
    PairFirst pair_first() const;
    // The Winograd convolution this one runs as, where it does: itself, or a Polyphase
    // layer's stacked one.
    const PreparedConv2d& winograd_part() const { return phases_ != nullptr ? *phases_ : *this; }
    // Whether a run with `schedule` runs private tiles.
    bool runs_private(WinogradSchedule schedule) const {
        return schedule == WinogradSchedule::Auto ? private_tiles_
                                                  : schedule == WinogradSchedule::PrivateTiles;
    }
    // The Winograd kernels' arguments for this convolution (algorithm_ Winograd), run
    // with `schedule`.
    void fill_winograd_args(winograd::Args& a, const float* input, float* output, float* scratch,
                            int threads, WinogradSchedule schedule = WinogradSchedule::Auto) const;
    // The direct kernels' arguments for this convolution (direct_ set).
    void fill_direct_args(direct::Args& a, const float* input, float* output, float* scratch,
                          int threads) const;

    Conv2dParams p_;
    ConvAlgorithm algorithm_ = ConvAlgorithm::Direct;
    ConvIsa isa_ = ConvIsa::Portable;
    AlignedFloats weight_;  // the packed (or plain, for Direct) weights
    AlignedFloats bias_;    // out_channels values (zeros when the model has none)
    // Winograd geometry.
    int64_t tiles_ = 0;  // output tiles per image
    // Both Winograd algorithms: tiles per pass, and out_channels rounded up to the
    // micro-kernel rows.
    int64_t tile_block_ = 0;
    int64_t k_padded_ = 0;
    bool transform_per_run_ = false;               // weight_ holds 3x3 kernels, not U (winograd.h)
    const winograd::Kernels* winograd_ = nullptr;  // set for Winograd
    const winograd_s2::Kernels* strided_ = nullptr;  // set for StridedWinograd
    bool private_tiles_ = false;                     // winograd::Args::private_tiles
    bool amx_ = false;              // winograd::Args::amx: weight_ holds winograd_amx's layouts
    bool upsampled_input_ = false;  // ConvOptions::upsampled_input
    // Polyphase: the four output phases' convolution (weight_ then holds the plain
    // kernels, for the border corrections).
    std::unique_ptr<const PreparedConv2d> phases_;
    // Direct geometry (direct_ is null on the portable path).
    const direct::Variant* direct_ = nullptr;
    int64_t phase_len_ = 0, row_floats_ = 0;
    std::vector<int64_t> tap_offset_;     // per kernel column, into a row's phases
    std::vector<int32_t> column_source_;  // depthwise: per buffer column, its input column
};

}  // namespace swaprun::kernels
