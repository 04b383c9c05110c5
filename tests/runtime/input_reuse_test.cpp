// Reuse of results across runs: the style vectors are computed once per source and
// reused while only the target changes, and recomputed as soon as the source changes.
#include <gtest/gtest.h>

#include <vector>

#include "engine/loaded_model.h"
#include "exec/cpu_context.h"
#include "format/swpk_io.h"
#include "test_support.h"

namespace swaprun {
namespace {

using testkit::random_values;

std::vector<float> run_fresh(const std::shared_ptr<const engine::LoadedModel>& model,
                             const std::vector<float>& target, const std::vector<float>& source) {
    exec::CpuContext context(model, 1);
    context.set_input("target", target.data(), target.size());
    context.set_input("source", source.data(), source.size());
    context.run();
    const auto out = context.output("output");
    return {out.begin(), out.end()};
}

TEST(InputReuse, OnlyOpsOffTheFrameAreReusable) {
    testkit::ModelBuilder b = testkit::small_generator();
    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("m.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("m.swpk"));
    const auto& ops = model->graph().ops;
    const auto& reuse = model->plan().reuse;
    for (size_t k = 0; k < ops.size(); ++k) {
        // The target (the largest input) reaches every op but the style Gemm.
        EXPECT_EQ(reuse.reusable[k], ops[k].type == OpType::Gemm) << "op " << k;
    }
}

TEST(InputReuse, ResultsMatchFreshContextsAsInputsChange) {
    testkit::ModelBuilder b = testkit::small_generator();
    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("m.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("m.swpk"));
    const auto target1 = random_values(192, 1, 0.0f, 1.0f),
               target2 = random_values(192, 2, 0.0f, 1.0f);
    const auto source1 = random_values(6, 3), source2 = random_values(6, 4);

    exec::CpuContext live(model, 2);
    live.set_input("target", target1.data(), target1.size());
    live.set_input("source", source1.data(), source1.size());
    live.run();

    // A new frame, same source: the Gemm is skipped, the output is still exact.
    live.set_input("target", target2.data(), target2.size());
    std::vector<double> op_ms;
    live.run(&op_ms);
    const auto& ops = model->graph().ops;
    for (size_t k = 0; k < ops.size(); ++k) {
        if (ops[k].type == OpType::Gemm) {
            EXPECT_EQ(op_ms[k], 0.0) << "the style Gemm ran again";
        }
    }
    auto out = live.output("output");
    EXPECT_EQ(std::vector<float>(out.begin(), out.end()), run_fresh(model, target2, source1));

    // A new source: the style vectors are recomputed.
    live.set_input("source", source2.data(), source2.size());
    live.run();
    out = live.output("output");
    const auto expected = run_fresh(model, target2, source2);
    EXPECT_EQ(std::vector<float>(out.begin(), out.end()), expected);
    EXPECT_NE(expected, run_fresh(model, target2, source1));
}

}  // namespace
}  // namespace swaprun
