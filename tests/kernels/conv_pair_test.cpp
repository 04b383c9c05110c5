// PreparedConv2d::run_pair: two convolutions run as one give the bits of the two in
// turn, and pair only where run_pair applies.
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include "conv_cases.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

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

// Each pair's first on `algorithm` (Winograd: each of winograd_with's micro-kernels;
// Polyphase: its stacked convolution's choice), which makes its output in bands, into a
// second on each direct tiling, on every SIMD ISA: the bits of the two in turn.
void expect_banded_pairs_give_the_bits(const std::vector<Pair>& pairs, ConvAlgorithm algorithm,
                                       uint32_t seed) {
    for (const Pair& pr : pairs) {
        const Conv2dParams p = make(pr.first), q = make(pr.second);
        const auto [dp, dq] = pair_data(pr, seed);
        seed += 2;
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD kernels only
            std::vector<ConvOptions> firsts = {ConvOptions{algorithm, isa}};
            if (algorithm == ConvAlgorithm::Winograd) firsts = winograd_with(isa);
            for (ConvOptions po : firsts) {
                po.upsampled_input = pr.upsampled;
                for (DirectTiling second_tiling : kTilings) {
                    const ConvOptions qo = direct_with(isa, second_tiling);
                    const PreparedConv2d first(p, dp.w.data(), dp.b.data(), po);
                    const PreparedConv2d second(q, dq.w.data(), dq.b.data(), qo);
                    const std::string what = describe(pr.first, isa, algorithm) + " " +
                                             kernels_of(first) + " then " +
                                             describe(pr.second, isa, ConvAlgorithm::Direct) + " " +
                                             to_string(second_tiling);
                    ASSERT_TRUE(PreparedConv2d::can_pair(p, po, q, qo)) << what;
                    ASSERT_EQ(first.algorithm(), algorithm) << what;
                    expect_pair_gives_the_bits(first, second, dp, dq, what);
                }
            }
        }
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
    expect_banded_pairs_give_the_bits(pairs, ConvAlgorithm::Winograd, 2100);
}

// A Polyphase first (its stacked convolution's U kept from load) makes the rows a pair's
// second reads a row of the stacked convolution's tiles at a time, eight rows of its
// own output, corrected at the borders and activated: the bits of the two in turn, for
// the generators' upsampled 16 -> 16 layer into the 7x7 tail (the stacked output 34 x
// 38: its last row and column of tiles partial) and a batch of two into a stride-2
// second; 1 to 4 threads, so that runs of the second's rows start mid-band.
TEST(ConvFast, PolyphaseFirstPairGivesTheBitsOfTheTwoInTurn) {
    std::vector<Pair> pairs{up_into_tail(2 * 34, 2 * 38)};
    {
        Case first{24, 8, 2 * 30, 2 * 41, 3};
        first.batch = 2;
        first.act = Activation::Relu;
        Case second = with_pads(Case{8, 5, first.h, first.w, 3}, 1, 1, 1, 1);
        second.batch = 2;
        second.stride = 2;
        second.mode = PadMode::Edge;
        pairs.push_back({first, second, true});
    }
    expect_banded_pairs_give_the_bits(pairs, ConvAlgorithm::Polyphase, 2300);
}

// Pairs run_pair refuses: a depthwise or grouped convolution, a second that reads its
// input upsampled, a Winograd first whose U is made per run (or a Polyphase first whose
// stacked convolution's is), a Winograd second, shapes that do not chain, two ISAs.
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
    ConvOptions polyphase{ConvAlgorithm::Polyphase, ConvIsa::Auto};
    polyphase.upsampled_input = true;
    EXPECT_FALSE(PreparedConv2d::can_pair(a, polyphase, b, direct));  // stacked: 16 x 16
    EXPECT_TRUE(
        PreparedConv2d::can_pair(wide_a, polyphase, make(Case{16, 8, 128, 128, 3}), direct));
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
                            {into_down, rows, direct_with(isa, DirectTiling::LongColumns)},
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

}  // namespace
}  // namespace swaprun::kernels
