// The context in which one op is validated: access to its input shapes and
// attributes, and errors that name the file, the op's index, name and type.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "format/model_description.h"
#include "graph/op_params.h"
#include "kernels/kernel_types.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::graph {

class OpCheck {
  public:
    OpCheck(const format::ModelDescription& model, size_t index, const std::string& label);

    template <class... Args>
    [[noreturn]] void fail(const Args&... what) const {
        throw Error(ErrorKind::Format, str_cat(where_, ": ", what...));
    }
    const std::string& where() const { return where_; }
    const format::OpDescription& op() const { return op_; }

    // Input slots (absent optional inputs are kNoTensor).
    bool has_input(size_t slot) const;
    const format::TensorDescription& input(size_t slot) const;
    std::span<const int64_t> input_shape(size_t slot) const { return input(slot).shape; }
    // The input's shape, required to have `rank` dimensions.
    std::span<const int64_t> input_shape(size_t slot, size_t rank, const char* what) const;
    const format::TensorDescription& output() const;

    // Compares the shape derived from the inputs and attributes with the stored one.
    void expect_output_shape(std::span<const int64_t> derived) const;

    // Attributes. Absent ones take the default; present ones must have the kind and
    // count asked for. Every read marks the attribute as known.
    int64_t int_attr(const std::string& name, int64_t fallback);
    int64_t required_int(const std::string& name);
    float float_attr(const std::string& name, float fallback);
    std::vector<int64_t> ints_attr(const std::string& name, size_t count,
                                   std::vector<int64_t> fallback);
    std::vector<int64_t> required_ints(const std::string& name);
    std::vector<float> floats_attr(const std::string& name, size_t count,
                                   std::vector<float> fallback);
    // An integer attribute holding an enum value in [0, max].
    template <class E>
    E enum_attr(const std::string& name, E fallback, E max) {
        const int64_t v = int_attr(name, static_cast<int64_t>(fallback));
        if (v < 0 || v > static_cast<int64_t>(max)) {
            fail("attribute '", name, "' is ", v, ", not one of 0..", static_cast<int64_t>(max));
        }
        return static_cast<E>(v);
    }
    template <class E>
    E required_enum(const std::string& name, E max) {
        if (!has_attr(name)) fail("attribute '", name, "' is missing");
        return enum_attr(name, max, max);
    }
    bool has_attr(const std::string& name) const { return op_.attributes.count(name) != 0; }
    // Rejects attributes no read asked for: the op set is closed, so an unknown
    // attribute means a converter this runtime does not understand.
    void reject_unknown_attributes() const;

    // An activation (kind, alpha) read from the given attribute names.
    kernels::ActivationParams activation(const std::string& kind_name,
                                         const std::string& alpha_name);

  private:
    const format::Attribute* find_attr(const std::string& name);

    const format::ModelDescription& model_;
    const format::OpDescription& op_;
    std::string where_;
    std::set<std::string> known_;
};

// Converts a shape from the file (rank <= 8, checked by the reader).
kernels::Shape to_kernel_shape(std::span<const int64_t> dims);

}  // namespace swaprun::graph
