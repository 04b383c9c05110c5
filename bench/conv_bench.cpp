// Convolutions at the shapes that carry the three generators' MACs
// (models/README.md) and the detector's, run as the runtime runs them: a PreparedConv2d made once
// (weights packed, or Winograd-transformed, outside the timed loop) and run with
// its scratch. Every 3x3 stride-1 shape runs direct and Winograd (and, where its input
// is read upsampled, Polyphase), the others direct only; the label names the algorithm
// and ISA and marks the one the runtime's cost model picks ("auto").
//
// GFLOP/s counts the direct convolution's 2 * MACs for both algorithms, so that
// they compare as time; Winograd F(4x4, 3x3) does a quarter of those multiplies,
// so its rate is an effective one and may pass 100 % of peak.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "kernels/conv2d_prepared.h"
#include "kernels/kernels.h"
#include "kernels/row_winograd.h"
#include "kernels/winograd_s2.h"

namespace swaprun::bench {
namespace {

namespace k = swaprun::kernels;

struct ConvShape {
    const char* name;           // where the shape occurs
    int64_t in_c, out_c, size;  // input channels, output channels, input height = width
    int64_t kernel, stride;
    k::PadMode pad_mode;  // Reflect: a ReflectionPad fused into the conv
    k::Activation activation;
    int64_t groups = 1;      // in_c for a depthwise convolution
    bool upsampled = false;  // the input comes at half the size, read upsampled by 2
};

constexpr auto kZero = k::PadMode::Constant;
constexpr auto kReflect = k::PadMode::Reflect;
constexpr auto kNone = k::Activation::None;
constexpr auto kLeaky = k::Activation::LeakyRelu;

// By MACs these cover 94 % of inswapper_128, 83 % of live_base and 70 % of live_mini.
constexpr ConvShape kShapes[] = {
    // inswapper_128: 12 of these are 66 % of its 174.6 GMACs.
    {"inswapper_block", 1024, 1024, 32, 3, 1, kReflect, kNone},
    {"inswapper_up0", 1024, 512, 64, 3, 1, kZero, kLeaky},
    {"inswapper_up1", 512, 256, 128, 3, 1, kZero, kLeaky},
    {"inswapper_down1_s2", 256, 512, 128, 3, 2, kZero, kLeaky},
    {"inswapper_down2_s2", 512, 1024, 64, 3, 2, kZero, kLeaky},
    // live_base / live_mini: 16 block convs each (45 % / 38 %).
    {"live_base_block", 192, 192, 32, 3, 1, kReflect, kNone},
    {"live_mini_block", 128, 128, 32, 3, 1, kReflect, kNone},
    {"live_base_up1", 192, 64, 128, 3, 1, kZero, kLeaky},
    {"live_up3", 16, 16, 512, 3, 1, kZero, kLeaky},
    // The upsampling layers on their half-size input, as the runtime runs them: where
    // Polyphase pays (64 -> 16) and where it does not (polyphase_wins).
    {"live_up2", 64, 16, 256, 3, 1, kZero, kLeaky, 1, true},
    {"live_up3_upsampled", 16, 16, 512, 3, 1, kZero, kLeaky, 1, true},
    {"live_base_up0_upsampled", 192, 192, 64, 3, 1, kZero, kLeaky, 1, true},
    {"live_base_up1_upsampled", 192, 64, 128, 3, 1, kZero, kLeaky, 1, true},
    {"live_mini_up1_upsampled", 64, 64, 128, 3, 1, kZero, kLeaky, 1, true},
    // Where the cost model (winograd_wins) leaves Winograd for the direct kernels.
    {"narrow_4to16", 4, 16, 128, 3, 1, kZero, kNone},
    {"narrow_8to8", 8, 8, 128, 3, 1, kZero, kNone},
    {"narrow_16to4", 16, 4, 128, 3, 1, kZero, kNone},
    {"live_down0_s2", 16, 16, 512, 3, 2, kZero, kLeaky},
    // live_base's and live_mini's down.1: in bf16x3 on AMX tiles, half a tile step.
    {"live_down1_s2", 16, 64, 256, 3, 2, kZero, kLeaky},
    // live_base's two widest stride-2 layers (6.5 % of its MACs).
    {"live_base_down2_s2", 64, 192, 128, 3, 2, kZero, kLeaky},
    {"live_base_down3_s2", 192, 192, 64, 3, 2, kZero, kLeaky},
    // The 512x512 7x7 head and tail: 10 % (base) and 20 % (mini).
    {"live_head", 3, 16, 512, 7, 1, kReflect, kLeaky},
    {"live_tail", 16, 3, 512, 7, 1, kReflect, k::Activation::TanhUnit},
    // The SCRFD-10GF detector at 640 x 640 (models/scrfd.py): the stem at 320 and the
    // first stage at 160 carry about 60 % of its time.
    {"scrfd_stem", 28, 28, 320, 3, 1, kZero, k::Activation::Relu},
    {"scrfd_stem_widen", 28, 56, 320, 3, 1, kZero, k::Activation::Relu},
    {"scrfd_stage0", 56, 56, 160, 3, 1, kZero, k::Activation::Relu},
    {"scrfd_stage1", 88, 88, 80, 3, 1, kZero, k::Activation::Relu},
    // The SCRFD-0.5GF detector (det_500m) at 640 x 640: its depthwise convolutions, on
    // the widest map (stride 2 and 1) and on the narrowest, most numerous one.
    {"scrfd500m_dw_s2", 16, 16, 320, 3, 2, kZero, k::Activation::Relu, 16},
    {"scrfd500m_dw_stage0", 40, 40, 160, 3, 1, kZero, k::Activation::Relu, 40},
    {"scrfd500m_dw_stage3", 288, 288, 20, 3, 1, kZero, k::Activation::Relu, 288},
};

// Formatted with snprintf: g++ 12 reports a false -Wrestrict on some chains of
// std::string operator+ with a literal on the left.
std::string shape_name(const ConvShape& s) {
    char stride[8] = "";
    if (s.stride != 1)
        std::snprintf(stride, sizeof stride, "s%lld", static_cast<long long>(s.stride));
    char name[160];
    std::snprintf(name, sizeof name, "conv2d/%s/k%lld%s_%lldto%lld_%lldpx%s", s.name,
                  static_cast<long long>(s.kernel), stride, static_cast<long long>(s.in_c),
                  static_cast<long long>(s.out_c), static_cast<long long>(s.size),
                  s.pad_mode == kReflect ? "_reflect"
                  : s.upsampled          ? "_upsampled"
                                         : "");
    return name;
}

k::Conv2dParams params_of(const ConvShape& s) {
    k::Conv2dParams p;
    p.in_channels = s.in_c;
    p.in_height = p.in_width = s.size;
    p.out_channels = s.out_c;
    p.groups = s.groups;
    p.kernel_h = p.kernel_w = s.kernel;
    p.stride_h = p.stride_w = s.stride;
    const int64_t pad = s.kernel / 2;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.out_height = p.out_width = (s.size + 2 * pad - s.kernel) / s.stride + 1;
    p.pad_mode = s.pad_mode;
    p.activation = {s.activation, 0.2f};
    return p;
}

bool winograd_applies(const ConvShape& s) {
    return s.kernel == 3 && s.stride == 1 && s.groups == 1;
}

// He-like weights keep the outputs near unit size, away from tanh saturation.
std::vector<float> weights_of(const ConvShape& s) {
    const int64_t taps = s.in_c / s.groups * s.kernel * s.kernel;
    return random_tensor(s.out_c * taps, 1.7f / std::sqrt(static_cast<float>(taps)), 2);
}

void bm_conv(benchmark::State& state, const ConvShape& s, k::ConvAlgorithm algorithm,
             k::ConvAlgorithm runtime_choice,
             k::WinogradSchedule schedule = k::WinogradSchedule::Auto,
             k::DirectTiling tiling = k::DirectTiling::Auto,
             k::ConvPrecision precision = k::ConvPrecision::Fp32,
             k::WinogradTiling winograd_tiling = k::WinogradTiling::Auto) {
    const k::Conv2dParams p = params_of(s);
    const int64_t in_size = s.upsampled ? s.size / 2 : s.size;
    const auto input = random_tensor(s.in_c * in_size * in_size, 1.0f, 1);
    const auto bias = random_tensor(s.out_c, 0.02f, 3);
    k::ConvOptions options{algorithm, k::ConvIsa::Auto};
    options.winograd_schedule = schedule;
    options.winograd_tiling = winograd_tiling;
    options.direct_tiling = tiling;
    options.upsampled_input = s.upsampled;
    options.precision = precision;
    const k::PreparedConv2d conv(p, weights_of(s).data(), bias.data(), options);
    const int threads = static_cast<int>(state.range(0));
    k::AlignedFloats scratch(conv.scratch_floats(threads));
    std::vector<float> output(static_cast<size_t>(s.out_c * p.out_height * p.out_width));

    Work work;
    work.flops = 2.0 * static_cast<double>(s.out_c * p.out_height * p.out_width * s.in_c /
                                           s.groups * s.kernel * s.kernel);
    run_kernel(state, work,
               [&] { conv.run(input.data(), output.data(), scratch.data(), threads); });
    std::string label =
        std::string(k::to_string(conv.algorithm())) + " " + k::to_string(conv.isa());
    if (conv.algorithm() == k::ConvAlgorithm::Winograd) {
        label += conv.private_tiles() ? " private_tiles" : " shared_stages";
        if (conv.amx()) label += " amx_bf16x3";
    }
    if (conv.winograd_wide()) label += " wide";
    if (conv.algorithm() == k::ConvAlgorithm::Direct) {
        label += conv.pixel_tiles()    ? " pixels"
                 : conv.long_columns() ? " long_columns"
                                       : " columns";
    }
    if (algorithm == runtime_choice && schedule == k::WinogradSchedule::Auto &&
        tiling == k::DirectTiling::Auto && precision == k::ConvPrecision::Fp32 &&
        winograd_tiling == k::WinogradTiling::Auto) {
        label += " auto";
    }
    state.SetLabel(label);
}

// The algorithm the runtime's cost model picks for a shape (its choice depends
// only on the shape, so zero weights do).
k::ConvAlgorithm runtime_choice(const ConvShape& s) {
    const k::Conv2dParams p = params_of(s);
    const std::vector<float> zeros(
        static_cast<size_t>(s.out_c * s.in_c / s.groups * s.kernel * s.kernel));
    k::ConvOptions options;
    options.upsampled_input = s.upsampled;
    return k::PreparedConv2d(p, zeros.data(), nullptr, options).algorithm();
}

// Two convolutions of a generator run as a pair (PreparedConv2d::run_pair, what the
// runtime does) or one after the other through the full tensor between them.
struct ConvPairShape {
    const char* name;
    ConvShape first, second;
    bool upsampled;  // the first reads its input upsampled by 2 (its size is the output's)
};

const ConvPairShape kPairs[] = {
    {"live_head_down0",
     {"head", 3, 16, 512, 7, 1, kReflect, kLeaky},
     {"down0", 16, 16, 512, 3, 2, kZero, kLeaky},
     false},
    {"live_up3_tail",
     {"up3", 16, 16, 512, 3, 1, kZero, kLeaky},
     {"tail", 16, 3, 512, 7, 1, kReflect, k::Activation::TanhUnit},
     true},
};

void bm_conv_pair(benchmark::State& state, const ConvPairShape& s, bool paired) {
    const k::Conv2dParams p = params_of(s.first), q = params_of(s.second);
    const int64_t in_size = s.upsampled ? s.first.size / 2 : s.first.size;
    const auto input = random_tensor(s.first.in_c * in_size * in_size, 1.0f, 1);
    const auto bias_p = random_tensor(s.first.out_c, 0.02f, 3);
    const auto bias_q = random_tensor(s.second.out_c, 0.02f, 4);
    // The algorithms the runtime picks (up.3: Winograd, made a row of tiles at a time;
    // the head and tail on AVX-512: the row transforms).
    k::ConvOptions first_options{k::ConvAlgorithm::Auto, k::ConvIsa::Auto};
    first_options.upsampled_input = s.upsampled;
    const k::PreparedConv2d first(p, weights_of(s.first).data(), bias_p.data(), first_options);
    const k::PreparedConv2d second(q, weights_of(s.second).data(), bias_q.data(),
                                   k::ConvOptions{k::ConvAlgorithm::Auto, k::ConvIsa::Auto});
    const int threads = static_cast<int>(state.range(0));
    k::AlignedFloats scratch(
        std::max(k::PreparedConv2d::pair_scratch_floats(first, second, threads),
                 std::max(first.scratch_floats(threads), second.scratch_floats(threads))));
    std::vector<float> middle(static_cast<size_t>(p.out_channels * p.out_height * p.out_width));
    std::vector<float> output(static_cast<size_t>(q.out_channels * q.out_height * q.out_width));
    Work work;
    work.flops = 2.0 * static_cast<double>(p.out_channels * p.out_height * p.out_width *
                                               p.in_channels * p.kernel_h * p.kernel_w +
                                           q.out_channels * q.out_height * q.out_width *
                                               q.in_channels * q.kernel_h * q.kernel_w);
    run_kernel(state, work, [&] {
        if (paired) {
            k::PreparedConv2d::run_pair(first, second, input.data(), output.data(), scratch.data(),
                                        threads);
        } else {
            first.run(input.data(), middle.data(), scratch.data(), threads);
            second.run(middle.data(), output.data(), scratch.data(), threads);
        }
    });
    state.SetLabel(std::string(paired ? "paired, " : "in turn, ") +
                   k::to_string(first.algorithm()) + " + " + k::to_string(second.algorithm()));
}

// `algorithm` (Winograd or StridedWinograd) on shape s with each of AVX-512's
// micro-kernels, as `prefix`_narrow and `prefix`_wide (the same kernel twice elsewhere).
void register_winograd_tilings(const ConvShape& s, k::ConvAlgorithm algorithm,
                               k::ConvAlgorithm choice, const std::string& prefix,
                               const std::vector<int>& threads) {
    for (const auto& [suffix, tiling] : {std::pair{"_narrow", k::WinogradTiling::Narrow},
                                         std::pair{"_wide", k::WinogradTiling::Wide}}) {
        register_threaded(shape_name(s) + prefix + suffix, threads,
                          [&s, algorithm, choice, tiling = tiling](benchmark::State& state) {
                              bm_conv(state, s, algorithm, choice, k::WinogradSchedule::Auto,
                                      k::DirectTiling::Auto, k::ConvPrecision::Fp32, tiling);
                          });
    }
}

}  // namespace

void register_conv_benchmarks(const std::vector<int>& threads) {
    for (const ConvPairShape& s : kPairs) {
        for (const bool paired : {false, true}) {
            register_threaded(
                std::string("conv2d_pair/") + s.name + (paired ? "/paired" : "/in_turn"), threads,
                [&s, paired](benchmark::State& state) { bm_conv_pair(state, s, paired); });
        }
    }
    for (const ConvShape& s : kShapes) {
        const k::ConvAlgorithm choice = runtime_choice(s);
        std::vector<k::ConvAlgorithm> algorithms{k::ConvAlgorithm::Direct};
        if (winograd_applies(s)) algorithms.push_back(k::ConvAlgorithm::Winograd);
        if (winograd_applies(s) && s.upsampled) algorithms.push_back(k::ConvAlgorithm::Polyphase);
        if (!s.upsampled && k::row_winograd::applies(params_of(s))) {
            algorithms.push_back(k::ConvAlgorithm::RowWinograd);
        }
        if (!s.upsampled && k::winograd_s2::applies(params_of(s))) {
            algorithms.push_back(k::ConvAlgorithm::StridedWinograd);
        }
        for (const k::ConvAlgorithm a : algorithms) {
            register_threaded(
                shape_name(s) + "/" + k::to_string(a), threads,
                [&s, a, choice](benchmark::State& state) { bm_conv(state, s, a, choice); });
        }
        // The direct kernels with each tiling, whichever the runtime picks.
        for (const auto& [suffix, tiling] :
             {std::pair{"/direct_columns", k::DirectTiling::Columns},
              std::pair{"/direct_pixels", k::DirectTiling::Pixels},
              std::pair{"/direct_long_columns", k::DirectTiling::LongColumns}}) {
            register_threaded(shape_name(s) + suffix, threads,
                              [&s, choice, tiling = tiling](benchmark::State& state) {
                                  bm_conv(state, s, k::ConvAlgorithm::Direct, choice,
                                          k::WinogradSchedule::Auto, tiling);
                              });
        }
        if (!s.upsampled && k::winograd_s2::applies(params_of(s))) {
            register_winograd_tilings(s, k::ConvAlgorithm::StridedWinograd, choice, "/winograd_s2",
                                      threads);
        }
        if (s.kernel == 3 && s.stride == 2 && s.groups == 1) {
            // The runtime's choice in bf16x3: the stride-2 kernel on AMX tiles where the
            // machine has them (strided_amx.h).
            register_threaded(
                shape_name(s) + "/bf16x3", threads, [&s, choice](benchmark::State& state) {
                    bm_conv(state, s, k::ConvAlgorithm::Auto, choice, k::WinogradSchedule::Auto,
                            k::DirectTiling::Auto, k::ConvPrecision::Bf16x3);
                });
        }
        if (!winograd_applies(s)) continue;
        // The runtime's choice in bf16x3 (ConvPrecision): the Winograd GEMMs on AMX
        // tiles where the machine has them, the same kernels as fp32 elsewhere; and
        // Winograd in bf16x3 with each schedule.
        for (const auto& [suffix, schedule] :
             {std::pair{"/bf16x3", k::WinogradSchedule::Auto},
              std::pair{"/bf16x3_shared_stages", k::WinogradSchedule::SharedStages},
              std::pair{"/bf16x3_private_tiles", k::WinogradSchedule::PrivateTiles}}) {
            const k::ConvAlgorithm a =
                schedule == k::WinogradSchedule::Auto ? choice : k::ConvAlgorithm::Winograd;
            register_threaded(shape_name(s) + suffix, threads,
                              [&s, a, choice, schedule = schedule](benchmark::State& state) {
                                  bm_conv(state, s, a, choice, schedule, k::DirectTiling::Auto,
                                          k::ConvPrecision::Bf16x3);
                              });
        }
        // Winograd with each way of sharing it among the threads, whichever the
        // runtime picks (winograd.h: Scratch).
        for (const auto& [suffix, schedule] :
             {std::pair{"/winograd_shared_stages", k::WinogradSchedule::SharedStages},
              std::pair{"/winograd_private_tiles", k::WinogradSchedule::PrivateTiles}}) {
            register_threaded(shape_name(s) + suffix, threads,
                              [&s, choice, schedule = schedule](benchmark::State& state) {
                                  bm_conv(state, s, k::ConvAlgorithm::Winograd, choice, schedule);
                              });
        }
        register_winograd_tilings(s, k::ConvAlgorithm::Winograd, choice, "/winograd", threads);
    }
}

}  // namespace swaprun::bench
