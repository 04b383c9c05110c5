#include "converter/model_summary.h"

#include <cstdio>
#include <string>

namespace swaprun::convert {

namespace {

using format::ModelDescription;
using format::OpDescription;

std::string dims(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

int64_t op_macs(const ModelDescription& m, const OpDescription& op) {
    const auto& out = m.tensors[op.outputs[0]].shape;
    if (op.type == OpType::Conv2d) {
        const auto& w = m.tensors[op.inputs[1]].shape;  // [O, C/groups, KH, KW]
        return out[0] * out[1] * out[2] * out[3] * w[1] * w[2] * w[3];
    }
    if (op.type == OpType::Gemm) {
        const auto& a = m.tensors[op.inputs[0]].shape;
        const bool trans_a =
            op.attributes.count("trans_a") && op.attributes.at("trans_a").ints.at(0);
        const int64_t k = trans_a ? a[0] : a[1];
        return out[0] * out[1] * k;
    }
    return 0;
}

std::string humanize(int64_t v, const char* unit_suffix) {
    char buf[64];
    if (v >= 1'000'000'000) {
        std::snprintf(buf, sizeof buf, "%.1f G%s", v / 1e9, unit_suffix);
    } else if (v >= 1'000'000) {
        std::snprintf(buf, sizeof buf, "%.1fM%s", v / 1e6, unit_suffix);
    } else {
        std::snprintf(buf, sizeof buf, "%lld%s", static_cast<long long>(v), unit_suffix);
    }
    return buf;
}

}  // namespace

ModelStats model_stats(const ModelDescription& model) {
    ModelStats s;
    for (const auto& t : model.tensors) {
        if (t.role == format::TensorRole::Constant) s.parameters += t.elements();
        if (t.role == format::TensorRole::Extra) s.extras += t.elements();
    }
    for (const auto& op : model.ops) s.macs += op_macs(model, op);
    return s;
}

void print_model_summary(std::ostream& out, const ModelDescription& model) {
    for (uint32_t i : model.inputs) {
        out << "input  " << model.tensors[i].name << " " << dims(model.tensors[i].shape) << "\n";
    }
    for (uint32_t i : model.outputs) {
        out << "output " << model.tensors[i].name << " " << dims(model.tensors[i].shape) << "\n";
    }
    for (const auto& t : model.tensors) {
        if (t.role == format::TensorRole::Extra)
            out << "extra  " << t.name << " " << dims(t.shape) << "\n";
    }
    for (const auto& [key, value] : model.metadata)
        out << "meta   " << key << " = " << value << "\n";
    out << "ops (" << model.ops.size() << "):\n";
    for (size_t i = 0; i < model.ops.size(); ++i) {
        const auto& op = model.ops[i];
        auto name = op_type_name(static_cast<uint32_t>(op.type));
        out << "  " << i << "  " << (name ? *name : "?") << "  " << op.name << "  ";
        for (size_t k = 0; k < op.inputs.size(); ++k) {
            if (op.inputs[k] == kNoTensor) continue;
            out << (k ? " " : "") << dims(model.tensors[op.inputs[k]].shape);
        }
        out << " -> " << dims(model.tensors[op.outputs[0]].shape);
        const int64_t macs = op_macs(model, op);
        if (macs) out << "  " << humanize(macs, "MAC");
        out << "\n";
    }
    const ModelStats s = model_stats(model);
    char line[128];
    std::snprintf(line, sizeof line, "parameters: %.1fM (%lld)\n", s.parameters / 1e6,
                  static_cast<long long>(s.parameters));
    out << line;
    if (s.extras) {
        std::snprintf(line, sizeof line, "extra tensors: %.2fM (%lld)\n", s.extras / 1e6,
                      static_cast<long long>(s.extras));
        out << line;
    }
    std::snprintf(line, sizeof line, "MACs: %.1f G (%lld)\n", s.macs / 1e9,
                  static_cast<long long>(s.macs));
    out << line;
}

}  // namespace swaprun::convert
