// Where the pipeline's models run, and the execution context made for each of them.
#pragma once

#include <memory>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"

namespace swaprun::pipeline {

// The same values as swr_context_options (swaprun.h).
struct BackendOptions {
    int threads = 0;  // 0: every core (CPU only)
    int device = 0;   // 0 CPU, 1 the best Vulkan device, 2 + N Vulkan device N
    // 0 fp32, 1 fp16 storage (Vulkan only), 2 bf16x3 (CPU only; the models it applies to
    // loaded with format::ReadOptions::bf16x3)
    int precision = 0;
};

// Throws swaprun::Error where the options cannot make a context on any model:
// InvalidArgument for a value out of range, Unsupported for a precision the device
// kind does not run. Callers that load models for them ask first.
void check_backend_options(const BackendOptions& options);

// A CPU or Vulkan context for `model` (check_backend_options first). Throws
// swaprun::Error: as check_backend_options, and Unsupported where the device is not
// available.
std::unique_ptr<exec::ExecutionContext> make_execution_context(
    std::shared_ptr<const engine::LoadedModel> model, const BackendOptions& options);

}  // namespace swaprun::pipeline
