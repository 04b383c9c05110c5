// PreparedConv2d against the naive reference: Winograd and the direct kernels on every
// ISA this machine has, odd shapes, every pad mode and activation, the Winograd
// weights and schedules, and bit-identical results for any thread count. The other
// algorithms and the pairs: conv_*_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "conv_cases.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

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

// Auto runs AVX-512's long column tiles (6 x 4) where rounding up to them wastes less
// than they gain: the generators' stride-2 down.1 and down.2, not the 16-channel down.0
// (18 channels in threes of 6) nor rows of 32 columns (half of a tile of 64); and never
// where the ISA has no longer shape.
TEST(ConvFast, AutoPicksLongColumnTilesWhereTheyFill) {
    if (best_conv_isa() == ConvIsa::Portable) GTEST_SKIP() << "no SIMD direct kernels here";
    auto long_columns = [](Case c) {
        c.stride = 2;
        const Conv2dParams p = make(c);
        const std::vector<float> w(static_cast<size_t>(p.out_channels * p.in_channels * c.k * c.k));
        return PreparedConv2d(p, w.data(), nullptr, ConvOptions{ConvAlgorithm::Direct})
            .long_columns();
    };
    const bool avx512 = best_conv_isa() == ConvIsa::Avx512;
    EXPECT_EQ(long_columns(Case{16, 64, 256, 256, 3}), avx512);   // down.1: 128 columns
    EXPECT_EQ(long_columns(Case{64, 192, 128, 128, 3}), avx512);  // down.2: 64
    EXPECT_FALSE(long_columns(Case{16, 16, 512, 512, 3}));        // down.0
    EXPECT_FALSE(long_columns(Case{192, 192, 64, 64, 3}));        // 32 columns
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

// Auto takes AVX-512's wide Winograd micro-kernel (6 x 4) from 128 input channels where
// a pass has 64 output tiles (a row of them, for the first of a pair), and the narrow
// one (8 x 2) otherwise; forced, each gives the reference's values within Winograd's
// error; other ISAs have one micro-kernel, whatever is asked.
TEST(ConvFast, WinogradWideMicroKernelFromManyInputChannels) {
    const Case few{127, 20, 32, 32, 3}, many{128, 20, 32, 32, 3}, small{128, 20, 28, 32, 3};
    const Case rows{128, 20, 8, 256, 3};         // 128 tiles, 64 to a row
    const Case short_rows{128, 20, 32, 128, 3};  // 256 tiles, 32 to a row
    uint32_t seed = 950;
    for (const Case& c : {few, many, small, rows, short_rows}) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // no Winograd there
            const std::string own = to_string(isa);
            const bool many_tiles = (c.h / 4) * (c.w / 4) >= 64;
            const bool many_in_a_row = c.w / 4 >= 64;
            for (bool pair_first : {false, true}) {
                ConvOptions asked{ConvAlgorithm::Winograd, isa};
                asked.pair_first = pair_first;
                const PreparedConv2d chosen(p, d.w.data(), d.b.data(), asked);
                const bool auto_wide = isa == ConvIsa::Avx512 && c.ic >= 128 &&
                                       (pair_first ? many_in_a_row : many_tiles);
                EXPECT_EQ(chosen.winograd_kernels_name(), auto_wide ? own + "_wide" : own)
                    << describe(c, isa, ConvAlgorithm::Winograd) << " pair_first " << pair_first;
                EXPECT_EQ(chosen.winograd_wide(), auto_wide)
                    << describe(c, isa, ConvAlgorithm::Winograd) << " pair_first " << pair_first;
            }
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
// micro-kernel columns. And Auto picks private tiles for small U only, in more than one
// column.
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
    const Conv2dParams small = make(Case{128, 128, 64, 64, 3});  // 2.4 MB of U
    const Conv2dParams large = make(Case{192, 192, 64, 64, 3});  // 5.3 MB
    const Data ds = make_data(small, true, 1), dl = make_data(large, true, 2);
    const ConvOptions winograd{ConvAlgorithm::Winograd, ConvIsa::Auto};
    EXPECT_TRUE(PreparedConv2d(small, ds.w.data(), ds.b.data(), winograd).private_tiles());
    EXPECT_FALSE(PreparedConv2d(large, dl.w.data(), dl.b.data(), winograd).private_tiles());
    // Private tiles go to the threads in whole micro-kernel columns: a layer of one
    // column (64 tiles on AVX-512's 6 x 4) runs shared, or one thread would take it all.
    const Conv2dParams one_column = make(Case{128, 128, 32, 32, 3});
    const PreparedConv2d conv(one_column, ds.w.data(), ds.b.data(), winograd);
    EXPECT_EQ(conv.private_tiles(), !conv.winograd_wide()) << kernels_of(conv);
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

}  // namespace
}  // namespace swaprun::kernels
