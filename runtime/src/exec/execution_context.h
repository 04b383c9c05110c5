// What the C API runs a model through, whichever backend executes it: the CPU
// context or the Vulkan one. Same contract as exec::CpuContext's members.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/loaded_model.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::exec {

class ExecutionContext {
  public:
    virtual ~ExecutionContext() = default;

    virtual void set_input(std::string_view name, const float* data, size_t count) = 0;
    virtual void run(std::vector<double>* op_ms = nullptr) = 0;
    virtual std::span<const float> output(std::string_view name) const = 0;
    virtual const engine::LoadedModel& model() const = 0;
};

// `model`, or swaprun::Error (InvalidArgument) "<context>: no model" where it is null:
// for the contexts' initializer lists, whose later members read the model.
inline std::shared_ptr<const engine::LoadedModel> require_model(
    std::shared_ptr<const engine::LoadedModel> model, const char* context) {
    if (model == nullptr) throw Error(ErrorKind::InvalidArgument, str_cat(context, ": no model"));
    return model;
}

}  // namespace swaprun::exec
