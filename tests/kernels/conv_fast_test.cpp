// PreparedConv2d against the naive reference: every algorithm on every ISA this
// machine has, odd shapes, every pad mode and activation, and bit-identical
// results for any thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/conv2d_prepared.h"
#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "kernels/row_winograd.h"
#include "kernels/winograd_s2.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

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

Case with_pads(Case c, int64_t top, int64_t left, int64_t bottom, int64_t right) {
    c.pt = top;
    c.pl = left;
    c.pb = bottom;
    c.pr = right;
    return c;
}

Conv2dParams make(const Case& c) {
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

Data make_data(const Conv2dParams& p, bool with_bias, uint32_t seed) {
    Data d;
    d.in = random_vector(p.batch * p.in_channels * p.in_height * p.in_width, seed);
    d.w = random_vector(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w,
                        seed + 1, -0.5f, 0.5f);
    if (with_bias) d.b = random_vector(p.out_channels, seed + 2);
    return d;
}

std::vector<float> run_prepared(const PreparedConv2d& conv, const Data& d, int threads) {
    const Conv2dParams& p = conv.params();
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width), -12345.0f);
    AlignedFloats scratch(conv.scratch_floats(threads));
    conv.run(d.in.data(), out.data(), scratch.data(), threads);
    return out;
}

std::vector<float> run_reference(const Conv2dParams& p, const Data& d) {
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width));
    reference::conv2d(p, d.in.data(), d.w.data(), d.b.empty() ? nullptr : d.b.data(), out.data());
    return out;
}

std::vector<ConvIsa> isas() {
    std::vector<ConvIsa> v{ConvIsa::Portable};
    const ConvIsa best = best_conv_isa();
    if (best == ConvIsa::Avx2 || best == ConvIsa::Avx512) v.push_back(ConvIsa::Avx2);
    if (best == ConvIsa::Avx512) v.push_back(ConvIsa::Avx512);
    if (best == ConvIsa::Neon) v.push_back(ConvIsa::Neon);
    return v;
}

// The direct kernels' tilings, each forced (the column tiles on the portable path,
// which has no tilings, are the same kernel as Auto).
constexpr DirectTiling kTilings[] = {DirectTiling::Columns, DirectTiling::Pixels};

ConvOptions direct_with(ConvIsa isa, DirectTiling tiling) {
    ConvOptions o{ConvAlgorithm::Direct, isa};
    o.direct_tiling = tiling;
    return o;
}

const char* to_string(DirectTiling t) {
    return t == DirectTiling::Pixels ? "pixels" : t == DirectTiling::Columns ? "columns" : "auto";
}

// A Winograd algorithm on an ISA with each of its micro-kernels forced (AVX-512 has two).
std::vector<ConvOptions> winograd_with(ConvIsa isa,
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
std::string kernels_of(const PreparedConv2d& conv) {
    return std::string(to_string(conv.isa())) + " " + conv.winograd_kernels_name();
}

// A Winograd layer on 1 thread within 1e-4 of the reference's output, and the same
// bits on 2 and 3.
void expect_close_with_the_same_bits(const PreparedConv2d& conv, const Data& d,
                                     const std::vector<float>& expected, const std::string& what) {
    const std::vector<float> got = run_prepared(conv, d, 1);
    EXPECT_TRUE(close_relative(got, expected, 1e-4)) << what;
    for (int threads = 2; threads <= 3; ++threads) {
        EXPECT_TRUE(bit_identical(run_prepared(conv, d, threads), got))
            << what << ", " << threads << " threads";
    }
}

std::string describe(const Case& c, ConvIsa isa, ConvAlgorithm a) {
    return std::to_string(c.ic) + "->" + std::to_string(c.oc) + " " + std::to_string(c.h) + "x" +
           std::to_string(c.w) + " k" + std::to_string(c.k) + " s" + std::to_string(c.stride) +
           " d" + std::to_string(c.dilation) + " g" + std::to_string(c.groups) + " mode " +
           std::to_string(static_cast<int>(c.mode)) + " act " +
           std::to_string(static_cast<int>(c.act)) + " " + to_string(isa) + "/" + to_string(a);
}

// Checks one case with each algorithm that applies, on each ISA; Winograd's
// error scales with the output magnitude, the direct paths stay at 1e-5.
void check(const Case& c, uint32_t seed) {
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

TEST(ConvFast, WinogradShapes) {
    uint32_t seed = 100;
    for (int64_t ic : {1, 3, 17, 40}) {
        for (int64_t oc : {1, 5, 16, 23}) {
            for (int64_t hw : {1, 4, 7, 13}) {
                Case c{ic, oc, hw, hw + 2, 3};
                check(c, seed++);
            }
        }
    }
}

TEST(ConvFast, WinogradPadsAndActivations) {
    uint32_t seed = 300;
    for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
        for (Activation act : {Activation::None, Activation::Relu, Activation::LeakyRelu,
                               Activation::Tanh, Activation::TanhUnit, Activation::Sigmoid}) {
            Case c{19, 21, 11, 18, 3};
            c.mode = mode;
            c.act = act;
            check(c, seed++);
        }
        Case asym = with_pads(Case{16, 16, 9, 10, 3}, 0, 2, 2, 1);
        asym.mode = mode;
        check(asym, seed++);
        Case nopad{16, 24, 10, 9, 3};
        nopad.mode = mode;
        nopad.pt = nopad.pl = nopad.pb = nopad.pr = 0;
        nopad.bias = false;
        check(nopad, seed++);
    }
}

// The transforms' two paths: whole quads of tiles in one tile row, transposed by the
// ISA (widths of 8 and 16 tiles, a group of 16 spanning two tile rows), and the lane
// by lane path (9 tiles a row, clipped last tiles, lanes past the last tile); several
// tile blocks (64 input channels over 96x96), each filling its own bands; every pad
// mode and a lopsided pad. Against the reference, and the same bits on 1 to 3 threads.
TEST(ConvFast, WinogradTileGroupsBordersAndBlocks) {
    uint32_t seed = 400;
    const Case cases[] = {{8, 8, 32, 32, 3}, {8, 16, 20, 64, 3},  {8, 8, 17, 36, 3},
                          {5, 9, 30, 30, 3}, {64, 16, 96, 96, 3}, {24, 8, 29, 61, 3}};
    for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
        for (Case c : cases) {
            c.mode = mode;
            c.act = Activation::LeakyRelu;
            check(c, seed);
            const Conv2dParams p = make(c);
            const Data d = make_data(p, true, seed++);
            for (ConvIsa isa : isas()) {
                if (isa == ConvIsa::Portable) continue;  // no Winograd there
                for (const ConvOptions& o : winograd_with(isa)) {
                    const PreparedConv2d conv(p, d.w.data(), d.b.data(), o);
                    ASSERT_EQ(conv.algorithm(), ConvAlgorithm::Winograd);
                    const std::vector<float> one = run_prepared(conv, d, 1);
                    EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 2)))
                        << describe(c, isa, ConvAlgorithm::Winograd) << " " << kernels_of(conv);
                    EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 3)))
                        << describe(c, isa, ConvAlgorithm::Winograd) << " " << kernels_of(conv);
                }
            }
        }
        Case lopsided = with_pads(Case{16, 16, 40, 33, 3}, 2, 0, 0, 2);
        lopsided.mode = mode;
        check(lopsided, seed++);
    }
}

TEST(ConvFast, DirectShapes) {
    uint32_t seed = 500;
    for (int64_t k = 1; k <= 7; ++k) {
        Case c{5, 9, 12, 11, k};
        c.pt = c.pl = c.pb = c.pr = k / 2;
        c.mode = k % 2 == 1 ? PadMode::Reflect : PadMode::Constant;
        check(c, seed++);
    }
    Case s2{17, 33, 15, 14, 3};
    s2.stride = 2;
    check(s2, seed++);
    Case d2{8, 12, 13, 13, 3};
    d2.dilation = 2;
    d2.pt = d2.pl = d2.pb = d2.pr = 2;
    check(d2, seed++);
    Case g{12, 18, 9, 10, 3};
    g.groups = 3;
    check(g, seed++);
    Case tail{16, 3, 20, 21, 7};
    tail.pt = tail.pl = tail.pb = tail.pr = 3;
    tail.mode = PadMode::Reflect;
    tail.act = Activation::TanhUnit;
    check(tail, seed++);
}

// Auto runs pixel tiles for stride-1 layers whose output channels fill whole vectors
// (the generators' 16-channel head and last upsampling), column tiles elsewhere.
TEST(ConvFast, AutoPicksPixelTilesForStrideOneWholeVectors) {
    if (best_conv_isa() == ConvIsa::Portable) GTEST_SKIP() << "no SIMD direct kernels here";
    auto pixels = [](const Case& c) {
        const Conv2dParams p = make(c);
        const std::vector<float> w(
            static_cast<size_t>(p.out_channels * p.in_channels / p.groups * c.k * c.k));
        return PreparedConv2d(p, w.data(), nullptr, ConvOptions{ConvAlgorithm::Direct})
            .pixel_tiles();
    };
    Case head = with_pads(Case{3, 16, 20, 20, 7}, 3, 3, 3, 3);
    EXPECT_TRUE(pixels(head));
    EXPECT_TRUE(pixels(Case{16, 16, 20, 20, 3}));
    EXPECT_FALSE(pixels(Case{16, 3, 20, 20, 3}));  // the tail: 3 of a vector's lanes
    EXPECT_FALSE(pixels(Case{16, 20, 20, 20, 3}));
    Case strided{16, 16, 20, 20, 3};
    strided.stride = 2;
    EXPECT_FALSE(pixels(strided));
    Case depthwise{16, 16, 20, 20, 3};
    depthwise.groups = 16;
    EXPECT_FALSE(pixels(depthwise));
}

// Stride 2 splits each padded row into two phases in one pass over the pairs inside
// the row: every pad mode, left pads from 0 to 3 (pairs starting inside and outside the
// row), odd and even widths.
TEST(ConvFast, StrideTwoEveryPadModeAndWidth) {
    uint32_t seed = 600;
    for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
        for (int64_t pad = 0; pad <= 3; ++pad) {
            for (int64_t w : {9, 10, 17}) {
                const int64_t k = pad == 3 ? 7 : 3;
                Case c{4, 6, 8, w, k};
                c.stride = 2;
                c.mode = mode;
                c.pt = c.pb = std::min<int64_t>(pad, 1);
                c.pl = pad;
                c.pr = (pad + 1) % 3;
                check(c, seed++);
            }
        }
    }
}

TEST(ConvFast, Batches) {
    Case wino{18, 20, 9, 11, 3};
    wino.batch = 3;
    wino.mode = PadMode::Reflect;
    check(wino, 700);
    Case strided{6, 10, 11, 9, 5};
    strided.batch = 2;
    strided.stride = 2;
    strided.pt = strided.pl = strided.pb = strided.pr = 2;
    check(strided, 701);
}

// The direct kernel pads each input row once into a per-thread ring and keeps it
// while later output rows of the same plane read it. Cases where the kept rows are
// all, some or none of the next window (stride 1, stride 2 with dilation, a stride
// beyond the window), and thread ranges that start mid-plane or span planes (batch
// and groups, 1 to 3 threads).
TEST(ConvFast, DirectRowRingAcrossPlanesStridesAndDilations) {
    struct Shape {
        int64_t k, stride, dilation, groups, batch;
    };
    uint32_t seed = 800;
    for (const Shape& s : {Shape{3, 1, 1, 1, 2}, Shape{7, 1, 1, 2, 2}, Shape{3, 2, 2, 1, 2},
                           Shape{3, 1, 3, 2, 1}, Shape{1, 3, 1, 1, 3}, Shape{5, 2, 1, 3, 2}}) {
        Case c{6, 6, 13, 12, s.k};
        c.stride = s.stride;
        c.dilation = s.dilation;
        c.groups = s.groups;
        c.batch = s.batch;
        c.pt = c.pb = c.pl = c.pr = s.dilation * (s.k - 1) / 2;
        c.mode = PadMode::Reflect;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, c.bias, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            for (DirectTiling t : kTilings) {
                const PreparedConv2d conv(p, d.w.data(), d.b.data(), direct_with(isa, t));
                for (int threads = 1; threads <= 3; ++threads) {
                    EXPECT_TRUE(close_relative(run_prepared(conv, d, threads), expected, 1e-5))
                        << describe(c, conv.isa(), conv.algorithm()) << " " << to_string(t) << ", "
                        << threads << " threads";
                }
            }
        }
    }
}

// Depthwise layers (one input and one output channel per group) run in bands of 16 output
// rows whose input rows are padded once per band: heights across band edges, widths across
// the 32-column tiles, strides 1 and 2 (the phase split of a pair run and its borders),
// every pad mode, uneven pads, dilation, 3x3 and 5x5, a batch, activations, no bias; a
// channel multiplier of 2 and stride 3 take the other direct kernels.
TEST(ConvFast, DepthwiseBandsTilesAndPads) {
    uint32_t seed = 1000;
    struct Shape {
        int64_t c, h, w, k, stride, dilation;
    };
    for (const Shape& s :
         {Shape{5, 16, 20, 3, 1, 1}, Shape{3, 17, 33, 3, 1, 1}, Shape{4, 33, 31, 3, 2, 1},
          Shape{2, 40, 70, 5, 2, 1}, Shape{3, 15, 32, 3, 1, 2}, Shape{2, 9, 1, 3, 1, 1},
          Shape{2, 1, 9, 3, 2, 1}, Shape{6, 21, 13, 3, 3, 1}}) {
        for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
            Case c{s.c, s.c, s.h, s.w, s.k};
            c.groups = s.c;
            c.stride = s.stride;
            c.dilation = s.dilation;
            const int64_t half = s.dilation * (s.k - 1) / 2;
            c.pt = half;
            c.pb = std::max<int64_t>(0, half - 1);
            c.pl = half;
            c.pr = half + 1;
            if (mode == PadMode::Reflect && (s.h <= c.pb + 1 || s.w <= c.pr || s.h <= c.pt)) {
                c.mode = PadMode::Edge;  // reflection needs pads shorter than the image
            } else {
                c.mode = mode;
            }
            c.batch = s.c % 2 == 0 ? 2 : 1;
            c.act = s.c % 3 == 0 ? Activation::Relu : Activation::LeakyRelu;
            c.bias = s.w != 33;
            check(c, seed++);
        }
    }
    Case multiplier{4, 8, 18, 19, 3};
    multiplier.groups = 4;
    check(multiplier, seed++);
}

TEST(ConvFast, DepthwiseThreadCountDoesNotChangeBits) {
    for (ConvIsa isa : isas()) {
        Case c{7, 7, 37, 45, 3};
        c.groups = 7;
        c.stride = 2;
        c.mode = PadMode::Reflect;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, 1100);
        const PreparedConv2d conv(p, d.w.data(), d.b.data(),
                                  ConvOptions{ConvAlgorithm::Direct, isa});
        const std::vector<float> one = run_prepared(conv, d, 1);
        EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 2))) << to_string(isa);
        EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 3))) << to_string(isa);
    }
}

TEST(ConvFast, ThreadCountDoesNotChangeBits) {
    for (ConvIsa isa : isas()) {
        std::vector<ConvOptions> options = winograd_with(isa);
        options.push_back(ConvOptions{ConvAlgorithm::Direct, isa});
        for (const ConvOptions& o : options) {
            Case c{37, 29, 23, 19, 3};
            c.mode = PadMode::Reflect;
            c.act = Activation::LeakyRelu;
            const Conv2dParams p = make(c);
            const Data d = make_data(p, true, 900);
            const PreparedConv2d conv(p, d.w.data(), d.b.data(), o);
            const std::vector<float> one = run_prepared(conv, d, 1);
            EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 2))) << kernels_of(conv);
            EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 3))) << kernels_of(conv);
        }
    }
}

// Auto takes AVX-512's wide Winograd micro-kernel (6 x 4) from 512 input channels and
// 64 output tiles, and the narrow one (8 x 2) below either; forced, each gives the
// reference's values within Winograd's error; other ISAs have one micro-kernel,
// whatever is asked.
TEST(ConvFast, WinogradWideMicroKernelFromManyInputChannels) {
    const Case few{511, 20, 32, 32, 3}, many{512, 20, 32, 32, 3}, small{512, 20, 28, 32, 3};
    uint32_t seed = 950;
    for (const Case& c : {few, many, small}) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // no Winograd there
            const PreparedConv2d chosen(p, d.w.data(), d.b.data(),
                                        ConvOptions{ConvAlgorithm::Winograd, isa});
            const std::string own = to_string(isa);
            const bool auto_wide = isa == ConvIsa::Avx512 && c.ic >= 512 && c.h == 32;  // 64 tiles
            EXPECT_EQ(chosen.winograd_kernels_name(), auto_wide ? own + "_wide" : own)
                << describe(c, isa, ConvAlgorithm::Winograd);
            EXPECT_EQ(chosen.winograd_wide(), auto_wide)
                << describe(c, isa, ConvAlgorithm::Winograd);
            for (const ConvOptions& o : winograd_with(isa)) {
                const PreparedConv2d conv(p, d.w.data(), d.b.data(), o);
                const bool forced_wide = o.winograd_tiling == WinogradTiling::Wide;
                EXPECT_EQ(conv.winograd_kernels_name(), forced_wide ? own + "_wide" : own);
                EXPECT_EQ(conv.winograd_wide(), forced_wide);
                EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), expected, 1e-4))
                    << describe(c, isa, ConvAlgorithm::Winograd) << " " << kernels_of(conv);
            }
            if (isa != ConvIsa::Avx512) {
                ConvOptions asked{ConvAlgorithm::Winograd, isa};
                asked.winograd_tiling = WinogradTiling::Wide;
                const PreparedConv2d conv(p, d.w.data(), d.b.data(), asked);
                EXPECT_EQ(conv.winograd_kernels_name(), own);
                EXPECT_FALSE(conv.winograd_wide());
            }
        }
    }
}

// A Winograd layer of one pass makes U per run from its 3x3 kernels; one of several
// passes (more tiles than a block, or a batch), or with so many input channels that
// its GEMMs' share of V leaves L2, keeps U from load. Both forms agree
// with the reference and do not depend on the thread count.
TEST(ConvFast, WinogradWeightsMadePerRunOrKept) {
    struct Form {
        Case c;
        bool per_run;
    };
    Case two_passes{256, 13, 36, 36, 3};  // 81 tiles; 64 per pass at 256 channels
    two_passes.mode = PadMode::Reflect;
    Case batched{24, 50, 9, 10, 3};
    batched.batch = 2;
    Case one_pass{33, 70, 30, 29, 3};  // 70: past a whole number of micro-kernel rows
    one_pass.act = Activation::LeakyRelu;
    const Case wide_input{700, 5, 24, 24, 3};  // one pass, but V's row is past L2's share
    uint32_t seed = 1300;
    for (const Form& f : {Form{two_passes, false}, Form{batched, false}, Form{one_pass, true},
                          Form{wide_input, false}}) {
        const Conv2dParams p = make(f.c);
        const Data d = make_data(p, true, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // no Winograd there
            for (const ConvOptions& o : winograd_with(isa)) {
                const PreparedConv2d conv(p, d.w.data(), d.b.data(), o);
                const std::string what =
                    describe(f.c, isa, ConvAlgorithm::Winograd) + " " + kernels_of(conv);
                ASSERT_EQ(conv.algorithm(), ConvAlgorithm::Winograd);
                EXPECT_EQ(conv.transforms_weights_per_run(), f.per_run) << what;
                const std::vector<float> one = run_prepared(conv, d, 1);
                EXPECT_TRUE(close_relative(one, expected, 1e-4)) << what;
                EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 3))) << what;
            }
        }
    }
}

// ConvOptions::low_memory: a one-pass layer whose GEMMs' share of V is past L2's makes
// U per run instead of keeping it (about a quarter of the storage), and still agrees
// with the reference on any thread count; a layer of several passes keeps U either way.
TEST(ConvFast, LowMemoryMakesWinogradWeightsPerRunInOnePass) {
    const Case wide_input{700, 5, 24, 24, 3};  // one pass: kept by default
    Case two_passes{256, 13, 36, 36, 3};       // kept either way
    two_passes.mode = PadMode::Reflect;
    uint32_t seed = 1500;
    for (const Case& c : {wide_input, two_passes}) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, seed++);
        const std::vector<float> expected = run_reference(p, d);
        const bool one_pass = c.ic == wide_input.ic;
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // no Winograd there
            ConvOptions lean{ConvAlgorithm::Winograd, isa};
            lean.low_memory = true;
            const ConvOptions plain{ConvAlgorithm::Winograd, isa};
            const PreparedConv2d conv(p, d.w.data(), d.b.data(), lean);
            ASSERT_EQ(conv.algorithm(), ConvAlgorithm::Winograd);
            EXPECT_EQ(conv.transforms_weights_per_run(), one_pass)
                << describe(c, isa, ConvAlgorithm::Winograd);
            if (one_pass) {
                EXPECT_LT(PreparedConv2d::storage_bytes(p, lean) * 3,
                          PreparedConv2d::storage_bytes(p, plain))
                    << describe(c, isa, ConvAlgorithm::Winograd);
            } else {
                EXPECT_EQ(PreparedConv2d::storage_bytes(p, lean),
                          PreparedConv2d::storage_bytes(p, plain));
            }
            const std::vector<float> one = run_prepared(conv, d, 1);
            EXPECT_TRUE(close_relative(one, expected, 1e-4))
                << describe(c, isa, ConvAlgorithm::Winograd);
            EXPECT_TRUE(bit_identical(one, run_prepared(conv, d, 3)))
                << describe(c, isa, ConvAlgorithm::Winograd);
        }
    }
}

// The two ways Winograd's threads share a layer (winograd::Scratch) give the same bits,
// on 1 to 4 threads: one tile block per thread with U made per run; several blocks
// per thread (and threads whose runs of tiles end mid-row or hold a partial column of
// tiles) with U from load; a batch; an input read upsampled; more threads than
// micro-kernel columns. And Auto picks private tiles for small U only.
TEST(ConvFast, WinogradSchedulesGiveTheSameBits) {
    struct Form {
        Case c;
        bool upsampled;
    };
    Case per_run{40, 24, 32, 32, 3};  // 64 tiles: one pass, U made per run
    per_run.mode = PadMode::Reflect;
    per_run.act = Activation::Relu;
    Case passes{64, 20, 70, 90, 3};  // 414 tiles: blocks of 224, runs ending mid-row
    passes.act = Activation::LeakyRelu;
    Case batched{24, 50, 9, 10, 3};
    batched.batch = 2;
    Case upsampled{32, 16, 2 * 20, 2 * 26, 3};
    upsampled.mode = PadMode::Edge;
    const Case few_tiles{16, 8, 6, 7, 3};  // 4 tiles: one column for 4 threads
    uint32_t seed = 1700;
    for (const Form& f : {Form{per_run, false}, Form{passes, false}, Form{batched, false},
                          Form{upsampled, true}, Form{few_tiles, false}}) {
        const Conv2dParams p = make(f.c);
        Data d = make_data(p, true, seed++);
        if (f.upsampled) d.in.resize(d.in.size() / 4);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // no Winograd there
            for (ConvOptions o : winograd_with(isa)) {
                o.upsampled_input = f.upsampled;
                o.winograd_schedule = WinogradSchedule::SharedStages;
                const PreparedConv2d shared(p, d.w.data(), d.b.data(), o);
                o.winograd_schedule = WinogradSchedule::PrivateTiles;
                const PreparedConv2d private_tiles(p, d.w.data(), d.b.data(), o);
                ASSERT_FALSE(shared.private_tiles());
                ASSERT_TRUE(private_tiles.private_tiles());
                const std::vector<float> expected = run_prepared(shared, d, 1);
                for (int threads = 1; threads <= 4; ++threads) {
                    const std::string what = describe(f.c, isa, ConvAlgorithm::Winograd) + " " +
                                             kernels_of(shared) + ", " + std::to_string(threads) +
                                             " threads";
                    EXPECT_TRUE(bit_identical(run_prepared(private_tiles, d, threads), expected))
                        << what;
                    EXPECT_TRUE(bit_identical(run_prepared(shared, d, threads), expected)) << what;
                }
            }
        }
        if (!f.upsampled) {
            // And both against the naive kernel, once.
            const PreparedConv2d conv(p, d.w.data(), d.b.data(),
                                      ConvOptions{ConvAlgorithm::Winograd, ConvIsa::Auto});
            if (conv.algorithm() == ConvAlgorithm::Winograd) {
                EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4))
                    << describe(f.c, conv.isa(), ConvAlgorithm::Winograd);
            }
        }
    }
    if (best_conv_isa() == ConvIsa::Portable) return;
    const Conv2dParams small = make(Case{128, 128, 32, 32, 3});  // 2.4 MB of U
    const Conv2dParams large = make(Case{192, 192, 32, 32, 3});  // 5.3 MB
    const Data ds = make_data(small, true, 1), dl = make_data(large, true, 2);
    const ConvOptions winograd{ConvAlgorithm::Winograd, ConvIsa::Auto};
    EXPECT_TRUE(PreparedConv2d(small, ds.w.data(), ds.b.data(), winograd).private_tiles());
    EXPECT_FALSE(PreparedConv2d(large, dl.w.data(), dl.b.data(), winograd).private_tiles());
}

// Two convolutions for run_pair, the second reading the first's output.
struct Pair {
    Case first, second;
    bool upsampled;  // the first reads its input upsampled
};

// The generators' 7x7 head (3 -> 16, reflection, LeakyReLU) at h x w into their stride-2
// down.0.
Pair head_into_down(int64_t h, int64_t w) {
    Case head = with_pads(Case{3, 16, h, w, 7}, 3, 3, 3, 3);
    head.mode = PadMode::Reflect;
    head.act = Activation::LeakyRelu;
    Case down{16, 16, h, w, 3};
    down.stride = 2;
    down.act = Activation::LeakyRelu;
    return {head, down, false};
}

// The generators' last upsampling (16 -> 16, its input read upsampled) into their 7x7
// tail (16 -> 3, reflection, tanh to [0, 1]), both at h x w.
Pair up_into_tail(int64_t h, int64_t w) {
    Case up{16, 16, h, w, 3};
    up.act = Activation::LeakyRelu;
    Case tail = with_pads(Case{16, 3, h, w, 7}, 3, 3, 3, 3);
    tail.mode = PadMode::Reflect;
    tail.act = Activation::TanhUnit;
    return {up, tail, true};
}

// The data of a pair's two convolutions (the first's input at a quarter of its size
// where it reads it upsampled), seeded from seed.
std::pair<Data, Data> pair_data(const Pair& pr, uint32_t seed) {
    const Conv2dParams p = make(pr.first), q = make(pr.second);
    Data dp = make_data(p, true, seed);
    if (pr.upsampled) dp.in.resize(dp.in.size() / 4);
    return {std::move(dp), make_data(q, true, seed + 1)};
}

// run_pair of first and second on dp's input gives the bits of the two run in turn (on
// dp's and dq's weights), on 1 to 4 threads.
void expect_pair_gives_the_bits(const PreparedConv2d& first, const PreparedConv2d& second,
                                const Data& dp, const Data& dq, const std::string& what) {
    Data middle = dq;
    middle.in = run_prepared(first, dp, 1);
    const std::vector<float> expected = run_prepared(second, middle, 1);
    for (int threads = 1; threads <= 4; ++threads) {
        std::vector<float> got(expected.size(), -12345.0f);
        AlignedFloats scratch(PreparedConv2d::pair_scratch_floats(first, second, threads));
        PreparedConv2d::run_pair(first, second, dp.in.data(), got.data(), scratch.data(), threads);
        EXPECT_TRUE(bit_identical(got, expected)) << what << ", " << threads << " threads";
    }
}

// Two direct convolutions run as a pair give the bits of the two run in turn: the
// generators' head into a stride-2 layer and an upsampled layer into the narrow 7x7
// tail (reflection at both ends of the second's rows), a narrow first into a wide
// second, a batch with lopsided pads and an odd height; 1 to 4 threads, so that runs
// of the second's rows split mid-image and some threads recompute rows of the first.
TEST(ConvFast, PairGivesTheBitsOfTheTwoInTurn) {
    std::vector<Pair> pairs{head_into_down(40, 36), up_into_tail(2 * 17, 2 * 19)};
    {
        Case narrow{8, 3, 23, 45, 3};
        narrow.mode = PadMode::Edge;
        narrow.act = Activation::Relu;
        Case wide = with_pads(Case{3, 20, 23, 45, 3}, 0, 2, 2, 0);
        wide.mode = PadMode::Reflect;
        pairs.push_back({narrow, wide, false});
    }
    {
        // A narrow 3x3 second of odd height: its two-row tiles (AVX-512) pair rows from
        // the top in turn, from each thread's first row in the pair.
        Case first{6, 16, 21, 30, 3};
        first.act = Activation::LeakyRelu;
        Case second = with_pads(Case{16, 2, 21, 30, 3}, 1, 1, 1, 1);
        second.mode = PadMode::Reflect;
        pairs.push_back({first, second, false});
    }
    {
        // Edge padding of 2 has the second take the first's same row three times
        // running at the top and bottom.
        Case first{6, 16, 19, 27, 3};
        first.act = Activation::LeakyRelu;
        Case second = with_pads(Case{16, 5, 19, 27, 5}, 2, 2, 2, 2);
        second.mode = PadMode::Edge;
        pairs.push_back({first, second, false});
    }
    {
        Case first = with_pads(Case{5, 12, 31, 20, 3}, 2, 1, 0, 1);
        first.batch = 2;
        Case second{12, 9, first.h, first.w, 3};
        second.h = make(first).out_height;
        second.w = make(first).out_width;
        second.batch = 2;
        second.stride = 2;
        second.mode = PadMode::Edge;
        pairs.push_back({first, second, false});
    }
    uint32_t seed = 1900;
    for (const Pair& pr : pairs) {
        const Conv2dParams p = make(pr.first), q = make(pr.second);
        ASSERT_EQ(p.out_height, q.in_height);
        ASSERT_EQ(p.out_width, q.in_width);
        const auto [dp, dq] = pair_data(pr, seed);
        seed += 2;
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD direct kernels only
            for (DirectTiling first_tiling : kTilings) {
                for (DirectTiling second_tiling : kTilings) {
                    ConvOptions po = direct_with(isa, first_tiling);
                    po.upsampled_input = pr.upsampled;
                    const ConvOptions qo = direct_with(isa, second_tiling);
                    const std::string what = describe(pr.first, isa, ConvAlgorithm::Direct) + " " +
                                             to_string(first_tiling) + " then " +
                                             describe(pr.second, isa, ConvAlgorithm::Direct) + " " +
                                             to_string(second_tiling);
                    ASSERT_TRUE(PreparedConv2d::can_pair(p, po, q, qo)) << what;
                    const PreparedConv2d first(p, dp.w.data(), dp.b.data(), po);
                    const PreparedConv2d second(q, dq.w.data(), dq.b.data(), qo);
                    expect_pair_gives_the_bits(first, second, dp, dq, what);
                }
            }
        }
    }
}

// A Winograd first (U kept from load: more tiles than one pass takes) makes the rows a
// pair's second reads a row of output tiles at a time: the bits of the two in turn,
// for the generators' upsampled 16 -> 16 layer into the 7x7 tail, and a batch of two
// into a stride-2 second whose edge padding reads the first's last rows twice, with
// an output width and height that end mid-tile; 1 to 4 threads, so that runs of the
// second's rows start mid-tile-row and threads recompute a row of tiles.
TEST(ConvFast, WinogradFirstPairGivesTheBitsOfTheTwoInTurn) {
    std::vector<Pair> pairs{up_into_tail(2 * 34, 2 * 38)};  // 17 x 19 tiles
    {
        Case first{32, 24, 61, 75, 3};  // 16 x 19 tiles
        first.batch = 2;
        first.act = Activation::Relu;
        Case second = with_pads(Case{24, 5, 61, 75, 3}, 1, 1, 1, 1);
        second.batch = 2;
        second.stride = 2;
        second.mode = PadMode::Edge;
        pairs.push_back({first, second, false});
    }
    uint32_t seed = 2100;
    for (const Pair& pr : pairs) {
        const Conv2dParams p = make(pr.first), q = make(pr.second);
        const auto [dp, dq] = pair_data(pr, seed);
        seed += 2;
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD kernels only
            for (ConvOptions po : winograd_with(isa)) {
                po.upsampled_input = pr.upsampled;
                for (DirectTiling second_tiling : kTilings) {
                    const ConvOptions qo = direct_with(isa, second_tiling);
                    const PreparedConv2d first(p, dp.w.data(), dp.b.data(), po);
                    const PreparedConv2d second(q, dq.w.data(), dq.b.data(), qo);
                    const std::string what = describe(pr.first, isa, ConvAlgorithm::Winograd) +
                                             " " + kernels_of(first) + " then " +
                                             describe(pr.second, isa, ConvAlgorithm::Direct) + " " +
                                             to_string(second_tiling);
                    ASSERT_TRUE(PreparedConv2d::can_pair(p, po, q, qo)) << what;
                    ASSERT_EQ(first.algorithm(), ConvAlgorithm::Winograd) << what;
                    expect_pair_gives_the_bits(first, second, dp, dq, what);
                }
            }
        }
    }
}

// Pairs run_pair refuses: a depthwise or grouped convolution, a second that reads its
// input upsampled, a Winograd first whose U is made per run, a Winograd second, shapes
// that do not chain, two ISAs.
TEST(ConvFast, PairOnlyWhereItApplies) {
    if (best_conv_isa() == ConvIsa::Portable) GTEST_SKIP() << "no SIMD direct kernels here";
    const ConvOptions direct{ConvAlgorithm::Direct, ConvIsa::Auto};
    const Conv2dParams a = make(Case{8, 16, 32, 32, 3}), b = make(Case{16, 8, 32, 32, 3});
    EXPECT_TRUE(PreparedConv2d::can_pair(a, direct, b, direct));
    Case depthwise{16, 16, 32, 32, 3};
    depthwise.groups = 16;
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, make(depthwise), direct));
    Case grouped{16, 8, 32, 32, 3};
    grouped.groups = 2;
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, make(grouped), direct));
    ConvOptions upsampled = direct;
    upsampled.upsampled_input = true;
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, make(Case{16, 8, 64, 64, 3}), upsampled));
    const ConvOptions winograd{ConvAlgorithm::Winograd, ConvIsa::Auto};
    EXPECT_FALSE(PreparedConv2d::can_pair(a, winograd, b, direct));  // one pass: U per run
    const Conv2dParams wide_a = make(Case{8, 16, 128, 128, 3});      // many passes
    EXPECT_TRUE(PreparedConv2d::can_pair(wide_a, winograd, make(Case{16, 8, 128, 128, 3}), direct));
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, b, winograd));
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, make(Case{16, 8, 32, 30, 3}), direct));
    EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, make(Case{12, 8, 32, 32, 3}), direct));
    if (best_conv_isa() == ConvIsa::Avx512) {
        EXPECT_FALSE(PreparedConv2d::can_pair(a, direct, b,
                                              ConvOptions{ConvAlgorithm::Direct, ConvIsa::Avx2}));
    }
    const Data da = make_data(a, true, 1), db = make_data(make(grouped), true, 2);
    const PreparedConv2d first(a, da.w.data(), da.b.data(), direct);
    const PreparedConv2d second(make(grouped), db.w.data(), db.b.data(), direct);
    EXPECT_THROW(PreparedConv2d::run_pair(first, second, nullptr, nullptr, nullptr, 1),
                 std::invalid_argument);
}

// The x2 bilinear Resize whose output is p's input.
ResizeParams upsampling_of(const Conv2dParams& p) {
    ResizeParams r;
    r.batch = p.batch;
    r.channels = p.in_channels;
    r.in_height = p.in_height / 2;
    r.in_width = p.in_width / 2;
    r.out_height = p.in_height;
    r.out_width = p.in_width;
    r.scale_h = r.scale_w = 2.0f;
    return r;
}

// A convolution that reads its input upsampled (ConvOptions::upsampled_input) gives
// bit for bit what the Resize kernel then the same convolution give, direct and
// Winograd, on every SIMD ISA, and within 1e-5 (Winograd: 1e-4) of the naive kernels.
TEST(ConvFast, UpsampledInputMatchesResizeThenConvolution) {
    std::vector<Case> cases;
    for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
        Case c{16, 16, 2 * 9, 2 * 20, 3};  // the generators' last upsampling, small
        c.mode = mode;
        c.act = Activation::LeakyRelu;
        cases.push_back(c);
    }
    Case wide{13, 37, 2 * 5, 2 * 23, 3};  // the wide kernel, a partial column block
    wide.batch = 2;
    cases.push_back(wide);
    Case five{3, 4, 2 * 6, 2 * 7, 5};  // the narrow kernel, padding 2
    five.pt = five.pl = five.pb = five.pr = 2;
    five.mode = PadMode::Reflect;
    cases.push_back(five);
    Case one{8, 24, 2 * 3, 2 * 1, 1};  // one input column, no padding
    one.pt = one.pl = one.pb = one.pr = 0;
    cases.push_back(one);
    Case lopsided{6, 9, 2 * 4, 2 * 8, 3};
    lopsided.pt = 0;
    lopsided.pl = 2;
    lopsided.pr = 0;
    cases.push_back(lopsided);
    Case blocks{64, 24, 2 * 16, 2 * 18, 3};  // Winograd: several tile blocks of bands
    blocks.mode = PadMode::Reflect;
    cases.push_back(blocks);

    uint32_t seed = 1500;
    for (const Case& c : cases) {
        const Conv2dParams p = make(c);
        const ResizeParams r = upsampling_of(p);
        ASSERT_TRUE(is_bilinear_x2(r));
        Data small = make_data(p, c.bias, seed++);
        small.in.resize(small.in.size() / 4);
        Data full = small;
        full.in.resize(small.in.size() * 4);
        resize(r, small.in.data(), full.in.data());
        Data naive_full = small;
        naive_full.in.resize(small.in.size() * 4);
        reference::resize(r, small.in.data(), naive_full.in.data());
        const std::vector<float> expected = run_reference(p, naive_full);
        const bool winograd_applies = c.k == 3 && c.groups == 1;
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD kernels only
            std::vector<ConvOptions> options = {direct_with(isa, DirectTiling::Columns),
                                                direct_with(isa, DirectTiling::Pixels)};
            if (winograd_applies) options.push_back(ConvOptions{ConvAlgorithm::Winograd, isa});
            for (const ConvOptions& plain : options) {
                const ConvAlgorithm algo = plain.algorithm;
                ConvOptions upsampled = plain;
                upsampled.upsampled_input = true;
                ASSERT_TRUE(PreparedConv2d::reads_upsampled_input(p, upsampled))
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
                const PreparedConv2d fused(p, small.w.data(), small.b.data(), upsampled);
                ASSERT_EQ(fused.algorithm(), algo)
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
                const PreparedConv2d separate(p, full.w.data(), full.b.data(), plain);
                const std::vector<float> got = run_prepared(fused, small, 2);
                EXPECT_TRUE(bit_identical(got, run_prepared(separate, full, 2)))
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
                EXPECT_TRUE(
                    close_relative(got, expected, algo == ConvAlgorithm::Winograd ? 1e-4 : 1e-5))
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
                EXPECT_TRUE(bit_identical(got, run_prepared(fused, small, 1)))
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
                EXPECT_TRUE(bit_identical(got, run_prepared(fused, small, 3)))
                    << describe(c, isa, algo) << " " << to_string(plain.direct_tiling);
            }
        }
    }
}

// Where the input cannot be read upsampled, asking for it is refused.
TEST(ConvFast, UpsampledInputOnlyWhereItApplies) {
    Case strided{8, 8, 16, 16, 3};
    strided.stride = 2;
    Case odd{8, 8, 15, 16, 3};
    Case depthwise{8, 8, 16, 16, 3};
    depthwise.groups = 8;
    for (const Case& c : {strided, odd, depthwise}) {
        const Conv2dParams p = make(c);
        ConvOptions o{ConvAlgorithm::Direct, ConvIsa::Auto};
        o.upsampled_input = true;
        EXPECT_FALSE(PreparedConv2d::reads_upsampled_input(p, o));
        const Data d = make_data(p, true, 1);
        EXPECT_THROW(PreparedConv2d(p, d.w.data(), d.b.data(), o), std::invalid_argument);
    }
    // Winograd (Auto's pick here) reads its input upsampled as well.
    const Conv2dParams wide = make(Case{64, 64, 32, 32, 3});
    if (best_conv_isa() != ConvIsa::Portable) {
        EXPECT_TRUE(PreparedConv2d::reads_upsampled_input(wide));
    }
}

// The naive kernels' result for p (at the upsampled size) on `small` (p's input at half
// the height and width) upsampled by the naive Resize.
std::vector<float> reference_on_upsampled(const Conv2dParams& p, const Data& small) {
    Data full = small;
    full.in.resize(small.in.size() * 4);
    reference::resize(upsampling_of(p), small.in.data(), full.in.data());
    return run_reference(p, full);
}

// Polyphase (the four output phases as one Winograd convolution of the input at its
// own size, with the outside taps taken off the border pixels) gives the upsampled
// input's convolution within Winograd's 1e-4, bit-identical for any thread count:
// shapes down to one input row or column (every output pixel on a border), a batch,
// no bias, and activations applied after the border corrections.
TEST(ConvFast, PolyphaseMatchesResizeThenConvolution) {
    std::vector<Case> cases;
    Case up2{64, 16, 2 * 12, 2 * 10, 3};  // the generators' 64 -> 16 layer, small
    up2.act = Activation::LeakyRelu;
    cases.push_back(up2);
    Case batch{24, 12, 2 * 7, 2 * 9, 3};
    batch.batch = 2;
    batch.act = Activation::Tanh;
    batch.bias = false;
    cases.push_back(batch);
    cases.push_back(Case{5, 3, 2 * 1, 2 * 6, 3});  // one input row
    Case column{7, 20, 2 * 5, 2 * 1, 3};           // one input column
    column.act = Activation::Relu;
    cases.push_back(column);
    cases.push_back(Case{3, 2, 2, 2, 3});  // one input pixel: four corners

    uint32_t seed = 1700;
    for (const Case& c : cases) {
        const Conv2dParams p = make(c);
        Data small = make_data(p, c.bias, seed++);
        small.in.resize(small.in.size() / 4);
        const std::vector<float> expected = reference_on_upsampled(p, small);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // on Winograd's SIMD kernels only
            ConvOptions o{ConvAlgorithm::Polyphase, isa};
            o.upsampled_input = true;
            ASSERT_TRUE(PreparedConv2d::reads_upsampled_input(p, o));
            const PreparedConv2d conv(p, small.w.data(), c.bias ? small.b.data() : nullptr, o);
            ASSERT_EQ(conv.algorithm(), ConvAlgorithm::Polyphase)
                << describe(c, isa, ConvAlgorithm::Polyphase);
            const std::vector<float> got = run_prepared(conv, small, 2);
            EXPECT_TRUE(close_relative(got, expected, 1e-4))
                << describe(c, isa, ConvAlgorithm::Polyphase);
            for (int threads : {1, 3}) {
                EXPECT_TRUE(bit_identical(got, run_prepared(conv, small, threads)))
                    << describe(c, isa, ConvAlgorithm::Polyphase) << ", " << threads << " threads";
            }
        }
    }
}

// Auto takes Polyphase for an upsampled layer with at least four times as many input
// channels as output ones, and only with one pixel of zero padding around a 3x3 kernel
// at stride 1; elsewhere the layer runs as it would without it.
TEST(ConvFast, PolyphaseOnlyWhereItApplies) {
    if (best_conv_isa() == ConvIsa::Portable) GTEST_SKIP() << "no Winograd kernels here";
    ConvOptions upsampled;
    upsampled.upsampled_input = true;
    auto algorithm = [&](const Case& c) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, 5);
        return PreparedConv2d(p, d.w.data(), d.b.data(), upsampled).algorithm();
    };
    EXPECT_EQ(algorithm(Case{64, 16, 32, 32, 3}), ConvAlgorithm::Polyphase);
    EXPECT_EQ(algorithm(Case{64, 64, 32, 32, 3}), ConvAlgorithm::Winograd);
    EXPECT_EQ(algorithm(Case{16, 16, 32, 32, 3}), ConvAlgorithm::Winograd);
    EXPECT_EQ(algorithm(Case{4, 16, 32, 32, 3}), ConvAlgorithm::Direct);  // too narrow
    Case reflect{64, 16, 32, 32, 3};
    reflect.mode = PadMode::Reflect;
    EXPECT_EQ(algorithm(reflect), ConvAlgorithm::Winograd);
    EXPECT_EQ(algorithm(with_pads(Case{64, 16, 32, 32, 3}, 1, 1, 1, 0)), ConvAlgorithm::Winograd);
    // Without the upsampled input there is nothing to stack.
    const Conv2dParams p = make(Case{64, 16, 32, 32, 3});
    const Data d = make_data(p, true, 6);
    EXPECT_EQ(PreparedConv2d(p, d.w.data(), d.b.data(),
                             ConvOptions{ConvAlgorithm::Polyphase, ConvIsa::Auto})
                  .algorithm(),
              ConvAlgorithm::Direct);
    // The stacked convolution's storage is counted with the layer's.
    EXPECT_GT(PreparedConv2d::storage_bytes(p, upsampled),
              PreparedConv2d::storage_bytes(p, ConvOptions{}));
}

TEST(ConvFast, AutoPicksWinogradForWide3x3) {
    Case c{64, 64, 32, 32, 3};  // wide enough for the cost model to pick Winograd
    const Conv2dParams p = make(c);
    const Data d = make_data(p, true, 7);
    const PreparedConv2d conv(p, d.w.data(), d.b.data());
    if (best_conv_isa() != ConvIsa::Portable) {
        EXPECT_EQ(conv.algorithm(), ConvAlgorithm::Winograd);
    }
    EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4));
}

// F(4, 7)'s matrices (row_winograd.h) on single tiles, in float as the kernels apply
// them, against the correlation in double: the error the choice of points sets, relative
// to the kernel's norm (here 4.6e-7 on average and 8.6e-6 at most over 2000 tiles).
TEST(ConvFast, RowWinogradTransformsReproduceTheCorrelation) {
    namespace rw = row_winograd;
    const auto& t = rw::kTransforms;
    double worst = 0.0, total = 0.0;
    constexpr int kTiles = 2000;
    for (int n = 0; n < kTiles; ++n) {
        const std::vector<float> d = random_vector(rw::kPoints, 3000 + 2 * n);
        const std::vector<float> g = random_vector(rw::kTaps, 3001 + 2 * n, -0.5f, 0.5f);
        float m[rw::kPoints];
        for (int i = 0; i < rw::kPoints; ++i) {
            double u = 0.0;
            for (int k = 0; k < rw::kTaps; ++k) u += t.g[i][k] * g[k];
            float v = 0.0f;
            for (int k = 0; k < rw::kPoints; ++k) v += static_cast<float>(t.bt[i][k]) * d[k];
            m[i] = static_cast<float>(u) * v;
        }
        double norm = 0.0;
        for (float x : g) norm += static_cast<double>(x) * x;
        norm = std::sqrt(norm);
        for (int j = 0; j < rw::kOut; ++j) {
            float y = 0.0f;
            for (int i = 0; i < rw::kPoints; ++i) y += static_cast<float>(t.at[j][i]) * m[i];
            double expected = 0.0;
            for (int k = 0; k < rw::kTaps; ++k) expected += static_cast<double>(g[k]) * d[j + k];
            const double error = std::abs(y - expected) / norm;
            worst = std::max(worst, error);
            total += error;
        }
    }
    EXPECT_LT(worst, 2e-5);
    EXPECT_LT(total / (kTiles * rw::kOut), 1e-6);
}

// The row transforms (ConvAlgorithm::RowWinograd, F(4, 7) along the rows) against the
// reference: the generators' 3 -> 16 head and 16 -> 3 tail (the wide and narrow tiles),
// channel counts between, widths that end mid-tile and mid-vector, rows of one vector of
// tiles and of several, every pad mode, lopsided pads, a batch, odd heights (the narrow
// tiles make two rows at a time on AVX-512: the tail's 19 leaves one alone); the same
// bits on 1 to 3 threads (in a pair, a thread's run of rows may start anywhere:
// RowWinogradPairGivesTheBitsOfTheTwoInTurn).
TEST(ConvFast, RowWinogradMatchesTheReference) {
    std::vector<Case> cases;
    for (const auto& [ic, oc, h, w] : {std::array<int64_t, 4>{3, 16, 23, 61},
                                       {16, 3, 19, 130},
                                       {5, 9, 9, 4},
                                       {7, 20, 12, 203},
                                       {1, 1, 8, 9}}) {
        for (PadMode mode : {PadMode::Reflect, PadMode::Constant, PadMode::Edge}) {
            Case c = with_pads(Case{ic, oc, h, w, 7}, 3, 3, 3, 3);
            c.mode = mode;
            c.act = mode == PadMode::Reflect ? Activation::LeakyRelu : Activation::TanhUnit;
            cases.push_back(c);
        }
    }
    Case lopsided = with_pads(Case{4, 6, 17, 40, 7}, 0, 6, 5, 1);
    lopsided.batch = 2;
    lopsided.bias = false;
    cases.push_back(lopsided);
    cases.push_back(with_pads(Case{6, 5, 11, 33, 7}, 0, 0, 0, 0));  // valid: 5 x 27
    uint32_t seed = 2500;
    for (const Case& c : cases) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, c.bias, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD direct kernels' ring only
            const PreparedConv2d conv(p, d.w.data(), d.b.empty() ? nullptr : d.b.data(),
                                      ConvOptions{ConvAlgorithm::RowWinograd, isa});
            const std::string what = describe(c, isa, ConvAlgorithm::RowWinograd);
            ASSERT_EQ(conv.algorithm(), ConvAlgorithm::RowWinograd) << what;
            expect_close_with_the_same_bits(conv, d, expected, what);
        }
    }
}

// A pair with the row transforms on either side gives the bits of the two in turn: the
// generators' head into a stride-2 layer (either tiling), an upsampled layer into the
// tail, the first on Winograd (a row of tiles at a time) or on the direct kernels, and
// a 7x7 second with zero padding.
TEST(ConvFast, RowWinogradPairGivesTheBitsOfTheTwoInTurn) {
    const Pair into_down = head_into_down(40, 70);
    // 17 x 19 tiles of the upsampling: its U is kept from load, so a Winograd first pairs.
    const Pair into_tail = up_into_tail(2 * 34, 2 * 38);
    // A second with zero padding: the rows above and below the image are zero rows of
    // its ring (run_pair fills them), on the wide tiles.
    Case plain{16, 16, 20, 44, 3};
    plain.act = Activation::Relu;
    const Pair into_zero_padded{plain, with_pads(Case{16, 5, 20, 44, 7}, 3, 3, 3, 3), false};
    uint32_t seed = 2600;
    for (ConvIsa isa : isas()) {
        if (isa == ConvIsa::Portable) continue;  // the SIMD direct kernels only
        const ConvOptions rows{ConvAlgorithm::RowWinograd, isa};
        struct Run {
            const Pair& pair;
            ConvOptions first, second;
        };
        ConvOptions winograd_up{ConvAlgorithm::Winograd, isa};
        winograd_up.upsampled_input = true;
        ConvOptions direct_up = direct_with(isa, DirectTiling::Columns);
        direct_up.upsampled_input = true;
        const Run runs[] = {{into_down, rows, direct_with(isa, DirectTiling::Columns)},
                            {into_down, rows, direct_with(isa, DirectTiling::Pixels)},
                            {into_tail, winograd_up, rows},
                            {into_tail, direct_up, rows},
                            {into_zero_padded, direct_with(isa, DirectTiling::Pixels), rows}};
        for (const Run& run : runs) {
            const Conv2dParams p = make(run.pair.first), q = make(run.pair.second);
            const auto [dp, dq] = pair_data(run.pair, seed);
            seed += 2;
            const std::string what = describe(run.pair.first, isa, run.first.algorithm) + " then " +
                                     describe(run.pair.second, isa, run.second.algorithm);
            ASSERT_TRUE(PreparedConv2d::can_pair(p, run.first, q, run.second)) << what;
            const PreparedConv2d first(p, dp.w.data(), dp.b.data(), run.first);
            const PreparedConv2d second(q, dq.w.data(), dq.b.data(), run.second);
            expect_pair_gives_the_bits(first, second, dp, dq, what);
        }
    }
}

// Auto takes the row transforms for a 7x7 stride-1 layer on AVX-512 and AVX2 (where they
// were measured faster: row_winograd_wins), and never where the layer reads its input
// upsampled (the direct kernels do), at stride 2, or where Direct is asked for.
TEST(ConvFast, AutoPicksRowWinogradFor7x7OnX86) {
    Case c = with_pads(Case{3, 16, 24, 48, 7}, 3, 3, 3, 3);
    c.mode = PadMode::Reflect;
    const Conv2dParams p = make(c);
    const Data d = make_data(p, true, 2700);
    const PreparedConv2d conv(p, d.w.data(), d.b.data());
    const ConvIsa best = best_conv_isa();
    EXPECT_EQ(conv.algorithm() == ConvAlgorithm::RowWinograd,
              best == ConvIsa::Avx512 || best == ConvIsa::Avx2);
    EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4));
    const PreparedConv2d direct(p, d.w.data(), d.b.data(), ConvOptions{ConvAlgorithm::Direct});
    EXPECT_EQ(direct.algorithm(), ConvAlgorithm::Direct);
    Case s2 = c;
    s2.stride = 2;
    const Conv2dParams p2 = make(s2);
    EXPECT_NE(PreparedConv2d(p2, d.w.data(), d.b.data()).algorithm(), ConvAlgorithm::RowWinograd);
    if (best_conv_isa() != ConvIsa::Portable) {  // the SIMD kernels read upsampled input
        ConvOptions upsampled;
        upsampled.upsampled_input = true;
        EXPECT_TRUE(PreparedConv2d::reads_upsampled_input(p, upsampled));
        EXPECT_EQ(PreparedConv2d(p, d.w.data(), d.b.data(), upsampled).algorithm(),
                  ConvAlgorithm::Direct);
    }
    EXPECT_FALSE(PreparedConv2d::reads_upsampled_input(
        p, ConvOptions{ConvAlgorithm::RowWinograd, ConvIsa::Auto}));
}

// The stride-2 tile's matrices (winograd_s2.h: F(4, 2) on each axis's even inputs, the
// odd ones as they are) on single 9 x 9 tiles, in float as the kernels apply them,
// against the stride-2 convolution in double: the error the choice of F(4, 2)'s points
// sets, relative to the kernel's norm (here 1.0e-7 on average and 2.2e-6 at most over
// 1000 tiles).
TEST(ConvFast, StridedWinogradTransformsReproduceTheConvolution) {
    namespace s2 = winograd_s2;
    constexpr int kN = s2::kAxisPoints, kSpan = s2::kSpan, kOut = s2::kTile;
    float bt[kN][kSpan] = {};  // BT9
    for (int q = 0; q < s2::kEvenPoints; ++q) {
        for (int m = 0; m < s2::kEvenPoints; ++m)
            bt[q][2 * m] = static_cast<float>(s2::kEven.bt[q][m]);
    }
    for (int j = 0; j < kOut; ++j) bt[s2::kEvenPoints + j][2 * j + 1] = 1.0f;
    double worst = 0.0, total = 0.0;
    constexpr int kTiles = 1000;
    for (int n = 0; n < kTiles; ++n) {
        const std::vector<float> d = random_vector(kSpan * kSpan, 3100 + 2 * n);
        const std::vector<float> g = random_vector(9, 3101 + 2 * n, -0.5f, 0.5f);
        float rows[kSpan][kN], v[kN][kN];  // BT9 along each row of d, then down the columns
        for (int r = 0; r < kSpan; ++r) {
            for (int q = 0; q < kN; ++q) {
                float x = 0.0f;
                for (int c = 0; c < kSpan; ++c) x += bt[q][c] * d[r * kSpan + c];
                rows[r][q] = x;
            }
        }
        for (int p = 0; p < kN; ++p) {
            for (int q = 0; q < kN; ++q) {
                float x = 0.0f;
                for (int r = 0; r < kSpan; ++r) x += bt[p][r] * rows[r][q];
                v[p][q] = x;
            }
        }
        float m[kN][kN];
        for (int p = 0; p < kN; ++p) {
            for (int q = 0; q < kN; ++q) {
                double u = 0.0;  // (G9 g G9^T)[p][q]
                for (int a = 0; a < 3; ++a) {
                    for (int b = 0; b < 3; ++b) u += s2::g9(p, a) * g[a * 3 + b] * s2::g9(q, b);
                }
                m[p][q] = static_cast<float>(u) * v[p][q];
            }
        }
        double norm = 0.0;
        for (float x : g) norm += static_cast<double>(x) * x;
        norm = std::sqrt(norm);
        for (int i = 0; i < kOut; ++i) {
            for (int j = 0; j < kOut; ++j) {
                float y = 0.0f;
                for (int p = 0; p < kN; ++p) {
                    for (int q = 0; q < kN; ++q) {
                        y += static_cast<float>(s2::at9(i, p) * s2::at9(j, q)) * m[p][q];
                    }
                }
                double expected = 0.0;
                for (int a = 0; a < 3; ++a) {
                    for (int b = 0; b < 3; ++b) {
                        expected +=
                            static_cast<double>(g[a * 3 + b]) * d[(2 * i + a) * kSpan + 2 * j + b];
                    }
                }
                const double error = std::abs(y - expected) / norm;
                worst = std::max(worst, error);
                total += error;
            }
        }
    }
    EXPECT_LT(worst, 1e-5);
    EXPECT_LT(total / (kTiles * kOut * kOut), 5e-7);
}

// The stride-2 Winograd convolution (ConvAlgorithm::StridedWinograd) against the
// reference: a generator's 192-channel layer, sizes whose last tiles are partial, rows
// of tiles shorter and longer than a vector (so that a vector's tiles span rows), valid
// and lopsided padding, a batch without bias, output channels that are no multiple of
// the micro-kernel's, and an image of several passes; the same bits on 1 to 3 threads.
TEST(ConvFast, StridedWinogradMatchesTheReference) {
    std::vector<Case> cases;
    Case generator{192, 24, 16, 16, 3};
    generator.act = Activation::LeakyRelu;
    cases.push_back(generator);
    cases.push_back(Case{16, 20, 17, 23, 3});
    cases.push_back(Case{5, 9, 8, 70, 3});
    cases.push_back(with_pads(Case{3, 7, 33, 9, 3}, 0, 0, 0, 0));
    cases.push_back(with_pads(Case{4, 6, 21, 19, 3}, 2, 0, 1, 2));
    Case batch{6, 13, 12, 30, 3};
    batch.batch = 2;
    batch.bias = false;
    batch.act = Activation::TanhUnit;
    cases.push_back(batch);
    cases.push_back(Case{300, 10, 60, 60, 3});  // 64 tiles, 32 per pass
    uint32_t seed = 2800;
    for (Case c : cases) {
        c.stride = 2;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, c.bias, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // SIMD kernels only
            for (const ConvOptions& o : winograd_with(isa, ConvAlgorithm::StridedWinograd)) {
                const PreparedConv2d conv(p, d.w.data(), d.b.empty() ? nullptr : d.b.data(), o);
                const std::string what =
                    describe(c, isa, ConvAlgorithm::StridedWinograd) + " " + kernels_of(conv);
                ASSERT_EQ(conv.algorithm(), ConvAlgorithm::StridedWinograd) << what;
                expect_close_with_the_same_bits(conv, d, expected, what);
            }
        }
    }
}

// Auto runs live_base's 192 -> 192 down.3 on it on x86 (where it was measured faster),
// and not a 16-channel layer or a layer with reflection padding (which it cannot run
// even when asked).
TEST(ConvFast, AutoPicksStridedWinogradForWideStride2Layers) {
    Case c{192, 192, 16, 16, 3};
    c.stride = 2;
    const Conv2dParams p = make(c);
    const Data d = make_data(p, true, 2900);
    const PreparedConv2d conv(p, d.w.data(), d.b.data());
    const ConvIsa best = best_conv_isa();
    EXPECT_EQ(conv.algorithm() == ConvAlgorithm::StridedWinograd,
              best == ConvIsa::Avx512 || best == ConvIsa::Avx2);
    EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4));
    Case narrow{16, 16, 16, 16, 3};
    narrow.stride = 2;
    const Conv2dParams pn = make(narrow);
    const Data dn = make_data(pn, true, 2901);
    EXPECT_NE(PreparedConv2d(pn, dn.w.data(), dn.b.data()).algorithm(),
              ConvAlgorithm::StridedWinograd);
    Case reflect = c;
    reflect.mode = PadMode::Reflect;
    const Conv2dParams pr = make(reflect);
    const PreparedConv2d asked(pr, d.w.data(), d.b.data(),
                               ConvOptions{ConvAlgorithm::StridedWinograd});
    EXPECT_NE(asked.algorithm(), ConvAlgorithm::StridedWinograd);
    EXPECT_TRUE(close_relative(run_prepared(asked, d, 2), run_reference(pr, d), 1e-4));
}

// Auto runs the stride-2 Winograd convolution on AVX-512's wide micro-kernel from 64
// output tiles (7 x 7 tiles: narrow; 8 x 8: wide), with the reference's values.
TEST(ConvFast, StridedWinogradWideMicroKernelFromWholeColumns) {
    uint32_t seed = 2950;
    for (int64_t size : {56, 64}) {
        Case c{128, 64, size, size, 3};
        c.stride = 2;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, seed++);
        const PreparedConv2d conv(p, d.w.data(), d.b.data());
        if (conv.algorithm() != ConvAlgorithm::StridedWinograd) {
            GTEST_SKIP() << "the stride-2 Winograd kernels do not run here (" << kernels_of(conv)
                         << ")";
        }
        const std::string own = to_string(conv.isa());
        const bool wide = conv.isa() == ConvIsa::Avx512 && size == 64;
        EXPECT_EQ(conv.winograd_kernels_name(), wide ? own + "_wide" : own)
            << describe(c, conv.isa(), conv.algorithm());
        EXPECT_EQ(conv.winograd_wide(), wide) << describe(c, conv.isa(), conv.algorithm());
        EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4))
            << describe(c, conv.isa(), conv.algorithm()) << " " << kernels_of(conv);
    }
}

}  // namespace
}  // namespace swaprun::kernels
