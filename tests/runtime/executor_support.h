// Running hand-built models through the whole runtime path (write, open, validate,
// plan, execute) for the executor and C API tests.
#pragma once

#include <string>
#include <vector>

#include "test_support.h"

namespace swaprun::testkit {

// Writes the model to a temporary file, loads it, sets the inputs (in the order of
// desc().inputs), runs it once with `threads` threads and returns the first output.
std::vector<float> run_model(const ModelBuilder& model,
                             const std::vector<std::vector<float>>& inputs, int threads = 1);

// Largest |a - b| relative to (1 + |b|); fails the test on a size mismatch.
double max_relative_error(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace swaprun::testkit
