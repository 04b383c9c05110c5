// Every shader against kernels::reference on one-op models with awkward sizes:
// channel counts that are not multiples of the 16-wide tiles, odd widths, every pad
// mode, strides, dilation, groups, activations, residuals and broadcasting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "util/error.h"
#include "vulkan_test_support.h"

namespace swaprun::testkit {
namespace {

class VulkanOpTest : public ::testing::Test {
  protected:
    void SetUp() override { SWR_REQUIRE_VULKAN(); }
};

double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    EXPECT_EQ(got.size(), want.size());
    double worst = 0.0;
    for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        const double e =
            std::abs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::abs(want[i]));
        if (std::isnan(e)) return INFINITY;
        worst = std::max(worst, e);
    }
    return worst;
}

// Runs the model's first output on Vulkan (with options, fp16 aside) and through the
// reference kernels.
void expect_matches(const ModelBuilder& b, double tolerance = 1e-4, float low = -1.0f,
                    float high = 1.0f, bool fp16 = false, vulkan::VulkanOptions options = {}) {
    const auto model = load_model(b);
    const auto& d = model->description();
    std::vector<std::vector<float>> inputs;
    for (size_t k = 0; k < d.inputs.size(); ++k) {
        inputs.push_back(random_values(static_cast<size_t>(d.tensors[d.inputs[k]].elements()),
                                       static_cast<uint32_t>(100 + k), low, high));
    }
    const auto want = reference_run(*model, inputs)[d.outputs[0]];
    options.fp16 = fp16;
    vulkan::VulkanContext context(model, options);
    const auto got = run_context(context, inputs);
    EXPECT_LE(relative_error(got, want), tolerance);
}

struct ConvCase {
    int64_t in_c, out_c, h, w, k, stride, dilation, pad, groups, pad_mode, activation;
    bool bias;
};

TEST_F(VulkanOpTest, Conv2dMatchesReference) {
    const ConvCase cases[] = {
        {5, 7, 9, 11, 3, 1, 1, 1, 1, 0, 0, true},    // zero pad, K not a multiple of 16
        {3, 19, 13, 10, 3, 2, 1, 1, 1, 1, 2, true},  // reflect, stride 2, leaky, 2 row tiles
        {6, 9, 8, 7, 3, 1, 2, 2, 3, 2, 1, true},     // edge, dilation 2, 3 groups, relu
        {17, 5, 6, 5, 1, 1, 1, 0, 1, 0, 4, false},   // 1x1, no bias, tanh unit
        {4, 33, 12, 12, 7, 1, 1, 3, 1, 1, 3, true},  // 7x7 reflect (generator stem), tanh
        {8, 8, 5, 5, 3, 1, 1, 1, 8, 0, 5, true},     // depthwise, sigmoid
        {3, 4, 10, 10, 4, 2, 1, 1, 1, 0, 0, true},   // even kernel, stride 2
    };
    for (const ConvCase& c : cases) {
        SCOPED_TRACE(testing::Message() << "in " << c.in_c << " out " << c.out_c << " k " << c.k
                                        << " stride " << c.stride << " groups " << c.groups);
        ModelBuilder b;
        const uint32_t x = b.input("x", {2, c.in_c, c.h, c.w});
        const uint32_t w = b.random_constant("w", {c.out_c, c.in_c / c.groups, c.k, c.k}, 7);
        const uint32_t bias = c.bias ? b.random_constant("b", {c.out_c}, 8) : kNoTensor;
        const int64_t oh = (c.h + 2 * c.pad - c.dilation * (c.k - 1) - 1) / c.stride + 1;
        const int64_t ow = (c.w + 2 * c.pad - c.dilation * (c.k - 1) - 1) / c.stride + 1;
        const uint32_t y = b.activation("y", {2, c.out_c, oh, ow});
        auto& op = b.op(OpType::Conv2d, "conv", {x, w, bias}, y);
        op.attributes["strides"] = ints({c.stride, c.stride});
        op.attributes["dilations"] = ints({c.dilation, c.dilation});
        op.attributes["pads"] = ints({c.pad, c.pad, c.pad, c.pad});
        op.attributes["groups"] = ints({c.groups});
        op.attributes["pad_mode"] = ints({c.pad_mode});
        op.attributes["activation"] = ints({c.activation});
        op.attributes["alpha"] = floats({0.2f});
        b.output(y);
        // Every convolution shader, whatever the device would pick: the tiled one with
        // the tile chosen per layer and with square and oblong tiles, the automatic
        // choice, and the direct one with its default tile, a tile wider than some
        // outputs (7 channels x 8 pixels) and single-row tiles.
        struct Variant {
            vulkan::ConvAlgorithm algorithm;
            vulkan::TiledConvTile tiled;
            vulkan::DirectConvTile direct;
        };
        const Variant variants[] = {
            {vulkan::ConvAlgorithm::Tiled, {}, {}},
            {vulkan::ConvAlgorithm::Tiled, {4, 4}, {}},
            {vulkan::ConvAlgorithm::Tiled, {1, 2}, {}},
            {vulkan::ConvAlgorithm::Tiled, {4, 1}, {}},
            {vulkan::ConvAlgorithm::Tiled, {2, 2, 3}, {}},  // K in parts, then summed
            {vulkan::ConvAlgorithm::Tiled, {1, 4, 8}, {}},
            {vulkan::ConvAlgorithm::Auto, {}, {}},
            {vulkan::ConvAlgorithm::Direct, {}, {}},
            {vulkan::ConvAlgorithm::Direct, {}, {7, 8}},
            {vulkan::ConvAlgorithm::Direct, {}, {1, 3}},
        };
        for (const Variant& v : variants) {
            SCOPED_TRACE(testing::Message() << static_cast<int>(v.algorithm) << " tiled "
                                            << v.tiled.rows << " x " << v.tiled.cols << " direct "
                                            << v.direct.channels << " x " << v.direct.pixels);
            vulkan::VulkanOptions options;
            options.conv = v.algorithm;
            options.tiled_conv_tile = v.tiled;
            options.direct_conv_tile = v.direct;
            expect_matches(b, 1e-4, -1.0f, 1.0f, false, options);
        }
        // fp16 storage, the split's partial sums included: within fp16's rounding (a
        // part lost or added twice would be off by the size of the values). Then the
        // tiled shader's fp16-arithmetic build, whole and split, where the device has it.
        if (vulkan_fp16_present()) {
            vulkan::VulkanOptions split;
            split.conv = vulkan::ConvAlgorithm::Tiled;
            split.tiled_conv_tile = {2, 2, 3};
            split.fp16_math = false;
            expect_matches(b, 1e-2, -1.0f, 1.0f, true, split);
        }
        if (vulkan_fp16_math_present()) {
            for (const vulkan::TiledConvTile tile :
                 {vulkan::TiledConvTile{}, vulkan::TiledConvTile{2, 2, 3}}) {
                SCOPED_TRACE(testing::Message()
                             << "fp16 arithmetic, K in " << tile.splits << " parts");
                vulkan::VulkanOptions math;
                math.conv = vulkan::ConvAlgorithm::Tiled;
                math.tiled_conv_tile = tile;
                math.fp16_math = true;
                expect_matches(b, 1e-2, -1.0f, 1.0f, true, math);
            }
        }
    }
}

TEST_F(VulkanOpTest, ConvTilesOutsideTheShadersLimitsAreRefused) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 2, 4, 4});
    const uint32_t w = b.random_constant("w", {2, 2, 1, 1}, 7);
    const uint32_t y = b.activation("y", {1, 2, 4, 4});
    b.op(OpType::Conv2d, "conv", {x, w, kNoTensor}, y);
    b.output(y);
    const auto model = load_model(b);
    vulkan::VulkanOptions direct;
    direct.conv = vulkan::ConvAlgorithm::Direct;
    direct.direct_conv_tile = {9, 4};
    EXPECT_THROW(vulkan::VulkanContext(model, direct), Error);
    vulkan::VulkanOptions tiled;
    tiled.conv = vulkan::ConvAlgorithm::Tiled;
    tiled.tiled_conv_tile = {3, 4, 1};
    EXPECT_THROW(vulkan::VulkanContext(model, tiled), Error);
    tiled.tiled_conv_tile = {4, 4, vulkan::kMaxSplits + 1};
    EXPECT_THROW(vulkan::VulkanContext(model, tiled), Error);
}

// The per-layer plan needs no device: the generators' layer shapes.
TEST(TiledConvPlan, FillsTheGpuThenTakesTheLargestSquarestTile) {
    using vulkan::plan_tiled_conv;
    // inswapper_128's residual blocks: 1024 channels at 32 x 32, 256 groups of 64 x 64.
    auto t = plan_tiled_conv(1024, 1024, 1, 1024 * 9);
    EXPECT_EQ(t.rows, 4);
    EXPECT_EQ(t.cols, 4);
    EXPECT_EQ(t.splits, 1);
    // live_base's blocks: 192 channels at 32 x 32 make only 48 tiles of 64 x 64; K =
    // 1728 in 3 parts gives 144 workgroups.
    t = plan_tiled_conv(192, 1024, 1, 192 * 9);
    EXPECT_EQ(t.rows, 4);
    EXPECT_EQ(t.cols, 4);
    EXPECT_EQ(t.splits, 3);
    // The same with a shallow K, 2 parts of at least 128 at most: 32 x 64 tiles (of
    // the two 8-output tiles that fill the GPU, the wider).
    t = plan_tiled_conv(192, 1024, 1, 288);
    EXPECT_EQ(t.rows, 2);
    EXPECT_EQ(t.cols, 4);
    EXPECT_EQ(t.splits, 2);
    // 16 channels at 512 x 512: 32-row tiles would be half empty.
    t = plan_tiled_conv(16, 512 * 512, 1, 147);
    EXPECT_EQ(t.rows, 1);
    EXPECT_EQ(t.cols, 4);
    EXPECT_EQ(t.splits, 1);
    // 48 channels: 64-row tiles leave 16 of 64 rows empty (allowed); 40 would leave 24.
    EXPECT_EQ(plan_tiled_conv(48, 128 * 128, 1, 432).rows, 4);
    EXPECT_EQ(plan_tiled_conv(40, 128 * 128, 1, 360).rows, 1);
    // Nothing fills the GPU: the most workgroups, K split as far as it goes.
    t = plan_tiled_conv(40, 64, 1, 400);
    EXPECT_EQ(t.rows, 1);
    EXPECT_EQ(t.cols, 1);
    EXPECT_EQ(t.splits, 3);
}

TEST_F(VulkanOpTest, AdainMatchesReference) {
    for (const bool residual : {false, true}) {
        for (const int64_t activation : {0, 1, 2}) {
            SCOPED_TRACE(testing::Message() << "residual " << residual << " act " << activation);
            const int64_t c = 7;
            ModelBuilder b;
            const uint32_t x = b.input("x", {2, c, 17, 19});  // plane 323 > the 256 workgroup
            const uint32_t style = b.input("style", {2, 2 * c});
            const uint32_t r = residual ? b.input("r", {2, c, 17, 19}) : kNoTensor;
            const uint32_t y = b.activation("y", {2, c, 17, 19});
            auto& op = b.op(OpType::Adain, "adain", {x, style, style, r}, y);
            op.attributes["epsilon"] = floats({1e-5f});
            op.attributes["shift_offset"] = ints({c});
            op.attributes["scale_batch_stride"] = ints({2 * c});
            op.attributes["shift_batch_stride"] = ints({2 * c});
            op.attributes["activation"] = ints({activation});
            op.attributes["alpha"] = floats({0.1f});
            b.output(y);
            expect_matches(b);
        }
    }
}

TEST_F(VulkanOpTest, GemmMatchesReference) {
    for (const bool trans_b : {false, true}) {
        ModelBuilder b;
        const uint32_t a = b.input("a", {3, 10});
        const uint32_t w =
            trans_b ? b.random_constant("w", {13, 10}, 3) : b.random_constant("w", {10, 13}, 3);
        const uint32_t c = b.random_constant("c", {13}, 4);
        const uint32_t y = b.activation("y", {3, 13});
        auto& op = b.op(OpType::Gemm, "gemm", {a, w, c}, y);
        op.attributes["trans_b"] = ints({trans_b ? 1 : 0});
        op.attributes["alpha"] = floats({0.5f});
        op.attributes["beta"] = floats({2.0f});
        op.attributes["activation"] = ints({2});
        op.attributes["leaky_alpha"] = floats({0.2f});
        b.output(y);
        expect_matches(b);
    }
}

TEST_F(VulkanOpTest, ResizeMatchesReferenceInEveryMode) {
    const std::vector<std::pair<float, float>> scales = {{2.0f, 2.0f}, {1.5f, 0.75f}};
    for (int64_t mode = 0; mode <= 2; ++mode) {
        for (int64_t coords = 0; coords <= 4; ++coords) {
            for (const auto& [sh, sw] : scales) {
                for (int64_t nearest = 0; nearest <= (mode == 0 ? 3 : 0); ++nearest) {
                    SCOPED_TRACE(testing::Message()
                                 << "mode " << mode << " coords " << coords << " scale " << sh
                                 << "x" << sw << " nearest " << nearest);
                    ModelBuilder b;
                    const uint32_t x = b.input("x", {1, 3, 7, 9});
                    const auto oh = static_cast<int64_t>(std::floor(7 * sh));
                    const auto ow = static_cast<int64_t>(std::floor(9 * sw));
                    const uint32_t y = b.activation("y", {1, 3, oh, ow});
                    auto& op = b.op(OpType::Resize, "resize", {x}, y);
                    op.attributes["mode"] = ints({mode});
                    op.attributes["coordinates"] = ints({coords});
                    op.attributes["nearest"] = ints({nearest});
                    op.attributes["scales"] = floats({sh, sw});
                    op.attributes["exclude_outside"] = ints({mode == 2 && coords == 0 ? 1 : 0});
                    b.output(y);
                    expect_matches(b);
                }
            }
        }
    }
}

TEST_F(VulkanOpTest, BinaryMatchesReferenceWithBroadcasting) {
    for (int64_t op = 0; op <= 7; ++op) {
        SCOPED_TRACE(testing::Message() << "op " << op);
        ModelBuilder b;
        // Pow of negative bases is NaN for fractional exponents: positive bases there.
        const uint32_t a = op == 4
                               ? b.constant("a", {2, 3, 5, 7}, random_values(210, 9, 0.5f, 2.0f))
                               : b.input("a", {2, 3, 5, 7});
        const uint32_t c = b.input("c", {3, 1, 7});
        const uint32_t y = b.activation("y", {2, 3, 5, 7});
        b.op(OpType::Binary, "binary", {a, c}, y).attributes["op"] = ints({op});
        b.output(y);
        expect_matches(b, 1e-4, op == 3 ? 0.5f : -1.0f, 1.0f);
    }
}

TEST_F(VulkanOpTest, UnaryMatchesReference) {
    for (int64_t op = 0; op <= 10; ++op) {
        SCOPED_TRACE(testing::Message() << "op " << op);
        ModelBuilder b;
        const uint32_t x = b.input("x", {3, 7, 11});
        const uint32_t y = b.activation("y", {3, 7, 11});
        auto& u = b.op(OpType::Unary, "unary", {x}, y);
        u.attributes["op"] = ints({op});
        u.attributes["alpha"] = floats({0.3f});
        b.output(y);
        const bool positive = op == 6 || op == 10;  // sqrt, log
        expect_matches(b, 1e-4, positive ? 0.1f : -3.0f, 3.0f);
    }
}

TEST_F(VulkanOpTest, ReduceMeanMatchesReference) {
    const std::vector<std::vector<int64_t>> axes = {{2, 3}, {1}, {0, 2}};
    for (const auto& a : axes) {
        ModelBuilder b;
        std::vector<int64_t> shape = {2, 5, 7, 3};
        const uint32_t x = b.input("x", shape);
        for (int64_t k : a) shape[k] = 1;
        const uint32_t y = b.activation("y", shape);
        b.op(OpType::ReduceMean, "mean", {x}, y).attributes["axes"] = ints(a);
        b.output(y);
        expect_matches(b);
    }
}

TEST_F(VulkanOpTest, PadMatchesReferenceInEveryMode) {
    for (int64_t mode = 0; mode <= 2; ++mode) {
        SCOPED_TRACE(testing::Message() << "mode " << mode);
        ModelBuilder b;
        const uint32_t x = b.input("x", {1, 3, 5, 6});
        const uint32_t y = b.activation("y", {1, 3, 8, 11});
        auto& op = b.op(OpType::Pad, "pad", {x}, y);
        op.attributes["pads"] = ints({0, 0, 2, 3, 0, 0, 1, 2});
        op.attributes["mode"] = ints({mode});
        op.attributes["value"] = floats({0.5f});
        b.output(y);
        expect_matches(b);
    }
    ModelBuilder b;  // negative pads crop
    const uint32_t x = b.input("x", {1, 3, 5, 6});
    const uint32_t y = b.activation("y", {1, 3, 5, 6});
    auto& op = b.op(OpType::Pad, "crop", {x}, y);
    op.attributes["pads"] = ints({0, 0, -1, 2, 0, 0, 1, -2});
    op.attributes["value"] = floats({0.5f});
    b.output(y);
    expect_matches(b);
}

struct PoolCase {
    int64_t kind, h, w, k, stride, pad, out_h, out_w, ceil_mode, include_pad;
};

TEST_F(VulkanOpTest, Pool2dMatchesReference) {
    const PoolCase cases[] = {
        {0, 16, 14, 2, 2, 0, 8, 7, 0, 0},  // max 2x2 s2 (SCRFD's stem)
        {1, 9, 11, 2, 2, 0, 5, 6, 1, 0},   // average, ceil_mode windows over the edge
        {0, 9, 8, 3, 2, 1, 5, 4, 0, 0},    // max 3x3 s2 pad 1
        {1, 9, 8, 3, 2, 1, 5, 4, 0, 1},    // average counting the padding
    };
    for (const PoolCase& c : cases) {
        SCOPED_TRACE(testing::Message() << "kind " << c.kind << " k " << c.k << " pad " << c.pad);
        ModelBuilder b;
        const uint32_t x = b.input("x", {2, 3, c.h, c.w});
        const uint32_t y = b.activation("y", {2, 3, c.out_h, c.out_w});
        auto& op = b.op(OpType::Pool2d, "pool", {x}, y);
        op.attributes["kind"] = ints({c.kind});
        op.attributes["kernel"] = ints({c.k, c.k});
        op.attributes["strides"] = ints({c.stride, c.stride});
        op.attributes["pads"] = ints({c.pad, c.pad, c.pad, c.pad});
        op.attributes["ceil_mode"] = ints({c.ceil_mode});
        op.attributes["count_include_pad"] = ints({c.include_pad});
        b.output(y);
        expect_matches(b);
    }
}

TEST_F(VulkanOpTest, ReshapeConcatTransposeMatchReference) {
    {
        ModelBuilder b;
        const uint32_t x = b.input("x", {2, 3, 4});
        const uint32_t y = b.activation("y", {6, 4});
        b.op(OpType::Reshape, "reshape", {x}, y);
        b.output(y);
        expect_matches(b);
    }
    for (const int64_t axis : {0, 1, 2}) {
        SCOPED_TRACE(testing::Message() << "concat axis " << axis);
        ModelBuilder b;
        std::vector<uint32_t> ins;
        std::vector<int64_t> out = {2, 3, 4};
        out[axis] = 0;
        const char* names[] = {"x0", "x1", "x2"};
        const int64_t lengths[] = {3, 5, 1};
        for (int t = 0; t < 3; ++t) {
            std::vector<int64_t> shape = {2, 3, 4};
            shape[axis] = lengths[t];
            out[axis] += lengths[t];
            ins.push_back(b.input(names[t], shape));
        }
        const uint32_t y = b.activation("y", out);
        b.op(OpType::Concat, "concat", ins, y).attributes["axis"] = ints({axis});
        b.output(y);
        expect_matches(b);
    }
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 3, 4, 5});
    const uint32_t y = b.activation("y", {2, 4, 5, 3});
    b.op(OpType::Transpose, "transpose", {x}, y).attributes["perm"] = ints({0, 2, 3, 1});
    b.output(y);
    expect_matches(b);
}

}  // namespace
}  // namespace swaprun::testkit
