// Convolutions that read their input upsampled by 2 (the Resize folded into them), as
// they are and as their four output phases stacked (Polyphase), against Resize then
// convolution.
#include <gtest/gtest.h>

#include <stdexcept>

#include "conv_cases.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

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
            std::vector<ConvOptions> options;
            for (DirectTiling t : kTilings) options.push_back(direct_with(isa, t));
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
// own size, written interleaved, the outside taps taken off the border pixels) gives
// the upsampled input's convolution within Winograd's 1e-4, bit-identical for any
// thread count and either schedule: shapes down to one input row or column (every
// output pixel on a border), inputs wide enough that whole quads of tiles touch every
// border (AVX-512's 16 columns of tiles), tile groups across tile rows, a batch, no
// bias, and activations applied after the border corrections.
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
    Case quads{32, 8, 2 * 16, 2 * 32, 3};  // whole quads on every border
    quads.act = Activation::LeakyRelu;
    cases.push_back(quads);
    Case ragged{20, 6, 2 * 18, 2 * 36, 3};  // groups across tile rows, partial tiles
    ragged.batch = 2;
    ragged.act = Activation::Tanh;
    cases.push_back(ragged);

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
            for (WinogradSchedule schedule :
                 {WinogradSchedule::SharedStages, WinogradSchedule::PrivateTiles}) {
                ConvOptions scheduled = o;
                scheduled.winograd_schedule = schedule;
                const PreparedConv2d other(p, small.w.data(), c.bias ? small.b.data() : nullptr,
                                           scheduled);
                EXPECT_TRUE(bit_identical(got, run_prepared(other, small, 2)))
                    << describe(c, isa, ConvAlgorithm::Polyphase) << ", schedule "
                    << static_cast<int>(schedule);
                // The same asked for on a run (has_schedules: what exec::ScheduleTuner sets).
                ASSERT_TRUE(conv.has_schedules());
                std::vector<float> run(got.size(), -12345.0f);
                AlignedFloats scratch(conv.scratch_floats(2, schedule));
                conv.run(small.in.data(), run.data(), scratch.data(), 2, schedule);
                EXPECT_TRUE(bit_identical(got, run))
                    << describe(c, isa, ConvAlgorithm::Polyphase) << ", run with schedule "
                    << static_cast<int>(schedule);
            }
        }
    }
}

// Auto takes Polyphase for an upsampled layer with at most 16 output channels or at
// least three times as many input channels as output ones (and 8 input channels, for
// Winograd), and only with one pixel of zero padding around a 3x3 kernel at stride 1;
// elsewhere the layer runs as it would without it.
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
    EXPECT_EQ(algorithm(Case{16, 16, 32, 32, 3}), ConvAlgorithm::Polyphase);
    EXPECT_EQ(algorithm(Case{192, 64, 32, 32, 3}), ConvAlgorithm::Polyphase);  // live_base's up.1
    EXPECT_EQ(algorithm(Case{160, 64, 32, 32, 3}), ConvAlgorithm::Winograd);
    EXPECT_EQ(algorithm(Case{128, 32, 32, 32, 3}), ConvAlgorithm::Polyphase);
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

}  // namespace
}  // namespace swaprun::kernels
