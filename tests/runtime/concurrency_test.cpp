// One loaded model shared by several threads, each with its own context: every output
// must equal the single-thread output bit for bit (swaprun.h: a model may be shared,
// a context belongs to one thread at a time).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

#include "format/swpk_io.h"
#include "swaprun/swaprun.hpp"
#include "test_support.h"

namespace {

using namespace swaprun;
using testkit::floats;
using testkit::ints;
using testkit::random_values;

// small_generator() scaled up so that every op does real work and the convolutions take
// both prepared paths shared between contexts (direct 3->32, Winograd 32->64):
//   target [1,3,32,32] -Pad(reflect 1)-> Conv3x3(3->32, LeakyRelu) -Conv3x3(32->64,
//   reflect pad 1)-> Adain(style = Gemm(source [1,16] x [16,128]), Relu) -> Resize x2
//   -> Conv1x1(64->3) -> Unary(TanhUnit) = output [1,3,64,64]
testkit::ModelBuilder scaled_generator() {
    testkit::ModelBuilder b;
    const uint32_t target = b.input("target", {1, 3, 32, 32});
    const uint32_t source = b.input("source", {1, 16});

    const uint32_t padded = b.activation("padded", {1, 3, 34, 34});
    auto& pad = b.op(OpType::Pad, "pad", {target}, padded);
    pad.attributes["pads"] = ints({0, 0, 1, 1, 0, 0, 1, 1});
    pad.attributes["mode"] = ints({1});

    const uint32_t w1 = b.random_constant("conv1.weight", {32, 3, 3, 3}, 11);
    const uint32_t b1 = b.random_constant("conv1.bias", {32}, 12);
    const uint32_t c1 = b.activation("conv1", {1, 32, 32, 32});
    auto& conv1 = b.op(OpType::Conv2d, "conv1", {padded, w1, b1}, c1);
    conv1.attributes["activation"] = ints({2});
    conv1.attributes["alpha"] = floats({0.2f});

    const uint32_t w2 = b.random_constant("conv2.weight", {64, 32, 3, 3}, 13);
    const uint32_t c2 = b.activation("conv2", {1, 64, 32, 32});
    auto& conv2 = b.op(OpType::Conv2d, "conv2", {c1, w2, kNoTensor}, c2);
    conv2.attributes["pads"] = ints({1, 1, 1, 1});
    conv2.attributes["pad_mode"] = ints({1});

    const uint32_t gw = b.random_constant("style.weight", {16, 128}, 14);
    const uint32_t gb = b.random_constant("style.bias", {128}, 15);
    const uint32_t style = b.activation("style", {1, 128});
    b.op(OpType::Gemm, "style", {source, gw, gb}, style);

    const uint32_t norm = b.activation("adain", {1, 64, 32, 32});
    auto& adain = b.op(OpType::Adain, "adain", {c2, style, style, kNoTensor}, norm);
    adain.attributes["epsilon"] = floats({1e-5f});
    adain.attributes["shift_offset"] = ints({64});
    adain.attributes["scale_batch_stride"] = ints({128});
    adain.attributes["shift_batch_stride"] = ints({128});
    adain.attributes["activation"] = ints({1});

    const uint32_t up = b.activation("up", {1, 64, 64, 64});
    auto& resize = b.op(OpType::Resize, "up", {norm}, up);
    resize.attributes["mode"] = ints({1});
    resize.attributes["scales"] = floats({2.0f, 2.0f});

    const uint32_t w3 = b.random_constant("conv3.weight", {3, 64, 1, 1}, 16);
    const uint32_t c3 = b.activation("conv3", {1, 3, 64, 64});
    b.op(OpType::Conv2d, "conv3", {up, w3, kNoTensor}, c3);

    const uint32_t out = b.activation("output", {1, 3, 64, 64});
    b.op(OpType::Unary, "to_unit", {c3}, out).attributes["op"] = ints({4});
    b.output(out);
    return b;
}

constexpr int kThreads = 4;
constexpr int kRunsPerThread = 50;
constexpr int kTargets = 3;
constexpr int kSources = 2;

// Run i of every thread uses target frame i % 3 and source face (i / 10) % 2, so the
// contexts also reuse their cached style vectors across runs and recompute them when
// the source changes, as live use does.
int target_of(int run) { return run % kTargets; }
int source_of(int run) { return (run / 10) % kSources; }

TEST(Concurrency, FourThreadsSharingOneModelMatchTheSingleThreadOutputBitForBit) {
    testkit::TempDir dir;
    const std::string path = dir.file("scaled_generator.swpk");
    {
        testkit::ModelBuilder b = scaled_generator();
        format::write_swpk(b.desc(), path);
    }
    std::array<std::vector<float>, kTargets> targets;
    for (int t = 0; t < kTargets; ++t) {
        targets[t] = random_values(3 * 32 * 32, 100 + t, 0.0f, 1.0f);
    }
    std::array<std::vector<float>, kSources> sources;
    for (int s = 0; s < kSources; ++s) sources[s] = random_values(16, 200 + s);

    const Model model = Model::open(path);
    // The reference: one context, one thread, each (target, source) pair run alone.
    std::array<std::array<std::vector<float>, kSources>, kTargets> expected;
    for (int t = 0; t < kTargets; ++t) {
        for (int s = 0; s < kSources; ++s) {
            Context context(model, 1);
            context.set_input("target", targets[t]);
            context.set_input("source", sources[s]);
            context.run();
            const auto out = context.output("output");
            expected[t][s].assign(out.begin(), out.end());
        }
    }
    // The pairs must give different outputs, or a context mixing them up would pass.
    ASSERT_NE(expected[0][0], expected[1][0]);
    ASSERT_NE(expected[0][0], expected[0][1]);

    // mismatches[k]: runs of thread k whose output differed; first_bad[k]: the first one.
    std::array<int, kThreads> mismatches{};
    std::array<int, kThreads> first_bad{};
    std::vector<std::thread> workers;
    for (int k = 0; k < kThreads; ++k) {
        workers.emplace_back([&, k] {
            first_bad[k] = -1;
            // One worker thread per context: that results do not depend on the thread
            // count is tested apart (c_api_test); several OpenMP teams spinning on a
            // loaded 2-core machine would only make this test slow.
            Context context(model, 1);
            int current_source = -1;
            for (int run = 0; run < kRunsPerThread; ++run) {
                context.set_input("target", targets[target_of(run)]);
                if (source_of(run) != current_source) {
                    current_source = source_of(run);
                    context.set_input("source", sources[current_source]);
                }
                context.run();
                const auto out = context.output("output");
                const auto& want = expected[target_of(run)][source_of(run)];
                if (!std::equal(out.begin(), out.end(), want.begin(), want.end())) {
                    if (mismatches[k]++ == 0) first_bad[k] = run;
                }
            }
        });
    }
    for (auto& w : workers) w.join();
    for (int k = 0; k < kThreads; ++k) {
        EXPECT_EQ(mismatches[k], 0)
            << "thread " << k << ": " << mismatches[k] << " of " << kRunsPerThread
            << " outputs differ, first at run " << first_bad[k];
    }
}

}  // namespace
