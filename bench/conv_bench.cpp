// conv2d at the shapes that carry the three generators' MACs (models/README.md).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "kernels/kernels.h"

namespace swaprun::bench {
namespace {

namespace k = swaprun::kernels;

struct ConvShape {
    const char* name;           // where the shape occurs
    int64_t in_c, out_c, size;  // input channels, output channels, input height = width
    int64_t kernel, stride;
    k::PadMode pad_mode;  // Reflect: a ReflectionPad fused into the conv
    k::Activation activation;
};

constexpr auto kZero = k::PadMode::Constant;
constexpr auto kReflect = k::PadMode::Reflect;
constexpr auto kNone = k::Activation::None;
constexpr auto kLeaky = k::Activation::LeakyRelu;

// By MACs these cover 94 % of inswapper_128, 76 % of live_base and 70 % of live_mini.
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
    {"live_down0_s2", 16, 16, 512, 3, 2, kZero, kLeaky},
    // The 512x512 7x7 head and tail: 10 % (base) and 20 % (mini).
    {"live_head", 3, 16, 512, 7, 1, kReflect, kLeaky},
    {"live_tail", 16, 3, 512, 7, 1, kReflect, k::Activation::TanhUnit},
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
                  s.pad_mode == kReflect ? "_reflect" : "");
    return name;
}

void bm_conv(benchmark::State& state, const ConvShape& s) {
    k::Conv2dParams p;
    p.in_channels = s.in_c;
    p.in_height = p.in_width = s.size;
    p.out_channels = s.out_c;
    p.kernel_h = p.kernel_w = s.kernel;
    p.stride_h = p.stride_w = s.stride;
    const int64_t pad = s.kernel / 2;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.out_height = p.out_width = (s.size + 2 * pad - s.kernel) / s.stride + 1;
    p.pad_mode = s.pad_mode;
    p.activation = {s.activation, 0.2f};

    const int64_t taps = s.in_c * s.kernel * s.kernel;
    const auto input = random_tensor(s.in_c * s.size * s.size, 1.0f, 1);
    // He-like scale keeps the outputs near unit size, away from tanh saturation.
    const auto weight = random_tensor(s.out_c * taps, 1.7f / std::sqrt(float(taps)), 2);
    const auto bias = random_tensor(s.out_c, 0.02f, 3);
    std::vector<float> output(static_cast<size_t>(s.out_c * p.out_height * p.out_width));

    Work work;
    work.flops = 2.0 * static_cast<double>(s.out_c * p.out_height * p.out_width * taps);
    run_kernel(state, work,
               [&] { k::conv2d(p, input.data(), weight.data(), bias.data(), output.data()); });
}

}  // namespace

void register_conv_benchmarks(const std::vector<int>& threads) {
    for (const ConvShape& s : kShapes) {
        register_threaded(shape_name(s), threads,
                          [&s](benchmark::State& state) { bm_conv(state, s); });
    }
}

}  // namespace swaprun::bench
