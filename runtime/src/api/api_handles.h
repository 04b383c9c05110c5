// What the C API's opaque handles are.
#pragma once

#include <memory>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "swaprun/swaprun.h"

struct swr_model {
    std::shared_ptr<const swaprun::engine::LoadedModel> model;
};

struct swr_context {
    // Holds its own reference to the model, so that a model released too early
    // (against the documented order) cannot leave the context dangling.
    std::unique_ptr<swaprun::exec::ExecutionContext> context;  // CPU or Vulkan
    std::vector<double> op_ms;  // reused by profiled runs
};

namespace swaprun::api {

// Reads a field of a caller's options struct only if its struct_size covers it: a
// caller built against an older, shorter struct gets the default for newer fields.
template <class Options, class Field>
Field option_field(const Options* options, Field Options::*member, Field fallback) {
    if (options == nullptr) return fallback;
    const auto* base = reinterpret_cast<const char*>(options);
    const auto* field = reinterpret_cast<const char*>(&(options->*member));
    const size_t end = static_cast<size_t>(field - base) + sizeof(Field);
    return options->struct_size >= end ? options->*member : fallback;
}

}  // namespace swaprun::api
