// Helpers for the Vulkan tests: skipping without a device, loading hand-built models,
// a naive executor over kernels::reference, and error measures.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/loaded_model.h"
#include "test_support.h"
#include "vulkan/vulkan_context.h"

namespace swaprun::testkit {

// Skips the calling test (GTEST_SKIP) unless some Vulkan device can run the backend.
#define SWR_REQUIRE_VULKAN()                                                            \
    do {                                                                                \
        if (!::swaprun::testkit::vulkan_present()) {                                    \
            GTEST_SKIP() << "no usable Vulkan device (install mesa-vulkan-drivers for " \
                            "lavapipe, or set VK_ICD_FILENAMES)";                       \
        }                                                                               \
    } while (0)

bool vulkan_present();
bool vulkan_fp16_present();
// 16-bit storage and 16-bit float arithmetic (the fp16m shader builds).
bool vulkan_fp16_math_present();

// Writes the model to a temporary file and loads it.
std::shared_ptr<const engine::LoadedModel> load_model(const ModelBuilder& model);

// Runs every op through kernels::reference; returns the value of every tensor
// (empty for those no op wrote). inputs in the order of the model's inputs.
std::vector<std::vector<float>> reference_run(const engine::LoadedModel& model,
                                              const std::vector<std::vector<float>>& inputs);

// Sets the inputs, runs once, returns the first output.
std::vector<float> run_context(exec::ExecutionContext& context,
                               const std::vector<std::vector<float>>& inputs);

double max_abs_error(const std::vector<float>& a, const std::vector<float>& b);
// Peak signal-to-noise ratio for signals in [0, 1] (infinity when equal).
double psnr(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace swaprun::testkit
