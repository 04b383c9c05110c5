// What the PreparedConv2d tests share (conv_*_test.cpp): a convolution case in a
// few fields, its data, runs of a prepared convolution and of the naive reference,
// the ISAs and micro-kernels this machine has, and the comparisons.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/conv2d_prepared.h"
#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels::conv_testing {

using testing::bit_identical;
using testing::close_relative;
using testing::random_vector;

struct Case {
    int64_t ic, oc, h, w, k;
    int64_t batch = 1;
    int64_t stride = 1, dilation = 1, groups = 1;
    int64_t pt = 1, pl = 1, pb = 1, pr = 1;
    PadMode mode = PadMode::Constant;
    Activation act = Activation::None;
    bool bias = true;
};

inline Case with_pads(Case c, int64_t top, int64_t left, int64_t bottom, int64_t right) {
    c.pt = top;
    c.pl = left;
    c.pb = bottom;
    c.pr = right;
    return c;
}

inline Conv2dParams make(const Case& c) {
    Conv2dParams p;
    p.batch = c.batch;
    p.in_channels = c.ic;
    p.out_channels = c.oc;
    p.in_height = c.h;
    p.in_width = c.w;
    p.kernel_h = p.kernel_w = c.k;
    p.stride_h = p.stride_w = c.stride;
    p.dilation_h = p.dilation_w = c.dilation;
    p.groups = c.groups;
    p.pad_top = c.pt;
    p.pad_left = c.pl;
    p.pad_bottom = c.pb;
    p.pad_right = c.pr;
    p.pad_mode = c.mode;
    p.activation.kind = c.act;
    p.activation.alpha = 0.2f;
    p.out_height = (c.h + c.pt + c.pb - c.dilation * (c.k - 1) - 1) / c.stride + 1;
    p.out_width = (c.w + c.pl + c.pr - c.dilation * (c.k - 1) - 1) / c.stride + 1;
    return p;
}

struct Data {
    std::vector<float> in, w, b;
};

inline Data make_data(const Conv2dParams& p, bool with_bias, uint32_t seed) {
    Data d;
    d.in = random_vector(p.batch * p.in_channels * p.in_height * p.in_width, seed);
    d.w = random_vector(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w,
                        seed + 1, -0.5f, 0.5f);
    if (with_bias) d.b = random_vector(p.out_channels, seed + 2);
    return d;
}

inline std::vector<float> run_prepared(const PreparedConv2d& conv, const Data& d, int threads) {
    const Conv2dParams& p = conv.params();
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width), -12345.0f);
    AlignedFloats scratch(conv.scratch_floats(threads));
    conv.run(d.in.data(), out.data(), scratch.data(), threads);
    return out;
}

inline std::vector<float> run_reference(const Conv2dParams& p, const Data& d) {
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width));
    reference::conv2d(p, d.in.data(), d.w.data(), d.b.empty() ? nullptr : d.b.data(), out.data());
    return out;
}

inline std::vector<ConvIsa> isas() {
    std::vector<ConvIsa> v{ConvIsa::Portable};
    const ConvIsa best = best_conv_isa();
    if (best == ConvIsa::Avx2 || best == ConvIsa::Avx512) v.push_back(ConvIsa::Avx2);
    if (best == ConvIsa::Avx512) v.push_back(ConvIsa::Avx512);
    if (best == ConvIsa::Neon) v.push_back(ConvIsa::Neon);
    return v;
}

// The direct kernels' tilings, each forced (the column tiles on the portable path,
// which has no tilings, are the same kernel as Auto).
constexpr DirectTiling kTilings[] = {DirectTiling::Columns, DirectTiling::Pixels,
                                     DirectTiling::LongColumns};

inline ConvOptions direct_with(ConvIsa isa, DirectTiling tiling) {
    ConvOptions o{ConvAlgorithm::Direct, isa};
    o.direct_tiling = tiling;
    return o;
}

inline const char* to_string(DirectTiling t) {
    return t == DirectTiling::Pixels        ? "pixels"
           : t == DirectTiling::Columns     ? "columns"
           : t == DirectTiling::LongColumns ? "long_columns"
                                            : "auto";
}

// A Winograd algorithm on an ISA with each of its micro-kernels forced (AVX-512 has two).
inline std::vector<ConvOptions> winograd_with(ConvIsa isa,
                                              ConvAlgorithm algorithm = ConvAlgorithm::Winograd) {
    std::vector<ConvOptions> v;
    for (WinogradTiling t : {WinogradTiling::Narrow, WinogradTiling::Wide}) {
        ConvOptions o{algorithm, isa};
        o.winograd_tiling = t;
        v.push_back(o);
        if (isa != ConvIsa::Avx512) break;
    }
    return v;
}

// An ISA and, for Winograd, the micro-kernel a convolution runs.
inline std::string kernels_of(const PreparedConv2d& conv) {
    return std::string(to_string(conv.isa())) + " " + conv.winograd_kernels_name();
}

// A Winograd layer on 1 thread within 1e-4 of the reference's output, and the same
// bits on 2 and 3.
inline void expect_close_with_the_same_bits(const PreparedConv2d& conv, const Data& d,
                                            const std::vector<float>& expected,
                                            const std::string& what) {
    const std::vector<float> got = run_prepared(conv, d, 1);
    EXPECT_TRUE(close_relative(got, expected, 1e-4)) << what;
    for (int threads = 2; threads <= 3; ++threads) {
        EXPECT_TRUE(bit_identical(run_prepared(conv, d, threads), got))
            << what << ", " << threads << " threads";
    }
}

inline std::string describe(const Case& c, ConvIsa isa, ConvAlgorithm a) {
    return std::to_string(c.ic) + "->" + std::to_string(c.oc) + " " + std::to_string(c.h) + "x" +
           std::to_string(c.w) + " k" + std::to_string(c.k) + " s" + std::to_string(c.stride) +
           " d" + std::to_string(c.dilation) + " g" + std::to_string(c.groups) + " mode " +
           std::to_string(static_cast<int>(c.mode)) + " act " +
           std::to_string(static_cast<int>(c.act)) + " " + to_string(isa) + "/" + to_string(a);
}

// Checks one case with each algorithm that applies, on each ISA; Winograd's
// error scales with the output magnitude, the direct paths stay at 1e-5.
inline void check(const Case& c, uint32_t seed) {
    const Conv2dParams p = make(c);
    const Data d = make_data(p, c.bias, seed);
    const std::vector<float> expected = run_reference(p, d);
    for (ConvIsa isa : isas()) {
        std::vector<ConvOptions> options = winograd_with(isa);
        for (DirectTiling t : kTilings) options.push_back(direct_with(isa, t));
        for (const ConvOptions& o : options) {
            const PreparedConv2d conv(p, d.w.data(), d.b.empty() ? nullptr : d.b.data(), o);
            const bool wino = conv.algorithm() == ConvAlgorithm::Winograd;
            const std::vector<float> got = run_prepared(conv, d, 2);
            EXPECT_TRUE(close_relative(got, expected, wino ? 1e-4 : 1e-5))
                << describe(c, conv.isa(), conv.algorithm()) << " " << to_string(o.direct_tiling)
                << " " << conv.winograd_kernels_name();
        }
    }
}

}  // namespace swaprun::kernels::conv_testing
