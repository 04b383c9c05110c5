#include "graph/op_check.h"

#include <algorithm>
#include <cmath>

namespace swaprun::graph {

OpCheck::OpCheck(const format::ModelDescription& model, size_t index, const std::string& label)
    : model_(model), op_(model.ops[index]) {
    const auto type_name = op_type_name(static_cast<uint32_t>(op_.type));
    where_ = str_cat(label, ": op ", index, " '", op_.name, "' (",
                     type_name ? *type_name : std::string_view("?"), ")");
}

bool OpCheck::has_input(size_t slot) const {
    return slot < op_.inputs.size() && op_.inputs[slot] != kNoTensor;
}

const format::TensorDescription& OpCheck::input(size_t slot) const {
    if (!has_input(slot)) fail("input ", slot, " is missing");
    return model_.tensors[op_.inputs[slot]];
}

std::span<const int64_t> OpCheck::input_shape(size_t slot, size_t rank, const char* what) const {
    const auto& t = input(slot);
    if (t.shape.size() != rank) {
        fail(what, " '", t.name, "' has shape ", shape_string(t.shape), ", expected rank ", rank);
    }
    return t.shape;
}

const format::TensorDescription& OpCheck::output() const {
    return model_.tensors[op_.outputs.at(0)];
}

void OpCheck::expect_output_shape(std::span<const int64_t> derived) const {
    const auto& out = output();
    if (!std::equal(derived.begin(), derived.end(), out.shape.begin(), out.shape.end())) {
        fail("output '", out.name, "' is stored with shape ", shape_string(out.shape),
             " but the inputs and attributes give ", shape_string(derived));
    }
}

const format::Attribute* OpCheck::find_attr(const std::string& name) {
    known_.insert(name);
    auto it = op_.attributes.find(name);
    return it == op_.attributes.end() ? nullptr : &it->second;
}

// An empty list carries no value: for attributes of a fixed size it means "absent".
static bool is_empty(const format::Attribute* a) {
    return a == nullptr || (a->ints.empty() && a->floats.empty());
}

int64_t OpCheck::int_attr(const std::string& name, int64_t fallback) {
    const format::Attribute* a = find_attr(name);
    if (is_empty(a)) return fallback;
    if (a->ints.size() != 1 || !a->floats.empty()) {
        fail("attribute '", name, "' must be 1 integer");
    }
    return a->ints[0];
}

int64_t OpCheck::required_int(const std::string& name) {
    if (!has_attr(name)) fail("attribute '", name, "' is missing");
    return int_attr(name, 0);
}

float OpCheck::float_attr(const std::string& name, float fallback) {
    const format::Attribute* a = find_attr(name);
    if (is_empty(a)) return fallback;
    if (a->floats.size() != 1 || !a->ints.empty()) fail("attribute '", name, "' must be 1 float");
    return a->floats[0];
}

std::vector<int64_t> OpCheck::ints_attr(const std::string& name, size_t count,
                                        std::vector<int64_t> fallback) {
    const format::Attribute* a = find_attr(name);
    if (is_empty(a)) return fallback;
    if (a->ints.size() != count || !a->floats.empty()) {
        fail("attribute '", name, "' must be ", count, " integers");
    }
    return a->ints;
}

std::vector<int64_t> OpCheck::required_ints(const std::string& name) {
    const format::Attribute* a = find_attr(name);
    if (a == nullptr) fail("attribute '", name, "' is missing");
    if (!a->floats.empty()) fail("attribute '", name, "' must be integers");
    return a->ints;
}

std::vector<float> OpCheck::floats_attr(const std::string& name, size_t count,
                                        std::vector<float> fallback) {
    const format::Attribute* a = find_attr(name);
    if (is_empty(a)) return fallback;
    if (a->floats.size() != count || !a->ints.empty()) {
        fail("attribute '", name, "' must be ", count, " floats");
    }
    return a->floats;
}

void OpCheck::reject_unknown_attributes() const {
    for (const auto& [name, value] : op_.attributes) {
        if (known_.count(name) == 0) fail("unknown attribute '", name, "'");
    }
}

kernels::ActivationParams OpCheck::activation(const std::string& kind_name,
                                              const std::string& alpha_name) {
    kernels::ActivationParams a;
    a.kind = enum_attr(kind_name, kernels::Activation::None, kernels::Activation::Sigmoid);
    // ONNX LeakyRelu's default slope.
    a.alpha = float_attr(alpha_name, 0.01f);
    if (!std::isfinite(a.alpha)) fail("attribute '", alpha_name, "' is not finite");
    return a;
}

kernels::Shape to_kernel_shape(std::span<const int64_t> dims) {
    kernels::Shape s;
    s.rank = static_cast<int>(dims.size());
    std::copy(dims.begin(), dims.end(), s.dims.begin());
    return s;
}

}  // namespace swaprun::graph
