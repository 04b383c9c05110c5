#include "vulkan_test_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "format/swpk_io.h"
#include "kernels/reference.h"
#include "vulkan/vulkan_device.h"

namespace swaprun::testkit {
namespace {

namespace ref = kernels::reference;

struct ReferenceCall {
    std::vector<const float*> in;
    float* out;

    const float* input(size_t slot) const { return slot < in.size() ? in[slot] : nullptr; }

    void operator()(const kernels::Conv2dParams& p) const {
        ref::conv2d(p, input(0), input(1), input(2), out);
    }
    void operator()(const graph::AdainOp& a) const {
        // One sample at a time, as the executor does (exec/run_op.cpp).
        kernels::AdainParams p = a.params;
        p.batch = 1;
        p.broadcast_batch = false;
        const int64_t plane = p.channels * p.height * p.width;
        for (int64_t n = 0; n < a.params.batch; ++n) {
            ref::adain(p, input(0) + n * plane,
                       input(1) + a.scale_offset + n * a.scale_batch_stride,
                       input(2) + a.shift_offset + n * a.shift_batch_stride,
                       input(3) ? input(3) + n * plane : nullptr, out + n * plane);
        }
    }
    void operator()(const kernels::GemmParams& p) const {
        ref::gemm(p, input(0), input(1), input(2), out);
    }
    void operator()(const kernels::ResizeParams& p) const { ref::resize(p, input(0), out); }
    void operator()(const graph::BinaryOpParams& p) const {
        ref::binary(p.op, p.a, input(0), p.b, input(1), p.out, out);
    }
    void operator()(const graph::UnaryOpParams& p) const {
        ref::unary(p.op, p.alpha, p.count, input(0), out);
    }
    void operator()(const graph::ReduceMeanParams& p) const {
        ref::reduce_mean(p.in, p.axes_mask, input(0), out);
    }
    void operator()(const kernels::PadParams& p) const { ref::pad(p, input(0), out); }
    void operator()(const graph::ReshapeParams& p) const {
        std::memcpy(out, input(0), static_cast<size_t>(p.count) * sizeof(float));
    }
    void operator()(const graph::ConcatParams& p) const {
        ref::concat(static_cast<int>(p.shapes.size()), p.shapes.data(), in.data(), p.axis, out);
    }
    void operator()(const graph::TransposeParams& p) const {
        ref::transpose(p.in, p.perm.data(), input(0), out);
    }
    void operator()(const kernels::Pool2dParams& p) const { ref::pool2d(p, input(0), out); }
};

}  // namespace

bool vulkan_present() { return vulkan::best_device(vulkan::list_devices()) >= 0; }

namespace {

// What the device a default request opens has; nullopt without one.
std::optional<vulkan::DeviceInfo> best_device_info() {
    const auto devices = vulkan::list_devices();
    const int best = vulkan::best_device(devices);
    if (best < 0) return std::nullopt;
    return devices[static_cast<size_t>(best)];
}

}  // namespace

bool vulkan_fp16_present() {
    const auto info = best_device_info();
    return info && info->fp16_storage;
}

bool vulkan_fp16_math_present() {
    const auto info = best_device_info();
    return info && info->fp16_storage && info->fp16_math;
}

std::shared_ptr<const engine::LoadedModel> load_model(const ModelBuilder& model) {
    // The mapping outlives the directory's removal (POSIX keeps unlinked files).
    TempDir dir;
    format::write_swpk(model.desc(), dir.file("model.swpk"));
    return engine::LoadedModel::open(dir.file("model.swpk"));
}

std::vector<std::vector<float>> reference_run(const engine::LoadedModel& model,
                                              const std::vector<std::vector<float>>& inputs) {
    const auto& d = model.description();
    std::vector<std::vector<float>> values(d.tensors.size());
    for (size_t t = 0; t < d.tensors.size(); ++t) {
        if (d.tensors[t].role == format::TensorRole::Constant) {
            values[t].assign(d.tensors[t].data.begin(), d.tensors[t].data.end());
        }
    }
    for (size_t k = 0; k < d.inputs.size(); ++k) values[d.inputs[k]] = inputs.at(k);
    for (const auto& op : model.graph().ops) {
        ReferenceCall call;
        for (uint32_t i : op.inputs) call.in.push_back(i == kNoTensor ? nullptr : values[i].data());
        values[op.output].assign(static_cast<size_t>(d.tensors[op.output].elements()), 0.0f);
        call.out = values[op.output].data();
        std::visit(call, op.params);
    }
    return values;
}

std::vector<float> run_context(exec::ExecutionContext& context,
                               const std::vector<std::vector<float>>& inputs) {
    const auto& d = context.model().description();
    for (size_t k = 0; k < d.inputs.size(); ++k) {
        context.set_input(d.tensors[d.inputs[k]].name, inputs.at(k).data(), inputs.at(k).size());
    }
    context.run();
    const auto out = context.output(d.tensors[d.outputs[0]].name);
    return std::vector<float>(out.begin(), out.end());
}

double max_abs_error(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double worst = 0.0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const double e = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
        if (std::isnan(e)) return std::numeric_limits<double>::infinity();
        worst = std::max(worst, e);
    }
    return worst;
}

double psnr(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double sum = 0.0;
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        const double e = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        sum += e * e;
    }
    if (n == 0 || sum == 0.0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(1.0 / (sum / static_cast<double>(n)));
}

}  // namespace swaprun::testkit
