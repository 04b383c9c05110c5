// exec::ScheduleTuner: which ops it times, the schedules it sets on the timed runs, and
// the one each shape keeps (timings fed by hand); and a context whose second and third
// runs time the schedules gives the same bits on every run.
#include "exec/schedule_tuner.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/cpu_context.h"
#include "format/swpk_io.h"
#include "test_support.h"

namespace {

using namespace swaprun;
using kernels::WinogradSchedule;

kernels::Conv2dParams block(int64_t channels, int64_t size) {
    kernels::Conv2dParams p;
    p.in_channels = p.out_channels = channels;
    p.in_height = p.in_width = p.out_height = p.out_width = size;
    p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    return p;
}

std::unique_ptr<kernels::PreparedConv2d> winograd(const kernels::Conv2dParams& p) {
    const std::vector<float> w(static_cast<size_t>(p.out_channels * p.in_channels * 9), 0.01f);
    return std::make_unique<kernels::PreparedConv2d>(
        p, w.data(), nullptr, kernels::ConvOptions{kernels::ConvAlgorithm::Winograd});
}

exec::BoundOp bound(const kernels::PreparedConv2d* conv, int threads) {
    exec::BoundOp b;
    b.conv = conv;
    b.threads = threads;
    return b;
}

TEST(ScheduleTuner, TimesEachShapeOnBothSchedulesAndKeepsTheFaster) {
    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "no Winograd kernels here: nothing to tune";
    }
    const auto a = winograd(block(16, 16)), b = winograd(block(8, 16));
    const std::vector<float> w(16 * 16 * 9, 0.01f);
    const kernels::PreparedConv2d direct(block(16, 16), w.data(), nullptr,
                                         kernels::ConvOptions{kernels::ConvAlgorithm::Direct});
    // 0, 2: shape a; 1: shape b; 3: a on one thread; 4: direct; 5: a pair's second;
    // 6: not a convolution.
    std::vector<exec::BoundOp> ops = {bound(a.get(), 2), bound(b.get(), 2), bound(a.get(), 2),
                                      bound(a.get(), 1), bound(&direct, 2), bound(a.get(), 2),
                                      exec::BoundOp{}};
    ops[5].paired_first = a.get();
    exec::ScheduleTuner tuner(ops);
    auto schedules = [&] {
        std::vector<WinogradSchedule> s;
        for (const auto& op : ops) s.push_back(op.schedule);
        return s;
    };
    const auto untouched = schedules();

    // The first run goes as loaded.
    EXPECT_FALSE(tuner.timing());
    tuner.begin_run(ops);
    EXPECT_EQ(schedules(), untouched);
    tuner.end_run(ops);

    // Private tiles: shape a 1 ms a run, shape b 1 ms; shared stages: a 0.5 ms (op 2
    // only: op 0 skipped the run), b 2 ms.
    for (const WinogradSchedule s :
         {WinogradSchedule::PrivateTiles, WinogradSchedule::SharedStages}) {
        ASSERT_TRUE(tuner.timing());
        tuner.begin_run(ops);
        for (size_t k : {0u, 1u, 2u}) EXPECT_EQ(ops[k].schedule, s) << k;
        for (size_t k : {3u, 4u, 5u, 6u}) EXPECT_EQ(ops[k].schedule, WinogradSchedule::Auto) << k;
        const bool shared = s == WinogradSchedule::SharedStages;
        if (!shared) tuner.record(0, 1.0);
        tuner.record(1, shared ? 2.0 : 1.0);
        tuner.record(2, shared ? 0.5 : 1.0);
        tuner.record(3, 9.0);  // not tuned: ignored
        tuner.end_run(ops);
    }

    EXPECT_FALSE(tuner.timing());
    EXPECT_EQ(ops[0].schedule, WinogradSchedule::SharedStages);
    EXPECT_EQ(ops[2].schedule, WinogradSchedule::SharedStages);
    EXPECT_EQ(ops[1].schedule, WinogradSchedule::PrivateTiles);
    for (size_t k : {3u, 4u, 5u, 6u}) EXPECT_EQ(ops[k].schedule, WinogradSchedule::Auto) << k;
    // Later runs keep the choice.
    tuner.begin_run(ops);
    tuner.record(1, 100.0);
    tuner.end_run(ops);
    EXPECT_EQ(ops[1].schedule, WinogradSchedule::PrivateTiles);
}

// Two residual-block-like convolutions of one shape (Winograd, 32 channels at 16 x 16)
// and a third of another: every run of a context on 2 threads, the timed ones included,
// gives the bits of the first.
TEST(ScheduleTuner, TimedRunsGiveTheSameBits) {
    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "no Winograd kernels here: nothing to tune";
    }
    testkit::ModelBuilder b;
    uint32_t x = b.input("x", {1, 32, 16, 16});
    for (int k = 0; k < 3; ++k) {
        const int64_t out = k < 2 ? 32 : 24;
        const std::string name = "conv" + std::to_string(k);
        const uint32_t w = b.constant(name + ".weight", {out, 32, 3, 3},
                                      testkit::random_values(out * 32 * 9, 70 + k, -0.06f, 0.06f));
        const uint32_t y = b.activation(name, {1, out, 16, 16});
        const uint32_t bias =
            b.constant(name + ".bias", {out}, testkit::random_values(out, 80 + k, -0.1f, 0.1f));
        auto& op = b.op(OpType::Conv2d, name, {x, w, bias}, y);
        op.attributes["pads"] = testkit::ints({1, 1, 1, 1});
        x = y;
    }
    b.output(x);
    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    for (size_t k = 0; k < 3; ++k) {
        ASSERT_NE(model->prepared_conv(k), nullptr);
        ASSERT_EQ(model->prepared_conv(k)->algorithm(), kernels::ConvAlgorithm::Winograd) << k;
    }
    exec::CpuContext context(model, 2);
    const auto input = testkit::random_values(32 * 16 * 16, 69, -1.0f, 1.0f);
    std::vector<float> first;
    for (int run = 0; run < 2 + exec::ScheduleTuner::kTimedRuns; ++run) {
        context.set_input("x", input.data(), input.size());
        context.run();
        const auto out = context.output("conv2");
        const std::vector<float> got(out.begin(), out.end());
        if (run == 0) {
            first = got;
        } else {
            EXPECT_EQ(got, first) << "run " << run;
        }
    }
}

}  // namespace
