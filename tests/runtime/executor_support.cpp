#include "executor_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/loaded_model.h"
#include "exec/cpu_context.h"
#include "format/swpk_io.h"

namespace swaprun::testkit {

std::vector<float> run_model(const ModelBuilder& model,
                             const std::vector<std::vector<float>>& inputs, int threads) {
    TempDir dir;
    format::write_swpk(model.desc(), dir.file("model.swpk"));
    auto loaded = engine::LoadedModel::open(dir.file("model.swpk"));
    exec::CpuContext context(loaded, threads);
    const auto& d = loaded->description();
    for (size_t k = 0; k < d.inputs.size(); ++k) {
        context.set_input(d.tensors[d.inputs[k]].name, inputs.at(k).data(), inputs.at(k).size());
    }
    context.run();
    const auto out = context.output(d.tensors[d.outputs[0]].name);
    return std::vector<float>(out.begin(), out.end());
}

double max_relative_error(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double worst = 0.0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const double d = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) /
                         (1.0 + std::abs(static_cast<double>(b[i])));
        if (std::isnan(d)) return INFINITY;
        worst = std::max(worst, d);
    }
    return worst;
}

}  // namespace swaprun::testkit
